package roster_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/mongo"
	"github.com/academy/academy/internal/mongo/mongotest"
	"github.com/academy/academy/internal/password"
	"github.com/academy/academy/internal/roster"
)

func TestMain(m *testing.M) { os.Exit(mongotest.Main(m)) }

func newRoster(t testing.TB) *roster.Roster {
	t.Helper()
	db := mongotest.Open(t)
	sites := mongo.NewSiteService(db)
	acc, err := academy.NewAccounts(mongo.NewUserService(db), mongo.NewSessionService(db), sites,
		mongo.NewAuditService(db), password.NewFast(), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	acc.Links = mongo.NewPasswordLinkService(db)
	for id, name := range map[string]string{"s1": "阳光花园", "s2": "滨江一号"} {
		if err := sites.CreateSite(context.Background(), &academy.Site{ID: id, Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	return &roster.Roster{Accounts: acc}
}

var header = []string{"工号", "姓名", "手机", "邮箱", "部门", "岗位", "项目", "角色", "入职日期"}

// people returns n rows of made-up staff in header's order.
func people(n int) [][]string {
	var rows [][]string
	for i := range n {
		site := "阳光花园"
		if i%3 == 0 {
			site = "阳光花园、s2"
		}
		role := "学员"
		if i%10 == 0 {
			role = "客服专员,学员"
		}
		rows = append(rows, []string{fmt.Sprintf("E%04d", i+1), fmt.Sprintf("员工%d", i+1), fmt.Sprintf("138%08d", i+1),
			fmt.Sprintf("e%d@example.com", i+1), "客服部", "客服专员", site, role, fmt.Sprintf("2025/%d/%d", i%12+1, i%28+1)})
	}
	return rows
}

func csvOf(rows [][]string) []byte {
	var b bytes.Buffer
	b.WriteString("\xEF\xBB\xBF")
	w := csv.NewWriter(&b)
	w.UseCRLF = true
	_ = w.WriteAll(append([][]string{header}, rows...))
	return b.Bytes()
}

func xlsxOf(t testing.TB, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	style, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range append([][]string{header}, rows...) {
		for j, v := range r {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			// Dates as Excel stores them: day numbers with a date format.
			if j == len(header)-1 && i > 0 {
				day, err := time.Parse("2006/1/2", v)
				if err != nil {
					t.Fatal(err)
				}
				_ = f.SetCellValue("Sheet1", cell, day)
				_ = f.SetCellStyle("Sheet1", cell, cell, style)
				continue
			}
			_ = f.SetCellValue("Sheet1", cell, v)
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func plan(t testing.TB, r *roster.Roster, data []byte, opt roster.Options, apply bool) *roster.Plan {
	t.Helper()
	f, err := roster.Read(data)
	if err != nil {
		t.Fatal(err)
	}
	do := r.Plan
	if apply {
		do = r.Apply
	}
	p, err := do(context.Background(), f, opt)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestImport200(t *testing.T) {
	for name, data := range map[string]func(t testing.TB, rows [][]string) []byte{
		"csv":  func(_ testing.TB, rows [][]string) []byte { return csvOf(rows) },
		"xlsx": xlsxOf,
	} {
		t.Run(name, func(t *testing.T) {
			r := newRoster(t)
			ctx := context.Background()
			file := data(t, people(200))
			p := plan(t, r, file, roster.Options{}, false)
			if p.Counts[roster.Create] != 200 || len(p.Items) != 200 {
				t.Fatalf("dry run: %v", p.Counts)
			}
			if _, err := r.Accounts.Users.FindUser(ctx, "e0001"); academy.ErrorCode(err) != academy.ENOTFOUND {
				t.Fatalf("the dry run wrote: %v", err)
			}
			p = plan(t, r, file, roster.Options{}, true)
			if p.Counts[roster.Create] != 200 {
				t.Fatalf("apply: %v", p.Counts)
			}
			u, err := r.Accounts.Users.FindUser(ctx, "e0001")
			if err != nil {
				t.Fatal(err)
			}
			if u.EmployeeNo != "E0001" || u.LegalName != "员工1" || u.DisplayName != "员工1" || u.Phone != "13800000001" ||
				u.HireDate != "2025-01-01" || strings.Join(u.Sites, ",") != "s1,s2" || strings.Join(u.Roles, ",") != "agent,trainee" || u.PasswordHash != "" {
				t.Fatalf("stored %+v", u)
			}
			if p.Items[0].Link == "" {
				t.Fatal("no set-password link for a new account")
			}
			if got, err := r.Accounts.PasswordLinkUser(ctx, p.Items[0].Link); err != nil || got.ID != "e0001" {
				t.Fatalf("link is for %v, %v", got, err)
			}
			// Again: nothing to do.
			p = plan(t, r, file, roster.Options{}, true)
			if p.Counts[roster.Unchanged] != 200 {
				t.Fatalf("re-import: %v", p.Counts)
			}
			// Three people left: sync disables them and nobody else.
			rows := people(200)
			p = plan(t, r, data(t, append(rows[:10:10], rows[13:]...)), roster.Options{Sync: true}, true)
			if p.Counts[roster.Disable] != 3 || p.Counts[roster.Unchanged] != 197 {
				t.Fatalf("sync: %v", p.Counts)
			}
			for _, id := range []string{"e0011", "e0012", "e0013"} {
				if u, _ := r.Accounts.Users.FindUser(ctx, id); u.Status != academy.StatusDisabled {
					t.Fatalf("%s is %s", id, u.Status)
				}
			}
			if u, _ := r.Accounts.Users.FindUser(ctx, "e0014"); u.Status != academy.StatusActive {
				t.Fatalf("e0014 is %s", u.Status)
			}
		})
	}
}

func TestChangePlan(t *testing.T) {
	r := newRoster(t)
	plan(t, r, csvOf(people(3)), roster.Options{}, true)
	rows := people(3)
	rows[1][5], rows[1][6] = "客服主管", "滨江一号"
	p := plan(t, r, csvOf(rows), roster.Options{}, false)
	it := p.Items[1]
	if it.Action != roster.Change || len(it.Changes) != 2 || it.Changes[0] != (roster.Diff{Field: "position", Old: "客服专员", New: "客服主管"}) ||
		it.Changes[1] != (roster.Diff{Field: "sites", Old: "s1", New: "s2"}) {
		t.Fatalf("%+v", it)
	}
	plan(t, r, csvOf(rows), roster.Options{}, true)
	if u, _ := r.Accounts.Users.FindUser(context.Background(), "e0002"); u.Position != "客服主管" || u.Sites[0] != "s2" {
		t.Fatalf("%+v", u)
	}
}

func TestGBK(t *testing.T) {
	r := newRoster(t)
	utf := bytes.TrimPrefix(csvOf(people(5)), []byte("\xEF\xBB\xBF"))
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes(utf)
	if err != nil {
		t.Fatal(err)
	}
	plan(t, r, gbk, roster.Options{}, true)
	u, err := r.Accounts.Users.FindUser(context.Background(), "e0005")
	if err != nil || u.LegalName != "员工5" || u.Department != "客服部" {
		t.Fatalf("%+v %v", u, err)
	}
	if p := plan(t, r, utf, roster.Options{}, false); p.Counts[roster.Unchanged] != 5 {
		t.Fatalf("the UTF-8 file reads differently: %v", p.Counts)
	}
}

func TestBadRows(t *testing.T) {
	r := newRoster(t)
	rows := people(6)
	rows[1][0] = rows[0][0]   // row 3: duplicate employee number
	rows[2][6] = "不存在的花园"     // row 4: unknown site
	rows[3][8] = "2025-13-01" // row 5: bad date
	rows[4][2] = "12345"      // row 6: bad phone
	f, err := roster.Read(csvOf(rows))
	if err != nil {
		t.Fatal(err)
	}
	p, err := r.Apply(context.Background(), f, roster.Options{})
	if academy.ErrorCode(err) != academy.EINVALID {
		t.Fatalf("applied a plan with refused rows: %v", err)
	}
	want := map[int]string{3: "工号", 4: "项目", 5: "入职日期", 6: "手机"}
	for _, it := range p.Items {
		col, bad := want[it.Line]
		if !bad {
			if it.Action != roster.Create {
				t.Errorf("row %d: %s %v", it.Line, it.Action, it.Problems)
			}
			continue
		}
		if it.Action != roster.Refused || len(it.Problems) == 0 || it.Problems[0].Column != col || !strings.Contains(it.Problems[0].Message, "/ ") {
			t.Errorf("row %d: %s %+v, want refused in %s", it.Line, it.Action, it.Problems, col)
		}
	}
	if _, err := r.Accounts.Users.FindUser(context.Background(), "e0001"); academy.ErrorCode(err) != academy.ENOTFOUND {
		t.Fatalf("a refused import wrote: %v", err)
	}
	if _, err := roster.Read([]byte("工号,姓名,工资\nE1,王,100\n")); err == nil || !strings.Contains(academy.ErrorMessage(err), "工资") {
		t.Fatalf("unknown column: %v", err)
	}
}

func BenchmarkImport5000(b *testing.B) {
	data := csvOf(people(5000))
	for b.Loop() {
		b.StopTimer()
		r := newRoster(b)
		b.StartTimer()
		plan(b, r, data, roster.Options{}, true)
	}
}

// TestExampleFile keeps the documented example importable.
func TestExampleFile(t *testing.T) {
	data, err := os.ReadFile("../../docs/roster-example.csv")
	if err != nil {
		t.Fatal(err)
	}
	p := plan(t, newRoster(t), data, roster.Options{}, false)
	if p.Counts[roster.Create] != 10 {
		for _, it := range p.Items {
			t.Logf("%+v", it)
		}
		t.Fatalf("%v", p.Counts)
	}
}

// withLeave writes rows of people with a leave-date column, "" where a
// person has none.
func withLeave(rows [][]string, leave map[int]string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(append(slices.Clone(header), "离职日期"))
	for i, r := range rows {
		_ = w.Write(append(slices.Clone(r), leave[i]))
	}
	w.Flush()
	return b.Bytes()
}

func statusOf(t testing.TB, r *roster.Roster, id string) string {
	t.Helper()
	u, err := r.Accounts.Users.FindUser(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return u.Status
}

func item(t testing.TB, p *roster.Plan, username string) *roster.Item {
	t.Helper()
	for _, it := range p.Items {
		if it.Username == username {
			return it
		}
	}
	t.Fatalf("no item for %s in %+v", username, p.Items)
	return nil
}

// TestReappearing: a person a sync disabled who is back in the roster is
// enabled again by the next sync, shown as a change of status and
// audited; a plain import leaves them disabled and says why; so for one
// an admin disabled by hand. A leave date that has come, in the row,
// disables an active person and keeps a disabled one disabled; moved
// ahead by a sync, it lets them back.
func TestReappearing(t *testing.T) {
	r := newRoster(t)
	ctx := context.Background()
	admin := academy.Actor{Username: "boss"}
	sync := roster.Options{Sync: true, Actor: admin}
	rows := people(4)
	plan(t, r, csvOf(rows), sync, true)
	plan(t, r, csvOf(rows[:3]), sync, true)
	if s := statusOf(t, r, "e0004"); s != academy.StatusDisabled {
		t.Fatalf("left out of the sync: %s", s)
	}
	// A plain import: still disabled, and the plan says so.
	p := plan(t, r, csvOf(rows), roster.Options{Actor: admin}, true)
	if it := item(t, p, "e0004"); it.Action != roster.Unchanged || len(it.Notes) != 1 || !strings.Contains(it.Notes[0], "同步") {
		t.Fatalf("plain import of a disabled person: %+v", it)
	}
	if s := statusOf(t, r, "e0004"); s != academy.StatusDisabled {
		t.Fatalf("a plain import enabled: %s", s)
	}
	// The sync: 已停用 → 正常, audited.
	p = plan(t, r, csvOf(rows), sync, false)
	it := item(t, p, "e0004")
	if it.Action != roster.Change || len(it.Changes) != 1 || it.Changes[0] != (roster.Diff{Field: "status", Old: academy.StatusDisabled, New: academy.StatusActive}) || p.Counts[roster.Change] != 1 {
		t.Fatalf("sync of a person back: %+v %v", it, p.Counts)
	}
	plan(t, r, csvOf(rows), sync, true)
	if s := statusOf(t, r, "e0004"); s != academy.StatusActive {
		t.Fatalf("the sync did not enable: %s", s)
	}
	evs, _, err := r.Accounts.Audit.ListAudit(ctx, academy.AuditFilter{Action: academy.AuditUserEnabled, Target: "e0004", Limit: 10})
	if err != nil || len(evs) != 1 || evs[0].Actor != "boss" {
		t.Fatalf("enable not audited: %+v %v", evs, err)
	}
	if p := plan(t, r, csvOf(rows), sync, true); p.Counts[roster.Unchanged] != 4 {
		t.Fatalf("again: %v", p.Counts)
	}

	// Disabled by hand: a sync enables them too (its file is the source
	// of truth), a plain import does not.
	off := academy.StatusDisabled
	if _, err := r.Accounts.ChangeUser(ctx, admin, "e0003", academy.UserChange{Status: &off}); err != nil {
		t.Fatal(err)
	}
	plan(t, r, csvOf(rows), roster.Options{Actor: admin}, true)
	if s := statusOf(t, r, "e0003"); s != academy.StatusDisabled {
		t.Fatalf("a plain import enabled a person disabled by hand: %s", s)
	}
	plan(t, r, csvOf(rows), sync, true)
	if s := statusOf(t, r, "e0003"); s != academy.StatusActive {
		t.Fatalf("the sync left a person disabled by hand: %s", s)
	}

	// A leave date that has come disables, in the plan and the write.
	past := academy.DateOf(time.Now().AddDate(0, 0, -2), time.UTC)
	ahead := academy.DateOf(time.Now().AddDate(0, 1, 0), time.UTC)
	p = plan(t, r, withLeave(rows, map[int]string{1: string(past)}), roster.Options{Actor: admin}, true)
	it = item(t, p, "e0002")
	if it.Action != roster.Change || !slices.Contains(it.Changes, roster.Diff{Field: "status", Old: academy.StatusActive, New: academy.StatusDisabled}) {
		t.Fatalf("a leave date that has come: %+v", it)
	}
	if s := statusOf(t, r, "e0002"); s != academy.StatusDisabled {
		t.Fatalf("left, still %s", s)
	}
	// A sync naming them with that date keeps them disabled, silently.
	p = plan(t, r, withLeave(rows, map[int]string{1: string(past)}), sync, true)
	if it := item(t, p, "e0002"); it.Action != roster.Unchanged || len(it.Notes) != 0 || statusOf(t, r, "e0002") != academy.StatusDisabled {
		t.Fatalf("a sync of someone gone: %+v", it)
	}
	// The date moved ahead (they stay on), by a sync: enabled again.
	plan(t, r, withLeave(rows, map[int]string{1: string(ahead)}), sync, true)
	if s := statusOf(t, r, "e0002"); s != academy.StatusActive {
		t.Fatalf("leave date moved ahead: %s", s)
	}
	// The importing admin cannot give themself a leave date that has come.
	boss := []string{"B0001", "老板", "", "", "", "", "阳光花园", "管理员", "2025/1/1"}
	plan(t, r, csvOf([][]string{boss}), roster.Options{Actor: admin}, true)
	f, err := roster.Read(withLeave([][]string{boss}, map[int]string{0: string(past)}))
	if err != nil {
		t.Fatal(err)
	}
	if p, err := r.Plan(ctx, f, roster.Options{Actor: academy.Actor{Username: "b0001"}}); err != nil || !p.Refused() || p.Items[0].Problems[0].Column != "离职日期" {
		t.Fatalf("own leave date: %+v %v", p, err)
	}
}
