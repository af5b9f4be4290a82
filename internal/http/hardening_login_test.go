package http_test

import (
	"context"
	"encoding/json"
	"fmt"
	nethttp "net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/academy/academy/internal/academy"
	ahttp "github.com/academy/academy/internal/http"
)

// auditTotal counts every audit event.
func (e *env) auditTotal() int {
	e.t.Helper()
	_, n, err := e.accounts.Audit.ListAudit(context.Background(), academy.AuditFilter{Limit: 1})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// TestRouteParamsHaveShapes: every route parameter is checked before access
// is decided or anything is read: a value that cannot name anything gets
// 400 naming the parameter (404 for a certificate number), for anyone, and
// leaves no trace. A value too
// long for the request line is refused by the server before any handler.
func TestRouteParamsHaveShapes(t *testing.T) {
	e := newEnv(t)
	base := e.listen()
	before := e.auditTotal()
	bad := map[string]string{
		"control character": "a%01b",
		"2 KiB":             strings.Repeat("a", 2<<10),
		"slash-free junk":   "a%20b%0a",
	}
	checked := 0
	for _, r := range e.srv.Routes() {
		for _, seg := range strings.Split(r.Path, "/") {
			name, ok := strings.CutPrefix(seg, ":")
			if !ok {
				continue
			}
			checked++
			for what, v := range bad {
				path := params.Replace(strings.Replace(r.Path, seg, v, 1))
				for _, who := range []string{"admin", ""} {
					res := e.api(r.Method, path, who, nil)
					want, says := 400, name+": "
					switch name {
					case "number", "list":
						// Public lookups (see paramIdents): not found,
						// in the words of their pages, or in English
						// for a program that asked in JSON.
						want, says = 404, "没有"
						if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
							says = "No "
						}
					case "token":
						// A set-password link that cannot be valid reads
						// like one used or expired.
						want, says = 404, "链接无效"
					}
					if res.StatusCode != want || !strings.Contains(res.Body, says) {
						t.Errorf("%s %s with a %s :%s as %q: %d %.200s", r.Method, r.Path, what, name, who, res.StatusCode, res.Body)
					}
				}
			}
			// 10 KiB does not fit the server's 4 KiB header buffer: it is
			// refused (431, or the connection closed) before any handler.
			path := params.Replace(strings.Replace(r.Path, seg, strings.Repeat("a", 10<<10), 1))
			req, _ := nethttp.NewRequest(r.Method, base+path, nil)
			if res, err := nethttp.DefaultClient.Do(req); err == nil {
				res.Body.Close()
				if res.StatusCode != nethttp.StatusRequestHeaderFieldsTooLarge {
					t.Errorf("%s %s with a 10 KiB :%s: %d", r.Method, r.Path, name, res.StatusCode)
				}
			}
		}
	}
	if checked < 50 {
		t.Fatalf("only %d route parameters seen", checked)
	}
	if after := e.auditTotal(); after != before {
		t.Fatalf("audit log grew from %d to %d events", before, after)
	}
}

// TestLoginRefusesImpossibleUsernames: a username no account can have is a
// bad request, not a failed login: not audited, not counted.
func TestLoginRefusesImpossibleUsernames(t *testing.T) {
	e := newEnv(t)
	before := e.auditTotal()
	huge := strings.Repeat("A", 1<<20-64) // the largest that fits the body limit
	for _, name := range []string{huge, "adm\x00in", "adm in", "a", "王芳"} {
		res := e.api("POST", "/api/v1/auth/login", "", map[string]string{"username": name, "password": "wrong password"})
		if res.StatusCode != 400 || !strings.Contains(res.Body, "username: must be") || len(res.Body) > 1000 {
			t.Errorf("API login as %.20q: %d %.200s", name, res.StatusCode, res.Body)
		}
		res = e.browser().post("/login", url.Values{"username": {name}, "password": {"wrong password"}})
		if res.StatusCode != 400 || !strings.Contains(res.Body, "username: 应为") || strings.Contains(res.Body, "must be") {
			t.Errorf("web login as %.20q: %d", name, res.StatusCode)
		}
	}
	if after := e.auditTotal(); after != before {
		t.Fatalf("audit log grew from %d to %d events", before, after)
	}
	for _, key := range []string{"user:" + strings.ToLower(huge), "user:a", "ip:0.0.0.0"} {
		if v, err := e.deps.Throttle.Get(key); err != nil || v != nil {
			t.Fatalf("throttle key %.20s stored: %q %v", key, v, err)
		}
	}
}

// behindProxy runs the server behind a trusted load balancer: requests in
// these tests come from the peer 0.0.0.0.
func behindProxy(d *ahttp.Deps) {
	ps, err := ahttp.ParseTrustedProxies("0.0.0.0, 10.0.0.0/8")
	if err != nil {
		panic(err)
	}
	d.TrustedProxies = ps
}

// loginVia sends an API login with the given forwarding headers.
func (e *env) loginVia(headers map[string]string, username, password string) *response {
	e.t.Helper()
	body, _ := json.Marshal(map[string]string{"username": username, "password": password})
	req := httptest.NewRequest("POST", "/api/v1/auth/login", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return e.do(req)
}

func from(client string) map[string]string {
	// The client's own claim on the left, then what the proxies wrote.
	return map[string]string{"X-Forwarded-For": "6.6.6.6, " + client + ", 10.1.2.3"}
}

// TestLoginThrottleBehindTrustedProxy: behind a trusted proxy every real
// client has its own budget, and what a client writes into the header
// itself changes nothing.
func TestLoginThrottleBehindTrustedProxy(t *testing.T) {
	e := newEnv(t, behindProxy)
	for i := range 30 {
		client := fmt.Sprintf("203.0.113.%d", i+1)
		if res := e.loginVia(from(client), fmt.Sprintf("ghost%d", i), "wrong password"); res.StatusCode != 401 {
			t.Fatalf("client %s: %d", client, res.StatusCode)
		}
	}
	if res := e.loginVia(from("203.0.113.31"), "trainee", testPassword); res.StatusCode != 200 {
		t.Fatalf("a 31st client after 30 others failed: %d %s", res.StatusCode, res.Body)
	}
	// One client spoofing a new leftmost address each time is still one
	// client.
	for i := range 30 {
		h := map[string]string{"X-Forwarded-For": fmt.Sprintf("198.18.0.%d, 203.0.113.99", i)}
		e.loginVia(h, fmt.Sprintf("ghost%d", i), "wrong password")
	}
	if res := e.loginVia(map[string]string{"X-Forwarded-For": "198.18.1.1, 203.0.113.99"}, "trainee", testPassword); res.StatusCode != 429 {
		t.Fatalf("a client past its budget, spoofing its address: %d", res.StatusCode)
	}
	if res := e.loginVia(map[string]string{"X-Real-IP": "203.0.113.100"}, "trainee", testPassword); res.StatusCode != 200 {
		t.Fatalf("X-Real-IP from a trusted proxy: %d", res.StatusCode)
	}
	// Only a trusted proxy's scheme is believed: its https makes the
	// session cookie Secure.
	b := e.browser()
	req := httptest.NewRequest("POST", "/login", strings.NewReader(url.Values{"username": {"trainer"}, "password": {testPassword}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-Proto", "https")
	req.Header.Set("X-Forwarded-For", "203.0.113.101")
	if res := b.send(req); res.StatusCode != 303 || !secureSession(res) {
		t.Fatalf("login through an https proxy: %d, Secure cookie %v", res.StatusCode, secureSession(res))
	}
}

func secureSession(res *response) bool {
	for _, c := range res.Cookies() {
		if c.Name == "academy_session" {
			return c.Secure
		}
	}
	return false
}

// TestForwardedHeadersIgnoredFromUntrustedPeers: without trusted proxies,
// X-Forwarded-* is anyone's to write, so none of it is believed.
func TestForwardedHeadersIgnoredFromUntrustedPeers(t *testing.T) {
	e := newEnv(t)
	for i := range 30 {
		e.loginVia(from(fmt.Sprintf("203.0.113.%d", i+1)), fmt.Sprintf("ghost%d", i), "wrong password")
	}
	if res := e.loginVia(from("203.0.113.31"), "trainee", testPassword); res.StatusCode != 429 {
		t.Fatalf("a 'new client' named only by a header: %d", res.StatusCode)
	}
	req := httptest.NewRequest("POST", "/login", strings.NewReader("username=trainer&password=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-Proto", "https")
	res := e.do(req)
	if secureSession(res) {
		t.Fatal("X-Forwarded-Proto from an untrusted peer made the cookie Secure")
	}
	// X-Forwarded-Host cannot make another origin look like this one.
	req = httptest.NewRequest("POST", "/login", strings.NewReader("username=trainer&password=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://evil.example")
	req.Header.Set("X-Forwarded-Host", "evil.example")
	if res := e.do(req); res.StatusCode != 403 {
		t.Fatalf("cross-origin login with a forged X-Forwarded-Host: %d", res.StatusCode)
	}
}

// TestAccountCannotBeLockedByOthers: wrong passwords from attackers slow
// the attackers down, not the account's owner.
func TestAccountCannotBeLockedByOthers(t *testing.T) {
	e := newEnv(t, behindProxy)
	for i := range 50 {
		name := []string{"admin", "ADMIN", " Admin "}[i%3]
		if res := e.loginVia(from(fmt.Sprintf("198.51.100.%d", i%5)), name, "wrong password"); res.StatusCode != 401 && res.StatusCode != 429 {
			t.Fatalf("guess %d: %d", i, res.StatusCode)
		}
	}
	if res := e.loginVia(from("198.51.100.1"), "admin", testPassword); res.StatusCode != 429 {
		t.Fatalf("an attacking address with the right password: %d, want 429", res.StatusCode)
	}
	if res := e.loginVia(from("192.0.2.1"), "admin", testPassword); res.StatusCode != 200 {
		t.Fatalf("admin from a clean address after 50 wrong passwords by others: %d %s", res.StatusCode, res.Body)
	}
	if got := len(e.auditOf(academy.AuditLoginFailed)); got == 0 {
		t.Fatal("the failures were not audited")
	}
}

// TestLoginUsernameVariantsShareCounters: THR1, " thr1 " and thr1 are one
// account to login, and one to the throttle.
func TestLoginUsernameVariantsShareCounters(t *testing.T) {
	e := newEnv(t, behindProxy)
	e.createUser("thr1", []string{academy.RoleTrainee}, []string{"s1"})
	variants := []string{"THR1", " thr1 ", "thr1", "Thr1"}
	for i := range 10 {
		if res := e.loginVia(from("203.0.113.7"), variants[i%len(variants)], "wrong password"); res.StatusCode != 401 {
			t.Fatalf("guess %d: %d", i+1, res.StatusCode)
		}
	}
	// Ten failures in all, two or three per spelling: only one counter
	// for all of them reaches the limit.
	if res := e.loginVia(from("203.0.113.7"), "tHR1", testPassword); res.StatusCode != 429 {
		t.Fatalf("after 10 failures under 4 spellings: %d, want 429", res.StatusCode)
	}
	if res := e.loginVia(from("203.0.113.8"), " THR1", testPassword); res.StatusCode != 200 {
		t.Fatalf("the owner from another address: %d", res.StatusCode)
	}
}

// TestDisabledAccountAnswersLikeAWrongPassword: the right password of a
// disabled account is not confirmed; the audit log tells admins.
func TestDisabledAccountAnswersLikeAWrongPassword(t *testing.T) {
	e := newEnv(t)
	if _, err := e.accounts.SetStatus(context.Background(), academy.Actor{Username: "admin"}, "trainee", academy.StatusDisabled); err != nil {
		t.Fatal(err)
	}
	wrong := e.api("POST", "/api/v1/auth/login", "", map[string]string{"username": "trainer", "password": "wrong password"})
	right := e.api("POST", "/api/v1/auth/login", "", map[string]string{"username": "trainee", "password": testPassword})
	if right.StatusCode != wrong.StatusCode || right.Body != wrong.Body {
		t.Fatalf("disabled account, right password: %d %s; wrong password: %d %s", right.StatusCode, right.Body, wrong.StatusCode, wrong.Body)
	}
	webWrong := e.browser().post("/login", url.Values{"username": {"trainer"}, "password": {"wrong password"}})
	webRight := e.browser().post("/login", url.Values{"username": {"trainee"}, "password": {testPassword}})
	if webRight.StatusCode != webWrong.StatusCode || strings.Contains(webRight.Body, "停用") || strings.Contains(webRight.Body, "disabled") {
		t.Fatalf("web: disabled %d, wrong password %d", webRight.StatusCode, webWrong.StatusCode)
	}
	var details []string
	for _, ev := range e.auditOf(academy.AuditLoginFailed) {
		if ev.Target == "trainee" {
			details = append(details, ev.Detail)
		}
	}
	if len(details) != 2 || details[0] != "account disabled, right password" {
		t.Fatalf("audit of the disabled account's logins: %q", details)
	}
}
