package http_test

import (
	"io/fs"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/academy/academy/web"
)

func TestWebLoginAndHomePerRole(t *testing.T) {
	e := newEnv(t)
	want := map[string]string{
		"trainee": `id="panel-trainee"`,
		"trainer": `id="panel-trainer"`,
		"manager": `id="panel-manager"`,
		"agent":   `id="panel-agent"`,
		"admin":   `id="panel-admin"`,
	}
	for name, panel := range want {
		b := e.browser()
		if res := b.get("/home"); res.StatusCode != 303 || !strings.HasPrefix(res.Header.Get("Location"), "/login?next=%2Fhome") {
			t.Fatalf("anonymous /home: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		res := b.post("/login", url.Values{"username": {name}, "password": {testPassword}})
		if res.StatusCode != 303 {
			t.Fatalf("%s login: %d", name, res.StatusCode)
		}
		set := res.Header.Get("Set-Cookie")
		for _, attr := range []string{"academy_session=", "HttpOnly", "SameSite=Lax", "path=/"} {
			if !strings.Contains(set, attr) {
				t.Fatalf("session cookie %q lacks %s", set, attr)
			}
		}
		home := b.get("/home")
		if home.StatusCode != 200 || !strings.Contains(home.Body, panel) {
			t.Fatalf("%s home: %d, want %s", name, home.StatusCode, panel)
		}
		for other, p := range want {
			if other != name && strings.Contains(home.Body, p) {
				t.Errorf("%s sees %s's panel", name, other)
			}
		}
		if strings.Contains(home.Body, `href="/admin/users"`) != (name == "admin") {
			t.Errorf("%s: admin navigation shown=%v", name, !(name == "admin"))
		}
	}
}

func TestWebLoginErrorsAndRedirects(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	res := b.post("/login", url.Values{"username": {"trainee"}, "password": {"wrong password"}})
	if res.StatusCode != 401 || !strings.Contains(res.Body, "用户名或密码错误") || !strings.Contains(res.Body, `value="trainee"`) {
		t.Fatalf("wrong password page: %d", res.StatusCode)
	}
	// next is followed only within the site.
	for next, want := range map[string]string{"/account": "/account", "https://evil.example/": "/home", "//evil.example": "/home", "/\\evil": "/home"} {
		b := e.browser()
		res := b.post("/login", url.Values{"username": {"trainee"}, "password": {testPassword}, "next": {next}})
		if res.Header.Get("Location") != want {
			t.Errorf("next=%q redirected to %q", next, res.Header.Get("Location"))
		}
	}
}

func TestSessionFixationAndLogout(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.cookies["academy_session"] = "planted-by-attacker"
	b.loginAs("trainee")
	if b.cookies["academy_session"] == "planted-by-attacker" {
		t.Fatal("login kept a session id chosen by the client")
	}
	token := b.csrf("/account")
	res := b.post("/logout", url.Values{"_csrf": {token}})
	if res.StatusCode != 303 || b.cookies["academy_session"] != "" {
		t.Fatalf("logout: %d cookie %q", res.StatusCode, b.cookies["academy_session"])
	}
	if res := b.get("/home"); res.StatusCode != 303 {
		t.Fatalf("home after logout: %d", res.StatusCode)
	}
}

func TestCSRF(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.loginAs("trainee")
	// Cookie-authenticated form without the token.
	res := b.post("/account/profile", url.Values{"display_name": {"X"}, "lang": {"zh"}})
	if res.StatusCode != 403 || !strings.Contains(res.Body, "请刷新后重试") || strings.Contains(res.Body, "reload the page") {
		t.Fatalf("no token: %d", res.StatusCode)
	}
	res = b.post("/account/profile", url.Values{"display_name": {"X"}, "lang": {"zh"}, "_csrf": {"wrong"}})
	if res.StatusCode != 403 {
		t.Fatalf("wrong token: %d", res.StatusCode)
	}
	token := b.csrf("/account")
	res = b.post("/account/profile", url.Values{"display_name": {"小王"}, "lang": {"en"}, "_csrf": {token}})
	if res.StatusCode != 303 {
		t.Fatalf("right token: %d %s", res.StatusCode, res.Body)
	}
	if page := b.get("/account"); !strings.Contains(page.Body, "My account") || !strings.Contains(page.Body, "小王") {
		t.Fatal("profile change did not apply (name and English UI)")
	}
	// A cross-site form post is refused even with the token, and even to
	// the login form, which has no session yet.
	req := httptest.NewRequest("POST", "/account/profile", strings.NewReader(url.Values{"display_name": {"evil"}, "lang": {"zh"}, "_csrf": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if res := b.send(req); res.StatusCode != 403 || !strings.Contains(res.Body, "Cross-site") {
		t.Fatalf("cross-site post: %d", res.StatusCode)
	}
	req = httptest.NewRequest("POST", "/login", strings.NewReader("username=trainee&password=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	if res := e.do(req); res.StatusCode != 403 {
		t.Fatalf("cross-origin login post: %d", res.StatusCode)
	}
}

func TestWebAdminUserForms(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.loginAs("admin")
	token := b.csrf("/admin/users/new")
	form := url.Values{"_csrf": {token}, "username": {"wang.fang"}, "display_name": {"王芳"}, "roles": {"trainee", "agent"}, "sites": {"s1"},
		"lang": {"zh"}, "password": {"long enough pw"}, "confirm_password": {"long enough pw"}}
	res := b.post("/admin/users", form)
	if res.StatusCode != 303 || res.Header.Get("Location") != "/admin/users/wang.fang?flash=user_created" {
		t.Fatalf("create: %d %s %s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	page := b.get("/admin/users/wang.fang?flash=user_created")
	if !strings.Contains(page.Body, "用户已创建") || !strings.Contains(page.Body, "王芳") || !strings.Contains(page.Body, "<td>创建账号</td>") || strings.Contains(page.Body, "user.created") {
		t.Fatal("user page lacks notice, name or audit history")
	}
	// Refused input re-renders the form with the reason and keeps entries.
	form.Set("username", "zhao")
	form.Set("confirm_password", "different")
	res = b.post("/admin/users", form)
	if res.StatusCode != 400 || !strings.Contains(res.Body, "confirm_password") || !strings.Contains(res.Body, `value="zhao"`) {
		t.Fatalf("mismatched passwords: %d", res.StatusCode)
	}
	form.Set("confirm_password", "long enough pw")
	form.Set("username", "WANG.FANG")
	if res := b.post("/admin/users", form); res.StatusCode != 409 || !strings.Contains(res.Body, "已被占用") {
		t.Fatalf("duplicate: %d", res.StatusCode)
	}
	// Disable, then the list shows it; a flash key that is not ours is ignored.
	if res := b.post("/admin/users/wang.fang/status", url.Values{"_csrf": {token}, "status": {"disabled"}}); res.StatusCode != 303 {
		t.Fatalf("disable: %d", res.StatusCode)
	}
	list := b.get("/admin/users?q=wang&flash=<script>")
	if !strings.Contains(list.Body, "已停用") || strings.Contains(list.Body, "<script>") {
		t.Fatal("list after disable")
	}
	if res := b.post("/admin/users/wang.fang", url.Values{"_csrf": {token}, "roles": {"wizard"}, "sites": {"s1"}}); res.StatusCode != 400 || !strings.Contains(res.Body, "未知角色") {
		t.Fatalf("bad role: %d", res.StatusCode)
	}
	if res := b.get("/admin/users/nobody"); res.StatusCode != 404 || !strings.Contains(res.Body, "404") {
		t.Fatalf("missing user page: %d", res.StatusCode)
	}
	// The audit log names the action and the people, not their codes.
	if res := b.get("/admin/audit?action=user.disabled"); !strings.Contains(res.Body, "<td>停用账号</td><td>admin</td><td>王芳</td>") || strings.Contains(res.Body, "<code>user.disabled</code>") {
		t.Fatalf("audit page lacks the disable event: %s", res.Body)
	}
}

func TestErrorPagesAndLanguage(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.loginAs("trainee")
	res := b.get("/admin/users")
	if res.StatusCode != 403 || !strings.Contains(res.Body, "没有权限") || !strings.Contains(res.Body, `class="topbar"`) {
		t.Fatalf("403 page: %d", res.StatusCode)
	}
	res = b.get("/no/such/page")
	if res.StatusCode != 404 || !strings.Contains(res.Body, "页面不存在") {
		t.Fatalf("404 page: %d", res.StatusCode)
	}
	res = e.api("GET", "/api/v1/nothing", "trainee", nil)
	if res.StatusCode != 404 || res.errCode(t) != "not_found" {
		t.Fatalf("API 404: %d %s", res.StatusCode, res.Body)
	}
	req := httptest.NewRequest("GET", "/login", nil)
	req.Header.Set("Accept-Language", "en-GB,en;q=0.9")
	if res := e.do(req); !strings.Contains(res.Body, "Log in") || !strings.Contains(res.Body, `lang="en"`) {
		t.Fatal("Accept-Language en did not give English")
	}
	anon := e.browser()
	if res := anon.post("/lang", url.Values{"lang": {"en"}, "next": {"/login"}}); res.StatusCode != 303 {
		t.Fatalf("language switch: %d", res.StatusCode)
	}
	if res := anon.get("/login"); !strings.Contains(res.Body, "Log in") {
		t.Fatal("language cookie not honoured")
	}
	if res := anon.post("/lang", url.Values{"lang": {"xx"}}); res.StatusCode != 400 || !strings.Contains(res.Body, "unsupported language") {
		t.Fatalf("bad language: %d", res.StatusCode)
	}
}

// TestCSRFOnEveryForm: every state-changing route refuses a cookie session
// without the CSRF token, and every form the templates render carries it
// (the login form has no session yet; it is guarded by the origin check).
func TestCSRFOnEveryForm(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.loginAs("admin")
	for _, r := range e.srv.Routes() {
		if r.Method == "GET" || r.Access.Public || strings.HasPrefix(r.Path, "/api/") {
			continue
		}
		req := httptest.NewRequest(r.Method, params.Replace(r.Path), strings.NewReader("x=1"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		if res := b.send(req); res.StatusCode != 403 || !strings.Contains(res.Body, "请刷新后重试") {
			t.Errorf("%s %s without a CSRF token: %d", r.Method, r.Path, res.StatusCode)
		}
	}
	formRE := regexp.MustCompile(`(?s)<form[^>]*method="post"[^>]*>(.*?)</form>`)
	files, err := fs.Glob(web.FS, "templates/*.html")
	if err != nil || len(files) == 0 {
		t.Fatal(err)
	}
	for _, f := range files {
		src, _ := fs.ReadFile(web.FS, f)
		for _, m := range formRE.FindAllStringSubmatch(string(src), -1) {
			if !strings.Contains(m[1], `name="_csrf"`) && !strings.Contains(m[0], `action="/login"`) {
				t.Errorf("%s: a form without the CSRF field: %.80s", f, m[0])
			}
		}
	}
}

// The menu is rendered once per language, set of links and current
// section, and shared: each user must still get their own links, the
// current section marked, in their language.
func TestNavigationPerRoleSectionAndLanguage(t *testing.T) {
	e := newEnv(t)
	trainee, admin := e.browser(), e.browser()
	trainee.loginAs("trainee")
	admin.loginAs("admin")
	current := `<a href="/courses" aria-current="page">课程</a>`

	if page := admin.get("/home").Body; !strings.Contains(page, `href="/admin/users"`) || strings.Contains(page, current) {
		t.Fatal("admin's home: no user admin link, or courses marked current")
	}
	page := trainee.get("/courses").Body
	if strings.Contains(page, `href="/admin/users"`) || !strings.Contains(page, current) {
		t.Fatal("trainee's courses page: admin link shown, or courses not marked current")
	}
	if page := trainee.get("/courses/ethics/lessons/owner-privacy").Body; strings.Contains(page, `aria-current="page"`) || !strings.Contains(page, `href="/courses"`) {
		t.Fatal("lesson page: a section marked current, or no courses link")
	}
	en := e.browser()
	en.loginAs("trainee")
	if res := en.post("/lang", url.Values{"_csrf": {en.csrf("/courses")}, "lang": {"en"}, "next": {"/courses"}}); res.StatusCode != 303 {
		t.Fatalf("switch to English: %d", res.StatusCode)
	}
	if page := en.get("/courses").Body; !strings.Contains(page, `<a href="/courses" aria-current="page">Courses</a>`) {
		t.Fatal("English courses page: menu not in English")
	}
	if page := admin.get("/courses").Body; !strings.Contains(page, `href="/admin/users"`) || !strings.Contains(page, current) {
		t.Fatal("admin's courses page after the trainee's: admin link lost")
	}
}
