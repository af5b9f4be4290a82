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
