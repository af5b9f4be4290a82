package academy

import (
	"testing"
	"time"

	"github.com/academy/academy/internal/calendar"
)

// beijingTicket opens a ticket of typ and priority at the given Beijing
// wall time, at a site in Beijing.
func beijingTicket(t *testing.T, typ, priority string, at time.Time) *Ticket {
	t.Helper()
	tk, err := CreateTicket(ShippedRules(), NewTicket{Type: typ, Title: "电梯异响", Resident: "r1", Priority: priority}, testDir(), "demo", "demo-1", "BX-00001", "agent", at.UTC())
	if err != nil {
		t.Fatal(err)
	}
	tk.TZ = "Asia/Shanghai"
	return tk
}

func wantMarks(t *testing.T, what string, got [3]time.Time, want ...time.Time) {
	t.Helper()
	for i := range got {
		if !got[i].Equal(want[i]) {
			t.Errorf("%s: %d %% mark at %v, want %v", what, SLAMarks[i], got[i], want[i])
		}
	}
}

// An office-hours clock started late on a Friday crosses the weekend: its
// marks fall on Friday evening's last minutes and Monday morning, the
// deadline where the queue shows it.
func TestSLAMarksAcrossAWeekend(t *testing.T) {
	bj, _ := LoadZone("tz", "Asia/Shanghai")
	at := func(day, h, m int) time.Time { return time.Date(2026, 3, day, h, m, 0, 0, bj) }
	// An inquiry at normal priority: respond in 2, resolve in 8 office hours.
	tk := beijingTicket(t, TypeInquiry, PriorityNormal, at(6, 17, 0)) // Friday 17:00
	st := SLA(tk, at(6, 17, 0), nil)
	wantMarks(t, "response", st.Response.Marks, at(6, 18, 0), at(9, 9, 36), at(9, 10, 0))
	wantMarks(t, "resolution", st.Resolution.Marks, at(9, 12, 0), at(9, 14, 24), at(9, 16, 0))
	if s := tk.Summary(nil); !s.Due.Equal(at(9, 10, 0)) || s.DueKind != "first_response" {
		t.Fatalf("queue deadline %v (%s), want Monday 10:00 for the response", s.Due, s.DueKind)
	}
	// Read on Saturday the marks are the same: the one passed keeps its
	// moment, the ones ahead do not move while the clock stands still.
	st = SLA(tk, at(7, 11, 0), nil)
	wantMarks(t, "response on Saturday", st.Response.Marks, at(6, 18, 0), at(9, 9, 36), at(9, 10, 0))

	// Opened in the evening, the clock starts at 09:00 the next day.
	eve := beijingTicket(t, TypeInquiry, PriorityNormal, at(10, 20, 30)) // Tuesday 20:30
	wantMarks(t, "evening response", SLA(eve, at(10, 20, 30), nil).Response.Marks, at(11, 10, 0), at(11, 10, 36), at(11, 11, 0))

	// Around the clock (an urgent inquiry: 30 minutes, 2 hours) the
	// weekend counts like any hour.
	urgent := beijingTicket(t, TypeInquiry, PriorityUrgent, at(6, 17, 50))
	wantMarks(t, "around the clock", SLA(urgent, at(6, 17, 50), nil).Response.Marks, at(6, 18, 5), at(6, 18, 14), at(6, 18, 20))
}

// A clock on hold stands still: marks it passed keep their moment, marks
// ahead are unknown while it waits and move by the time it waited.
func TestSLAMarksPauseAndStop(t *testing.T) {
	bj, _ := LoadZone("tz", "Asia/Shanghai")
	at := func(day, h, m int) time.Time { return time.Date(2026, 3, day, h, m, 0, 0, bj) }
	// A low-priority repair: respond in 4, resolve in 168 office hours.
	tk := beijingTicket(t, TypeRepair, PriorityLow, at(6, 16, 0)) // Friday 16:00
	do := func(when time.Time, action string, fields map[string]string) {
		t.Helper()
		if _, err := Apply(tk, TicketAction{Action: action, Fields: fields, Version: tk.Version}, "agent", when.UTC()); err != nil {
			t.Fatalf("%s: %v", action, err)
		}
	}
	st := SLA(tk, at(9, 9, 30), nil)
	wantMarks(t, "response before dispatch", st.Response.Marks, at(6, 18, 0), at(9, 10, 12), at(9, 11, 0))
	do(at(9, 9, 30), "dispatch", map[string]string{"department": "engineering", "priority": "low"})
	do(at(9, 9, 40), "start", nil)
	do(at(9, 10, 0), "hold", map[string]string{"reason": "等待配件"})
	st = SLA(tk, at(9, 15, 0), nil)
	// The response was met: its mark ahead is dropped, the one passed kept.
	if !st.Response.Met || st.Response.Used != 2*time.Hour+30*time.Minute {
		t.Fatalf("response clock: %+v", st.Response)
	}
	wantMarks(t, "met response", st.Response.Marks, at(6, 18, 0), time.Time{}, time.Time{})
	// 3 office hours used of 168; on hold nothing lies ahead.
	if !st.Paused || st.Resolution.Used != 3*time.Hour {
		t.Fatalf("resolution clock on hold: %+v", st.Resolution)
	}
	wantMarks(t, "resolution on hold", st.Resolution.Marks, time.Time{}, time.Time{}, time.Time{})
	s := tk.Summary(nil)
	if !s.Due.IsZero() || s.Band(at(9, 15, 0)) != BandFresh || len(s.Marks) != 3 || s.Marks[0].Clock != "resolution" {
		t.Fatalf("paused summary: %+v", s)
	}
	// Resumed a day later: 81 office hours to half, nine working days.
	do(at(10, 10, 0), "resume", map[string]string{"reason": "配件到货"})
	st = SLA(tk, at(10, 10, 0), nil)
	if want := at(23, 10, 0); !st.Resolution.Marks[0].Equal(want) {
		t.Fatalf("half of the resolution at %v, want %v", st.Resolution.Marks[0], want)
	}
	if got := tk.Summary(nil); !got.Due.Equal(st.Resolution.Marks[2]) || got.DueKind != "resolution" {
		t.Fatalf("deadline after resume: %+v, marks %v", got, st.Resolution.Marks)
	}
}

// Bands at their exact boundaries: a mark counts from its moment on,
// except the deadline, which is still in time.
func TestSLABandBoundaries(t *testing.T) {
	tk := newTicket(t, TypeRepair) // normal: respond in 2h, around the clock
	s := tk.Summary(nil)
	for _, c := range []struct {
		after time.Duration
		want  string
	}{
		{0, BandFresh},
		{time.Hour - time.Nanosecond, BandFresh},
		{time.Hour, BandHalf},
		{96*time.Minute - time.Nanosecond, BandHalf},
		{96 * time.Minute, BandNear},
		{2 * time.Hour, BandNear},
		{2*time.Hour + time.Nanosecond, BandBreached},
		{50 * time.Hour, BandBreached},
	} {
		if got := s.Band(t0.Add(c.after)); got != c.want {
			t.Errorf("after %v: band %q, want %q", c.after, got, c.want)
		}
		if got, want := s.Band(t0.Add(c.after)) == BandBreached, s.Overdue(t0.Add(c.after)); got != want {
			t.Errorf("after %v: breached %v but overdue %v", c.after, got, want)
		}
	}
	act(t, tk, 30*time.Minute, "dispatch", map[string]string{"department": "engineering", "priority": "normal"})
	// Responded: the band is now the resolution's (72h): 36h is half.
	s = tk.Summary(nil)
	if got := s.Band(t0.Add(36*time.Hour - time.Second)); got != BandFresh {
		t.Errorf("resolution band before half: %q", got)
	}
	if got := s.Band(t0.Add(36 * time.Hour)); got != BandHalf {
		t.Errorf("resolution band at half: %q", got)
	}
	act(t, tk, time.Hour, "start", nil)
	act(t, tk, 2*time.Hour, "complete", map[string]string{"resolution": "更换阀门"})
	if s := tk.Summary(nil); s.Band(t0.Add(100*time.Hour)) != "" || len(s.Marks) != 0 {
		t.Errorf("resolved: band %q, marks %v", s.Band(t0.Add(100*time.Hour)), s.Marks)
	}
}

// Closest to breach first: the longest overdue, then nearest deadlines;
// paused and resolved tickets after, in their previous order.
func TestSortByBreach(t *testing.T) {
	due := func(id string, d time.Duration) TicketSummary {
		s := TicketSummary{ID: id}
		for _, pct := range SLAMarks {
			at := time.Time{}
			if d != 0 {
				at = t0.Add(d * time.Duration(pct) / 100)
			}
			s.Marks = append(s.Marks, SLAMark{Clock: "first_response", Pct: pct, At: at})
		}
		return s
	}
	list := []TicketSummary{{ID: "resolved"}, due("in-5h", 5*time.Hour), due("paused", 0), due("over", -3*time.Hour), due("in-1h", time.Hour), due("over-more", -9*time.Hour)}
	SortByBreach(list)
	var got []string
	for _, s := range list {
		got = append(got, s.ID)
	}
	want := []string{"over-more", "over", "in-1h", "in-5h", "resolved", "paused"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("order %v, want %v", got, want)
		}
	}
}

// The marks of an office-hours clock follow the site's calendar: an
// inquiry opened the afternoon before 国庆 reaches its resolution marks
// after the holiday week, where the standard week would put them on it.
func TestSLAMarksFollowTheCalendar(t *testing.T) {
	bj, _ := LoadZone("tz", "Asia/Shanghai")
	at := func(m time.Month, day, h, mi int) time.Time { return time.Date(2026, m, day, h, mi, 0, 0, bj) }
	tk := beijingTicket(t, TypeInquiry, PriorityNormal, at(9, 30, 16, 0)) // respond in 2, resolve in 8 office hours
	cal := calendar.Default()
	st := SLA(tk, at(9, 30, 16, 30), cal)
	wantMarks(t, "response", st.Response.Marks, at(9, 30, 17, 0), at(9, 30, 17, 36), at(9, 30, 18, 0))
	wantMarks(t, "resolution", st.Resolution.Marks, at(10, 8, 11, 0), at(10, 8, 13, 24), at(10, 8, 15, 0))
	if s := tk.Summary(cal); !s.Due.Equal(at(9, 30, 18, 0)) || s.DueKind != "first_response" {
		t.Errorf("summary due %v %s", s.Due, s.DueKind)
	}
	// During the holiday the clock stands still: nothing is used.
	if st := SLA(tk, at(10, 5, 12, 0), cal); st.ResponseUsed != 2*time.Hour || st.Overdue != "" {
		t.Errorf("on 10-05: used %v, overdue %q", st.ResponseUsed, st.Overdue)
	}
	if st := SLA(tk, at(9, 30, 16, 30), nil); !st.Resolution.Marks[2].Equal(at(10, 1, 15, 0)) {
		t.Errorf("standard week: %v", st.Resolution.Marks[2])
	}
}
