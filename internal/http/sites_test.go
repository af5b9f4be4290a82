package http_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/academy/academy/internal/academy"
)

// siteAdmin is an admin's browser on the directory page of site s1.
type siteAdmin struct {
	*browser
	t     *testing.T
	e     *env
	token string
}

func newSiteAdmin(t *testing.T, e *env) *siteAdmin {
	b := e.browser()
	b.loginAs("admin")
	return &siteAdmin{browser: b, t: t, e: e, token: b.csrf("/admin/sites/s1")}
}

// dir reads what the desk of s1 now has.
func (a *siteAdmin) dir() *academy.Directory {
	a.t.Helper()
	d, err := a.e.deps.Desk.Live.FindDirectory(context.Background(), "s1")
	if err != nil {
		a.t.Fatal(err)
	}
	return d
}

// send posts a form at the directory's current version.
func (a *siteAdmin) send(path string, kv ...string) *response {
	a.t.Helper()
	f := url.Values{"_csrf": {a.token}, "version": {fmt.Sprint(a.dir().Version)}}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Set(kv[i], kv[i+1])
	}
	return a.post(path, f)
}

// upload posts a workbook to the import form.
func (a *siteAdmin) upload(b []byte, confirm bool) *response {
	a.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("_csrf", a.token)
	if confirm {
		w.WriteField("confirm", "yes")
	}
	fw, _ := w.CreateFormFile("file", "directory.xlsx")
	fw.Write(b)
	w.Close()
	req := httptest.NewRequest("POST", "/admin/sites/s1/import", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return a.browser.send(req)
}

// workbook makes a directory workbook from the rows of its three sheets
// (headers added).
func workbook(t *testing.T, flats, residents, members [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, sh := range []struct {
		name string
		head []string
		rows [][]string
	}{{academy.SheetFlats, academy.FlatColumns, flats}, {academy.SheetResidents, academy.ResidentColumns, residents}, {academy.SheetMembers, academy.MemberColumns, members}} {
		if i == 0 {
			f.SetSheetName("Sheet1", sh.name)
		} else {
			f.NewSheet(sh.name)
		}
		for j, line := range append([][]string{sh.head}, sh.rows...) {
			row := make([]any, len(line))
			for k, v := range line {
				row[k] = v
			}
			cell, _ := excelize.CoordinatesToCellName(1, j+1)
			f.SetSheetRow(sh.name, cell, &row)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestSiteDirectoryAdmin: an admin manages a site's flats, residents and
// department members in the web, and the desk sees them; phones stay
// masked; a stale form is refused; removing asks for confirmation.
func TestSiteDirectoryAdmin(t *testing.T) {
	e := newEnv(t)
	a := newSiteAdmin(t, e)

	page := a.get("/admin/sites/s1")
	if page.StatusCode != 200 || !strings.Contains(page.Body, "3栋2单元1202") || !strings.Contains(page.Body, "王芳") {
		t.Fatalf("directory page: %d", page.StatusCode)
	}
	if strings.Contains(page.Body, "13812345678") || !strings.Contains(page.Body, "138****5678") {
		t.Fatal("the page does not mask phones as the desk does")
	}
	if !strings.Contains(a.get("/admin/sites").Body, `href="/admin/sites/s1"`) {
		t.Fatal("the sites list does not link the directory")
	}

	// A flat, then its resident, then a department member.
	if res := a.send("/admin/sites/s1/flats", "building", "9", "entrance", "1", "room", "101"); res.StatusCode != 303 {
		t.Fatalf("add flat: %d %s", res.StatusCode, res.Body)
	}
	if a.dir().Unit("9-1-101") == nil || a.dir().Unit("9-1-101").Label != "9栋1单元101" {
		t.Fatalf("flat not stored: %+v", a.dir().Units)
	}
	if res := a.send("/admin/sites/s1/residents", "name", "钱多多", "flat", "9栋1单元101", "phone", "139 1234 0000", "role", "tenant"); res.StatusCode != 303 {
		t.Fatalf("add resident: %d %s", res.StatusCode, res.Body)
	}
	var added *academy.Resident
	for _, r := range a.dir().Residents {
		if r.Name == "钱多多" {
			added = &r
		}
	}
	if added == nil || added.Unit != "9-1-101" || added.Phone != "139 1234 0000" || added.Role != "tenant" || added.ID != "r003" {
		t.Fatalf("resident stored as %+v", added)
	}
	if res := a.send("/admin/sites/s1/members", "name", "周保洁", "department", academy.DeptCleaning); res.StatusCode != 303 {
		t.Fatalf("add member: %d", res.StatusCode)
	}
	// The desk finds the new resident.
	var d struct{ Residents []struct{ Name, Unit string } }
	e.api("GET", "/api/v1/workspaces/s1/directory", "agent", nil).json(t, &d)
	if !strings.Contains(fmt.Sprint(d.Residents), "钱多多") {
		t.Fatalf("the desk does not see the new resident: %v", d.Residents)
	}

	// Editing a resident with the phone left empty keeps the phone; the
	// form never shows the full number.
	edit := a.get("/admin/sites/s1/residents/" + added.ID)
	if edit.StatusCode != 200 || strings.Contains(edit.Body, "139 1234 0000") || !strings.Contains(edit.Body, academy.MaskPhone("139 1234 0000")) {
		t.Fatalf("resident form: %d", edit.StatusCode)
	}
	if res := a.send("/admin/sites/s1/residents/"+added.ID, "name", "钱多多", "flat", "9-1-101", "phone", "", "role", "owner"); res.StatusCode != 303 {
		t.Fatalf("edit resident: %d %s", res.StatusCode, res.Body)
	}
	if r := a.dir().Resident(added.ID); r.Phone != "139 1234 0000" || r.Role != "owner" {
		t.Fatalf("after edit: %+v", r)
	}
	// Renumbering a flat moves its residents with it.
	if res := a.send("/admin/sites/s1/flats/9-1-101", "building", "9", "entrance", "2", "room", "101"); res.StatusCode != 303 {
		t.Fatalf("edit flat: %d %s", res.StatusCode, res.Body)
	}
	if r := a.dir().Resident(added.ID); r.Unit != "9-2-101" || a.dir().Unit("9-1-101") != nil {
		t.Fatalf("after renumbering: %+v", r)
	}

	// A form made before someone else's change is refused, nothing written.
	before := a.dir()
	stale := url.Values{"_csrf": {a.token}, "version": {fmt.Sprint(before.Version - 1)}, "building": {"9"}, "entrance": {"3"}, "room": {"101"}}
	if res := a.post("/admin/sites/s1/flats", stale); res.StatusCode != 409 || !strings.Contains(res.Body, "已被他人修改") || !strings.Contains(res.Body, `value="3"`) {
		t.Fatalf("stale form: %d", res.StatusCode)
	}
	if a.dir().Unit("9-3-101") != nil {
		t.Fatal("the stale form was written")
	}

	// Removing: a flat with residents is refused; without the confirmation
	// box nothing is removed.
	if res := a.send("/admin/sites/s1/flats/9-2-101/delete", "confirm", "yes"); res.StatusCode != 409 || !strings.Contains(res.Body, "还有 1 位住户") {
		t.Fatalf("remove inhabited flat: %d", res.StatusCode)
	}
	if res := a.send("/admin/sites/s1/residents/" + added.ID + "/delete"); res.StatusCode != 400 || a.dir().Resident(added.ID) == nil {
		t.Fatalf("remove without confirmation: %d", res.StatusCode)
	}
	for _, path := range []string{"/admin/sites/s1/residents/" + added.ID, "/admin/sites/s1/flats/9-2-101"} {
		if res := a.send(path+"/delete", "confirm", "yes"); res.StatusCode != 303 {
			t.Fatalf("remove %s: %d %s", path, res.StatusCode, res.Body)
		}
	}
	m := a.dir().Members[len(a.dir().Members)-1]
	if res := a.send("/admin/sites/s1/members/"+m.ID, "name", "周师傅", "department", academy.DeptSecurity); res.StatusCode != 303 || a.dir().Member(m.ID).Department != academy.DeptSecurity {
		t.Fatalf("edit member: %d", res.StatusCode)
	}
	if res := a.send("/admin/sites/s1/members/"+m.ID+"/delete", "confirm", "yes"); res.StatusCode != 303 || a.dir().Member(m.ID) != nil {
		t.Fatalf("remove member: %d", res.StatusCode)
	}
	if a.dir().Resident(added.ID) != nil || a.dir().Unit("9-2-101") != nil {
		t.Fatal("removed entries are still there")
	}

	// Every change is audited, without phones.
	events, _, err := e.accounts.Audit.ListAudit(context.Background(), academy.AuditFilter{Target: "s1", Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) < 9 {
		t.Fatalf("%d audit events", len(events))
	}
	for _, ev := range events {
		if strings.Contains(ev.Detail, "1234") || ev.Actor != "admin" {
			t.Errorf("audit event %+v", ev)
		}
	}
}

// TestSiteDirectoryBadInput: every field is checked and named; nothing
// is written; nobody but an admin gets in.
func TestSiteDirectoryBadInput(t *testing.T) {
	e := newEnv(t)
	a := newSiteAdmin(t, e)
	before := a.dir()
	for _, c := range []struct {
		path string
		kv   []string
		want string
	}{
		{"/admin/sites/s1/flats", []string{"building", "x", "entrance", "1", "room", "101"}, "building"},
		{"/admin/sites/s1/flats", []string{"building", "1000", "entrance", "1", "room", "101"}, "building"},
		{"/admin/sites/s1/flats", []string{"building", "1", "entrance", "0", "room", "101"}, "entrance"},
		{"/admin/sites/s1/flats", []string{"building", "1", "entrance", "1", "room", "<b>"}, "room"},
		{"/admin/sites/s1/flats", []string{"building", "1", "entrance", "1", "room", "123456789"}, "room"},
		{"/admin/sites/s1/residents", []string{"name", "", "flat", "3栋2单元1202", "phone", "13800000000", "role", "owner"}, "name"},
		{"/admin/sites/s1/residents", []string{"name", strings.Repeat("长", 33), "flat", "3栋2单元1202", "phone", "13800000000", "role", "owner"}, "name"},
		{"/admin/sites/s1/residents", []string{"name", "张三", "flat", "99栋1单元1", "phone", "13800000000", "role", "owner"}, "flat"},
		{"/admin/sites/s1/residents", []string{"name", "张三", "flat", "3栋2单元1202", "phone", "12345", "role", "owner"}, "phone"},
		{"/admin/sites/s1/residents", []string{"name", "张三", "flat", "3栋2单元1202", "phone", "call me", "role", "owner"}, "phone"},
		{"/admin/sites/s1/residents", []string{"name", "张三", "flat", "3栋2单元1202", "phone", "13800000000", "role", "boss"}, "role"},
		{"/admin/sites/s1/members", []string{"name", "张三", "department", "kitchen"}, "department"},
		{"/admin/sites/s1/members", []string{"name", "a\x00b", "department", academy.DeptService}, "name"},
	} {
		res := a.send(c.path, c.kv...)
		if res.StatusCode != 400 || !strings.Contains(res.Body, c.want+":") {
			t.Errorf("%s %v: %d, want 400 naming %s", c.path, c.kv, res.StatusCode, c.want)
		}
	}
	if res := a.send("/admin/sites/s1/flats", "building", "3", "entrance", "2", "room", "1202"); res.StatusCode != 409 || !strings.Contains(res.Body, "已经存在") {
		t.Errorf("duplicate flat: %d", res.StatusCode)
	}
	if res := a.post("/admin/sites/s1/flats", url.Values{"_csrf": {a.token}, "building": {"1"}, "entrance": {"1"}, "room": {"1"}}); res.StatusCode != 400 || !strings.Contains(res.Body, "version") {
		t.Errorf("no version: %d", res.StatusCode)
	}
	if after := a.dir(); after.Version != before.Version || len(after.Units) != len(before.Units) || len(after.Residents) != len(before.Residents) {
		t.Fatal("a refused form changed the directory")
	}
	for _, c := range []struct {
		path string
		want int
	}{
		{"/admin/sites/nosuch", 404}, {"/admin/sites/Bad_Site", 400}, {"/admin/sites/s1/residents/nosuch", 404},
		{"/admin/sites/s1/flats/nosuch", 404}, {"/admin/sites/s1/members/nosuch", 404}, {"/admin/sites/s1/residents/a%20b", 400},
		{"/admin/sites/s1?q=" + url.QueryEscape(strings.Repeat("x", 65)), 400},
	} {
		if res := a.get(c.path); res.StatusCode != c.want {
			t.Errorf("GET %s: %d, want %d", c.path, res.StatusCode, c.want)
		}
	}
	if res := a.send("/admin/sites/s1/residents/nosuch", "name", "张三", "flat", "3栋2单元1202", "phone", "13800000000", "role", "owner"); res.StatusCode != 404 {
		t.Errorf("edit of a resident that does not exist: %d", res.StatusCode)
	}
	// Managers and agents do not get in, not even to read.
	for _, who := range []string{"manager", "agent", "trainer"} {
		if res := e.api("GET", "/admin/sites/s1/export", who, nil); res.StatusCode != 403 {
			t.Errorf("export as %s: %d", who, res.StatusCode)
		}
	}
}

// TestSiteDirectoryImportExport: the export opens as a workbook the import
// reads back unchanged; a workbook with bad rows names every row, column
// and problem and writes nothing; importing the same file again changes
// nothing; long lists are paged.
func TestSiteDirectoryImportExport(t *testing.T) {
	e := newEnv(t)
	a := newSiteAdmin(t, e)
	res := a.get("/admin/sites/s1/export")
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Disposition"), "s1-directory.xlsx") {
		t.Fatalf("export: %d", res.StatusCode)
	}
	f, err := excelize.OpenReader(strings.NewReader(res.Body))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows(academy.SheetResidents)
	if len(rows) != 3 || strings.Join(rows[1], "|") != "r1|王芳|3栋2单元1202|13812345678|业主" {
		t.Fatalf("residents sheet: %v", rows)
	}
	events, _, _ := e.accounts.Audit.ListAudit(context.Background(), academy.AuditFilter{Action: academy.AuditDirectoryExported, Limit: 5})
	if len(events) != 1 || events[0].Actor != "admin" {
		t.Fatalf("export not audited: %v", events)
	}
	before := a.dir()
	// The export imported as is: the same directory.
	if res := a.upload([]byte(res.Body), true); res.StatusCode != 303 {
		t.Fatalf("re-import of the export: %d %s", res.StatusCode, res.Body)
	}
	if got := a.dir(); fmt.Sprint(got.Units, got.Residents, got.Members) != fmt.Sprint(before.Units, before.Residents, before.Members) {
		t.Fatalf("round trip changed the directory:\n%v\n%v", before, got)
	}

	// Bad rows: every one reported with row and column; nothing written.
	bad := workbook(t,
		[][]string{{"5", "1", "101"}, {"x", "1", "102"}, {"5", "1", "101"}},
		[][]string{{"", "孙悟空", "5栋1单元101", "13700000000", "业主"}, {"", "", "5栋1单元109", "12", "老板"}},
		[][]string{{"", "猪八戒", "厨房"}})
	res = a.upload(bad, true)
	if res.StatusCode != 400 || !strings.Contains(res.Body, "什么都没有导入") {
		t.Fatalf("bad workbook: %d", res.StatusCode)
	}
	for _, want := range []string{
		"<strong>“房屋”表第 3 行，A (楼栋 / Building) 列</strong> building:", "<strong>“房屋”表第 4 行，C (房号 / Room) 列</strong> room:",
		"<strong>“住户”表第 3 行，B (姓名 / Name) 列</strong> name:", "<strong>“住户”表第 3 行，C (房屋 / Flat) 列</strong> flat:",
		"<strong>“住户”表第 3 行，D (电话 / Phone) 列</strong> phone:", "<strong>“住户”表第 3 行，E (身份 / Role) 列</strong> role:",
		"<strong>“部门成员”表第 2 行，C (部门 / Department) 列</strong> department:",
	} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("problems lack %s", want)
		}
	}
	if got := a.dir(); got.Version != before.Version+1 || len(got.Units) != len(before.Units) {
		t.Fatal("a bad workbook changed the directory")
	}
	for _, c := range []struct {
		body    []byte
		confirm bool
		want    string
	}{
		{[]byte("not a workbook"), true, "xlsx"},
		{workbook(t, nil, nil, nil), false, "confirm"},
	} {
		if res := a.upload(c.body, c.confirm); res.StatusCode != 400 || !strings.Contains(res.Body, c.want) {
			t.Errorf("upload wanting %s: %d", c.want, res.StatusCode)
		}
	}
	missing := excelize.NewFile()
	var mb bytes.Buffer
	missing.Write(&mb)
	if res := a.upload(mb.Bytes(), true); res.StatusCode != 400 || !strings.Contains(res.Body, "房屋") {
		t.Errorf("workbook without the sheets: %d", res.StatusCode)
	}

	// A big estate: 120 residents without ids; importing twice gives the
	// same ids; the list is paged.
	var flats, residents [][]string
	for i := range 120 {
		room := fmt.Sprintf("%d%02d", i/4+1, i%4+1)
		flats = append(flats, []string{"7", "1", room})
		residents = append(residents, []string{"", fmt.Sprintf("住户%03d", i), "7栋1单元" + room, fmt.Sprintf("1350000%04d", i), "业主"})
	}
	residents = append(residents, []string{"r1", "王芳", "7栋1单元101", "13812345678", "租户"})
	big := workbook(t, flats, residents, [][]string{{"m1", "李师傅", "工程"}, {"", "周保洁", "保洁"}})
	if res := a.upload(big, true); res.StatusCode != 303 {
		t.Fatalf("big import: %d %s", res.StatusCode, res.Body)
	}
	first := a.dir()
	if len(first.Units) != 120 || len(first.Residents) != 121 || first.Resident("r1").Unit != "7-1-101" || len(first.Members) != 2 {
		t.Fatalf("imported %d flats, %d residents", len(first.Units), len(first.Residents))
	}
	if res := a.upload(big, true); res.StatusCode != 303 {
		t.Fatalf("second import: %d", res.StatusCode)
	}
	if again := a.dir(); fmt.Sprint(again.Units, again.Residents, again.Members) != fmt.Sprint(first.Units, first.Residents, first.Members) {
		t.Fatal("importing the same file again changed the directory")
	}
	page := a.get("/admin/sites/s1")
	if n := strings.Count(page.Body, `/admin/sites/s1/residents/r`); n != 50 {
		t.Fatalf("first page lists %d residents", n)
	}
	next := regexp.MustCompile(`href="(/admin/sites/s1\?offset=50#residents)" rel="next"`).FindStringSubmatch(page.Body)
	if next == nil {
		t.Fatal("no link to the next page of residents")
	}
	if p2 := a.get(strings.ReplaceAll(next[1], "&amp;", "&")); !strings.Contains(p2.Body, "住户050") || strings.Contains(p2.Body, "住户049") {
		t.Fatal("second page of residents")
	}
	if found := a.get("/admin/sites/s1?q=" + url.QueryEscape("住户119")); strings.Count(found.Body, `/admin/sites/s1/residents/r`) != 1 {
		t.Fatal("search by name")
	}
}
