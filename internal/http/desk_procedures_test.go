package http_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
)

// linkedTicket is a ticket as the API sends it, with what the new
// procedures add.
type linkedTicket struct {
	apiTicket
	Type        string
	Unit        string
	Department  string
	Description string
	Links       []academy.TicketLink
}

type procStep struct {
	action string
	fields map[string]string
	state  string
}

// newProcedurePaths are the happy paths of the six procedures added with
// the desk rules, as an agent works them; today is the Beijing date, the
// day a promise to pay may be made for at the earliest.
func newProcedurePaths(today string) map[string][]procStep {
	return map[string][]procStep{
		academy.TypeFeeCollection: {
			{"verify", map[string]string{"arrears": "2025年第四季度物业费 822 元"}, "open"},
			{"remind", map[string]string{"note": "电话联系业主，说明欠费期间和金额"}, "contacted"},
			{"promise", map[string]string{"promised_pay_at": today + " 20:00", "next_follow_up": today + " 23:00"}, "promised"},
			{"confirm_paid", map[string]string{"payment": "小程序缴清 822 元"}, "paid"},
		},
		academy.TypeOutageNotice: {
			{"publish", map[string]string{"notice": "3栋明天9:00–12:00停水，更换阀门，请提前储水"}, "noticed"},
			{"confirm", map[string]string{"confirmations": "1201独居老人已电话确认"}, "noticed"},
			{"begin", nil, "ongoing"},
			{"restore", map[string]string{"restoration": "11:40恢复供水"}, "restored"},
			{"close", nil, "closed"},
		},
		academy.TypePatrol: {
			{"start", nil, "patrolling"},
			{"record", map[string]string{"findings": "地库B1照明正常"}, "patrolling"},
			{"finish", map[string]string{"findings": "全部点位巡查完毕"}, "finished"},
		},
		academy.TypeParking: {
			{"verify", map[string]string{"plate": "粤B·12345"}, "checking"},
			{"register", map[string]string{"plate": "粤B·12345", "space": "B2-118"}, "handled"},
			{"close", nil, "closed"},
		},
		academy.TypeParcel: {
			{"notify", map[string]string{"parcel": "顺丰大件一箱"}, "notified"},
			{"collect", map[string]string{"collector": "业主本人，核对手机尾号"}, "collected"},
		},
		academy.TypeMoveOut: {
			{"check_fees", map[string]string{"fees_cleared": "物业费、水电费均已结清"}, "fees_checked"},
			{"approve", map[string]string{"items": "沙发一套、冰箱一台"}, "approved"},
			{"release", nil, "released"},
		},
	}
}

// newTicketIn opens a ticket of typ in workspace ws as who.
func (e *env) newTicketIn(ws, who, typ, title, resident string) linkedTicket {
	e.t.Helper()
	res := e.api("POST", "/api/v1/workspaces/"+ws+"/tickets", who, map[string]any{"type": typ, "title": title, "resident": resident})
	if res.StatusCode != 201 {
		e.t.Fatalf("create %s: %d %s", typ, res.StatusCode, res.Body)
	}
	var tk linkedTicket
	res.json(e.t, &tk)
	return tk
}

// walk takes tk through steps, failing the test on a refusal or a wrong
// state.
func (e *env) walk(ws, who string, tk *linkedTicket, steps []procStep) {
	e.t.Helper()
	for _, s := range steps {
		res := e.transition(ws, tk.ID, who, s.action, tk.Version, s.fields)
		if res.StatusCode != 200 {
			e.t.Fatalf("%s %s: %d %s", tk.Number, s.action, res.StatusCode, res.Body)
		}
		*tk = linkedTicket{}
		res.json(e.t, tk)
		if tk.State != s.state {
			e.t.Fatalf("%s %s -> %s, want %s", tk.Number, s.action, tk.State, s.state)
		}
	}
}

// listQueue lists a workspace's queue (with a query string, "queue=grab").
func (e *env) listQueue(ws, who, query string) []academy.TicketSummary {
	e.t.Helper()
	var q struct{ Items []academy.TicketSummary }
	res := e.api("GET", "/api/v1/workspaces/"+ws+"/tickets?"+query, who, nil)
	if res.StatusCode != 200 {
		e.t.Fatalf("queue %s: %d %s", query, res.StatusCode, res.Body)
	}
	res.json(e.t, &q)
	return q.Items
}

func numbers(list []academy.TicketSummary) []string {
	var out []string
	for _, t := range list {
		out = append(out, t.Number)
	}
	return out
}

// checkNewProcedures runs what the new procedures do on workspace ws as
// who, the same on a live site and in a sandbox: each happy path, a
// promise dated yesterday refused, the follow-up queue, a patrol finding
// that opens a repair, and a move-out refused while the flat's fee
// collection is open. resident is one of ws's residents.
func (e *env) checkNewProcedures(ws, who, resident string) {
	t := e.t
	t.Helper()
	now := time.Now().In(beijing)
	today := now.Format("2006-01-02")
	prefixes := map[string]string{academy.TypeFeeCollection: "CJ-", academy.TypeOutageNotice: "TZ-", academy.TypePatrol: "XJ-",
		academy.TypeParking: "CW-", academy.TypeParcel: "KD-", academy.TypeMoveOut: "BL-"}
	for typ, steps := range newProcedurePaths(today) {
		tk := e.newTicketIn(ws, who, typ, "新流程："+typ, resident)
		if !strings.HasPrefix(tk.Number, prefixes[typ]) {
			t.Errorf("%s numbered %s, want %s…", typ, tk.Number, prefixes[typ])
		}
		if typ == academy.TypeFeeCollection {
			// Before walking it: the promise refused while it is open.
			e.walk(ws, who, &tk, steps[:2])
			res := e.transition(ws, tk.ID, who, "promise", tk.Version, map[string]string{
				"promised_pay_at": now.AddDate(0, 0, -1).Format("2006-01-02") + " 18:00", "next_follow_up": today + " 23:00"})
			if res.StatusCode != 400 || !strings.Contains(res.Body, "fields.promised_pay_at") || !strings.Contains(res.Body, today) {
				t.Errorf("%s: promise dated yesterday: %d %s", ws, res.StatusCode, res.Body)
			}
			e.walk(ws, who, &tk, steps[2:3])
			due := e.listQueue(ws, who, "queue=followup")
			if !slices.Contains(numbers(due), tk.Number) {
				t.Errorf("%s: follow-up due today not in the follow-up queue: %v", ws, numbers(due))
			}
			for _, d := range due {
				if d.Number == tk.Number && d.FollowUp.In(beijing).Format("2006-01-02 15:04") != today+" 23:00" {
					t.Errorf("%s: follow-up in the queue %v", ws, d.FollowUp)
				}
			}
			// The ticket's own page says when it is next followed up.
			if page := e.api("GET", "/desk/"+ws+"/tickets/"+tk.ID, who, nil); !strings.Contains(page.Body, `<dd id="follow-up">`+today+" 23:00</dd>") {
				t.Errorf("%s: the ticket page does not show the follow-up at %s 23:00", ws, today)
			}
			steps = steps[3:]
		}
		e.walk(ws, who, &tk, steps)
		if tk.SLA.Overdue != "" || !tk.SLA.Resolved {
			t.Errorf("%s %s: SLA at the end %+v", ws, tk.Number, tk.SLA)
		}
	}

	// A patrol's finding opens a repair for the department chosen; each
	// names the other.
	patrol := e.newTicketIn(ws, who, academy.TypePatrol, "地库夜间巡检", resident)
	e.walk(ws, who, &patrol, []procStep{{"start", nil, "patrolling"},
		{"report_issue", map[string]string{"findings": "B2出口雨水沟堵塞，地面积水约5厘米", "department": "engineering"}, "patrolling"}})
	last := patrol.Events[len(patrol.Events)-1]
	if len(patrol.Links) != 1 || patrol.Links[0].Type != academy.TypeRepair || last.Fields["opened"] != patrol.Links[0].Number {
		t.Fatalf("%s: patrol after report_issue: links %+v, event %+v", ws, patrol.Links, last)
	}
	repairs := e.listQueue(ws, who, "queue=open&type=repair")
	if !slices.Contains(numbers(repairs), patrol.Links[0].Number) {
		t.Fatalf("%s: the repair %s is not in the queue: %v", ws, patrol.Links[0].Number, numbers(repairs))
	}
	var repair linkedTicket
	e.api("GET", "/api/v1/workspaces/"+ws+"/tickets/"+patrol.Links[0].ID, who, nil).json(t, &repair)
	if repair.State != "received" || repair.Description != "B2出口雨水沟堵塞，地面积水约5厘米" || repair.Department != "engineering" ||
		len(repair.Links) != 1 || repair.Links[0].ID != patrol.ID || repair.Events[0].Fields["source"] != patrol.Number || repair.Unit != patrol.Unit {
		t.Fatalf("%s: the repair opened: %+v", ws, repair)
	}

	// A move-out waits for the flat's open fee collection, and names it.
	fee := e.newTicketIn(ws, who, academy.TypeFeeCollection, "物业费欠缴", resident)
	move := e.newTicketIn(ws, who, academy.TypeMoveOut, "搬离申请", resident)
	res := e.transition(ws, move.ID, who, "check_fees", move.Version, map[string]string{"fees_cleared": "已结清"})
	if res.StatusCode != 400 || !strings.Contains(res.Body, fee.Number) {
		t.Fatalf("%s: check_fees with %s open: %d %s", ws, fee.Number, res.StatusCode, res.Body)
	}
	e.walk(ws, who, &fee, []procStep{{"remind", map[string]string{"note": "已联系"}, "contacted"},
		{"confirm_paid", map[string]string{"payment": "前台刷卡缴清"}, "paid"}})
	e.walk(ws, who, &move, []procStep{{"check_fees", map[string]string{"fees_cleared": "已结清"}, "fees_checked"}})
}

func TestNewProceduresLive(t *testing.T) {
	e := newEnv(t)
	e.checkNewProcedures("s1", "agent", "r1")
}

func TestNewProceduresInSandbox(t *testing.T) {
	e := newEnv(t)
	var sb academy.Sandbox
	e.api("POST", "/api/v1/sandboxes", "trainee", nil).json(t, &sb)
	// The practice desk's move-out waits for its flat's fee collection.
	var move, fee academy.TicketSummary
	for _, s := range e.listQueue(sb.ID, "trainee", "queue=open") {
		switch s.Type {
		case academy.TypeMoveOut:
			move = s
		case academy.TypeFeeCollection:
			if fee.ID == "" || s.Unit == move.Unit {
				fee = s
			}
		}
	}
	if move.ID == "" || fee.Unit != move.Unit {
		t.Fatalf("practice desk: move-out %+v, fee collection %+v", move, fee)
	}
	res := e.transition(sb.ID, move.ID, "trainee", "check_fees", move.Version, map[string]string{"fees_cleared": "已结清"})
	if res.StatusCode != 400 || !strings.Contains(res.Body, fee.Number) {
		t.Fatalf("seeded move-out with %s open: %d %s", fee.Number, res.StatusCode, res.Body)
	}
	// A resident whose flat owes nothing on the practice desk.
	owing := map[string]bool{}
	for _, s := range e.listQueue(sb.ID, "trainee", "queue=open&type=fee_collection") {
		owing[s.Unit] = true
	}
	i := slices.IndexFunc(sb.Directory.Residents, func(r academy.Resident) bool { return !owing[r.Unit] })
	e.checkNewProcedures(sb.ID, "trainee", sb.Directory.Residents[i].ID)
	// A manager's action is not the learner's in a sandbox either.
	rp := e.newTicketIn(sb.ID, "trainee", academy.TypeRepair, "电梯异响", sb.Directory.Residents[i].ID)
	if res := e.transition(sb.ID, rp.ID, "trainee", "force_close", rp.Version, map[string]string{"reason": "重复报修"}); res.StatusCode != 403 {
		t.Fatalf("force_close in a sandbox: %d %s", res.StatusCode, res.Body)
	}
}

// Repairs: 抢单 (the first of two agents wins, the second is told who),
// the 待抢单 queue, resume with a reason, and the forced close that only a
// manager may do.
func TestRepairGrabResumeForceClose(t *testing.T) {
	e := newEnv(t)
	e.createUser("agent2", []string{academy.RoleAgent}, []string{"s1"})
	e.tokens["agent2"] = e.login("agent2", testPassword)
	tk := e.newTicketIn("s1", "agent", academy.TypeRepair, "楼道灯不亮", "r1")
	e.walk("s1", "agent", &tk, []procStep{{"dispatch", map[string]string{"department": "engineering", "priority": "normal"}, "dispatched"}})
	if !slices.ContainsFunc(tk.Allowed, func(d academy.TransitionDef) bool { return d.Action == "grab" }) {
		t.Fatalf("grab not offered: %+v", tk.Allowed)
	}
	if got := numbers(e.listQueue("s1", "agent", "queue=grab")); !slices.Equal(got, []string{tk.Number}) {
		t.Fatalf("待抢单 queue: %v", got)
	}
	first := e.transition("s1", tk.ID, "agent2", "grab", tk.Version, nil)
	second := e.transition("s1", tk.ID, "agent", "grab", tk.Version, nil)
	if first.StatusCode != 200 || second.StatusCode != 409 || !strings.Contains(second.Body, "agent2") {
		t.Fatalf("grab race: first %d %s, second %d %s", first.StatusCode, first.Body, second.StatusCode, second.Body)
	}
	first.json(t, &tk)
	if tk.Assignee != "agent2" || slices.ContainsFunc(tk.Allowed, func(d academy.TransitionDef) bool { return d.Action == "grab" }) {
		t.Fatalf("after the grab: assignee %q, allowed %+v", tk.Assignee, tk.Allowed)
	}
	if got := e.listQueue("s1", "agent", "queue=grab"); len(got) != 0 {
		t.Fatalf("a taken repair still waits to be taken: %v", numbers(got))
	}
	// Taking it again with a fresh version: still refused, still named.
	if res := e.transition("s1", tk.ID, "agent", "grab", tk.Version, nil); res.StatusCode != 409 || !strings.Contains(res.Body, "agent2") {
		t.Fatalf("grab of a taken repair: %d %s", res.StatusCode, res.Body)
	}

	e.walk("s1", "agent2", &tk, []procStep{{"start", nil, "in_progress"}, {"hold", map[string]string{"reason": "等配件"}, "on_hold"}})
	if res := e.transition("s1", tk.ID, "agent2", "resume", tk.Version, nil); res.StatusCode != 400 || !strings.Contains(res.Body, "fields.reason") {
		t.Fatalf("resume without a reason: %d %s", res.StatusCode, res.Body)
	}
	e.walk("s1", "agent2", &tk, []procStep{{"resume", map[string]string{"reason": "配件到货"}, "in_progress"}})

	if res := e.transition("s1", tk.ID, "agent2", "force_close", tk.Version, map[string]string{"reason": "业主撤回"}); res.StatusCode != 403 || !strings.Contains(res.Body, "site manager") {
		t.Fatalf("force_close by an agent: %d %s", res.StatusCode, res.Body)
	}
	var seen apiTicket
	e.api("GET", "/api/v1/workspaces/s1/tickets/"+tk.ID, "manager", nil).json(t, &seen)
	if !slices.ContainsFunc(seen.Allowed, func(d academy.TransitionDef) bool { return d.Action == "force_close" }) {
		t.Fatalf("force_close not offered to the manager: %+v", seen.Allowed)
	}
	if res := e.transition("s1", tk.ID, "manager", "force_close", tk.Version, nil); res.StatusCode != 400 || !strings.Contains(res.Body, "fields.reason") {
		t.Fatalf("force_close without a reason: %d %s", res.StatusCode, res.Body)
	}
	e.walk("s1", "manager", &tk, []procStep{{"force_close", map[string]string{"reason": "业主已自行找人修好，撤回报修"}, "closed"}})
	last := tk.Events[len(tk.Events)-1]
	if last.Actor != "manager" || last.Fields["reason"] != "业主已自行找人修好，撤回报修" || !tk.SLA.Resolved || tk.SLA.Overdue != "" {
		t.Fatalf("forced close: event %+v, sla %+v", last, tk.SLA)
	}
}

// The pages name the new types in the reader's language, and a repair
// opened from a patrol links back to it.
func TestNewProceduresOnPages(t *testing.T) {
	e := newEnv(t)
	patrol := e.newTicketIn("s1", "agent", academy.TypePatrol, "设备房巡检", "r1")
	e.walk("s1", "agent", &patrol, []procStep{{"start", nil, "patrolling"},
		{"report_issue", map[string]string{"findings": "水泵房地面渗水", "department": "engineering"}, "patrolling"}})
	e.newTicketIn("s1", "agent", academy.TypeFeeCollection, "物业费欠缴", "r2")
	b := e.browser()
	b.loginAs("agent")
	zh := b.get("/desk/s1?queue=all")
	for _, want := range []string{"巡检", "费用催缴", "报修", "巡检中"} {
		if !strings.Contains(zh.Body, want) {
			t.Errorf("Chinese queue lacks %q", want)
		}
	}
	if nw := b.get("/desk/s1/new"); !strings.Contains(nw.Body, `<option value="move_out">搬离放行</option>`) {
		t.Error("the create form lacks 搬离放行")
	}
	page := b.get("/desk/s1/tickets/" + patrol.Links[0].ID)
	if !strings.Contains(page.Body, `href="/desk/s1/tickets/`+patrol.ID+`">`+patrol.Number+`</a>`) || !strings.Contains(page.Body, "来源工单") {
		t.Errorf("the repair's page does not link its patrol %s", patrol.Number)
	}
	if res := b.post("/lang", url.Values{"_csrf": {b.csrf("/desk/s1")}, "lang": {"en"}, "next": {"/desk/s1"}}); res.StatusCode != 303 {
		t.Fatalf("language switch: %d", res.StatusCode)
	}
	en := b.get("/desk/s1?queue=all")
	for _, want := range []string{"Patrol", "Fee collection", "Repair", "On patrol", "To chase", "To take", "Follow-ups due"} {
		if !strings.Contains(en.Body, want) {
			t.Errorf("English queue lacks %q", want)
		}
	}
	for _, code := range []string{">patrol<", ">fee_collection<", ">patrolling<"} {
		if strings.Contains(en.Body, code) {
			t.Errorf("English queue shows the code %s", code)
		}
	}
	if p := b.get("/desk/s1/tickets/" + patrol.ID); !strings.Contains(p.Body, "Report a problem as a repair") || !strings.Contains(p.Body, "Related tickets") {
		t.Error("English patrol page lacks its action or its related repair")
	}
}
