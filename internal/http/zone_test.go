package http_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/academy/academy/internal/academy"
)

// The process runs in UTC (TestMain) and the server is configured for
// Beijing: every time a person reads is in their site's zone, else the
// company's, and a site with its own zone (Urumqi, UTC+6) shows its own.

func TestSiteZoneIsValidated(t *testing.T) {
	e := newEnv(t)
	res := e.api("POST", "/api/v1/sites", "admin", map[string]any{"id": "xj", "name": "乌鲁木齐项目", "tz": " Asia/Urumqi "})
	var site academy.Site
	if res.StatusCode != 201 {
		t.Fatalf("create a site with a zone: %d %s", res.StatusCode, res.Body)
	}
	if res.json(t, &site); site.TZ != "Asia/Urumqi" {
		t.Fatalf("site zone %q", site.TZ)
	}
	for _, bad := range []string{"Mars/Olympus", "Local", "+08:00", "CST-8", strings.Repeat("a", 65)} {
		res := e.api("POST", "/api/v1/sites", "admin", map[string]any{"id": "bad", "name": "坏", "tz": bad})
		if res.StatusCode != 400 || !strings.Contains(res.Body, "tz: ") || !strings.Contains(res.Body, "Asia/Shanghai") {
			t.Errorf("zone %q: %d %s", bad, res.StatusCode, res.Body)
		}
	}
	// The admin page takes the zone and lists it; a site without one is
	// on the company's.
	if res := e.form("/admin/sites", "admin", map[string][]string{"id": {"kashgar"}, "name": {"喀什项目"}, "tz": {"Asia/Urumqi"}}); res.StatusCode != 303 && res.StatusCode != 302 {
		t.Fatalf("admin page create: %d %s", res.StatusCode, res.Body)
	}
	page := e.api("GET", "/admin/sites", "admin", nil)
	// Zones by the names people here use, with the offset; the form still
	// takes the zone's id, offered with its name.
	page.Body = html.UnescapeString(page.Body)
	if !strings.Contains(page.Body, "<td>喀什项目</td><td>乌鲁木齐时间（UTC+6）</td>") || !strings.Contains(page.Body, "<td>项目s1</td><td>公司时区</td>") ||
		!strings.Contains(page.Body, `name="tz"`) || !strings.Contains(page.Body, `<option value="Asia/Urumqi">乌鲁木齐时间（UTC+6）</option>`) ||
		!strings.Contains(page.Body, "留空则使用公司时区：北京时间（UTC+8）。") {
		t.Fatalf("sites page:\n%s", page.Body)
	}
	if _, err := e.accounts.UpdateProfile(context.Background(), "admin", "", "en"); err != nil {
		t.Fatal(err)
	}
	if page := e.api("GET", "/admin/sites", "admin", nil); !strings.Contains(html.UnescapeString(page.Body), "<td>Urumqi time (UTC+6)</td>") {
		t.Fatalf("sites page in English:\n%s", page.Body)
	}
	if res := e.form("/admin/sites", "admin", map[string][]string{"id": {"nowhere"}, "name": {"无处"}, "tz": {"Nowhere/City"}}); res.StatusCode != 400 || !strings.Contains(res.Body, "tz: ") || !strings.Contains(res.Body, `value="Nowhere/City"`) {
		t.Fatalf("bad zone on the admin page: %d", res.StatusCode)
	}
}

// attemptDeadline starts an ethics attempt for who and returns its page and
// deadline.
func (e *env) attemptDeadline(who string) (string, time.Time) {
	e.t.Helper()
	e.finishCourses(who, "ethics")
	var a apiAttempt
	e.api("POST", "/api/v1/quizzes/ethics/attempts", who, nil).json(e.t, &a)
	if a.Deadline == nil || a.Deadline.IsZero() {
		e.t.Fatalf("ethics attempt of %s has no deadline", who)
	}
	return e.api("GET", "/attempts/"+a.ID, who, nil).Body, *a.Deadline
}

func TestPagesShowTheViewersZone(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	urumqi, err := time.LoadLocation("Asia/Urumqi")
	if err != nil {
		t.Fatal(err)
	}
	if res := e.api("POST", "/api/v1/sites", "admin", map[string]any{"id": "xj", "name": "乌鲁木齐项目", "tz": "Asia/Urumqi"}); res.StatusCode != 201 {
		t.Fatalf("site: %d %s", res.StatusCode, res.Body)
	}
	if err := e.deps.Desk.Live.SaveDirectory(ctx, "xj", &academy.Directory{
		Units:     []academy.Unit{{ID: "1-1-101", Building: "1栋", Label: "1栋1单元101"}},
		Residents: []academy.Resident{{ID: "x1", Name: "阿依古丽", Unit: "1-1-101", Phone: "13912345678", Role: "owner"}},
	}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct{ name, role, site string }{{"xinjiang", academy.RoleTrainee, "xj"}, {"xjagent", academy.RoleAgent, "xj"}} {
		e.createUser(u.name, []string{u.role}, []string{u.site})
		e.tokens[u.name] = e.login(u.name, testPassword)
	}
	minute := "2006-01-02 15:04"

	// A quiz's deadline, for a learner in Beijing and one in Urumqi.
	for who, loc := range map[string]*time.Location{"trainee": beijing, "xinjiang": urumqi} {
		page, deadline := e.attemptDeadline(who)
		if want := deadline.In(loc).Format(minute); !strings.Contains(page, want) || strings.Contains(page, deadline.UTC().Format(minute)) {
			t.Errorf("%s's attempt page does not give the deadline as %s (%s):\n%s", who, want, loc, page)
		}
	}

	// A ticket's times are its site's, and its office hours are counted
	// there (stored with the ticket).
	for _, c := range []struct {
		ws, agent, resident string
		loc                 *time.Location
	}{{"s1", "agent", "r1", beijing}, {"xj", "xjagent", "x1", urumqi}} {
		var tk academy.Ticket
		res := e.api("POST", "/api/v1/workspaces/"+c.ws+"/tickets", c.agent, map[string]any{"type": "repair", "title": "水管漏水", "resident": c.resident, "priority": "normal"})
		if res.StatusCode != 201 {
			t.Fatalf("ticket on %s: %d %s", c.ws, res.StatusCode, res.Body)
		}
		res.json(t, &tk)
		if tk.TZ != c.loc.String() {
			t.Errorf("ticket on %s counts office hours in %q, want %s", c.ws, tk.TZ, c.loc)
		}
		page := e.api("GET", "/desk/"+c.ws+"/tickets/"+tk.ID, c.agent, nil).Body
		if want := tk.CreatedAt.In(c.loc).Format(minute); !strings.Contains(page, want) || strings.Contains(page, tk.CreatedAt.UTC().Format(minute)) {
			t.Errorf("ticket page on %s does not give its time as %s:\n%s", c.ws, want, page)
		}
		stored, err := e.deps.Desk.Live.FindTicket(ctx, c.ws, tk.ID)
		if err != nil || stored.TZ != c.loc.String() {
			t.Fatalf("stored ticket zone %q %v", stored.TZ, err)
		}
	}

	// A practice desk keeps the company's calendar: its starting tickets
	// (a fixture), the ones opened there and the ones back after a reset.
	var sb academy.Sandbox
	e.api("POST", "/api/v1/sandboxes", "xinjiang", nil).json(t, &sb)
	e.api("POST", "/api/v1/workspaces/"+sb.ID+"/tickets", "xinjiang", map[string]any{"type": "repair", "title": "电梯异响", "priority": "urgent"})
	stored, err := e.deps.Desk.Sandboxes.FindSandbox(ctx, sb.ID)
	if err != nil || len(stored.Tickets) < 2 {
		t.Fatalf("sandbox %v: %d tickets", err, len(stored.Tickets))
	}
	for _, tk := range stored.Tickets {
		if tk.TZ != beijing.String() {
			t.Errorf("sandbox ticket %s counts office hours in %q", tk.Number, tk.TZ)
		}
	}
	if err := e.deps.Desk.ResetSandbox(ctx, stored); err != nil || stored.Tickets[0].TZ != beijing.String() {
		t.Errorf("after a reset: %v, zone %q", err, stored.Tickets[0].TZ)
	}

	// An assignment keeps its due day; each person's standing ends that
	// day at midnight in their own calendar (TestAssignmentDueInTheirZone).
	var a academy.Assignment
	e.api("POST", "/api/v1/assignments", "admin", map[string]any{"kind": "course", "ref": "ethics", "target": map[string]any{"role": "trainee", "site": "xj"}, "due": map[string]any{"date": "2026-12-31"}}).json(t, &a)
	if a.Due.Date != "2026-12-31" {
		t.Errorf("assignment on the Urumqi site due %q, want 2026-12-31", a.Due.Date)
	}
}

// TestCertificateDayNearMidnight issues a certificate at 00:30 Beijing time
// (16:30 UTC the day before): the page, the PDF and the export give the
// Beijing day, the credential keeps UTC.
func TestCertificateDayNearMidnight(t *testing.T) {
	e := newEnv(t)
	now := e.clock.Now().UTC()
	at := time.Date(now.Year(), now.Month(), now.Day(), 16, 30, 0, 0, time.UTC)
	if !at.After(now) {
		at = at.AddDate(0, 0, 1)
	}
	e.clock.Advance(at.Sub(now))
	e.createUser("zhang", []string{academy.RoleTrainee}, []string{"s1"})
	e.tokens["zhang"] = e.login("zhang", testPassword)
	e.api("POST", e.earnAllBut("zhang"), "zhang", nil)
	certs := e.awards("zhang")
	if len(certs) != 1 {
		t.Fatalf("%d certificates", len(certs))
	}
	cert := certs[0]
	local, utc := cert.IssuedAt.In(beijing), cert.IssuedAt.UTC()
	if local.Day() == utc.Day() {
		t.Fatalf("issued at %s: not near midnight UTC, the test proves nothing", utc)
	}
	day := local.Format("2006-01-02")
	for _, path := range []string{"/certificates", "/verify/" + cert.Number} {
		page := e.api("GET", path, "zhang", nil).Body
		if !strings.Contains(page, day) || strings.Contains(page, utc.Format("2006-01-02")) {
			t.Errorf("%s does not give the Beijing day %s:\n%s", path, day, page)
		}
	}

	// The credential's timestamps stay UTC, RFC 3339.
	cred := e.api("GET", "/certificates/"+cert.Number+"/credential", "zhang", nil).Body
	if !strings.Contains(cred, utc.Format(time.RFC3339)) {
		t.Errorf("credential lacks the UTC issue time %s:\n%s", utc.Format(time.RFC3339), cred)
	}

	res := e.api("GET", "/certificates/"+cert.Number+"/pdf", "zhang", nil)
	if !strings.HasPrefix(res.Body, "%PDF-") {
		t.Fatalf("pdf: %d", res.StatusCode)
	}
	if text := pdfText(t, []byte(res.Body)); text != "" {
		if want := fmt.Sprintf("发证日期%d年%d月%d日", local.Year(), local.Month(), local.Day()); !strings.Contains(text, want) {
			t.Errorf("PDF lacks %q:\n%s", want, text)
		}
	}

	// The export's counted-at line and dates are Beijing's too.
	counted := e.clock.Now().In(beijing)
	body := strings.TrimPrefix(e.api("GET", "/team/export/csv", "manager", nil).Body, "\ufeff")
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(rows) < 3 {
		t.Fatalf("csv %v:\n%s", err, body)
	}
	stamp := regexp.MustCompile(`^(\d{4}-\d\d-\d\d \d\d:\d\d) \(UTC\+08:00\)$`).FindStringSubmatch(rows[0][1])
	if stamp == nil {
		t.Fatalf("counted-at %q is not Beijing time", rows[0][1])
	}
	if got, err := time.ParseInLocation("2006-01-02 15:04", stamp[1], beijing); err != nil || got.Sub(counted).Abs() > 5*time.Minute {
		t.Errorf("counted at %s, now is %s in Beijing", stamp[1], counted.Format("2006-01-02 15:04"))
	}
	var zhang []string
	for _, r := range rows[2:] {
		if r[0] == "zhang" {
			zhang = r
		}
	}
	if zhang == nil || !strings.Contains(strings.Join(zhang, ","), "✓ "+day) {
		t.Errorf("csv row of zhang lacks the Beijing day %s of the last requirement: %v", day, zhang)
	}
	if exp := cert.ExpiresAt.In(beijing).Format("2006-01-02"); zhang[6] != exp {
		t.Errorf("csv expiry %q, want %s", zhang[6], exp)
	}
	x := e.api("GET", "/team/export/xlsx", "manager", nil)
	f, err := excelize.OpenReader(bytes.NewReader([]byte(x.Body)))
	if err != nil {
		t.Fatal(err)
	}
	xrows, err := f.GetRows("认证")
	if err != nil || len(xrows) == 0 || len(xrows[0]) < 2 || xrows[0][1] != rows[0][1] {
		t.Fatalf("xlsx counted-at %v, csv %q", xrows, rows[0][1])
	}
}

// pdfText extracts the text with poppler's pdftotext without spaces, or
// returns "" when it is not installed (Debian package poppler-utils).
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Log("pdftotext not installed (apt-get install poppler-utils); PDF text not checked")
		return ""
	}
	in := filepath.Join(t.TempDir(), "c.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", in, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), "")
}

// TestBrowserSiteZone: on a phone, an admin creates a site in Urumqi from
// the keyboard, picking the zone the field suggests, and sees it listed
// with its zone; the page does not scroll sideways.
func TestBrowserSiteZone(t *testing.T) {
	e := newEnv(t)
	base := e.listen()
	ctx := chrome(t)
	step(t, ctx, "log in", chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+"/login"), chromedp.WaitVisible("#login-form"),
		chromedp.SendKeys("#username", "admin"), chromedp.SendKeys("#password", testPassword),
		chromedp.Click("#login-submit"), chromedp.WaitVisible("#panel-admin"))
	step(t, ctx, "open the sites", chromedp.Navigate(base+"/admin/sites"), chromedp.WaitVisible("#site-tz"))
	if hint := text(t, ctx, "#site-tz-hint"); !strings.Contains(hint, "Asia/Shanghai") {
		t.Errorf("the zone hint does not name the company's zone: %q", hint)
	}
	step(t, ctx, "create the site", chromedp.SendKeys("#site-id", "xj"), chromedp.SendKeys("#site-name", "乌鲁木齐项目"),
		chromedp.SendKeys("#site-tz", "Asia/Urumqi\r"), chromedp.WaitVisible(`a[href="/admin/sites/xj"]`))
	if wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > document.documentElement.clientWidth`)); err != nil || wide {
		t.Errorf("the sites page scrolls sideways (%v)", err)
	}
	screenshot(t, ctx, "sites-zone-phone")
	if row := text(t, ctx, "table.list tbody"); !strings.Contains(row, "乌鲁木齐项目") || !strings.Contains(row, "Asia/Urumqi") || !strings.Contains(row, "公司时区") {
		t.Errorf("sites list: %q", row)
	}
	site, err := e.accounts.Sites.FindSite(context.Background(), "xj")
	if err != nil || site.TZ != "Asia/Urumqi" {
		t.Fatalf("stored site %+v %v", site, err)
	}
}

// A site can be renamed and moved to another zone, by an admin, with the
// change audited; bad input changes nothing.
func TestSiteRenamedAndMoved(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	site := func() academy.Site {
		t.Helper()
		var out struct{ Items []academy.Site }
		e.api("GET", "/api/v1/sites", "admin", nil).json(t, &out)
		for _, s := range out.Items {
			if s.ID == "s1" {
				return s
			}
		}
		t.Fatal("site s1 is gone")
		return academy.Site{}
	}
	before := site()

	for _, bad := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"name": "  "}, "name"},
		{map[string]any{"tz": "Nowhere/City"}, "tz"},
		{map[string]any{"tz": "Local"}, "tz"},
		{map[string]any{"name": strings.Repeat("长", 65)}, "name"},
	} {
		res := e.api("PATCH", "/api/v1/sites/s1", "admin", bad.body)
		if res.StatusCode != 400 || !strings.Contains(res.Body, bad.field+": ") {
			t.Errorf("PATCH %v: %d %s", bad.body, res.StatusCode, res.Body)
		}
	}
	if got := site(); got != before {
		t.Fatalf("refused changes changed the site: %+v, was %+v", got, before)
	}
	if res := e.api("PATCH", "/api/v1/sites/nosuch", "admin", map[string]any{"name": "无"}); res.StatusCode != 404 {
		t.Errorf("PATCH of a missing site: %d %s", res.StatusCode, res.Body)
	}

	// Moved: the site's people read its times in the new zone at once.
	res := e.api("PATCH", "/api/v1/sites/s1", "admin", map[string]any{"tz": "Asia/Urumqi"})
	if res.StatusCode != 200 {
		t.Fatalf("move: %d %s", res.StatusCode, res.Body)
	}
	if got := site(); got.TZ != "Asia/Urumqi" || got.Name != before.Name {
		t.Fatalf("after the move: %+v", got)
	}
	if loc := e.accounts.SiteZone(ctx, "s1"); loc.String() != "Asia/Urumqi" {
		t.Fatalf("the site's zone after the move: %s", loc)
	}
	// Renamed, and back on the company's zone; the name alone is kept.
	if res := e.api("PATCH", "/api/v1/sites/s1", "admin", map[string]any{"name": " 新城花园 ", "tz": ""}); res.StatusCode != 200 {
		t.Fatalf("rename: %d %s", res.StatusCode, res.Body)
	}
	if got := site(); got.TZ != "" || got.Name != "新城花园" {
		t.Fatalf("after the rename: %+v", got)
	}
	if loc := e.accounts.SiteZone(ctx, "s1"); loc.String() != "Asia/Shanghai" {
		t.Fatalf("the site's zone back on the company's: %s", loc)
	}
	var audit struct{ Items []academy.AuditEvent }
	e.api("GET", "/api/v1/audit?action="+academy.AuditSiteUpdated, "admin", nil).json(t, &audit)
	if len(audit.Items) != 2 || audit.Items[1].Detail != "tz: - → Asia/Urumqi" ||
		audit.Items[0].Detail != "name: "+before.Name+" → 新城花园; tz: Asia/Urumqi → -" || audit.Items[0].Actor != "admin" {
		t.Fatalf("audit of the changes: %+v", audit.Items)
	}

	// The site's page: the form keeps what was typed and says what is wrong.
	page := e.form("/admin/sites/s1/settings", "admin", map[string][]string{"name": {"新城花园"}, "tz": {"Mars/Olympus"}})
	if page.StatusCode != 400 || !strings.Contains(page.Body, `value="Mars/Olympus"`) || !strings.Contains(page.Body, `role="alert"`) {
		t.Fatalf("bad zone on the site's page: %d", page.StatusCode)
	}
	if res := e.form("/admin/sites/s1/settings", "admin", map[string][]string{"name": {"新城花园二期"}, "tz": {"Asia/Urumqi"}}); res.StatusCode != 303 {
		t.Fatalf("save on the site's page: %d %s", res.StatusCode, res.Body)
	}
	body := html.UnescapeString(e.api("GET", "/admin/sites/s1", "admin", nil).Body)
	if !strings.Contains(body, "<h1>新城花园二期</h1>") || !strings.Contains(body, "乌鲁木齐时间（UTC+6）") {
		t.Fatalf("the site's page after the save:\n%s", body)
	}
}
