package http_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/mongo/mongotest"
	"github.com/academy/academy/internal/notify"
)

// mailbox is an in-process channel that records what it is given.
type mailbox struct {
	name string
	mu   sync.Mutex
	got  []notify.Delivery
	fail error
}

func (m *mailbox) Name() string             { return m.name }
func (m *mailbox) Permanent(err error) bool { return err != nil && strings.HasPrefix(err.Error(), "5") }
func (m *mailbox) Send(_ context.Context, d notify.Delivery) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	m.got = append(m.got, d)
	return nil
}

// flush runs a relay over the env's outbox with the given channels.
func (e *env) flush(chans ...notify.Channel) {
	e.t.Helper()
	r := &notify.Relay{Service: e.deps.Notify, Channels: chans, ID: "test"}
	if _, err := r.Flush(context.Background()); err != nil {
		e.t.Log(err) // a refused delivery is a test's subject, not a failure
	}
}

// A new assignment reaches each assignee in the app: the header's count
// on every page, the list, the home page; reading it clears the count.
func TestNotificationsOfANewAssignment(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	email := "trainee@example.com"
	if _, err := e.accounts.Users.UpdateUser(ctx, "trainee", academy.UserUpdate{Email: &email}); err != nil {
		t.Fatal(err)
	}
	e.assign("manager", map[string]any{"kind": "course", "ref": "ethics", "target": map[string]any{"people": []string{"trainee"}}, "due": map[string]any{"date": "2031-05-20"}})
	mail := &mailbox{name: notify.ChannelEmail}
	e.flush(mail)
	if len(mail.got) != 1 || mail.got[0].Address != email || !strings.Contains(mail.got[0].Text, "2031-05-20 23:59") {
		t.Fatalf("e-mail: %+v, want one to the trainee due at the end of the Beijing day", mail.got)
	}
	page := e.api("GET", "/courses", "trainee", nil)
	if !strings.Contains(page.Body, `id="notify-bell"`) || !strings.Contains(page.Body, `<span class="count"`) {
		t.Fatalf("no unread count in the header:\n%s", page.Body)
	}
	// Unread on the home page, it opens through the read mark.
	if home := e.api("GET", "/home", "trainee", nil); !strings.Contains(home.Body, `id="panel-notifications"`) || !strings.Contains(home.Body, `name="open" value="/courses/ethics"`) {
		t.Fatalf("home page without the notification:\n%s", home.Body)
	}
	if other := e.api("GET", "/courses", "agent", nil); strings.Contains(other.Body, `<span class="count"`) {
		t.Fatal("someone not assigned has an unread count")
	}
	var list struct {
		Total, Unread int
		Notifications []notify.Notification
	}
	e.api("GET", "/api/v1/notifications", "trainee", nil).json(t, &list)
	if list.Total != 1 || list.Unread != 1 || list.Notifications[0].Link != "/courses/ethics" || list.Notifications[0].Read {
		t.Fatalf("list: %+v", list)
	}
	// Another's notification cannot be marked.
	if res := e.api("POST", "/api/v1/notifications/read", "agent", map[string]any{"id": list.Notifications[0].ID}); res.StatusCode != 404 {
		t.Fatalf("marking another's: %d %s", res.StatusCode, res.Body)
	}
	res := e.form("/notifications/read", "trainee", url.Values{"id": {list.Notifications[0].ID}, "open": {"/courses/ethics"}})
	if res.StatusCode != 303 || res.Header.Get("Location") != "/courses/ethics" {
		t.Fatalf("open: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if page := e.api("GET", "/courses", "trainee", nil); strings.Contains(page.Body, `<span class="count"`) {
		t.Fatal("the count stays after reading")
	}
	if home := e.api("GET", "/home", "trainee", nil).Body; strings.Contains(home, `id="panel-notifications"`) {
		t.Fatalf("the home page still shows the notification read:\n%s", home)
	}
	// Creating the same assignment's news again (the catch-up) sends nothing new.
	if _, err := e.srv.CatchUpAssigned(ctx); err != nil {
		t.Fatal(err)
	}
	e.flush(mail)
	if len(mail.got) != 1 {
		t.Fatalf("the catch-up sent again: %d", len(mail.got))
	}
}

// An extra attempt granted reaches the learner.
func TestNotificationOfAGrant(t *testing.T) {
	e := newEnv(t)
	e.createUser("learner1", []string{academy.RoleTrainee}, []string{"s1"})
	e.tokens["learner1"] = e.login("learner1", testPassword)
	e.finishCourses("learner1", "ethics")
	e.useAttempts("learner1", "ethics", 3, time.Now().Add(-time.Hour))
	if res := e.api("POST", "/api/v1/users/learner1/quizzes/ethics/grants", "trainer", map[string]string{"kind": "extra_attempt", "reason": "网络中断"}); res.StatusCode != 201 && res.StatusCode != 200 {
		t.Fatalf("grant: %d %s", res.StatusCode, res.Body)
	}
	e.flush()
	var list struct{ Notifications []notify.Notification }
	e.api("GET", "/api/v1/notifications", "learner1", nil).json(t, &list)
	if len(list.Notifications) != 1 || list.Notifications[0].Kind != notify.KindAttemptGranted || !strings.Contains(list.Notifications[0].Text, "trainer") {
		t.Fatalf("learner's notifications: %+v", list.Notifications)
	}
}

// prefBoxes reads the preference page's checkboxes as "<channel> <kind>"
// with " on" when ticked and " fixed" when not the reader's to change.
var prefBox = regexp.MustCompile(`<input type="checkbox" name="(in_app|email)" value="([a-z0-9_]+)" aria-label="([^"]+)"( checked)?( disabled)?`)

func prefBoxes(t *testing.T, page string) []string {
	t.Helper()
	var out []string
	for _, m := range prefBox.FindAllStringSubmatch(page, -1) {
		if strings.Contains(m[3], m[2]) {
			t.Errorf("the label of %s %s names the kind by its code: %q", m[1], m[2], m[3])
		}
		box := m[1] + " " + m[2]
		if m[4] != "" {
			box += " on"
		}
		if m[5] != "" {
			box += " fixed"
		}
		out = append(out, box)
	}
	slices.Sort(out)
	return out
}

// apiBoxes is the API's view of the same kinds in prefBoxes' terms.
func apiBoxes(e *env, who string, shown []notify.Kind) []string {
	e.t.Helper()
	var got struct{ Channels map[notify.Kind][]string }
	e.api("GET", "/api/v1/me/notification-preferences", who, nil).json(e.t, &got)
	if len(got.Channels) != len(notify.Kinds()) {
		e.t.Fatalf("the API gives channels of %d kinds, want every kind: %v", len(got.Channels), got.Channels)
	}
	var out []string
	for _, k := range shown {
		for _, ch := range notify.PersonalChannels {
			box := ch + " " + string(k)
			if slices.Contains(got.Channels[k], ch) {
				box += " on"
			}
			out = append(out, box)
		}
	}
	slices.Sort(out)
	return out
}

// Preferences: the form and the API save them, each kind on the channels
// chosen for it; bad input is a 400 that names the field (in the reader's
// language: English for the API's caller here, Chinese on the page) and
// saves nothing.
func TestNotificationPreferences(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for body, field := range map[any]string{
		`{"kinds":["nope"],"email":true}`:                 "kinds: unknown notification kind",
		`{"kinds":[],"quiet_from":24}`:                    "quiet_from",
		`{"kinds":[],"quiet_to":-1}`:                      "quiet_to",
		`{"kinds":[],"extra":1}`:                          "extra",
		`{"channels":{"nope":["in_app"]}}`:                `channels: unknown notification kind \"nope\"`,
		`{"channels":{"assigned":["in_app","sms"]}}`:      `channels.assigned: unknown channel \"sms\": in_app or email`,
		`{"channels":{"assigned":"email"}}`:               "channels",
		`{"channels":{"escalated":["email"]},"kinds":[]}`: "channels.escalated: a ticket escalated to you always shows in the app",
		`{"kinds":`: "",
		`{"kinds":["` + strings.Repeat("x", 900<<10) + `"]}`: "",
	} {
		res := e.api("PUT", "/api/v1/me/notification-preferences", "trainee", body)
		if res.StatusCode != 400 && res.StatusCode != 413 || !strings.Contains(res.Body, field) {
			t.Errorf("%.80v: %d %.300s, want a 400 naming %s", body, res.StatusCode, res.Body, field)
		}
	}
	var got struct {
		Kinds          []string
		Email          bool
		EmailAvailable bool `json:"email_available"`
	}
	e.api("GET", "/api/v1/me/notification-preferences", "trainee", nil).json(t, &got)
	if len(got.Kinds) != len(notify.Kinds()) || !got.Email || got.EmailAvailable {
		t.Fatalf("bad input changed the defaults, or e-mail is offered to someone without an address: %+v", got)
	}

	// The first version's fields still work: kinds on, e-mail for all of them or none.
	res := e.api("PUT", "/api/v1/me/notification-preferences", "trainee", map[string]any{"kinds": []string{"assigned"}, "email": false, "quiet_from": 22, "quiet_to": 7})
	if res.StatusCode != 200 {
		t.Fatalf("save: %d %s", res.StatusCode, res.Body)
	}
	res = e.form("/account/notifications", "trainee", url.Values{"in_app": {"assigned", "overdue"}, "quiet_from": {"25"}, "quiet_to": {"7"}})
	if res.StatusCode != 400 || !strings.Contains(res.Body, "quiet") {
		t.Fatalf("form with a bad hour: %d", res.StatusCode)
	}
	if res = e.form("/account/notifications", "trainee", url.Values{"in_app": {"assigned", "nope"}}); res.StatusCode != 400 || !strings.Contains(res.Body, "in_app: 未知的通知类型") {
		t.Fatalf("form with an unknown kind: %d", res.StatusCode)
	}
	e.api("GET", "/api/v1/me/notification-preferences", "trainee", nil).json(t, &got)
	if len(got.Kinds) != 1 || got.Email {
		t.Fatalf("after a bad form: %+v", got)
	}

	// Without an address the page offers the app alone and says why; a
	// save keeps the e-mail choices stored.
	shown := []notify.Kind{}
	for _, k := range notify.Kinds() {
		if k.For([]string{academy.RoleTrainee}) {
			shown = append(shown, k)
		}
	}
	page := e.api("GET", "/account/notifications", "trainee", nil).Body
	if strings.Contains(page, `name="email"`) || !strings.Contains(page, "你的账号没有邮箱地址") || strings.Contains(page, "经理每日摘要") || !strings.Contains(page, `<th scope="row">新的学习任务</th>`) {
		t.Fatalf("page without an address, or with kinds a trainee never receives:\n%s", page)
	}
	if res := e.api("PUT", "/api/v1/me/notification-preferences", "trainee", map[string]any{"channels": map[string][]string{"due_today": {"email"}}}); res.StatusCode != 200 {
		t.Fatalf("channels: %d %s", res.StatusCode, res.Body)
	}
	if res := e.form("/account/notifications", "trainee", url.Values{"in_app": {"assigned", "overdue"}}); res.StatusCode != 303 {
		t.Fatalf("form: %d %s", res.StatusCode, res.Body)
	}
	if want := []string{"email due_today on", "email overdue", "in_app assigned on", "in_app due_today", "in_app overdue on"}; !containsAll(apiBoxes(e, "trainee", shown), want) {
		t.Fatalf("without an address the form changed e-mail: %v, want %v among them", apiBoxes(e, "trainee", shown), want)
	}

	// With an address: each kind on its own channels, one with both off,
	// one with e-mail off alone, one by e-mail alone; the page read again
	// shows exactly that, and so does the API.
	email := "trainee@example.com"
	if _, err := e.accounts.Users.UpdateUser(ctx, "trainee", academy.UserUpdate{Email: &email}); err != nil {
		t.Fatal(err)
	}
	form := url.Values{"quiet_from": {"22"}, "quiet_to": {"7"}}
	var want []string
	for _, k := range shown {
		inApp, mail := k != notify.KindOverdue && k != notify.KindDueSoon, k != notify.KindOverdue && k != notify.KindDueToday
		if inApp {
			form.Add("in_app", string(k))
		}
		if mail {
			form.Add("email", string(k))
		}
		want = append(want, fmt.Sprintf("in_app %s%s", k, map[bool]string{true: " on"}[inApp]), fmt.Sprintf("email %s%s", k, map[bool]string{true: " on"}[mail]))
	}
	slices.Sort(want)
	if res := e.form("/account/notifications", "trainee", form); res.StatusCode != 303 {
		t.Fatalf("form: %d %s", res.StatusCode, res.Body)
	}
	page = e.api("GET", "/account/notifications", "trainee", nil).Body
	if got := prefBoxes(t, page); !slices.Equal(got, want) {
		t.Fatalf("the page read again:\n%v\nwant what was saved:\n%v", got, want)
	}
	if !strings.Contains(page, `aria-label="通过邮件接收“任务今天到期”"`) || !strings.Contains(page, `selected>22:00`) {
		t.Fatalf("the boxes lack labels a screen reader says, or the quiet hours were lost:\n%s", page)
	}
	if got := apiBoxes(e, "trainee", shown); !slices.Equal(got, want) {
		t.Fatalf("the API's view:\n%v\nthe form's:\n%v", got, want)
	}
	e.api("GET", "/api/v1/me/notification-preferences", "trainee", nil).json(t, &got)
	if slices.Contains(got.Kinds, "overdue") || !slices.Contains(got.Kinds, "due_soon") || !got.Email || !got.EmailAvailable {
		t.Fatalf("the first version's summary: %+v", got)
	}

	// The API changes one kind and keeps the rest and the quiet hours; the page follows.
	if res := e.api("PUT", "/api/v1/me/notification-preferences", "trainee", map[string]any{"channels": map[string][]string{"assigned": {"in_app"}}}); res.StatusCode != 200 {
		t.Fatalf("channels: %d %s", res.StatusCode, res.Body)
	}
	want[slices.Index(want, "email assigned on")] = "email assigned"
	slices.Sort(want)
	page = e.api("GET", "/account/notifications", "trainee", nil).Body
	if got := prefBoxes(t, page); !slices.Equal(got, want) || !strings.Contains(page, `selected>22:00`) {
		t.Fatalf("after the API changed assigned:\n%v\nwant:\n%v (quiet hours kept)", got, want)
	}

	// A manager sees the kinds of the job; escalations stay in the app.
	if page := e.api("GET", "/account/notifications", "manager", nil).Body; !strings.Contains(page, "经理每日摘要") ||
		!slices.Contains(prefBoxes(t, page), "in_app escalated on fixed") || !strings.Contains(page, `aria-describedby="fixed-hint"`) {
		t.Fatalf("manager's page:\n%s", page)
	}
	// A form cannot switch the app off for them (nor e-mail, not offered
	// to a manager without an address).
	if res := e.form("/account/notifications", "manager", url.Values{"in_app": {"assigned"}}); res.StatusCode != 303 {
		t.Fatalf("manager's form: %d %s", res.StatusCode, res.Body)
	}
	if got := apiBoxes(e, "manager", []notify.Kind{notify.KindEscalated, notify.KindManagerDigest}); !slices.Equal(got, []string{"email escalated on", "email manager_digest on", "in_app escalated on", "in_app manager_digest"}) {
		t.Fatalf("escalated after a form without it: %v", got)
	}
}

func containsAll(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

// A site's robot: the secret is written, never shown; bad addresses are
// refused with a message naming the field.
func TestSiteRobotSettings(t *testing.T) {
	e := newEnv(t)
	path := "/api/v1/sites/s1/robot"
	for _, body := range []map[string]any{
		{"robot": "wecom", "url": "http://example.com/hook"},
		{"robot": "wecom", "url": "ftp://example.com/hook"},
		{"robot": "slack", "url": "https://example.com/hook"},
		{"robot": "wecom", "url": "https://example.com/hook", "kinds": []string{"nope"}},
		{"robot": "wecom", "url": "https://example.com/" + strings.Repeat("a", 600)},
	} {
		if res := e.api("PUT", path, "manager", body); res.StatusCode != 400 {
			t.Errorf("%v: %d %s", body, res.StatusCode, res.Body)
		}
	}
	res := e.api("PUT", path, "manager", map[string]any{"robot": "dingtalk", "url": "https://oapi.dingtalk.com/robot/send?access_token=t", "secret": "SECabc", "kinds": []string{"escalated"}})
	if res.StatusCode != 200 || strings.Contains(res.Body, "SECabc") || !strings.Contains(res.Body, `"has_secret":true`) {
		t.Fatalf("save: %d %s", res.StatusCode, res.Body)
	}
	// A form without a secret keeps it; the page never shows it.
	res = e.form("/sites/s1/robot", "manager", url.Values{"robot": {"dingtalk"}, "url": {"https://oapi.dingtalk.com/robot/send?access_token=t2"}, "kind": {"escalated", "sla_breach"}})
	if res.StatusCode != 303 {
		t.Fatalf("form: %d %s", res.StatusCode, res.Body)
	}
	page := e.api("GET", "/sites/s1/robot", "manager", nil)
	if strings.Contains(page.Body, "SECabc") || !strings.Contains(page.Body, "access_token=t2") {
		t.Fatalf("page shows the secret or lost the address")
	}
	r, err := e.notes.SiteRobot(context.Background(), "s1")
	if err != nil || r.Secret != "SECabc" || len(r.Kinds) != 2 {
		t.Fatalf("stored: %+v %v", r, err)
	}
	if res := e.form("/sites/s1/robot", "manager", url.Values{"robot": {"feishu"}, "url": {"http://10.0.0.1/hook"}}); res.StatusCode != 400 || !strings.Contains(res.Body, "https://") {
		t.Fatalf("form with http: %d", res.StatusCode)
	}
	if r2, _ := e.notes.SiteRobot(context.Background(), "s1"); r2.Robot != "dingtalk" {
		t.Fatalf("a refused form changed the robot: %+v", r2)
	}
}

// The admin outbox lists parked deliveries with their reasons and sends
// one again on request.
func TestAdminOutboxResend(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	email := "agent@example.com"
	if _, err := e.accounts.Users.UpdateUser(ctx, "agent", academy.UserUpdate{Email: &email}); err != nil {
		t.Fatal(err)
	}
	if err := e.deps.Notify.Enqueue(ctx, notify.Message{Key: "escalated/s1/t1/agent", Kind: notify.KindEscalated, To: "agent", Params: map[string]string{"ticket": "T-1", "subject": "漏水", "site_name": "项目s1"}}); err != nil {
		t.Fatal(err)
	}
	mail := &mailbox{name: notify.ChannelEmail, fail: errors.New("550 mailbox unavailable")}
	e.flush(mail)
	page := e.api("GET", "/admin/notifications?state=parked", "admin", nil)
	if page.StatusCode != 200 || !strings.Contains(page.Body, "550 mailbox unavailable") || !strings.Contains(page.Body, "已搁置") || !strings.Contains(page.Body, "工单升级给我") {
		t.Fatalf("outbox page: %d\n%s", page.StatusCode, page.Body)
	}
	// The page says how long it keeps what was sent.
	if !strings.Contains(page.Body, "已发送的记录保留 30 天") {
		t.Fatalf("the outbox page does not say how long sent items are kept:\n%s", page.Body)
	}
	if res := e.api("GET", "/admin/notifications?state=lost", "admin", nil); res.StatusCode != 400 {
		t.Fatalf("unknown state: %d", res.StatusCode)
	}
	mail.fail = nil
	if res := e.form("/admin/notifications/resend", "admin", url.Values{"id": {"escalated/s1/t1/agent/email"}}); res.StatusCode != 303 {
		t.Fatalf("resend: %d %s", res.StatusCode, res.Body)
	}
	e.flush(mail)
	if len(mail.got) != 1 {
		t.Fatalf("after resending: %d sent", len(mail.got))
	}
	if res := e.form("/admin/notifications/resend", "admin", url.Values{"id": {"escalated/s1/t1/agent/email"}}); res.StatusCode != 409 {
		t.Fatalf("resending a sent one: %d", res.StatusCode)
	}
}

// openTickets is a desk whose open tickets are given.
type openTickets []academy.TicketSummary

func (o openTickets) ListOpenTickets(context.Context) ([]academy.TicketSummary, error) { return o, nil }

// A ticket escalated by the desk's sweep reaches its site's managers once,
// however often the sweep runs; an escalation older than the window is
// not told again.
func TestEscalationTellsTheSiteManagers(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	now := time.Now()
	esc := &notify.Escalations{Service: e.deps.Notify, Accounts: e.accounts, Within: time.Hour, Tickets: openTickets{
		{ID: "t1", Workspace: "s1", Number: "BX-0001", Title: "厨房漏水", Escalated: now.Add(-time.Minute)},
		{ID: "t2", Workspace: "s1", Number: "BX-0002", Title: "旧事", Escalated: now.Add(-2 * time.Hour)},
		{ID: "t3", Workspace: "s1", Number: "BX-0003", Title: "未升级"},
	}}
	for range 2 {
		if _, err := esc.Notify(ctx); err != nil {
			t.Fatal(err)
		}
		e.flush()
	}
	var list struct{ Notifications []notify.Notification }
	e.api("GET", "/api/v1/notifications", "manager", nil).json(t, &list)
	if len(list.Notifications) != 1 || !strings.Contains(list.Notifications[0].Text, "BX-0001") || !strings.Contains(list.Notifications[0].Text, "项目s1") ||
		list.Notifications[0].Link != "/desk/s1/tickets/t1" {
		t.Fatalf("manager's notifications: %+v", list.Notifications)
	}
	for _, who := range []string{"othermanager", "agent"} {
		var l struct{ Total int }
		if e.api("GET", "/api/v1/notifications", who, nil).json(t, &l); l.Total != 0 {
			t.Errorf("%s was told of another's escalation", who)
		}
	}
}

// The lesson page is kept whole per menu and lesson (lessonpage.go): the
// header's count must still be each reader's own.
func TestLessonPageShowsTheReadersOwnCount(t *testing.T) {
	e := newEnv(t)
	for _, who := range []string{"learner1", "learner2"} {
		e.createUser(who, []string{academy.RoleTrainee}, []string{"s1"})
		e.tokens[who] = e.login(who, testPassword)
	}
	if err := e.deps.Notify.Enqueue(context.Background(), notify.Message{Key: "granted/x/learner1", Kind: notify.KindAttemptGranted, To: "learner1", Params: map[string]string{"title": "测验"}}); err != nil {
		t.Fatal(err)
	}
	e.flush()
	lesson := "/courses/ethics/lessons/" + e.deps.Catalog.Snapshot().Course("ethics").Lessons[0].Slug
	if page := e.api("GET", lesson, "learner2", nil); page.StatusCode != 200 || strings.Contains(page.Body, `<span class="count"`) {
		t.Fatalf("learner2 (nothing unread): %d, count shown=%v", page.StatusCode, strings.Contains(page.Body, `<span class="count"`))
	}
	if page := e.api("GET", lesson, "learner1", nil); !strings.Contains(page.Body, `<span class="count"`) {
		t.Fatal("learner1's unread count is missing from the lesson page another learner opened first")
	}
	if page := e.api("GET", lesson, "learner2", nil); strings.Contains(page.Body, `<span class="count"`) {
		t.Fatal("learner2 sees learner1's count")
	}
}

// The home page and the list read a person's notifications by _id alone:
// on the embedded store any other filter scans every person's
// notifications, hundreds of thousands after a year of daily reminders.
// Many other people's notifications change nothing on the person's pages.
func TestNotificationPagesReadByID(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	start := time.Now().Add(-90 * 24 * time.Hour)
	add := func(to string, i int) {
		t.Helper()
		nt := &notify.Notification{ID: fmt.Sprintf("granted/q%d/%s", i, to), To: to, Kind: notify.KindAttemptGranted,
			Subject: fmt.Sprintf("第 %d 条", i), Text: "测验", Link: "/quizzes", CreatedAt: start.Add(time.Duration(i) * time.Hour)}
		if _, err := e.notes.AddNotification(ctx, nt); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 250 {
		add("agent", i)
		if i%5 == 0 {
			add("manager", i)
		}
	}
	const mine = 65
	for i := range mine {
		add("trainee", 1000+i)
	}
	// A retried fan-out adds nothing.
	add("trainee", 1000)

	notifyScans := func(name string) {
		t.Helper()
		for _, s := range e.ops.takeScans() {
			// On MongoDB an inbox is replaced at its version, which
			// the filter names; it is the embedded store that scans.
			if f := strings.Fields(s); strings.HasPrefix(f[1], "notif") && !mongotest.External() {
				t.Errorf("%s filters %s beyond _id: the embedded store scans it", name, s)
			}
		}
	}
	notifyOps := func(name string, limit int) {
		t.Helper()
		n := 0
		for k, v := range e.ops.take() {
			if strings.HasPrefix(strings.Fields(k)[1], "notif") {
				n += v
			}
		}
		if n > limit {
			t.Errorf("%s sends %d commands about notifications, more than %d", name, n, limit)
		}
	}
	e.ops.take()
	if home := e.api("GET", "/home", "trainee", nil); !strings.Contains(home.Body, `id="panel-notifications"`) || !strings.Contains(home.Body, fmt.Sprintf("第 %d 条", 1000+mine-1)) {
		t.Fatalf("home page without the newest notification:\n%s", home.Body)
	}
	notifyScans("the home page")
	e.api("GET", "/home", "trainee", nil)
	notifyOps("the home page", 2)
	if page := e.api("GET", "/notifications?offset=60", "trainee", nil); page.StatusCode != 200 || !strings.Contains(page.Body, "第 1000 条") || strings.Contains(page.Body, "第 1005 条") {
		t.Fatalf("last page of the list: %d\n%s", page.StatusCode, page.Body)
	}
	notifyScans("the list")
	e.api("GET", "/notifications", "trainee", nil)
	notifyOps("the list", 3)

	type listing struct {
		Total, Unread int
		Notifications []notify.Notification
	}
	list := func(who string, offset int) listing {
		t.Helper()
		var l listing
		e.api("GET", fmt.Sprintf("/api/v1/notifications?offset=%d", offset), who, nil).json(t, &l)
		return l
	}
	var seen []string
	for _, offset := range []int{0, 30, 60, 90} {
		l := list("trainee", offset)
		if l.Total != mine || l.Unread != mine {
			t.Fatalf("offset %d: total %d, unread %d, want %d and %d", offset, l.Total, l.Unread, mine, mine)
		}
		if want := min(max(mine-offset, 0), 30); len(l.Notifications) != want {
			t.Fatalf("offset %d: %d notifications, want %d", offset, len(l.Notifications), want)
		}
		for _, n := range l.Notifications {
			seen = append(seen, n.Subject)
		}
	}
	for i, s := range seen {
		if want := fmt.Sprintf("第 %d 条", 1000+mine-1-i); s != want {
			t.Fatalf("notification %d is %q, want %q (newest first)", i, s, want)
		}
	}
	notifyScans("the API's list")
	if l := list("agent", 0); l.Total != 200 || l.Unread != 200 || l.Notifications[0].Subject != "第 249 条" {
		t.Fatalf("agent's list: total %d, unread %d, first %q; want the newest 200", l.Total, l.Unread, l.Notifications[0].Subject)
	}

	newest := list("trainee", 0).Notifications[0]
	if res := e.form("/notifications/read", "trainee", url.Values{"id": {newest.ID}}); res.StatusCode != 303 {
		t.Fatalf("mark read: %d %s", res.StatusCode, res.Body)
	}
	notifyScans("marking one read")
	if l := list("trainee", 0); l.Unread != mine-1 || !l.Notifications[0].Read || l.Notifications[1].Read {
		t.Fatalf("after marking the newest read: %d unread, first read %v, second read %v", l.Unread, l.Notifications[0].Read, l.Notifications[1].Read)
	}
	if home := e.api("GET", "/home", "trainee", nil).Body; strings.Contains(home, fmt.Sprintf("第 %d 条", 1000+mine-1)) || !strings.Contains(home, fmt.Sprintf("第 %d 条", 1000+mine-2)) {
		t.Fatalf("home page after marking the newest read:\n%s", home)
	}
	if res := e.form("/notifications/read", "trainee", url.Values{"all": {"1"}}); res.StatusCode != 303 {
		t.Fatalf("mark all read: %d %s", res.StatusCode, res.Body)
	}
	notifyScans("marking all read")
	if l := list("trainee", 60); l.Unread != 0 || l.Total != mine || !l.Notifications[4].Read {
		t.Fatalf("after marking all read: %+v", l)
	}
	if page := e.api("GET", "/courses", "trainee", nil); strings.Contains(page.Body, `<span class="count"`) {
		t.Fatal("the unread badge stays after marking all read")
	}
	if l := list("manager", 0); l.Total != 50 || l.Unread != 50 {
		t.Fatalf("marking the trainee's read changed the manager's: total %d, unread %d", l.Total, l.Unread)
	}
}
