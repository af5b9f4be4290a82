package http_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
)

// finishCourses completes every lesson of the courses for username, as
// reading them would.
func (e *env) finishCourses(username string, slugs ...string) {
	e.t.Helper()
	snap := e.deps.Catalog.Snapshot()
	for _, slug := range slugs {
		for _, l := range snap.Course(slug).Lessons {
			if _, err := e.deps.Learning.Progress.CompleteLesson(context.Background(), username, slug, l.Slug, e.clock.Now()); err != nil {
				e.t.Fatal(err)
			}
		}
	}
}

// openFinalExam earns what the final exam waits for: every course of the
// desk program and its module quizzes.
func (e *env) openFinalExam(username string) {
	e.t.Helper()
	prog := e.deps.Catalog.Snapshot().Programs["desk"]
	e.finishCourses(username, prog.Requirements.Courses...)
	var modules []academy.QuizRequirement
	for _, q := range prog.Requirements.Quizzes {
		if q.Quiz != "final-exam" {
			modules = append(modules, q)
		}
	}
	e.passQuizzes(username, modules, e.clock.Now())
}

type apiCard struct {
	Slug    string
	Open    bool
	Left    int `json:"attempts_left"`
	Missing []struct{ Kind, Slug, Title, URL string }
}

func (e *env) quizCard(who, slug string) apiCard {
	e.t.Helper()
	var out struct{ Items []apiCard }
	e.api("GET", "/api/v1/quizzes", who, nil).json(e.t, &out)
	for _, c := range out.Items {
		if c.Slug == slug {
			return c
		}
	}
	e.t.Fatalf("quiz %s not listed", slug)
	return apiCard{}
}

func TestModuleQuizOpensWhenItsCourseIsComplete(t *testing.T) {
	e := newEnv(t)
	e.createUser("fresh", []string{academy.RoleTrainee}, []string{"s1"})
	e.tokens["fresh"] = e.login("fresh", testPassword)
	fees := e.deps.Catalog.Snapshot().Course("fees")

	card := e.quizCard("fresh", "fees")
	if card.Open || len(card.Missing) != 1 || card.Missing[0].Kind != "course" || card.Missing[0].Title != fees.Title || card.Missing[0].URL != "/courses/fees" {
		t.Fatalf("fees quiz before the course: %+v", card)
	}
	res := e.api("POST", "/api/v1/quizzes/fees/attempts", "fresh", nil)
	if res.StatusCode != 403 || res.errCode(t) != academy.EFORBIDDEN || !strings.Contains(res.Body, "finish the course “"+fees.Title+"”") {
		t.Fatalf("API start before the course: %d %s", res.StatusCode, res.Body)
	}
	// The web form is refused the same way, and the page says why instead
	// of offering the button.
	if res := e.form("/quizzes/fees/start", "fresh", url.Values{}); res.StatusCode != 403 || !strings.Contains(res.Body, fees.Title) {
		t.Fatalf("form start before the course: %d", res.StatusCode)
	}
	page := e.api("GET", "/quizzes/fees", "fresh", nil)
	if !strings.Contains(page.Body, `id="locked"`) || strings.Contains(page.Body, `id="start"`) || !strings.Contains(page.Body, `href="/courses/fees"`) {
		t.Fatalf("quiz page before the course:\n%s", page.Body)
	}
	if list := e.api("GET", "/quizzes", "fresh", nil); !strings.Contains(list.Body, "未开放") {
		t.Fatalf("quiz list does not mark the locked quiz")
	}
	// Nothing was started by the refused attempts.
	if rec, _ := e.deps.Examiner.Attempts.FindRecord(context.Background(), "fresh"); rec.History("fees").Count != 0 {
		t.Fatalf("a refused start took an attempt: %+v", rec.History("fees"))
	}

	// All lessons but one still keep it closed.
	lessons := fees.Lessons
	for _, l := range lessons[:len(lessons)-1] {
		if _, err := e.deps.Learning.Progress.CompleteLesson(context.Background(), "fresh", "fees", l.Slug, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if res := e.api("POST", "/api/v1/quizzes/fees/attempts", "fresh", nil); res.StatusCode != 403 {
		t.Fatalf("start with one lesson missing: %d %s", res.StatusCode, res.Body)
	}
	e.finishCourses("fresh", "fees")
	if card := e.quizCard("fresh", "fees"); !card.Open || len(card.Missing) != 0 {
		t.Fatalf("fees quiz after the course: %+v", card)
	}
	if res := e.api("POST", "/api/v1/quizzes/fees/attempts", "fresh", nil); res.StatusCode != 201 {
		t.Fatalf("start after the course: %d %s", res.StatusCode, res.Body)
	}
	// Other module quizzes stay closed.
	if res := e.api("POST", "/api/v1/quizzes/law/attempts", "fresh", nil); res.StatusCode != 403 {
		t.Fatalf("law quiz with only fees done: %d %s", res.StatusCode, res.Body)
	}
}

func TestFinalExamOpensWhenTheProgramsModulesAreDone(t *testing.T) {
	e := newEnv(t)
	e.createUser("fresh", []string{academy.RoleTrainee}, []string{"s1"})
	e.tokens["fresh"] = e.login("fresh", testPassword)
	snap := e.deps.Catalog.Snapshot()
	prog := snap.Programs["desk"]

	card := e.quizCard("fresh", "final-exam")
	// Seven courses and seven module quizzes; never the exam itself.
	if card.Open || len(card.Missing) != 14 {
		t.Fatalf("final exam for a new hire: %+v", card)
	}
	for _, m := range card.Missing {
		if m.Slug == "final-exam" || m.Title == "" || m.Title == m.Slug {
			t.Fatalf("missing item without its title, or the exam itself: %+v", m)
		}
	}

	// With one course done, as in the report, the exam stays closed.
	e.finishCourses("fresh", "ethics")
	if res := e.api("POST", "/api/v1/quizzes/final-exam/attempts", "fresh", nil); res.StatusCode != 403 {
		t.Fatalf("final exam after one course: %d %s", res.StatusCode, res.Body)
	}

	// All courses done: the message names the module quizzes only.
	e.finishCourses("fresh", prog.Requirements.Courses...)
	res := e.api("POST", "/api/v1/quizzes/final-exam/attempts", "fresh", nil)
	if res.StatusCode != 403 || !strings.Contains(res.Body, "pass the quiz “"+snap.Quizzes["fees"].Title+"”") || strings.Contains(res.Body, "finish the course") {
		t.Fatalf("final exam with courses done: %d %s", res.StatusCode, res.Body)
	}

	// A module quiz passed below the program's mark does not count.
	low := []academy.QuizRequirement{{Quiz: "fees", MinPercent: 60}}
	e.passQuizzes("fresh", low, e.clock.Now())
	card = e.quizCard("fresh", "final-exam")
	if card.Open || !containsSlug(card.Missing, "fees") {
		t.Fatalf("fees passed at 65%% counts towards the exam: %+v", card)
	}

	e.openFinalExam("fresh")
	if card := e.quizCard("fresh", "final-exam"); !card.Open || len(card.Missing) != 0 {
		t.Fatalf("final exam after the modules: %+v", card)
	}
	if res := e.api("POST", "/api/v1/quizzes/final-exam/attempts", "fresh", nil); res.StatusCode != 201 {
		t.Fatalf("start after the modules: %d %s", res.StatusCode, res.Body)
	}
}

func containsSlug(missing []struct{ Kind, Slug, Title, URL string }, slug string) bool {
	for _, m := range missing {
		if m.Slug == slug {
			return true
		}
	}
	return false
}

// useAttempts records n failed, submitted attempts at quiz, an hour
// apart, the last one at last.
func (e *env) useAttempts(username, quiz string, n int, last time.Time) {
	e.t.Helper()
	for i := 1; i <= n; i++ {
		at := last.Add(time.Duration(i-n) * time.Hour)
		sum := academy.AttemptSummary{ID: username + "-" + quiz + "-" + string(rune('0'+i)), Number: i, State: academy.AttemptSubmitted,
			StartedAt: at.Add(-time.Minute), SubmittedAt: at, Percent: 40}
		if err := e.deps.Examiner.Attempts.SetSummary(context.Background(), username, quiz, sum); err != nil {
			e.t.Fatal(err)
		}
	}
}

func TestTrainerGrantsAnExtraAttempt(t *testing.T) {
	e := newEnv(t)
	e.createUser("learner1", []string{academy.RoleTrainee}, []string{"s1"})
	e.tokens["learner1"] = e.login("learner1", testPassword)
	e.finishCourses("learner1", "ethics")
	e.useAttempts("learner1", "ethics", 3, time.Now().Add(-time.Hour)) // past the cooldown

	res := e.api("POST", "/api/v1/quizzes/ethics/attempts", "learner1", nil)
	if res.StatusCode != 403 || !strings.Contains(res.Body, "All 3 attempts at this quiz are used") {
		t.Fatalf("fourth attempt: %d %s", res.StatusCode, res.Body)
	}
	grant := "/api/v1/users/learner1/quizzes/ethics/grants"
	// Bad requests change nothing.
	for _, body := range []map[string]string{
		{"kind": "extra_attempt", "reason": "  "},
		{"kind": "extra_attempt", "reason": strings.Repeat("长", 501)},
		{"kind": "two_more", "reason": "网络中断"},
		{"reason": "网络中断"},
	} {
		if res := e.api("POST", grant, "trainer", body); res.StatusCode != 400 || res.errCode(t) != academy.EINVALID {
			t.Fatalf("grant %v: %d %s", body, res.StatusCode, res.Body)
		}
	}
	if res := e.api("POST", grant, "trainer", `{"kind":`); res.StatusCode != 400 {
		t.Fatalf("malformed JSON: %d", res.StatusCode)
	}
	if res := e.api("POST", "/api/v1/users/learner1/quizzes/no-such-quiz/grants", "trainer", map[string]string{"kind": "extra_attempt", "reason": "x"}); res.StatusCode != 404 {
		t.Fatalf("unknown quiz: %d", res.StatusCode)
	}
	// A manager of another site, and the learner themselves, can't.
	if res := e.api("POST", grant, "othermanager", map[string]string{"kind": "extra_attempt", "reason": "x"}); res.StatusCode != 404 {
		t.Fatalf("othermanager: %d %s", res.StatusCode, res.Body)
	}
	if res := e.api("POST", grant, "learner1", map[string]string{"kind": "extra_attempt", "reason": "x"}); res.StatusCode != 403 {
		t.Fatalf("the learner: %d %s", res.StatusCode, res.Body)
	}
	if rec, _ := e.deps.Examiner.Attempts.FindRecord(context.Background(), "learner1"); rec.History("ethics").Extra != 0 {
		t.Fatalf("a refused grant was stored: %+v", rec.History("ethics"))
	}
	if got := e.auditOf(academy.AuditExtraAttempt); len(got) != 0 {
		t.Fatalf("a refused grant was audited: %+v", got)
	}

	res = e.api("POST", grant, "trainer", map[string]string{"kind": "extra_attempt", "reason": "考试时网络中断"})
	if res.StatusCode != 201 {
		t.Fatalf("grant: %d %s", res.StatusCode, res.Body)
	}
	var out struct {
		Left  int `json:"attempts_left"`
		Grant struct{ Kind, By, Reason string }
	}
	res.json(t, &out)
	if out.Left != 1 || out.Grant.By != "trainer" || out.Grant.Reason != "考试时网络中断" {
		t.Fatalf("grant answer: %s", res.Body)
	}
	if got := e.auditOf(academy.AuditExtraAttempt); len(got) != 1 || got[0].Actor != "trainer" || got[0].Target != "learner1/ethics" || got[0].Detail != "考试时网络中断" {
		t.Fatalf("audit: %+v", got)
	}
	if card := e.quizCard("learner1", "ethics"); !card.Open || card.Left != 1 {
		t.Fatalf("card after the grant: %+v", card)
	}
	if res := e.api("POST", "/api/v1/quizzes/ethics/attempts", "learner1", nil); res.StatusCode != 201 {
		t.Fatalf("start after the grant: %d %s", res.StatusCode, res.Body)
	}
	// The grant is one attempt, not a lifted limit.
	if card := e.quizCard("learner1", "ethics"); card.Left != 0 {
		t.Fatalf("attempts left after using the grant: %+v", card)
	}

	// The trainer's page shows who granted what and why, and offers a
	// grant only where the learner is stuck: ethics, out of attempts
	// again, and no other quiz.
	page := e.api("GET", "/learners/learner1", "trainer", nil)
	if page.StatusCode != 200 || !strings.Contains(page.Body, "考试时网络中断") || !strings.Contains(page.Body, "已用 4 次，共 4 次机会") || !strings.Contains(page.Body, "<td>trainer</td>") {
		t.Fatalf("learner page: %d\n%s", page.StatusCode, page.Body)
	}
	if n := strings.Count(page.Body, `value="extra_attempt"`); n != 1 || !strings.Contains(page.Body, `action="/learners/learner1/quizzes/ethics/grants"`) {
		t.Fatalf("%d grant buttons on the learner page, want one, for ethics", n)
	}
	if res := e.api("GET", "/learners/learner1", "othermanager", nil); res.StatusCode != 404 {
		t.Fatalf("othermanager sees the learner page: %d", res.StatusCode)
	}
}

func TestManagerLiftsACooldown(t *testing.T) {
	e := newEnv(t)
	e.createUser("learner2", []string{academy.RoleTrainee}, []string{"s1"})
	e.tokens["learner2"] = e.login("learner2", testPassword)
	e.openFinalExam("learner2")
	e.useAttempts("learner2", "final-exam", 1, time.Now())

	res := e.api("POST", "/api/v1/quizzes/final-exam/attempts", "learner2", nil)
	if res.StatusCode != 429 {
		t.Fatalf("start in the cooldown: %d %s", res.StatusCode, res.Body)
	}
	// An extra attempt does not lift the cooldown; the reset does.
	form := url.Values{"kind": {"cooldown_reset"}, "reason": {"补考安排在今天下午"}}
	res = e.form("/learners/learner2/quizzes/final-exam/grants", "manager", form)
	if res.StatusCode != 303 || !strings.HasPrefix(res.Header.Get("Location"), "/learners/learner2?flash=") {
		t.Fatalf("reset: %d %s", res.StatusCode, res.Body)
	}
	if got := e.auditOf(academy.AuditCooldownReset); len(got) != 1 || got[0].Actor != "manager" || got[0].Detail != "补考安排在今天下午" {
		t.Fatalf("audit: %+v", got)
	}
	// Nothing to lift a second time.
	if res := e.form("/learners/learner2/quizzes/final-exam/grants", "manager", form); res.StatusCode != 409 {
		t.Fatalf("second reset: %d", res.StatusCode)
	}
	if res := e.api("POST", "/api/v1/quizzes/final-exam/attempts", "learner2", nil); res.StatusCode != 201 {
		t.Fatalf("start after the reset: %d %s", res.StatusCode, res.Body)
	}
}

func (e *env) auditOf(action string) []*academy.AuditEvent {
	e.t.Helper()
	events, _, err := e.accounts.Audit.ListAudit(context.Background(), academy.AuditFilter{Action: action, Limit: 100})
	if err != nil {
		e.t.Fatal(err)
	}
	return events
}
