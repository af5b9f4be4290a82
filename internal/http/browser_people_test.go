package http_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// fitsWidth reports whether the page needs no horizontal scrolling.
func fitsWidth(t *testing.T, ctx context.Context) bool {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	ok, err := chromedp.Run(sctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= document.documentElement.clientWidth`))
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// An admin keeps a person's record from the keyboard: type into the
// labelled fields, submit with Enter, read a refusal beside its field,
// correct it, and the record is stored. The page fits a phone's width.
func TestBrowserPersonForm(t *testing.T) {
	e := newEnv(t)
	base := e.listen()
	ctx := chrome(t)
	loginChrome(t, ctx, base, "admin")

	step(t, ctx, "open the person page", chromedp.Navigate(base+"/admin/users/trainee"), chromedp.WaitVisible("#user-form"))
	step(t, ctx, "fill the record from the keyboard",
		chromedp.Focus("#employee_no"),
		chromedp.KeyEvent("E-1001"+kb.Tab+"12345"+kb.Tab+"trainee@example.com"+kb.Tab+"客服部"+kb.Tab+"客服专员"),
		chromedp.SetValue("#hire_date", "2026-03-02"),
		chromedp.Focus("#position"),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible("#phone-err"),
	)
	if got := text(t, ctx, "#phone-err"); !strings.Contains(got, "13812345678") {
		t.Fatalf("the refusal beside the phone says %q", got)
	}
	if u := e.user(t, "trainee"); u.EmployeeNo != "" || u.Department != "" {
		t.Fatalf("a refused form was saved: %+v", u)
	}
	// What was typed is still there; only the phone needs correcting.
	step(t, ctx, "correct the phone",
		chromedp.Focus("#phone"),
		chromedp.Evaluate[chromedp.Void](`document.activeElement.select()`),
		chromedp.KeyEvent("139 8765 4321"+kb.Enter),
		chromedp.WaitVisible(".notice"),
	)
	u := e.user(t, "trainee")
	if u.EmployeeNo != "E-1001" || u.Phone != "13987654321" || u.Email != "trainee@example.com" || u.Department != "客服部" ||
		u.Position != "客服专员" || u.HireDate != "2026-03-02" {
		t.Fatalf("stored from the form: %+v", u)
	}
	if got := text(t, ctx, "#user-form"); !strings.Contains(got, "工号") || !strings.Contains(got, "入职日期") {
		t.Fatalf("the form lacks its labels: %q", got)
	}
	screenshot(t, ctx, "person-form-1366")

	for _, page := range []string{"/admin/users/trainee", "/admin/users/new", "/admin/users"} {
		step(t, ctx, "open "+page+" on a phone", chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+page), chromedp.WaitVisible("main"))
		if !fitsWidth(t, ctx) {
			t.Errorf("%s scrolls sideways at 390 px", page)
		}
		screenshot(t, ctx, "person-390"+strings.ReplaceAll(page, "/", "-"))
	}
	// The list masks the phone.
	if got := text(t, ctx, "#users"); !strings.Contains(got, "139****4321") || strings.Contains(got, "13987654321") {
		t.Fatalf("the list shows %q", got)
	}
}
