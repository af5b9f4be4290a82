package http_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/mongo"
	"github.com/academy/academy/internal/notify"
)

// reminders is the scheduler over the env's own services, with the relay
// that fans its messages out into the in-app lists.
type reminders struct {
	e     *env
	store *mongo.Notify
	sched *notify.Scheduler
	relay *notify.Relay
}

func newReminders(e *env) *reminders {
	store := mongo.NewNotify(e.db)
	svc := &notify.Service{Store: store, People: notify.Directory{Accounts: e.accounts}, Now: e.clock.Now}
	return &reminders{e: e, store: store, relay: &notify.Relay{Service: svc, ID: "test", Now: e.clock.Now},
		sched: &notify.Scheduler{Notify: svc, Tickets: e.deps.Desk.Live.(*mongo.DeskStore), Marks: store, Accounts: e.accounts,
			Assignments: e.deps.Assignments, Certifier: e.deps.Certifier, Team: e.deps.TeamBoard, Flags: e.srv, PublicURL: e.deps.PublicURL, Now: e.clock.Now}}
}

// scan runs the scheduler (twice, and a second scheduler over the same
// store, to show that repeats add nothing) and fans out.
func (r *reminders) scan() {
	r.e.t.Helper()
	ctx := context.Background()
	other := *r.sched
	for _, s := range []*notify.Scheduler{r.sched, r.sched, &other} {
		if _, err := s.Scan(ctx); err != nil {
			r.e.t.Fatal(err)
		}
	}
	if _, err := r.relay.Flush(ctx); err != nil {
		r.e.t.Fatal(err)
	}
}

// inbox lists what username has in the app, oldest first, as "kind:subject".
func (r *reminders) inbox(username string) []string {
	r.e.t.Helper()
	list, _, _, err := r.store.Notifications(context.Background(), username, 0, 100)
	if err != nil {
		r.e.t.Fatal(err)
	}
	var out []string
	for _, n := range slices.Backward(list) {
		out = append(out, string(n.Kind)+": "+n.Text)
	}
	return out
}

// advanceTo moves the env's clock to at.
func (e *env) advanceTo(at time.Time) { e.clock.Advance(at.Sub(e.clock.Now())) }

// An assignment's life reminds each learner three days before, on the
// day and the day after, at nine in the morning of their own zone and in
// their own language, once each.
func TestRemindersOfAnAssignment(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	london, _ := time.LoadLocation("Europe/London")
	if err := e.accounts.Sites.CreateSite(ctx, &academy.Site{ID: "uk", Name: "伦敦项目", TZ: "Europe/London"}); err != nil {
		t.Fatal(err)
	}
	wang := e.createUser("wang", []string{academy.RoleTrainee}, []string{"s1"})
	smith := &academy.User{Username: "smith", LegalName: "John Smith", Roles: []string{academy.RoleTrainee}, Sites: []string{"uk"}, Lang: academy.LangEN}
	if err := e.accounts.CreateUser(ctx, academy.Actor{}, smith, testPassword); err != nil {
		t.Fatal(err)
	}
	r := newReminders(e)
	r.scan() // the first scan only sets the mark
	// Start at 08:00 in Beijing; the work is due at the end of the fifth day.
	start := time.Date(e.clock.Now().In(beijing).Year(), e.clock.Now().In(beijing).Month(), e.clock.Now().In(beijing).Day()+1, 8, 0, 0, 0, beijing)
	e.advanceTo(start)
	r.scan()
	due := academy.DateOf(start.AddDate(0, 0, 3), beijing)
	if err := e.deps.Assignments.CreateAssignment(ctx, &academy.Assignment{ID: "a1", Kind: academy.AssignCourse, Ref: "ethics",
		Target: academy.AssignTarget{People: []string{"wang", "smith"}}, Due: academy.AssignDue{Date: due}, CreatedBy: "manager", CreatedAt: start}); err != nil {
		t.Fatal(err)
	}
	morning := func(day int, loc *time.Location) time.Time {
		return time.Date(start.Year(), start.Month(), start.Day()+day, 9, 0, 0, 0, loc)
	}
	wantZH := "学习任务“职业道德与服务意识”将于 " + string(due) + " 23:59 到期。"
	wantEN := "Your assignment “职业道德与服务意识” is due " + string(due) + " 23:59."
	// 09:00 in Beijing is 01:00 in London: Wang hears, Smith not yet.
	e.advanceTo(morning(0, beijing).Add(time.Minute))
	r.scan()
	if got := r.inbox(wang.ID); len(got) != 1 || got[0] != "due_soon: "+wantZH {
		t.Fatalf("Wang at 09:00 Beijing: %q", got)
	}
	if got := r.inbox(smith.ID); len(got) != 0 {
		t.Fatalf("Smith at 01:00 London: %q", got)
	}
	e.advanceTo(morning(0, london).Add(time.Minute))
	r.scan()
	if got := r.inbox(smith.ID); len(got) != 1 || got[0] != "due_soon: "+wantEN {
		t.Fatalf("Smith at 09:00 London: %q", got)
	}
	// Through the due day and the day after, for both.
	e.advanceTo(morning(3, london).Add(time.Minute))
	r.scan()
	e.advanceTo(morning(4, london).Add(time.Minute))
	r.scan()
	e.advanceTo(morning(6, london).Add(time.Minute))
	r.scan()
	kinds := func(list []string) string {
		var ks []string
		for _, s := range list {
			k, _, _ := strings.Cut(s, ":")
			ks = append(ks, k)
		}
		return strings.Join(ks, " ")
	}
	for _, who := range []string{wang.ID, smith.ID} {
		if got := kinds(r.inbox(who)); got != "due_soon due_today overdue" {
			t.Errorf("%s heard %q, want due_soon due_today overdue once each", who, got)
		}
	}
	if got := r.inbox(wang.ID)[2]; !strings.Contains(got, "已于 "+string(due)+" 23:59 到期") {
		t.Errorf("Wang's overdue notice: %q", got)
	}
	if got := r.inbox(smith.ID)[1]; !strings.Contains(got, "is due today ("+string(due)+" 23:59)") {
		t.Errorf("Smith's due-today notice: %q", got)
	}
}

// A ticket's SLA: its assignee and the site's managers hear at half, at
// four fifths and at the breach of each clock, once each.
func TestRemindersOfATicketsSLA(t *testing.T) {
	e := newEnv(t)
	e.deps.Desk.Now = e.clock.Now
	r := newReminders(e)
	r.scan()
	var tk apiTicket
	// An urgent repair: respond within 15 minutes, resolve within 4 hours.
	e.api("POST", "/api/v1/workspaces/s1/tickets", "agent", map[string]any{"type": "repair", "title": "电梯困人", "resident": "r1", "priority": "urgent"}).json(t, &tk)
	if res := e.transition("s1", tk.ID, "agent", "assign", tk.Version, map[string]string{"assignee": "agent"}); res.StatusCode != 200 {
		t.Fatalf("assign: %d %s", res.StatusCode, res.Body)
	}
	for _, step := range []time.Duration{8 * time.Minute, 5 * time.Minute, 3 * time.Minute} {
		e.clock.Advance(step)
		r.scan()
	}
	want := []string{
		"sla_50: 项目s1 的工单 " + tk.Number + "“电梯困人”首次响应时限已用去一半",
		"sla_80: 项目s1 的工单 " + tk.Number + "“电梯困人”首次响应时限已用去 80%",
		"sla_breach: 项目s1 的工单 " + tk.Number + "“电梯困人”已超过首次响应时限",
	}
	check := func(who string, want []string) {
		t.Helper()
		got := r.inbox(who)
		if len(got) != len(want) {
			t.Fatalf("%s heard %q, want %d", who, got, len(want))
		}
		for i := range want {
			if !strings.HasPrefix(got[i], want[i]) {
				t.Errorf("%s's notice %d: %q, want %q…", who, i, got[i], want[i])
			}
		}
	}
	check("agent", want)
	check("manager", want)
	check("othermanager", nil)
	// Responding stops the response clock; the resolution's half comes
	// at two hours.
	var cur apiTicket
	e.api("GET", "/api/v1/workspaces/s1/tickets/"+tk.ID, "agent", nil).json(t, &cur)
	if res := e.transition("s1", tk.ID, "agent", "dispatch", cur.Version, map[string]string{"department": "engineering", "priority": "urgent"}); res.StatusCode != 200 {
		t.Fatalf("dispatch: %d %s", res.StatusCode, res.Body)
	}
	e.clock.Advance(2 * time.Hour)
	r.scan()
	want = append(want, "sla_50: 项目s1 的工单 "+tk.Number+"“电梯困人”处理时限已用去一半")
	check("agent", want)
	check("manager", want)
}

// A certificate's expiry: its holder hears 30 and 7 days before, at nine
// in the morning of the site's zone, once each.
func TestRemindersOfACertificatesExpiry(t *testing.T) {
	e := newEnv(t)
	e.createUser("newbie", []string{academy.RoleTrainee}, []string{"s1"})
	e.tokens["newbie"] = e.login("newbie", testPassword)
	cert := e.certify("newbie")
	r := newReminders(e)
	expires := cert.ExpiresAt.In(beijing)
	morning := func(daysBefore int) time.Time {
		return time.Date(expires.Year(), expires.Month(), expires.Day()-daysBefore, 9, 0, 0, 0, beijing)
	}
	for _, d := range []int{31, 30, 29, 8, 7, 6} {
		e.advanceTo(morning(d).Add(-time.Hour))
		r.scan()
		e.advanceTo(morning(d).Add(time.Minute))
		r.scan()
	}
	got := r.inbox("newbie")
	want := []string{
		"cert_expiring_30: 你的证书“" + e.deps.Catalog.Snapshot().Programs["desk"].Name + "”将于 " + cert.ExpiresAt.In(beijing).Format("2006-01-02 15:04") + " 到期。",
		"cert_expiring_7: 你的证书“" + e.deps.Catalog.Snapshot().Programs["desk"].Name + "”将于 " + cert.ExpiresAt.In(beijing).Format("2006-01-02 15:04") + " 到期，请尽快复训。",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("newbie heard:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestCatchUpReadsEveryoneOnce: a scan after a stop catches up on up to
// two days, hour by hour. It reads the people on the sites once, and each
// person's record once however many of their mornings it passes, not
// again for every hour.
func TestCatchUpReadsEveryoneOnce(t *testing.T) {
	e := newEnv(t)
	r := newReminders(e)
	r.scan()
	e.clock.Advance(47 * time.Hour) // stopped for two days
	e.ops.take()
	if _, err := r.sched.Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	ops := e.ops.take()
	people, _, err := e.accounts.Users.ListUsers(context.Background(), academy.UserFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	// Once for who is on the sites, once for the team evidence the
	// managers' digests count from.
	if n := ops["find users"]; n > 2 {
		t.Errorf("a scan of two days read the users %d times", n)
	}
	for _, coll := range []string{"progress", "quiz_records"} {
		if n := ops["find "+coll]; n == 0 || n > len(people) {
			t.Errorf("a scan of two days read %s %d times, for %d people", coll, n, len(people))
		}
	}
}

// TestFirstScanLooksNotBack: a store's first scan sends nothing from
// before it (a new server missed no morning) and only sets the mark; a
// scan after a stop still catches up from that mark.
func TestFirstScanLooksNotBack(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	wang := e.createUser("wang", []string{academy.RoleTrainee}, []string{"s1"})
	now := e.clock.Now().In(beijing)
	// Tomorrow at 10:00 in Beijing; the work is due two days after, so
	// the "due in three days" morning was yesterday's, which a look back
	// of two days would pass.
	day := time.Date(now.Year(), now.Month(), now.Day()+1, 10, 0, 0, 0, beijing)
	e.advanceTo(day)
	due := academy.DateOf(day.AddDate(0, 0, 2), beijing)
	if err := e.deps.Assignments.CreateAssignment(ctx, &academy.Assignment{ID: "a1", Kind: academy.AssignCourse, Ref: "ethics",
		Target: academy.AssignTarget{People: []string{"wang"}}, Due: academy.AssignDue{Date: due}, CreatedBy: "manager", CreatedAt: day.AddDate(0, 0, -2)}); err != nil {
		t.Fatal(err)
	}
	r := newReminders(e)
	e.ops.take()
	r.scan()
	if ops := e.ops.take(); ops["find progress"]+ops["find quiz_records"] > 0 {
		t.Errorf("the first scan read learners' records: %v", ops)
	}
	if got := r.inbox(wang.ID); len(got) != 0 {
		t.Fatalf("the first scan sent what fell before it: %q", got)
	}
	// The test clock moves on a little with every reading.
	if mark, err := r.store.ScanMark(ctx, "schedule"); err != nil || mark.Before(day) || mark.Sub(day) > time.Second {
		t.Fatalf("mark after the first scan: %v, %v; want %v", mark, err, day)
	}
	// Stopped until the due day's 10:00: the scan passes its morning.
	e.advanceTo(day.AddDate(0, 0, 2))
	r.scan()
	if got := r.inbox(wang.ID); len(got) != 1 || !strings.HasPrefix(got[0], "due_today: ") {
		t.Fatalf("after a stop over the due day's morning: %q", got)
	}
}
