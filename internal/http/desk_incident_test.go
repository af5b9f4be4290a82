package http_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/quality"
)

// newIncident opens an emergency incident of priority in workspace ws.
func (e *env) newIncident(ws, who, resident, priority, title string) linkedTicket {
	e.t.Helper()
	res := e.api("POST", "/api/v1/workspaces/"+ws+"/tickets", who, map[string]any{"type": academy.TypeIncident, "title": title, "resident": resident, "priority": priority})
	if res.StatusCode != 201 {
		e.t.Fatalf("create incident: %d %s", res.StatusCode, res.Body)
	}
	var tk linkedTicket
	res.json(e.t, &tk)
	return tk
}

// allowed lists the actions a ticket offers, sorted.
func allowed(tk linkedTicket) []string {
	var out []string
	for _, d := range tk.Allowed {
		out = append(out, d.Action)
	}
	slices.Sort(out)
	return out
}

// checkIncident works a gas smell on workspace ws as who, the same on a
// live site and in a sandbox: numbered YJ, the outside body called before
// anyone is sent (a strong smell does not wait), security sent, the
// resolve refused without its result and a call refused with a time that
// is not one, then the all clear and the close.
func (e *env) checkIncident(ws, who, resident string) {
	t := e.t
	t.Helper()
	at := time.Now().In(beijing).Format("2006-01-02 15:04")
	tk := e.newIncident(ws, who, resident, academy.PriorityUrgent, "6楼楼道燃气味")
	if !strings.HasPrefix(tk.Number, "YJ-") || tk.State != "reported" {
		t.Fatalf("%s: new incident %s in %s", ws, tk.Number, tk.State)
	}
	if got := allowed(tk); !slices.Equal(got, []string{"call_outside", "cancel", "send"}) {
		t.Errorf("%s: a reported incident offers %v", ws, got)
	}
	if res := e.transition(ws, tk.ID, who, "call_outside", tk.Version, map[string]string{"outside_body": "燃气公司", "called_at": "刚才"}); res.StatusCode != 400 || !strings.Contains(res.Body, "fields.called_at") {
		t.Errorf("%s: a call at %q: %d %s", ws, "刚才", res.StatusCode, res.Body)
	}
	e.walk(ws, who, &tk, []procStep{
		{"call_outside", map[string]string{"outside_body": "燃气公司抢修电话：报了楼栋和气味浓淡，对方答复 30 分钟内到场", "called_at": at}, "reported"},
		{"send", map[string]string{"department": "security"}, "responding"},
		{"call_outside", map[string]string{"outside_body": "119：6 楼整层燃气味，有老人头晕", "called_at": at}, "responding"},
		{"follow_up", map[string]string{"note": "安保敲门疏散 6 楼和上下层住户，单元门口拉警戒"}, "responding"},
		{"outside_arrived", map[string]string{"outside_body": "燃气公司抢修人员两名", "arrived_at": at}, "responding"},
	})
	if !tk.SLA.Responded || tk.SLA.Resolved || tk.SLA.Policy.FirstResponse != 5*time.Minute || tk.SLA.Policy.BusinessHours {
		t.Errorf("%s: SLA once security is sent %+v", ws, tk.SLA)
	}
	if res := e.transition(ws, tk.ID, who, "resolve", tk.Version, nil); res.StatusCode != 400 || !strings.Contains(res.Body, "fields.resolution") {
		t.Errorf("%s: the all clear without a result: %d %s", ws, res.StatusCode, res.Body)
	}
	e.walk(ws, who, &tk, []procStep{
		{"resolve", map[string]string{"resolution": "燃气公司查明 603 灶具胶管老化开裂，已更换并检测合格，住户已回家"}, "cleared"},
		{"close", nil, "closed"},
	})
	if !tk.SLA.Resolved || tk.SLA.Overdue != "" || len(tk.Allowed) != 0 {
		t.Errorf("%s: closed incident: SLA %+v, allowed %v", ws, tk.SLA, allowed(tk))
	}
	// Each call keeps the time typed, whatever time it was entered.
	var calls []string
	for _, ev := range tk.Events {
		if ev.Action == "call_outside" {
			calls = append(calls, ev.Fields["called_at"])
		}
	}
	if len(calls) != 2 || calls[0] != at || calls[1] != at {
		t.Errorf("%s: calls recorded at %v, want two at %s", ws, calls, at)
	}
}

func TestIncidentLive(t *testing.T) {
	e := newEnv(t)
	e.checkIncident("s1", "agent", "r1")
}

// A practice desk starts with an incident under way, like every other
// type, and numbers the learner's own with the same prefix.
func TestIncidentInSandbox(t *testing.T) {
	e := newEnv(t)
	var sb academy.Sandbox
	e.api("POST", "/api/v1/sandboxes", "trainee", nil).json(t, &sb)
	seeded := e.listQueue(sb.ID, "trainee", "queue=open&type=incident")
	if len(seeded) == 0 || !strings.HasPrefix(seeded[0].Number, "YJ-") {
		t.Fatalf("practice desk incidents: %+v", seeded)
	}
	e.checkIncident(sb.ID, "trainee", sb.Directory.Residents[0].ID)
}

// A false alarm is called off with what was found, and the clocks stop.
func TestIncidentCancelledAsFalseAlarm(t *testing.T) {
	e := newEnv(t)
	tk := e.newIncident("s1", "agent", "r1", academy.PriorityHigh, "楼梯间有烟味")
	e.walk("s1", "agent", &tk, []procStep{{"send", map[string]string{"department": "security"}, "responding"}})
	if res := e.transition("s1", tk.ID, "agent", "cancel", tk.Version, map[string]string{"reason": " "}); res.StatusCode != 400 || !strings.Contains(res.Body, "fields.reason") {
		t.Fatalf("cancel without a reason: %d %s", res.StatusCode, res.Body)
	}
	reason := "安保到场查明是楼下住户煎炸的油烟飘进楼梯间，没有火情"
	e.walk("s1", "agent", &tk, []procStep{{"cancel", map[string]string{"reason": reason}, "cancelled"}})
	last := tk.Events[len(tk.Events)-1]
	if last.Fields["reason"] != reason || !tk.SLA.Resolved || tk.SLA.Overdue != "" || len(tk.Allowed) != 0 {
		t.Fatalf("called off: event %+v, SLA %+v, allowed %v", last, tk.SLA, allowed(tk))
	}
	if open := e.listQueue("s1", "agent", "queue=open&type=incident"); slices.Contains(numbers(open), tk.Number) {
		t.Errorf("a cancelled incident is still in the open queue: %v", numbers(open))
	}
}

// Emergencies do not wait for office hours: at 23:40 an incident's first
// response clock runs at every priority, while a low repair's waits for
// the morning.
func TestIncidentClockRunsAtNight(t *testing.T) {
	e := newEnv(t)
	now := time.Now().In(beijing)
	night := time.Date(now.Year(), now.Month(), now.Day(), 23, 40, 0, 0, beijing)
	if night.Before(now) {
		night = night.AddDate(0, 0, 1)
	}
	// The desk's own clock, so that the sessions' clock stays where it is.
	desk := &testClock{}
	desk.Advance(night.Sub(time.Now()))
	e.deps.Desk.Now = desk.Now

	urgent := e.newIncident("s1", "agent", "r1", academy.PriorityUrgent, "6楼楼道燃气味")
	low := e.newIncident("s1", "agent", "r1", academy.PriorityLow, "单元门口有陌生人徘徊")
	var repair linkedTicket
	if res := e.api("POST", "/api/v1/workspaces/s1/tickets", "agent", map[string]any{"type": "repair", "title": "柜门合页松动", "resident": "r1", "priority": "low"}); res.StatusCode != 201 {
		t.Fatalf("create repair: %d %s", res.StatusCode, res.Body)
	} else {
		res.json(t, &repair)
	}
	sla := func(tk linkedTicket) academy.SLAStatus {
		t.Helper()
		var got apiTicket
		if res := e.api("GET", "/api/v1/workspaces/s1/tickets/"+tk.ID, "agent", nil); res.StatusCode != 200 {
			t.Fatalf("get %s: %d %s", tk.Number, res.StatusCode, res.Body)
		} else {
			res.json(t, &got)
		}
		return got.SLA
	}
	overdue := func() []string {
		var out []string
		for _, it := range e.queueOf("s1", "agent", "queue=overdue", urgent.ID, low.ID, repair.ID) {
			out = append(out, it.ID)
		}
		slices.Sort(out)
		return out
	}

	desk.Advance(6 * time.Minute) // 23:46
	if st := sla(urgent); st.Overdue != "first_response" || st.ResponseUsed < 6*time.Minute {
		t.Errorf("urgent incident six minutes after 23:40: %+v", st)
	}
	if st := sla(low); st.Overdue != "" || st.ResponseUsed < 6*time.Minute || st.Policy.FirstResponse != 30*time.Minute {
		t.Errorf("low incident six minutes after 23:40: %+v", st)
	}
	if st := sla(repair); st.ResponseUsed != 0 || st.Overdue != "" {
		t.Errorf("a low repair's office-hours clock ran at night: %+v", st)
	}
	if got := overdue(); !slices.Equal(got, []string{urgent.ID}) {
		t.Errorf("overdue at 23:46: %v, want the urgent incident %s", got, urgent.ID)
	}

	desk.Advance(25 * time.Minute) // 00:11
	want := []string{urgent.ID, low.ID}
	slices.Sort(want)
	if got := overdue(); !slices.Equal(got, want) {
		t.Errorf("overdue at 00:11: %v, want both incidents %v", got, want)
	}
	if st := sla(repair); st.ResponseUsed != 0 {
		t.Errorf("a low repair's clock ran past midnight: %+v", st)
	}
	// Security sent at last: the response is on record as late.
	e.walk("s1", "agent", &urgent, []procStep{{"send", map[string]string{"department": "security"}, "responding"}})
	if !urgent.SLA.Responded || !slices.Contains(urgent.SLA.Breached, "first_response") {
		t.Errorf("late response: %+v", urgent.SLA)
	}
}

// The incident's quality checks: outside help logged before the all clear
// on a real hazard, not asked of a false alarm; staff sent in time.
func TestIncidentQualityChecks(t *testing.T) {
	dir := &academy.Directory{
		Units:     []academy.Unit{{ID: "7-1-602", Building: "7栋", Label: "7栋1单元602"}},
		Residents: []academy.Resident{{ID: "r1", Name: "陈静", Unit: "7-1-602", Phone: "100-0000-0001", Role: "owner"}},
	}
	start := time.Date(2026, 3, 14, 23, 40, 0, 0, beijing) // a Saturday night
	play := func(steps ...procStep) *quality.Record {
		t.Helper()
		tk, err := academy.CreateTicket(academy.ShippedRules(), academy.NewTicket{Type: academy.TypeIncident, Title: "燃气异味", Resident: "r1", Priority: academy.PriorityUrgent},
			dir, "s1", "s1-1", "YJ-00001", "agent", start)
		if err != nil {
			t.Fatal(err)
		}
		at := start
		for _, s := range steps {
			at = at.Add(time.Minute)
			if _, err := academy.Apply(tk, academy.TicketAction{Action: s.action, Fields: s.fields, Version: tk.Version}, "agent", at); err != nil {
				t.Fatalf("%s: %v", s.action, err)
			}
		}
		r, err := quality.Evaluate(tk, nil)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	checks := func(r *quality.Record) []string {
		var out []string
		for _, c := range r.Checks {
			out = append(out, c.Check)
		}
		return out
	}
	send := procStep{"send", map[string]string{"department": "security"}, ""}
	call := procStep{"call_outside", map[string]string{"outside_body": "燃气公司", "called_at": "2026-03-14 23:41"}, ""}
	resolve := procStep{"resolve", map[string]string{"resolution": "燃气公司更换灶具胶管"}, ""}
	closeIt := procStep{"close", nil, ""}

	if r := play(call, send, resolve, closeIt); len(r.Failed()) != 0 || !slices.Equal(checks(r), []string{"first_response", "outside_logged", "resolution"}) {
		t.Errorf("a gas smell worked through: failed %v of %v", r.Failed(), checks(r))
	}
	if r := play(send, resolve, closeIt); !slices.Equal(r.Failed(), []string{"outside_logged"}) {
		t.Errorf("no outside body logged: failed %v", r.Failed())
	}
	r := play(send, procStep{"cancel", map[string]string{"reason": "住户家的油烟"}, ""})
	if len(r.Failed()) != 0 || slices.Contains(checks(r), "outside_logged") {
		t.Errorf("a false alarm: failed %v of %v", r.Failed(), checks(r))
	}
}

// The night gas smell is recorded as an emergency incident: security sent
// within five minutes, the gas company and 119 logged before the all
// clear, worked to the close. Filed as an urgent repair to security, the
// way the lessons once taught, it fails with the story of the missing
// incident; a late dispatch or an unlogged call costs its check.
func TestGasSmellNightScenario(t *testing.T) {
	e := newEnv(t)
	end := e.deps.Catalog.Snapshot().Scenarios["gas-smell-night"].Step("end")
	if end == nil {
		t.Fatal("gas-smell-night has no end step")
	}
	failedStory := func(check string) string {
		for _, en := range end.Endings {
			if en.When.Result == academy.ResultFailed && slices.Contains(en.When.Missed, check) && len(en.When.Visited) == 0 {
				return en.Outcome
			}
		}
		t.Fatalf("no failed ending for %s", check)
		return ""
	}
	at := deskTimeIn(0, 23)
	incident := func(steps ...sandboxStep) []sandboxWork {
		return []sandboxWork{{ticket: map[string]any{"type": academy.TypeIncident, "title": "7栋1单元6楼燃气异味", "resident": academy.PersonaID, "priority": "urgent",
			"description": "602陈女士来电：一开门燃气味很冲。已指引业主不开关电器、开窗、关表前阀，带孩子下楼。"}, steps: steps}}
	}
	send := sandboxStep{action: "send", fields: map[string]string{"department": "security"}}
	gas := sandboxStep{action: "call_outside", fields: map[string]string{"outside_body": "燃气公司抢修电话，对方答复尽快到场", "called_at": at}}
	fire := sandboxStep{action: "call_outside", fields: map[string]string{"outside_body": "119：6 楼整层燃气味，603 老人头晕", "called_at": at}}
	scene := sandboxStep{action: "follow_up", fields: map[string]string{"note": "安保到 6 楼敲门疏散 601–604 和 5、7 楼住户，单元门口拉警戒"}}
	arrived := sandboxStep{action: "outside_arrived", fields: map[string]string{"outside_body": "燃气公司抢修人员", "arrived_at": at}}
	resolve := sandboxStep{action: "resolve", fields: map[string]string{"resolution": "603 灶具连接胶管老化开裂，燃气公司关阀、更换胶管、检测合格，00:30 住户回家"}}
	closeIt := sandboxStep{action: "close", fields: map[string]string{"lesson": "先保人，再报告；燃气只由燃气公司处理"}}
	timeline := func(first ...sandboxStep) []sandboxStep {
		return append(first, gas, fire, scene, sandboxStep{minutes: 25}, arrived, sandboxStep{minutes: 25}, resolve, sandboxStep{minutes: 10}, closeIt)
	}

	cases := []struct {
		name   string
		work   []sandboxWork
		passed bool
		failed []string // sorted
		ending string
	}{
		{"an incident sent to security at once", incident(timeline(sandboxStep{minutes: 2}, send)...), true, nil, end.Outcome},
		{"security sent ten minutes after the call", incident(timeline(sandboxStep{minutes: 10}, send)...), true, []string{"sent-fast"}, end.Outcome},
		{"the calls never logged", incident(sandboxStep{minutes: 2}, send, scene, sandboxStep{minutes: 50}, resolve, closeIt), true, []string{"outside-logged"}, end.Outcome},
		{"filed as an urgent repair to security", []sandboxWork{{
			ticket: map[string]any{"type": "repair", "title": "7栋1单元6楼燃气异味", "resident": academy.PersonaID, "priority": "urgent"},
			steps: []sandboxStep{{minutes: 2}, {action: "dispatch", fields: map[string]string{"department": "security", "priority": "urgent"}},
				{action: "start"}, {minutes: 50}, {action: "complete", fields: map[string]string{"resolution": "燃气公司更换胶管"}},
				{action: "return_visit", fields: map[string]string{"satisfaction": "5", "comment": "满意"}}, {action: "close"}},
		}}, false, []string{"gas-ticket", "not-a-repair", "outside-logged", "sent-fast"}, failedStory("gas-ticket")},
	}
	for _, c := range cases {
		run, failed := playCall(t, e, "gas-smell-night", c.work)
		slices.Sort(failed)
		if run.Passed != c.passed || !slices.Equal(failed, c.failed) {
			t.Errorf("%s: passed %v (%.1f%%), failed checks %v; want passed %v, failed %v", c.name, run.Passed, run.Percent, failed, c.passed, c.failed)
		}
		if run.Ending != c.ending {
			t.Errorf("%s: told %.60q…, want %.60q…", c.name, run.Ending, c.ending)
		}
	}
}
