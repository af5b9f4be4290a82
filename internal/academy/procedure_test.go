package academy

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC) // a Monday

func testDir() *Directory {
	return &Directory{
		Units:     []Unit{{ID: "3-2-1202", Building: "3栋", Label: "3栋2单元1202"}},
		Residents: []Resident{{ID: "r1", Name: "王芳", Unit: "3-2-1202", Phone: "100-0000-0001", Role: "owner"}},
		Members:   []Member{{ID: "m1", Name: "李师傅", Department: DeptEngineering}},
	}
}

func newTicket(t *testing.T, typ string) *Ticket {
	t.Helper()
	tk, err := CreateTicket(ShippedRules(), NewTicket{Type: typ, Title: "卫生间天花板渗水", Resident: "r1"}, testDir(), "demo", "demo-1", "BX-00001", "agent", t0)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// act applies an action at t0+after and fails the test on error.
func act(t *testing.T, tk *Ticket, after time.Duration, action string, fields map[string]string) {
	t.Helper()
	if _, err := Apply(tk, TicketAction{Action: action, Fields: fields, Version: tk.Version}, "agent", t0.Add(after)); err != nil {
		t.Fatalf("%s from %s: %v", action, tk.State, err)
	}
}

func TestEveryProcedureHappyPath(t *testing.T) {
	paths := map[string][]struct {
		action string
		fields map[string]string
		want   string
	}{
		TypeRepair: {
			{"dispatch", map[string]string{"department": "engineering", "priority": "high"}, "dispatched"},
			{"start", nil, "in_progress"},
			{"follow_up", map[string]string{"note": "师傅已上门，查明是楼上防水层破损"}, "in_progress"},
			{"hold", map[string]string{"reason": "等待楼上业主在家"}, "on_hold"},
			{"resume", map[string]string{"reason": "楼上业主回来了"}, "in_progress"},
			{"transfer", map[string]string{"department": "engineering", "reason": "需要防水班组"}, "dispatched"},
			{"start", nil, "in_progress"},
			{"complete", map[string]string{"resolution": "重做防水层，天花板已修补"}, "done"},
			{"return_visit", map[string]string{"satisfaction": "5", "comment": "业主满意"}, "visited"},
			{"close", nil, "closed"},
		},
		TypeComplaint: {
			{"confirm", map[string]string{"summary": "楼上每晚十一点后拖动家具"}, "confirmed"},
			{"investigate", map[string]string{"department": "security"}, "investigating"},
			{"respond", map[string]string{"proposal": "上门沟通并张贴提示", "promised_at": "2026-03-03 18:00"}, "responded"},
			{"follow_up", map[string]string{"note": "已与楼上住户沟通"}, "following"},
			{"return_visit", map[string]string{"satisfaction": "4", "comment": "噪音明显减少"}, "visited"},
			{"archive", nil, "archived"},
		},
		TypeInquiry: {
			{"answer", map[string]string{"answer": "物业费按建筑面积计算"}, "answered"},
			{"close", nil, "closed"},
		},
		TypeVisitor: {
			{"notify", map[string]string{"owner_reply": "是我的朋友，请放行"}, "notified"},
			{"admit", nil, "admitted"},
			{"leave", nil, "left"},
		},
		TypeRenovation: {
			{"check", map[string]string{"documents": "申请表、图纸", "missing": "施工方营业执照"}, "checked"},
			{"approve", nil, "approved"},
			{"inspect", map[string]string{"findings": "未改动承重墙"}, "inspected"},
			{"complete", map[string]string{"acceptance": "验收合格"}, "completed"},
		},
		TypeFeeCollection: {
			{"verify", map[string]string{"arrears": "2025年第四季度物业费 1,260 元"}, "open"},
			{"remind", map[string]string{"note": "电话联系业主，说明欠费期间和金额"}, "contacted"},
			{"promise", map[string]string{"promised_pay_at": "2026-03-06 18:00", "next_follow_up": "2026-03-05 10:00"}, "promised"},
			{"confirm_paid", map[string]string{"payment": "小程序缴清 1,260 元"}, "paid"},
		},
		TypeOutageNotice: {
			{"publish", map[string]string{"notice": "3栋明天9:00–12:00停水，更换主管道阀门，请提前储水"}, "noticed"},
			{"confirm", map[string]string{"confirmations": "3栋全部住户群内已读；1201独居老人已电话确认"}, "noticed"},
			{"begin", nil, "ongoing"},
			{"restore", map[string]string{"restoration": "11:40恢复供水，已在群里通知"}, "restored"},
			{"close", nil, "closed"},
		},
		TypePatrol: {
			{"start", nil, "patrolling"},
			{"record", map[string]string{"findings": "地库B1照明正常"}, "patrolling"},
			{"finish", map[string]string{"findings": "全部点位巡查完毕，无异常"}, "finished"},
		},
		TypeParking: {
			{"verify", map[string]string{"plate": "粤B·12345"}, "checking"},
			{"register", map[string]string{"plate": "粤B·12345", "space": "B2-118"}, "handled"},
			{"close", nil, "closed"},
		},
		TypeParcel: {
			{"notify", map[string]string{"parcel": "顺丰大件一箱"}, "notified"},
			{"collect", map[string]string{"collector": "业主本人，核对手机尾号"}, "collected"},
		},
		TypeMoveOut: {
			{"check_fees", map[string]string{"fees_cleared": "物业费、水电费均已结清"}, "fees_checked"},
			{"approve", map[string]string{"items": "沙发一套、冰箱一台、纸箱12个"}, "approved"},
			{"release", nil, "released"},
		},
		TypeIncident: {
			{"call_outside", map[string]string{"outside_body": "燃气公司抢修电话，对方答复 30 分钟内到场", "called_at": "2026-03-02 10:00"}, "reported"},
			{"send", map[string]string{"department": "security"}, "responding"},
			{"follow_up", map[string]string{"note": "安保敲门疏散同层住户，单元门口拉警戒"}, "responding"},
			{"outside_arrived", map[string]string{"outside_body": "燃气公司抢修人员两名", "arrived_at": "2026-03-02 10:25"}, "responding"},
			{"resolve", map[string]string{"resolution": "燃气公司更换灶具胶管，检测合格"}, "cleared"},
			{"close", nil, "closed"},
		},
	}
	if len(paths) != len(ShippedRules().Procedures) {
		t.Errorf("%d happy paths for %d procedures", len(paths), len(ShippedRules().Procedures))
	}
	for typ, steps := range paths {
		tk := newTicket(t, typ)
		for i, s := range steps {
			act(t, tk, time.Duration(i+1)*time.Minute, s.action, s.fields)
			if tk.State != s.want {
				t.Fatalf("%s: after %s state %s, want %s", typ, s.action, tk.State, s.want)
			}
		}
		if tk.Open() {
			t.Errorf("%s: still open at %s", typ, tk.State)
		}
		if len(tk.Events) != len(steps)+1 || tk.Version != len(steps)+1 {
			t.Errorf("%s: %d events, version %d", typ, len(tk.Events), tk.Version)
		}
		for i, e := range tk.Events {
			if e.Seq != i+1 {
				t.Errorf("%s: event %d has seq %d", typ, i, e.Seq)
			}
		}
	}
	// The other endings.
	v := newTicket(t, TypeVisitor)
	act(t, v, time.Minute, "refuse", map[string]string{"reason": "联系不上业主"})
	r := newTicket(t, TypeRenovation)
	act(t, r, time.Minute, "reject", map[string]string{"reason": "资料不全"})
	rp := newTicket(t, TypeRepair)
	act(t, rp, time.Minute, "dispatch", map[string]string{"department": "engineering", "priority": "normal"})
	act(t, rp, 2*time.Minute, "return", map[string]string{"reason": "不属于物业维修范围"})
	if v.State != "refused" || r.State != "rejected" || rp.State != "received" {
		t.Fatalf("endings: %s %s %s", v.State, r.State, rp.State)
	}
}

func TestRefusedTransitions(t *testing.T) {
	cases := []struct {
		name   string
		prep   func(*Ticket)
		action TicketAction
		code   string
		msg    string
	}{
		{"skip dispatch", nil, TicketAction{Action: "complete", Fields: map[string]string{"resolution": "x"}}, EINVALID, "not allowed when the ticket is “受理”; allowed now: dispatch（派单）"},
		{"missing department", nil, TicketAction{Action: "dispatch", Fields: map[string]string{"priority": "high"}}, EINVALID, "fields.department: “处理部门” is required to 派单"},
		{"unknown department", nil, TicketAction{Action: "dispatch", Fields: map[string]string{"department": "kitchen", "priority": "high"}}, EINVALID, `"kitchen" is not a department`},
		{"bad priority", nil, TicketAction{Action: "dispatch", Fields: map[string]string{"department": "engineering", "priority": "asap"}}, EINVALID, `"asap" is not a priority`},
		{"unknown field", nil, TicketAction{Action: "dispatch", Fields: map[string]string{"department": "engineering", "priority": "high", "colour": "red"}}, EINVALID, "fields.colour: not a field"},
		{"unknown action", nil, TicketAction{Action: "teleport"}, EINVALID, `"teleport" is not an action of a 报修 ticket`},
		{"stale version", nil, TicketAction{Action: "dispatch", Version: 7, Fields: map[string]string{"department": "engineering", "priority": "high"}}, ECONFLICT, "version 1, you saw 7"},
		{"empty note", nil, TicketAction{Action: ActionNote, Fields: map[string]string{"text": "  "}}, EINVALID, "fields.text"},
		{"satisfaction out of range", func(tk *Ticket) {
			tk.State = "done"
		}, TicketAction{Action: "return_visit", Fields: map[string]string{"satisfaction": "9", "comment": "ok"}}, EINVALID, "from 1 to 5"},
		{"hold without reason", func(tk *Ticket) { tk.State = "in_progress" }, TicketAction{Action: "hold"}, EINVALID, "fields.reason"},
		{"act on closed", func(tk *Ticket) { tk.State = "closed" }, TicketAction{Action: ActionMessage, Fields: map[string]string{"text": "hi"}}, EINVALID, "nothing more can be added"},
	}
	for _, c := range cases {
		tk := newTicket(t, TypeRepair)
		if c.prep != nil {
			c.prep(tk)
		}
		before := *tk
		if c.action.Version == 0 {
			c.action.Version = tk.Version
		}
		_, err := Apply(tk, c.action, "agent", t0.Add(time.Minute))
		if ErrorCode(err) != c.code || !strings.Contains(MessageIn(LangEN, ErrorMessage(err)), c.msg) {
			t.Errorf("%s: %v", c.name, err)
		}
		if tk.Version != before.Version || len(tk.Events) != len(before.Events) || tk.State != before.State {
			t.Errorf("%s: a refused action changed the ticket", c.name)
		}
	}
	// Complaint: responding needs a promised time that parses.
	c := newTicket(t, TypeComplaint)
	act(t, c, time.Minute, "confirm", map[string]string{"summary": "s"})
	act(t, c, 2*time.Minute, "investigate", map[string]string{"department": "security"})
	_, err := Apply(c, TicketAction{Action: "respond", Version: c.Version, Fields: map[string]string{"proposal": "p", "promised_at": "tomorrow"}}, "agent", t0)
	if err == nil || !strings.Contains(ErrorMessage(err), "promised_at") {
		t.Fatalf("bad promised time: %v", err)
	}
}

func TestCreateTicketValidation(t *testing.T) {
	for name, c := range map[string]struct {
		in  NewTicket
		msg string
	}{
		"type":     {NewTicket{Type: "party", Title: "x"}, "type:"},
		"title":    {NewTicket{Type: TypeRepair}, "title:"},
		"resident": {NewTicket{Type: TypeRepair, Title: "x", Resident: "ghost"}, "resident:"},
		"unit":     {NewTicket{Type: TypeRepair, Title: "x", Unit: "9-9-999"}, "unit:"},
		"channel":  {NewTicket{Type: TypeRepair, Title: "x", Channel: "fax"}, "channel:"},
		"priority": {NewTicket{Type: TypeRepair, Title: "x", Priority: "now"}, "priority:"},
	} {
		if _, err := CreateTicket(ShippedRules(), c.in, testDir(), "demo", "id", "n", "a", t0); err == nil || !strings.HasPrefix(ErrorMessage(err), c.msg) {
			t.Errorf("%s: %v", name, err)
		}
	}
	tk := newTicket(t, TypeRepair)
	if tk.Unit != "3-2-1202" || tk.Priority != PriorityNormal || tk.Channel != "phone" || tk.State != "received" {
		t.Fatalf("defaults: %+v", tk)
	}
}

func TestSLAOnSimulatedTime(t *testing.T) {
	tk := newTicket(t, TypeRepair) // normal: respond in 2h, resolve in 72h, around the clock
	if st := SLA(tk, t0.Add(119*time.Minute), nil); st.Overdue != "" || st.Left != time.Minute {
		t.Fatalf("before the first-response target: %+v", st)
	}
	if st := SLA(tk, t0.Add(121*time.Minute), nil); st.Overdue != "first_response" {
		t.Fatalf("after it: %+v", st)
	}
	act(t, tk, 30*time.Minute, "dispatch", map[string]string{"department": "engineering", "priority": "normal"})
	act(t, tk, 40*time.Minute, "start", nil)
	if st := SLA(tk, t0.Add(3*time.Hour), nil); !st.Responded || st.Overdue != "" {
		t.Fatalf("responded in time: %+v", st)
	}
	// On hold for two days: the clock stops.
	act(t, tk, time.Hour, "hold", map[string]string{"reason": "等待配件"})
	st := SLA(tk, t0.Add(49*time.Hour), nil)
	if !st.Paused || st.ResolveUsed != time.Hour || st.Overdue != "" {
		t.Fatalf("on hold: %+v", st)
	}
	act(t, tk, 49*time.Hour, "resume", map[string]string{"reason": "配件到货"})
	if tk.State != "in_progress" {
		t.Fatalf("resume went to %s", tk.State)
	}
	// 71 hours of clock used at t0+119h (1h before hold + 70h after).
	if st := SLA(tk, t0.Add(119*time.Hour), nil); st.Overdue != "" || st.ResolveUsed != 71*time.Hour {
		t.Fatalf("before the resolution target: %+v", st)
	}
	if st := SLA(tk, t0.Add(121*time.Hour), nil); st.Overdue != "resolution" {
		t.Fatalf("after it: %+v", st)
	}
	act(t, tk, 122*time.Hour, "complete", map[string]string{"resolution": "更换阀门"})
	if st := SLA(tk, t0.Add(200*time.Hour), nil); !st.Resolved || st.Overdue != "" || len(st.Breached) != 1 || st.Breached[0] != "resolution" {
		t.Fatalf("resolved late: %+v", st)
	}
	// The queue's due time is fixed at each change.
	fresh := newTicket(t, TypeRepair)
	if s := fresh.Summary(nil); !s.Due.Equal(t0.Add(2*time.Hour)) || s.DueKind != "first_response" || s.Overdue(t0.Add(time.Hour)) || !s.Overdue(t0.Add(3*time.Hour)) {
		t.Fatalf("summary due: %+v", s)
	}
}

func TestBusinessHours(t *testing.T) {
	// Office hours are the site's: Friday 17:00 to Monday 10:00 in Beijing
	// is two office hours whatever zone the process runs in, and the same
	// instants are a different span in Urumqi (two hours behind).
	beijing, _ := LoadZone("tz", "Asia/Shanghai")
	urumqi, _ := LoadZone("tz", "Asia/Urumqi")
	fri := time.Date(2026, 3, 6, 17, 0, 0, 0, beijing).UTC() // Friday 17:00
	mon := time.Date(2026, 3, 9, 10, 0, 0, 0, beijing).UTC() // Monday 10:00
	if got := (slaCount{true, nil, beijing}).between(fri, mon); got != 2*time.Hour {
		t.Fatalf("office hours Fri 17:00 – Mon 10:00 = %v, want 2h", got)
	}
	// In Urumqi that is Friday 15:00 to Monday 08:00: three hours on Friday.
	if got := (slaCount{true, nil, urumqi}).between(fri, mon); got != 3*time.Hour {
		t.Fatalf("office hours Fri 15:00 – Mon 08:00 in Urumqi = %v, want 3h", got)
	}
	if got := (slaCount{false, nil, beijing}).between(fri, mon); got != 65*time.Hour {
		t.Fatalf("around the clock = %v", got)
	}
	if got := (slaCount{true, nil, beijing}).due(fri, 2*time.Hour); !got.Equal(mon) {
		t.Fatalf("due 2 office hours after Fri 17:00 = %v, want Mon 10:00", got)
	}
	if got := (slaCount{false, nil, beijing}).due(fri, 30*time.Minute); !got.Equal(fri.Add(30 * time.Minute)) {
		t.Fatalf("due = %v", got)
	}
}

func TestMaskPhone(t *testing.T) {
	for in, want := range map[string]string{"13812345678": "138****5678", "100-0000-0001": "100******0001", "12": "**"} {
		if got := MaskPhone(in); got != want {
			t.Errorf("%s -> %s, want %s", in, got, want)
		}
	}
}

// TestHelpdeskDocCoversProcedures keeps docs/helpdesk.md in step with the
// procedures: every action and state is documented.
func TestHelpdeskDocCoversProcedures(t *testing.T) {
	b, err := os.ReadFile("../../docs/helpdesk.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, p := range ShippedRules().Procedures {
		for _, tr := range p.Transitions {
			if !strings.Contains(doc, "`"+tr.Action+"` "+tr.Label) {
				t.Errorf("docs/helpdesk.md does not document %s action %s (%s)", p.Type, tr.Action, tr.Label)
			}
		}
		for _, s := range p.States {
			if !strings.Contains(doc, s.Label) {
				t.Errorf("docs/helpdesk.md does not mention %s state %s", p.Type, s.Label)
			}
		}
	}
}

// A site manager acts only where the procedure names the manager, plus
// internal notes and reassignment; an agent takes every action.
func TestManagerMayAct(t *testing.T) {
	for _, c := range []struct {
		typ, action string
		want        bool
	}{
		{TypeComplaint, "respond", true},
		{TypeComplaint, "follow_up", false},
		{TypeRenovation, "approve", true},
		{TypeRepair, "dispatch", false},
		{TypeRepair, ActionNote, true},
		{TypeRepair, ActionAssign, true},
		{TypeRepair, ActionMessage, false},
		{TypeInquiry, ActionCreate, false},
		{"nosuchtype", "respond", false},
	} {
		if got := MayAct(DeskManager, ProcedureOf(c.typ), c.action); got != c.want {
			t.Errorf("manager %s %s: %v, want %v", c.typ, c.action, got, c.want)
		}
		if !MayAct(DeskAgent, ProcedureOf(c.typ), c.action) {
			t.Errorf("agent %s %s refused", c.typ, c.action)
		}
	}
	tk := &Ticket{Type: TypeComplaint, State: "investigating", Version: 1, Fields: map[string]string{}}
	if err := checkRole(DeskManager, tk, "follow_up"); ErrorCode(err) != EFORBIDDEN || !strings.Contains(ErrorMessage(err), "答复业主") {
		t.Errorf("refusal: %v", err)
	}
}

// TestReopenResumesTheResolutionClock: an owner unhappy at the return visit
// gets the ticket back in work, and the resolution clock goes on from the
// time already used, not counting the days it sat resolved.
func TestReopenResumesTheResolutionClock(t *testing.T) {
	tk := newTicket(t, TypeRepair) // normal: resolve in 72h around the clock
	act(t, tk, 10*time.Minute, "dispatch", map[string]string{"department": "engineering", "priority": "normal"})
	act(t, tk, 20*time.Minute, "start", nil)
	act(t, tk, 60*time.Hour, "complete", map[string]string{"resolution": "更换角阀"})
	act(t, tk, 70*time.Hour, "return_visit", map[string]string{"satisfaction": "2", "comment": "还在滴水"})
	if _, err := Apply(tk, TicketAction{Action: "reopen", Fields: map[string]string{"department": "engineering"}, Version: tk.Version}, "agent", t0.Add(71*time.Hour)); err == nil {
		t.Fatal("a reopen without a reason was accepted")
	}
	act(t, tk, 71*time.Hour, "reopen", map[string]string{"department": "engineering", "reason": "回访时业主说仍在滴水"})
	if tk.State != "dispatched" {
		t.Fatalf("reopen went to %s", tk.State)
	}
	st := SLA(tk, t0.Add(75*time.Hour), nil)
	if st.Resolved || st.ResolveUsed != 64*time.Hour || st.Left != 8*time.Hour {
		t.Fatalf("after the reopen: %+v", st)
	}
	if s := tk.Summary(nil); s.DueKind != "resolution" || !s.Due.Equal(t0.Add(83*time.Hour)) {
		t.Fatalf("queue due after the reopen: %+v", s)
	}
	act(t, tk, 76*time.Hour, "start", nil)
	act(t, tk, 90*time.Hour, "complete", map[string]string{"resolution": "更换整段给水管"})
	if st := SLA(tk, t0.Add(100*time.Hour), nil); !st.Resolved || !slices.Contains(st.Breached, "resolution") {
		t.Fatalf("resolved late the second time: %+v", st)
	}

	c := newTicket(t, TypeComplaint)
	act(t, c, time.Minute, "confirm", map[string]string{"summary": "夜间施工噪声"})
	act(t, c, time.Hour, "investigate", map[string]string{"department": "security"})
	act(t, c, 2*time.Hour, "respond", map[string]string{"proposal": "约谈施工方", "promised_at": "2026-03-10 18:00"})
	act(t, c, 3*time.Hour, "follow_up", map[string]string{"note": "已约谈"})
	act(t, c, 30*time.Hour, "return_visit", map[string]string{"satisfaction": "1", "comment": "昨晚还在施工"})
	act(t, c, 31*time.Hour, "reopen", map[string]string{"department": "security", "reason": "回访不满意：仍有夜间施工"})
	if c.State != "investigating" || SLA(c, t0.Add(32*time.Hour), nil).Resolved {
		t.Fatalf("complaint reopen: state %s", c.State)
	}
}

// A billing question is checked by finance: the desk takes 财务 as a
// department, and a refusal lists it among the departments there are.
func TestFinanceTakesABillingCheck(t *testing.T) {
	tk := newTicket(t, TypeComplaint)
	act(t, tk, time.Minute, "confirm", map[string]string{"summary": "本季度账单比上季度多了60元，希望核对"})
	act(t, tk, 2*time.Minute, "investigate", map[string]string{"department": DeptFinance})
	if tk.State != "investigating" || tk.Department != DeptFinance || DepartmentName(tk.Department) != "财务" {
		t.Fatalf("after investigate: state %s, department %q (%s)", tk.State, tk.Department, DepartmentName(tk.Department))
	}
	rp := newTicket(t, TypeRepair)
	_, err := Apply(rp, TicketAction{Action: "dispatch", Fields: map[string]string{"department": "accounts", "priority": "normal"}, Version: rp.Version}, "agent", t0)
	if err == nil || !strings.Contains(err.Error(), "finance") {
		t.Fatalf("unknown department: %v, want the list to name finance", err)
	}
	if departmentID("财务部") != DeptFinance || departmentID("财务") != DeptFinance {
		t.Errorf("a directory import does not read 财务: %q", departmentID("财务部"))
	}
}

// A repair's grab makes the agent its assignee while nobody has it; the
// forced close is the manager's alone; a promise to pay cannot be dated
// before today in the ticket's zone.
func TestRepairGrabForceCloseAndPromise(t *testing.T) {
	rp := ProcedureOf(TypeRepair)
	if MayAct(DeskAgent, rp, "force_close") || !MayAct(DeskManager, rp, "force_close") || MayAct(DeskManager, rp, "grab") {
		t.Fatal("force_close is the manager's alone, grab the agents'")
	}
	tk := newTicket(t, TypeRepair)
	act(t, tk, time.Minute, "dispatch", map[string]string{"department": "engineering", "priority": "normal"})
	if !slices.ContainsFunc(tk.Actions(DeskAgent), func(d TransitionDef) bool { return d.Action == "grab" }) {
		t.Fatal("grab not offered on an unassigned dispatched repair")
	}
	if _, err := Apply(tk, TicketAction{Action: "grab", Version: tk.Version}, "agent2", t0.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if tk.Assignee != "agent2" || tk.Events[len(tk.Events)-1].Fields["assignee"] != "agent2" || tk.Fields["assignee"] != "" {
		t.Fatalf("after grab: assignee %q, event %v, fields %v", tk.Assignee, tk.Events[len(tk.Events)-1].Fields, tk.Fields)
	}
	if slices.ContainsFunc(tk.Actions(DeskAgent), func(d TransitionDef) bool { return d.Action == "grab" }) {
		t.Fatal("grab still offered once taken")
	}
	if _, err := Apply(tk, TicketAction{Action: "grab", Version: tk.Version}, "agent3", t0.Add(3*time.Minute)); ErrorCode(err) != ECONFLICT {
		t.Fatalf("second grab: %v", err)
	}
	act(t, tk, 4*time.Minute, "force_close", map[string]string{"reason": "业主撤回报修"})
	if st := SLA(tk, t0.Add(100*time.Hour), nil); tk.State != "closed" || !st.Resolution.Met || st.Overdue != "" {
		t.Fatalf("force_close: %s %+v", tk.State, st)
	}

	fee := newTicket(t, TypeFeeCollection)
	fee.TZ = "Asia/Shanghai"
	act(t, fee, time.Minute, "remind", map[string]string{"note": "已电话联系"})
	// t0 is 18:00 in Shanghai on 2 March: the 1st is past there, the 2nd is today.
	_, err := Apply(fee, TicketAction{Action: "promise", Version: fee.Version,
		Fields: map[string]string{"promised_pay_at": "2026-03-01 18:00", "next_follow_up": "2026-03-03 10:00"}}, "agent", t0.Add(2*time.Minute))
	if ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), "不能早于今天（2026-03-02）") || fee.State != "contacted" {
		t.Fatalf("promise in the past: %v, state %s", err, fee.State)
	}
	act(t, fee, 3*time.Minute, "promise", map[string]string{"promised_pay_at": "2026-03-02 20:00", "next_follow_up": "2026-03-03 10:00"})
}
