package notify_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/academy/academy/internal/notify"
)

// Fan-out follows each person's choices: language and zone, kinds off,
// e-mail off, quiet hours, and at most one message of a kind a day.
func TestFanOutFollowsPreferences(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	r := w.relay("a", w.mail)
	due := time.Date(2026, 3, 5, 1, 30, 0, 0, time.UTC).Format(time.RFC3339) // 09:30 in Shanghai
	dueSoon := func(key, to string) notify.Message {
		return notify.Message{Key: key, Kind: notify.KindDueSoon, To: to, Params: map[string]string{"title": "入职培训", "due_at": due}, Link: "/assignments"}
	}
	if err := w.svc.Enqueue(ctx, dueSoon("soon/a1/li", "li"), dueSoon("soon/a2/li", "li"), dueSoon("soon/a1/amy", "amy"), dueSoon("soon/a1/wang", "wang")); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	got := map[string]notify.Delivery{}
	for _, d := range w.mail.got {
		got[d.To] = d
	}
	if len(w.mail.got) != 2 {
		t.Fatalf("e-mails: %+v, want li's first and amy's (the second of a kind on one day is capped, wang has no address)", w.mail.got)
	}
	if d := got["li"]; !strings.Contains(d.Text, "2026-03-05 09:30") || !strings.Contains(d.Subject, "三天内到期") || d.Key != "soon/a1/li" {
		t.Fatalf("li's mail: %+v, want Chinese with the Shanghai time", d)
	}
	if d := got["amy"]; !strings.HasPrefix(d.Subject, "Due in 3 days") {
		t.Fatalf("amy's mail: %+v, want English", d)
	}
	if _, total, _, _ := w.st.Notifications(ctx, "wang", 0, 10); total != 1 {
		t.Fatalf("wang has %d in-app notifications, want 1", total)
	}

	// Quiet hours from 22 to 7: at 23:00 the mail waits until 07:00, in-app is at once.
	if err := w.st.SavePrefs(ctx, "li", notify.Prefs{QuietFrom: 22, QuietTo: 7}); err != nil {
		t.Fatal(err)
	}
	if err := w.st.SavePrefs(ctx, "amy", notify.Prefs{Off: []notify.Kind{notify.KindAttemptGranted}}); err != nil {
		t.Fatal(err)
	}
	w.advance(13 * time.Hour) // 23:00 in Shanghai
	granted := func(to string) notify.Message {
		return notify.Message{Key: "granted/x/" + to, Kind: notify.KindAttemptGranted, To: to, Params: map[string]string{"title": "消防", "by": "张老师"}}
	}
	if err := w.svc.Enqueue(ctx, granted("li"), granted("amy")); err != nil {
		t.Fatal(err)
	}
	if n, err := r.Flush(ctx); n != 0 || err != nil {
		t.Fatalf("sent %d during quiet hours (%v)", n, err)
	}
	if _, _, unread, _ := w.st.Notifications(ctx, "li", 0, 10); unread != 2 {
		t.Fatalf("li has %d unread, want the in-app one at once", unread)
	}
	if _, total, _, _ := w.st.Notifications(ctx, "amy", 0, 10); total != 1 {
		t.Fatalf("amy switched the kind off but has %d notifications", total)
	}
	w.advance(7*time.Hour + 59*time.Minute) // 06:59
	if n, _ := r.Flush(ctx); n != 0 {
		t.Fatal("sent before the quiet hours ended")
	}
	w.advance(time.Minute)
	if n, err := r.Flush(ctx); n != 1 || err != nil {
		t.Fatalf("at 07:00 sent %d (%v), want li's", n, err)
	}

	// Channels per kind: amy takes "due today" and her digest in the app
	// only, "overdue" nowhere; li keeps both channels for every kind.
	var amy notify.Prefs
	amy.SetChoice(map[notify.Kind]notify.Choice{
		notify.KindDueToday: {InApp: true}, notify.KindManagerDigest: {InApp: true}, notify.KindOverdue: {},
	})
	if err := w.st.SavePrefs(ctx, "amy", amy); err != nil {
		t.Fatal(err)
	}
	mailed := len(w.mail.got)
	reminder := func(k notify.Kind, to string) notify.Message {
		return notify.Message{Key: string(k) + "/a1/" + to, Kind: k, To: to, Params: map[string]string{"title": "入职培训", "due_at": due}, Link: "/assignments"}
	}
	digest := notify.Message{Key: "manager-digest/amy/2026-03-03", Kind: notify.KindManagerDigest, To: "amy",
		Params: map[string]string{"overdue_count": "1", "expiring_count": "0", "escalated_count": "0", "items_en": "- Li: 入职培训"}}
	if err := w.svc.Enqueue(ctx, reminder(notify.KindDueToday, "amy"), reminder(notify.KindOverdue, "amy"), digest, reminder(notify.KindDueToday, "li")); err != nil {
		t.Fatal(err)
	}
	before := r.Counts()[notify.ChannelInApp].Sent
	if n, err := r.Flush(ctx); n != 1 || err != nil {
		t.Fatalf("sent %d (%v), want li's e-mail alone", n, err)
	}
	if got := w.mail.got[mailed:]; len(got) != 1 || got[0].To != "li" || got[0].Kind != notify.KindDueToday {
		t.Fatalf("e-mails: %+v, want li's \"due today\" alone (amy's e-mail is off for it and her digest)", got)
	}
	list, _, _, err := w.st.Notifications(ctx, "amy", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []notify.Kind
	for _, n := range list {
		kinds = append(kinds, n.Kind)
	}
	slices.Sort(kinds)
	if want := []notify.Kind{notify.KindDueSoon, notify.KindDueToday, notify.KindManagerDigest}; !slices.Equal(kinds, want) {
		t.Fatalf("amy's in-app notifications: %v, want %v (overdue is off on both channels)", kinds, want)
	}
	// amy's two and li's one in-app notifications were counted.
	if got := r.Counts()[notify.ChannelInApp].Sent - before; got != 3 {
		t.Fatalf("in-app notifications counted: %d, want 3", got)
	}
}

// Stored preferences of the first version (kinds off, e-mail off) read as
// they always did, and setting one kind's channels keeps the others.
func TestPrefsChoices(t *testing.T) {
	old := notify.Prefs{Off: []notify.Kind{notify.KindOverdue, notify.KindEscalated}, EmailOff: true}
	for k, want := range map[notify.Kind]notify.Choice{
		notify.KindAssigned:  {InApp: true},
		notify.KindOverdue:   {},
		notify.KindEscalated: {InApp: true}, // work handed over shows in the app whatever was chosen
	} {
		if got := old.Choice(k); got != want {
			t.Errorf("first-version prefs, %s: %+v, want %+v", k, got, want)
		}
	}
	if old.Wants(notify.KindEscalated) || !old.Wants(notify.KindAssigned) {
		t.Error("Wants is not the person's own choice")
	}
	if c := (notify.Prefs{}).Choice(notify.KindDueSoon); c != (notify.Choice{InApp: true, Email: true}) {
		t.Errorf("defaults: %+v", c)
	}

	p := old
	p.SetChoice(map[notify.Kind]notify.Choice{notify.KindDueToday: {InApp: true, Email: true}})
	if p.EmailOff {
		t.Fatal("e-mail for one kind left e-mail off for all")
	}
	for _, k := range notify.Kinds() {
		want := old.Choice(k)
		if k == notify.KindDueToday {
			want = notify.Choice{InApp: true, Email: true}
		}
		if got := p.Choice(k); got != want {
			t.Errorf("after setting due_today, %s: %+v, want %+v", k, got, want)
		}
	}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}

	got, err := notify.ParseChannels("channels", map[string][]string{"assigned": {"email"}, "overdue": {}, "escalated": {"in_app"}})
	if err != nil || got[notify.KindAssigned] != (notify.Choice{Email: true}) || got[notify.KindOverdue] != (notify.Choice{}) || len(got) != 3 {
		t.Fatalf("parse: %+v %v", got, err)
	}
	for in, want := range map[string]map[string][]string{
		`channels: 未知的通知类型 "nope" / unknown notification kind "nope"`:       {"nope": {"email"}},
		`channels.assigned: 未知的通知渠道 "sms"`:                                  {"assigned": {"sms"}},
		`channels.escalated: 升级给你的工单总会显示在站内通知中，站内不能关闭 / a ticket escalated`: {"escalated": {"email"}},
	} {
		if _, err := notify.ParseChannels("channels", want); err == nil || !strings.Contains(err.Error(), in) {
			t.Errorf("%v: %v, want %q", want, err, in)
		}
	}
}

func TestPrefsAndRobotValidation(t *testing.T) {
	for _, p := range []notify.Prefs{{QuietFrom: 24}, {QuietTo: -1}, {Off: []notify.Kind{"nope"}}, {InAppOff: []notify.Kind{"nope"}}, {MailOff: []notify.Kind{"nope"}}} {
		if err := p.Validate(); err == nil {
			t.Errorf("%+v was accepted", p)
		}
	}
	ok := []notify.SiteRobot{{}, {Robot: notify.RobotWeCom, URL: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"}, {Robot: notify.RobotFeishu, URL: "http://127.0.0.1:8080/hook"}}
	for _, r := range ok {
		if err := r.Validate(); err != nil {
			t.Errorf("%+v: %v", r, err)
		}
	}
	bad := []notify.SiteRobot{{Robot: "slack", URL: "https://x.example"}, {Robot: notify.RobotWeCom, URL: "http://example.com/hook"}, {Robot: notify.RobotWeCom, URL: "ftp://x"},
		{Robot: notify.RobotWeCom, URL: "https://u:p@x.example"}, {Robot: notify.RobotWeCom, URL: "https://x.example", Secret: "a b"}, {Robot: notify.RobotWeCom, URL: "https://x.example", Kinds: []notify.Kind{"x"}}}
	for _, r := range bad {
		if err := r.Validate(); err == nil {
			t.Errorf("%+v was accepted", r)
		}
	}
}
