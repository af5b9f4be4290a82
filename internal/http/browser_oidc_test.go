package http_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/academy/academy/internal/academy"
)

// TestBrowserCompanySignIn signs a person in with the company button on a
// phone: the provider (running in the test) answers, and the browser lands
// on the home page of the account the employee number names.
func TestBrowserCompanySignIn(t *testing.T) {
	o := newOIDCEnv(t, nil)
	o.employee("wang.li", "E1001", "王丽")
	o.op.QueueUser(companyPerson{sub: "s-1001", employeeNo: "E1001", name: "Wang Li"})
	ctx := chrome(t)
	for _, width := range []int64{1366, 390} {
		step(t, ctx, "viewport", chromedp.EmulateViewport(width, 844, chromedp.EmulateMobile))
		step(t, ctx, "open login", chromedp.Navigate(o.base+"/login"), chromedp.WaitVisible("#login-oidc"))
		if b := text(t, ctx, "#login-oidc"); b != "使用企业账号登录" {
			t.Fatalf("button says %q", b)
		}
		if w, err := chromedp.Run(ctx, chromedp.Evaluate[int64]("document.documentElement.scrollWidth")); err != nil || w > width {
			t.Errorf("login page is %d px wide at %d (%v)", w, width, err)
		}
		screenshot(t, ctx, fmt.Sprintf("login-oidc-%d", width))
	}
	step(t, ctx, "company sign-in", chromedp.Click("#login-oidc"), chromedp.WaitVisible("#panel-trainee"))
	if h := text(t, ctx, "h1"); !strings.Contains(h, "王丽") {
		t.Fatalf("home heading %q, want the person's name", h)
	}
	if u, err := chromedp.Run(ctx, chromedp.Location()); err != nil || !strings.HasSuffix(u, "/home") {
		t.Fatalf("landed on %q (%v)", u, err)
	}
	screenshot(t, ctx, "home-after-oidc")
	ev, _, _ := o.accounts.Audit.ListAudit(context.Background(), academy.AuditFilter{Action: academy.AuditLoginOK, Target: "wang.li", Limit: 1})
	if len(ev) != 1 || ev[0].Detail != "oidc" {
		t.Fatalf("sign-in not recorded as a company login: %+v", ev)
	}
}
