package http_test

import (
	"bytes"
	"context"
	"html"
	"mime/multipart"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/academy/academy/internal/academy"
)

const rosterCSV = "\xEF\xBB\xBF工号,姓名,手机,项目,角色,入职日期\r\n" +
	"R001,王芳,138 1234 5678,项目s1,学员,2026/3/1\r\n" +
	"R002,李强,13900001111,s1、项目s2,\"客服专员,学员\",2026年3月2日\r\n"

func (e *env) rawImport(query, who, contentType, body string) *response {
	e.t.Helper()
	req := httptest.NewRequest("POST", "/api/v1/users/import"+query, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+e.tokens[who])
	return e.do(req)
}

type importReply struct {
	Applied bool
	Plan    struct {
		Counts map[string]int
		Items  []struct {
			Line             int
			Action, Username string
			Problems         []struct{ Column, Message string }
			Changes          []struct{ Field, Old, New string }
			Notes            []string
			Token            string `json:"set_password_token"`
		}
	}
	Error *struct{ Code, Message string }
}

// TestAPIImportUsers: a dry run by default writes nothing; apply creates
// the accounts without a password and returns their links; the link
// works once; again, nothing changes.
func TestAPIImportUsers(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var r importReply
	res := e.rawImport("", "admin", "text/csv", rosterCSV)
	if res.StatusCode != 200 {
		t.Fatalf("dry run: %d %s", res.StatusCode, res.Body)
	}
	res.json(t, &r)
	if r.Applied || r.Plan.Counts["create"] != 2 {
		t.Fatalf("dry run: %s", res.Body)
	}
	if _, err := e.accounts.Users.FindUser(ctx, "r001"); err == nil {
		t.Fatal("the dry run wrote")
	}
	if res := e.rawImport("", "manager", "text/csv", rosterCSV); res.StatusCode != 403 {
		t.Fatalf("a manager imported: %d", res.StatusCode)
	}
	if res := e.rawImport("?apply=maybe", "admin", "text/csv", rosterCSV); res.StatusCode != 400 || !strings.Contains(res.Body, "apply") {
		t.Fatalf("apply=maybe: %d %s", res.StatusCode, res.Body)
	}
	if res := e.rawImport("", "admin", "application/json", `{}`); res.StatusCode != 400 || !strings.Contains(res.Body, "text/csv") {
		t.Fatalf("JSON body: %d %s", res.StatusCode, res.Body)
	}
	res = e.rawImport("?apply=1", "admin", "text/csv", rosterCSV)
	r = importReply{}
	res.json(t, &r)
	if res.StatusCode != 200 || !r.Applied || r.Plan.Counts["create"] != 2 || r.Plan.Items[0].Token == "" {
		t.Fatalf("apply: %d %s", res.StatusCode, res.Body)
	}
	u, err := e.accounts.Users.FindUser(ctx, "r002")
	if err != nil || u.Phone != "13900001111" || u.HireDate != "2026-03-02" || strings.Join(u.Sites, ",") != "s1,s2" || strings.Join(u.Roles, ",") != "agent,trainee" {
		t.Fatalf("stored %+v %v", u, err)
	}
	// No password yet: signing in fails like a wrong password.
	if res := e.api("POST", "/api/v1/auth/login", "", map[string]string{"username": "r001", "password": ""}); res.StatusCode == 200 {
		t.Fatal("signed in without a password")
	}

	// The link, once, without a browser.
	link := "/set-password/" + r.Plan.Items[0].Token
	b := e.browser()
	page := b.get(link)
	if page.StatusCode != 200 || !strings.Contains(page.Body, "王芳") {
		t.Fatalf("link page: %d %s", page.StatusCode, page.Body)
	}
	if res := b.post(link, url.Values{"password": {"short"}, "confirm_password": {"short"}}); res.StatusCode != 400 || !strings.Contains(res.Body, "10") {
		t.Fatalf("short password: %d", res.StatusCode)
	}
	pw := "a roster password"
	if res := b.post(link, url.Values{"password": {pw}, "confirm_password": {pw}}); res.StatusCode != 303 || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Fatalf("set: %d %s", res.StatusCode, res.Body)
	}
	e.login("r001", pw)
	if res := b.post(link, url.Values{"password": {"another password"}, "confirm_password": {"another password"}}); res.StatusCode != 404 {
		t.Fatalf("second use: %d", res.StatusCode)
	}
	if res := b.get(link); res.StatusCode != 404 {
		t.Fatalf("used link page: %d", res.StatusCode)
	}
	if res := b.get("/set-password/" + strings.Repeat("x", 200)); res.StatusCode != 404 {
		t.Fatalf("malformed link: %d", res.StatusCode)
	}

	res = e.rawImport("?apply=1", "admin", "text/csv", rosterCSV)
	r = importReply{}
	res.json(t, &r)
	if !r.Applied || r.Plan.Counts["unchanged"] != 2 {
		t.Fatalf("again: %s", res.Body)
	}
}

// TestAPIImportRefused: refused rows name their row and column, and an
// apply with any of them writes nothing.
func TestAPIImportRefused(t *testing.T) {
	e := newEnv(t)
	bad := "工号,姓名,项目,入职日期,手机\nR001,王芳,s1,2026-03-01,13812345678\nR001,李强,s1,2026-03-01,13812345679\nR003,赵六,无此项目,2026-03-01,\nR004,钱七,s1,2026-02-30,\nR005,孙八,s1,,12345\n"
	res := e.rawImport("?apply=1", "admin", "text/csv", bad)
	var r importReply
	res.json(t, &r)
	if res.StatusCode != 400 || r.Applied || r.Error == nil || r.Plan.Counts["refused"] != 4 {
		t.Fatalf("%d %s", res.StatusCode, res.Body)
	}
	want := map[int]string{3: "工号", 4: "项目", 5: "入职日期", 6: "手机"}
	for _, it := range r.Plan.Items {
		if col, ok := want[it.Line]; ok && (it.Action != "refused" || it.Problems[0].Column != col || strings.Contains(it.Problems[0].Message, "/ ")) {
			t.Errorf("row %d: %+v, want refused in %s, in English only", it.Line, it, col)
		}
	}
	if _, err := e.accounts.Users.FindUser(context.Background(), "r001"); err == nil {
		t.Fatal("a refused import wrote")
	}
	if res := e.rawImport("", "admin", "text/csv", "工号,姓名,工资\nR1,王,1\n"); res.StatusCode != 400 || !strings.Contains(res.Body, "工资") {
		t.Fatalf("unknown column: %d %s", res.StatusCode, res.Body)
	}
}

// TestAPIImportReenables: someone a company-wide sync disabled because
// the file left them out is back in the next file: a plain import leaves
// them disabled and says why, the sync's plan shows the status change,
// applying it enables them, audited.
func TestAPIImportReenables(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if res := e.rawImport("?apply=1", "admin", "text/csv", rosterCSV); res.StatusCode != 200 {
		t.Fatalf("import: %d %s", res.StatusCode, res.Body)
	}
	if res := e.rawImport("?apply=1&sync=1", "admin", "text/csv", "工号,姓名\r\nR001,王芳\r\n"); res.StatusCode != 200 {
		t.Fatalf("sync without R002: %d %s", res.StatusCode, res.Body)
	}
	if u, _ := e.accounts.Users.FindUser(ctx, "r002"); u.Status != academy.StatusDisabled {
		t.Fatalf("r002 left out of the sync: %s", u.Status)
	}
	both := "工号,姓名\r\nR001,王芳\r\nR002,李强\r\n"
	var r importReply
	e.rawImport("?apply=1", "admin", "text/csv", both).json(t, &r)
	if it := r.Plan.Items[1]; it.Action != "unchanged" || len(it.Notes) != 1 || !strings.Contains(it.Notes[0], "import with sync") {
		t.Fatalf("plain import of a disabled person: %+v", it)
	}
	r = importReply{}
	e.rawImport("?sync=1", "admin", "text/csv", both).json(t, &r)
	if it := r.Plan.Items[1]; r.Applied || it.Username != "r002" || it.Action != "change" || len(it.Changes) != 1 ||
		it.Changes[0] != (struct{ Field, Old, New string }{"status", "disabled", "active"}) {
		t.Fatalf("sync plan: %+v", r.Plan)
	}
	if u, _ := e.accounts.Users.FindUser(ctx, "r002"); u.Status != academy.StatusDisabled {
		t.Fatal("the dry run enabled")
	}
	if res := e.rawImport("?apply=1&sync=1", "admin", "text/csv", both); res.StatusCode != 200 {
		t.Fatalf("sync with R002: %d %s", res.StatusCode, res.Body)
	}
	if u, _ := e.accounts.Users.FindUser(ctx, "r002"); u.Status != academy.StatusActive {
		t.Fatalf("r002 back in the roster: %s", u.Status)
	}
	if res := e.api("GET", "/api/v1/audit?action="+academy.AuditUserEnabled, "admin", nil); !strings.Contains(res.Body, `"target":"r002"`) {
		t.Fatalf("not audited: %s", res.Body)
	}
}

// TestWebImportUsers: upload, see the plan in words, confirm, see the links.
func TestWebImportUsers(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.loginAs("admin")
	token := b.csrf("/admin/users/import")
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("_csrf", token)
	w.WriteField("sync", "1")
	fw, _ := w.CreateFormFile("file", "roster.csv")
	fw.Write([]byte(rosterCSV))
	w.Close()
	req := httptest.NewRequest("POST", "/admin/users/import", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	plan := b.send(req)
	if plan.StatusCode != 200 || !strings.Contains(plan.Body, "导入计划") || !strings.Contains(plan.Body, "王芳") || !strings.Contains(plan.Body, `id="roster-apply"`) {
		t.Fatalf("plan: %d %s", plan.StatusCode, plan.Body)
	}
	// Sync on s1 and s2 would disable the env's people there, by name.
	if !strings.Contains(plan.Body, "停用") || !strings.Contains(plan.Body, "已停用") {
		t.Fatalf("the plan does not show the people sync disables: %s", plan.Body)
	}
	if _, err := e.accounts.Users.FindUser(context.Background(), "r001"); err == nil {
		t.Fatal("the plan wrote")
	}
	data := regexp.MustCompile(`name="data" value="([^"]+)"`).FindStringSubmatch(plan.Body)
	if data == nil {
		t.Fatal("the plan does not carry the file")
	}
	done := b.post("/admin/users/import", url.Values{"_csrf": {token}, "data": {html.UnescapeString(data[1])}, "step": {"apply"}})
	if done.StatusCode != 200 || !strings.Contains(done.Body, "导入完成") {
		t.Fatalf("apply: %d %s", done.StatusCode, done.Body)
	}
	links := regexp.MustCompile(`value="[^"]*(/set-password/[A-Za-z0-9_-]+)"`).FindAllStringSubmatch(done.Body, -1)
	if len(links) != 2 {
		t.Fatalf("%d links on the page", len(links))
	}
	if u, err := e.accounts.Users.FindUser(context.Background(), "r002"); err != nil || u.LegalName != "李强" {
		t.Fatalf("stored %+v %v", u, err)
	}
	if res := e.browser().get(links[1][1]); res.StatusCode != 200 || !strings.Contains(res.Body, "李强") {
		t.Fatalf("link: %d", res.StatusCode)
	}
}

// The chain from roster to assignment: a program assigned to
// "hired in the last 30 days" reaches a new hire from an imported roster,
// due thirty days after their hire date, and not someone hired long ago.
func TestImportedNewHireGetsTheOnboardingProgram(t *testing.T) {
	e := newEnv(t)
	now := e.clock.Now()
	hired := academy.DateOf(now.AddDate(0, 0, -5), beijing)
	due := academy.DateOf(hired.Start(beijing).AddDate(0, 0, 30), beijing)
	csv := "工号,姓名,项目,角色,入职日期\r\n" +
		"N001,赵新,s1,学员," + string(hired) + "\r\n" +
		"N002,钱旧,s1,学员," + string(academy.DateOf(now.AddDate(0, 0, -90), beijing)) + "\r\n"
	var r importReply
	res := e.rawImport("?apply=1", "admin", "text/csv", csv)
	res.json(t, &r)
	if res.StatusCode != 200 || !r.Applied || r.Plan.Counts["create"] != 2 {
		t.Fatalf("import: %d %s", res.StatusCode, res.Body)
	}
	var a academy.Assignment
	res = e.api("POST", "/api/v1/assignments", "manager", map[string]any{"kind": "program", "ref": "desk",
		"target": map[string]any{"rule": "hired_within", "days": 30, "site": "s1"}, "due": map[string]any{"days_after_hire": 30}})
	if res.StatusCode != 201 && res.StatusCode != 200 {
		t.Fatalf("assign: %d %s", res.StatusCode, res.Body)
	}
	res.json(t, &a)
	page := e.api("GET", "/assignments/"+a.ID, "manager", nil).Body
	if !strings.Contains(page, "赵新") || strings.Contains(page, "钱旧") || !strings.Contains(page, string(due)) {
		t.Fatalf("the assignment's people: want 赵新 due %s, not 钱旧:\n%s", due, page)
	}

	// The new hire sets a password from the link and finds it at home.
	var link string
	for _, it := range r.Plan.Items {
		if it.Username == "n001" {
			link = "/set-password/" + it.Token
		}
	}
	pw := "a new hire's password"
	if res := e.browser().post(link, url.Values{"password": {pw}, "confirm_password": {pw}}); res.StatusCode != 303 {
		t.Fatalf("set password: %d %s", res.StatusCode, res.Body)
	}
	e.tokens["n001"] = e.login("n001", pw)
	home := e.api("GET", "/home", "n001", nil).Body
	if !strings.Contains(home, "客服上岗认证") || !strings.Contains(home, string(due)) {
		t.Fatalf("the new hire's home lacks the program due %s", due)
	}
}
