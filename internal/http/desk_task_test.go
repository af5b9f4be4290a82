package http_test

import (
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
)

// A practice call's desk shows the call's task and leads back to the call
// in the same tab: while the owner is still talking it says so, at the task
// it shows what to do and what will be checked, in words, on the queue,
// the new-ticket form and a ticket's page. A practice desk opened by hand
// has no panel, and the run page opens the desk in the same tab.
func TestDeskShowsTheCallsTask(t *testing.T) {
	e := newEnv(t)
	var r apiRun
	e.api("POST", "/api/v1/scenarios/water-leak/runs", "trainee", nil).json(t, &r)
	desk := "/desk/" + r.Sandbox
	back := `id="back-to-call" href="/runs/` + r.ID + `"`

	run := e.api("GET", "/runs/"+r.ID, "trainee", nil).Body
	if !strings.Contains(run, `href="`+desk+`"`) || strings.Contains(run, "_blank") {
		t.Errorf("the run page does not open its desk in the same tab")
	}
	page := e.api("GET", desk, "trainee", nil).Body
	if !strings.Contains(page, back) || !strings.Contains(page, "返回通话") || !strings.Contains(page, "通话还在进行") {
		t.Fatalf("desk during the talk:\n%s", page)
	}

	r = talkToTask(t, e, "trainee", "water-leak", r)
	var tk apiTicket
	e.api("POST", "/api/v1/workspaces/"+r.Sandbox+"/tickets", "trainee", map[string]any{"type": "repair", "title": "渗水"}).json(t, &tk)
	for _, path := range []string{desk, desk + "/new", desk + "/tickets/" + tk.ID} {
		res := e.api("GET", path, "trainee", nil)
		page := res.Body
		for _, want := range []string{back, `id="task-panel"`, "要做什么", "系统会检查",
			"来电业主的报修工单", "处理部门：工程", // a ticket check, with its fields by name
			"报修工单依次：受理建单 → 派单", // an order check, by the actions' names
		} {
			if !strings.Contains(page, want) {
				t.Errorf("%s: no %q", path, want)
			}
		}
		for _, code := range []string{"engineering", ">order<", "persona"} {
			if strings.Contains(page[strings.Index(page, `id="task-panel"`):], code+"：") {
				t.Errorf("%s: the task panel shows %q", path, code)
			}
		}
		// The ticket's page folds the task so that its actions come first; elsewhere it is open on a wide screen.
		open := strings.Contains(page, `<details class="task-text" data-open-wide>`)
		if open == strings.Contains(path, "/tickets/") {
			t.Errorf("%s: task text open=%v", path, open)
		}
	}

	// Another learner's desk is not reachable, and a desk opened by hand has no task.
	if res := e.api("GET", desk, "agent", nil); res.StatusCode == 200 {
		t.Errorf("another user's practice call desk: %d", res.StatusCode)
	}
	sb := e.openSandbox(t, "trainee", "自由练习")
	if page := e.api("GET", "/desk/"+sb.ID, "trainee", nil).Body; strings.Contains(page, `id="task-panel"`) {
		t.Error("a practice desk shows a task panel")
	}
}

// The scenarios page lists the calls by module, under the course's title,
// easiest first, with the difficulty in words; no slug is shown.
func TestScenariosListedByModuleAndDifficulty(t *testing.T) {
	e := newEnv(t)
	page := e.api("GET", "/scenarios", "trainee", nil).Body
	snap := e.deps.Catalog.Snapshot()
	course := regexp.MustCompile(`<h2 id="group-\d+">([^<]+)</h2>`)
	card := regexp.MustCompile(`id="scenario-([a-z0-9-]+)"[\s\S]*?<span class="badge difficulty-(\w+)">难度：([^<]+)</span>`)
	groups := course.FindAllStringSubmatchIndex(page, -1)
	if len(groups) < 2 {
		t.Fatalf("groups: %d\n%s", len(groups), page)
	}
	words := map[string]string{"easy": "入门", "medium": "进阶", "hard": "挑战"}
	seen := 0
	for i, g := range groups {
		title := page[g[2]:g[3]]
		end := len(page)
		if i+1 < len(groups) {
			end = groups[i+1][0]
		}
		last := -1
		for _, m := range card.FindAllStringSubmatch(page[g[1]:end], -1) {
			sc := snap.Scenarios[m[1]]
			seen++
			if c := snap.Course(sc.Modules[0]); c == nil || c.Title != title {
				t.Errorf("%s is listed under %q", m[1], title)
			}
			if rank := difficultyRank(m[2]); rank < last {
				t.Errorf("%s (%s) comes after a harder call under %q", m[1], m[2], title)
			} else {
				last = rank
			}
			if m[3] != words[m[2]] || m[2] != sc.Difficulty {
				t.Errorf("%s: difficulty %s shown as %q", m[1], m[2], m[3])
			}
		}
	}
	if seen != len(snap.ActiveScenarios) {
		t.Errorf("%d of %d scenarios listed", seen, len(snap.ActiveScenarios))
	}
}

func difficultyRank(d string) int { return strings.Index("easy medium hard", d) }

// The new-ticket form names the resident by flat or name (a field with the
// residents as suggestions, no 300-option dropdown); the server turns what
// was typed into the resident's id, and refuses, naming the field and
// keeping the form, what fits no one or more than one resident.
func TestNewTicketFindsTheResidentByFlatOrName(t *testing.T) {
	e := newEnv(t)
	sb := e.openSandbox(t, "trainee", "找住户")
	var dir struct {
		Units     []academy.Unit
		Residents []academy.Resident
	}
	e.api("GET", "/api/v1/workspaces/"+sb.ID+"/directory", "trainee", nil).json(t, &dir)
	d := &academy.Directory{Units: dir.Units, Residents: dir.Residents}
	form := e.api("GET", "/desk/"+sb.ID+"/new", "trainee", nil).Body
	if strings.Contains(form, `<select id="t-resident"`) || !strings.Contains(form, `<input id="t-resident" name="resident" list="resident-list"`) ||
		strings.Count(form, "<option value=\"") < len(dir.Residents) {
		t.Fatalf("the resident field:\n%s", form)
	}
	r := dir.Residents[7]
	created := func(resident string) (*response, string) {
		before := len(e.sandboxTickets(t, sb.ID))
		res := e.form("/desk/"+sb.ID+"/tickets", "trainee", url.Values{"type": {"repair"}, "title": {"门禁失灵"}, "resident": {resident},
			"channel": {"phone"}, "priority": {"normal"}})
		ts := e.sandboxTickets(t, sb.ID)
		if len(ts) == before {
			return res, ""
		}
		return res, ts[0].Resident
	}
	for _, typed := range []string{d.ResidentLabel(r), "  " + d.ResidentLabel(r) + " ", r.ID, r.Name + " " + d.Unit(r.Unit).Label} {
		if res, got := created(typed); res.StatusCode != 303 || got != r.ID {
			t.Errorf("%q: %d, stored resident %q, want %q", typed, res.StatusCode, got, r.ID)
		}
	}
	if res, got := created(""); res.StatusCode != 303 || got != "" {
		t.Errorf("no resident: %d %q", res.StatusCode, got)
	}
	for typed, want := range map[string]string{
		"101":       "位住户", // every building has a 101
		"查无此人":      "没有找到“查无此人”",
		"9栋9单元9999": "没有找到",
	} {
		res, got := created(typed)
		if res.StatusCode != 400 || !strings.Contains(res.Body, "resident: ") || !strings.Contains(res.Body, want) || got != "" {
			t.Errorf("%q: %d stored %q %.300s", typed, res.StatusCode, got, res.Body)
		}
		if !strings.Contains(res.Body, `value="`+typed+`"`) || !strings.Contains(res.Body, `value="门禁失灵"`) {
			t.Errorf("%q: the form does not keep what was typed", typed)
		}
	}
}

// sandboxTickets lists a sandbox's tickets, newest first.
func (e *env) sandboxTickets(t *testing.T, ws string) []academy.TicketSummary {
	t.Helper()
	var q struct{ Items []academy.TicketSummary }
	e.api("GET", "/api/v1/workspaces/"+ws+"/tickets?queue=all", "trainee", nil).json(t, &q)
	return q.Items
}

// A practice desk opened from the desk page starts as a working day's
// desk: open tickets of every type, some overdue, shown in the queue. Two
// desks opened at once hold the same tickets but for their workspace; a
// practice call's sandbox holds only its scenario's tickets.
func TestPracticeDeskStartsWithOpenTickets(t *testing.T) {
	e := newEnv(t)
	open := func(name string) string {
		res := e.form("/sandboxes", "trainee", url.Values{"name": {name}})
		if res.StatusCode != 303 {
			t.Fatalf("open %s: %d %s", name, res.StatusCode, res.Body)
		}
		return e.sandboxes(t, "trainee")[0].ID
	}
	a, b := open("甲"), open("乙")
	ta, tb := e.sandboxTickets(t, a), e.sandboxTickets(t, b)
	types := map[string]bool{}
	overdue := 0
	for _, tk := range ta {
		types[tk.Type] = true
		if tk.State == "closed" || tk.State == "archived" {
			t.Errorf("%s is finished", tk.Number)
		}
		if tk.Overdue(time.Now()) {
			overdue++
		}
	}
	if len(ta) < 20 || len(types) < 5 || overdue == 0 {
		t.Fatalf("practice desk: %d tickets of %d types, %d overdue", len(ta), len(types), overdue)
	}
	if len(ta) != len(tb) {
		t.Fatalf("two practice desks: %d and %d tickets", len(ta), len(tb))
	}
	// What may differ: the workspace, the estate each desk's residents
	// live on (drawn per sandbox), and the times, should a minute have
	// turned between the two (deadlines then follow working hours).
	shift := ta[0].CreatedAt.Sub(tb[0].CreatedAt)
	for i := range ta {
		x, y := ta[i], tb[i]
		if x.Workspace != a || y.Workspace != b {
			t.Errorf("%s: workspaces %s, %s", x.Number, x.Workspace, y.Workspace)
		}
		if x.CreatedAt.Sub(y.CreatedAt) != shift || x.UpdatedAt.Sub(y.UpdatedAt) != shift {
			t.Errorf("%s: the two desks' times are not the same day", x.Number)
		}
		x.Workspace, y.Workspace, x.Unit, y.Unit, x.Resident, y.Resident = "", "", "", "", "", ""
		x.CreatedAt, y.CreatedAt, x.UpdatedAt, y.UpdatedAt, x.Due, y.Due = time.Time{}, time.Time{}, time.Time{}, time.Time{}, time.Time{}, time.Time{}
		if len(x.Marks) != len(y.Marks) {
			t.Errorf("%s: SLA marks %v and %v", x.Number, x.Marks, y.Marks)
		}
		x.Marks, y.Marks, x.MarkTimes, y.MarkTimes = nil, nil, nil, nil
		if !reflect.DeepEqual(x, y) {
			t.Errorf("two practice desks opened at once differ:\n%+v\n%+v", x, y)
		}
	}
	for ws, ts := range map[string][]academy.TicketSummary{a: ta, b: tb} {
		var dir struct{ Residents []academy.Resident }
		e.api("GET", "/api/v1/workspaces/"+ws+"/directory", "trainee", nil).json(t, &dir)
		d := academy.Directory{Residents: dir.Residents}
		for _, tk := range ts {
			if r := d.Resident(tk.Resident); r == nil || r.Unit != tk.Unit {
				t.Errorf("%s of %s: resident %q of unit %s is not on its estate", tk.Number, ws, tk.Resident, tk.Unit)
			}
		}
	}
	page := e.api("GET", "/desk/"+a, "trainee", nil).Body
	if strings.Contains(page, "这个队列里没有工单") || !strings.Contains(page, ta[0].Title) {
		t.Errorf("the practice desk's queue does not show its tickets")
	}
	// Working a seeded ticket is working any ticket.
	var tk apiTicket
	e.api("GET", "/api/v1/workspaces/"+a+"/tickets/"+ta[0].ID, "trainee", nil).json(t, &tk)
	if res := e.transition(a, tk.ID, "trainee", "note", tk.Version, map[string]string{"text": "已电话联系业主"}); res.StatusCode != 200 {
		t.Errorf("note on a seeded ticket: %d %s", res.StatusCode, res.Body)
	}

	var r apiRun
	e.api("POST", "/api/v1/scenarios/angry-owner/runs", "trainee", nil).json(t, &r)
	want := len(e.deps.Catalog.Snapshot().Scenarios["angry-owner"].Fixture.Tickets)
	if got := len(e.sandboxTickets(t, r.Sandbox)); got != want {
		t.Errorf("a practice call's sandbox holds %d tickets, its scenario %d", got, want)
	}
}
