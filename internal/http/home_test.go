package http_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/academy/academy/internal/academy"
)

// section returns the part of a page from the element with id to the end
// of its list or paragraph, for assertions about one section.
func section(page, id string) string {
	return regexp.MustCompile(`(?s)id="` + regexp.QuoteMeta(id) + `".*?</(ul|p)>`).FindString(page)
}

func homeOf(t *testing.T, e *env, who string) string {
	t.Helper()
	b := e.browser()
	b.loginAs(who)
	res := b.get("/home")
	if res.StatusCode != 200 {
		t.Fatalf("%s home: %d", who, res.StatusCode)
	}
	return res.Body
}

func TestLearnerHome(t *testing.T) {
	e := newEnv(t)
	// A new learner: where to start, nothing assigned, the programs ahead.
	home := homeOf(t, e, "trainee")
	first := e.deps.Catalog.Snapshot().Active[0]
	if got := section(home, "continue-learning"); !strings.Contains(got, "开始学习《"+first.Title+"》") || !strings.Contains(got, `href="/courses/`+first.Slug+`/lessons/`+first.Lessons[0].Slug+`"`) {
		t.Errorf("a new learner is not shown where to start: %q", got)
	}
	if !strings.Contains(home, "目前没有待完成的指派任务。") || strings.Contains(home, "running-attempt") {
		t.Error("a new learner's home claims work that is not there")
	}
	if got := section(home, "cert-progress"); !regexp.MustCompile(`已完成 0/\d+ 项要求`).MatchString(got) || !strings.Contains(got, "下一步：") {
		t.Errorf("certification progress: %q", got)
	}

	// Work under way: one lesson of ethics read, a quiz running, two
	// assignments of which one is overdue.
	ethics := e.deps.Catalog.Snapshot().Course("ethics")
	if res := e.api("POST", "/api/v1/courses/ethics/lessons/"+ethics.Lessons[0].Slug+"/complete", "trainee", nil); res.StatusCode != 200 {
		t.Fatalf("complete: %d %s", res.StatusCode, res.Body)
	}
	e.finishCourses("trainee", "etiquette")
	var a struct{ ID string }
	e.api("POST", "/api/v1/quizzes/etiquette/attempts", "trainee", nil).json(t, &a)
	for course, due := range map[string]time.Time{"ethics": time.Now().AddDate(0, 0, 5), "fees": time.Now().AddDate(0, 0, -2)} {
		if err := e.deps.Assignments.CreateAssignment(context.Background(), &academy.Assignment{
			Kind: academy.AssignCourse, Ref: course, Target: academy.AssignTarget{Role: academy.RoleTrainee, Site: "s1"},
			Due: academy.AssignDue{Date: academy.DateOf(due, beijing)}, CreatedBy: "manager", CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	home = homeOf(t, e, "trainee")
	if got := section(home, "continue-learning"); !strings.Contains(got, "继续学习《职业道德与服务意识》第 2 课：") ||
		!strings.Contains(got, `href="/courses/ethics/lessons/`+ethics.Lessons[1].Slug+`"`) {
		t.Errorf("continue: %q", got)
	}
	running := regexp.MustCompile(`(?s)<div class="notice running-attempt".*?</div>`).FindString(home)
	if !strings.Contains(running, "服务礼仪 · 单元测验") || !regexp.MustCompile(`还剩 \d+ 分钟，\d\d:\d\d:\d\d 截止`).MatchString(running) || !strings.Contains(running, `href="/attempts/`+a.ID+`"`) {
		t.Errorf("running attempt: %q", running)
	}
	due := section(home, "due-items")
	fees, ethicsAt := strings.Index(due, "/courses/fees"), strings.Index(due, "/courses/ethics")
	if fees < 0 || ethicsAt < 0 || fees > ethicsAt || !strings.Contains(due, "已逾期") {
		t.Errorf("due items, overdue first: %q", due)
	}
	if got := section(home, "cert-progress"); !regexp.MustCompile(`已完成 [1-9]\d*/\d+ 项要求`).MatchString(got) {
		t.Errorf("certification progress does not count what is done: %q", got)
	}

	// Everything read: the home says so and points on.
	for _, c := range e.deps.Catalog.Snapshot().Active {
		e.finishCourses("trainee", c.Slug)
	}
	home = homeOf(t, e, "trainee")
	if got := section(home, "continue-learning"); !strings.Contains(got, "开放的课程都已学完") || !strings.Contains(got, `href="/quizzes"`) {
		t.Errorf("all done: %q", got)
	}
	if strings.Contains(home, `id="due-items"`) {
		t.Error("finished assignments are still listed as due")
	}
}

func TestTrainerHomeEmpty(t *testing.T) {
	e := newEnv(t)
	home := homeOf(t, e, "trainer")
	for _, want := range []string{"近两周没有未通过的情景演练。", "题目分析没有标记任何题目", "没有未发布的草稿。", `href="/author/runs"`} {
		if !strings.Contains(home, want) {
			t.Errorf("empty trainer home lacks %q", want)
		}
	}
	if strings.Contains(home, "将在这里提供") {
		t.Error("placeholder text on the trainer home")
	}
}

func TestTrainerHomeWithWork(t *testing.T) {
	e := newEnv(t)
	// Five blank submissions make every question of the quiz too hard.
	for i := range 5 {
		name := fmt.Sprintf("learner%d", i)
		e.createUser(name, []string{academy.RoleTrainee}, []string{"s1"})
		e.tokens[name] = e.login(name, testPassword)
		e.finishCourses(name, "etiquette")
		var a struct{ ID string }
		e.api("POST", "/api/v1/quizzes/etiquette/attempts", name, nil).json(t, &a)
		if res := e.api("POST", "/api/v1/attempts/"+a.ID+"/submit", name, nil); res.StatusCode != 200 {
			t.Fatalf("submit: %d %s", res.StatusCode, res.Body)
		}
	}
	bad := playLeak(t, e, "trainee", []string{"dispatch", "start", "complete"})
	if bad.Passed {
		t.Fatal("the short run passed")
	}
	ethics := e.deps.Catalog.Snapshot().Course("ethics")
	l := ethics.Lessons[1].Lesson
	l.Title = "诚信为本（修订中）"
	if _, err := e.deps.Library.SaveDraft(context.Background(), "ethics", ethics.Revision, l, "trainer"); err != nil {
		t.Fatal(err)
	}
	home := homeOf(t, e, "trainer")
	if got := section(home, "runs-to-review"); !strings.Contains(got, `href="/runs/`+bad.ID+`/debrief"`) || !strings.Contains(got, "楼上漏水") {
		t.Errorf("runs to review: %q", got)
	}
	if got := section(home, "flagged-items"); !strings.Contains(got, "服务礼仪 · 单元测验") || !strings.Contains(got, "过难") || !strings.Contains(got, "答对率 0%（5 份答卷）") || strings.Contains(got, ">eti-") || !strings.Contains(got, `href="/author/quizzes/etiquette/questions/`) {
		t.Errorf("flagged items: %q", got)
	}
	if got := section(home, "drafts"); !strings.Contains(got, "职业道德与服务意识 · 诚信为本（修订中）") || !strings.Contains(got, `href="/author/courses/ethics/lessons/`+l.Slug+`"`) {
		t.Errorf("drafts: %q", got)
	}
	// A trainer of another site does not see s1's runs.
	e.createUser("trainer2", []string{academy.RoleTrainer}, []string{"s2"})
	if strings.Contains(homeOf(t, e, "trainer2"), bad.ID) {
		t.Error("another site's trainer sees the run")
	}
}

func TestManagerHome(t *testing.T) {
	e := newEnv(t)
	home := homeOf(t, e, "manager")
	for _, want := range []string{"没有升级给您的工单", "没有逾期未认证的人员。", "近期没有到期的证书。", `href="/team"`} {
		if !strings.Contains(home, want) {
			t.Errorf("empty manager home lacks %q", want)
		}
	}
	if strings.Contains(home, "将在这里") {
		t.Error("placeholder text on the manager home")
	}
	// The site's group robot is one click away, named by the site.
	if !strings.Contains(home, `href="/sites/s1/robot">项目s1的群机器人</a>`) {
		t.Error("the manager home lacks the link to the site's group robot")
	}

	tk := e.escalatedComplaint("楼上装修噪音")
	e.createUser("newbie", []string{academy.RoleTrainee}, []string{"s1"})
	e.tokens["newbie"] = e.login("newbie", testPassword)
	cert := e.certify("newbie")
	late := &academy.User{Username: "late", DisplayName: "晚到的人", LegalName: "晚到的人", Roles: []string{academy.RoleTrainee}, Sites: []string{"s1"},
		HireDate: academy.DateOf(time.Now().AddDate(0, -3, 0), beijing)}
	if err := e.accounts.CreateUser(context.Background(), academy.Actor{}, late, testPassword); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(cert.ExpiresAt.Sub(e.clock.Now()) - 10*24*time.Hour)
	home = homeOf(t, e, "manager")
	if got := section(home, "escalated-tickets"); !strings.Contains(got, `href="/desk/s1/tickets/`+tk.ID+`"`) || !strings.Contains(got, "楼上装修噪音") || !strings.Contains(got, "项目s1") {
		t.Errorf("escalated tickets: %q", got)
	}
	if got := section(home, "overdue-people"); !strings.Contains(got, `<a href="/team/people/late">晚到的人</a>`) {
		t.Errorf("overdue people: %q", got)
	}
	if got := section(home, "expiring-certs"); !strings.Contains(got, `href="/team/people/newbie"`) || !strings.Contains(got, cert.ExpiresAt.In(beijing).Format("2006-01-02")+" 到期") {
		t.Errorf("expiring certificates: %q", got)
	}
	// Another site's manager sees none of it.
	other := homeOf(t, e, "othermanager")
	if strings.Contains(other, tk.ID) || strings.Contains(other, "晚到的人") || strings.Contains(other, "/team/people/newbie") {
		t.Error("another site's manager sees s1's tickets or people")
	}
}

// A person with several roles sees the sections of each.
func TestHomeOfSeveralRoles(t *testing.T) {
	e := newEnv(t)
	e.createUser("both", []string{academy.RoleManager, academy.RoleTrainer}, []string{"s1"})
	home := homeOf(t, e, "both")
	for _, want := range []string{`id="panel-manager"`, "没有升级给您的工单", `id="panel-trainer"`, "没有未发布的草稿。"} {
		if !strings.Contains(home, want) {
			t.Errorf("manager and trainer home lacks %q", want)
		}
	}
}

// The manager finds the escalated ticket on the home page, opens it and
// acts on it where the procedure lets a manager.
func TestBrowserManagerOpensEscalatedTicket(t *testing.T) {
	e := newEnv(t)
	tk := e.escalatedComplaint("楼上装修噪音")
	base := e.listen()
	ctx := chrome(t)
	loginChrome(t, ctx, base, "manager")
	step(t, ctx, "home", chromedp.Navigate(base+"/home"), chromedp.WaitVisible("#escalated-tickets"))
	screenshot(t, ctx, "manager-home")
	step(t, ctx, "open the escalated ticket", chromedp.Click(`#escalated-tickets a[href="/desk/s1/tickets/`+tk.ID+`"]`), chromedp.WaitVisible("#ticket-state"))
	if h := text(t, ctx, "h1"); !strings.Contains(h, "楼上装修噪音") {
		t.Fatalf("ticket page heading %q", h)
	}
	if got := text(t, ctx, "#timeline"); !strings.Contains(got, "超时升级") && !strings.Contains(got, "升级") {
		t.Fatalf("the timeline does not show the escalation: %q", got)
	}
	screenshot(t, ctx, "manager-ticket")
	step(t, ctx, "write an internal note", chromedp.SendKeys("#f-text", "已约装修户明早面谈"),
		chromedp.Click(`button[name="action"][value="note"]`), chromedp.WaitVisible(".notice"))
	var got apiTicket
	e.api("GET", "/api/v1/workspaces/s1/tickets/"+tk.ID, "agent", nil).json(t, &got)
	last := got.Events[len(got.Events)-1]
	if last.Action != "note" || last.Note != "已约装修户明早面谈" || !last.Internal {
		t.Fatalf("stored event: %+v", last)
	}
	if tl := text(t, ctx, "#timeline"); !strings.Contains(tl, "已约装修户明早面谈") {
		t.Fatalf("the note is not on the page: %q", tl)
	}
}
