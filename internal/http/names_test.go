package http_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/academy/academy/internal/academy"
)

// english is a browser session of who, switched to English.
func english(e *env, who string) *browser {
	e.t.Helper()
	b := e.browser()
	b.loginAs(who)
	if res := b.post("/lang", url.Values{"_csrf": {b.csrf("/account")}, "lang": {"en"}, "next": {"/home"}}); res.StatusCode != 303 {
		e.t.Fatalf("switch to English: %d", res.StatusCode)
	}
	return b
}

// TestLabelsInOneLanguage: a form's labels are in the viewer's language,
// not "标题 / Title"; durations read as words.
func TestLabelsInOneLanguage(t *testing.T) {
	e := newEnv(t)
	// The Chinese pages first: switching to English is the user's setting.
	zh := e.browser()
	zh.loginAs("trainer")
	zhPages := []string{zh.get("/author/courses/ethics").Body, zh.get("/author/courses/ethics/lessons/role-of-the-desk").Body, zh.get("/author/quizzes/ethics").Body}
	if !strings.Contains(zhPages[0], `<label for="c-title">标题</label>`) {
		t.Error("Chinese course form lacks its title label")
	}
	if q := zh.get("/quizzes/ethics").Body; !strings.Contains(q, "限时 20 分钟") || !strings.Contains(q, "两次之间需间隔 10 分钟") {
		t.Errorf("Chinese quiz page does not say its times in words:\n%s", q)
	}
	en := english(e, "trainer")
	page := en.get("/author/courses/ethics").Body
	for _, want := range []string{`<label for="c-title">Title</label>`, `<label for="c-tags">Tags</label>`} {
		if !strings.Contains(page, want) {
			t.Errorf("English course form lacks %s", want)
		}
	}
	for _, p := range append(zhPages, page) {
		if strings.Contains(p, " / Title") || strings.Contains(p, " / Minutes") {
			t.Errorf("a label in two languages:\n%s", p)
		}
	}
	if q := en.get("/quizzes/ethics").Body; !strings.Contains(q, "Time limit: 20 minutes") || !strings.Contains(q, "10 minutes between attempts") {
		t.Errorf("English quiz page does not say its times in words:\n%s", q)
	}
}

// TestRequirementsByTitle: a learner's certificates page and a manager's
// view of that learner name courses, quizzes and scenarios by title, and
// attempt and run states in words, never by slug or code.
func TestRequirementsByTitle(t *testing.T) {
	e := newEnv(t)
	e.finishCourses("trainee", "ethics")
	if res := e.api("POST", "/api/v1/quizzes/ethics/attempts", "trainee", nil); res.StatusCode != 201 {
		t.Fatalf("start an attempt: %d %s", res.StatusCode, res.Body)
	}
	if res := e.api("POST", "/api/v1/scenarios/angry-owner/runs", "trainee", nil); res.StatusCode != 201 {
		t.Fatalf("start a run: %d %s", res.StatusCode, res.Body)
	}
	b := e.browser()
	b.loginAs("trainee")
	certs := b.get("/certificates").Body
	for _, want := range []string{`<a href="/courses/ethics">职业道德与服务意识</a>`, `<a href="/quizzes/ethics">职业道德与服务意识 · 单元测验</a>`, `<a href="/scenarios/angry-owner">情绪激动的业主：报修一周没人管</a>`} {
		if !strings.Contains(certs, want) {
			t.Errorf("certificates page lacks %s", want)
		}
	}
	for _, slug := range []string{">ethics<", ">complaints<", ">angry-owner<", ">final-exam<"} {
		if strings.Contains(certs, slug) {
			t.Errorf("certificates page shows the slug %s", slug)
		}
	}
	m := e.browser()
	m.loginAs("manager")
	person := m.get("/team/people/trainee").Body
	for _, want := range []string{"课程：职业道德与服务意识", "<td>职业道德与服务意识 · 单元测验</td>", "答题中", "情绪激动的业主：报修一周没人管</a>", "进行中"} {
		if !strings.Contains(person, want) {
			t.Errorf("person page lacks %s", want)
		}
	}
	for _, code := range []string{"in_progress", "：ethics", "✗ active", ">angry-owner<", "0% ✗"} {
		if strings.Contains(person, code) {
			t.Errorf("person page shows %q", code)
		}
	}
}

// TestDeskNames: the queue is titled by the site's name; an assignee is
// a person's name (with the department for a member dispatched to), and
// history names who did what, not their usernames.
func TestDeskNames(t *testing.T) {
	e := newEnv(t)
	name := "张晓客服"
	if _, err := e.accounts.Users.UpdateUser(context.Background(), "agent", academy.UserUpdate{DisplayName: &name}); err != nil {
		t.Fatal(err)
	}
	var mine, sent apiTicket
	e.api("POST", "/api/v1/workspaces/s1/tickets", "agent", map[string]any{"type": "repair", "title": "路灯不亮"}).json(t, &mine)
	if res := e.transition("s1", mine.ID, "agent", "assign", 1, map[string]string{"assignee": "agent"}); res.StatusCode != 200 {
		t.Fatalf("take: %d %s", res.StatusCode, res.Body)
	}
	e.api("POST", "/api/v1/workspaces/s1/tickets", "agent", map[string]any{"type": "repair", "title": "卫生间天花板渗水", "resident": "r1"}).json(t, &sent)
	if res := e.transition("s1", sent.ID, "agent", "assign", 1, map[string]string{"assignee": "m1"}); res.StatusCode != 200 {
		t.Fatalf("dispatch: %d %s", res.StatusCode, res.Body)
	}
	b := e.browser()
	b.loginAs("agent")
	queue := b.get("/desk/s1?queue=all").Body
	for _, want := range []string{`<small class="muted">项目s1</small>`, ">" + name + "</td>", ">李师傅（工程）</td>"} {
		if !strings.Contains(queue, want) {
			t.Errorf("queue lacks %s", want)
		}
	}
	if strings.Contains(queue, ">m1</td>") || strings.Contains(queue, ">agent</td>") {
		t.Error("queue shows an id for an assignee")
	}
	page := b.get("/desk/s1/tickets/" + sent.ID).Body
	for _, want := range []string{"<strong>" + name + "</strong>", "<dd>李师傅（工程）</dd>", "负责人: 李师傅（工程）"} {
		if !strings.Contains(page, want) {
			t.Errorf("ticket page lacks %s", want)
		}
	}
	if strings.Contains(page, "<strong>agent</strong>") || strings.Contains(page, ": m1<") {
		t.Errorf("ticket page shows a username or member id:\n%s", page)
	}
	// Showing the resident's phone from the ticket is audited with the
	// ticket's number, and the log reads as words.
	if res := b.post("/desk/s1/tickets/"+sent.ID+"/reveal", url.Values{"_csrf": {b.csrf("/desk/s1/tickets/" + sent.ID)}}); res.StatusCode != 200 {
		t.Fatalf("reveal: %d", res.StatusCode)
	}
	admin := e.browser()
	admin.loginAs("admin")
	audit := admin.get("/admin/audit?action=resident.phone_revealed").Body
	if want := "<td>查看住户完整电话</td><td>" + name + "</td><td>项目s1 · 工单 " + sent.Number + "</td>"; !strings.Contains(audit, want) {
		t.Errorf("audit page lacks %s:\n%s", want, audit)
	}
}

// TestAssignmentsByName: the assignment list names the course, the role
// and the site, or the people, by name.
func TestAssignmentsByName(t *testing.T) {
	e := newEnv(t)
	name := "李娜"
	if _, err := e.accounts.Users.UpdateUser(context.Background(), "trainee", academy.UserUpdate{DisplayName: &name}); err != nil {
		t.Fatal(err)
	}
	for _, body := range []map[string]any{
		{"kind": "course", "ref": "etiquette", "target": map[string]any{"role": "trainee", "site": "s1"}, "due": map[string]any{"date": "2027-01-31"}},
		{"kind": "course", "ref": "ethics", "target": map[string]any{"people": []string{"trainee"}}, "due": map[string]any{"date": "2027-01-31"}},
	} {
		if res := e.api("POST", "/api/v1/assignments", "manager", body); res.StatusCode != 201 {
			t.Fatalf("assign: %d %s", res.StatusCode, res.Body)
		}
	}
	b := e.browser()
	b.loginAs("manager")
	page := b.get("/assignments").Body
	for _, want := range []string{"<strong>职业道德与服务意识</strong>", `<span class="target">` + name + "</span>", `<span class="target">项目s1的全体学员</span>`} {
		if !strings.Contains(page, want) {
			t.Errorf("assignments page lacks %s", want)
		}
	}
	for _, code := range []string{"<strong>etiquette</strong>", "@ s1", `<span class="target">trainee</span>`} {
		if strings.Contains(page, code) {
			t.Errorf("assignments page shows %s", code)
		}
	}
}
