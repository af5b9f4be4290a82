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
	// The types below are named where the demo desk and the engine's
	// hooks (a patrol's repair, a move-out's fee check) refer to them.
	TypeFeeCollection = "fee_collection" // 费用催缴
	TypeOutageNotice  = "outage_notice"  // 停水停电通知
	TypePatrol        = "patrol"         // 巡检
	TypeParking       = "parking"        // 车位与车辆
	TypeParcel        = "parcel"         // 快递与物品
	TypeMoveOut       = "move_out"       // 搬离放行
	TypeIncident      = "incident"       // 应急事件
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
	Name     string `json:"name" yaml:"name"`
	Label    string `json:"label" yaml:"label"`
	Kind     string `json:"kind" yaml:"kind"`
	Required bool   `json:"required" yaml:"required,omitempty"`
	// NotPast refuses a time before the day it is entered on, in the
	// ticket's zone: a promise to pay yesterday is a typing mistake.
	NotPast bool `json:"not_past,omitempty" yaml:"not_past,omitempty"`
	// FollowUp marks the time field that says when the ticket is next
	// followed up; queues show it and list the day's follow-ups.
	FollowUp bool `json:"follow_up,omitempty" yaml:"follow_up,omitempty"`
}

// StateDef is a state of a procedure.
type StateDef struct {
	ID       string `json:"id" yaml:"id"`
	Label    string `json:"label" yaml:"label"`
	Hold     bool   `json:"hold,omitempty" yaml:"hold,omitempty"`         // the SLA clock stops
	Terminal bool   `json:"terminal,omitempty" yaml:"terminal,omitempty"` // nothing more to do
}

// TransitionDef is an action that moves a ticket between states. To ""
// keeps the state (follow-up notes); To "@prev" returns to the state before
// the hold.
type TransitionDef struct {
	Action string   `json:"action" yaml:"action"`
	Label  string   `json:"label" yaml:"label"`
	From   []string `json:"from" yaml:"from"`
	To     string   `json:"to" yaml:"to,omitempty"`
	// FieldNames are the fields the action asks for, as the rules name
	// them; Fields are their definitions, filled in when the rules are
	// read.
	FieldNames []string   `json:"-" yaml:"fields,omitempty"`
	Fields     []FieldDef `json:"fields,omitempty" yaml:"-"`
	// Responds marks the first response to the owner (the SLA's first
	// response clock stops); Resolves stops the resolution clock.
	Responds bool `json:"responds,omitempty" yaml:"responds,omitempty"`
	Resolves bool `json:"resolves,omitempty" yaml:"resolves,omitempty"`
	// Reopens restarts the resolution clock where it stopped: an owner who
	// is not satisfied at the return visit is still waiting for the same
	// fix, so the time already used still counts and the time between the
	// resolution and the reopen does not.
	Reopens bool `json:"reopens,omitempty" yaml:"reopens,omitempty"`
	// Manager marks an action the procedure gives the site's manager
	// (项目主管) as well as its agents: what a manager does with a ticket
	// escalated to them.
	Manager bool `json:"manager,omitempty" yaml:"manager,omitempty"`
	// ManagerOnly gives the action to the site's manager alone (forced
	// close): an agent is refused.
	ManagerOnly bool `json:"manager_only,omitempty" yaml:"manager_only,omitempty"`
	// Takes makes whoever acts the ticket's assignee, while it has none
	// (抢单): of two agents taking it at once, the first wins.
	Takes bool `json:"takes,omitempty" yaml:"takes,omitempty"`
	// Opens is a ticket type: the action also opens a ticket of that type
	// in the same workspace, from the action's text (a patrol's finding
	// becomes a repair), and the two tickets name each other.
	Opens string `json:"opens,omitempty" yaml:"opens,omitempty"`
	// RequiresNoneOpen is a ticket type: the action is refused while the
	// ticket's flat has an open ticket of that type (no move-out release
	// while fees are being collected).
	RequiresNoneOpen string `json:"requires_none_open,omitempty" yaml:"requires_none_open,omitempty"`
}

// Procedure is the standard operating procedure of a ticket type, as data.
type Procedure struct {
	Type  string `json:"type" yaml:"type"`
	Label string `json:"label" yaml:"label"`
	// Prefix starts the numbers of the type's tickets (BX-00042): two
	// capital letters, unique among the procedures; "" for the generic
	// GD, which rules saved before types had prefixes fall back to.
	Prefix      string          `json:"prefix,omitempty" yaml:"prefix,omitempty"`
	Initial     string          `json:"initial" yaml:"initial"`
	States      []StateDef      `json:"states" yaml:"states"`
	Transitions []TransitionDef `json:"transitions" yaml:"transitions"`
	// SLA is the service level per priority.
	SLA map[string]SLAPolicy `json:"sla" yaml:"sla"`
	// EscalateTo is who hears of an overdue ticket: EscalateManager or
	// EscalateNone.
	EscalateTo string `json:"escalate_to" yaml:"escalate_to"`
	// Checks are what the quality team holds its closed live tickets to.
	Checks []QualityCheck `json:"checks,omitempty" yaml:"checks,omitempty"`
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

// MayAct reports whether role may take action on a ticket of procedure p
// (nil for a ticket not yet opened).
func MayAct(role DeskRole, p *Procedure, action string) bool {
	if role != DeskManager {
		def := (*TransitionDef)(nil)
		if p != nil {
			def = p.Transition(action)
		}
		return def == nil || !def.ManagerOnly
	}
	switch action {
	case ActionNote, ActionAssign:
		return true
	case ActionMessage, ActionCreate:
		return false
	}
	if p == nil {
		return false
	}
	def := p.Transition(action)
	return def != nil && (def.Manager || def.ManagerOnly)
}

// AllowedTo lists the actions possible from state that role may take.
func (p *Procedure) AllowedTo(state string, role DeskRole) []TransitionDef {
	return slices.DeleteFunc(p.Allowed(state), func(t TransitionDef) bool { return !MayAct(role, p, t.Action) })
}

// Actions lists what role may do with t now: the actions of its state,
// without taking a ticket someone already has.
func (t *Ticket) Actions(role DeskRole) []TransitionDef {
	p := t.Procedure()
	if p == nil {
		return nil
	}
	return slices.DeleteFunc(p.AllowedTo(t.State, role), func(d TransitionDef) bool { return d.Takes && t.Assignee != "" })
}

// checkRole refuses an action that role may not take on t, naming what
// the role may do instead.
func checkRole(role DeskRole, t *Ticket, action string) error {
	p := t.Procedure()
	if MayAct(role, p, action) {
		return nil
	}
	if role != DeskManager {
		label := p.Transition(action).Label
		return Errorf(EFORBIDDEN, "只有项目主管可以“%s” / Only a site manager may take this action.", label)
	}
	var may []string
	if p != nil {
		for _, d := range p.Transitions {
			if d.Manager || d.ManagerOnly {
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

// ProcedureOf returns the shipped procedure of a ticket type, or nil: the
// one training content is written against. A ticket's own is
// Ticket.Procedure.
func ProcedureOf(typ string) *Procedure { return ShippedRules().Procedure(typ) }

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
// its first event, under rules r.
func CreateTicket(r *DeskRules, in NewTicket, dir *Directory, ws, id, number, actor string, now time.Time) (*Ticket, error) {
	p := r.Procedure(in.Type)
	if p == nil {
		return nil, Errorf(EINVALID, "type: %q 不是工单类型（%s） / %q is not a ticket type (%s)", in.Type, strings.Join(r.Types(), ", "), in.Type, strings.Join(r.Types(), ", "))
	}
	in.Title, in.Description = strings.TrimSpace(in.Title), strings.TrimSpace(in.Description)
	if in.Title == "" {
		return nil, Errorf(EINVALID, "title: 请填写标题，最多 100 个字符 / required, at most 100 characters")
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
			return nil, Errorf(EINVALID, "resident: 本项目没有住户 %q / no resident %q on this site", in.Resident, in.Resident)
		}
		if in.Unit == "" {
			in.Unit = r.Unit
		}
	}
	if in.Unit != "" && dir.Unit(in.Unit) == nil {
		return nil, Errorf(EINVALID, "unit: 本项目没有房屋 %q / no unit %q on this site", in.Unit, in.Unit)
	}
	if in.Channel == "" {
		in.Channel = "phone"
	}
	if !slices.Contains(Channels, in.Channel) {
		return nil, Errorf(EINVALID, "channel: %q 不在 %s 之中 / %q is not one of %s", in.Channel, strings.Join(Channels, ", "), in.Channel, strings.Join(Channels, ", "))
	}
	if in.Priority == "" {
		in.Priority = PriorityNormal
	}
	if !slices.Contains(Priorities, in.Priority) {
		return nil, Errorf(EINVALID, "priority: %q 不在 %s 之中 / %q is not one of %s", in.Priority, strings.Join(Priorities, ", "), in.Priority, strings.Join(Priorities, ", "))
	}
	t := &Ticket{ID: id, Workspace: ws, Number: number, Type: in.Type, State: p.Initial, Title: in.Title, Description: in.Description,
		Unit: in.Unit, Resident: in.Resident, Channel: in.Channel, Priority: in.Priority, Fields: map[string]string{}, Version: 1,
		CreatedAt: now, CreatedBy: actor, UpdatedAt: now, Rules: r.Rev, rules: r}
	t.Events = []Event{{Seq: 1, At: now, Actor: actor, Action: ActionCreate, To: p.Initial, Note: in.Description,
		Fields: map[string]string{"channel": in.Channel, "priority": in.Priority}}}
	return t, nil
}

// Apply performs a transition on t at now, checking the procedure, the
// fields it requires and the version the client saw. It returns the new
// event; t is changed only when it succeeds.
func Apply(t *Ticket, tr TicketAction, actor string, now time.Time) (*Event, error) {
	if tr.Version != t.Version {
		return nil, Errorf(ECONFLICT, "工单已被更新到第 %d 版(您看到的是第 %d 版),请刷新后再操作 / The ticket changed (version %d, you saw %d); reload and try again.", t.Version, tr.Version, t.Version, tr.Version)
	}
	p := t.Procedure()
	if p == nil {
		return nil, Errorf(EINVALID, "type: 未知的工单类型 %q / unknown ticket type %q", t.Type, t.Type)
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
			return nil, Errorf(EINVALID, "action: 工单状态为“%s”，不能再添加内容 / the ticket is %s; nothing more can be added", cur.Label, cur.Label)
		}
		text := fields["text"]
		if text == "" {
			zh := map[string]string{ActionNote: "内部备注", ActionMessage: "给业主的消息"}[tr.Action]
			en := map[string]string{ActionNote: "internal note", ActionMessage: "message to the owner"}[tr.Action]
			return nil, Errorf(EINVALID, "fields.text: 请填写%s / the %s needs text", zh, en)
		}
		if err := CheckText("fields.text", text, 4000, true); err != nil {
			return nil, err
		}
		ev.Note, ev.Internal, ev.Fields, ev.From = text, tr.Action == ActionNote, nil, ""
	case ActionAssign:
		if cur.Terminal {
			return nil, Errorf(EINVALID, "action: 工单状态为“%s”，不能再转派 / the ticket is %s and cannot be reassigned", cur.Label, cur.Label)
		}
		who := fields["assignee"]
		if who == "" {
			return nil, Errorf(EINVALID, "fields.assignee: 请填写由谁接手工单 / who takes the ticket is required")
		}
		t.Assignee = who
		ev.From = ""
	default:
		def := p.Transition(tr.Action)
		if def == nil {
			return nil, Errorf(EINVALID, "action: %q 不是“%s”工单的操作（%s） / %q is not an action of a %s ticket (%s)", tr.Action, p.Label, actionList(p.Transitions), tr.Action, p.Label, actionList(p.Transitions))
		}
		if !slices.Contains(def.From, t.State) {
			allowed := p.Allowed(t.State)
			return nil, Errorf(EINVALID, "action: 工单为“%s”时不能“%s”；现在可以：%s / “%s” is not allowed when the ticket is “%s”; allowed now: %s", cur.Label, def.Label, actionList(allowed), def.Label, cur.Label, actionList(allowed))
		}
		for _, f := range def.Fields {
			v, ok := fields[f.Name]
			if !ok {
				if f.Required {
					return nil, Errorf(EINVALID, "fields.%s: “%s”须填写才能%s / “%s” is required to %s", f.Name, f.Label, def.Label, f.Label, def.Label)
				}
				continue
			}
			if err := checkField(t.DeskRules(), f, v); err != nil {
				return nil, err
			}
			if f.NotPast {
				if err := checkNotPast(f, v, t.Location(), now); err != nil {
					return nil, err
				}
			}
		}
		for k := range fields {
			if !slices.ContainsFunc(def.Fields, func(f FieldDef) bool { return f.Name == k }) {
				return nil, Errorf(EINVALID, "fields.%s: 不是“%s”的字段 / not a field of “%s”", k, def.Label, def.Label)
			}
		}
		if def.Takes {
			if t.Assignee != "" {
				return nil, errTaken(def)
			}
			t.Assignee = actor
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
		if def.Takes {
			fields["assignee"] = actor // the event says who took it
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

// errTaken refuses taking a ticket that someone has; the desk names them
// where it knows their name.
func errTaken(def *TransitionDef) error {
	return Errorf(ECONFLICT, "“%s”没有成功：工单已经有人接了，请刷新查看 / Someone has already taken this ticket (%s); reload to see who.", def.Label, def.Action)
}

// checkNotPast refuses a time v before the day of now, both read in loc,
// the ticket's zone.
func checkNotPast(f FieldDef, v string, loc *time.Location, now time.Time) error {
	at, err := ParseDeskTime(v, loc)
	if err != nil {
		return nil // checkField has refused it
	}
	today := now.In(loc).Format("2006-01-02")
	if at.In(loc).Format("2006-01-02") < today {
		return Errorf(EINVALID, "fields.%s: “%s”不能早于今天（%s） / %s cannot be before today (%s)", f.Name, f.Label, today, f.Name, today)
	}
	return nil
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
	return t.Procedure().Initial
}

func checkField(r *DeskRules, f FieldDef, v string) error {
	if err := CheckText("fields."+f.Name, v, 4000, true); err != nil {
		return err
	}
	switch f.Kind {
	case FieldDepartment:
		if r.DepartmentName(v) == "" {
			ids := make([]string, len(r.Departments))
			for i, d := range r.Departments {
				ids[i] = d.ID
			}
			return Errorf(EINVALID, "fields.%s: %q 不是部门（%s） / %q is not a department (%s)", f.Name, v, strings.Join(ids, ", "), v, strings.Join(ids, ", "))
		}
	case FieldPriority:
		if !slices.Contains(Priorities, v) {
			return Errorf(EINVALID, "fields.%s: %q 不是优先级（%s） / %q is not a priority (%s)", f.Name, v, strings.Join(Priorities, ", "), v, strings.Join(Priorities, ", "))
		}
	case FieldSatisfaction:
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 5 {
			return Errorf(EINVALID, "fields.%s: 满意度为 1 到 5 的整数，不能是 %q / satisfaction is a whole number from 1 to 5, not %q", f.Name, v, v)
		}
	case FieldTime:
		if _, err := ParseDeskTime(v, time.UTC); err != nil {
			return Errorf(EINVALID, "fields.%s: %q 不是 2026-12-01 18:00 这样的时间 / %q is not a time like 2026-12-01 18:00", f.Name, v, v)
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

// FieldKind is the kind of field name of action on tickets of procedure
// p, "" if there is no such field. Events keep their fields as strings.
func FieldKind(p *Procedure, action, name string) string {
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

// FieldLabel returns the label of a shipped field name, for showing
// events ("department" -> "处理部门"); unknown names are returned as they
// are. A ticket's own rules name theirs: DeskRules.FieldLabel.
func FieldLabel(name string) string { return ShippedRules().FieldLabel(name) }
