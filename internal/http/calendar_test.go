package http_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
)

// at sets the test clock to a Beijing wall time (the clock runs on from
// there, a few milliseconds per request).
func (e *env) at(y int, m time.Month, d, h, mi int) {
	e.clock.Advance(time.Date(y, m, d, h, mi, 0, 0, beijing).Sub(e.clock.Now()))
}

// openInquiry opens a normal-priority inquiry (respond in 2, resolve in 8
// office hours) at site ws and returns it with its clocks.
func (e *env) openInquiry(ws string) apiTicket {
	e.t.Helper()
	var tk apiTicket
	in := map[string]any{"type": "inquiry", "title": "物业费发票", "priority": "normal"}
	if ws == "s1" {
		in["resident"] = "r1" // the only site with a directory
	}
	res := e.api("POST", "/api/v1/workspaces/"+ws+"/tickets", "admin", in)
	if res.StatusCode != 201 {
		e.t.Fatalf("create: %d %s", res.StatusCode, res.Body)
	}
	res.json(e.t, &tk)
	return tk
}

// near reports whether got is want give or take the test clock's drift.
func near(got, want time.Time) bool { d := got.Sub(want); return d >= 0 && d < time.Minute }

// The shipped company calendar moves office-hours deadlines past 国庆 and
// 春节, counts 调休 Saturdays, and the queue's stored deadline and marks
// follow it.
func TestCalendarDeadlines(t *testing.T) {
	e := newEnv(t)
	e.deps.Desk.Now = e.clock.Now
	bj := func(m time.Month, d, h, mi int) time.Time { return time.Date(2026, m, d, h, mi, 0, 0, beijing) }
	for _, tc := range []struct {
		what                 string
		opened               time.Time
		respond, resolve     time.Time
		resolve50, resolve80 time.Time
	}{
		// The afternoon before 国庆: 1 h that day, the rest on 10-08.
		{"before 国庆", bj(9, 30, 17, 0), bj(10, 8, 10, 0), bj(10, 8, 16, 0), bj(10, 8, 12, 0), bj(10, 8, 14, 24)},
		// A 调休 Saturday is a working day with Monday's hours.
		{"调休 Saturday", bj(10, 10, 9, 30), bj(10, 10, 11, 30), bj(10, 10, 17, 30), bj(10, 10, 13, 30), bj(10, 10, 15, 54)},
		// The Saturday before 春节 is worked; the nine days after are not.
		{"春节", bj(2, 14, 17, 0), bj(2, 24, 10, 0), bj(2, 24, 16, 0), bj(2, 24, 12, 0), bj(2, 24, 14, 24)},
	} {
		e.at(tc.opened.Year(), tc.opened.Month(), tc.opened.Day(), tc.opened.Hour(), tc.opened.Minute())
		tk := e.openInquiry("s1")
		r, s := tk.SLA.Response.Marks, tk.SLA.Resolution.Marks
		if !near(r[2], tc.respond) || !near(s[2], tc.resolve) || !near(s[0], tc.resolve50) || !near(s[1], tc.resolve80) {
			t.Errorf("%s: respond by %v, resolve marks %v, want %v and %v %v %v", tc.what, r[2], s, tc.respond, tc.resolve50, tc.resolve80, tc.resolve)
		}
		var q struct {
			Items []struct {
				ID  string
				Due time.Time
			}
		}
		e.api("GET", "/api/v1/workspaces/s1/tickets?queue=open", "admin", nil).json(t, &q)
		for _, it := range q.Items {
			if it.ID == tk.ID && !near(it.Due, tc.respond) {
				t.Errorf("%s: queue due %v, want %v", tc.what, it.Due, tc.respond)
			}
		}
	}
}

const siteCalendar = `name: 项目s1 全年无休
week:
  monday: ["08:00-20:00"]
  tuesday: ["08:00-20:00"]
  wednesday: ["08:00-20:00"]
  thursday: ["08:00-20:00"]
  friday: ["08:00-20:00"]
  saturday: ["08:00-20:00"]
  sunday: ["08:00-20:00"]
`

// A site with a calendar of its own counts in it while the others keep
// the company's; saving recounts its open tickets, the change is audited,
// and removing it brings the company's back.
func TestSiteCalendarDiffersFromTheCompanys(t *testing.T) {
	e := newEnv(t)
	e.deps.Desk.Now = e.clock.Now
	e.at(2026, 10, 1, 10, 0)
	before := e.openInquiry("s1")
	if !near(before.SLA.Response.Marks[2], time.Date(2026, 10, 8, 11, 0, 0, 0, beijing)) {
		t.Fatalf("company calendar: %v", before.SLA.Response.Marks[2])
	}
	res := e.api("PUT", "/api/v1/sites/s1/calendar", "admin", map[string]any{"yaml": siteCalendar, "version": 0})
	if res.StatusCode != 200 {
		t.Fatalf("save: %d %s", res.StatusCode, res.Body)
	}
	// The ticket opened before the edit is recounted in the queue.
	var q struct {
		Items []struct {
			ID  string
			Due time.Time
		}
	}
	e.api("GET", "/api/v1/workspaces/s1/tickets?queue=open", "admin", nil).json(t, &q)
	for _, it := range q.Items {
		if it.ID == before.ID && !near(it.Due, time.Date(2026, 10, 1, 12, 0, 0, 0, beijing)) {
			t.Errorf("recounted due %v", it.Due)
		}
	}
	own, other := e.openInquiry("s1"), e.openInquiry("s2")
	if !near(own.SLA.Response.Marks[2], time.Date(2026, 10, 1, 12, 0, 0, 0, beijing)) || !near(other.SLA.Response.Marks[2], time.Date(2026, 10, 8, 11, 0, 0, 0, beijing)) {
		t.Errorf("s1 due %v (own calendar), s2 due %v (company's)", own.SLA.Response.Marks[2], other.SLA.Response.Marks[2])
	}
	events, _, err := e.accounts.Audit.ListAudit(context.Background(), academy.AuditFilter{Action: academy.AuditCalendarSaved})
	if err != nil || len(events) != 1 || events[0].Target != "site/s1" || events[0].Actor != "admin" {
		t.Fatalf("audit: %v %+v", err, events)
	}
	// A stale version is refused; the current one removes it.
	if res := e.api("DELETE", "/api/v1/sites/s1/calendar?version=7", "admin", nil); res.StatusCode != 409 {
		t.Fatalf("stale delete: %d %s", res.StatusCode, res.Body)
	}
	if res := e.api("DELETE", "/api/v1/sites/s1/calendar?version=1", "admin", nil); res.StatusCode != 204 {
		t.Fatalf("delete: %d %s", res.StatusCode, res.Body)
	}
	if again := e.openInquiry("s1"); !near(again.SLA.Response.Marks[2], time.Date(2026, 10, 8, 11, 0, 0, 0, beijing)) {
		t.Errorf("after removal: %v", again.SLA.Response.Marks[2])
	}
}

// The admin page shows the years, warns that the next year is missing,
// saves an edit through the form (an upload in place of the text) and
// keeps a refused text on the form with the problem in the reader's
// language.
func TestCalendarAdminPage(t *testing.T) {
	e := newEnv(t)
	e.deps.Desk.Now = e.clock.Now
	e.at(2026, 11, 20, 10, 0)
	b := e.browser()
	b.loginAs("admin")
	page := b.get("/admin/calendar")
	if page.StatusCode != 200 || !strings.Contains(page.Body, "2027 年的节假日安排尚未录入") || !strings.Contains(page.Body, "国办发明电〔2025〕7号") || !strings.Contains(page.Body, "项目s1") {
		t.Fatalf("page: %d\n%s", page.StatusCode, page.Body)
	}
	next := strings.Replace(string(defaultYAML(t, e)), "years:\n", "years:\n  - year: 2027\n    holidays: [{name: 元旦, from: 2027-01-01}]\n", 1)
	res := b.upload("/admin/calendar", b.csrf("/admin/calendar"), "0", next)
	if res.StatusCode != 303 {
		t.Fatalf("upload: %d %s", res.StatusCode, res.Body)
	}
	if page := b.get("/admin/calendar"); strings.Contains(page.Body, "calendar-missing") || !strings.Contains(page.Body, "2027 年：1 段假期") {
		t.Fatalf("after upload:\n%s", page.Body)
	}
	bad := "week:\n  monday: [\"09:00-12:00\", \"11:00-18:00\"]\n"
	res = b.post("/admin/calendar", url.Values{"_csrf": {b.csrf("/admin/calendar")}, "version": {"1"}, "yaml": {bad}})
	if res.StatusCode != 400 || !strings.Contains(res.Body, "week.monday: 时间段 09:00-12:00 与 11:00-18:00 重叠") || strings.Contains(res.Body, "overlap") {
		t.Fatalf("bad form: %d\n%s", res.StatusCode, res.Body)
	}
	// A site's page starts from the company's text.
	if page := b.get("/admin/sites/s2/calendar"); page.StatusCode != 200 || !strings.Contains(page.Body, "本项目目前使用公司日历") || !strings.Contains(page.Body, "year: 2027") {
		t.Fatalf("site page: %d\n%s", page.StatusCode, page.Body)
	}
}

func defaultYAML(t *testing.T, e *env) string {
	var v struct{ YAML string }
	e.api("GET", "/api/v1/calendar", "admin", nil).json(t, &v)
	if !strings.Contains(v.YAML, "year: 2026") {
		t.Fatalf("default: %q", v.YAML)
	}
	return v.YAML
}

// upload posts the calendar form with a file in place of the text.
func (b *browser) upload(path, csrf, version, file string) *response {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("_csrf", csrf)
	_ = w.WriteField("version", version)
	_ = w.WriteField("yaml", "ignored: true")
	fw, _ := w.CreateFormFile("file", "calendar.yaml")
	_, _ = fw.Write([]byte(file))
	_ = w.Close()
	req := httptest.NewRequest("POST", path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.send(req)
}

// Bad calendars are refused with the field named, never half-saved.
func TestCalendarAPIRefusesBadInput(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		body   any
		status int
		want   string
	}{
		{map[string]any{"yaml": "week:\n  monday: [\"09:00-18:00\"]\nyears:\n  - year: 2026\n    holidays: [{from: 2026-10-10}]\n    workdays: [{date: 2026-10-10, as: monday}]\n"}, 400, "both a holiday"},
		{map[string]any{"yaml": "week:\n  monday: [\"09:00-18:00\"]\nyears:\n  - year: 2026\n    holidays: [{from: 2027-01-01}]\n"}, 400, "is not in 2026"},
		{map[string]any{"yaml": "week:\n  monday: [\"07:00-25:00\"]\n"}, 400, "within 00:00–24:00"},
		{map[string]any{"yaml": "week: {}\n"}, 400, "at least one day"},
		{map[string]any{"yaml": "week: [\n"}, 400, "line"},
		{map[string]any{"yaml": strings.Repeat("#", 70<<10)}, 400, "64 KB"},
		{map[string]any{"yaml": siteCalendar, "version": -1}, 400, "version"},
		{map[string]any{"yaml": siteCalendar, "version": 3}, 409, "changed meanwhile"},
		{"not json", 400, ""},
	} {
		res := e.api("PUT", "/api/v1/calendar", "admin", tc.body)
		if res.StatusCode != tc.status || !strings.Contains(res.Body, tc.want) {
			t.Errorf("%v: %d %s", tc.body, res.StatusCode, res.Body)
		}
	}
	if res := e.api("PUT", "/api/v1/sites/nowhere/calendar", "admin", map[string]any{"yaml": siteCalendar}); res.StatusCode != 404 {
		t.Errorf("unknown site: %d %s", res.StatusCode, res.Body)
	}
	if res := e.api("DELETE", "/api/v1/sites/s1/calendar?version=x", "admin", nil); res.StatusCode != 400 {
		t.Errorf("bad version: %d %s", res.StatusCode, res.Body)
	}
	if res := e.api("GET", "/api/v1/calendar", "admin", nil); res.StatusCode != 200 || !strings.Contains(res.Body, `"last_year":2026`) || !strings.Contains(res.Body, `"version":0`) {
		t.Errorf("nothing saved: %d %s", res.StatusCode, res.Body)
	}
}
