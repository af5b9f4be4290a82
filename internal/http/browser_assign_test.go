package http_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/academy/academy/internal/academy"
)

// A manager on a phone assigns a program to a person found by name: the
// search narrows the list, the keyboard ticks the one left, only the
// fields of the chosen target and due form show; then opens who is
// late.
func TestBrowserAssignByName(t *testing.T) {
	e := newEnv(t)
	base := e.listen()
	e.createUser("newhire", []string{academy.RoleTrainee}, []string{"s1"})
	name, no := "李新人", "E-2001"
	if _, err := e.accounts.Users.UpdateUser(context.Background(), "newhire", academy.UserUpdate{DisplayName: &name, EmployeeNo: &no}); err != nil {
		t.Fatal(err)
	}
	ctx := chrome(t)
	loginChrome(t, ctx, base, "manager")
	step(t, ctx, "open the assignments on a phone", chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+"/assignments"), chromedp.WaitVisible("#assign-form"))
	if !fitsWidth(t, ctx) {
		t.Error("/assignments scrolls sideways at 390 px")
	}
	visible := func(sel string) bool {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function(){var el=document.querySelector(`+"`"+sel+"`"+`);return !!el && el.offsetParent !== null;})()`))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if !visible("#a-find") || visible("#a-days") || visible("#a-due-days") {
		t.Error("the fields shown do not follow the chosen target and due form")
	}
	step(t, ctx, "find by employee number and tick from the keyboard",
		chromedp.Click("#a-work"), chromedp.SetValue("#a-work", "program:desk"),
		chromedp.Focus("#a-find"), chromedp.SendKeys("#a-find", "e-2001"),
		chromedp.KeyEvent("\t"), chromedp.KeyEvent(" "),
		chromedp.Click(`input[name="due_form"][value="after_hire"]`))
	if !visible("#a-due-days") || visible("#a-due") {
		t.Error("choosing days after hire does not show its field")
	}
	step(t, ctx, "submit", chromedp.SendKeys("#a-due-days", "30"), chromedp.Click(`#assign-form button[type="submit"]`), chromedp.WaitVisible("#assignment-list"))
	screenshot(t, ctx, "assignments-390")
	var list struct{ Items []academy.Assignment }
	e.api("GET", "/api/v1/assignments", "manager", nil).json(t, &list)
	if len(list.Items) != 1 || list.Items[0].Kind != "program" || strings.Join(list.Items[0].Target.People, ",") != "newhire" || list.Items[0].Due.DaysAfterHire != 30 {
		t.Fatalf("stored: %+v", list.Items)
	}
	if got := text(t, ctx, "#assignment-list"); !strings.Contains(got, name) || !strings.Contains(got, "入职后 30 天") || strings.Contains(got, "newhire") {
		t.Errorf("the list shows %q", got)
	}
	step(t, ctx, "open who stands where", chromedp.Click("#assignment-list a.counts"), chromedp.WaitVisible("#assignment-people"))
	if got := text(t, ctx, "#assignment-people"); !strings.Contains(got, name) || !strings.Contains(got, "待完成") ||
		!strings.Contains(got, time.Now().In(beijing).AddDate(0, 0, 30).Format("2006-01-02")) {
		t.Errorf("the people list shows %q", got)
	}
	if !fitsWidth(t, ctx) {
		t.Error("an assignment's people scroll sideways at 390 px")
	}
	screenshot(t, ctx, "assignment-people-390")
	step(t, ctx, "desktop", chromedp.EmulateViewport(1366, 900), chromedp.Navigate(base+"/assignments"), chromedp.WaitVisible("#assignment-list"))
	screenshot(t, ctx, "assignments-1366")
}
