package http_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/academy/academy/internal/academy"
)

// gestures are a learner's actions, each one a click, a pick or typing into
// a field and leaving it: one change the page reports.
type gestures = []chromedp.Action[chromedp.Void]

// rtCase is one question of the round-trip quiz: how a learner answers it
// and what must come back.
type rtCase struct {
	q academy.Question
	// act answers the question on its page; settle says whether each
	// gesture's autosave is awaited and the page loaded afresh.
	act    func(id string) gestures
	settle bool
	// clear, when set, takes part of the answer back afterwards; clearSave
	// waits for the autosave of it, otherwise the page is left at once and
	// only the posted form carries the change.
	clear     func(id string) gestures
	clearSave bool
	want      academy.Response // what must be stored; zero: no answer
	typed     string           // fill and numeric: the text the field must show
	correct   bool
}

// rtShown is what a question's controls show.
type rtShown struct {
	Checked []string          `json:"checked"` // ticked radios and boxes, by value
	Value   string            `json:"value"`   // the text or number field
	Selects map[string]string `json:"selects"` // ordering position or matching item -> chosen option
}

const rtShownJS = `((qid) => {
  const fs = document.getElementById("q-" + qid);
  if (!fs) return null;
  const out = {checked: [], value: "", selects: {}};
  for (const e of fs.querySelectorAll("input[type=radio], input[type=checkbox]")) if (e.checked) out.checked.push(e.value);
  const f = fs.querySelector('input[name="a.' + qid + '"]:not([type=radio]):not([type=checkbox])');
  if (f) out.value = f.value;
  for (const s of fs.querySelectorAll("select")) out.selects[s.name.split(".").pop()] = s.value;
  return out;
})(%q)`

// wantShown is what the controls must show for the answer c.want.
func (c *rtCase) wantShown() rtShown {
	r, q := c.want, c.q
	s := rtShown{Checked: []string{}, Value: c.typed, Selects: map[string]string{}}
	switch q.Type {
	case academy.QSingle:
		if r.Choice != "" {
			s.Checked = append(s.Checked, r.Choice)
		}
	case academy.QMultiple:
		s.Checked = append(s.Checked, r.Choices...)
	case academy.QTrueFalse:
		if r.Bool != nil {
			s.Checked = append(s.Checked, strconv.FormatBool(*r.Bool))
		}
	case academy.QOrdering:
		for i := range q.Options {
			s.Selects[strconv.Itoa(i)] = ""
			if i < len(r.Order) {
				s.Selects[strconv.Itoa(i)] = r.Order[i]
			}
		}
	case academy.QMatching:
		for _, it := range q.Items {
			s.Selects[it.ID] = r.Pairs[it.ID]
		}
	}
	return s
}

func (c *rtCase) answered() bool {
	r := c.want
	return r.Choice != "" || len(r.Choices) > 0 || r.Bool != nil || r.Text != "" || len(r.Order) > 0 || len(r.Pairs) > 0 || r.Number != nil
}

// Learner actions, as a person does them.

func rtClick(sel string) gestures {
	return gestures{chromedp.Click(sel)}
}

// rtType types into a field and tabs out of it, which is when a browser
// reports the change.
func rtType(sel, text string) gestures {
	return gestures{chromedp.Steps(chromedp.Click(sel), chromedp.SendKeys(sel, text), chromedp.KeyEvent(kb.Tab))}
}

// rtErase selects all of a field and deletes it, without leaving it.
func rtErase(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(chromedp.Click(sel), chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)), chromedp.KeyEvent(kb.Backspace))
}

// rtChoose picks an option of a drop-down ("" is the empty "—" entry). The
// native list cannot be clicked through the protocol; setting the value
// and firing the events the list fires is what a pick amounts to.
func rtChoose(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`((s, v) => {
  const el = document.querySelector(s);
  el.focus(); el.value = v;
  el.dispatchEvent(new Event("input", {bubbles: true}));
  el.dispatchEvent(new Event("change", {bubbles: true}));
  return null;
})(%q, %q)`, sel, value))
}

func rtOpts(ids ...string) []academy.Option {
	var out []academy.Option
	for i, id := range ids {
		out = append(out, academy.Option{ID: id, Text: fmt.Sprintf("选项 %d（%s）", i+1, id)})
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// rtCases covers every question type with the values that a template or
// parser gets wrong: false, 0, 0.5, negatives, nothing, one/all/none of
// several, partly filled orderings and matchings, text with spaces,
// quotes, markup and Chinese, and answers taken back.
func rtCases() []*rtCase {
	q := func(id, typ string, key academy.Key) academy.Question {
		return academy.Question{ID: id, Type: typ, Points: 2, Prompt: "第 " + id + " 题", Explanation: "解析 " + id, Key: key}
	}
	sel := func(qid, part string) string { return fmt.Sprintf(`select[name="a.%s.%s"]`, qid, part) }
	box := func(qid, value string) string { return fmt.Sprintf(`#q-%s input[value="%s"]`, qid, value) }
	fill := `  他说 "好" <b>&'报修' 了  `
	tickAC := func(id string) gestures { return append(rtClick(box(id, "a")), rtClick(box(id, "c"))...) }

	single := q("single-pick", academy.QSingle, academy.Key{Choice: "b"})
	single.Options = rtOpts("a", "b", "c")
	untouched := q("single-untouched", academy.QSingle, academy.Key{Choice: "a"})
	untouched.Options = rtOpts("a", "b")
	multiOne := q("multi-one", academy.QMultiple, academy.Key{Choices: []string{"a", "c"}})
	multiOne.Options = rtOpts("a", "b", "c", "d")
	multiAll := q("multi-all", academy.QMultiple, academy.Key{Choices: []string{"a", "b", "c"}})
	multiAll.Options = rtOpts("a", "b", "c")
	multiNone := q("multi-none", academy.QMultiple, academy.Key{Choices: []string{"b"}})
	multiNone.Options = rtOpts("a", "b", "c")
	orderFull := q("order-full", academy.QOrdering, academy.Key{Order: []string{"o1", "o2", "o3", "o4"}})
	orderFull.Options = rtOpts("o1", "o2", "o3", "o4")
	orderPart := q("order-part", academy.QOrdering, academy.Key{Order: []string{"o1", "o2", "o3", "o4"}})
	orderPart.Options = rtOpts("o1", "o2", "o3", "o4")
	pairs := map[string]string{"i1": "m1", "i2": "m2", "i3": "m3"}
	matchFull := q("match-full", academy.QMatching, academy.Key{Pairs: pairs})
	matchFull.Options, matchFull.Items = rtOpts("m1", "m2", "m3", "m4"), rtOpts("i1", "i2", "i3")
	matchPart := q("match-part", academy.QMatching, academy.Key{Pairs: pairs})
	matchPart.Options, matchPart.Items = rtOpts("m1", "m2", "m3", "m4"), rtOpts("i1", "i2", "i3")

	return []*rtCase{
		{q: q("tf-false", academy.QTrueFalse, academy.Key{Bool: false}), act: func(id string) gestures { return rtClick(box(id, "false")) },
			settle: true, want: academy.Response{Bool: ptr(false)}, correct: true},
		{q: q("tf-true", academy.QTrueFalse, academy.Key{Bool: true}), act: func(id string) gestures { return rtClick(box(id, "true")) },
			settle: true, want: academy.Response{Bool: ptr(true)}, correct: true},
		{q: q("tf-wrong", academy.QTrueFalse, academy.Key{Bool: true}), act: func(id string) gestures { return rtClick(box(id, "false")) },
			settle: true, want: academy.Response{Bool: ptr(false)}, correct: false},
		{q: single, act: func(id string) gestures { return rtClick(box(id, "c")) },
			settle: true, want: academy.Response{Choice: "c"}},
		{q: untouched, act: func(string) gestures { return nil }},
		{q: q("tf-untouched", academy.QTrueFalse, academy.Key{Bool: false}), act: func(string) gestures { return nil }},
		{q: multiOne, act: func(id string) gestures { return rtClick(box(id, "c")) },
			settle: true, want: academy.Response{Choices: []string{"c"}}},
		{q: multiAll, act: func(id string) gestures {
			return append(append(rtClick(box(id, "a")), rtClick(box(id, "b"))...), rtClick(box(id, "c"))...)
		}, settle: true, want: academy.Response{Choices: []string{"a", "b", "c"}}, correct: true},
		{q: multiNone, act: tickAC, settle: true, clear: tickAC},
		{q: q("fill-text", academy.QFill, academy.Key{Texts: []string{"不相干"}}), act: func(id string) gestures { return rtType("#f-"+id, fill) },
			settle: true, want: academy.Response{Text: fill}, typed: fill},
		{q: q("fill-clear", academy.QFill, academy.Key{Texts: []string{"维修"}}), act: func(id string) gestures { return rtType("#f-"+id, "维修") },
			settle: true, clear: func(id string) gestures {
				return gestures{rtErase("#f-" + id)}
			}},
		{q: q("num-zero", academy.QNumeric, academy.Key{Value: 0}), act: func(id string) gestures { return rtType("#n-"+id, "0") },
			settle: true, want: academy.Response{Number: ptr(0.0)}, typed: "0", correct: true},
		{q: q("num-half", academy.QNumeric, academy.Key{Value: 0.5}), act: func(id string) gestures { return rtType("#n-"+id, "0.5") },
			settle: true, want: academy.Response{Number: ptr(0.5)}, typed: "0.5", correct: true},
		{q: q("num-neg", academy.QNumeric, academy.Key{Value: -2.5, Tolerance: 0.1}), act: func(id string) gestures { return rtType("#n-"+id, "-2.5") },
			settle: true, want: academy.Response{Number: ptr(-2.5)}, typed: "-2.5", correct: true},
		{q: q("num-clear", academy.QNumeric, academy.Key{Value: 3}), act: func(id string) gestures { return rtType("#n-"+id, "3") },
			settle: true, clear: func(id string) gestures {
				return gestures{chromedp.Steps(rtErase("#n-"+id), chromedp.KeyEvent(kb.Tab))}
			}, clearSave: true},
		{q: orderFull, act: func(id string) gestures {
			return gestures{rtChoose(sel(id, "0"), "o3"), rtChoose(sel(id, "1"), "o1"), rtChoose(sel(id, "2"), "o4"), rtChoose(sel(id, "3"), "o2")}
		}, settle: true, want: academy.Response{Order: []string{"o3", "o1", "o4", "o2"}}},
		{q: orderPart, act: func(id string) gestures {
			return gestures{rtChoose(sel(id, "0"), "o2"), rtChoose(sel(id, "2"), "o4")}
		}, settle: true, want: academy.Response{Order: []string{"o2", "", "o4", ""}}},
		{q: matchFull, act: func(id string) gestures {
			return gestures{rtChoose(sel(id, "i1"), "m1"), rtChoose(sel(id, "i2"), "m3"), rtChoose(sel(id, "i3"), "m4")}
		}, settle: true, want: academy.Response{Pairs: map[string]string{"i1": "m1", "i2": "m3", "i3": "m4"}}},
		{q: matchPart, act: func(id string) gestures {
			return gestures{rtChoose(sel(id, "i1"), "m2"), rtChoose(sel(id, "i2"), "m2")}
		}, settle: true, clear: func(id string) gestures {
			return gestures{rtChoose(sel(id, "i1"), "")}
		}, clearSave: true, want: academy.Response{Pairs: map[string]string{"i2": "m2"}}},
	}
}

// addRoundTripQuiz adds the paged quiz of rtCases, in that order.
func addRoundTripQuiz(t *testing.T, e *env) []*rtCase {
	t.Helper()
	ctx := context.Background()
	cases := rtCases()
	quiz := &academy.Quiz{Slug: "roundtrip", Title: "答案往返", PassMark: 50, Layout: academy.LayoutPerQuestion,
		Review: academy.ReviewAnswers, Status: academy.CourseActive, Revision: 1}
	for _, c := range cases {
		quiz.Questions = append(quiz.Questions, c.q)
	}
	if err := quiz.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := e.deps.Library.Quizzes.SaveQuiz(ctx, quiz, 0); err != nil {
		t.Fatal(err)
	}
	if err := e.deps.Catalog.Refresh(ctx, true); err != nil {
		t.Fatal(err)
	}
	return cases
}

// TestAnswersClearOverHTTP takes answers back through the two ways a page
// saves them, without a browser: the autosave's JSON, where null clears
// (and must not read as false or 0), and the posted form, where an
// emptied field or unticked boxes post nothing but the question's name.
func TestAnswersClearOverHTTP(t *testing.T) {
	e := newEnv(t)
	addRoundTripQuiz(t, e)
	var a apiAttempt
	e.api("POST", "/api/v1/quizzes/roundtrip/attempts", "trainee", nil).json(t, &a)
	path := "/api/v1/attempts/" + a.ID
	answers := func() map[string]string {
		var got struct {
			Questions []struct {
				ID     string
				Answer json.RawMessage
			}
		}
		e.api("GET", path, "trainee", nil).json(t, &got)
		out := map[string]string{}
		for _, q := range got.Questions {
			if q.Answer != nil {
				out[q.ID] = string(q.Answer)
			}
		}
		return out
	}
	put := func(body string) (answered int) {
		t.Helper()
		res := e.api("PUT", path+"/answers", "trainee", body)
		if res.StatusCode != 200 {
			t.Fatalf("save %s: %d %s", body, res.StatusCode, res.Body)
		}
		var out struct{ Answered int }
		res.json(t, &out)
		return out.Answered
	}
	if n := put(`{"answers": {"tf-false": false, "num-zero": 0, "num-clear": 3, "fill-clear": "维修", "multi-none": ["a"], "order-part": ["o2", "", "", ""]}}`); n != 6 {
		t.Fatalf("answered %d after six answers", n)
	}
	if got := answers(); got["tf-false"] != "false" || got["num-zero"] != "0" {
		t.Fatalf("false and 0 saved as %s, %s", got["tf-false"], got["num-zero"])
	}
	// null for an answer never given must not create one either.
	if n := put(`{"answers": {"num-clear": null, "fill-clear": "  ", "multi-none": [], "order-part": ["", "", "", ""], "tf-untouched": null}}`); n != 2 {
		t.Errorf("answered %d after taking four back, want 2", n)
	}
	if got := answers(); len(got) != 2 {
		t.Errorf("answers after taking four back: %v", got)
	}

	// The form: the same questions answered again, then taken back.
	b := e.browser()
	b.loginAs("trainee")
	page := "/attempts/" + a.ID
	token := b.csrf(page)
	post := func(form url.Values) {
		t.Helper()
		form.Set("_csrf", token)
		form.Set("action", "save")
		if res := b.post(page, form); res.StatusCode != 303 {
			t.Fatalf("post %v: %d %s", form, res.StatusCode, res.Body)
		}
	}
	post(url.Values{"shown": {"fill-clear", "multi-none", "num-clear", "tf-untouched"}, "a.fill-clear": {"维修"}, "a.multi-none": {"a", "c"}, "a.num-clear": {"-0.5"}})
	if got := answers(); got["fill-clear"] != `"维修"` || got["multi-none"] != `["a","c"]` || got["num-clear"] != "-0.5" || got["tf-untouched"] != "" {
		t.Fatalf("form answers: %v", got)
	}
	post(url.Values{"shown": {"fill-clear", "multi-none", "num-clear", "tf-untouched"}, "a.fill-clear": {""}, "a.num-clear": {""}})
	if got := answers(); len(got) != 2 {
		t.Errorf("answers after the form took three back: %v", got)
	}
	if body := b.get(page + "?q=1").Body; !strings.Contains(body, "已答 2/") {
		t.Errorf("attempt page does not count 2 answered")
	}
}

// TestBrowserAnswersRoundTrip answers a paged quiz with every question
// type and the edge values of each by clicking and typing, and checks that
// every page shows exactly what was saved: loaded afresh after each
// answer, paging back through all of it and forward again (each page
// change posts the form, so a control showing the wrong thing would be
// saved), and on the review. Then it checks that the stored answers are
// the ones clicked and graded as such: a 错误 on a true/false question
// whose answer is false is right.
func TestBrowserAnswersRoundTrip(t *testing.T) {
	e := newEnv(t)
	ctx0 := context.Background()
	cases := addRoundTripQuiz(t, e)
	base := e.listen()
	ctx := chrome(t)
	loginChrome(t, ctx, base, "trainee")

	step(t, ctx, "open the quiz", chromedp.Navigate(base+"/quizzes/roundtrip"), chromedp.WaitVisible("#start"))
	step(t, ctx, "start", confirmYes(), chromedp.Click("#start"), chromedp.WaitVisible("#attempt-form"))
	idAttr, err := chromedp.Run(ctx, chromedp.AttributeValue("#attempt-form", "data-attempt"))
	if err != nil || idAttr.Value == "" {
		t.Fatalf("attempt id: %v", err)
	}
	id := idAttr.Value
	page := func(n int) string { return fmt.Sprintf("%s/attempts/%s?q=%d", base, id, n) }
	onPage := func(n int) chromedp.Action[chromedp.Void] {
		return chromedp.WaitVisible(fmt.Sprintf(`.qnav button[value="%d"][aria-current="step"]`, n))
	}
	// A fresh load, not a reload: Chromium may put back on reload what the
	// controls held, which would hide what the server rendered.
	load := func(n int) { step(t, ctx, fmt.Sprintf("load page %d", n), chromedp.Navigate(page(n)), onPage(n)) }
	// autosaved runs gestures one by one, each after the autosave of the
	// one before has confirmed, as a learner who waits for 已自动保存.
	autosaved := func(what string, gs gestures) {
		t.Helper()
		for _, g := range gs {
			step(t, ctx, what, chromedp.Evaluate[chromedp.Void](`document.getElementById("autosave").textContent = "", null`), g)
			pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			_, err := chromedp.Run(pctx, chromedp.Poll[bool](`document.getElementById("autosave").textContent === "已自动保存"`))
			cancel()
			if err != nil {
				msg, _ := chromedp.Run(ctx, chromedp.Text("#autosave"))
				t.Fatalf("%s: autosave never confirmed (status %q): %v", what, msg, err)
			}
		}
	}
	check := func(where string, c *rtCase) {
		t.Helper()
		got, err := chromedp.Run(ctx, chromedp.Evaluate[*rtShown](fmt.Sprintf(rtShownJS, c.q.ID)))
		if err != nil || got == nil {
			t.Fatalf("%s: read %s: %v", where, c.q.ID, err)
		}
		want := c.wantShown()
		slices.Sort(got.Checked)
		slices.Sort(want.Checked)
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		if string(g) != string(w) {
			t.Errorf("%s: %s (%s) shows %s, want %s", where, c.q.ID, c.q.Type, g, w)
		}
	}
	next := func(n int) {
		step(t, ctx, fmt.Sprintf("next from page %d", n), chromedp.Click("#next-question"), onPage(n+1))
	}

	// Answer page by page; after each answer, load the page afresh.
	for i, c := range cases {
		n := i + 1
		if n > 1 {
			next(n - 1)
		}
		if acts := c.act(c.q.ID); c.settle {
			autosaved("answer "+c.q.ID, acts)
			load(n)
			if c.clear == nil {
				check("after answering and loading again", c)
			}
		} else if len(acts) > 0 {
			step(t, ctx, "answer "+c.q.ID, acts...)
		}
		if c.clear != nil {
			if c.clearSave {
				autosaved("take back "+c.q.ID, c.clear(c.q.ID))
				load(n)
				check("after taking back and loading again", c)
			} else {
				step(t, ctx, "take back "+c.q.ID, c.clear(c.q.ID)...)
			}
		}
	}
	// The last page is left by its number in the list: it has no "next".
	last := len(cases)
	step(t, ctx, "leave the last page", chromedp.Click(`.qnav button[value="1"]`), onPage(1))
	load(last)
	check("the last page loaded again", cases[last-1])

	// Page back through every question by the numbered list, then forward.
	for n := last - 1; n >= 1; n-- {
		step(t, ctx, fmt.Sprintf("back to page %d", n), chromedp.Click(fmt.Sprintf(`.qnav button[value="%d"]`, n)), onPage(n))
		check(fmt.Sprintf("paging back, page %d", n), cases[n-1])
	}
	for n := 1; n < last; n++ {
		next(n)
		check(fmt.Sprintf("paging forward, page %d", n+1), cases[n])
	}

	// The list marks exactly the answered questions, and the count agrees.
	answered := 0
	for i, c := range cases {
		if c.answered() {
			answered++
		}
		if i+1 == last {
			continue // the current page is marked as current
		}
		cls, err := chromedp.Run(ctx, chromedp.AttributeValue(fmt.Sprintf(`.qnav button[value="%d"]`, i+1), "class"))
		if err != nil {
			t.Fatal(err)
		}
		if done := strings.Contains(cls.Value, "done"); done != c.answered() {
			t.Errorf("question list: %s (%s) marked answered=%v, want %v", c.q.ID, c.q.Type, done, c.answered())
		}
	}
	if got, want := text(t, ctx, "#answered"), fmt.Sprintf("已答 %d/%d", answered, last); got != want {
		t.Errorf("answered count %q, want %q", got, want)
	}

	step(t, ctx, "submit", confirmYes(), chromedp.Click("#submit"), chromedp.WaitVisible("#result"))
	screenshot(t, ctx, "roundtrip-result")
	for _, c := range cases {
		check("on the review", c)
	}

	a, err := e.deps.Examiner.Attempts.FindAttempt(ctx0, id)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Finished() {
		t.Fatalf("attempt still %s", a.State)
	}
	for _, c := range cases {
		got, saved := a.Answers[c.q.ID]
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(c.want)
		if !c.answered() {
			if saved && string(g) != "{}" {
				t.Errorf("stored: %s (%s) = %s, want no answer", c.q.ID, c.q.Type, g)
			}
		} else if string(g) != string(w) {
			t.Errorf("stored: %s (%s) = %s, want %s", c.q.ID, c.q.Type, g, w)
		}
		r := a.Result(c.q.ID)
		if r == nil {
			t.Errorf("graded: %s has no result", c.q.ID)
			continue
		}
		if c.q.Type == academy.QMultiple || c.q.Type == academy.QOrdering || c.q.Type == academy.QMatching {
			if r.Correct != c.correct {
				t.Errorf("graded: %s correct=%v, want %v (score %v/%v)", c.q.ID, r.Correct, c.correct, r.Score, r.Max)
			}
			continue
		}
		if want := map[bool]float64{true: c.q.Points, false: 0}[c.correct]; r.Correct != c.correct || math.Abs(r.Score-want) > 1e-9 {
			t.Errorf("graded: %s correct=%v score %v, want correct=%v score %v", c.q.ID, r.Correct, r.Score, c.correct, want)
		}
	}

	// The API hands back the same answers, and none for the questions left
	// or taken back.
	var api struct {
		Questions []struct {
			ID     string
			Answer json.RawMessage
		}
	}
	e.api("GET", "/api/v1/attempts/"+id, "trainee", nil).json(t, &api)
	if len(api.Questions) != len(cases) {
		t.Fatalf("API: %d questions, want %d", len(api.Questions), len(cases))
	}
	for i, q := range api.Questions {
		c := cases[i]
		var want []byte
		if c.answered() {
			r := c.want
			want, _ = json.Marshal(map[string]any{academy.QSingle: r.Choice, academy.QMultiple: r.Choices, academy.QTrueFalse: r.Bool,
				academy.QFill: r.Text, academy.QNumeric: r.Number, academy.QOrdering: r.Order, academy.QMatching: r.Pairs}[c.q.Type])
		}
		if string(q.Answer) != string(want) {
			t.Errorf("API: %s answer %s, want %s", q.ID, q.Answer, want)
		}
	}
}
