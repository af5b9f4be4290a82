package academy

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/academy/academy/internal/calendar"
)

// Departments of a property service centre.
const (
	DeptService     = "service"     // 客服
	DeptEngineering = "engineering" // 工程
	DeptSecurity    = "security"    // 安保
	DeptCleaning    = "cleaning"    // 保洁
	DeptLandscaping = "landscaping" // 绿化
	DeptFinance     = "finance"     // 财务: bills, receipts and refunds
)

// DepartmentName returns the Chinese name of a shipped department id (""
// if none); a ticket's own rules name theirs: DeskRules.DepartmentName.
func DepartmentName(id string) string { return ShippedRules().DepartmentName(id) }

// Unit is a flat (or shop) of a site.
type Unit struct {
	ID       string `json:"id" bson:"id"`             // e.g. "3-2-1202": building 3, entrance 2, room 1202
	Building string `json:"building" bson:"building"` // "3栋"
	Label    string `json:"label" bson:"label"`       // "3栋2单元1202"
}

// Resident is an owner or tenant of a unit.
type Resident struct {
	ID    string `json:"id" bson:"id"`
	Name  string `json:"name" bson:"name"`
	Unit  string `json:"unit" bson:"unit"` // Unit.ID
	Phone string `json:"-" bson:"phone"`   // shown masked unless revealed
	Role  string `json:"role" bson:"role"` // owner | tenant
}

// MaskPhone hides the middle of a phone number: 138****5678.
func MaskPhone(p string) string {
	r := []rune(p)
	if len(r) < 7 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
}

// Member is a person of a department who can be dispatched.
type Member struct {
	ID         string `json:"id" bson:"id"`
	Name       string `json:"name" bson:"name"`
	Department string `json:"department" bson:"department"`
}

// Directory is what the desk knows about a site: its units, residents and
// department members. One document per workspace: a site of a few thousand
// units fits easily and is read in one go.
type Directory struct {
	Units     []Unit     `json:"units" bson:"units"`
	Residents []Resident `json:"residents" bson:"residents"`
	Members   []Member   `json:"members" bson:"members"`
	// Version counts the changes of a live site's directory, so that two
	// administrators editing it at once never overwrite each other.
	Version int `json:"-" bson:"version,omitempty"`
}

// Clone copies d's lists, so that changing the copy's entries leaves d as
// it was.
func (d *Directory) Clone() Directory {
	return Directory{Units: slices.Clone(d.Units), Residents: slices.Clone(d.Residents), Members: slices.Clone(d.Members)}
}

// Validate checks that ids are unique, residents live in known units,
// members belong to known departments, and everything has a name.
func (d *Directory) Validate() error {
	units := map[string]bool{}
	for i, u := range d.Units {
		if strings.TrimSpace(u.ID) == "" || strings.TrimSpace(u.Label) == "" {
			return Errorf(EINVALID, "units[%d]: 请填写编号和名称 / id and label are required", i)
		}
		if units[u.ID] {
			return Errorf(EINVALID, "units[%d]: 房屋编号 %q 重复 / duplicate unit id %q", i, u.ID, u.ID)
		}
		units[u.ID] = true
	}
	ids := map[string]bool{}
	for i, r := range d.Residents {
		if strings.TrimSpace(r.ID) == "" || strings.TrimSpace(r.Name) == "" {
			return Errorf(EINVALID, "residents[%d]: 请填写编号和姓名 / id and name are required", i)
		}
		if ids[r.ID] {
			return Errorf(EINVALID, "residents[%d]: 住户编号 %q 重复 / duplicate resident id %q", i, r.ID, r.ID)
		}
		ids[r.ID] = true
		if !units[r.Unit] {
			return Errorf(EINVALID, "residents[%d]: 房屋 %q 不在房屋列表中 / unit %q is not in units", i, r.Unit, r.Unit)
		}
		if r.Role != "owner" && r.Role != "tenant" {
			return Errorf(EINVALID, "residents[%d]: 身份须为业主（owner）或租户（tenant），不能是 %q / role must be owner or tenant, not %q", i, r.Role, r.Role)
		}
	}
	for i, m := range d.Members {
		if strings.TrimSpace(m.ID) == "" || strings.TrimSpace(m.Name) == "" {
			return Errorf(EINVALID, "members[%d]: 请填写编号和姓名 / id and name are required", i)
		}
		if DepartmentName(m.Department) == "" {
			return Errorf(EINVALID, "members[%d]: %q 不是部门 / %q is not a department", i, m.Department, m.Department)
		}
	}
	return nil
}

// Resident returns the resident with id, or nil.
func (d *Directory) Resident(id string) *Resident {
	for i := range d.Residents {
		if d.Residents[i].ID == id {
			return &d.Residents[i]
		}
	}
	return nil
}

// ResidentLabel is how a resident is picked on a form: the flat and the
// name, "3栋2单元1202 王伟".
func (d *Directory) ResidentLabel(r Resident) string {
	if u := d.Unit(r.Unit); u != nil {
		return u.Label + " " + r.Name
	}
	return r.Name
}

// FindResident reads what someone typed to name a resident: an id, the
// flat and the name as the form's list offers them, or any words that
// each are part of the resident's flat or name ("1202", "王伟", "3栋 王").
// It returns the resident's id, or an error naming the field when no
// resident or more than one fits.
func (d *Directory) FindResident(q string) (string, error) {
	q = strings.Join(strings.Fields(q), " ")
	if q == "" {
		return "", nil
	}
	if r := d.Resident(q); r != nil {
		return r.ID, nil
	}
	var found []*Resident
	words := strings.Fields(q)
	for i := range d.Residents {
		r := &d.Residents[i]
		label := d.ResidentLabel(*r)
		if label == q {
			return r.ID, nil
		}
		if !slices.ContainsFunc(words, func(w string) bool { return !strings.Contains(label, w) }) {
			found = append(found, r)
		}
	}
	shown := q
	if rs := []rune(q); len(rs) > 40 {
		shown = string(rs[:40]) + "…"
	}
	switch len(found) {
	case 1:
		return found[0].ID, nil
	case 0:
		return "", Errorf(EINVALID, "resident: 没有找到“%s”，请输入房号或姓名后从列表中选择 / no resident matches “%s”: type a flat or a name and pick from the list", shown, shown)
	}
	var some []string
	for _, r := range found[:min(len(found), 5)] {
		some = append(some, d.ResidentLabel(*r))
	}
	more := ""
	if len(found) > 5 {
		more = "…"
	}
	return "", Errorf(EINVALID, "resident: “%s”对应 %d 位住户（%s%s），请写全房号和姓名 / “%s” matches %d residents (%s%s): give the flat and the name",
		shown, len(found), strings.Join(some, "、"), more, shown, len(found), strings.Join(some, ", "), more)
}

// Unit returns the unit with id, or nil.
func (d *Directory) Unit(id string) *Unit {
	for i := range d.Units {
		if d.Units[i].ID == id {
			return &d.Units[i]
		}
	}
	return nil
}

// ActorSystem is the actor of events no person caused (an escalation
// when a deadline passes).
const ActorSystem = "system"

// Event is one change of a ticket. Events are only ever appended: the log
// is the ticket's history and what practice is graded against.
type Event struct {
	Seq      int               `json:"seq" bson:"seq"`
	At       time.Time         `json:"at" bson:"at"`
	Actor    string            `json:"actor" bson:"actor"`
	Action   string            `json:"action" bson:"action"`
	From     string            `json:"from,omitempty" bson:"from,omitempty"`
	To       string            `json:"to,omitempty" bson:"to,omitempty"`
	Fields   map[string]string `json:"fields,omitempty" bson:"fields,omitempty"`
	Note     string            `json:"note,omitempty" bson:"note,omitempty"`
	Internal bool              `json:"internal,omitempty" bson:"internal,omitempty"` // internal note, not said to the owner
}

// Ticket is one case at the desk: a repair, complaint, inquiry, visitor or
// renovation application.
type Ticket struct {
	ID          string            `json:"id" bson:"_id"`
	Workspace   string            `json:"workspace" bson:"workspace"`
	Number      string            `json:"number" bson:"number"` // shown to people: BX-0042
	Type        string            `json:"type" bson:"type"`
	State       string            `json:"state" bson:"state"`
	Title       string            `json:"title" bson:"title"`
	Description string            `json:"description" bson:"description"`
	Unit        string            `json:"unit,omitempty" bson:"unit,omitempty"`
	Resident    string            `json:"resident,omitempty" bson:"resident,omitempty"`
	Channel     string            `json:"channel" bson:"channel"` // phone, counter, app
	Priority    string            `json:"priority" bson:"priority"`
	Department  string            `json:"department,omitempty" bson:"department,omitempty"`
	Assignee    string            `json:"assignee,omitempty" bson:"assignee,omitempty"`
	Fields      map[string]string `json:"fields" bson:"fields"` // the latest value of every field set
	Version     int               `json:"version" bson:"version"`
	CreatedAt   time.Time         `json:"created_at" bson:"created_at"`
	CreatedBy   string            `json:"created_by" bson:"created_by"`
	UpdatedAt   time.Time         `json:"updated_at" bson:"updated_at"`
	Events      []Event           `json:"events" bson:"events"`
	// Escalated is when the overdue ticket was escalated to the managers.
	Escalated time.Time `json:"escalated,omitzero" bson:"escalated,omitempty"`
	// TZ is the zone of the ticket's site when it was opened: the SLA's
	// office hours are that site's, whatever zone the server runs in.
	TZ string `json:"tz,omitempty" bson:"tz,omitempty"`
	// Rules is the revision of the desk rules the ticket was opened under
	// ("" for the shipped ones): it works by them to the end, whatever
	// the company changes meanwhile.
	Rules string `json:"rules,omitempty" bson:"rules,omitempty"`
	// Links are the tickets this one opened or was opened from (a
	// patrol's finding and its repair): each names the other.
	Links []TicketLink `json:"links,omitempty" bson:"links,omitempty"`
	// rules are those rules, attached by the desk when it reads the
	// ticket (Under).
	rules *DeskRules
}

// TicketLink names another ticket of the same workspace.
type TicketLink struct {
	ID     string `json:"id" bson:"id"`
	Number string `json:"number" bson:"number"`
	Type   string `json:"type" bson:"type"`
}

// Under attaches the rules of the ticket's revision, r.Rev == t.Rules.
func (t *Ticket) Under(r *DeskRules) { t.rules = r }

// DeskRules are the rules the ticket works by: those attached, else, for
// a ticket opened before companies had rules of their own, the shipped.
func (t *Ticket) DeskRules() *DeskRules {
	if t.rules != nil {
		return t.rules
	}
	return ShippedRules()
}

// Procedure is the ticket's procedure, or nil if its rules have no such
// type.
func (t *Ticket) Procedure() *Procedure { return t.DeskRules().Procedure(t.Type) }

// Location is the zone the ticket's office hours are counted in; tickets
// stored before sites had zones count in UTC, as they did when read back.
func (t *Ticket) Location() *time.Location {
	if t.TZ != "" {
		if loc, err := time.LoadLocation(t.TZ); err == nil {
			return loc
		}
	}
	return time.UTC
}

// Open reports whether the ticket still needs work.
func (t *Ticket) Open() bool {
	p := t.Procedure()
	return p == nil || !p.State(t.State).Terminal
}

// Priorities, with the SLA they select.
const (
	PriorityUrgent = "urgent"
	PriorityHigh   = "high"
	PriorityNormal = "normal"
	PriorityLow    = "low"
)

// Priorities lists priorities from most to least urgent.
var Priorities = []string{PriorityUrgent, PriorityHigh, PriorityNormal, PriorityLow}

// PriorityName is the Chinese label of a priority, as the desk and the
// lessons name it ("" if none).
func PriorityName(p string) string {
	return map[string]string{PriorityUrgent: "紧急", PriorityHigh: "高", PriorityNormal: "普通", PriorityLow: "低"}[p]
}

// Channels through which an owner reaches the desk.
var Channels = []string{"phone", "counter", "app"}

// NewTicket is what the desk fills in when a case arrives.
type NewTicket struct {
	Type, Title, Description, Unit, Resident, Channel, Priority string
}

// TicketFilter selects tickets of a workspace.
type TicketFilter struct {
	Open     bool   // only tickets not in a terminal state
	Type     string // "" = all
	State    string
	Assignee string // "-" = unassigned
	// Query is what was typed in the search box, Keys the search-key
	// tokens it stands for (SearchKeys): with a Query, only tickets whose
	// key holds one of Keys are selected.
	Query string
	Keys  []string
}

// TicketSummary is the part of a ticket that queues show.
type TicketSummary struct {
	ID         string    `json:"id" bson:"_id"`
	Workspace  string    `json:"workspace" bson:"workspace"`
	Number     string    `json:"number" bson:"number"`
	Type       string    `json:"type" bson:"type"`
	State      string    `json:"state" bson:"state"`
	Title      string    `json:"title" bson:"title"`
	Unit       string    `json:"unit,omitempty" bson:"unit,omitempty"`
	Resident   string    `json:"resident,omitempty" bson:"resident,omitempty"`
	Priority   string    `json:"priority" bson:"priority"`
	Department string    `json:"department,omitempty" bson:"department,omitempty"`
	Assignee   string    `json:"assignee,omitempty" bson:"assignee,omitempty"`
	CreatedAt  time.Time `json:"created_at" bson:"created_at"`
	UpdatedAt  time.Time `json:"updated_at" bson:"updated_at"`
	Version    int       `json:"version" bson:"version"`
	// Due is when the running SLA target runs out (zero: paused or met),
	// DueKind which target it is. They are fixed at each change, since
	// the clock only changes speed when the ticket does.
	Due       time.Time `json:"due,omitzero" bson:"due,omitempty"`
	DueKind   string    `json:"due_kind,omitempty" bson:"due_kind,omitempty"`
	Escalated time.Time `json:"escalated,omitzero" bson:"escalated,omitempty"`
	// Marks are the SLA marks of the clocks still to be met, the running
	// target's first, three per clock in the order of SLAMarks (At zero:
	// not reached while the clock is paused). Reminders find tickets by
	// the marks that fall in a window of time.
	Marks []SLAMark `json:"marks,omitempty" bson:"marks,omitempty"`
	// MarkTimes are the known times of Marks, the key reminders query: an
	// array of times, which both MongoDB and the embedded store match
	// element by element (neither matches $elemMatch on Marks' documents
	// alike).
	MarkTimes []time.Time `json:"-" bson:"mark_times,omitempty"`
	// FollowUp is when an open ticket is next followed up: the time of
	// its procedure's follow_up field, zero if none is set.
	FollowUp time.Time `json:"follow_up,omitzero" bson:"follow_up,omitempty"`
}

// SLAMark is when one clock of a ticket reaches a share of its allowance.
type SLAMark struct {
	Clock string    `json:"clock" bson:"clock"` // "first_response" or "resolution"
	Pct   int       `json:"pct" bson:"pct"`     // one of SLAMarks
	At    time.Time `json:"at" bson:"at"`
}

// SLA bands: how much of the running target's allowance a ticket has
// used, as queues show it.
const (
	BandFresh    = "fresh"    // under half
	BandHalf     = "half"     // half to four fifths
	BandNear     = "near"     // four fifths up to the deadline
	BandBreached = "breached" // past the deadline
)

// Overdue reports whether the running target has passed at now.
func (s *TicketSummary) Overdue(now time.Time) bool { return !s.Due.IsZero() && now.After(s.Due) }

// Band is the SLA band of the target still to be met at now ("" when
// none is: the ticket is resolved). A mark counts from its very moment,
// except the last: the deadline itself is still in time.
func (s *TicketSummary) Band(now time.Time) string {
	if len(s.Marks) == 0 {
		return ""
	}
	bands := [len(SLAMarks) + 1]string{BandFresh, BandHalf, BandNear, BandBreached}
	reached := 0
	for i, m := range s.Marks[:len(SLAMarks)] {
		if m.At.IsZero() || now.Before(m.At) || (i == len(SLAMarks)-1 && !now.After(m.At)) {
			break
		}
		reached++
	}
	return bands[reached]
}

// BreachAt is when the target still to be met runs out, past or future;
// zero when that is unknown (paused before its deadline) or nothing runs.
func (s *TicketSummary) BreachAt() time.Time {
	if len(s.Marks) < len(SLAMarks) {
		return time.Time{}
	}
	return s.Marks[len(SLAMarks)-1].At
}

// SortByBreach orders a queue closest to breach first: the longest
// overdue, then the nearest deadlines; tickets with no deadline running
// (paused in time, or resolved) follow in their previous order.
func SortByBreach(list []TicketSummary) {
	slices.SortStableFunc(list, func(a, b TicketSummary) int {
		x, y := a.BreachAt(), b.BreachAt()
		switch {
		case x.IsZero() && y.IsZero():
			return 0
		case x.IsZero():
			return 1
		case y.IsZero():
			return -1
		}
		return x.Compare(y)
	})
}

// Summary returns the queue view of a ticket as of its last change, its
// office-hours deadlines counted in cal, the calendar of its site.
func (t *Ticket) Summary(cal *calendar.Calendar) TicketSummary {
	s := TicketSummary{ID: t.ID, Workspace: t.Workspace, Number: t.Number, Type: t.Type, State: t.State, Title: t.Title,
		Unit: t.Unit, Resident: t.Resident, Priority: t.Priority, Department: t.Department, Assignee: t.Assignee,
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, Version: t.Version, Escalated: t.Escalated}
	if t.Open() {
		s.FollowUp = t.FollowUp()
	}
	st := SLA(t, t.UpdatedAt, cal)
	for _, c := range []struct {
		name  string
		clock SLAClock
	}{{"first_response", st.Response}, {"resolution", st.Resolution}} {
		if c.clock.Met {
			continue
		}
		if !st.Paused && s.Due.IsZero() {
			s.Due, s.DueKind = c.clock.Marks[len(SLAMarks)-1], c.name
		}
		for i, pct := range SLAMarks {
			s.Marks = append(s.Marks, SLAMark{Clock: c.name, Pct: pct, At: c.clock.Marks[i]})
			if !c.clock.Marks[i].IsZero() {
				s.MarkTimes = append(s.MarkTimes, c.clock.Marks[i])
			}
		}
	}
	return s
}

// FollowUp is the time of the ticket's follow_up field (zero if its
// rules have none or it is not set): the next call of a fee collection.
func (t *Ticket) FollowUp() time.Time {
	for _, f := range t.DeskRules().Fields {
		if v := t.Fields[f.Name]; f.FollowUp && v != "" {
			if at, err := ParseDeskTime(v, t.Location()); err == nil {
				return at
			}
		}
	}
	return time.Time{}
}

// SandboxPrefix starts the id of every sandbox workspace; live workspaces
// are site ids, which cannot start with it.
const SandboxPrefix = "sb-"

// IsSandbox reports whether a workspace id names a sandbox.
func IsSandbox(ws string) bool { return strings.HasPrefix(ws, SandboxPrefix) }

// Sandbox is a trainee's practice desk: synthetic residents, its own
// tickets and a simulated clock, all in one bounded document.
type Sandbox struct {
	ID       string `json:"id" bson:"_id"`
	Owner    string `json:"owner" bson:"owner"`
	Name     string `json:"name" bson:"name"`
	Site     string `json:"site_name" bson:"site_name"` // a made-up name, shown in the banner
	Scenario string `json:"scenario,omitempty" bson:"scenario,omitempty"`
	// Run is the id of the practice call the sandbox was opened for.
	Run       string    `json:"run,omitempty" bson:"run,omitempty"`
	Directory Directory `json:"directory" bson:"directory"`
	Tickets   []Ticket  `json:"-" bson:"tickets"`
	// Offset is how far the simulated clock runs ahead of real time.
	Offset    time.Duration `json:"offset" bson:"offset"`
	Version   int           `json:"version" bson:"version"`
	Seq       int           `json:"-" bson:"seq"` // last ticket number
	CreatedAt time.Time     `json:"created_at" bson:"created_at"`
	// Fixture is the starting state, kept so that a reset can restore it.
	Fixture *SandboxFixture `json:"-" bson:"fixture,omitempty"`
}

// SandboxRef is one of an owner's sandboxes by id, with the scenario it
// was opened for (empty for a practice desk).
type SandboxRef struct {
	ID       string
	Scenario string
}

// SandboxFixture is what a sandbox starts with.
type SandboxFixture struct {
	// Scenario is the slug of the scenario the fixture comes from: it
	// marks the sandbox as a practice call's, trimmed before practice
	// desks.
	Scenario string `bson:"-"`
	// Run is the id of the run the sandbox is for.
	Run       string    `bson:"-"`
	Directory Directory `bson:"directory"`
	Tickets   []Ticket  `bson:"tickets"`
}

// MaxSandboxTickets bounds a sandbox so that it stays one small document.
const MaxSandboxTickets = 200

// MaxSandboxes is how many sandboxes a learner keeps. Opening one more
// deletes the oldest rather than refusing: a scenario run opens a sandbox,
// and a refusal would stop a trainee practising until they cleaned up.
const MaxSandboxes = 10

// Now is the sandbox's simulated time.
func (s *Sandbox) Now(real time.Time) time.Time { return real.Add(s.Offset) }

// Ticket returns the sandbox ticket with id, or nil.
func (s *Sandbox) Ticket(id string) *Ticket {
	for i := range s.Tickets {
		if s.Tickets[i].ID == id {
			return &s.Tickets[i]
		}
	}
	return nil
}

// TicketID is the storage key of ticket number seq of a workspace.
func TicketID(ws string, seq int) string { return fmt.Sprintf("%s-%06d", ws, seq) }

// TicketNumber formats the number people see: the prefix of the type's
// procedure and a sequence. A type without a prefix (or unknown to r)
// is numbered GD, 工单.
func (r *DeskRules) TicketNumber(typ string, seq int) string {
	prefix := "GD"
	if p := r.Procedure(typ); p != nil && p.Prefix != "" {
		prefix = p.Prefix
	}
	return fmt.Sprintf("%s-%05d", prefix, seq)
}

// DeskStore stores live tickets and site directories.
type DeskStore interface {
	FindDirectory(ctx context.Context, site string) (*Directory, error)
	// SaveDirectory replaces a site's directory, whatever its version.
	SaveDirectory(ctx context.Context, site string, d *Directory) error
	// UpdateDirectory replaces a site's directory if it is still at
	// version (0: none stored yet); ECONFLICT otherwise.
	UpdateDirectory(ctx context.Context, site string, d *Directory, version int) error
	// NextNumber returns the next ticket sequence number of a site.
	NextNumber(ctx context.Context, site string) (int, error)
	InsertTicket(ctx context.Context, t *Ticket) error
	// InsertTickets stores many tickets at once (seeding, migrations).
	InsertTickets(ctx context.Context, ts []Ticket) error
	// FindTicket reads a live ticket of workspace ws; a ticket of another
	// workspace is ENOTFOUND, which is what keeps workspaces apart.
	FindTicket(ctx context.Context, ws, id string) (*Ticket, error)
	// SaveTicket writes t as version t.Version if the stored ticket is at
	// t.Version-1; ECONFLICT otherwise.
	SaveTicket(ctx context.Context, t *Ticket) error
	ListTickets(ctx context.Context, ws string, f TicketFilter) ([]TicketSummary, error)
	// ListOpenTickets returns the open tickets of every live site.
	ListOpenTickets(ctx context.Context) ([]TicketSummary, error)
}

// SandboxStore stores sandboxes.
type SandboxStore interface {
	InsertSandbox(ctx context.Context, s *Sandbox) error
	FindSandbox(ctx context.Context, id string) (*Sandbox, error)
	// SaveSandbox writes s as version s.Version if the stored sandbox is at
	// s.Version-1; ECONFLICT otherwise.
	SaveSandbox(ctx context.Context, s *Sandbox) error
	ListSandboxes(ctx context.Context, owner string) ([]*Sandbox, error)
	// ListSandboxRefs returns what ListSandboxes would, in its order, as
	// refs: opening a sandbox needs no more to decide which to trim.
	ListSandboxRefs(ctx context.Context, owner string) ([]SandboxRef, error)
	// DeleteSandbox removes a sandbox of owner, with its tickets; one
	// that is not owner's is left alone.
	DeleteSandbox(ctx context.Context, owner, id string) error
}

// CaseStore stores training cases made from live tickets.
type CaseStore interface {
	InsertCase(ctx context.Context, c *TrainingCase) error
	FindCase(ctx context.Context, id string) (*TrainingCase, error)
	ListCases(ctx context.Context) ([]*TrainingCase, error)
}

// TicketNotFound is the answer for a ticket that is missing and for one
// the caller may not see, so that the two cannot be told apart.
func TicketNotFound(id, ws string) *Error {
	return Errorf(ENOTFOUND, "工单不存在 / Ticket %q not found in %s.", id, ws)
}

// CaseNotFound is the answer for a training case that is missing and for
// one of a site the caller does not train on: cases hold what the
// scrubber missed, and their ids must not be confirmed to outsiders.
func CaseNotFound(id string) *Error {
	return Errorf(ENOTFOUND, "培训案例不存在 / Training case %q not found.", id)
}
