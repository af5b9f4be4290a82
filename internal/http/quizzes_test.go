package http_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
)

type apiAttempt struct {
	ID        string
	State     string
	Deadline  *time.Time
	Percent   *float64
	Passed    *bool
	Questions []struct {
		ID          string
		Type        string
		Options     []academy.Option
		Items       []academy.Option
		Correct     *bool
		CorrectAns  json.RawMessage `json:"correct_answer"`
		Explanation string          `json:"explanation_html"`
		Lesson      string          `json:"lesson_url"`
	}
}

// rightAnswers builds the correct answer of every question from the bank,
// the way a learner who knows the material would answer.
func rightAnswers(t *testing.T, e *env, a apiAttempt) map[string]any {
	t.Helper()
	snap := e.deps.Catalog.Snapshot()
	find := func(id string) *academy.Question {
		for _, q := range snap.Quizzes {
			for i := range q.Questions {
				if q.Questions[i].ID == id {
					return &q.Questions[i]
				}
			}
		}
		t.Fatalf("question %s not in any bank", id)
		return nil
	}
	out := map[string]any{}
	for _, aq := range a.Questions {
		k := find(aq.ID).Key
		switch aq.Type {
		case academy.QSingle:
			out[aq.ID] = k.Choice
		case academy.QMultiple:
			out[aq.ID] = k.Choices
		case academy.QTrueFalse:
			out[aq.ID] = k.Bool
		case academy.QFill:
			out[aq.ID] = k.Texts[0]
		case academy.QOrdering:
			out[aq.ID] = k.Order
		case academy.QMatching:
			out[aq.ID] = k.Pairs
		case academy.QNumeric:
			out[aq.ID] = k.Value
		}
	}
	return out
}

func TestQuizAttemptAPI(t *testing.T) {
	e := newEnv(t)
	e.finishCourses("trainee", "ethics")
	res := e.api("POST", "/api/v1/quizzes/ethics/attempts", "trainee", nil)
	if res.StatusCode != 201 {
		t.Fatalf("start: %d %s", res.StatusCode, res.Body)
	}
	var a apiAttempt
	res.json(t, &a)
	if a.State != "in_progress" || a.Deadline == nil || len(a.Questions) < 12 {
		t.Fatalf("attempt: %+v", a)
	}
	// No answer key or explanation reaches the client before submit.
	bank := e.deps.Catalog.Snapshot().Quizzes["ethics"]
	for _, body := range []string{res.Body, e.api("GET", "/api/v1/attempts/"+a.ID, "trainee", nil).Body} {
		for _, leak := range []string{`"explanation_html"`, `"correct`, `"key"`, `"choice"`, `"texts"`, `"order"`, `"pairs"`} {
			if strings.Contains(body, leak) {
				t.Fatalf("response before submit contains %q", leak)
			}
		}
		for _, q := range bank.Questions {
			if strings.Contains(body, strings.TrimSpace(strings.Split(q.Explanation, "\n")[0])) {
				t.Fatalf("explanation of %s leaked", q.ID)
			}
		}
	}
	// Bad answers: each a 4xx naming the problem, and nothing is saved.
	q0 := a.Questions[0]
	bad := []struct {
		body string
		want string
	}{
		{`{"answers":{"nope":"a"}}`, "answers.nope: no such question"},
		{`{"answers":{"` + q0.ID + `":{"x":[1]}}}`, "answers." + q0.ID + ": must be"},
		{`{"answers":{}}`, "answers:"},
		{`{"answers":`, "JSON"},
		{`{"answer":{}}`, "unknown field"},
	}
	for _, c := range bad {
		res := e.api("PUT", "/api/v1/attempts/"+a.ID+"/answers", "trainee", c.body)
		if res.StatusCode != 400 || !strings.Contains(res.Body, c.want) {
			t.Errorf("%s: %d %s", c.body, res.StatusCode, res.Body)
		}
	}
	if res := e.api("PUT", "/api/v1/attempts/"+a.ID+"/answers", "agent", map[string]any{"answers": map[string]any{q0.ID: "a"}}); res.StatusCode != 404 {
		t.Fatalf("someone else's attempt: %d", res.StatusCode)
	}
	if res := e.api("GET", "/api/v1/attempts/"+a.ID, "agent", nil); res.StatusCode != 404 {
		t.Fatalf("reading someone else's attempt: %d", res.StatusCode)
	}
	// Right answers, in two saves.
	answers := rightAnswers(t, e, a)
	half := map[string]any{}
	rest := map[string]any{}
	i := 0
	for k, v := range answers {
		if i%2 == 0 {
			half[k] = v
		} else {
			rest[k] = v
		}
		i++
	}
	for _, part := range []map[string]any{half, rest} {
		if res := e.api("PUT", "/api/v1/attempts/"+a.ID+"/answers", "trainee", map[string]any{"answers": part}); res.StatusCode != 200 {
			t.Fatalf("save: %d %s", res.StatusCode, res.Body)
		}
	}
	var r1, r2 apiAttempt
	e.api("POST", "/api/v1/attempts/"+a.ID+"/submit", "trainee", nil).json(t, &r1)
	e.api("POST", "/api/v1/attempts/"+a.ID+"/submit", "trainee", nil).json(t, &r2)
	if r1.State != "submitted" || *r1.Percent != 100 || !*r1.Passed || *r2.Percent != *r1.Percent {
		t.Fatalf("submit: %+v / %+v", r1, r2)
	}
	// Review policy "explanations": everything is shown now, with lessons.
	for _, q := range r1.Questions {
		if q.Correct == nil || !*q.Correct || len(q.CorrectAns) == 0 || q.Explanation == "" {
			t.Fatalf("review of %s: %+v", q.ID, q)
		}
	}
	if r1.Questions[0].Lesson == "" || !strings.HasPrefix(r1.Questions[0].Lesson, "/courses/ethics/lessons/") {
		t.Fatalf("lesson link: %q", r1.Questions[0].Lesson)
	}
	if res := e.api("PUT", "/api/v1/attempts/"+a.ID+"/answers", "trainee", map[string]any{"answers": map[string]any{q0.ID: "a"}}); res.StatusCode != 409 {
		t.Fatalf("answer after submit: %d", res.StatusCode)
	}
	var mine struct{ Items []academy.AttemptSummary }
	e.api("GET", "/api/v1/me/attempts", "trainee", nil).json(t, &mine)
	if len(mine.Items) != 1 {
		t.Fatalf("a double submit counted %d attempts", len(mine.Items))
	}
	// Cooldown, with the time of the next attempt in the message.
	res = e.api("POST", "/api/v1/quizzes/ethics/attempts", "trainee", nil)
	if res.StatusCode != 429 || !strings.Contains(res.Body, "next attempt is possible at") {
		t.Fatalf("cooldown: %d %s", res.StatusCode, res.Body)
	}
	var list struct {
		Items []struct {
			Slug string
			Left int        `json:"attempts_left"`
			Best float64    `json:"best_percent"`
			Next *time.Time `json:"next_start"`
		}
	}
	e.api("GET", "/api/v1/quizzes", "trainee", nil).json(t, &list)
	if list.Items[0].Slug != "ethics" || list.Items[0].Left != 2 || list.Items[0].Best != 100 || list.Items[0].Next == nil {
		t.Fatalf("quiz list: %+v", list.Items[0])
	}
	if res := e.api("POST", "/api/v1/quizzes/nope/attempts", "trainee", nil); res.StatusCode != 404 {
		t.Fatalf("unknown quiz: %d", res.StatusCode)
	}
}

func TestDeadlineAndAttemptLimitOverHTTP(t *testing.T) {
	e := newEnv(t)
	e.finishCourses("trainee", "fees")
	var a apiAttempt
	e.api("POST", "/api/v1/quizzes/fees/attempts", "trainee", nil).json(t, &a)
	q := a.Questions[0]
	if res := e.api("PUT", "/api/v1/attempts/"+a.ID+"/answers", "trainee", map[string]any{"answers": rightAnswers(t, e, apiAttempt{Questions: a.Questions[:1]})}); res.StatusCode != 200 {
		t.Fatal(res.Body)
	}
	real := e.deps.Examiner.Now
	e.deps.Examiner.Now = func() time.Time { return real().Add(21 * time.Minute) }
	res := e.api("PUT", "/api/v1/attempts/"+a.ID+"/answers", "trainee", map[string]any{"answers": map[string]any{q.ID: "x"}})
	if res.StatusCode != 409 || !strings.Contains(res.Body, "Time is up") {
		t.Fatalf("answer after the deadline: %d %s", res.StatusCode, res.Body)
	}
	var got apiAttempt
	e.api("GET", "/api/v1/attempts/"+a.ID, "trainee", nil).json(t, &got)
	if got.State != "expired" || got.Percent == nil || *got.Percent == 0 {
		t.Fatalf("expired attempt: %+v", got)
	}
	// Three attempts at most: the next two (after cooldowns) and then none.
	for i := 2; i <= 3; i++ {
		e.deps.Examiner.Now = func(d time.Duration) func() time.Time {
			return func() time.Time { return real().Add(d) }
		}(time.Duration(i) * time.Hour)
		var b apiAttempt
		res := e.api("POST", "/api/v1/quizzes/fees/attempts", "trainee", nil)
		res.json(t, &b)
		if res.StatusCode != 201 {
			t.Fatalf("attempt %d: %d %s", i, res.StatusCode, res.Body)
		}
		e.api("POST", "/api/v1/attempts/"+b.ID+"/submit", "trainee", nil)
	}
	e.deps.Examiner.Now = func() time.Time { return real().Add(5 * time.Hour) }
	res = e.api("POST", "/api/v1/quizzes/fees/attempts", "trainee", nil)
	if res.StatusCode != 403 || !strings.Contains(res.Body, "All 3 attempts") {
		t.Fatalf("fourth attempt: %d %s", res.StatusCode, res.Body)
	}
}

func TestFinalExamReviewPolicy(t *testing.T) {
	e := newEnv(t)
	e.openFinalExam("trainee")
	var a apiAttempt
	res := e.api("POST", "/api/v1/quizzes/final-exam/attempts", "trainee", nil)
	res.json(t, &a)
	if res.StatusCode != 201 || len(a.Questions) != 21 {
		t.Fatalf("exam: %d, %d questions", res.StatusCode, len(a.Questions))
	}
	sources := map[string]bool{}
	for _, q := range a.Questions {
		sources[strings.Split(q.ID, "-")[0]] = true
	}
	if len(sources) != 7 {
		t.Fatalf("exam draws from %d modules, want 7: %v", len(sources), sources)
	}
	e.api("PUT", "/api/v1/attempts/"+a.ID+"/answers", "trainee", map[string]any{"answers": rightAnswers(t, e, a)})
	var r apiAttempt
	e.api("POST", "/api/v1/attempts/"+a.ID+"/submit", "trainee", nil).json(t, &r)
	if *r.Percent != 100 {
		t.Fatalf("exam score %v", *r.Percent)
	}
	for _, q := range r.Questions {
		if q.Correct == nil || len(q.CorrectAns) != 0 || q.Explanation != "" {
			t.Fatalf("review policy correctness shows more: %+v", q)
		}
	}
}

func TestWebQuizFlowAndAuthoring(t *testing.T) {
	e := newEnv(t)
	e.finishCourses("trainee", "ethics")
	b := e.browser()
	b.loginAs("trainee")
	intro := b.get("/quizzes/ethics")
	if !strings.Contains(intro.Body, "及格线 80%") || !strings.Contains(intro.Body, `id="start"`) {
		t.Fatal("quiz intro")
	}
	token := csrfRE.FindStringSubmatch(intro.Body)[1]
	res := b.post("/quizzes/ethics/start", url.Values{"_csrf": {token}})
	if res.StatusCode != 303 || !strings.HasPrefix(res.Header.Get("Location"), "/attempts/") {
		t.Fatalf("start: %d", res.StatusCode)
	}
	loc := res.Header.Get("Location")
	page := b.get(loc)
	if !strings.Contains(page.Body, `id="countdown"`) || !strings.Contains(page.Body, `id="attempt-form"`) {
		t.Fatal("attempt page")
	}
	// Answer the first question through the form and submit.
	id := strings.TrimPrefix(loc, "/attempts/")
	var a apiAttempt
	e.api("GET", "/api/v1/attempts/"+id, "trainee", nil).json(t, &a)
	form := url.Values{"_csrf": {token}, "action": {"submit"}}
	for qid, v := range rightAnswers(t, e, a) {
		q := a.Questions[0]
		for _, qq := range a.Questions {
			if qq.ID == qid {
				q = qq
			}
		}
		switch q.Type {
		case academy.QSingle, academy.QFill:
			form.Set("a."+qid, v.(string))
		case academy.QTrueFalse:
			form.Set("a."+qid, fmt.Sprint(v))
		case academy.QNumeric:
			form.Set("a."+qid, fmt.Sprint(v))
		case academy.QMultiple:
			form["a."+qid] = v.([]string)
		case academy.QOrdering:
			for i, o := range v.([]string) {
				form.Set(fmt.Sprintf("a.%s.%d", qid, i), o)
			}
		case academy.QMatching:
			for it, o := range v.(map[string]string) {
				form.Set("a."+qid+"."+it, o)
			}
		}
	}
	if res := b.post(loc, form); res.StatusCode != 303 {
		t.Fatalf("submit form: %d %s", res.StatusCode, res.Body)
	}
	result := b.get(loc)
	if !strings.Contains(result.Body, `id="percent">100%`) || !strings.Contains(result.Body, "已通过") || !strings.Contains(result.Body, "复习相关课时") {
		t.Fatalf("result page: %s", result.Body[strings.Index(result.Body, "<main"):][:600])
	}

	// A trainer sees the bank with item analysis and edits a question.
	tr := e.browser()
	tr.loginAs("trainer")
	bankPage := tr.get("/author/quizzes/ethics")
	if !strings.Contains(bankPage.Body, "基于 1 份已评分答卷") || !strings.Contains(bankPage.Body, "eth-") {
		t.Fatal("bank page lacks analysis")
	}
	var analysis struct {
		Attempts int
		Items    []academy.ItemStats
	}
	e.api("GET", "/api/v1/quizzes/ethics/analysis", "trainer", nil).json(t, &analysis)
	if analysis.Attempts != 1 || len(analysis.Items) == 0 || analysis.Items[0].Facility != 1 {
		t.Fatalf("analysis: %+v", analysis)
	}
	tok := tr.csrf("/author/quizzes/ethics/questions/new")
	yaml := "id: eth-new-01\ntype: truefalse\npoints: 1\ntags: [隐私]\nprompt: |\n  可以把业主的电话号码告诉自称是亲戚的来电人。\nanswer: false\nexplanation: |\n  不能：先核实身份，再由业主本人决定。\n"
	if res := tr.post("/author/quizzes/ethics/questions", url.Values{"_csrf": {tok}, "revision": {"1"}, "yaml": {yaml}, "action": {"preview"}}); res.StatusCode != 200 || !strings.Contains(res.Body, "判断题") {
		t.Fatalf("preview: %d", res.StatusCode)
	}
	if res := tr.post("/author/quizzes/ethics/questions", url.Values{"_csrf": {tok}, "revision": {"1"}, "yaml": {yaml}, "action": {"save"}}); res.StatusCode != 303 {
		t.Fatalf("save question: %d %s", res.StatusCode, res.Body)
	}
	if res := tr.post("/author/quizzes/ethics/questions", url.Values{"_csrf": {tok}, "revision": {"1"}, "yaml": {yaml}, "action": {"save"}}); res.StatusCode != 409 {
		t.Fatalf("stale save: %d", res.StatusCode)
	}
	broken := strings.Replace(yaml, "answer: false", "answer: maybe", 1)
	if res := tr.post("/author/quizzes/ethics/questions", url.Values{"_csrf": {tok}, "revision": {"2"}, "yaml": {broken}, "action": {"save"}}); res.StatusCode != 400 || !strings.Contains(res.Body, "question:7: questions[eth-new-01]: answer: 判断题的答案是 true 或 false") {
		t.Fatalf("broken question: %d", res.StatusCode)
	}
	settings := url.Values{"_csrf": {tok}, "revision": {"2"}, "title": {"职业道德 · 单元测验"}, "pass_mark": {"120"}, "layout": {"one_page"}, "review": {"score"}}
	if res := tr.post("/author/quizzes/ethics", settings); res.StatusCode != 400 || !strings.Contains(res.Body, "pass_mark") {
		t.Fatalf("bad pass mark: %d", res.StatusCode)
	}
	settings.Set("pass_mark", "70")
	if res := tr.post("/author/quizzes/ethics", settings); res.StatusCode != 303 {
		t.Fatalf("settings: %d", res.StatusCode)
	}
	var list struct {
		Items []struct {
			Slug     string
			PassMark int `json:"pass_mark"`
		}
	}
	e.api("GET", "/api/v1/quizzes", "trainee", nil).json(t, &list)
	if list.Items[0].PassMark != 70 {
		t.Fatalf("learners do not see the new setting: %+v", list.Items[0])
	}
}
