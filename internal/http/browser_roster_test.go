package http_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// An admin imports a roster on a phone: choose the file, read the plan
// in words, confirm, and copy the links; the accounts are stored.
func TestBrowserRosterImport(t *testing.T) {
	e := newEnv(t)
	base := e.listen()
	ctx := chrome(t)
	loginChrome(t, ctx, base, "admin")
	file := filepath.Join(t.TempDir(), "roster.csv")
	if err := os.WriteFile(file, []byte(rosterCSV), 0o600); err != nil {
		t.Fatal(err)
	}
	step(t, ctx, "open the import page on a phone", chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(base+"/admin/users/import"), chromedp.WaitVisible("#roster-form"))
	step(t, ctx, "upload the roster",
		chromedp.SetUploadFiles("#roster-file", []string{file}),
		chromedp.Click("#roster-plan"),
		chromedp.WaitVisible("#roster-rows"))
	if got := text(t, ctx, "#roster-rows"); !strings.Contains(got, "王芳") || !strings.Contains(got, "新建") {
		t.Fatalf("the plan says %q", got)
	}
	if !fitsWidth(t, ctx) {
		t.Error("the plan scrolls sideways at 390 px")
	}
	screenshot(t, ctx, "roster-plan-390")
	step(t, ctx, "confirm", chromedp.Click("#roster-apply"), chromedp.WaitVisible("#roster-links"))
	if !fitsWidth(t, ctx) {
		t.Error("the result scrolls sideways at 390 px")
	}
	screenshot(t, ctx, "roster-done-390")
	if u, err := e.accounts.Users.FindUser(context.Background(), "r001"); err != nil || u.LegalName != "王芳" {
		t.Fatalf("stored %+v %v", u, err)
	}
}
