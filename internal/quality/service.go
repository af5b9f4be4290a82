package quality

import (
	"context"
	"log/slog"
	"time"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/notify"
)

// Week is what one site's closed tickets of one week count to, per agent:
// the stored figures every quality view reads, one small document per
// site and week, so that a view reads a handful of documents by key
// whatever the number of tickets behind them.
type Week struct {
	ID     string            `bson:"_id"` // "<site>/<week>"
	Site   string            `bson:"site"`
	Week   academy.Date      `bson:"week"`
	Agents map[string]*Tally `bson:"agents"`
}

// Tally is one agent's counts in a week.
type Tally struct {
	N int `bson:"n"` // tickets
	// Checks by CheckKey.
	Checks map[string]*Count `bson:"checks"`
	// Clocks by clock name.
	Clocks map[string]*Count `bson:"clocks"`
	SatSum int               `bson:"sat_sum"`
	SatN   int               `bson:"sat_n"`
}

// Count is how often a check passed and failed, and how often it was not
// applicable (a manager ended the ticket before its step): those are in
// no rate.
type Count struct {
	Pass int `bson:"pass"`
	Fail int `bson:"fail"`
	NA   int `bson:"na,omitempty"`
}

// AgentWeek is one agent's week at a site: the counts, and the records
// behind them (for drill-down and for what a remediation notice names).
// It is where a record is counted, once; the site's Week holds a copy of
// its counts.
type AgentWeek struct {
	ID      string       `bson:"_id"` // "<site>/<agent>/<week>"
	Site    string       `bson:"site"`
	Agent   string       `bson:"agent"`
	Week    academy.Date `bson:"week"`
	Tally   `bson:",inline"`
	Tickets []string `bson:"tickets"`
	// Failed lists the records that failed each check, by CheckKey.
	Failed map[string][]string `bson:"failed"`
}

// WeekID is the key of a site's week.
func WeekID(site string, week academy.Date) string { return site + "/" + string(week) }

// AgentWeekID is the key of an agent's week at a site.
func AgentWeekID(site, agent string, week academy.Date) string {
	return site + "/" + agent + "/" + string(week)
}

// Store keeps quality records and their weekly counts.
type Store interface {
	// InsertRecord stores a new record; ECONFLICT if the ticket has one.
	InsertRecord(ctx context.Context, r *Record) error
	FindRecord(ctx context.Context, id string) (*Record, error)
	// CountRecord adds the record to its agent's week, once (a record
	// counted already is not counted again), copies the agent's counts
	// into the site's week, and marks the record counted.
	CountRecord(ctx context.Context, r *Record) error
	// FindWeeks reads the weeks of a site that have counts.
	FindWeeks(ctx context.Context, site string, weeks []academy.Date) ([]*Week, error)
	// FindAgentWeeks reads an agent's weeks at a site that have counts.
	FindAgentWeeks(ctx context.Context, site, agent string, weeks []academy.Date) ([]*AgentWeek, error)
	// Unrecorded lists the live tickets that are closed and have no
	// record, and the records not yet counted or not yet remedied (with
	// ToRemedy): what the sweep finishes.
	Unrecorded(ctx context.Context) (tickets []academy.TicketSummary, unfinished []*Record, err error)
	// Remedied clears the record's ToRemedy mark.
	Remedied(ctx context.Context, id string) error

	// FindSettings reads the company's remediation rules; ENOTFOUND
	// until some are saved.
	FindSettings(ctx context.Context) (*Settings, error)
	SaveSettings(ctx context.Context, st *Settings) error
	FindFlag(ctx context.Context, id string) (*Flag, error)
	// OpenFlag stores f in place of prev (nil: there was none);
	// ECONFLICT if another close stored a flag first.
	OpenFlag(ctx context.Context, f, prev *Flag) error
	SetFlagAssignment(ctx context.Context, id, assignment string) error
	// SiteFlags reads the flags of a site's agents.
	SiteFlags(ctx context.Context, site string) ([]*Flag, error)
	// AgentFlags reads an agent's flags at every site.
	AgentFlags(ctx context.Context, agent string) ([]*Flag, error)
	// SetReview stores a review on its record.
	SetReview(ctx context.Context, rv *Review) error
	// AddFeedback puts a review at the head of its agent's feedback, in
	// place of an older one of the same ticket, keeping at most max.
	AddFeedback(ctx context.Context, rv *Review, max int) error
	FindFeedback(ctx context.Context, agent string) ([]Review, error)
}

// Service writes quality records as tickets close and reads the figures.
type Service struct {
	Store     Store
	Tickets   academy.DeskStore
	Rules     academy.DeskRulesSource
	Calendars academy.CalendarSource
	Now       func() time.Time
	Logger    *slog.Logger

	// Remediation: without Assignments no agent is sent back to
	// training. Training reads what an agent has done; Content gives
	// the courses and scenarios; Notify tells the agent why.
	Assignments academy.AssignmentService
	Training    interface {
		Evidence(ctx context.Context, username string) (academy.Evidence, error)
	}
	Content func() (map[string]*academy.Course, map[string]*academy.Scenario)
	Notify  interface {
		Enqueue(ctx context.Context, ms ...notify.Message) error
	}
}

// TicketFinished records a live ticket that reached a terminal state. The
// ticket is stored already: a failure here is logged and left to the
// sweep, which finds every closed ticket without a record.
func (s *Service) TicketFinished(ctx context.Context, t *academy.Ticket) {
	if academy.IsSandbox(t.Workspace) {
		return
	}
	if _, err := s.Record(ctx, t); err != nil && s.Logger != nil {
		s.Logger.Warn("quality record", "ticket", t.ID, "err", err)
	}
}

// Record evaluates a closed live ticket, stores its record and counts it.
// Recording a ticket again returns the stored record and counts nothing
// twice. Sandboxes are practice, not work: they get no record.
func (s *Service) Record(ctx context.Context, t *academy.Ticket) (*Record, error) {
	if academy.IsSandbox(t.Workspace) {
		return nil, academy.Errorf(academy.EINVALID, "演练环境的工单不做质检 / Sandbox tickets get no quality record.")
	}
	cal, err := s.Calendars.CalendarOf(ctx, t.Workspace)
	if err != nil {
		return nil, err
	}
	r, err := Evaluate(t, cal)
	if err != nil {
		return nil, err
	}
	r.ToRemedy = len(r.Failed()) > 0
	switch err := s.Store.InsertRecord(ctx, r); {
	case academy.ErrorCode(err) == academy.ECONFLICT:
		if r, err = s.Store.FindRecord(ctx, t.ID); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	}
	if err := s.finish(ctx, r, t.Location()); err != nil {
		return nil, err
	}
	return r, nil
}

// finish counts a stored record and then remedies its failures, each
// once, whichever of a close, a retry or the sweep gets there: a record
// counted already is not counted again, and one remedied already (its
// mark cleared) raises nothing again. A crash between the two leaves
// the mark for the sweep; one after remedy, before the mark is cleared,
// has remedy look again, which assigns nothing twice (the flag it raised
// is open).
func (s *Service) finish(ctx context.Context, r *Record, loc *time.Location) error {
	if !r.Counted {
		if err := s.Store.CountRecord(ctx, r); err != nil {
			return err
		}
		r.Counted = true
	}
	if !r.ToRemedy {
		return nil
	}
	if err := s.remedy(ctx, r, loc); err != nil {
		return err
	}
	if err := s.Store.Remedied(ctx, r.ID); err != nil {
		return err
	}
	r.ToRemedy = false
	return nil
}

// Sweep records every closed live ticket that has no record yet, and
// counts and remedies every record left uncounted or unremedied, as a
// close would have: the repair for a crash or a failure between a
// ticket's close and its record's remedy. It returns how many it
// finished.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	tickets, unfinished, err := s.Store.Unrecorded(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range unfinished {
		loc := time.UTC
		if r.ToRemedy {
			// The rule's weeks and the due date are the ticket's site's.
			t, err := s.Tickets.FindTicket(ctx, r.Site, r.ID)
			if err != nil {
				return n, err
			}
			loc = t.Location()
		}
		if err := s.finish(ctx, r, loc); err != nil {
			return n, err
		}
		n++
	}
	for _, sum := range tickets {
		t, err := s.Tickets.FindTicket(ctx, sum.Workspace, sum.ID)
		if err != nil {
			return n, err
		}
		if t.Rules != "" {
			rules, err := s.Rules.RulesRevision(ctx, t.Rules)
			if err != nil {
				return n, err
			}
			t.Under(rules)
		}
		if t.Open() || t.Procedure() == nil {
			continue
		}
		if _, err := s.Record(ctx, t); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
