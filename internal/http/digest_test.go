package http_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/notify"
)

// digests lists what username has in the app of kind k, oldest first.
func (r *reminders) digests(username string, k notify.Kind) []notify.Notification {
	r.e.t.Helper()
	list, _, _, err := r.store.Notifications(context.Background(), username, 0, 100)
	if err != nil {
		r.e.t.Fatal(err)
	}
	var out []notify.Notification
	for _, n := range slices.Backward(list) {
		if n.Kind == k {
			out = append(out, n)
		}
	}
	return out
}

// person makes an account with a display name (what digests show) on one
// site.
func (e *env) person(username, name, role, site string, lang string, hired academy.Date) *academy.User {
	e.t.Helper()
	u := &academy.User{Username: username, DisplayName: name, LegalName: name, Roles: []string{role}, Sites: []string{site}, Lang: lang, HireDate: hired}
	if err := e.accounts.CreateUser(context.Background(), academy.Actor{}, u, testPassword); err != nil {
		e.t.Fatal(err)
	}
	return u
}

// A manager hears each morning, at nine in their own zone, of their own
// sites: who is overdue (the program by the days after hire, assigned
// work past due), whose certificate runs out soon, which escalated
// tickets are still open; once a day however many scans run, nothing on
// a quiet day, and nothing of another site.
func TestManagerDigest(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.deps.Desk.Now = e.clock.Now
	london, _ := time.LoadLocation("Europe/London")
	if err := e.accounts.Sites.CreateSite(ctx, &academy.Site{ID: "uk", Name: "伦敦项目", TZ: "Europe/London"}); err != nil {
		t.Fatal(err)
	}
	smith := e.person("smith", "John Smith", academy.RoleManager, "uk", academy.LangEN, "")
	r := newReminders(e)
	// Quiet days: nothing overdue, expiring or escalated anywhere.
	today := e.clock.Now().In(beijing)
	day := time.Date(today.Year(), today.Month(), today.Day()+1, 0, 0, 0, 0, beijing)
	e.advanceTo(day)
	r.scan()
	for _, who := range []string{"manager", smith.ID, "othermanager"} {
		if got := r.digests(who, notify.KindManagerDigest); len(got) != 0 {
			t.Fatalf("%s had a digest of quiet days: %+v", who, got)
		}
	}

	// On s1: Wang was hired 40 days ago and holds no certificate; Zhao's
	// assigned course was due two days ago; Li's certificate runs out in
	// 20 days; an urgent repair went past its time and was escalated.
	before := func(days int, loc *time.Location) academy.Date { return academy.DateOf(day.AddDate(0, 0, -days), loc) }
	e.person("wang", "王小明", academy.RoleTrainee, "s1", "", before(40, beijing))
	e.person("zhao", "赵小红", academy.RoleTrainee, "s1", "", "")
	li := e.person("li", "李四", academy.RoleTrainee, "s1", "", "")
	e.person("jones", "Tom Jones", academy.RoleTrainee, "uk", "", before(40, london))
	if err := e.deps.Assignments.CreateAssignment(ctx, &academy.Assignment{ID: "late", Kind: academy.AssignCourse, Ref: "ethics",
		Target: academy.AssignTarget{People: []string{"zhao"}}, Due: academy.AssignDue{Date: before(2, beijing)}, CreatedBy: "manager", CreatedAt: day.AddDate(0, 0, -10)}); err != nil {
		t.Fatal(err)
	}
	desk := e.deps.Catalog.Snapshot().Programs["desk"]
	cert := &academy.Certificate{Number: academy.NewCertificateNumber(), Username: li.ID, Holder: li.LegalName, Program: desk.Slug, ProgramName: desk.Name,
		Seq: 1, IssuedAt: day.AddDate(-1, 0, 20), ExpiresAt: day.AddDate(0, 0, 20)}
	if err := e.deps.Certifier.Certs.ClaimCertificate(ctx, cert); err != nil {
		t.Fatal(err)
	}
	var tk apiTicket
	e.api("POST", "/api/v1/workspaces/s1/tickets", "agent", map[string]any{"type": "repair", "title": "电梯困人", "resident": "r1", "priority": "urgent"}).json(t, &tk)
	e.clock.Advance(2 * time.Hour)
	if done, err := e.deps.Desk.Escalate(ctx); err != nil || len(done) != 1 {
		t.Fatalf("escalate: %d tickets, %v", len(done), err)
	}
	r.scan()

	// 09:00 in Beijing is 01:00 or 02:00 in London: the manager of s1
	// hears, Smith not yet.
	e.advanceTo(time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 30, 0, beijing))
	r.scan()
	got := r.digests("manager", notify.KindManagerDigest)
	if len(got) != 1 {
		t.Fatalf("manager at 09:00 Beijing: %d digests", len(got))
	}
	if want := "每日摘要:逾期 2 人,证书将到期 1 张,升级工单 1 张"; got[0].Subject != want {
		t.Errorf("subject %q, want %q", got[0].Subject, want)
	}
	want := strings.Join([]string{
		"【项目s1】",
		"· 逾期 2 人:王小明(客服上岗认证)、赵小红(职业道德与服务意识)",
		"· 30 天内到期的证书 1 张:李四「客服上岗认证」" + cert.ExpiresAt.In(beijing).Format(time.DateOnly) + " 到期",
		"· 团队看板:http://academy.test/team?site=s1",
		"· 升级后仍未办结的工单 1 张:",
		"  " + tk.Number + "「电梯困人」 http://academy.test/desk/s1/tickets/" + tk.ID,
	}, "\n")
	if got[0].Text != want || got[0].Link != "/team" {
		t.Errorf("manager's digest:\n%s\n(link %s)\nwant:\n%s", got[0].Text, got[0].Link, want)
	}
	if got := r.digests(smith.ID, notify.KindManagerDigest); len(got) != 0 {
		t.Fatalf("Smith at night in London: %+v", got)
	}

	// 09:00 in London: Smith hears of his site alone, in English.
	e.advanceTo(time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 30, 0, london))
	r.scan()
	e.clock.Advance(30 * time.Minute)
	r.scan()
	en := r.digests(smith.ID, notify.KindManagerDigest)
	if len(en) != 1 {
		t.Fatalf("Smith at 09:00 London: %d digests", len(en))
	}
	if want := "Daily digest: 1 overdue, 0 certificates expiring, 0 escalated tickets"; en[0].Subject != want {
		t.Errorf("Smith's subject %q, want %q", en[0].Subject, want)
	}
	if want := "[伦敦项目]\n· 1 person overdue: Tom Jones (客服上岗认证)\n· Team board: http://academy.test/team?site=uk"; en[0].Text != want {
		t.Errorf("Smith's digest:\n%s\nwant:\n%s", en[0].Text, want)
	}
	if got := r.digests("manager", notify.KindManagerDigest); len(got) != 1 {
		t.Errorf("manager heard %d digests on one day", len(got))
	}
	if got := r.digests("othermanager", notify.KindManagerDigest); len(got) != 0 {
		t.Errorf("the manager of a quiet site heard: %+v", got)
	}
	if got := r.digests("agent", notify.KindManagerDigest); len(got) != 0 {
		t.Errorf("an agent heard a manager's digest: %+v", got)
	}
}
