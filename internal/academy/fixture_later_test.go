package academy

import (
	"strings"
	"testing"
	"time"
)

// complaintFixture is a scenario whose sandbox starts with a complaint
// answered with a promise a day after the answer.
func complaintFixture() *Scenario {
	s := validScenario()
	s.Fixture.Tickets = []FixtureTicket{{Type: TypeComplaint, Title: "夜间噪声", Resident: PersonaID, Priority: PriorityNormal, AgeMinutes: 3000,
		Actions: []FixtureAction{
			{Action: "confirm", AfterMinutes: 10, Fields: map[string]string{"summary": "凌晨有嗡嗡声"}},
			{Action: "investigate", AfterMinutes: 20, Fields: map[string]string{"department": "security"}},
			{Action: "respond", AfterMinutes: 1300, Fields: map[string]string{"proposal": "安保夜间核实"}, Later: map[string]int{"promised_at": 1440}},
		}}}
	return s
}

// A promised time in a fixture falls where the story puts it, counted
// from its action, on whatever date the run starts; the scenario itself,
// shared by every run, keeps no date.
func TestFixtureLaterSetsTimeFields(t *testing.T) {
	s := complaintFixture()
	if ps := ValidateScenario(s, func(string) bool { return true }); len(ps) != 0 {
		t.Fatalf("scenario with a later field: %+v", ps)
	}
	beijing := time.FixedZone("CST", 8*3600)
	for _, now := range []time.Time{time.Date(2026, 12, 8, 10, 0, 0, 0, beijing), time.Date(2027, 3, 2, 10, 0, 0, 0, beijing)} {
		fx, err := s.SandboxFixture(1, now)
		if err != nil {
			t.Fatal(err)
		}
		tk := fx.Tickets[0]
		if tk.State != "responded" {
			t.Fatalf("fixture complaint is %s, want responded", tk.State)
		}
		respondedAt := now.Add(-3000 * time.Minute).Add(1300 * time.Minute)
		want := respondedAt.Add(1440 * time.Minute).Format("2006-01-02 15:04")
		if got := tk.Events[len(tk.Events)-1].Fields["promised_at"]; got != want {
			t.Errorf("started %s: promised_at %q, want %q (a day after the answer)", now.Format(time.DateOnly), got, want)
		}
	}
	if _, ok := s.Fixture.Tickets[0].Actions[2].Fields["promised_at"]; ok {
		t.Fatal("building a sandbox wrote the promised time into the scenario")
	}
}

// Lint names a later that is no time field of its action, and one that
// would date the field before the action.
func TestFixtureLaterLint(t *testing.T) {
	cases := map[string]struct {
		later map[string]int
		msg   string
	}{
		"text field":    {map[string]int{"proposal": 60}, `later: "proposal" is not a time field of respond`},
		"no such field": {map[string]int{"deadline": 60}, `later: "deadline" is not a time field of respond`},
		"before":        {map[string]int{"promised_at": -30}, "later: promised_at -30 is before the action"},
	}
	for name, c := range cases {
		s := complaintFixture()
		s.Fixture.Tickets[0].Actions[2].Later = c.later
		found := false
		for _, p := range ValidateScenario(s, func(string) bool { return true }) {
			found = found || strings.Contains(p.Message, c.msg)
		}
		if !found {
			t.Errorf("%s: lint does not say %q", name, c.msg)
		}
	}
}
