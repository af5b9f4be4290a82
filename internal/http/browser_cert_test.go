package http_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/academy/academy/internal/academy"
)

// TestBrowserCertificationPath is the new hire's way to the live desk: the
// last requirement done in the browser issues the certificate, the PDF is
// offered, the public page says valid and the desk opens; after a manager
// revokes it the page says revoked and the desk refuses.
func TestBrowserCertificationPath(t *testing.T) {
	e := newEnv(t)
	base := e.listen()
	e.createUser("xiaoli", []string{academy.RoleTrainee}, []string{"s1"})
	last := e.earnAllBut("xiaoli")
	lessonPage := strings.TrimSuffix(strings.TrimPrefix(last, "/api/v1"), "/complete")

	ctx := chrome(t)
	loginChrome(t, ctx, base, "xiaoli")
	step(t, ctx, "the desk is closed before certification", chromedp.Navigate(base+"/desk/s1"), chromedp.WaitVisible("main"))
	if body := text(t, ctx, "main"); !strings.Contains(body, "客服专员") {
		t.Fatalf("desk before certification: %q", body)
	}
	step(t, ctx, "finish the last lesson", chromedp.Navigate(base+lessonPage), chromedp.WaitVisible("#mark-complete"),
		chromedp.Click("#mark-complete"), chromedp.WaitVisible(".flash, .notice"))
	step(t, ctx, "the certificate appears", chromedp.Navigate(base+"/certificates"),
		chromedp.WaitVisible(`[data-program="desk"] .cert-number`))
	number := strings.TrimSpace(text(t, ctx, `[data-program="desk"] .cert-number`))
	if !academy.ValidCertificateNumber(number) {
		t.Fatalf("certificate number %q", number)
	}
	step(t, ctx, "the PDF and badge are offered",
		chromedp.WaitVisible(`a[href="/certificates/`+number+`/pdf"]`), chromedp.WaitVisible(`a[href="/certificates/`+number+`/credential"]`))
	screenshot(t, ctx, "certificates")
	if res := e.api("GET", "/certificates/"+number+"/pdf", "admin", nil); !strings.HasPrefix(res.Body, "%PDF-") {
		t.Fatal("the offered PDF does not download")
	}

	step(t, ctx, "the verification page says valid", chromedp.Navigate(base+"/verify/"+number), chromedp.WaitVisible(`.verify-status[data-status="valid"]`))
	screenshot(t, ctx, "verify-valid")
	step(t, ctx, "the live desk opens", chromedp.Navigate(base+"/desk/s1"), chromedp.WaitVisible("#new-ticket"))

	if res := e.form("/certificates/"+number+"/revoke", "manager", url.Values{"reason": {"培训记录造假"}}); res.StatusCode != 303 {
		t.Fatalf("revoke: %d %s", res.StatusCode, res.Body)
	}
	step(t, ctx, "the verification page says revoked", chromedp.Navigate(base+"/verify/"+number), chromedp.WaitVisible(`.verify-status[data-status="revoked"]`))
	step(t, ctx, "the live desk refuses", chromedp.Navigate(base+"/desk/s1/new"), chromedp.WaitVisible("main"))
	if body := text(t, ctx, "main"); !strings.Contains(body, "撤销") {
		t.Fatalf("desk after revocation: %q", body)
	}
	screenshot(t, ctx, "desk-revoked")

	// The manager sees it on the team dashboard and can drill down.
	mctx := chrome(t)
	loginChrome(t, mctx, base, "manager")
	step(t, mctx, "team dashboard", chromedp.Navigate(base+"/team"), chromedp.WaitVisible(`#matrix tr[data-user="xiaoli"]`),
		chromedp.WaitVisible("#timeline"))
	screenshot(t, mctx, "team")
	step(t, mctx, "drill down", chromedp.Click(`#matrix tr[data-user="xiaoli"] a`), chromedp.WaitVisible(`form.revoke, .list`))
	if body := text(t, mctx, "main"); !strings.Contains(body, "培训记录造假") {
		t.Fatalf("drill-down does not show the revocation reason: %q", body)
	}
}
