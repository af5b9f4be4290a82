package http_test

import (
	"context"
	"encoding/csv"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
)

// user reads an account through the admin API.
func (e *env) user(t *testing.T, name string) academy.User {
	t.Helper()
	var u academy.User
	res := e.api("GET", "/api/v1/users/"+name, "admin", nil)
	if res.StatusCode != 200 {
		t.Fatalf("GET user %s: %d %s", name, res.StatusCode, res.Body)
	}
	res.json(t, &u)
	return u
}

// lastAudit returns the newest audit event of action on target.
func (e *env) lastAudit(t *testing.T, target, action string) *academy.AuditEvent {
	t.Helper()
	evs, _, err := e.accounts.Audit.ListAudit(context.Background(), academy.AuditFilter{Target: target, Action: action, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) == 0 {
		return nil
	}
	return evs[0]
}

// Every field of the people record goes in through POST, comes back
// through GET, changes through PATCH (absent or null keeps it, "" clears
// it), and each save is audited field by field with the phone masked.
func TestPeopleRecordRoundTripAPI(t *testing.T) {
	e := newEnv(t)
	long := strings.Repeat("部", 64)
	res := e.api("POST", "/api/v1/users", "admin", map[string]any{
		"username": "zhao.min", "display_name": "赵敏 Zhào", "legal_name": "赵敏", "employee_no": "e-0042",
		"phone": "+86 138-1234-5678", "email": "zhao.min@example.com", "department": long, "position": "客服专员",
		"hire_date": "2026-03-02", "roles": []string{"trainee"}, "sites": []string{"s1"}, "password": "a long enough pw",
	})
	if res.StatusCode != 201 {
		t.Fatalf("create: %d %s", res.StatusCode, res.Body)
	}
	u := e.user(t, "zhao.min")
	want := academy.User{DisplayName: "赵敏 Zhào", LegalName: "赵敏", EmployeeNo: "E-0042", Phone: "13812345678",
		Email: "zhao.min@example.com", Department: long, Position: "客服专员", HireDate: "2026-03-02"}
	if u.DisplayName != want.DisplayName || u.LegalName != want.LegalName || u.EmployeeNo != want.EmployeeNo || u.Phone != want.Phone ||
		u.Email != want.Email || u.Department != want.Department || u.Position != want.Position || u.HireDate != want.HireDate || u.LeaveDate != "" {
		t.Fatalf("read back %+v", u)
	}
	if a := e.lastAudit(t, "zhao.min", academy.AuditUserCreated); a == nil || strings.Contains(a.Detail, "13812345678") || !strings.Contains(a.Detail, "138****5678") {
		t.Fatalf("creation audit must list the phone masked: %+v", a)
	}

	// A list masks the phone; the person's own read shows it in full.
	var list struct{ Items []academy.User }
	e.api("GET", "/api/v1/users?q=zhao", "admin", nil).json(t, &list)
	if len(list.Items) != 1 || list.Items[0].Phone != "138****5678" {
		t.Fatalf("list phone: %+v", list.Items)
	}
	e.api("GET", "/api/v1/users?q=e-0042", "admin", nil).json(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != "zhao.min" {
		t.Fatalf("search by employee number: %+v", list.Items)
	}

	// Absent and null fields stay; given ones change; each save is one
	// audit line naming every field it changed, old → new.
	audits := e.auditTotal()
	res = e.api("PATCH", "/api/v1/users/zhao.min", "admin", map[string]any{
		"phone": "010 8765 4321", "position": "客服主管", "email": nil, "leave_date": "2027-01-31", "hire_date": "2026-03-01",
	})
	if res.StatusCode != 200 {
		t.Fatalf("patch: %d %s", res.StatusCode, res.Body)
	}
	u = e.user(t, "zhao.min")
	if u.Phone != "010-87654321" || u.Position != "客服主管" || u.Email != want.Email || u.EmployeeNo != want.EmployeeNo ||
		u.HireDate != "2026-03-01" || u.LeaveDate != "2027-01-31" || u.Department != long || u.Status != academy.StatusActive {
		t.Fatalf("after patch %+v", u)
	}
	if n := e.auditTotal(); n != audits+1 {
		t.Fatalf("one save wrote %d audit events, want 1", n-audits)
	}
	a := e.lastAudit(t, "zhao.min", academy.AuditUserUpdated)
	for _, part := range []string{`phone: "138****5678" → "010*****4321"`, `position: "客服专员" → "客服主管"`,
		`hire_date: "2026-03-02" → "2026-03-01"`, `leave_date: "" → "2027-01-31"`} {
		if a == nil || !strings.Contains(a.Detail, part) {
			t.Fatalf("audit lacks %s: %+v", part, a)
		}
	}
	if strings.Contains(a.Detail, "87654321") || strings.Contains(a.Detail, "email") || strings.Contains(a.Detail, "department") {
		t.Fatalf("audit shows a full phone or unchanged fields: %s", a.Detail)
	}

	// "" clears; the display name falls back to the username.
	res = e.api("PATCH", "/api/v1/users/zhao.min", "admin", map[string]any{
		"phone": "", "email": "", "department": "", "position": "", "employee_no": "", "leave_date": "", "display_name": "",
	})
	if res.StatusCode != 200 {
		t.Fatalf("clear: %d %s", res.StatusCode, res.Body)
	}
	u = e.user(t, "zhao.min")
	if u.Phone != "" || u.Email != "" || u.Department != "" || u.Position != "" || u.EmployeeNo != "" || u.LeaveDate != "" ||
		u.DisplayName != "zhao.min" || u.HireDate != "2026-03-01" || u.LegalName != "赵敏" {
		t.Fatalf("after clearing %+v", u)
	}
	// A cleared number is free: two people without one do not collide.
	for _, name := range []string{"p1", "p2"} {
		if res := e.api("POST", "/api/v1/users", "admin", map[string]any{"username": name, "roles": []string{"trainee"},
			"sites": []string{"s1"}, "password": "a long enough pw"}); res.StatusCode != 201 {
			t.Fatalf("a second person without an employee number: %d %s", res.StatusCode, res.Body)
		}
	}
}

// Refused people records name the field (or, for a taken employee
// number, the number and its holder) and leave nothing half-written.
func TestPeopleRecordRefusals(t *testing.T) {
	e := newEnv(t)
	if res := e.api("PATCH", "/api/v1/users/manager", "admin", map[string]any{"employee_no": "E001", "display_name": "张经理"}); res.StatusCode != 200 {
		t.Fatalf("give the manager a number: %d %s", res.StatusCode, res.Body)
	}
	if res := e.api("PATCH", "/api/v1/users/trainee", "admin", map[string]any{"hire_date": "2026-03-01"}); res.StatusCode != 200 {
		t.Fatalf("hire date: %d %s", res.StatusCode, res.Body)
	}
	far := academy.DateOf(time.Now().AddDate(2, 0, 0), beijing)
	read := func() string { return e.api("GET", "/api/v1/users/trainee", "admin", nil).Body }
	for _, c := range []struct {
		name   string
		body   map[string]any
		status int
		says   []string
	}{
		{"leave before hire", map[string]any{"position": "组长", "leave_date": "2026-02-28"}, 400, []string{"leave_date", "2026-03-01"}},
		{"taken number", map[string]any{"position": "组长", "employee_no": "e001"}, 409, []string{"employee_no", "E001", "张经理"}},
		{"bad mobile", map[string]any{"position": "组长", "phone": "1381234567"}, 400, []string{"phone"}},
		{"letters for a phone", map[string]any{"position": "组长", "phone": "call me"}, 400, []string{"phone"}},
		{"bad email", map[string]any{"position": "组长", "email": "wang@"}, 400, []string{"email"}},
		{"email with a name", map[string]any{"position": "组长", "email": "Wang <wang@example.com>"}, 400, []string{"email"}},
		{"hire date far ahead", map[string]any{"position": "组长", "hire_date": string(far)}, 400, []string{"hire_date"}},
		{"hire date not a date", map[string]any{"position": "组长", "hire_date": "2026-02-30"}, 400, []string{"hire_date"}},
		{"hire date in another form", map[string]any{"position": "组长", "hire_date": "2026/03/01"}, 400, []string{"hire_date"}},
		{"long department", map[string]any{"position": "组长", "department": strings.Repeat("部", 65)}, 400, []string{"department", "64"}},
		{"long position", map[string]any{"department": "客服部", "position": strings.Repeat("岗", 65)}, 400, []string{"position", "64"}},
		{"long employee number", map[string]any{"position": "组长", "employee_no": strings.Repeat("9", 33)}, 400, []string{"employee_no", "32"}},
		{"employee number with spaces", map[string]any{"position": "组长", "employee_no": "E 01"}, 400, []string{"employee_no"}},
		{"control character", map[string]any{"position": "组长", "department": "客服\x00部"}, 400, []string{"department"}},
		{"long display name", map[string]any{"position": "组长", "display_name": strings.Repeat("名", 65)}, 400, []string{"display_name"}},
		{"number of wrong type", map[string]any{"position": "组长", "employee_no": 42}, 400, []string{"employee_no"}},
	} {
		var res *response
		e.refusedWhole(t, c.name, func() *response {
			res = e.api("PATCH", "/api/v1/users/trainee", "admin", c.body)
			return res
		}, read)
		if res.StatusCode != c.status {
			t.Errorf("%s: %d, want %d: %s", c.name, res.StatusCode, c.status, res.Body)
		}
		for _, s := range c.says {
			if !strings.Contains(res.Body, s) {
				t.Errorf("%s: the refusal does not say %q: %s", c.name, s, res.Body)
			}
		}
	}
	// Creating with a taken number is refused the same way, and nobody is created.
	res := e.api("POST", "/api/v1/users", "admin", map[string]any{"username": "newcomer", "employee_no": "E001",
		"roles": []string{"trainee"}, "sites": []string{"s1"}, "password": "a long enough pw"})
	if res.StatusCode != 409 || !strings.Contains(res.Body, "张经理") || !strings.Contains(res.Body, "E001") {
		t.Fatalf("create with a taken number: %d %s", res.StatusCode, res.Body)
	}
	if res := e.api("GET", "/api/v1/users/newcomer", "admin", nil); res.StatusCode != 404 {
		t.Fatalf("a refused create stored the person: %d", res.StatusCode)
	}
	for _, bad := range []map[string]any{{"phone": "12345"}, {"leave_date": "2026-01-01", "hire_date": "2026-02-01"}, {"email": "x@y"}} {
		body := map[string]any{"username": "newcomer", "roles": []string{"trainee"}, "sites": []string{"s1"}, "password": "a long enough pw"}
		for k, v := range bad {
			body[k] = v
		}
		if res := e.api("POST", "/api/v1/users", "admin", body); res.StatusCode != 400 {
			t.Errorf("create with %v: %d %s", bad, res.StatusCode, res.Body)
		}
	}
	// Only admins change people records.
	for _, who := range []string{"trainer", "manager", "agent", "trainee"} {
		if res := e.api("PATCH", "/api/v1/users/trainee", who, map[string]any{"phone": "13812345678"}); res.StatusCode != 403 {
			t.Errorf("PATCH as %s: %d", who, res.StatusCode)
		}
	}
}

// A leave date that has come disables the account at once and ends its
// sessions; it cannot be enabled again until the date is cleared. A
// future leave date leaves it active.
func TestLeaveDateDisables(t *testing.T) {
	e := newEnv(t)
	tomorrow := string(academy.DateOf(time.Now().AddDate(0, 0, 1), beijing))
	if res := e.api("PATCH", "/api/v1/users/trainee", "admin", map[string]any{"leave_date": tomorrow}); res.StatusCode != 200 || e.user(t, "trainee").Status != academy.StatusActive {
		t.Fatalf("a future leave date: %d %s", res.StatusCode, res.Body)
	}
	if res := e.api("GET", "/api/v1/me", "trainee", nil); res.StatusCode != 200 {
		t.Fatalf("signed out before the leave date: %d", res.StatusCode)
	}
	today := string(academy.DateOf(time.Now(), beijing))
	if res := e.api("PATCH", "/api/v1/users/trainee", "admin", map[string]any{"leave_date": today}); res.StatusCode != 200 || e.user(t, "trainee").Status != academy.StatusDisabled {
		t.Fatalf("leave date today: %d %s", res.StatusCode, res.Body)
	}
	if res := e.api("GET", "/api/v1/me", "trainee", nil); res.StatusCode != 401 {
		t.Fatalf("a session survives the leave date: %d", res.StatusCode)
	}
	if e.lastAudit(t, "trainee", academy.AuditUserDisabled) == nil {
		t.Fatal("the disabling is not audited")
	}
	res := e.api("PATCH", "/api/v1/users/trainee", "admin", map[string]any{"status": "active"})
	if res.StatusCode != 400 || !strings.Contains(res.Body, "status") || !strings.Contains(res.Body, today) {
		t.Fatalf("enable after leaving: %d %s", res.StatusCode, res.Body)
	}
	if res := e.api("PATCH", "/api/v1/users/trainee", "admin", map[string]any{"status": "active", "leave_date": ""}); res.StatusCode != 200 {
		t.Fatalf("enable with the date cleared: %d %s", res.StatusCode, res.Body)
	}
	e.login("trainee", testPassword)
	if res := e.api("PATCH", "/api/v1/users/admin", "admin", map[string]any{"leave_date": today}); res.StatusCode != 400 || !strings.Contains(res.Body, "leave_date") {
		t.Fatalf("an admin's own leave date: %d %s", res.StatusCode, res.Body)
	}
}

// The admin's person page is one form with every field: it shows the
// record (the phone in full), saves it, shows a refusal beside its field
// with what was typed, and the list shows the phone masked.
func TestPeopleRecordWebForm(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.loginAs("admin")
	token := b.csrf("/admin/users/new")
	form := url.Values{"_csrf": {token}, "username": {"qian.li"}, "display_name": {"钱丽"}, "legal_name": {"钱丽"},
		"employee_no": {"HR-7"}, "phone": {"0755-88886666"}, "email": {"qian@example.com"}, "department": {"客服部"},
		"position": {"客服专员"}, "hire_date": {"2026-04-01"}, "leave_date": {""}, "roles": {"trainee"}, "sites": {"s1"},
		"lang": {"zh"}, "password": {"long enough pw"}, "confirm_password": {"long enough pw"}}
	if res := b.post("/admin/users", form); res.StatusCode != 303 {
		t.Fatalf("create: %d %s", res.StatusCode, res.Body)
	}
	u := e.user(t, "qian.li")
	if u.EmployeeNo != "HR-7" || u.Phone != "0755-88886666" || u.Department != "客服部" || u.HireDate != "2026-04-01" || u.Email != "qian@example.com" {
		t.Fatalf("created from the form: %+v", u)
	}
	page := b.get("/admin/users/qian.li").Body
	for _, s := range []string{`value="0755-88886666"`, `value="HR-7"`, `value="2026-04-01"`, `<label for="employee_no">工号</label>`, `id="user-form"`} {
		if !strings.Contains(page, s) {
			t.Errorf("person page lacks %s", s)
		}
	}
	if list := b.get("/admin/users").Body; !strings.Contains(list, "075******6666") || strings.Contains(list, "88886666") {
		t.Error("the user list shows the phone unmasked")
	}

	// A refused save keeps what was typed and puts the reason beside the field.
	edit := url.Values{"_csrf": {token}, "display_name": {"钱丽"}, "legal_name": {"钱丽"}, "employee_no": {"HR-7"},
		"phone": {"12345"}, "email": {"qian@example.com"}, "department": {"工程部"}, "position": {"客服专员"},
		"hire_date": {"2026-04-01"}, "leave_date": {""}, "roles": {"trainee"}, "sites": {"s1"}, "lang": {"zh"}}
	res := b.post("/admin/users/qian.li", edit)
	if res.StatusCode != 400 || !strings.Contains(res.Body, `id="phone-err"`) || !strings.Contains(res.Body, `aria-invalid="true"`) ||
		!strings.Contains(res.Body, `value="12345"`) || !strings.Contains(res.Body, `value="工程部"`) || strings.Contains(res.Body, `id="phone-err">phone`) {
		t.Fatalf("refused save: %d\n%s", res.StatusCode, res.Body)
	}
	if e.user(t, "qian.li").Department != "客服部" {
		t.Fatal("a refused form was half-saved")
	}
	edit.Set("hire_date", "2026-04-10")
	edit.Set("leave_date", "2026-04-09")
	edit.Set("phone", "139 8765 4321")
	if res := b.post("/admin/users/qian.li", edit); res.StatusCode != 400 || !strings.Contains(res.Body, `id="leave_date-err"`) {
		t.Fatalf("leave before hire in the form: %d", res.StatusCode)
	}
	edit.Set("leave_date", "")
	edit.Set("employee_no", "")
	edit.Del("sites")
	if res := b.post("/admin/users/qian.li", edit); res.StatusCode != 400 || !strings.Contains(res.Body, `id="sites-err"`) {
		t.Fatalf("no sites ticked: %d", res.StatusCode)
	}
	edit.Set("sites", "s2")
	if res := b.post("/admin/users/qian.li", edit); res.StatusCode != 303 || res.Header.Get("Location") != "/admin/users/qian.li?flash=user_saved" {
		t.Fatalf("save: %d %s", res.StatusCode, res.Body)
	}
	u = e.user(t, "qian.li")
	if u.Phone != "13987654321" || u.Department != "工程部" || u.HireDate != "2026-04-10" || u.EmployeeNo != "" || !slices.Equal(u.Sites, []string{"s2"}) {
		t.Fatalf("saved from the form: %+v", u)
	}
	if a := e.lastAudit(t, "qian.li", academy.AuditUserUpdated); a == nil || !strings.Contains(a.Detail, `employee_no: "HR-7" → ""`) || !strings.Contains(a.Detail, `phone: "075******6666" → "139****4321"`) {
		t.Fatalf("form save audit: %+v", a)
	}
	// A number another person holds comes back as a conflict beside the field.
	e.api("PATCH", "/api/v1/users/agent", "admin", map[string]any{"employee_no": "A-1", "display_name": "孙师傅"})
	edit.Set("employee_no", "a-1")
	if res := b.post("/admin/users/qian.li", edit); res.StatusCode != 409 || !strings.Contains(res.Body, `id="employee_no-err"`) || !strings.Contains(res.Body, "孙师傅") {
		t.Fatalf("taken number in the form: %d", res.StatusCode)
	}
}

// The hire date drives the team board: thirty days after it, a person
// without the certificate is overdue on the board and in its CSV, and the
// hire-month cohort filter lists them in that month only.
func TestHireDateDrivesOverdueAndCohort(t *testing.T) {
	e := newEnv(t)
	hired := academy.DateOf(e.clock.Now(), beijing)
	if res := e.api("PATCH", "/api/v1/users/trainee", "admin", map[string]any{"hire_date": string(hired)}); res.StatusCode != 200 {
		t.Fatalf("hire date: %d %s", res.StatusCode, res.Body)
	}
	overdue := func() (onBoard, inCSV bool) {
		page := e.api("GET", "/team", "manager", nil).Body
		if i := strings.Index(page, `<ul id="overdue">`); i >= 0 {
			list := page[i : i+strings.Index(page[i:], "</ul>")]
			onBoard = strings.Contains(list, `href="/team/people/trainee"`)
		}
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(e.api("GET", "/team/export/csv", "manager", nil).Body, "\ufeff"))).ReadAll()
		// The first row says when the figures were counted.
		if err != nil || len(rows) < 3 {
			t.Fatalf("csv: %v %v", err, rows)
		}
		hiredCol, overdueCol := slices.Index(rows[1], "入职日期"), slices.Index(rows[1], "逾期")
		for _, r := range rows[2:] {
			if r[0] == "trainee" {
				if r[hiredCol] != string(hired) {
					t.Fatalf("csv hire date %q, want %s", r[hiredCol], hired)
				}
				inCSV = r[overdueCol] != ""
			}
		}
		return onBoard, inCSV
	}
	if b, c := overdue(); b || c {
		t.Fatalf("overdue on the day of hire: board %v, csv %v", b, c)
	}
	e.clock.Advance(31 * 24 * time.Hour)
	if b, c := overdue(); !b || !c {
		t.Fatalf("not overdue 31 days after hire: board %v, csv %v", b, c)
	}
	other := hired.Start(beijing).AddDate(0, -2, 0).Format("2006-01")
	for cohort, want := range map[string]bool{hired.Month(): true, other: false} {
		page := e.api("GET", "/team?cohort="+cohort, "manager", nil)
		if page.StatusCode != 200 || strings.Contains(page.Body, `data-user="trainee"`) != want {
			t.Errorf("cohort %s: %d, lists the trainee: %v, want %v", cohort, page.StatusCode, !want, want)
		}
		if want && strings.Contains(page.Body, `data-user="agent"`) {
			t.Errorf("cohort %s lists the agent, who has no hire date", cohort)
		}
	}
}
