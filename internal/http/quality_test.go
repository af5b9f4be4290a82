package http_test

import (
	"context"
	"encoding/csv"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/academy/academy/internal/academy"
)

// lenientRepairRules lets a repair be closed straight from 已完成, as a
// company that allows closing without a return visit would write it: the
// quality check is what notices.
func (e *env) lenientRepairRules(t *testing.T) {
	t.Helper()
	text := strings.Replace(string(academy.ShippedDeskRulesYAML()), "{action: close, label: 关闭, from: [visited], to: closed}",
		"{action: close, label: 关闭, from: [done, visited], to: closed}", 1)
	if res := e.api("POST", "/api/v1/desk-rules", "admin", map[string]any{"yaml": text}); res.StatusCode >= 300 {
		t.Fatalf("save rules: %d %s", res.StatusCode, res.Body)
	}
}

// closeTicket opens a ticket of typ on s1 as who and takes it through
// steps; "visit:N" is a return visit with satisfaction N.
func (e *env) closeTicket(t *testing.T, who, typ string, steps ...string) string {
	t.Helper()
	var tk apiTicket
	res := e.api("POST", "/api/v1/workspaces/s1/tickets", who, map[string]any{"type": typ, "title": "质检样例", "priority": "normal"})
	if res.StatusCode != 201 {
		t.Fatalf("create: %d %s", res.StatusCode, res.Body)
	}
	res.json(t, &tk)
	for _, s := range steps {
		fields := map[string]string{"complete": "更换阀芯", "answer": "按建筑面积计算"}
		var f map[string]string
		switch {
		case s == "dispatch":
			f = map[string]string{"department": "engineering", "priority": "normal"}
		case s == "complete":
			f = map[string]string{"resolution": fields[s]}
		case s == "answer":
			f = map[string]string{"answer": fields[s]}
		case strings.HasPrefix(s, "visit:"):
			s, f = "return_visit", map[string]string{"satisfaction": strings.TrimPrefix(s, "visit:"), "comment": "好"}
		}
		res := e.transition("s1", tk.ID, who, s, tk.Version, f)
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d %s", s, res.StatusCode, res.Body)
		}
		res.json(t, &tk)
	}
	return tk.ID
}

// qualityFixture closes five tickets on s1, counted by hand in the
// tests: agent closes a full repair (satisfaction 5), one without a
// return visit and another full one (3); 吴客服 closes a repair without
// a visit and an inquiry.
func qualityFixture(t *testing.T, e *env) (skipped string) {
	e.lenientRepairRules(t)
	e.createUser("agent2", []string{academy.RoleAgent}, []string{"s1"})
	if _, err := e.accounts.UpdateProfile(context.Background(), "agent2", "吴客服", "zh"); err != nil {
		t.Fatal(err)
	}
	e.tokens["agent2"] = e.login("agent2", testPassword)
	full := []string{"dispatch", "start", "complete", "visit:5", "close"}
	e.closeTicket(t, "agent", "repair", full...)
	skipped = e.closeTicket(t, "agent", "repair", "dispatch", "start", "complete", "close")
	e.closeTicket(t, "agent", "repair", "dispatch", "start", "complete", "visit:3", "close")
	e.closeTicket(t, "agent2", "repair", "dispatch", "start", "complete", "close")
	e.closeTicket(t, "agent2", "inquiry", "answer", "close")
	e.closeTicket(t, "agent2", "repair", "dispatch") // open: not counted
	return skipped
}

type apiQualityFigures struct {
	Tickets        int  `json:"tickets"`
	ChecksPassRate *int `json:"checks_pass_rate"`
	BreachRate     *int `json:"sla_breach_rate"`
	Satisfaction   *float64
	Checks         map[string]struct {
		Passed, Failed int
		NotApplicable  int  `json:"not_applicable"`
		PassRate       *int `json:"pass_rate"`
	}
}

type apiQuality struct {
	Checks []struct{ Key, Label, TypeLabel string }
	Sites  []struct {
		Site, Name string
		Total      apiQualityFigures
		Agents     []struct {
			apiQualityFigures
			Username, Name string
		}
		Weeks []apiQualityFigures
	}
}

// TestQualityFigures: the figures of /team/quality and its API match the
// hand count of the fixture, with names for people, sites and checks.
func TestQualityFigures(t *testing.T) {
	e := newEnv(t)
	qualityFixture(t, e)
	var q apiQuality
	res := e.api("GET", "/api/v1/team/quality?site=s1", "manager", nil)
	if res.StatusCode != 200 {
		t.Fatalf("%d %s", res.StatusCode, res.Body)
	}
	res.json(t, &q)
	if len(q.Sites) != 1 || q.Sites[0].Name != "项目s1" {
		t.Fatalf("sites %s", res.Body)
	}
	s := q.Sites[0]
	visit := "repair:visit_before_close"
	tot := s.Total
	// 5 repair checks on 4 repairs (two fail the visit), 3 inquiry checks.
	if tot.Tickets != 5 || *tot.ChecksPassRate != 91 || *tot.BreachRate != 0 || *tot.Satisfaction != 4 ||
		tot.Checks[visit].Passed != 2 || tot.Checks[visit].Failed != 2 || *tot.Checks[visit].PassRate != 50 || tot.Checks["inquiry:answered"].Passed != 1 {
		t.Fatalf("site total %s", res.Body)
	}
	if len(s.Agents) != 2 {
		t.Fatalf("agents %+v", s.Agents)
	}
	a, b := s.Agents[0], s.Agents[1]
	if a.Username != "agent" || a.Tickets != 3 || *a.Checks[visit].PassRate != 67 || *a.Satisfaction != 4 {
		t.Fatalf("agent %+v", a)
	}
	if b.Name != "吴客服" || b.Tickets != 2 || *b.Checks[visit].PassRate != 0 || b.Satisfaction != nil {
		t.Fatalf("agent2 %+v", b)
	}
	if n := len(s.Weeks); n != 4 || s.Weeks[3].Tickets != 5 || s.Weeks[0].Tickets != 0 {
		t.Fatalf("weeks %+v", s.Weeks)
	}
	if !slices.ContainsFunc(q.Checks, func(c struct{ Key, Label, TypeLabel string }) bool {
		return c.Key == visit && c.Label == "关闭前完成回访"
	}) {
		t.Fatalf("checks %+v", q.Checks)
	}

	page := e.api("GET", "/team/quality", "manager", nil)
	// Each agent's row names the checks they missed, with how often: one
	// skipped visit each.
	for _, want := range []string{"项目s1", "吴客服", "关闭前完成回访", "50%", "4.0", "91%", "<td>报修·关闭前完成回访 ×1</td></tr><tr>", "<td>报修·关闭前完成回访 ×1</td></tr></tbody>"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	csv := e.api("GET", "/team/quality/export/csv?site=s1&weeks=8", "manager", nil)
	if csv.StatusCode != 200 || !strings.Contains(csv.Body, "吴客服") || !strings.Contains(csv.Body, "报修·关闭前完成回访") {
		t.Fatalf("csv %d %s", csv.StatusCode, csv.Body)
	}
	if x := e.api("GET", "/team/quality/export/xlsx", "admin", nil); x.StatusCode != 200 || !strings.HasPrefix(x.Body, "PK") {
		t.Fatalf("xlsx %d", x.StatusCode)
	}
}

// TestQualityDrillDown: an agent's page lists their tickets with links to
// the ticket pages and the step they missed, beside practice.
func TestQualityDrillDown(t *testing.T) {
	e := newEnv(t)
	skipped := qualityFixture(t, e)
	res := e.api("GET", "/team/quality/agents/agent?site=s1", "manager", nil)
	if res.StatusCode != 200 || !strings.Contains(res.Body, `href="/desk/s1/tickets/`+skipped+`"`) ||
		!strings.Contains(res.Body, "关闭前完成回访：缺少“回访”") || !strings.Contains(res.Body, "/team/people/agent") {
		t.Fatalf("%d %s", res.StatusCode, res.Body)
	}
	if res := e.api("GET", "/team/quality/agents/trainee", "manager", nil); res.StatusCode != 404 {
		t.Fatalf("an agent without tickets: %d", res.StatusCode)
	}
}

// TestQualityScope: a manager sees their sites only; the period is
// checked; a site without closed tickets says so.
func TestQualityScope(t *testing.T) {
	e := newEnv(t)
	qualityFixture(t, e)
	if res := e.api("GET", "/api/v1/team/quality?site=s1", "othermanager", nil); res.StatusCode != 404 {
		t.Fatalf("another site's figures: %d", res.StatusCode)
	}
	var q apiQuality
	e.api("GET", "/api/v1/team/quality", "othermanager", nil).json(t, &q)
	if len(q.Sites) != 1 || q.Sites[0].Site != "s2" || q.Sites[0].Total.Tickets != 0 {
		t.Fatalf("othermanager sees %+v", q.Sites)
	}
	if page := e.api("GET", "/team/quality", "othermanager", nil); !strings.Contains(page.Body, "这段时间没有办结的工单") {
		t.Fatalf("empty state: %s", page.Body)
	}
	for _, bad := range []string{"0", "54", "abc", "-1"} {
		res := e.api("GET", "/api/v1/team/quality?weeks="+bad, "admin", nil)
		if res.StatusCode != 400 || !strings.Contains(res.Body, "weeks") {
			t.Errorf("weeks=%s: %d %s", bad, res.StatusCode, res.Body)
		}
	}
}

// TestQualityPracticeRefs: every shipped check's practice reference names
// a scenario check of the repository, so that the practice rate and the
// lesson and scenario that teach a check are found.
func TestQualityPracticeRefs(t *testing.T) {
	e := newEnv(t)
	scenarios := e.deps.Catalog.Snapshot().Scenarios
	for _, p := range academy.ShippedRules().Procedures {
		for _, c := range p.Checks {
			for _, ref := range c.Practice {
				slug, id, _ := strings.Cut(ref, "/")
				found := false
				if sc := scenarios[slug]; sc != nil {
					for _, st := range sc.Steps {
						found = found || slices.ContainsFunc(st.Checks, func(k academy.Check) bool { return k.ID == id })
					}
				}
				if !found {
					t.Errorf("%s check %s: practice %q names no scenario check", p.Type, c.ID, ref)
				}
			}
		}
	}
}

// TestQualityExportPeople: the exports name each agent by employee
// number and username beside the display name, under headers in the
// viewer's language; a site's whole line has neither.
func TestQualityExportPeople(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	qualityFixture(t, e)
	no := "KF-0042"
	if _, err := e.accounts.ChangeUser(ctx, academy.Actor{Username: "admin"}, "agent", academy.UserChange{EmployeeNo: &no}); err != nil {
		t.Fatal(err)
	}
	// byHeader reads the table's agent rows by column name, keyed by
	// the display name.
	byHeader := func(table [][]string, cols ...string) map[string][]string {
		t.Helper()
		out := map[string][]string{}
		for _, row := range table[2:] {
			var cells []string
			for _, c := range cols {
				i := slices.Index(table[1], c)
				if i < 0 {
					t.Fatalf("no column %q in %q", c, table[1])
				}
				cells = append(cells, row[i])
			}
			out[row[1]] = cells
		}
		return out
	}
	res := e.api("GET", "/team/quality/export/csv?site=s1", "manager", nil)
	table, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(res.Body, "\ufeff"))).ReadAll()
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("csv %d %v", res.StatusCode, err)
	}
	rows := byHeader(table, "工号", "用户名")
	if got := rows["吴客服"]; !slices.Equal(got, []string{"", "agent2"}) {
		t.Fatalf("agent2: %q", got)
	}
	if got := rows["全项目"]; !slices.Equal(got, []string{"", ""}) {
		t.Fatalf("the site's line: %q", got)
	}
	found := false
	for _, cells := range rows {
		found = found || slices.Equal(cells, []string{no, "agent"})
	}
	if !found {
		t.Fatalf("agent's employee number: %v", rows)
	}
	if _, err := e.accounts.UpdateProfile(ctx, "manager", "", "en"); err != nil {
		t.Fatal(err)
	}
	x := e.api("GET", "/team/quality/export/xlsx?site=s1", "manager", nil)
	f, err := excelize.OpenReader(strings.NewReader(x.Body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	table, err = f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	// GetRows drops a row's empty trailing cells; the columns asked for
	// come before the rates.
	rows = byHeader(table, "Employee number", "Username")
	if got := rows["吴客服"]; !slices.Equal(got, []string{"", "agent2"}) {
		t.Fatalf("xlsx agent2: %q (%q)", got, table)
	}
}
