// Package quality checks real work the way practice is graded: each
// closed live ticket is held to its procedure's checks (质检项) and its
// service-level clocks, the results are counted per site, agent and week,
// and an agent who keeps failing a check is sent back to the lesson and
// scenario that teach it. It uses the core (internal/academy), which never
// imports it.
package quality

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/calendar"
)

// Record is the quality record of one closed live ticket: written once,
// keyed by the ticket's id, so that writing it again changes nothing.
type Record struct {
	ID     string `json:"id" bson:"_id"` // the ticket's id
	Site   string `json:"site" bson:"site"`
	Number string `json:"number" bson:"number"`
	Type   string `json:"type" bson:"type"`
	Title  string `json:"title" bson:"title"`
	// Agent is who handled the ticket: the actor of its first responding
	// action (the one that stops the first-response clock, such as a
	// repair's dispatch), since that is who took the case on; failing
	// that, whoever closed it, then whoever opened it.
	Agent    string       `json:"agent" bson:"agent"`
	ClosedAt time.Time    `json:"closed_at" bson:"closed_at"`
	Week     academy.Date `json:"week" bson:"week"` // the Monday of the close, in the site's zone
	Rules    string       `json:"rules,omitempty" bson:"rules,omitempty"`
	Checks   []Result     `json:"checks" bson:"checks"`
	Clocks   []Clock      `json:"clocks" bson:"clocks"`
	// Satisfaction is the owner's score at the return visit (1–5), 0
	// when none was recorded.
	Satisfaction int `json:"satisfaction,omitempty" bson:"satisfaction,omitempty"`
	// Review is a manager's manual review (质检评分), if any.
	Review *Review `json:"review,omitempty" bson:"review,omitempty"`
	// Counted is set once the week's counts hold the record; a record
	// left uncounted by a crash is counted by the sweep.
	Counted bool `json:"-" bson:"counted"`
	// ToRemedy is set on a record with failures until remedy has looked
	// at them, after the count: a record a crash left uncounted or
	// unremedied is remedied by the sweep, once it is counted. (Absent on
	// a record without failures, and on those stored before the mark,
	// which were remedied as they were counted.)
	ToRemedy bool `json:"-" bson:"to_remedy,omitempty"`
}

// Result is one check of a record.
type Result struct {
	Check  string `json:"check" bson:"check"` // the check's id in its procedure
	Passed bool   `json:"passed" bson:"passed"`
	// NotApplicable is set when a site manager ended the ticket (an
	// action only managers may take, such as a forced close) before the
	// agent reached the step the check is about: the agent was not given
	// the chance, so the check neither passed nor failed. It counts in no
	// rate and raises no flag; Step is then the manager's action.
	NotApplicable bool `json:"not_applicable,omitempty" bson:"na,omitempty"`
	// Step is the action that was missing, out of order or forbidden,
	// the field missing, or the clock late: what the agent is told.
	Step   string `json:"step,omitempty" bson:"step,omitempty"`
	Detail string `json:"detail,omitempty" bson:"detail,omitempty"`
}

// Clock is one SLA clock of a record.
type Clock struct {
	Clock   string        `json:"clock" bson:"clock"` // first_response or resolution
	Met     bool          `json:"met" bson:"met"`
	Used    time.Duration `json:"used" bson:"used"`
	Allowed time.Duration `json:"allowed" bson:"allowed"`
}

// Failed lists the ids of the checks the record failed.
func (r *Record) Failed() []string {
	var out []string
	for _, c := range r.Checks {
		if !c.Passed && !c.NotApplicable {
			out = append(out, c.Check)
		}
	}
	return out
}

// Result returns the result of check id, or nil.
func (r *Record) Result(id string) *Result {
	for i := range r.Checks {
		if r.Checks[i].Check == id {
			return &r.Checks[i]
		}
	}
	return nil
}

// CheckKey names a check across procedures: "repair:visit_before_close".
// Types and check ids are lowercase words, so the key is safe as a field
// name in stored counts.
func CheckKey(typ, check string) string { return typ + ":" + check }

// WeekOf is the Monday of the week t falls in, in loc.
func WeekOf(t time.Time, loc *time.Location) academy.Date {
	d := t.In(loc)
	d = d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
	return academy.DateOf(d, loc)
}

// Evaluate holds a closed live ticket to its procedure's checks and SLA
// clocks; cal is its site's working calendar. It is pure, as practice
// grading is: the same ticket gives the same record.
func Evaluate(t *academy.Ticket, cal *calendar.Calendar) (*Record, error) {
	p := t.Procedure()
	if p == nil {
		return nil, academy.Errorf(academy.EINVALID, "工单 %s：其规则中没有 %q 流程 / ticket %s: its rules have no %q procedure", t.Number, t.Type, t.Number, t.Type)
	}
	if t.Open() {
		return nil, academy.Errorf(academy.EINVALID, "工单 %s 尚未办结 / Ticket %s is still open.", t.Number, t.Number)
	}
	closed := t.Events[len(t.Events)-1]
	for i := len(t.Events) - 1; i >= 0; i-- {
		if e := t.Events[i]; e.To != "" && p.State(e.To).Terminal {
			closed = e
			break
		}
	}
	r := &Record{ID: t.ID, Site: t.Workspace, Number: t.Number, Type: t.Type, Title: t.Title, ClosedAt: closed.At,
		Week: WeekOf(closed.At, t.Location()), Rules: t.Rules, Agent: agentOf(t, p, closed)}
	st := academy.SLA(t, closed.At, cal)
	for _, c := range []struct {
		name  string
		clock academy.SLAClock
	}{{academy.ClockFirstResponse, st.Response}, {academy.ClockResolution, st.Resolution}} {
		r.Clocks = append(r.Clocks, Clock{Clock: c.name, Met: c.clock.Used <= c.clock.Allowance, Used: c.clock.Used, Allowed: c.clock.Allowance})
	}
	// A ticket a manager ended with an action of their own was cut short:
	// the steps the agent never reached are not held against them.
	var cut *academy.Event
	if def := p.Transition(closed.Action); def != nil && def.ManagerOnly {
		cut = &closed
	}
	for _, c := range p.Checks {
		if c.AppliesTo(t.State) {
			r.Checks = append(r.Checks, evaluate(c, t, p, r, cut))
		}
	}
	for _, e := range t.Events {
		for name, v := range e.Fields {
			if academy.FieldKind(p, e.Action, name) == academy.FieldSatisfaction {
				if n, err := strconv.Atoi(v); err == nil {
					r.Satisfaction = n // the last visit's word counts
				}
			}
		}
	}
	return r, nil
}

func agentOf(t *academy.Ticket, p *academy.Procedure, closed academy.Event) string {
	for _, e := range t.Events {
		if def := p.Transition(e.Action); def != nil && def.Responds && e.Actor != academy.ActorSystem {
			return e.Actor
		}
	}
	// A manager who ended the ticket with an action of their own (a
	// forced close) did not handle it: nobody responded, so it stays with
	// whoever opened it.
	if def := p.Transition(closed.Action); closed.Actor != academy.ActorSystem && (def == nil || !def.ManagerOnly) {
		return closed.Actor
	}
	return t.CreatedBy
}

// happened reports whether the ticket has an event of action.
func happened(t *academy.Ticket, action string) bool {
	return slices.ContainsFunc(t.Events, func(e academy.Event) bool { return e.Action == action })
}

// asked reports whether an action of the ticket asked for field.
func asked(t *academy.Ticket, p *academy.Procedure, field string) bool {
	return slices.ContainsFunc(t.Events, func(e academy.Event) bool {
		def := p.Transition(e.Action)
		return def != nil && slices.Contains(def.FieldNames, field)
	})
}

// evaluate holds the ticket to check c. cut is the manager's action that
// ended the ticket, if one did: a step the ticket never reached (an order
// check's missing action, a fields check's action, a field no action
// taken asked for) is then not applicable rather than failed. What the
// agent did before the manager stepped in (fields left out of a step
// taken, a step out of order or forbidden, a late clock) still counts.
func evaluate(c academy.QualityCheck, t *academy.Ticket, p *academy.Procedure, r *Record, cut *academy.Event) Result {
	out := Result{Check: c.ID, Passed: true}
	label := func(a string) string {
		if def := p.Transition(a); def != nil {
			return def.Label
		}
		return academy.ActionLabel(t.Type, a)
	}
	notApplicable := func() Result {
		return Result{Check: c.ID, NotApplicable: true, Step: cut.Action, Detail: fmt.Sprintf("工单由项目主管“%s”，没有到这一步", label(cut.Action))}
	}
	switch c.Kind {
	case academy.QualityOrder:
		i := 0
		for _, e := range t.Events {
			if i < len(c.Actions) && e.Action == c.Actions[i] {
				i++
			}
		}
		if i < len(c.Actions) {
			missing := c.Actions[i]
			// Cut short before the missing step, and before every step
			// after it: had the agent skipped it, a later one would show.
			if cut != nil && !slices.ContainsFunc(c.Actions[i:], func(a string) bool { return happened(t, a) }) {
				return notApplicable()
			}
			out.Passed, out.Step = false, missing
			out.Detail = fmt.Sprintf("缺少“%s”", label(missing))
			if happened(t, missing) {
				out.Detail = fmt.Sprintf("“%s”顺序不对", label(missing))
			}
		}
	case academy.QualityAbsent:
		for _, e := range t.Events {
			if e.Action == c.Action {
				out.Passed, out.Step = false, c.Action
				out.Detail = fmt.Sprintf("%s 有“%s”", e.At.In(t.Location()).Format("01-02 15:04"), label(c.Action))
				break
			}
		}
	case academy.QualityFields:
		got := t.Fields
		if c.Action != "" {
			if cut != nil && !happened(t, c.Action) {
				return notApplicable()
			}
			got = nil
			for _, e := range t.Events {
				if e.Action == c.Action {
					got = e.Fields
				}
			}
		}
		for _, f := range c.Fields {
			if got[f] == "" {
				if cut != nil && c.Action == "" && !asked(t, p, f) {
					return notApplicable()
				}
				out.Passed, out.Step = false, f
				out.Detail = fmt.Sprintf("没有填写“%s”", t.DeskRules().FieldLabel(f))
				if c.Action != "" {
					out.Step = c.Action
					out.Detail = fmt.Sprintf("“%s”时没有填写“%s”", label(c.Action), t.DeskRules().FieldLabel(f))
				}
				break
			}
		}
	case academy.QualitySLA:
		for _, cl := range r.Clocks {
			if cl.Clock == c.Clock && !cl.Met {
				out.Passed, out.Step = false, c.Clock
				out.Detail = fmt.Sprintf("用时 %d 分钟，时限 %d 分钟", int(cl.Used.Minutes()), int(cl.Allowed.Minutes()))
			}
		}
	}
	return out
}
