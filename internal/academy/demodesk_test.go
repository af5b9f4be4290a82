package academy

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// demoNow is a Wednesday afternoon.
var demoNow = time.Date(2026, 3, 11, 15, 7, 0, 0, time.UTC)

func TestDemoDeskDeterministic(t *testing.T) {
	d1, t1 := DemoDesk("demo", demoNow)
	d2, t2 := DemoDesk("demo", demoNow)
	if !reflect.DeepEqual(d1, d2) || !reflect.DeepEqual(t1, t2) {
		t.Fatal("two runs with the same now differ")
	}
}

func TestDemoDeskDirectory(t *testing.T) {
	dir, _ := DemoDesk("demo", demoNow)
	if len(dir.Units) != 6*2*10*2 {
		t.Errorf("units = %d, want 240", len(dir.Units))
	}
	if dir.Unit("6-2-1002") == nil || dir.Unit("6-2-1002").Label != "6栋2单元1002" {
		t.Errorf("top flat of the last building missing: %+v", dir.Unit("6-2-1002"))
	}
	phones := map[string]bool{}
	for _, r := range dir.Residents {
		if !strings.HasPrefix(r.Phone, "100-0001-") || phones[r.Phone] {
			t.Errorf("resident %s: phone %q not fake or not unique", r.ID, r.Phone)
		}
		phones[r.Phone] = true
	}
	names := map[string]bool{}
	for _, m := range dir.Members {
		if DepartmentName(m.Department) == "" || names[m.Name] || len([]rune(m.Name)) < 2 {
			t.Errorf("member %+v", m)
		}
		names[m.Name] = true
	}
	if len(dir.Members) < 10 {
		t.Errorf("members = %d", len(dir.Members))
	}
}

// TestDemoDeskEveryStepSucceeds checks that no step of the script was
// dropped: each ticket has its creation and one event per step.
func TestDemoDeskEveryStepSucceeds(t *testing.T) {
	_, tickets := DemoDesk("demo", demoNow)
	if len(tickets) != len(demoCases) {
		t.Fatalf("tickets = %d, want %d", len(tickets), len(demoCases))
	}
	byTitle := map[string]demoCase{}
	for _, c := range demoCases {
		if _, dup := byTitle[c.title]; dup {
			t.Fatalf("two demo cases titled %q", c.title)
		}
		byTitle[c.title] = c
	}
	for _, tk := range tickets {
		c := byTitle[tk.Title]
		if len(tk.Events) != len(c.steps)+1 {
			t.Errorf("%s %s: %d events, want %d (a step failed or fell after now)", tk.Number, tk.Title, len(tk.Events), len(c.steps)+1)
		}
	}
}

func TestDemoDeskNumbering(t *testing.T) {
	_, tickets := DemoDesk("demo", demoNow)
	seen := map[string]bool{}
	for i, tk := range tickets {
		if want := TicketID("demo", i+1); tk.ID != want {
			t.Errorf("ticket %d: id %q, want %q", i, tk.ID, want)
		}
		if want := ShippedRules().TicketNumber(tk.Type, i+1); tk.Number != want {
			t.Errorf("ticket %d: number %q, want %q", i, tk.Number, want)
		}
		if seen[tk.Number] {
			t.Errorf("number %s twice", tk.Number)
		}
		seen[tk.Number] = true
		if i > 0 && tk.CreatedAt.Before(tickets[i-1].CreatedAt) {
			t.Errorf("%s created before %s but numbered after it", tk.Number, tickets[i-1].Number)
		}
		if tk.Workspace != "demo" {
			t.Errorf("%s: workspace %q", tk.Number, tk.Workspace)
		}
	}
}

// TestDemoDeskReplays rebuilds every ticket from its events with the
// engine: the history is one the desk could have recorded.
func TestDemoDeskReplays(t *testing.T) {
	dir, tickets := DemoDesk("demo", demoNow)
	for _, tk := range tickets {
		checkEventChain(t, &tk)
		first := tk.Events[0]
		r, err := CreateTicket(ShippedRules(), NewTicket{Type: tk.Type, Title: tk.Title, Description: tk.Description, Unit: tk.Unit, Resident: tk.Resident,
			Channel: tk.Channel, Priority: first.Fields["priority"]}, &dir, tk.Workspace, tk.ID, tk.Number, first.Actor, first.At)
		if err != nil {
			t.Fatalf("%s: create: %v", tk.Number, err)
		}
		for _, e := range tk.Events[1:] {
			fields := e.Fields
			if e.Action == ActionNote || e.Action == ActionMessage {
				fields = map[string]string{"text": e.Note}
			}
			if _, err := Apply(r, TicketAction{Action: e.Action, Fields: fields, Version: r.Version}, e.Actor, e.At); err != nil {
				t.Fatalf("%s: replay of event %d (%s): %v", tk.Number, e.Seq, e.Action, err)
			}
		}
		if !reflect.DeepEqual(*r, tk) {
			t.Errorf("%s: replay differs:\n got %+v\nwant %+v", tk.Number, *r, tk)
		}
	}
}

// checkEventChain checks the log by itself: sequence, time order, actors,
// and each state change allowed from the state before it.
func checkEventChain(t *testing.T, tk *Ticket) {
	t.Helper()
	p := ProcedureOf(tk.Type)
	state := ""
	for i, e := range tk.Events {
		if e.Seq != i+1 {
			t.Errorf("%s: event %d has seq %d", tk.Number, i, e.Seq)
		}
		if i > 0 && e.At.Before(tk.Events[i-1].At) {
			t.Errorf("%s: event %d before the one preceding it", tk.Number, e.Seq)
		}
		if e.At.After(demoNow) || e.At.Before(demoNow.Add(-14*24*time.Hour)) {
			t.Errorf("%s: event %d at %v, outside the fortnight before now", tk.Number, e.Seq, e.At)
		}
		if e.Actor != demoAgent && e.Actor != demoManager {
			t.Errorf("%s: event %d by %q", tk.Number, e.Seq, e.Actor)
		}
		switch {
		case i == 0:
			if e.Action != ActionCreate || e.To != p.Initial {
				t.Errorf("%s: first event %s → %s", tk.Number, e.Action, e.To)
			}
		case e.To == "":
			continue // notes, messages, assignments keep the state
		default:
			def := p.Transition(e.Action)
			if def == nil || e.From != state || !slices.Contains(def.From, state) {
				t.Errorf("%s: event %d %s from %q (state was %q)", tk.Number, e.Seq, e.Action, e.From, state)
			}
		}
		if e.To != "" {
			state = e.To
		}
	}
	if state != tk.State {
		t.Errorf("%s: events end in %q, ticket is %q", tk.Number, state, tk.State)
	}
}

func TestDemoDeskMix(t *testing.T) {
	_, tickets := DemoDesk("demo", demoNow)
	states := map[string]bool{}
	types := map[string]int{}
	closed, held, named := 0, 0, 0
	var members []string
	dir, _ := DemoDesk("demo", demoNow)
	for _, m := range dir.Members {
		members = append(members, m.Name)
	}
	for _, tk := range tickets {
		states[tk.Type+"/"+tk.State] = true
		types[tk.Type]++
		if !tk.Open() {
			closed++
		}
		if ProcedureOf(tk.Type).State(tk.State).Hold {
			held++
		}
		for _, e := range tk.Events {
			text := e.Note + fmt.Sprint(e.Fields)
			if slices.ContainsFunc(members, func(n string) bool {
				return strings.Contains(text, n) || strings.Contains(text, string([]rune(n)[:1])+"师傅")
			}) {
				named++
				break
			}
		}
	}
	for _, p := range ShippedRules().Procedures {
		for _, s := range p.States {
			if !states[p.Type+"/"+s.ID] {
				t.Errorf("no %s ticket in state %s", p.Type, s.ID)
			}
		}
		if types[p.Type] < 4 {
			t.Errorf("only %d %s tickets", types[p.Type], p.Type)
		}
	}
	// Every state of twelve procedures takes about seventy-five.
	if n := len(tickets); n < 65 || n > 85 {
		t.Errorf("%d tickets, want about 75", n)
	}
	if share := float64(closed) / float64(len(tickets)); share < 0.25 || share > 0.45 {
		t.Errorf("%d of %d closed, want about a third", closed, len(tickets))
	}
	if held < 1 {
		t.Error("no ticket on hold")
	}
	if named < 5 {
		t.Errorf("department members named in only %d tickets", named)
	}
}

// TestDemoDeskOverdue checks the overdue tickets at several times of the
// week: business-hours clocks must not make others overdue by accident.
func TestDemoDeskOverdue(t *testing.T) {
	for _, now := range []time.Time{
		demoNow,
		time.Date(2026, 3, 9, 9, 30, 0, 0, time.UTC),   // Monday morning
		time.Date(2026, 3, 14, 3, 0, 0, 0, time.UTC),   // Saturday night
		time.Date(2026, 3, 13, 17, 59, 0, 0, time.UTC), // Friday closing
	} {
		_, tickets := DemoDesk("demo", now)
		var overdue []string
		for _, tk := range tickets {
			st := SLA(&tk, now, nil)
			if st.Overdue != "" {
				if !tk.Open() {
					t.Errorf("%v: closed %s overdue", now, tk.Number)
				}
				overdue = append(overdue, tk.Number+" "+tk.Title+" ("+st.Overdue+")")
			}
			if st.Paused && st.Left <= 0 {
				t.Errorf("%v: %s on hold with no time left", now, tk.Number)
			}
		}
		if len(overdue) < 2 || len(overdue) > 3 {
			t.Errorf("%v: overdue %d: %s", now, len(overdue), strings.Join(overdue, "; "))
		}
	}
}

// A practice desk starts with the demo desk's open tickets on its own
// estate: every type, all open, some overdue, residents and workers of
// that estate, by made-up colleagues, the same for the same estate and
// time, and numbered without gaps.
func TestPracticeDesk(t *testing.T) {
	for seed := int64(0); seed < SyntheticEstates; seed += 7 {
		dir := SyntheticDirectory(seed)
		tickets := PracticeDesk(&dir, demoNow)
		again := SyntheticDirectory(seed)
		if !reflect.DeepEqual(tickets, PracticeDesk(&again, demoNow)) {
			t.Fatalf("estate %d: two practice desks of the same estate and time differ", seed)
		}
		types := map[string]int{}
		overdue := 0
		for i, tk := range tickets {
			types[tk.Type]++
			if !tk.Open() {
				t.Errorf("estate %d: %s is closed", seed, tk.Number)
			}
			if SLA(&tk, demoNow, nil).Overdue != "" {
				overdue++
			}
			if tk.ID != TicketID("fixture", i+1) || tk.Number != ShippedRules().TicketNumber(tk.Type, i+1) {
				t.Errorf("estate %d: ticket %d is %s %s", seed, i+1, tk.ID, tk.Number)
			}
			if dir.Resident(tk.Resident) == nil || (tk.Assignee != "" && !slices.ContainsFunc(dir.Members, func(m Member) bool { return m.ID == tk.Assignee })) {
				t.Errorf("estate %d: %s has resident %q, assignee %q of another estate", seed, tk.Number, tk.Resident, tk.Assignee)
			}
			for _, ev := range tk.Events {
				if ev.Actor != practiceAgent && ev.Actor != practiceManager {
					t.Errorf("estate %d: %s worked by %q", seed, tk.Number, ev.Actor)
				}
			}
			for _, text := range []string{tk.Title, tk.Description} {
				if strings.ContainsAny(text, "{}") {
					t.Errorf("estate %d: %s has an unfilled placeholder: %s", seed, tk.Number, text)
				}
			}
		}
		// A sandbox document is rewritten on every action: few tickets.
		if len(types) != len(ShippedRules().Procedures) || len(tickets) < 20 || len(tickets) > 40 || overdue < 2 {
			t.Errorf("estate %d: %d tickets, types %v, %d overdue", seed, len(tickets), types, overdue)
		}
	}
}
