package http_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/academy/academy/internal/academy"
)

// TestBrowserSiteDirectory: on a phone, an admin adds a flat and its
// resident from the keyboard, sees the resident listed with the phone
// masked, imports a workbook with a bad row and reads which row and
// column are wrong; the pages never scroll sideways.
func TestBrowserSiteDirectory(t *testing.T) {
	e := newEnv(t)
	base := e.listen()
	ctx := chrome(t)
	noSideways := func(what string) {
		t.Helper()
		wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > document.documentElement.clientWidth`))
		if err != nil {
			t.Fatal(err)
		}
		if wide {
			t.Errorf("%s scrolls sideways", what)
		}
	}
	step(t, ctx, "log in", chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+"/login"), chromedp.WaitVisible("#login-form"),
		chromedp.SendKeys("#username", "admin"), chromedp.SendKeys("#password", testPassword),
		chromedp.Click("#login-submit"), chromedp.WaitVisible("#panel-admin"))
	step(t, ctx, "open the sites", chromedp.Navigate(base+"/admin/sites"), chromedp.WaitVisible(`a[href="/admin/sites/s1"]`))
	noSideways("the sites list")
	step(t, ctx, "open the directory", chromedp.Click(`a[href="/admin/sites/s1"]`), chromedp.WaitVisible("#flats"))
	noSideways("the directory page")
	screenshot(t, ctx, "site-directory-phone")

	// The labels name the fields; Enter in the last field submits.
	step(t, ctx, "add a flat",
		chromedp.SendKeys(`label[for="flat-building"] + input`, "9"),
		chromedp.SendKeys("#flat-entrance", "1"),
		chromedp.SendKeys("#flat-room", "101\r"),
		chromedp.WaitVisible(`a[href="/admin/sites/s1/flats/9-1-101"]`))
	step(t, ctx, "add a resident",
		chromedp.SendKeys("#res-name", "钱多多"),
		chromedp.SendKeys("#res-flat", "9栋1单元101"),
		chromedp.SendKeys("#res-phone", "13912340000"),
		chromedp.Click(`#residents input[value="tenant"]`),
		chromedp.Submit("#res-name"),
		chromedp.WaitVisible(`a[href="/admin/sites/s1/residents/r003"]`))
	if n := text(t, ctx, ".notice"); n != "名录已保存。" {
		t.Fatalf("flash %q", n)
	}
	rows := text(t, ctx, "#residents table")
	if !strings.Contains(rows, "钱多多") || !strings.Contains(rows, "139****0000") || strings.Contains(rows, "13912340000") || !strings.Contains(rows, "9栋1单元101") {
		t.Fatalf("residents as shown: %q", rows)
	}
	d, err := e.deps.Desk.Live.FindDirectory(context.Background(), "s1")
	if err != nil {
		t.Fatal(err)
	}
	if r := d.Resident("r003"); r == nil || r.Name != "钱多多" || r.Unit != "9-1-101" || r.Phone != "13912340000" || r.Role != "tenant" {
		t.Fatalf("stored %+v", r)
	}

	// An import with a bad row writes nothing and says where.
	file := filepath.Join(t.TempDir(), "directory.xlsx")
	if err := os.WriteFile(file, workbook(t, [][]string{{"9", "1", "101"}}, [][]string{{"", "钱多多", "9栋1单元101", "123", "业主"}}, nil), 0o600); err != nil {
		t.Fatal(err)
	}
	step(t, ctx, "import a bad workbook",
		chromedp.SetUploadFiles("#import-file", []string{file}),
		chromedp.Click(`#transfer input[name="confirm"]`),
		chromedp.Submit("#import-file"),
		chromedp.WaitVisible("#import-problems"))
	if p := text(t, ctx, "#import-problems"); !strings.Contains(p, "什么都没有导入") || !strings.Contains(p, "D (电话 / Phone)") {
		t.Fatalf("import problems: %q", p)
	}
	noSideways("the import problems")
	screenshot(t, ctx, "site-import-problems-phone")
	if d2, _ := e.deps.Desk.Live.FindDirectory(context.Background(), "s1"); d2.Version != d.Version || len(d2.Residents) != len(d.Residents) {
		t.Fatal("the bad import wrote")
	}

	// The edit page of a resident, at desktop width too.
	step(t, ctx, "open the resident", chromedp.Navigate(base+"/admin/sites/s1/residents/r003"), chromedp.WaitVisible("#e-phone"))
	noSideways("the resident page")
	if ph, err := chromedp.Run(ctx, chromedp.AttributeValue("#e-phone", "placeholder")); err != nil || ph.Value != academy.MaskPhone("13912340000") {
		t.Fatalf("phone placeholder %q %v", ph.Value, err)
	}
	screenshot(t, ctx, "site-resident-phone")
	step(t, ctx, "desktop", chromedp.EmulateViewport(1366, 900), chromedp.Navigate(base+"/admin/sites/s1"), chromedp.WaitVisible("#flats"))
	noSideways("the directory page at 1366")
	screenshot(t, ctx, "site-directory-desktop")
	step(t, ctx, "verify form", chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+"/verify"), chromedp.WaitVisible("#verify-number"),
		chromedp.SendKeys("#verify-number", "12345\r"), chromedp.WaitVisible("#verify-number-error"))
	noSideways("the verify form")
	screenshot(t, ctx, "verify-lookup-phone")
}
