package academy

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/academy/academy/internal/calendar"
)

// AuditPhoneRevealed is recorded whenever someone shows a resident's full
// phone number at the live desk.
const AuditPhoneRevealed = "resident.phone_revealed"

// AuditPhoneSearched is recorded whenever someone searches the live desk
// by a resident's phone number.
const AuditPhoneSearched = "resident.phone_searched"

// Desk runs the helpdesk on a workspace: a live site, or a trainee's
// sandbox. Both use the same engine (CreateTicket, Apply, SLA); only where
// tickets are kept and which clock is used differ.
type Desk struct {
	Live      DeskStore
	Sandboxes SandboxStore
	Audit     AuditService
	Now       func() time.Time
	// Zones gives a site's zone (a sandbox's is the company's); without
	// it, UTC.
	Zones interface {
		SiteZone(ctx context.Context, site string) *time.Location
	}
	// Calendars gives a workspace's working calendar; without it, the
	// standard office week.
	Calendars CalendarSource
	// Rules gives a live site's desk rules; without it, and in sandboxes
	// (whose scenarios are written against them), the shipped rules.
	Rules DeskRulesSource
	// Finished hears of each live ticket an action brings to a terminal
	// state, once it is stored (the quality records); nil: nobody.
	Finished interface {
		TicketFinished(ctx context.Context, t *Ticket)
	}
}

// Workspace is one desk: its directory, its clock and, for a sandbox, the
// sandbox itself.
type Workspace struct {
	ID        string
	Directory *Directory
	Now       time.Time
	Sandbox   *Sandbox // nil for a live site
	// Zone is the site's zone: its tickets' office hours and the times
	// its desk shows.
	Zone *time.Location
	// Calendar is the site's working calendar, in which its tickets'
	// office-hours clocks run.
	Calendar *calendar.Calendar
	// Role is the capacity in which the caller works this desk; the
	// domain refuses the actions it does not allow.
	Role DeskRole
	// Rules are the desk rules new tickets open under; each ticket keeps
	// the revision it opened under.
	Rules *DeskRules
}

// Open loads a workspace.
func (d *Desk) Open(ctx context.Context, ws string) (*Workspace, error) {
	real := d.Now()
	if IsSandbox(ws) {
		sb, err := d.Sandboxes.FindSandbox(ctx, ws)
		if err != nil {
			return nil, err
		}
		cal, err := d.calendar(ctx, ws)
		if err != nil {
			return nil, err
		}
		return &Workspace{ID: ws, Directory: &sb.Directory, Now: sb.Now(real), Sandbox: sb, Zone: d.zone(ctx, ws), Calendar: cal, Rules: ShippedRules()}, nil
	}
	dir, err := d.Live.FindDirectory(ctx, ws)
	if err != nil {
		return nil, err
	}
	cal, err := d.calendar(ctx, ws)
	if err != nil {
		return nil, err
	}
	rules := ShippedRules()
	if d.Rules != nil {
		if rules, err = d.Rules.CurrentRules(ctx, ws); err != nil {
			return nil, err
		}
	}
	return &Workspace{ID: ws, Directory: dir, Now: real, Zone: d.zone(ctx, ws), Calendar: cal, Rules: rules}, nil
}

func (d *Desk) calendar(ctx context.Context, ws string) (*calendar.Calendar, error) {
	if d.Calendars == nil {
		return nil, nil // the standard office week
	}
	return d.Calendars.CalendarOf(ctx, ws)
}

// findTicket reads a live ticket with the rules of its revision attached.
func (d *Desk) findTicket(ctx context.Context, ws, id string) (*Ticket, error) {
	t, err := d.Live.FindTicket(ctx, ws, id)
	if err != nil {
		return nil, err
	}
	if t.Rules != "" {
		if d.Rules == nil {
			return nil, Errorf(EINVALID, "工单 %s 的工单规则（%s）在此不可用 / ticket %s: its desk rules (%s) are not available here", t.Number, t.Rules, t.Number, t.Rules)
		}
		r, err := d.Rules.RulesRevision(ctx, t.Rules)
		if err != nil {
			return nil, err
		}
		t.Under(r)
	}
	return t, nil
}

func (d *Desk) zone(ctx context.Context, ws string) *time.Location {
	if d.Zones == nil {
		return time.UTC
	}
	return d.Zones.SiteZone(ctx, ws)
}

// residentsNamed finds residents by name.
func residentsNamed(dir *Directory, q string) []string {
	var ids []string
	for _, r := range dir.Residents {
		if strings.Contains(r.Name, q) {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

// residentsByPhone reads q as a search by phone: the whole number (an
// 11-digit mobile, +86 allowed, or a landline as the directory holds it,
// spaces and dashes ignored), or the last four digits with the flat
// ("1202 5678", "3栋2单元1202 5678"). ok is false for anything else: part
// of a number searches no phone, or a run of prefix searches would spell
// out the digits that masking hides. detail is the search as the audit
// log keeps it, with the middle of a number hidden.
func residentsByPhone(dir *Directory, q string) (ids []string, detail string, ok bool) {
	words := strings.Fields(q)
	for i, w := range words {
		if len(w) != 4 || phoneDigits(w) != w {
			continue
		}
		flat := strings.Join(slices.Delete(slices.Clone(words), i, i+1), " ")
		units := unitsNamed(dir, flat)
		if len(units) == 0 {
			continue
		}
		ok, detail = true, q
		for _, r := range dir.Residents {
			if slices.Contains(units, r.Unit) && strings.HasSuffix(phoneDigits(r.Phone), w) && !slices.Contains(ids, r.ID) {
				ids = append(ids, r.ID)
			}
		}
	}
	if ok {
		return ids, detail, true
	}
	if strings.Trim(q, "0123456789+-() ") == "" {
		digits := phoneDigits(q)
		if len(digits) == 13 && strings.HasPrefix(digits, "86") {
			digits = digits[2:]
		}
		if len(digits) < 7 {
			return nil, "", false
		}
		for _, r := range dir.Residents {
			if phoneDigits(r.Phone) == digits {
				ids = append(ids, r.ID)
			}
		}
		return ids, MaskPhone(digits), true
	}
	return nil, "", false
}

// unitsNamed finds the units that q names exactly: by id, by label, or by
// the room number that ends the label (1202 of 3栋2单元1202).
func unitsNamed(dir *Directory, q string) []string {
	var ids []string
	for _, u := range dir.Units {
		room := len(u.Label) > len(q) && strings.HasSuffix(u.Label, q) && len(q) >= 3 && phoneDigits(q) == q &&
			!isASCIIDigit(u.Label[len(u.Label)-len(q)-1])
		if u.ID == q || u.Label == q || room {
			ids = append(ids, u.ID)
		}
	}
	return ids
}

// unitsMatching finds units by label ("3栋2单元1202" or just "1202") or
// by id ("3-2-1202", in any case).
func unitsMatching(dir *Directory, q string) []string {
	var ids []string
	for _, u := range dir.Units {
		if strings.Contains(u.Label, q) || strings.Contains(strings.ToLower(u.ID), strings.ToLower(q)) {
			ids = append(ids, u.ID)
		}
	}
	return ids
}

// List returns the tickets of a workspace, newest first. A search by
// phone at a live desk is audited as who looked up which number: it
// finds a resident as surely as a reveal shows one.
func (d *Desk) List(ctx context.Context, w *Workspace, f TicketFilter, who Actor) ([]TicketSummary, error) {
	if f.Query = strings.TrimSpace(f.Query); f.Query != "" {
		keys, detail, byPhone := searchKeys(w.Directory, f.Query)
		f.Keys = keys
		if byPhone && w.Sandbox == nil {
			if err := d.Audit.RecordAudit(ctx, &AuditEvent{Time: d.Now(), Actor: who.Username, Action: AuditPhoneSearched,
				Target: w.ID, IP: who.IP, Detail: detail}); err != nil {
				return nil, err
			}
		}
	}
	if w.Sandbox == nil {
		return d.Live.ListTickets(ctx, w.ID, f)
	}
	var out []TicketSummary
	for i := len(w.Sandbox.Tickets) - 1; i >= 0; i-- {
		t := &w.Sandbox.Tickets[i]
		if (!f.Open || t.Open()) && f.selects(t.Type, t.State, t.Assignee, t.SearchKey()) {
			out = append(out, t.Summary(w.Calendar))
		}
	}
	return out, nil
}

func residentsOfUnits(dir *Directory, units []string) []string {
	var ids []string
	for _, r := range dir.Residents {
		if slices.Contains(units, r.Unit) {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

// Get returns a ticket of the workspace.
func (d *Desk) Get(ctx context.Context, w *Workspace, id string) (*Ticket, error) {
	if w.Sandbox != nil {
		if t := w.Sandbox.Ticket(id); t != nil {
			return t, nil
		}
		return nil, TicketNotFound(id, w.ID)
	}
	return d.findTicket(ctx, w.ID, id)
}

// Create opens a ticket in the workspace.
func (d *Desk) Create(ctx context.Context, w *Workspace, in NewTicket, actor string) (*Ticket, error) {
	if !MayAct(w.Role, nil, ActionCreate) {
		return nil, Errorf(EFORBIDDEN, "工单由客服专员受理建单 / Agents open tickets; a site manager does not.")
	}
	if sb := w.Sandbox; sb != nil {
		if len(sb.Tickets) >= MaxSandboxTickets {
			return nil, Errorf(EINVALID, "演练环境最多 %d 张工单,请重置后再练 / A sandbox holds at most %d tickets; reset it.", MaxSandboxTickets, MaxSandboxTickets)
		}
		sb.Seq++
		t, err := CreateTicket(ShippedRules(), in, w.Directory, w.ID, TicketID(w.ID, sb.Seq), ShippedRules().TicketNumber(in.Type, sb.Seq), actor, w.Now)
		if err != nil {
			return nil, err
		}
		t.TZ = w.Zone.String()
		sb.Tickets = append(sb.Tickets, *t)
		sb.Version++
		if err := d.Sandboxes.SaveSandbox(ctx, sb); err != nil {
			return nil, err
		}
		return t, nil
	}
	for tries := 0; ; tries++ {
		n, err := d.Live.NextNumber(ctx, w.ID)
		if err != nil {
			return nil, err
		}
		t, err := CreateTicket(w.Rules, in, w.Directory, w.ID, TicketID(w.ID, n), w.Rules.TicketNumber(in.Type, n), actor, w.Now)
		if err != nil {
			return nil, err
		}
		t.TZ = w.Zone.String()
		err = d.Live.InsertTicket(ctx, t)
		if err == nil {
			return t, nil
		}
		if ErrorCode(err) != ECONFLICT || tries >= 5 {
			return nil, err
		}
	}
}

// Act applies an action to a ticket of the workspace. Besides Apply, it
// runs what an action's rules ask of other tickets: a guard on the flat's
// open tickets (RequiresNoneOpen) and the ticket an action opens (Opens),
// which lands in the same workspace.
func (d *Desk) Act(ctx context.Context, w *Workspace, id string, a TicketAction, actor string) (*Ticket, error) {
	if a.Action == ActionAssign {
		who := strings.TrimSpace(a.Fields["assignee"])
		if who != actor && !slices.ContainsFunc(w.Directory.Members, func(m Member) bool { return m.ID == who }) {
			return nil, Errorf(EINVALID, "fields.assignee: 请自己接手工单（%s）或指定某个部门的成员 / take the ticket yourself (%s) or name a member of a department", actor, actor)
		}
	}
	if sb := w.Sandbox; sb != nil {
		t := sb.Ticket(id)
		if t == nil {
			return nil, TicketNotFound(id, w.ID)
		}
		def, err := d.beforeAct(ctx, w, t, a)
		if err != nil {
			return nil, err
		}
		opens := def != nil && def.Opens != ""
		if opens && len(sb.Tickets) >= MaxSandboxTickets {
			return nil, Errorf(EINVALID, "演练环境最多 %d 张工单,请重置后再练 / A sandbox holds at most %d tickets; reset it.", MaxSandboxTickets, MaxSandboxTickets)
		}
		ev, err := Apply(t, a, actor, w.Now)
		if err != nil {
			return nil, err
		}
		if opens {
			nt, err := openFrom(w, t, ev, def, TicketID(w.ID, sb.Seq+1), w.Rules.TicketNumber(def.Opens, sb.Seq+1), actor)
			if err != nil {
				return nil, err
			}
			sb.Seq++
			sb.Tickets = append(sb.Tickets, *nt)
			t = sb.Ticket(id) // the append may have moved the tickets
		}
		sb.Version++
		if err := d.Sandboxes.SaveSandbox(ctx, sb); err != nil {
			return nil, err
		}
		return t, nil
	}
	t, err := d.findTicket(ctx, w.ID, id)
	if err != nil {
		return nil, err
	}
	def, err := d.beforeAct(ctx, w, t, a)
	if err != nil {
		return nil, err
	}
	var opened *Ticket
	ev, err := Apply(t, a, actor, w.Now)
	if err != nil {
		return nil, err
	}
	if def != nil && def.Opens != "" {
		// The number is taken first, so that the ticket saved below can
		// name it; the ticket it names is inserted once that save won.
		n, err := d.Live.NextNumber(ctx, w.ID)
		if err != nil {
			return nil, err
		}
		if opened, err = openFrom(w, t, ev, def, TicketID(w.ID, n), w.Rules.TicketNumber(def.Opens, n), actor); err != nil {
			return nil, err
		}
	}
	if err := d.Live.SaveTicket(ctx, t); err != nil {
		return nil, err
	}
	if opened != nil {
		if err := d.Live.InsertTicket(ctx, opened); err != nil {
			return nil, err
		}
	}
	if d.Finished != nil && !t.Open() {
		d.Finished.TicketFinished(ctx, t)
	}
	return t, nil
}

// beforeAct checks what Apply cannot see from the ticket alone: that the
// caller's role may take the action, and a transition's guard on the
// flat's other tickets. It returns the transition (nil for the actions
// every ticket has).
func (d *Desk) beforeAct(ctx context.Context, w *Workspace, t *Ticket, a TicketAction) (*TransitionDef, error) {
	if err := checkRole(w.Role, t, a.Action); err != nil {
		return nil, err
	}
	p := t.Procedure()
	if p == nil {
		return nil, nil
	}
	def := p.Transition(a.Action)
	// An action not allowed now, or on a stale version, is Apply's to
	// refuse, with its own message.
	if def == nil || def.RequiresNoneOpen == "" || !slices.Contains(def.From, t.State) || a.Version != t.Version {
		return def, nil
	}
	what := t.DeskRules().Procedure(def.RequiresNoneOpen)
	label := def.RequiresNoneOpen
	if what != nil {
		label = what.Label
	}
	if t.Unit == "" {
		return nil, Errorf(EINVALID, "unit: “%s”要先核对本户有没有未办结的%s工单，这张工单没有房号 / %s checks the flat for open %s tickets, and this ticket has no flat.",
			def.Label, label, def.Label, label)
	}
	var open []string
	if w.Sandbox != nil {
		for _, o := range w.Sandbox.Tickets {
			if o.Type == def.RequiresNoneOpen && o.Unit == t.Unit && o.ID != t.ID && o.Open() {
				open = append(open, o.Number)
			}
		}
	} else {
		list, err := d.Live.ListTickets(ctx, w.ID, TicketFilter{Open: true, Type: def.RequiresNoneOpen})
		if err != nil {
			return nil, err
		}
		for _, o := range list {
			if o.Unit == t.Unit && o.ID != t.ID {
				open = append(open, o.Number)
			}
		}
	}
	if len(open) > 0 {
		nums := strings.Join(open, "、")
		return nil, Errorf(EINVALID, "“%s”暂时不能办理：本户还有未办结的%s工单 %s，请先办结 / %s is refused while this flat has an open %s ticket: %s.",
			def.Label, label, nums, def.Label, label, strings.Join(open, ", "))
	}
	return def, nil
}

// openFrom makes the ticket that action def, just applied to t as event
// ev, opens: of type def.Opens under the workspace's current rules, for
// t's flat and resident, with t's priority and channel, the action's
// text as its description and the department it names. The two tickets
// and their events name each other.
func openFrom(w *Workspace, t *Ticket, ev *Event, def *TransitionDef, id, number, actor string) (*Ticket, error) {
	var text []string
	for _, f := range def.Fields {
		if v := ev.Fields[f.Name]; f.Kind == FieldText && v != "" {
			text = append(text, v)
		}
	}
	desc := strings.Join(text, "\n")
	title := []rune(strings.TrimSpace(strings.SplitN(desc, "\n", 2)[0]))
	if len(title) > 40 {
		title = append(title[:40], '…')
	}
	in := NewTicket{Type: def.Opens, Title: t.Procedure().Label + "：" + string(title), Description: desc,
		Unit: t.Unit, Resident: t.Resident, Channel: t.Channel, Priority: t.Priority}
	nt, err := CreateTicket(w.Rules, in, w.Directory, w.ID, id, number, actor, w.Now)
	if err != nil {
		return nil, err
	}
	nt.TZ = w.Zone.String()
	if dept := ev.Fields["department"]; dept != "" && w.Rules.DepartmentName(dept) != "" {
		nt.Department = dept
	}
	nt.Links = []TicketLink{{ID: t.ID, Number: t.Number, Type: t.Type}}
	nt.Events[0].Fields["source"] = t.Number
	t.Links = append(t.Links, TicketLink{ID: nt.ID, Number: nt.Number, Type: nt.Type})
	ev.Fields["opened"] = nt.Number
	return nt, nil
}

// RevealPhone returns a resident's full phone number. At a live desk every
// reveal is audited, with the number of the ticket it was for when there
// is one; sandbox phones are fake and are not.
func (d *Desk) RevealPhone(ctx context.Context, w *Workspace, resident, ticket string, who Actor) (string, error) {
	r := w.Directory.Resident(resident)
	if r == nil {
		return "", Errorf(ENOTFOUND, "%s 中没有住户 %q / resident %q not found in %s", w.ID, resident, resident, w.ID)
	}
	if w.Sandbox == nil {
		if err := d.Audit.RecordAudit(ctx, &AuditEvent{Time: d.Now(), Actor: who.Username, Action: AuditPhoneRevealed,
			Target: w.ID + "/" + r.ID, Ticket: ticket, IP: who.IP, Detail: r.Name}); err != nil {
			return "", err
		}
	}
	return r.Phone, nil
}

// sandboxesToTrim picks, from an owner's sandboxes (newest first), those
// to delete so that one more fits under MaxSandboxes: the oldest scenario
// sandboxes first, since every practice call opens one, and practice
// desks, which a learner opens by hand and comes back to, only after them.
func sandboxesToTrim(have []SandboxRef) []SandboxRef {
	n := len(have) - (MaxSandboxes - 1)
	var out []SandboxRef
	for _, practice := range []bool{false, true} {
		for i := len(have) - 1; i >= 0 && len(out) < n; i-- {
			if (have[i].Scenario == "") == practice {
				out = append(out, have[i])
			}
		}
	}
	return out
}

// OpenSandbox creates a sandbox for owner: from a fixture when given (a
// scenario's), else a practice desk: a synthetic estate with the open
// tickets of a working day (PracticeDesk). The owner keeps
// at most MaxSandboxes; older ones are deleted with their tickets (a
// finished run's debrief does without its sandbox).
func (d *Desk) OpenSandbox(ctx context.Context, owner, name string, fx *SandboxFixture) (*Sandbox, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		name = "练习"
	}
	// 100 characters, as titles: a scenario's title names its run's sandbox.
	if err := CheckText("name", name, 100, false); err != nil {
		return nil, err
	}
	have, err := d.Sandboxes.ListSandboxRefs(ctx, owner)
	if err != nil {
		return nil, err
	}
	for _, old := range sandboxesToTrim(have) {
		if err := d.Sandboxes.DeleteSandbox(ctx, owner, old.ID); err != nil {
			return nil, err
		}
	}
	seed := EstateSeed(d.Now())
	sb := &Sandbox{ID: SandboxPrefix + strings.ToLower(NewToken()[:12]), Owner: owner, Name: name, Site: SyntheticSiteName(seed),
		Version: 1, CreatedAt: d.Now()}
	if fx == nil {
		dir := SyntheticDirectory(seed)
		fx = &SandboxFixture{Directory: dir, Tickets: PracticeDesk(&dir, d.Now())}
	}
	sb.Scenario, sb.Run = fx.Scenario, fx.Run
	sb.Fixture = fx
	sb.restore(d.zone(ctx, sb.ID))
	if err := d.Sandboxes.InsertSandbox(ctx, sb); err != nil {
		return nil, err
	}
	return sb, nil
}

// restore puts a sandbox back to its fixture; its tickets count office
// hours in loc, the sandbox's zone.
func (s *Sandbox) restore(loc *time.Location) {
	s.Directory = s.Fixture.Directory
	s.Tickets = slices.Clone(s.Fixture.Tickets)
	for i := range s.Tickets {
		s.Tickets[i].Workspace, s.Tickets[i].TZ = s.ID, loc.String()
	}
	s.Offset, s.Seq = 0, len(s.Tickets)
}

// MaxAdvance bounds one advance of a sandbox clock, and MaxOffset how far
// ahead of real time a sandbox can run in all: far enough for any SLA or
// deadline exercise, and never near the limits of a time.Duration, which
// repeated advances would otherwise wrap into the past.
const (
	MaxAdvance = 30 * 24 * time.Hour
	MaxOffset  = 365 * 24 * time.Hour
)

// AdvanceClock moves a sandbox's simulated time forward by a whole number
// of minutes. The range is checked on the minutes, before they become a
// duration that a huge count would overflow.
func (d *Desk) AdvanceClock(ctx context.Context, sb *Sandbox, minutes int) error {
	if minutes < 1 || minutes > int(MaxAdvance/time.Minute) {
		return Errorf(EINVALID, "minutes: 时钟每次可拨快 1 分钟到 30 天（%d 分钟） / advance the clock by 1 minute to 30 days (%d minutes)",
			int(MaxAdvance/time.Minute), int(MaxAdvance/time.Minute))
	}
	by := time.Duration(minutes) * time.Minute
	if sb.Offset+by > MaxOffset {
		days := int(sb.Offset / (24 * time.Hour))
		return Errorf(EINVALID, "minutes: 演练时钟最多比现实快 365 天，现已快 %d 天；请重置演练环境 / the sandbox clock runs at most 365 days ahead and is %d days ahead now; reset the sandbox to start again", days, days)
	}
	sb.Offset += by
	sb.Version++
	return d.Sandboxes.SaveSandbox(ctx, sb)
}

// ResetSandbox restores a sandbox to how it started.
func (d *Desk) ResetSandbox(ctx context.Context, sb *Sandbox) error {
	sb.restore(d.zone(ctx, sb.ID))
	sb.Version++
	return d.Sandboxes.SaveSandbox(ctx, sb)
}

// ActionEscalate is the system's note that an overdue ticket went to the
// site's managers.
const ActionEscalate = "escalate"

// Escalate flags every live ticket whose SLA target has passed, once, with
// an internal event for the managers; it returns the tickets escalated.
func (d *Desk) Escalate(ctx context.Context) ([]TicketSummary, error) {
	open, err := d.Live.ListOpenTickets(ctx)
	if err != nil {
		return nil, err
	}
	now := d.Now()
	var done []TicketSummary
	for _, s := range open {
		if !s.Overdue(now) || !s.Escalated.IsZero() {
			continue
		}
		t, err := d.findTicket(ctx, s.Workspace, s.ID)
		if err != nil {
			return done, err
		}
		cal, err := d.calendar(ctx, t.Workspace)
		if err != nil {
			return done, err
		}
		st := SLA(t, now, cal)
		if st.Overdue == "" || !t.Escalated.IsZero() || t.Procedure() == nil || t.Procedure().EscalateTo == EscalateNone {
			continue
		}
		what := map[string]string{"first_response": "首次响应", "resolution": "处理完成"}[st.Overdue]
		t.Events = append(t.Events, Event{Seq: len(t.Events) + 1, At: now, Actor: ActorSystem, Action: ActionEscalate, Internal: true,
			Note: "超过" + what + "时限，已升级至项目主管 / Overdue (" + st.Overdue + "); escalated to the site's managers."})
		t.Escalated, t.UpdatedAt = now, now
		t.Version++
		if err := d.Live.SaveTicket(ctx, t); err != nil {
			if ErrorCode(err) == ECONFLICT {
				continue // someone acted on it meanwhile; the next sweep looks again
			}
			return done, err
		}
		done = append(done, t.Summary(cal))
	}
	return done, nil
}
