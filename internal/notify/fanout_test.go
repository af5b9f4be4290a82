package notify_test

import (
	"context"
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
}

func TestPrefsAndRobotValidation(t *testing.T) {
	for _, p := range []notify.Prefs{{QuietFrom: 24}, {QuietTo: -1}, {Off: []notify.Kind{"nope"}}} {
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
