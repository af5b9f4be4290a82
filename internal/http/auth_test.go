package http_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
	ahttp "github.com/academy/academy/internal/http"
	"github.com/academy/academy/internal/mongo"
)

func TestAPILoginMeLogout(t *testing.T) {
	e := newEnv(t)
	e.createUser("Zhang.Wei", []string{"trainee"}, []string{"s1"})

	res := e.api("POST", "/api/v1/auth/login", "", map[string]string{"username": "zhang.wei", "password": testPassword})
	if res.StatusCode != 200 {
		t.Fatalf("login: %d %s", res.StatusCode, res.Body)
	}
	var out struct {
		Token     string
		ExpiresAt time.Time `json:"expires_at"`
		User      map[string]any
	}
	res.json(t, &out)
	if out.Token == "" || out.ExpiresAt.Before(time.Now()) || out.User["username"] != "Zhang.Wei" {
		t.Fatalf("login response %s", res.Body)
	}
	if strings.Contains(res.Body, "password_hash") || strings.Contains(res.Body, "argon2") {
		t.Fatal("login response leaks the password hash")
	}
	e.tokens["zw"] = out.Token
	me := e.api("GET", "/api/v1/me", "zw", nil)
	if me.StatusCode != 200 || !strings.Contains(me.Body, `"username":"Zhang.Wei"`) {
		t.Fatalf("me: %d %s", me.StatusCode, me.Body)
	}

	if res := e.api("POST", "/api/v1/auth/logout", "zw", nil); res.StatusCode != 204 {
		t.Fatalf("logout: %d %s", res.StatusCode, res.Body)
	}
	if res := e.api("GET", "/api/v1/me", "zw", nil); res.StatusCode != 401 || res.errCode(t) != academy.EUNAUTHORIZED {
		t.Fatalf("token still works after logout: %d", res.StatusCode)
	}
}

func TestAPILoginRefusals(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name, body string
		status     int
		msg        string
	}{
		{"wrong password", `{"username":"trainee","password":"wrong password!"}`, 401, "Wrong username or password"},
		{"unknown user", `{"username":"nobody","password":"whatever123"}`, 401, "Wrong username or password"},
		{"malformed JSON", `{"username":`, 400, "JSON"},
		{"wrong type", `{"username":42,"password":"x"}`, 400, "username: must be a string"},
		{"unknown field", `{"username":"a","password":"b","admin":true}`, 400, "admin: unknown field"},
		{"missing password", `{"username":"trainee"}`, 400, "password: required"},
		{"empty body", ``, 400, "empty"},
		{"array body", `[]`, 400, "JSON object"},
		{"trailing data", `{"username":"a","password":"b"} {}`, 400, "after the JSON object"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := e.api("POST", "/api/v1/auth/login", "", c.body)
			if c.body == "" {
				req := httptest.NewRequest("POST", "/api/v1/auth/login", nil)
				req.Header.Set("Content-Type", "application/json")
				res = e.do(req)
			}
			if res.StatusCode != c.status || !strings.Contains(res.Body, c.msg) {
				t.Fatalf("got %d %s, want %d containing %q", res.StatusCode, res.Body, c.status, c.msg)
			}
		})
	}
	req := httptest.NewRequest("POST", "/api/v1/auth/login", strings.NewReader("username=a&password=b"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if res := e.do(req); res.StatusCode != 400 || !strings.Contains(res.Body, "application/json") {
		t.Fatalf("form body on the JSON API: %d %s", res.StatusCode, res.Body)
	}
	for _, h := range []string{"Basic abc", "Bearer", "Bearer not-a-token"} {
		req := httptest.NewRequest("GET", "/api/v1/me", nil)
		req.Header.Set("Authorization", h)
		if res := e.do(req); res.StatusCode != 401 {
			t.Fatalf("Authorization %q: %d", h, res.StatusCode)
		}
	}
}

func TestDisabledAndExpiredSessions(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.accounts.SetStatus(ctx, academy.Actor{Username: "admin"}, "trainee", academy.StatusDisabled); err != nil {
		t.Fatal(err)
	}
	if res := e.api("GET", "/api/v1/me", "trainee", nil); res.StatusCode != 401 {
		t.Fatalf("disabled user's token: %d", res.StatusCode)
	}
	res := e.api("POST", "/api/v1/auth/login", "", map[string]string{"username": "trainee", "password": testPassword})
	if res.StatusCode != 401 || !strings.Contains(res.Body, "Wrong username or password") {
		t.Fatalf("disabled user logs in: %d %s", res.StatusCode, res.Body)
	}

	// A clock past the idle timeout ends the session.
	e.accounts.Now = func() time.Time { return time.Now().Add(academy.SessionIdleTimeout + time.Minute) }
	res = e.api("GET", "/api/v1/me", "trainer", nil)
	if res.StatusCode != 401 || !strings.Contains(res.Body, "expired") {
		t.Fatalf("idle session: %d %s", res.StatusCode, res.Body)
	}
}

func TestLoginThrottling(t *testing.T) {
	e := newEnv(t)
	// Failures for one username from one address are capped.
	var last *response
	for i := 0; i < 11; i++ {
		last = e.api("POST", "/api/v1/auth/login", "", map[string]string{"username": "trainee", "password": "wrong password"})
	}
	if last.StatusCode != 429 || last.errCode(t) != academy.ETOOMANY || !strings.Contains(last.Body, "minutes") {
		t.Fatalf("11th failure: %d %s", last.StatusCode, last.Body)
	}
	// Even the right password is refused while throttled.
	res := e.api("POST", "/api/v1/auth/login", "", map[string]string{"username": "trainee", "password": testPassword})
	if res.StatusCode != 429 {
		t.Fatalf("right password while throttled: %d", res.StatusCode)
	}
	// Another username from the same address still works: successes are not
	// counted and this address has not reached its own limit.
	if tok := e.login("trainer", testPassword); tok == "" {
		t.Fatal("no token")
	}
	// Failures across many usernames from one address hit the address limit.
	for i := 0; i < 40; i++ {
		last = e.api("POST", "/api/v1/auth/login", "", map[string]string{"username": fmt.Sprintf("ghost%d", i), "password": "wrong password"})
	}
	if last.StatusCode != 429 {
		t.Fatalf("address limit: %d", last.StatusCode)
	}
}

func TestAuditOfSecurityEvents(t *testing.T) {
	e := newEnv(t)
	e.api("POST", "/api/v1/auth/login", "", map[string]string{"username": "trainee", "password": "wrong password"})
	e.api("PATCH", "/api/v1/users/trainee", "admin", map[string]any{"roles": []string{"trainee", "agent"}})
	e.api("PATCH", "/api/v1/users/trainer", "admin", map[string]any{"status": "disabled"})
	for _, action := range []string{academy.AuditLoginOK, academy.AuditLoginFailed, academy.AuditRolesChanged, academy.AuditUserDisabled} {
		res := e.api("GET", "/api/v1/audit?action="+action, "admin", nil)
		var out struct{ Total int }
		res.json(t, &out)
		if res.StatusCode != 200 || out.Total == 0 {
			t.Errorf("no audit event %s: %s", action, res.Body)
		}
	}
	var out struct{ Items []academy.AuditEvent }
	e.api("GET", "/api/v1/audit?action=user.roles_changed", "admin", nil).json(t, &out)
	if len(out.Items) != 1 || out.Items[0].Detail != "trainee@s1 -> trainee,agent@s1" || out.Items[0].Actor != "admin" {
		t.Fatalf("role change event: %+v", out.Items)
	}
}

// TestCachedSessionsInvalidate: sessions and users are cached briefly, but
// a logout or a change made through this server takes effect at once.
func TestCachedSessionsInvalidate(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if res := e.api("GET", "/api/v1/me", "trainee", nil); res.StatusCode != 200 {
		t.Fatalf("me: %d", res.StatusCode)
	}
	// A write that bypasses this instance (another instance, say) is seen
	// only after the TTL: the cache is in front of the store.
	disabled := academy.StatusDisabled
	if _, err := mongo.NewUserService(e.db).UpdateUser(ctx, "trainee", academy.UserUpdate{Status: &disabled}); err != nil {
		t.Fatal(err)
	}
	if res := e.api("GET", "/api/v1/me", "trainee", nil); res.StatusCode != 200 {
		t.Fatalf("me right after an outside write: %d (the cache should still answer)", res.StatusCode)
	}
	time.Sleep(academy.DefaultCacheTTL + 100*time.Millisecond)
	if res := e.api("GET", "/api/v1/me", "trainee", nil); res.StatusCode != 401 {
		t.Fatalf("me after the TTL: %d, want 401", res.StatusCode)
	}

	// Through this server, a role change and a logout apply immediately.
	e.api("GET", "/api/v1/me", "trainer", nil)
	if res := e.api("PATCH", "/api/v1/users/trainer", "admin", map[string]any{"roles": []string{"trainee"}}); res.StatusCode != 200 {
		t.Fatalf("patch: %d %s", res.StatusCode, res.Body)
	}
	if res := e.api("GET", "/author", "trainer", nil); res.StatusCode != 403 {
		t.Fatalf("author page right after losing the trainer role: %d", res.StatusCode)
	}
	e.api("GET", "/api/v1/me", "manager", nil)
	if res := e.api("POST", "/api/v1/auth/logout", "manager", nil); res.StatusCode != 204 && res.StatusCode != 200 {
		t.Fatalf("logout: %d", res.StatusCode)
	}
	if res := e.api("GET", "/api/v1/me", "manager", nil); res.StatusCode != 401 {
		t.Fatalf("me right after logout: %d", res.StatusCode)
	}
}

// TestLoginThrottleIsSharedByInstances: guesses spread over two instances
// behind a load balancer count together.
func TestLoginThrottleIsSharedByInstances(t *testing.T) {
	e := newEnv(t)
	other, err := ahttp.New(e.deps)
	if err != nil {
		t.Fatal(err)
	}
	guess := func(srv *ahttp.Server, password string) int {
		t.Helper()
		body := strings.NewReader(`{"username":"trainee","password":"` + password + `"}`)
		req := httptest.NewRequest("POST", "/api/v1/auth/login", body)
		req.Header.Set("Content-Type", "application/json")
		res, err := srv.App().Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	for i := range 10 {
		srv := e.srv
		if i%2 == 1 {
			srv = other
		}
		if code := guess(srv, "wrong password"); code != 401 {
			t.Fatalf("guess %d: %d, want 401", i+1, code)
		}
	}
	if code := guess(e.srv, "wrong password"); code != 429 {
		t.Fatalf("11th guess, after 5 on each instance: %d, want 429", code)
	}
	if code := guess(other, testPassword); code != 429 {
		t.Fatalf("the right password on the other instance while throttled: %d, want 429", code)
	}
}

// TestErrorInOneLanguage: a refused login says why in the reader's
// language only: the page in the viewer's, the API in what the client
// asks for (English when it asks for nothing).
func TestErrorInOneLanguage(t *testing.T) {
	e := newEnv(t)
	bad := url.Values{"username": {"trainee"}, "password": {"wrong password!"}}
	for lang, want := range map[string]string{"zh": "用户名或密码错误", "en": "Wrong username or password."} {
		b := e.browser()
		b.cookies["academy_lang"] = lang
		res := b.post("/login", bad)
		if !strings.Contains(res.Body, want) || strings.Contains(res.Body, " / Wrong") || (lang == "en" && strings.Contains(res.Body, "用户名或密码错误")) {
			t.Errorf("%s login page: %d, want only %q:\n%s", lang, res.StatusCode, want, res.Body)
		}
	}
	body := `{"username":"trainee","password":"wrong password!"}`
	for header, want := range map[string]string{"": `"Wrong username or password."`, "zh-CN,zh;q=0.9": `"用户名或密码错误"`} {
		req := httptest.NewRequest("POST", "/api/v1/auth/login", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if header != "" {
			req.Header.Set("Accept-Language", header)
		}
		if res := e.do(req); res.StatusCode != 401 || !strings.Contains(res.Body, want) {
			t.Errorf("API with Accept-Language %q: %d %s", header, res.StatusCode, res.Body)
		}
	}
}
