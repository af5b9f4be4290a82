package http_test

import (
	"context"
	nethttp "net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/academy/academy/internal/academy"
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
// 400 naming the parameter, for anyone, and leaves no trace. A value too
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
					want := 400
					if name == "number" || name == "list" {
						want = 404 // public lookups: see paramIdents
					}
					if res.StatusCode != want || !strings.Contains(res.Body, name+": ") {
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
		if res.StatusCode != 400 || !strings.Contains(res.Body, "username: must be") {
			t.Errorf("web login as %.20q: %d", name, res.StatusCode)
		}
	}
	if after := e.auditTotal(); after != before {
		t.Fatalf("audit log grew from %d to %d events", before, after)
	}
}
