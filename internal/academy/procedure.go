package academy

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Ticket types.
const (
	TypeRepair     = "repair"     // 报修
	TypeComplaint  = "complaint"  // 投诉
	TypeInquiry    = "inquiry"    // 咨询
	TypeVisitor    = "visitor"    // 访客
	TypeRenovation = "renovation" // 装修
)

// Field kinds a transition can require.
const (
	FieldText         = "text"
	FieldDepartment   = "department"
	FieldPriority     = "priority"
	FieldSatisfaction = "satisfaction" // 1–5
	FieldTime         = "time"         // RFC 3339 or "2006-01-02 15:04"
)

// FieldDef is a field a transition asks for.
type FieldDef struct {
	Name     string `json:"name"`
	Label    string `json:"label"`
	Kind     string `json:"kind"`
	Required bool   `json:"required"`
}

// StateDef is a state of a procedure.
type StateDef struct {
	ID       string `json:"id"`
	Label    string `json:"label"`
	Hold     bool   `json:"hold,omitempty"`     // the SLA clock stops
	Terminal bool   `json:"terminal,omitempty"` // nothing more to do
}

// TransitionDef is an action that moves a ticket between states. To ""
// keeps the state (follow-up notes); To "@prev" returns to the state before
// the hold.
type TransitionDef struct {
	Action string     `json:"action"`
	Label  string     `json:"label"`
	From   []string   `json:"from"`
	To     string     `json:"to"`
	Fields []FieldDef `json:"fields,omitempty"`
	// Responds marks the first response to the owner (the SLA's first
	// response clock stops); Resolves stops the resolution clock.
	Responds bool `json:"responds,omitempty"`
	Resolves bool `json:"resolves,omitempty"`
	// Reopens restarts the resolution clock where it stopped: an owner who
	// is not satisfied at the return visit is still waiting for the same
	// fix, so the time already used still counts and the time between the
	// resolution and the reopen does not.
	Reopens bool `json:"reopens,omitempty"`
	// Manager marks an action the procedure gives the site's manager
	// (项目主管) as well as its agents: what a manager does with a ticket
	// escalated to them.
	Manager bool `json:"manager,omitempty"`
}

// Procedure is the standard operating procedure of a ticket type, as data.
type Procedure struct {
	Type        string          `json:"type"`
	Label       string          `json:"label"`
	Initial     string          `json:"initial"`
	States      []StateDef      `json:"states"`
	Transitions []TransitionDef `json:"transitions"`
}

// State returns the definition of a state (a zero value if unknown).
func (p *Procedure) State(id string) StateDef {
	for _, s := range p.States {
		if s.ID == id {
			return s
		}
	}
	return StateDef{ID: id, Label: id}
}

// Transition returns the definition of an action, or nil.
func (p *Procedure) Transition(action string) *TransitionDef {
	for i := range p.Transitions {
		if p.Transitions[i].Action == action {
			return &p.Transitions[i]
		}
	}
	return nil
}

// Allowed lists the actions possible from state, in procedure order.
func (p *Procedure) Allowed(state string) []TransitionDef {
	var out []TransitionDef
	for _, t := range p.Transitions {
		if slices.Contains(t.From, state) {
			out = append(out, t)
		}
	}
	return out
}

var (
	note         = FieldDef{Name: "note", Label: "跟进记录", Kind: FieldText, Required: true}
	reason       = FieldDef{Name: "reason", Label: "原因", Kind: FieldText, Required: true}
	department   = FieldDef{Name: "department", Label: "处理部门", Kind: FieldDepartment, Required: true}
	priority     = FieldDef{Name: "priority", Label: "优先级", Kind: FieldPriority, Required: true}
	satisfaction = FieldDef{Name: "satisfaction", Label: "满意度（1–5）", Kind: FieldSatisfaction, Required: true}
	comment      = FieldDef{Name: "comment", Label: "回访意见", Kind: FieldText, Required: true}
)

// Procedures are the desk's standard operating procedures. They follow the
// curriculum (daily-service and complaints modules): the same states that
// lessons teach are the ones the desk records.
var Procedures = []Procedure{
	{
		Type: TypeRepair, Label: "报修", Initial: "received",
		States: []StateDef{
			{ID: "received", Label: "受理"}, {ID: "dispatched", Label: "派单"}, {ID: "in_progress", Label: "处理中"},
			{ID: "on_hold", Label: "挂起", Hold: true}, {ID: "done", Label: "已完成"}, {ID: "visited", Label: "已回访"},
			{ID: "closed", Label: "关闭", Terminal: true},
		},
		Transitions: []TransitionDef{
			{Action: "dispatch", Label: "派单", From: []string{"received"}, To: "dispatched", Fields: []FieldDef{department, priority}, Responds: true},
			{Action: "start", Label: "开始处理", From: []string{"dispatched"}, To: "in_progress"},
			{Action: "follow_up", Label: "跟进记录", From: []string{"dispatched", "in_progress"}, To: "", Fields: []FieldDef{note}},
			{Action: "hold", Label: "挂起", From: []string{"dispatched", "in_progress"}, To: "on_hold", Fields: []FieldDef{reason}},
			{Action: "resume", Label: "恢复处理", From: []string{"on_hold"}, To: "@prev"},
			{Action: "transfer", Label: "转单", From: []string{"dispatched", "in_progress"}, To: "dispatched", Fields: []FieldDef{department, reason}, Manager: true},
			{Action: "return", Label: "退单", From: []string{"dispatched", "in_progress"}, To: "received", Fields: []FieldDef{reason}},
			{Action: "complete", Label: "完成", From: []string{"in_progress"}, To: "done", Fields: []FieldDef{{Name: "resolution", Label: "处理结果", Kind: FieldText, Required: true}}, Resolves: true},
			{Action: "return_visit", Label: "回访", From: []string{"done"}, To: "visited", Fields: []FieldDef{satisfaction, comment}},
			{Action: "reopen", Label: "重新派单", From: []string{"done", "visited"}, To: "dispatched", Fields: []FieldDef{department, reason}, Reopens: true},
			{Action: "close", Label: "关闭", From: []string{"visited"}, To: "closed"},
		},
	},
	{
		Type: TypeComplaint, Label: "投诉", Initial: "received",
		States: []StateDef{
			{ID: "received", Label: "接待"}, {ID: "confirmed", Label: "确认"}, {ID: "investigating", Label: "核实"},
			{ID: "responded", Label: "答复"}, {ID: "following", Label: "跟进"}, {ID: "visited", Label: "回访"},
			{ID: "archived", Label: "归档", Terminal: true},
		},
		Transitions: []TransitionDef{
			{Action: "confirm", Label: "确认诉求", From: []string{"received"}, To: "confirmed", Fields: []FieldDef{{Name: "summary", Label: "复述给业主的诉求要点", Kind: FieldText, Required: true}}, Responds: true},
			{Action: "investigate", Label: "转交核实", From: []string{"confirmed"}, To: "investigating", Fields: []FieldDef{department}},
			{Action: "respond", Label: "答复业主", From: []string{"investigating"}, To: "responded", Fields: []FieldDef{{Name: "proposal", Label: "处理方案", Kind: FieldText, Required: true}, {Name: "promised_at", Label: "承诺完成时间", Kind: FieldTime, Required: true}}, Manager: true},
			{Action: "follow_up", Label: "跟进落实", From: []string{"responded", "following"}, To: "following", Fields: []FieldDef{note}, Resolves: true},
			{Action: "return_visit", Label: "回访", From: []string{"following"}, To: "visited", Fields: []FieldDef{satisfaction, comment}},
			{Action: "reopen", Label: "重新核实", From: []string{"visited"}, To: "investigating", Fields: []FieldDef{department, reason}, Reopens: true},
			{Action: "archive", Label: "归档", From: []string{"visited"}, To: "archived", Fields: []FieldDef{{Name: "lesson", Label: "总结", Kind: FieldText, Required: false}}},
		},
	},
	{
		Type: TypeInquiry, Label: "咨询", Initial: "received",
		States: []StateDef{{ID: "received", Label: "受理"}, {ID: "answered", Label: "已答复"}, {ID: "closed", Label: "关闭", Terminal: true}},
		Transitions: []TransitionDef{
			{Action: "answer", Label: "答复", From: []string{"received"}, To: "answered", Fields: []FieldDef{{Name: "answer", Label: "答复内容", Kind: FieldText, Required: true}}, Responds: true, Resolves: true},
			{Action: "close", Label: "关闭", From: []string{"answered"}, To: "closed"},
		},
	},
	{
		Type: TypeVisitor, Label: "访客", Initial: "registered",
		States: []StateDef{{ID: "registered", Label: "登记"}, {ID: "notified", Label: "已通知业主"}, {ID: "admitted", Label: "已放行"},
			{ID: "refused", Label: "未放行", Terminal: true}, {ID: "left", Label: "已离开", Terminal: true}},
		Transitions: []TransitionDef{
			{Action: "notify", Label: "通知业主", From: []string{"registered"}, To: "notified", Fields: []FieldDef{{Name: "owner_reply", Label: "业主答复", Kind: FieldText, Required: true}}, Responds: true},
			{Action: "admit", Label: "放行", From: []string{"notified"}, To: "admitted", Resolves: true},
			{Action: "refuse", Label: "不予放行", From: []string{"registered", "notified"}, To: "refused", Fields: []FieldDef{reason}, Resolves: true},
			{Action: "leave", Label: "登记离开", From: []string{"admitted"}, To: "left"},
		},
	},
	{
		Type: TypeRenovation, Label: "装修", Initial: "submitted",
		States: []StateDef{{ID: "submitted", Label: "已申报"}, {ID: "checked", Label: "资料已审核"}, {ID: "approved", Label: "已登记"},
			{ID: "rejected", Label: "不予登记", Terminal: true}, {ID: "inspected", Label: "已巡查"}, {ID: "completed", Label: "已验收", Terminal: true}},
		Transitions: []TransitionDef{
			{Action: "check", Label: "审核资料", From: []string{"submitted"}, To: "checked", Fields: []FieldDef{{Name: "documents", Label: "已收资料", Kind: FieldText, Required: true}, {Name: "missing", Label: "缺少的资料", Kind: FieldText}}, Responds: true},
			{Action: "approve", Label: "登记并签协议", From: []string{"checked"}, To: "approved", Manager: true},
			{Action: "reject", Label: "不予登记", From: []string{"submitted", "checked"}, To: "rejected", Fields: []FieldDef{reason}, Resolves: true, Manager: true},
			{Action: "inspect", Label: "巡查", From: []string{"approved", "inspected"}, To: "inspected", Fields: []FieldDef{{Name: "findings", Label: "巡查情况", Kind: FieldText, Required: true}}},
			{Action: "complete", Label: "验收", From: []string{"inspected"}, To: "completed", Fields: []FieldDef{{Name: "acceptance", Label: "验收结论", Kind: FieldText, Required: true}}, Resolves: true},
		},
	},
}

// DeskRole is the capacity in which someone works a desk.
type DeskRole string

const (
	// DeskAgent works the tickets: every action of the procedures. The
	// zero value is an agent, as is a sandbox's owner.
	DeskAgent DeskRole = ""
	// DeskManager is a manager of the site: they read its tickets, and
	// act on them only where the procedure names the manager, plus
	// internal notes and handing a ticket over. Speaking to the owner and
	// opening tickets stay with the agents.
	DeskManager DeskRole = "manager"
)

// MayAct reports whether role may take action on a ticket of type typ.
func MayAct(role DeskRole, typ, action string) bool {
	if role != DeskManager {
		return true
	}
	switch action {
	case ActionNote, ActionAssign:
		return true
	case ActionMessage, ActionCreate:
		return false
	}
	p := ProcedureOf(typ)
	if p == nil {
		return false
	}
	def := p.Transition(action)
	return def != nil && def.Manager
}

// AllowedTo lists the actions possible from state that role may take.
func (p *Procedure) AllowedTo(state string, role DeskRole) []TransitionDef {
	return slices.DeleteFunc(p.Allowed(state), func(t TransitionDef) bool { return !MayAct(role, p.Type, t.Action) })
}

// checkRole refuses an action that role may not take on t, naming what
// the role may do instead.
func checkRole(role DeskRole, t *Ticket, action string) error {
	if MayAct(role, t.Type, action) {
		return nil
	}
	var may []string
	if p := ProcedureOf(t.Type); p != nil {
		for _, d := range p.Transitions {
			if d.Manager {
				may = append(may, "“"+d.Label+"”")
			}
		}
	}
	list := "内部备注、转派"
	if len(may) > 0 {
		list += "、" + strings.Join(may, "、")
	}
	return Errorf(EFORBIDDEN, "项目主管在这张工单上可以：%s；其他操作由客服专员处理 / A site manager may add internal notes, reassign the ticket and take the actions its procedure gives managers; the agents do the rest.", list)
}

// ProcedureOf returns the procedure of a ticket type, or nil.
func ProcedureOf(typ string) *Procedure {
	for i := range Procedures {
		if Procedures[i].Type == typ {
			return &Procedures[i]
		}
	}
	return nil
}

// Actions that every open ticket allows without changing its state.
const (
	ActionNote    = "note"    // internal note
	ActionMessage = "message" // message to the owner
	ActionAssign  = "assign"  // take or hand over the ticket
	ActionCreate  = "create"
)

// TicketAction is a request to act on a ticket.
type TicketAction struct {
	Action  string            `json:"action"`
	Fields  map[string]string `json:"fields"`
	Version int               `json:"version"`
}

// CreateTicket checks a new ticket against the directory and makes it, with
// its first event.
func CreateTicket(in NewTicket, dir *Directory, ws, id, number, actor string, now time.Time) (*Ticket, error) {
	p := ProcedureOf(in.Type)
	if p == nil {
		return nil, Errorf(EINVALID, "type: %q is not a ticket type (repair, complaint, inquiry, visitor, renovation)", in.Type)
	}
	in.Title, in.Description = strings.TrimSpace(in.Title), strings.TrimSpace(in.Description)
	if in.Title == "" {
		return nil, Errorf(EINVALID, "title: required, at most 100 characters")
	}
	if err := CheckText("title", in.Title, 100, false); err != nil {
		return nil, err
	}
	if err := CheckText("description", in.Description, 4000, true); err != nil {
		return nil, err
	}
	if in.Resident != "" {
		r := dir.Resident(in.Resident)
		if r == nil {
			return nil, Errorf(EINVALID, "resident: no resident %q on this site", in.Resident)
		}
		if in.Unit == "" {
			in.Unit = r.Unit
		}
	}
	if in.Unit != "" && dir.Unit(in.Unit) == nil {
		return nil, Errorf(EINVALID, "unit: no unit %q on this site", in.Unit)
	}
	if in.Channel == "" {
		in.Channel = "phone"
	}
	if !slices.Contains(Channels, in.Channel) {
		return nil, Errorf(EINVALID, "channel: %q is not one of %s", in.Channel, strings.Join(Channels, ", "))
	}
	if in.Priority == "" {
		in.Priority = PriorityNormal
	}
	if !slices.Contains(Priorities, in.Priority) {
		return nil, Errorf(EINVALID, "priority: %q is not one of %s", in.Priority, strings.Join(Priorities, ", "))
	}
	t := &Ticket{ID: id, Workspace: ws, Number: number, Type: in.Type, State: p.Initial, Title: in.Title, Description: in.Description,
		Unit: in.Unit, Resident: in.Resident, Channel: in.Channel, Priority: in.Priority, Fields: map[string]string{}, Version: 1,
		CreatedAt: now, CreatedBy: actor, UpdatedAt: now}
	t.Events = []Event{{Seq: 1, At: now, Actor: actor, Action: ActionCreate, To: p.Initial, Note: in.Description,
		Fields: map[string]string{"channel": in.Channel, "priority": in.Priority}}}
	return t, nil
}

// Apply performs a transition on t at now, checking the procedure, the
// fields it requires and the version the client saw. It returns the new
// event; t is changed only when it succeeds.
func Apply(t *Ticket, tr TicketAction, actor string, dir *Directory, now time.Time) (*Event, error) {
	if tr.Version != t.Version {
		return nil, Errorf(ECONFLICT, "工单已被更新到第 %d 版(您看到的是第 %d 版),请刷新后再操作 / The ticket changed (version %d, you saw %d); reload and try again.", t.Version, tr.Version, t.Version, tr.Version)
	}
	p := ProcedureOf(t.Type)
	if p == nil {
		return nil, Errorf(EINVALID, "type: unknown ticket type %q", t.Type)
	}
	cur := p.State(t.State)
	fields := map[string]string{}
	for k, v := range tr.Fields {
		if v = strings.TrimSpace(v); v != "" {
			fields[k] = v
		}
	}
	ev := Event{Seq: len(t.Events) + 1, At: now, Actor: actor, Action: tr.Action, From: t.State, Fields: fields}
	switch tr.Action {
	case ActionNote, ActionMessage:
		if cur.Terminal {
			return nil, Errorf(EINVALID, "action: the ticket is %s; nothing more can be added", cur.Label)
		}
		text := fields["text"]
		if text == "" {
			return nil, Errorf(EINVALID, "fields.text: the %s needs text", map[string]string{ActionNote: "internal note", ActionMessage: "message to the owner"}[tr.Action])
		}
		if err := CheckText("fields.text", text, 4000, true); err != nil {
			return nil, err
		}
		ev.Note, ev.Internal, ev.Fields, ev.From = text, tr.Action == ActionNote, nil, ""
	case ActionAssign:
		if cur.Terminal {
			return nil, Errorf(EINVALID, "action: the ticket is %s and cannot be reassigned", cur.Label)
		}
		who := fields["assignee"]
		if who == "" {
			return nil, Errorf(EINVALID, "fields.assignee: who takes the ticket is required")
		}
		t.Assignee = who
		ev.From = ""
	default:
		def := p.Transition(tr.Action)
		if def == nil {
			return nil, Errorf(EINVALID, "action: %q is not an action of a %s ticket (%s)", tr.Action, p.Label, actionList(p.Transitions))
		}
		if !slices.Contains(def.From, t.State) {
			allowed := p.Allowed(t.State)
			return nil, Errorf(EINVALID, "action: “%s” is not allowed when the ticket is “%s”; allowed now: %s", def.Label, cur.Label, actionList(allowed))
		}
		for _, f := range def.Fields {
			v, ok := fields[f.Name]
			if !ok {
				if f.Required {
					return nil, Errorf(EINVALID, "fields.%s: “%s” is required to %s", f.Name, f.Label, def.Label)
				}
				continue
			}
			if err := checkField(f, v, dir); err != nil {
				return nil, err
			}
		}
		for k := range fields {
			if !slices.ContainsFunc(def.Fields, func(f FieldDef) bool { return f.Name == k }) {
				return nil, Errorf(EINVALID, "fields.%s: not a field of “%s”", k, def.Label)
			}
		}
		to := def.To
		switch to {
		case "":
			to = t.State
		case "@prev":
			to = stateBeforeHold(t)
		}
		ev.To = to
		t.State = to
		for k, v := range fields {
			t.Fields[k] = v
		}
		if d := fields["department"]; d != "" {
			t.Department = d
		}
		if pr := fields["priority"]; pr != "" {
			t.Priority = pr
		}
		if n := fields["note"]; n != "" {
			ev.Note = n
		}
	}
	t.Version++
	t.UpdatedAt = now
	t.Events = append(t.Events, ev)
	return &t.Events[len(t.Events)-1], nil
}

func actionList(ts []TransitionDef) string {
	if len(ts) == 0 {
		return "none"
	}
	var l []string
	for _, t := range ts {
		l = append(l, t.Action+"（"+t.Label+"）")
	}
	return strings.Join(l, ", ")
}

// stateBeforeHold is the state the ticket was in when it was put on hold.
func stateBeforeHold(t *Ticket) string {
	for i := len(t.Events) - 1; i >= 0; i-- {
		if e := t.Events[i]; e.To == t.State && e.From != "" && e.From != t.State {
			return e.From
		}
	}
	return ProcedureOf(t.Type).Initial
}

func checkField(f FieldDef, v string, dir *Directory) error {
	if err := CheckText("fields."+f.Name, v, 4000, true); err != nil {
		return err
	}
	switch f.Kind {
	case FieldDepartment:
		if DepartmentName(v) == "" {
			ids := make([]string, len(Departments))
			for i, d := range Departments {
				ids[i] = d.ID
			}
			return Errorf(EINVALID, "fields.%s: %q is not a department (%s)", f.Name, v, strings.Join(ids, ", "))
		}
	case FieldPriority:
		if !slices.Contains(Priorities, v) {
			return Errorf(EINVALID, "fields.%s: %q is not a priority (%s)", f.Name, v, strings.Join(Priorities, ", "))
		}
	case FieldSatisfaction:
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 5 {
			return Errorf(EINVALID, "fields.%s: satisfaction is a whole number from 1 to 5, not %q", f.Name, v)
		}
	case FieldTime:
		if _, err := ParseDeskTime(v, time.UTC); err != nil {
			return Errorf(EINVALID, "fields.%s: %q is not a time like 2026-12-01 18:00", f.Name, v)
		}
	}
	return nil
}

// ParseDeskTime reads the times people type at the desk; a time typed
// without a zone is the site's wall clock, loc.
func ParseDeskTime(v string, loc *time.Location) (time.Time, error) {
	for _, layout := range []string{time.RFC3339, "2006-01-02 15:04", "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("bad time %q", v)
}

// FieldKind is the kind of field name of action on tickets of type typ,
// "" if there is no such field. Events keep their fields as strings.
func FieldKind(typ, action, name string) string {
	p := ProcedureOf(typ)
	if p == nil {
		return ""
	}
	def := p.Transition(action)
	if def == nil {
		return ""
	}
	for _, f := range def.Fields {
		if f.Name == name {
			return f.Kind
		}
	}
	return ""
}

// FieldLabel returns the label of a transition field name, for showing
// events ("department" -> "处理部门"); unknown names are returned as they are.
func FieldLabel(name string) string {
	for _, p := range Procedures {
		for _, t := range p.Transitions {
			for _, f := range t.Fields {
				if f.Name == name {
					return f.Label
				}
			}
		}
	}
	return name
}
