package academy

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// fuzzFieldValue is a value that a field of kind accepts.
func fuzzFieldValue(kind string) string {
	switch kind {
	case FieldDepartment:
		return DeptEngineering
	case FieldPriority:
		return PriorityHigh
	case FieldSatisfaction:
		return "4"
	case FieldTime:
		return "2026-03-03 18:00"
	}
	return "已处理"
}

// fuzzPath returns the actions that take a new ticket of p to state,
// breadth-first, or false when no path exists.
func fuzzPath(p *Procedure, state string) ([]string, bool) {
	paths := map[string][]string{p.Initial: {}}
	for queue := []string{p.Initial}; len(queue) > 0; queue = queue[1:] {
		from := queue[0]
		if from == state {
			return paths[from], true
		}
		for _, tr := range p.Allowed(from) {
			to := tr.To
			if to == "" || to == "@prev" {
				continue // back to a state already seen
			}
			if _, seen := paths[to]; !seen {
				paths[to] = append(slices.Clone(paths[from]), tr.Action)
				queue = append(queue, to)
			}
		}
	}
	return nil, false
}

func cloneTicket(t *Ticket) *Ticket {
	c := *t
	c.Fields = maps.Clone(t.Fields)
	c.Events = slices.Clone(t.Events)
	for i := range c.Events {
		c.Events[i].Fields = maps.Clone(c.Events[i].Fields)
	}
	return &c
}

// FuzzApply fuzzes the payload of POST .../tickets/:id/transitions (action
// and fields) applied by Apply to a ticket of each type, brought to each
// state of its procedure the way the desk would. A refused action must say
// why and leave the ticket as it was; an accepted one must follow the
// procedure.
func FuzzApply(f *testing.F) {
	for _, s := range []struct {
		typ, state    uint8
		action, field string
		stale         bool
	}{
		{0, 0, "dispatch", `{"department":"engineering","priority":"high"}`, false},
		{0, 0, "dispatch", `{"department":"engineering","priority":"high"}`, true},
		{0, 0, "dispatch", `{"department":"kitchen","priority":"high"}`, false},
		{0, 0, "dispatch", `{"department":" engineering ","priority":"  ","extra":"x"}`, false},
		{0, 3, "resume", `{}`, false},
		{0, 3, "resume", `{"reason":"配件到货"}`, false},
		{0, 2, "hold", `{"reason":"等业主在家"}`, false},
		{0, 2, "follow_up", `{"note":"师傅已上门"}`, false},
		{0, 4, "return_visit", `{"satisfaction":"6","comment":"满意"}`, false},
		{0, 4, "return_visit", `{"satisfaction":"5","comment":"满意"}`, false},
		{0, 6, "note", `{"text":"已关闭还想补充"}`, false},
		{0, 6, "close", `null`, false},
		{1, 2, "respond", `{"proposal":"上门沟通","promised_at":"2026-13-45 25:00"}`, false},
		{1, 2, "respond", `{"proposal":"上门沟通","promised_at":"2026-03-03T18:00:00+08:00"}`, false},
		{1, 5, "archive", `{}`, false},
		{2, 0, "note", `{"text":"内部备注"}`, false},
		{2, 1, "message", `{"text":"   "}`, false},
		{3, 0, "assign", `{"assignee":"m1"}`, false},
		{3, 0, "assign", `{"assignee":""}`, false},
		{4, 1, "approve", `{"documents":"图纸"}`, false},
		{4, 0, "fly", `{}`, false},
		{4, 0, "", `{}`, false},
	} {
		f.Add(s.typ, s.state, s.action, s.field, s.stale)
	}
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	dir := &Directory{
		Units:     []Unit{{ID: "3-2-1202", Building: "3栋", Label: "3栋2单元1202"}},
		Residents: []Resident{{ID: "r1", Name: "王芳", Unit: "3-2-1202", Phone: "100-0000-0001", Role: "owner"}},
		Members:   []Member{{ID: "m1", Name: "李师傅", Department: DeptEngineering}},
	}
	// ticketIn makes a ticket of p and walks it to state with valid fields.
	ticketIn := func(t *testing.T, p *Procedure, state string) *Ticket {
		t.Helper()
		tk, err := CreateTicket(ShippedRules(), NewTicket{Type: p.Type, Title: "卫生间天花板渗水", Resident: "r1"}, dir, "ws", "ws-1", "BX-1", "agent", now)
		if err != nil {
			t.Fatal(err)
		}
		path, ok := fuzzPath(p, state)
		if !ok {
			t.Fatalf("%s: no path to state %q", p.Type, state)
		}
		for i, action := range path {
			fields := map[string]string{}
			for _, fd := range p.Transition(action).Fields {
				fields[fd.Name] = fuzzFieldValue(fd.Kind)
			}
			at := now.Add(time.Duration(i+1) * time.Minute)
			if _, err := Apply(tk, TicketAction{Action: action, Fields: fields, Version: tk.Version}, "agent", at); err != nil {
				t.Fatalf("%s: %s on the way to %s: %v", p.Type, action, state, err)
			}
		}
		return tk
	}
	f.Fuzz(func(t *testing.T, typ, state uint8, action, fieldsJSON string, stale bool) {
		var fields map[string]string
		if err := json.Unmarshal([]byte(fieldsJSON), &fields); err != nil {
			return // the handler refuses the body before Apply
		}
		p := &ShippedRules().Procedures[int(typ)%len(ShippedRules().Procedures)]
		tk := ticketIn(t, p, p.States[int(state)%len(p.States)].ID)
		before := cloneTicket(tk)
		version := tk.Version
		if stale {
			version--
		}
		at := now.Add(time.Hour)
		ev, err := Apply(tk, TicketAction{Action: action, Fields: fields, Version: version}, "agent", at)
		if err != nil {
			e, ok := err.(*Error)
			if !ok || strings.TrimSpace(e.Message) == "" {
				t.Fatalf("refused with %#v", err)
			}
			if want := map[bool]string{true: ECONFLICT, false: EINVALID}[stale]; e.Code != want {
				t.Fatalf("refused with code %s, want %s: %s", e.Code, want, e.Message)
			}
			if !reflect.DeepEqual(tk, before) {
				t.Fatalf("refused action changed the ticket:\nbefore %+v\nafter  %+v", before, tk)
			}
			return
		}
		if stale {
			t.Fatalf("action on version %d accepted at version %d", version, before.Version)
		}
		if ev == nil || len(tk.Events) != len(before.Events)+1 || ev != &tk.Events[len(tk.Events)-1] ||
			ev.Seq != len(tk.Events) || tk.Version != before.Version+1 || !tk.UpdatedAt.Equal(at) {
			t.Fatalf("accepted action left a broken log: event %+v, %d events, version %d", ev, len(tk.Events), tk.Version)
		}
		if !slices.ContainsFunc(p.States, func(s StateDef) bool { return s.ID == tk.State }) {
			t.Fatalf("%s ticket left in state %q, which its procedure does not define", p.Type, tk.State)
		}
		if p.State(before.State).Terminal {
			t.Fatalf("%q accepted on a ticket in terminal state %s", action, before.State)
		}
		switch action {
		case ActionNote, ActionMessage, ActionAssign:
			if tk.State != before.State {
				t.Fatalf("%s moved the ticket from %s to %s", action, before.State, tk.State)
			}
			if action == ActionAssign && (tk.Assignee == "" || tk.Assignee != strings.TrimSpace(fields["assignee"])) {
				t.Fatalf("assigned to %q from %q", tk.Assignee, fields["assignee"])
			}
			return
		}
		def := p.Transition(action)
		if def == nil || !slices.Contains(def.From, before.State) {
			t.Fatalf("%q accepted from %s, which the %s procedure does not allow", action, before.State, p.Type)
		}
		switch def.To {
		case "":
			if tk.State != before.State {
				t.Fatalf("%s moved the ticket from %s to %s", action, before.State, tk.State)
			}
		case "@prev":
			if tk.State == before.State || p.State(tk.State).Hold {
				t.Fatalf("%s returned the ticket from %s to %s", action, before.State, tk.State)
			}
		default:
			if tk.State != def.To {
				t.Fatalf("%s took the ticket to %s, want %s", action, tk.State, def.To)
			}
		}
		for _, fd := range def.Fields {
			if fd.Required && strings.TrimSpace(tk.Fields[fd.Name]) == "" {
				t.Fatalf("%s accepted without its required field %s", action, fd.Name)
			}
		}
		for k := range ev.Fields {
			if !slices.ContainsFunc(def.Fields, func(fd FieldDef) bool { return fd.Name == k }) {
				t.Fatalf("%s recorded field %q, which it does not ask for", action, k)
			}
		}
	})
}
