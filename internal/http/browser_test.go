package http_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

func TestBrowserLoginShowsRoleHome(t *testing.T) {
	e := newEnv(t)
	base := e.listen()
	for _, role := range []string{"trainee", "manager", "admin"} {
		t.Run(role, func(t *testing.T) {
			ctx := chrome(t)
			step(t, ctx, "open home", chromedp.Navigate(base+"/home"), chromedp.WaitVisible("#login-form"))
			if title := text(t, ctx, "h1"); title != "登录" {
				t.Fatalf("login page heading %q", title)
			}
			step(t, ctx, "log in",
				chromedp.SendKeys("#username", role),
				chromedp.SendKeys("#password", testPassword),
				chromedp.Click("#login-submit"),
				chromedp.WaitVisible("#panel-"+role),
			)
			if h := text(t, ctx, "h1"); !strings.HasPrefix(h, "您好") {
				t.Fatalf("home heading %q", h)
			}
			shot := screenshot(t, ctx, "home-"+role)
			t.Logf("screenshot: %s", shot)
			if role == "admin" {
				step(t, ctx, "open users", chromedp.Click(`a[href="/admin/users"]`), chromedp.WaitVisible("#new-user"))
				if rows := text(t, ctx, "table.list tbody"); !strings.Contains(rows, "trainee") {
					t.Fatalf("user list: %q", rows)
				}
				screenshot(t, ctx, "admin-users")
			}
		})
	}
}
