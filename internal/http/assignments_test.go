package http_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
)

// assign posts an assignment and returns its id.
func (e *env) assign(who string, body map[string]any) string {
	e.t.Helper()
	res := e.api("POST", "/api/v1/assignments", who, body)
	if res.StatusCode != 201 {
		e.t.Fatalf("assign %v: %d %s", body, res.StatusCode, res.Body)
	}
	var a academy.Assignment
	res.json(e.t, &a)
	return a.ID
}

// assigned returns who the drill-down of an assignment lists, by state.
func (e *env) assigned(id string) map[string]string {
	e.t.Helper()
	b := e.browser()
	b.loginAs("manager")
	res := b.get("/assignments/" + id)
	if res.StatusCode != 200 {
		e.t.Fatalf("assignment %s: %d", id, res.StatusCode)
	}
	out := map[string]string{}
	for _, row := range strings.Split(res.Body, "<tr ")[1:] {
		state, _, _ := strings.Cut(strings.SplitN(row, `data-state="`, 2)[1], `"`)
		name, _, _ := strings.Cut(strings.SplitN(row, `href="/team/people/`, 2)[1], `"`)
		out[name] = state
	}
	return out
}

func (e *env) hired(name string, on time.Time) {
	e.t.Helper()
	if res := e.api("PATCH", "/api/v1/users/"+name, "admin", map[string]any{"hire_date": on.Format("2006-01-02")}); res.StatusCode != 200 {
		e.t.Fatalf("hire date of %s: %d %s", name, res.StatusCode, res.Body)
	}
}

// Each kind of work reaches the people each kind of target names, and
// no one else: named people, a role on a site, those hired within N days
// and those without a valid certificate.
func TestAssignmentKindsAndTargets(t *testing.T) {
	e := newEnv(t)
	e.createUser("newhire", []string{academy.RoleTrainee}, []string{"s1"})
	e.createUser("oldhand", []string{academy.RoleTrainee}, []string{"s1"})
	e.createUser("far", []string{academy.RoleTrainee}, []string{"s2"})
	now := e.clock.Now()
	e.hired("newhire", now.AddDate(0, 0, -5))
	e.hired("oldhand", now.AddDate(-2, 0, 0))
	e.hired("far", now.AddDate(0, 0, -5))
	e.tokens["oldhand"] = e.login("oldhand", testPassword)
	e.certify("oldhand")
	snap := e.deps.Catalog.Snapshot()
	work := map[string]string{"course": "law", "quiz": snap.ActiveQuizzes[0].Slug, "scenario": snap.ActiveScenarios[0].Slug, "program": "desk"}
	due := map[string]any{"date": now.AddDate(0, 0, 20).Format("2006-01-02")}
	targets := []struct {
		name   string
		target map[string]any
		want   []string
	}{
		{"people", map[string]any{"people": []string{"newhire"}}, []string{"newhire"}},
		{"role", map[string]any{"role": "trainee", "site": "s1"}, []string{"newhire", "oldhand", "trainee"}},
		{"hired", map[string]any{"rule": "hired_within", "days": 30, "site": "s1"}, []string{"newhire"}},
		{"uncertified", map[string]any{"rule": "without_cert", "program": "desk", "site": "s1"}, []string{"newhire", "trainee", "trainer", "manager", "agent"}},
	}
	for kind, ref := range work {
		for _, tg := range targets {
			id := e.assign("manager", map[string]any{"kind": kind, "ref": ref, "target": tg.target, "due": due})
			got := e.assigned(id)
			for _, name := range tg.want {
				// oldhand earned the program, and with it its work.
				if name == "oldhand" {
					if got[name] == "" || kind == "program" && got[name] != "done" {
						t.Errorf("%s × %s: certified oldhand is %q", kind, tg.name, got[name])
					}
					continue
				}
				if got[name] != "due" {
					t.Errorf("%s × %s: %s is %q, want due (%v)", kind, tg.name, name, got[name], got)
				}
			}
			if len(got) != len(tg.want) {
				t.Errorf("%s × %s lists %v, want %v", kind, tg.name, got, tg.want)
			}
		}
	}
	// The learners see it on their home page; someone elsewhere does not.
	home := section(homeOf(t, e, "newhire"), "due-items")
	for kind, ref := range work {
		if !strings.Contains(home, fmt.Sprintf(`data-kind="%s"`, kind)) || !strings.Contains(home, e.deps.Catalog.Title(kind, ref)) {
			t.Errorf("newhire's home lacks the %s: %q", kind, home)
		}
	}
	if strings.Contains(homeOf(t, e, "far"), `id="due-items"`) {
		t.Error("someone on another site sees the assignments")
	}
	// An agent a rule picked is no trainee: the work has its own panel.
	if agent := homeOf(t, e, "agent"); !strings.Contains(agent, `id="panel-assigned"`) || !strings.Contains(section(agent, "due-items"), `data-kind="program"`) {
		t.Error("the agent's home lacks the assigned work")
	}
	if old := section(homeOf(t, e, "oldhand"), "due-items"); strings.Contains(old, `data-kind="program"`) {
		t.Errorf("a certified person is asked for the program: %q", old)
	}
}

// Due N days after hire is each person's own date; managers see who is
// late.
func TestAssignmentDueAfterHire(t *testing.T) {
	e := newEnv(t)
	e.createUser("newhire", []string{academy.RoleTrainee}, []string{"s1"})
	e.createUser("oldhand", []string{academy.RoleTrainee}, []string{"s1"})
	now := e.clock.Now()
	e.hired("newhire", now.AddDate(0, 0, -5))
	e.hired("oldhand", now.AddDate(0, 0, -40))
	id := e.assign("manager", map[string]any{"kind": "course", "ref": "law", "target": map[string]any{"people": []string{"newhire", "oldhand"}},
		"due": map[string]any{"days_after_hire": 30}})
	if got := e.assigned(id); got["newhire"] != "due" || got["oldhand"] != "overdue" {
		t.Fatalf("states: %v", got)
	}
	b := e.browser()
	b.loginAs("manager")
	page := b.get("/assignments/" + id).Body
	if want := now.AddDate(0, 0, 25).Format("2006-01-02"); !strings.Contains(page, want) {
		t.Errorf("newhire's due date %s missing", want)
	}
	if want := now.AddDate(0, 0, -10).Format("2006-01-02"); !strings.Contains(page, want) {
		t.Errorf("oldhand's due date %s missing", want)
	}
	if list := b.get("/assignments").Body; !strings.Contains(list, "已完成 0 · 待完成 1 · 已逾期 1") {
		t.Error("the list does not count the late person")
	}
	home := section(homeOf(t, e, "oldhand"), "due-items")
	if !strings.Contains(home, "已逾期") {
		t.Errorf("oldhand's home: %q", home)
	}
}

// A refresher comes due again when its months have passed since the
// last pass, and is done again by a new pass.
func TestAssignmentRecurs(t *testing.T) {
	e := newEnv(t)
	quiz := e.deps.Catalog.Snapshot().ActiveQuizzes[0].Slug
	now := e.clock.Now()
	id := e.assign("manager", map[string]any{"kind": "quiz", "ref": quiz, "target": map[string]any{"people": []string{"trainee"}},
		"due": map[string]any{"date": now.AddDate(0, 0, 10).Format("2006-01-02")}, "recur_months": 6})
	e.passQuizzes("trainee", []academy.QuizRequirement{{Quiz: quiz}}, now)
	if got := e.assigned(id)["trainee"]; got != "done" {
		t.Fatalf("after passing: %q", got)
	}
	e.clock.Advance(5 * 30 * 24 * time.Hour)
	if got := e.assigned(id)["trainee"]; got != "done" {
		t.Fatalf("five months on: %q", got)
	}
	e.clock.Advance(40 * 24 * time.Hour)
	if got := e.assigned(id)["trainee"]; got != "overdue" {
		t.Fatalf("past six months: %q", got)
	}
	if home := section(homeOf(t, e, "trainee"), "due-items"); !strings.Contains(home, `data-kind="quiz"`) {
		t.Errorf("the refresher is not on the home page: %q", home)
	}
	e.passQuizzes("trainee", []academy.QuizRequirement{{Quiz: quiz}}, e.clock.Now())
	if got := e.assigned(id)["trainee"]; got != "done" {
		t.Fatalf("after passing again: %q", got)
	}
}

// Bad input is refused naming the field, and nothing is stored.
func TestAssignmentBadInput(t *testing.T) {
	e := newEnv(t)
	due := map[string]any{"date": "2027-01-31"}
	people := map[string]any{"people": []string{"trainee"}}
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"kind": "course", "ref": "ghost", "target": people, "due": due}, "ref:"},
		{map[string]any{"kind": "video", "ref": "law", "target": people, "due": due}, "kind:"},
		{map[string]any{"kind": "scenario", "ref": "law", "target": people, "due": due}, "ref:"},
		{map[string]any{"kind": "course", "ref": "law", "target": people, "due": map[string]any{"days_after_hire": -3}}, "due.days_after_hire:"},
		{map[string]any{"kind": "course", "ref": "law", "target": people, "due": map[string]any{"date": "2027-01-31", "days_after_hire": 3}}, "due:"},
		{map[string]any{"kind": "course", "ref": "law", "target": people}, "due:"},
		{map[string]any{"kind": "course", "ref": "law", "target": map[string]any{"rule": "hired_within", "days": -1, "site": "s1"}, "due": due}, "target.days:"},
		{map[string]any{"kind": "course", "ref": "law", "target": map[string]any{"rule": "without_cert", "site": "s1"}, "due": due}, "target.program:"},
		{map[string]any{"kind": "course", "ref": "law", "target": map[string]any{"rule": "moon", "site": "s1"}, "due": due}, "target.rule:"},
		{map[string]any{"kind": "course", "ref": "law", "target": map[string]any{"people": []string{"trainee"}, "role": "trainee", "site": "s1"}, "due": due}, "target:"},
		{map[string]any{"kind": "course", "ref": "law", "target": map[string]any{}, "due": due}, "target:"},
		{map[string]any{"kind": "course", "ref": "law", "target": people, "due": due, "recur_months": 6}, "recur_months:"},
		{map[string]any{"kind": "program", "ref": "desk", "target": people, "due": due, "recur_months": -1}, "recur_months:"},
		{map[string]any{"kind": "course", "ref": "law", "target": people, "due": map[string]any{"date": "31/01/2027"}}, "due.date:"},
		{map[string]any{"kind": "course", "ref": "law", "users": []string{"trainee"}, "due": due}, "users"},
	} {
		res := e.api("POST", "/api/v1/assignments", "manager", c.body)
		if res.StatusCode != 400 || !strings.Contains(res.Body, c.field) {
			t.Errorf("%v: %d %s, want 400 naming %s", c.body, res.StatusCode, res.Body, c.field)
		}
	}
	var list struct{ Total int }
	e.api("GET", "/api/v1/assignments", "admin", nil).json(t, &list)
	if list.Total != 0 {
		t.Fatalf("%d assignments stored from bad input", list.Total)
	}
}

// Trainers and managers assign on their sites, admins anywhere; learners
// and agents cannot, nor can a manager on another site.
func TestAssignmentAuthorisation(t *testing.T) {
	e := newEnv(t)
	body := func(site string) map[string]any {
		return map[string]any{"kind": "quiz", "ref": e.deps.Catalog.Snapshot().ActiveQuizzes[0].Slug,
			"target": map[string]any{"rule": "hired_within", "days": 30, "site": site}, "due": map[string]any{"days_after_hire": 14}}
	}
	for who, want := range map[string]int{"trainer": 201, "manager": 201, "admin": 201, "trainee": 403, "agent": 403, "othermanager": 400} {
		if res := e.api("POST", "/api/v1/assignments", who, body("s1")); res.StatusCode != want {
			t.Errorf("%s assigns on s1: %d %s", who, res.StatusCode, res.Body)
		}
	}
	var list struct{ Total int }
	e.api("GET", "/api/v1/assignments", "othermanager", nil).json(t, &list)
	if list.Total != 0 {
		t.Errorf("another site's manager sees %d assignments", list.Total)
	}
	if res := e.api("POST", "/api/v1/assignments", "othermanager", body("s2")); res.StatusCode != 201 {
		t.Errorf("othermanager on s2: %d %s", res.StatusCode, res.Body)
	}
}

// The web form assigns by names: people ticked from a list, a rule on a
// site, a due date after hire; a mistake shows the form again with the
// choices kept.
func TestAssignmentForm(t *testing.T) {
	e := newEnv(t)
	name := "王小明"
	if _, err := e.accounts.Users.UpdateUser(context.Background(), "trainee", academy.UserUpdate{DisplayName: &name}); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.loginAs("manager")
	page := b.get("/assignments").Body
	for _, want := range []string{`<label for="a-find">`, name, `value="quiz:`, `value="program:desk"`, `name="due_days"`} {
		if !strings.Contains(page, want) {
			t.Errorf("form lacks %s", want)
		}
	}
	if strings.Contains(page, `placeholder="wang, li.na"`) {
		t.Error("the form still asks for typed usernames")
	}
	csrf := b.csrf("/assignments")
	res := b.post("/assignments", url.Values{"_csrf": {csrf}, "work": {"program:desk"}, "target": {"people"}, "people": {"trainee", "agent"},
		"due_form": {"after_hire"}, "due_days": {"30"}, "recur_months": {"12"}})
	if res.StatusCode != 303 {
		t.Fatalf("assign by form: %d %s", res.StatusCode, res.Body)
	}
	res = b.post("/assignments", url.Values{"_csrf": {csrf}, "work": {"course:law"}, "target": {"hired_within"}, "site": {"s1"}, "days": {"-3"},
		"due_form": {"date"}, "due_date": {"2027-01-31"}})
	if res.StatusCode != 400 || !strings.Contains(res.Body, "target.days") || !strings.Contains(res.Body, `value="-3"`) {
		t.Errorf("bad days: %d", res.StatusCode)
	}
	var list struct{ Items []academy.Assignment }
	e.api("GET", "/api/v1/assignments", "manager", nil).json(t, &list)
	if len(list.Items) != 1 {
		t.Fatalf("%d assignments stored", len(list.Items))
	}
	a := list.Items[0]
	if a.Kind != "program" || a.Ref != "desk" || len(a.Target.People) != 2 || a.Due.DaysAfterHire != 30 || a.RecurMonths != 12 {
		t.Fatalf("stored: %+v", a)
	}
	page = b.get("/assignments").Body
	for _, want := range []string{name, "入职后 30 天", "每 12 个月复训", "已完成 0 · 待完成 2 · 已逾期 0"} {
		if !strings.Contains(page, want) {
			t.Errorf("list lacks %s", want)
		}
	}
}
