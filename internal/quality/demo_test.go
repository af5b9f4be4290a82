package quality_test

import (
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/quality"
)

// TestDemoTickets: the demo's fortnight is closed repairs in which the
// second agent fails "not sent back" and the third "first response in
// time" often enough to be flagged, and the first agent fails nothing.
func TestDemoTickets(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 18, 15, 0, 0, 0, loc)
	dir, _ := academy.DemoDesk("demo", now)
	tickets := quality.DemoTickets(&dir, "demo", 100, now, loc)
	if len(tickets) < 18 {
		t.Fatalf("%d demo tickets", len(tickets))
	}
	failed := map[string]map[string]int{}
	for i := range tickets {
		tk := &tickets[i]
		tk.TZ = loc.String()
		closed := tk.Events[len(tk.Events)-1].At
		if tk.Open() || closed.After(now) || tk.Events[0].At.Before(now.AddDate(0, 0, -15)) {
			t.Fatalf("%s: open or outside the fortnight", tk.Number)
		}
		r, err := quality.Evaluate(tk, nil)
		if err != nil {
			t.Fatal(err)
		}
		if failed[r.Agent] == nil {
			failed[r.Agent] = map[string]int{}
		}
		for _, c := range r.Failed() {
			failed[r.Agent][c]++
		}
	}
	if len(failed["agent"]) != 0 || failed["agent2"]["not_returned"] < 3 || failed["agent3"]["first_response"] < 3 || len(failed["agent2"]) != 1 {
		t.Fatalf("failures %v", failed)
	}
}

// TestImpact: cohorts by hire month and weeks split at the certificate
// week, counted by hand.
func TestImpact(t *testing.T) {
	weeks := []academy.Date{"2026-03-02", "2026-03-09", "2026-03-16"}
	tally := func(pass, fail int) quality.Line {
		return quality.Line{Tickets: pass + fail, Checks: map[string]*quality.Count{"repair:x": {Pass: pass, Fail: fail}}, Clocks: map[string]*quality.Count{}}
	}
	f := &quality.SiteFigures{Agents: map[string]*quality.Line{}, AgentWeeks: map[string][]quality.Line{
		"a": {tally(1, 3), tally(2, 0), tally(4, 0)}, // certified in the second week
		"b": {tally(0, 2), tally(0, 0), tally(1, 1)}, // never certified
		"c": {tally(3, 0), tally(0, 0), tally(0, 0)}, // no hire date
	}}
	for a, ws := range f.AgentWeeks {
		f.Agents[a] = &quality.Line{}
		for i := range ws {
			f.Agents[a].Merge(&ws[i])
		}
	}
	imp := f.Impact(weeks, map[string]string{"a": "2025-11", "b": "2025-11"}, map[string]academy.Date{"a": "2026-03-09", "c": "2026-01-05"})
	if len(imp.Cohorts) != 2 || imp.Cohorts[0].Month != "2025-11" || imp.Cohorts[0].Agents != 2 || imp.Cohorts[0].Line.Tickets != 14 || imp.Cohorts[1].Month != "" {
		t.Fatalf("cohorts %+v", imp.Cohorts)
	}
	if imp.Before.Tickets != 4 || imp.Before.PassRate("repair:x").Pct != 25 || imp.After.Tickets != 9 || imp.After.PassRate("repair:x").Pct != 100 || imp.Uncertified.Tickets != 4 {
		t.Fatalf("before %+v after %+v uncertified %+v", imp.Before, imp.After, imp.Uncertified)
	}
}
