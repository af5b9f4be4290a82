package academy

import (
	"time"

	"github.com/academy/academy/internal/calendar"
)

// SLAPolicy is the service level of a ticket type and priority: how soon
// the owner hears back and how soon the matter is resolved. With
// BusinessHours the clocks run only in the working hours of the site's
// calendar.
type SLAPolicy struct {
	FirstResponse time.Duration `json:"first_response" yaml:"first_response"`
	Resolution    time.Duration `json:"resolution" yaml:"resolution"`
	BusinessHours bool          `json:"business_hours" yaml:"business_hours,omitempty"`
}

// PolicyOf returns the SLA policy of a ticket, by the rules it was opened
// under.
func PolicyOf(t *Ticket) SLAPolicy {
	if p := t.Procedure(); p != nil {
		if pol, ok := p.SLA[t.Priority]; ok {
			return pol
		}
	}
	// Rules are checked for a policy per type and priority; only a
	// ticket of a type its rules no longer know reaches here.
	return ShippedRules().Procedure(TypeRepair).SLA[PriorityNormal]
}

// SLAStatus is where a ticket stands against its policy at a moment.
type SLAStatus struct {
	Policy       SLAPolicy     `json:"policy"`
	Responded    bool          `json:"responded"`
	Resolved     bool          `json:"resolved"`
	Paused       bool          `json:"paused"`
	ResponseUsed time.Duration `json:"response_used"`   // clock time counted toward first response
	ResolveUsed  time.Duration `json:"resolution_used"` // clock time counted toward resolution
	// Overdue names the target missed: "first_response" or "resolution".
	Overdue string `json:"overdue,omitempty"`
	// Left is the clock time left on the running target (negative: over).
	Left time.Duration `json:"left"`
	// Breached lists targets that were met late: "first_response",
	// "resolution". A late response stays on record after the response.
	Breached []string `json:"breached,omitempty"`
	// Response and Resolution are the two clocks with the moments they
	// reach each of SLAMarks.
	Response   SLAClock `json:"response_clock"`
	Resolution SLAClock `json:"resolution_clock"`
}

// SLAMarks are the shares of a clock's allowance, in percent, at which
// people are warned: half used, four fifths used, all used.
var SLAMarks = [3]int{50, 80, 100}

// SLAClock is one clock of a ticket at a moment.
type SLAClock struct {
	Allowance time.Duration `json:"allowance"`
	Used      time.Duration `json:"used"`
	// Met is set once the clock's target is reached (it stops for good).
	Met bool `json:"met"`
	// Marks[i] is when Used reaches SLAMarks[i] percent of Allowance: in
	// the past if it has, in the future while the clock runs, zero if the
	// clock is paused or met before reaching it. Office hours count as
	// they do for the deadline, so Marks[2] is the deadline itself.
	Marks [3]time.Time `json:"marks"`
}

// advance counts d of clock time starting at from, noting the moment a
// mark is crossed on the way.
func (c *SLAClock) advance(from time.Time, d time.Duration, k slaCount) {
	for i, pct := range SLAMarks {
		if at := c.Allowance * time.Duration(pct) / 100; c.Used < at && c.Used+d >= at {
			c.Marks[i] = k.due(from, at-c.Used)
		}
	}
	c.Used += d
}

// project fills in the marks still ahead of a clock that runs from now.
func (c *SLAClock) project(now time.Time, k slaCount) {
	for i, pct := range SLAMarks {
		if at := c.Allowance * time.Duration(pct) / 100; c.Used < at {
			c.Marks[i] = k.due(now, at-c.Used)
		}
	}
}

// SLA computes a ticket's SLA standing at now. The clocks count from
// creation, stop in hold states, and stop for good when the procedure's
// responding (or resolving) action happens. Office-hours clocks count the
// working hours of cal, the calendar of the ticket's site.
func SLA(t *Ticket, now time.Time, cal *calendar.Calendar) SLAStatus {
	pol := PolicyOf(t)
	p := t.Procedure()
	st := SLAStatus{Policy: pol, Response: SLAClock{Allowance: pol.FirstResponse}, Resolution: SLAClock{Allowance: pol.Resolution}}
	if p == nil || len(t.Events) == 0 {
		return st
	}
	state := p.Initial
	from, k := t.CreatedAt, slaCount{pol.BusinessHours, cal, t.Location()}
	count := func(to time.Time) {
		if p.State(state).Hold || !to.After(from) {
			return
		}
		d := k.between(from, to)
		if !st.Responded {
			st.Response.advance(from, d, k)
		}
		if !st.Resolved {
			st.Resolution.advance(from, d, k)
		}
	}
	for _, e := range t.Events {
		if e.To == "" || e.Action == ActionCreate {
			continue
		}
		count(e.At)
		from = e.At
		if def := p.Transition(e.Action); def != nil {
			st.Responded = st.Responded || def.Responds
			st.Resolved = (st.Resolved || def.Resolves) && !def.Reopens
		}
		state = e.To
	}
	if p.State(state).Terminal {
		st.Resolved, st.Responded = true, true
	}
	count(now)
	st.Paused = p.State(state).Hold
	st.ResponseUsed, st.ResolveUsed = st.Response.Used, st.Resolution.Used
	st.Response.Met, st.Resolution.Met = st.Responded, st.Resolved
	for _, c := range []*SLAClock{&st.Response, &st.Resolution} {
		if !st.Paused && !c.Met {
			c.project(now, k)
		}
	}
	switch {
	case !st.Responded:
		st.Left = pol.FirstResponse - st.ResponseUsed
		if st.Left < 0 {
			st.Overdue = "first_response"
		}
	case !st.Resolved:
		st.Left = pol.Resolution - st.ResolveUsed
		if st.Left < 0 {
			st.Overdue = "resolution"
		}
	}
	if st.Responded && st.ResponseUsed > pol.FirstResponse {
		st.Breached = append(st.Breached, "first_response")
	}
	if st.Resolved && st.ResolveUsed > pol.Resolution {
		st.Breached = append(st.Breached, "resolution")
	}
	return st
}

// slaCount is how a policy's clocks count time: every minute, or with
// business set only the working hours of cal read in loc, the site's zone.
type slaCount struct {
	business bool
	cal      *calendar.Calendar
	loc      *time.Location
}

// between is the clock time from from to to.
func (k slaCount) between(from, to time.Time) time.Duration {
	if !k.business {
		return to.Sub(from)
	}
	return k.cal.WorkTime(from, to, k.loc)
}

// due is when a clock with left to run, started at from, runs out.
func (k slaCount) due(from time.Time, left time.Duration) time.Time {
	if !k.business {
		return from.Add(left)
	}
	return k.cal.DueAt(from, left, k.loc)
}
