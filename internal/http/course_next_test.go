package http_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A finished course says so and leads on to its quiz, with where the
// learner stands on it, and to the scenarios that use it; its last lesson
// ends with the way to the quiz.
func TestFinishedCourseLeadsToQuiz(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.loginAs("trainee")
	// Unfinished: the course continues, and the quiz waits for it.
	page := b.get("/courses/ethics").Body
	if !strings.Contains(page, `id="continue"`) || strings.Contains(page, `id="course-done"`) || !strings.Contains(page, "未开放") {
		t.Fatalf("unfinished course page:\n%s", page)
	}
	e.finishCourses("trainee", "ethics")
	page = b.get("/courses/ethics").Body
	for _, want := range []string{`id="course-done"`, "✓ 已完成", `href="/quizzes/ethics"`, "去做测验：职业道德与服务意识 · 单元测验", "未开始", "还剩 3 次机会", `href="/scenarios/angry-owner"`, "情绪激动的业主"} {
		if !strings.Contains(page, want) {
			t.Errorf("finished course page lacks %q", want)
		}
	}
	if strings.Contains(page, `id="continue"`) || strings.Contains(page, "继续学习") {
		t.Error("a finished course still offers to continue")
	}
	cc := e.deps.Catalog.Snapshot().Course("ethics")
	last := cc.Lessons[len(cc.Lessons)-1]
	if end := b.get("/courses/ethics/lessons/" + last.Slug).Body; !strings.Contains(end, `id="next-quiz" href="/quizzes/ethics"`) {
		t.Fatal("the last lesson does not lead to the quiz")
	}
	first := b.get("/courses/ethics/lessons/" + cc.Lessons[0].Slug).Body
	if strings.Contains(first, `id="next-quiz"`) {
		t.Fatal("the first lesson leads to the quiz")
	}
	// The self-test's answers are folded under the questions, closed.
	if !strings.Contains(first, `<details class="callout callout-note callout-answers"><summary class="callout-title">参考要点</summary>`) {
		t.Fatal("the self-test answers are not folded")
	}

	// Passed: the state says so with the score.
	var a struct{ ID string }
	e.api("POST", "/api/v1/quizzes/ethics/attempts", "trainee", nil).json(t, &a)
	if res := e.api("POST", "/api/v1/attempts/"+a.ID+"/submit", "trainee", nil); res.StatusCode != 200 {
		t.Fatalf("submit: %d %s", res.StatusCode, res.Body)
	}
	page = b.get("/courses/ethics").Body
	if !strings.Contains(page, "未通过") || !strings.Contains(page, "最好成绩 0%") || !strings.Contains(page, "还剩 2 次机会") {
		t.Fatalf("after a failed attempt:\n%s", page)
	}
}

// The learner finishes the course in the browser, is led from its last
// lesson and from the course page to the quiz, and starts it.
func TestBrowserFinishedCourseToQuiz(t *testing.T) {
	e := newEnv(t)
	cc := e.deps.Catalog.Snapshot().Course("ethics")
	// All but the last lesson are done; the browser does the last one.
	for _, l := range cc.Lessons[:len(cc.Lessons)-1] {
		if _, err := e.deps.Learning.Progress.CompleteLesson(t.Context(), "trainee", "ethics", l.Slug, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	base := e.listen()
	ctx := chrome(t)
	loginChrome(t, ctx, base, "trainee")
	step(t, ctx, "open the course", chromedp.Navigate(base+"/courses/ethics"), chromedp.WaitVisible("#continue"))
	step(t, ctx, "continue to the last lesson", chromedp.Click("#continue"), chromedp.WaitVisible("#mark-complete"))
	if h := text(t, ctx, "article.lesson h1"); h != cc.Lessons[len(cc.Lessons)-1].Title {
		t.Fatalf("continue opened %q", h)
	}
	step(t, ctx, "finish it", chromedp.Click("#mark-complete"), chromedp.WaitVisible("#lesson-done"), chromedp.WaitVisible("#next-quiz"))
	screenshot(t, ctx, "last-lesson-end")
	step(t, ctx, "back to the course", chromedp.Navigate(base+"/courses/ethics"), chromedp.WaitVisible("#course-done"))
	if got := text(t, ctx, "#course-done"); !strings.Contains(got, "已完成") || !strings.Contains(got, "去做测验") {
		t.Fatalf("course page says %q", got)
	}
	if got := text(t, ctx, "#course-next"); !strings.Contains(got, "未开始") || !strings.Contains(got, "情绪激动的业主") {
		t.Fatalf("next steps say %q", got)
	}
	screenshot(t, ctx, "finished-course")
	step(t, ctx, "follow the link to the quiz", chromedp.Click(`#course-done a[href="/quizzes/ethics"]`), chromedp.WaitVisible("#start"))
	step(t, ctx, "start it", confirmYes(), chromedp.Click("#start"), chromedp.WaitVisible("#attempt-form"))
	var rec struct {
		Items []struct{ Quiz, State string }
	}
	e.api("GET", "/api/v1/me/attempts", "trainee", nil).json(t, &rec)
	if len(rec.Items) != 1 || rec.Items[0].Quiz != "ethics" || rec.Items[0].State != "in_progress" {
		t.Fatalf("stored attempts: %+v", rec)
	}
}
