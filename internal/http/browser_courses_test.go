package http_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/academy/academy/internal/academy"
)

func loginChrome(t *testing.T, ctx context.Context, base, user string) {
	t.Helper()
	step(t, ctx, "log in as "+user,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible("#login-form"),
		chromedp.SendKeys("#username", user),
		chromedp.SendKeys("#password", testPassword),
		chromedp.Click("#login-submit"),
		// Only logged-in pages have it (folded in the menu on a phone).
		chromedp.WaitReady(".who"),
	)
}

func TestBrowserLearningAndAuthoring(t *testing.T) {
	e := newEnv(t)
	base := e.listen()
	due := time.Now().AddDate(0, 0, 5)
	if err := e.deps.Assignments.CreateAssignment(context.Background(), &academy.Assignment{
		Kind: academy.AssignCourse, Ref: "ethics", Target: academy.AssignTarget{Role: academy.RoleTrainee, Site: "s1"},
		Due: academy.AssignDue{Date: academy.DateOf(due, beijing)}, CreatedBy: "manager", CreatedAt: time.Now(),
	}); err != nil {
		t.Fatal(err)
	}

	trainee := chrome(t)
	loginChrome(t, trainee, base, "trainee")
	// The assigned course is on the home page with its due date.
	if got := text(t, trainee, "#panel-trainee"); !strings.Contains(got, "职业道德与服务意识") || !strings.Contains(got, due.In(beijing).Format("2006-01-02")) {
		t.Fatalf("home: %q", got)
	}
	screenshot(t, trainee, "trainee-home-assigned")
	step(t, trainee, "open the assigned course", chromedp.Click(`#panel-trainee a[href="/courses/ethics"]`), chromedp.WaitVisible("#continue"))
	step(t, trainee, "start it", chromedp.Click("#continue"), chromedp.WaitVisible("#mark-complete"))
	if h := text(t, trainee, "article.lesson h1"); h == "" {
		t.Fatal("lesson without a title")
	}
	if toc := text(t, trainee, "aside.toc"); toc == "" {
		t.Fatal("lesson without a table of contents")
	}
	screenshot(t, trainee, "lesson")
	step(t, trainee, "mark complete", chromedp.Click("#mark-complete"), chromedp.WaitVisible("#lesson-done"))
	step(t, trainee, "back to the course", chromedp.Navigate(base+"/courses/ethics"), chromedp.WaitVisible(".progress-row"))
	if got := text(t, trainee, ".progress-row"); !strings.Contains(got, fmt.Sprintf("已完成 1/%d 课时", len(e.deps.Catalog.Courses()["ethics"].Lessons))) {
		t.Fatalf("progress: %q", got)
	}
	// A locked course says what unlocks it.
	step(t, trainee, "open a locked course", chromedp.Navigate(base+"/courses/complaints"), chromedp.WaitVisible("#locked"))
	if got := text(t, trainee, "#locked"); !strings.Contains(got, "《服务礼仪》") {
		t.Fatalf("locked message: %q", got)
	}
	screenshot(t, trainee, "locked-course")

	// A trainer edits that lesson with the live preview and publishes.
	trainer := chrome(t)
	loginChrome(t, trainer, base, "trainer")
	step(t, trainer, "open the editor", chromedp.Navigate(base+"/author/courses/ethics/lessons/role-of-the-desk"), chromedp.WaitVisible("#l-body"))
	step(t, trainer, "type", chromedp.SendKeys("#l-body", "\n\n## 培训师补充\n\n> [!TIP]\n> 接电话时先报部门和姓名。\n"))
	step(t, trainer, "see the preview", chromedp.WaitVisible(`#preview .callout-tip`))
	screenshot(t, trainer, "editor-preview")
	step(t, trainer, "publish", chromedp.Click("#publish"), chromedp.WaitVisible("#new-lesson"))

	step(t, trainee, "reload the lesson", chromedp.Navigate(base+"/courses/ethics/lessons/role-of-the-desk"), chromedp.WaitVisible("#lesson"))
	if got := text(t, trainee, ".prose"); !strings.Contains(got, "接电话时先报部门和姓名") {
		t.Fatal("the trainee does not see the published text")
	}
}
