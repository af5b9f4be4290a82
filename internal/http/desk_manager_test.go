package http_test

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// escalatedComplaint has the agent take a complaint as far as the
// investigation and leaves it until it is escalated to the managers.
func (e *env) escalatedComplaint(title string) apiTicket {
	e.t.Helper()
	var tk apiTicket
	e.api("POST", "/api/v1/workspaces/s1/tickets", "agent", map[string]any{"type": "complaint", "title": title, "resident": "r2", "priority": "urgent"}).json(e.t, &tk)
	for i, s := range []struct {
		action string
		fields map[string]string
	}{
		{"confirm", map[string]string{"summary": "晚上十点后仍有电钻声"}},
		{"investigate", map[string]string{"department": "security"}},
	} {
		if res := e.transition("s1", tk.ID, "agent", s.action, i+1, s.fields); res.StatusCode != 200 {
			e.t.Fatalf("%s: %d %s", s.action, res.StatusCode, res.Body)
		}
	}
	real := e.deps.Desk.Now
	e.deps.Desk.Now = func() time.Time { return real().Add(3 * 24 * time.Hour) }
	e.t.Cleanup(func() { e.deps.Desk.Now = real })
	done, err := e.deps.Desk.Escalate(context.Background())
	if err != nil || len(done) != 1 {
		e.t.Fatalf("escalate: %v %+v", err, done)
	}
	e.api("GET", "/api/v1/workspaces/s1/tickets/"+tk.ID, "agent", nil).json(e.t, &tk)
	return tk
}

// A manager of the site reads its escalated tickets and takes the
// actions the procedure gives managers; a manager of another site and a
// trainee are refused.
func TestManagerOpensEscalatedTicket(t *testing.T) {
	e := newEnv(t)
	tk := e.escalatedComplaint("楼上装修噪音")
	path := "/api/v1/workspaces/s1/tickets/" + tk.ID
	for who, want := range map[string]int{"manager": 200, "othermanager": 403, "trainee": 403, "trainer": 403} {
		if res := e.api("GET", path, who, nil); res.StatusCode != want {
			t.Errorf("GET ticket as %s: %d, want %d: %s", who, res.StatusCode, want, res.Body)
		}
		if who == "manager" {
			continue
		}
		if res := e.transition("s1", tk.ID, who, "note", tk.Version, map[string]string{"text": "请主管处理"}); res.StatusCode != want {
			t.Errorf("note as %s: %d, want %d", who, res.StatusCode, want)
		}
	}
	var got apiTicket
	e.api("GET", path, "manager", nil).json(t, &got)
	if len(got.Allowed) != 1 || got.Allowed[0].Action != "respond" {
		t.Fatalf("a manager is offered %+v, want only respond", got.Allowed)
	}
	if res := e.api("GET", "/api/v1/workspaces/s1/tickets", "manager", nil); res.StatusCode != 200 || !strings.Contains(res.Body, tk.ID) {
		t.Fatalf("manager's list: %d %s", res.StatusCode, res.Body)
	}

	// What the procedure gives managers, and notes, go through and are
	// stored under the manager's name.
	res := e.transition("s1", tk.ID, "manager", "note", tk.Version, map[string]string{"text": "已联系装修户"})
	if res.StatusCode != 200 {
		t.Fatalf("manager's note: %d %s", res.StatusCode, res.Body)
	}
	res.json(t, &got)
	res = e.transition("s1", tk.ID, "manager", "respond", got.Version, map[string]string{"proposal": "限定施工时间为 8:00–18:00", "promised_at": "2026-12-20T18:00"})
	if res.StatusCode != 200 {
		t.Fatalf("manager's respond: %d %s", res.StatusCode, res.Body)
	}
	res.json(t, &got)
	last := got.Events[len(got.Events)-1]
	if got.State != "responded" || last.Action != "respond" || last.Actor == "" || last.Actor == "agent" {
		t.Fatalf("after respond: state %s, last event %+v", got.State, last)
	}
	// The rest stays with the agents: a 403 that says what a manager may do.
	for _, a := range []struct {
		action string
		fields map[string]string
	}{
		{"follow_up", map[string]string{"note": "已落实"}},
		{"message", map[string]string{"text": "您好"}},
	} {
		res := e.transition("s1", tk.ID, "manager", a.action, got.Version, a.fields)
		if res.StatusCode != 403 || !strings.Contains(res.Body, "site manager may") {
			t.Errorf("manager %s: %d %s", a.action, res.StatusCode, res.Body)
		}
	}
	if res := e.api("POST", "/api/v1/workspaces/s1/tickets", "manager", map[string]any{"type": "inquiry", "title": "问停车"}); res.StatusCode != 403 {
		t.Errorf("manager creates a ticket: %d", res.StatusCode)
	}
	if res := e.api("POST", "/api/v1/workspaces/s1/residents/r2/phone", "manager", nil); res.StatusCode != 403 {
		t.Errorf("manager reveals a phone: %d", res.StatusCode)
	}

	// The page: the manager sees the ticket and only their actions.
	b := e.browser()
	b.loginAs("manager")
	page := b.get("/desk/s1/tickets/" + tk.ID)
	if page.StatusCode != 200 || !strings.Contains(page.Body, "楼上装修噪音") || strings.Contains(page.Body, `id="reveal-phone"`) ||
		strings.Contains(page.Body, `value="message"`) || strings.Contains(page.Body, `id="do-follow_up"`) {
		t.Fatalf("manager's ticket page: %d\n%s", page.StatusCode, page.Body)
	}
	form := url.Values{"_csrf": {b.csrf("/desk/s1/tickets/" + tk.ID)}, "action": {"note"}, "version": {strconv.Itoa(got.Version)}, "f.text": {"主管已回访"}}
	if res := b.post("/desk/s1/tickets/"+tk.ID, form); res.StatusCode != 303 {
		t.Fatalf("manager's note by form: %d %s", res.StatusCode, res.Body)
	}
	if q := b.get("/desk/s1"); q.StatusCode != 200 || strings.Contains(q.Body, `id="new-ticket"`) {
		t.Fatalf("manager's queue: %d", q.StatusCode)
	}
	o := e.browser()
	o.loginAs("othermanager")
	if res := o.get("/desk/s1/tickets/" + tk.ID); res.StatusCode != 403 {
		t.Fatalf("manager of another site: %d", res.StatusCode)
	}
}
