package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	nethttp "net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/badge"
	"github.com/academy/academy/internal/mongo"
	"github.com/academy/academy/internal/xapi"
)

// earnAllBut records, through the real services, everything the desk
// program asks of username except the last lesson of the last course, and
// returns the path that completes that lesson.
func (e *env) earnAllBut(username string) (lastLesson string) {
	e.t.Helper()
	ctx := context.Background()
	snap := e.deps.Catalog.Snapshot()
	prog := snap.Programs["desk"]
	now := e.clock.Now()
	for i, slug := range prog.Requirements.Courses {
		c := snap.Course(slug)
		for j, l := range c.Lessons {
			if i == len(prog.Requirements.Courses)-1 && j == len(c.Lessons)-1 {
				lastLesson = "/api/v1/courses/" + slug + "/lessons/" + l.Slug + "/complete"
				continue
			}
			if _, err := e.deps.Learning.Progress.CompleteLesson(ctx, username, slug, l.Slug, now); err != nil {
				e.t.Fatal(err)
			}
		}
		if i < len(prog.Requirements.Courses)-1 {
			if err := e.deps.Learning.Progress.SetCourseCompleted(ctx, username, slug, now); err != nil {
				e.t.Fatal(err)
			}
		}
	}
	e.passQuizzes(username, prog.Requirements.Quizzes, now)
	e.passScenarios(username, prog.Requirements.Scenarios[:prog.Requirements.MinScenarios], now)
	return lastLesson
}

func (e *env) passQuizzes(username string, qs []academy.QuizRequirement, at time.Time) {
	e.t.Helper()
	for _, q := range qs {
		rec, err := e.deps.Examiner.Attempts.FindRecord(context.Background(), username)
		if err != nil {
			e.t.Fatal(err)
		}
		n := rec.History(q.Quiz).Count + 1
		sum := academy.AttemptSummary{ID: fmt.Sprintf("%s-%s-%d", username, q.Quiz, n), Number: n, State: academy.AttemptSubmitted,
			StartedAt: at.Add(-time.Minute), SubmittedAt: at, Percent: q.MinPercent + 5, Passed: true}
		if err := e.deps.Examiner.Attempts.SetSummary(context.Background(), username, q.Quiz, sum); err != nil {
			e.t.Fatal(err)
		}
	}
}

func (e *env) passScenarios(username string, slugs []string, at time.Time) {
	e.t.Helper()
	for _, s := range slugs {
		r := &academy.Run{ID: academy.NewToken()[:24], Username: username, Scenario: s, State: academy.RunFinished,
			StartedAt: at.Add(-10 * time.Minute), FinishedAt: at, Percent: 90, Passed: true, Version: 1}
		if err := e.deps.Coach.Runs.InsertRun(context.Background(), r); err != nil {
			e.t.Fatal(err)
		}
	}
}

// form posts a form with who's API token.
func (e *env) form(path, who string, v url.Values) *response {
	req := httptest.NewRequest("POST", path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+e.tokens[who])
	return e.do(req)
}

func (e *env) awards(username string) []*academy.Certificate {
	e.t.Helper()
	as, err := e.deps.Certifier.Awards(context.Background(), username, "desk")
	if err != nil {
		e.t.Fatal(err)
	}
	return as
}

func TestCertificationLifecycle(t *testing.T) {
	e := newEnv(t)
	e.createUser("newbie", []string{academy.RoleTrainee}, []string{"s1"})
	e.tokens["newbie"] = e.login("newbie", testPassword)
	last := e.earnAllBut("newbie")

	// Nothing is issued while one lesson is missing, and the live desk is
	// closed to a trainee.
	if res := e.api("GET", "/certificates", "newbie", nil); res.StatusCode != 200 || !strings.Contains(res.Body, "未认证") {
		t.Fatalf("certificates page before: %d", res.StatusCode)
	}
	if len(e.awards("newbie")) != 0 {
		t.Fatal("issued before the last requirement")
	}
	if res := e.api("GET", "/desk/s1", "newbie", nil); res.StatusCode != 403 {
		t.Fatalf("live desk before certification: %d", res.StatusCode)
	}

	// The last lesson issues the certificate at once.
	if res := e.api("POST", last, "newbie", nil); res.StatusCode != 200 {
		t.Fatalf("last lesson: %d %s", res.StatusCode, res.Body)
	}
	as := e.awards("newbie")
	if len(as) != 1 {
		t.Fatalf("awards after the last lesson: %d", len(as))
	}
	cert := as[0]
	if !academy.ValidCertificateNumber(cert.Number) || cert.ExpiresAt.Sub(cert.IssuedAt) < 365*24*time.Hour-48*time.Hour {
		t.Fatalf("certificate %+v", cert)
	}
	if res := e.api("GET", "/desk/s1", "newbie", nil); res.StatusCode != 200 {
		t.Fatalf("live desk after certification: %d %s", res.StatusCode, res.Body)
	}
	if res := e.api("GET", "/desk/s2", "newbie", nil); res.StatusCode != 403 {
		t.Fatalf("the grant reaches a site the holder is not on: %d", res.StatusCode)
	}

	// Public verification, with nothing more than the facts.
	v := e.api("GET", "/verify/"+cert.Number, "", nil)
	if v.StatusCode != 200 || !strings.Contains(v.Body, `data-status="valid"`) || !strings.Contains(v.Body, "newbie") || !strings.Contains(v.Body, "客服上岗认证") {
		t.Fatalf("verify: %d %s", v.StatusCode, v.Body)
	}
	if strings.Contains(v.Body, "s1") && strings.Contains(v.Body, "项目s1") {
		t.Fatal("the verification page shows the holder's site")
	}
	for _, bad := range []string{"AC-ZZZZ-ZZZZ-ZZZZ-ZZZZ", "not-a-number", "AC-" + strings.Repeat("A", 200)} {
		if res := e.api("GET", "/verify/"+url.PathEscape(bad), "", nil); res.StatusCode != 404 {
			t.Errorf("verify %q: %d", bad, res.StatusCode)
		}
	}

	// PDF for the holder, their manager and admin; nobody else.
	for who, want := range map[string]int{"newbie": 200, "manager": 200, "admin": 200, "othermanager": 404, "trainee": 404} {
		res := e.api("GET", "/certificates/"+cert.Number+"/pdf", who, nil)
		if res.StatusCode != want {
			t.Errorf("pdf as %s: %d, want %d", who, res.StatusCode, want)
		}
		if want == 200 && (!strings.HasPrefix(res.Body, "%PDF-") || res.Header.Get("Content-Type") != "application/pdf") {
			t.Errorf("pdf as %s is not a PDF", who)
		}
	}

	// Expiry: expiring inside the window, expired after, and the agent
	// role goes with it, with a message that says why.
	e.clock.Advance(cert.ExpiresAt.Sub(e.clock.Now()) - 10*24*time.Hour)
	if st := cert.StatusAt(e.clock.Now(), academy.DefaultExpiringWindow); st != academy.CertExpiring {
		t.Fatalf("10 days before expiry: %s", st)
	}
	if res := e.api("GET", "/home", "newbie", nil); !strings.Contains(res.Body, `data-status="expiring"`) {
		t.Error("home does not warn of the coming expiry")
	}
	e.clock.Advance(11 * 24 * time.Hour)
	if v := e.api("GET", "/verify/"+cert.Number, "", nil); !strings.Contains(v.Body, `data-status="expired"`) {
		t.Fatal("verify after expiry does not say expired")
	}
	res := e.form("/desk/s1/tickets", "newbie", url.Values{"kind": {"repair"}, "title": {"漏水"}})
	if res.StatusCode != 403 || !strings.Contains(res.Body, "过期") {
		t.Fatalf("live tickets after expiry: %d %s", res.StatusCode, res.Body)
	}

	// Recertification: the refresher, done after the window opened,
	// issues award 2 and gives the role back.
	prog := e.deps.Catalog.Snapshot().Programs["desk"]
	e.passQuizzes("newbie", prog.Recert.Quizzes, e.clock.Now())
	e.passScenarios("newbie", prog.Recert.Scenarios[:prog.Recert.MinScenarios], e.clock.Now())
	if res := e.api("GET", "/certificates", "newbie", nil); res.StatusCode != 200 {
		t.Fatalf("certificates: %d", res.StatusCode)
	}
	as = e.awards("newbie")
	if len(as) != 2 || as[1].Seq != 2 {
		t.Fatalf("after recertification: %d awards", len(as))
	}
	if res := e.api("GET", "/desk/s1", "newbie", nil); res.StatusCode != 200 {
		t.Fatalf("live desk after recertification: %d", res.StatusCode)
	}

	// Revocation: a reason is required, other sites' managers cannot, and
	// the holder loses the desk at once.
	renewed := as[1]
	if res := e.form("/certificates/"+renewed.Number+"/revoke", "manager", url.Values{"reason": {"  "}}); res.StatusCode != 400 {
		t.Fatalf("revoke without reason: %d", res.StatusCode)
	}
	if res := e.form("/certificates/"+renewed.Number+"/revoke", "othermanager", url.Values{"reason": {"x"}}); res.StatusCode != 404 {
		t.Fatalf("revoke by another site's manager: %d", res.StatusCode)
	}
	if res := e.form("/certificates/"+renewed.Number+"/revoke", "manager", url.Values{"reason": {"违规收取业主现金"}}); res.StatusCode != 303 {
		t.Fatalf("revoke: %d %s", res.StatusCode, res.Body)
	}
	if res := e.form("/certificates/"+renewed.Number+"/revoke", "manager", url.Values{"reason": {"again"}}); res.StatusCode != 409 {
		t.Fatalf("revoke twice: %d", res.StatusCode)
	}
	if v := e.api("GET", "/verify/"+renewed.Number, "", nil); !strings.Contains(v.Body, `data-status="revoked"`) {
		t.Fatal("verify after revocation does not say revoked")
	}
	var status struct {
		Status  string
		Revoked bool
	}
	e.api("GET", "/verify/"+renewed.Number+"/status", "", nil).json(t, &status)
	if !status.Revoked || status.Status != academy.CertRevoked {
		t.Fatalf("credential status %+v", status)
	}
	res = e.form("/desk/s1/tickets", "newbie", url.Values{"kind": {"repair"}, "title": {"漏水"}})
	if res.StatusCode != 403 || !strings.Contains(res.Body, "撤销") {
		t.Fatalf("live tickets after revocation: %d %s", res.StatusCode, res.Body)
	}
	audit, _, err := e.accounts.Audit.ListAudit(context.Background(), academy.AuditFilter{Action: academy.AuditCertRevoked, Limit: 10})
	if err != nil || len(audit) != 1 || audit[0].Actor != "manager" || audit[0].Detail != "违规收取业主现金" {
		t.Fatalf("revocation audit: %v %+v", err, audit)
	}
}

func TestIssuanceIsOnceUnderConcurrency(t *testing.T) {
	e := newEnv(t)
	u := e.createUser("racer", []string{academy.RoleTrainee}, []string{"s1"})
	e.earnAllBut("racer")
	snap := e.deps.Catalog.Snapshot()
	course := snap.Course(snap.Programs["desk"].Requirements.Courses[6])
	l := course.Lessons[len(course.Lessons)-1]
	if _, err := e.deps.Learning.Progress.CompleteLesson(context.Background(), "racer", course.Slug, l.Slug, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := e.deps.Learning.Progress.SetCourseCompleted(context.Background(), "racer", course.Slug, time.Now()); err != nil {
		t.Fatal(err)
	}
	u, _ = e.accounts.Users.FindUser(context.Background(), u.Username)
	var wg sync.WaitGroup
	var issued atomic.Int32
	for range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := e.deps.Certifier.Check(context.Background(), u)
			if err != nil {
				t.Error(err)
			}
			issued.Add(int32(len(got)))
		}()
	}
	wg.Wait()
	if n := issued.Load(); n != 1 {
		t.Fatalf("%d certificates issued by 12 concurrent checks, want 1", n)
	}
	if as := e.awards("racer"); len(as) != 1 {
		t.Fatalf("%d awards stored", len(as))
	}
}

func TestCredentialSignature(t *testing.T) {
	e := newEnv(t)
	e.createUser("holder", []string{academy.RoleTrainee}, []string{"s1"})
	e.tokens["holder"] = e.login("holder", testPassword)
	last := e.earnAllBut("holder")
	e.api("POST", last, "holder", nil)
	cert := e.awards("holder")[0]

	res := e.api("GET", "/certificates/"+cert.Number+"/credential", "holder", nil)
	if res.StatusCode != 200 {
		t.Fatalf("credential: %d %s", res.StatusCode, res.Body)
	}
	var vc map[string]any
	res.json(t, &vc)
	if types, _ := vc["type"].([]any); len(types) < 2 || types[1] != "OpenBadgeCredential" {
		t.Fatalf("type %v", vc["type"])
	}
	if vc["validUntil"] == nil || vc["credentialStatus"] == nil {
		t.Fatal("credential lacks validUntil or credentialStatus")
	}

	// A third party takes the key from the published issuer profile.
	var profile struct {
		VerificationMethod []struct {
			PublicKeyMultibase string `json:"publicKeyMultibase"`
		} `json:"verificationMethod"`
	}
	e.api("GET", "/issuer", "", nil).json(t, &profile)
	if len(profile.VerificationMethod) == 0 {
		t.Fatal("issuer profile publishes no key")
	}
	pub, err := badge.ParsePublicKeyMultibase(profile.VerificationMethod[0].PublicKeyMultibase)
	if err != nil {
		t.Fatal(err)
	}
	if err := badge.Verify([]byte(res.Body), pub); err != nil {
		t.Fatalf("the issued credential does not verify: %v", err)
	}
	tampered := strings.Replace(res.Body, cert.ExpiresAt.UTC().Format("2006"), fmt.Sprint(cert.ExpiresAt.Year()+5), 1)
	if tampered == res.Body {
		t.Fatal("tamper did not change the credential")
	}
	if err := badge.Verify([]byte(tampered), pub); err == nil {
		t.Fatal("a credential with a moved expiry verifies")
	}
}

func TestTeamDashboardAndExports(t *testing.T) {
	e := newEnv(t)
	e.createUser("zhang", []string{academy.RoleTrainee}, []string{"s1"})
	e.tokens["zhang"] = e.login("zhang", testPassword)
	e.createUser("faraway", []string{academy.RoleTrainee}, []string{"s2"})
	last := e.earnAllBut("zhang")
	e.api("POST", last, "zhang", nil)

	page := e.api("GET", "/team", "manager", nil)
	if page.StatusCode != 200 || !strings.Contains(page.Body, `data-user="zhang"`) || strings.Contains(page.Body, `data-user="faraway"`) {
		t.Fatalf("manager's team: %d", page.StatusCode)
	}
	if !strings.Contains(page.Body, "<svg") {
		t.Error("no chart on the dashboard")
	}
	if other := e.api("GET", "/team", "othermanager", nil); strings.Contains(other.Body, `data-user="zhang"`) || !strings.Contains(other.Body, `data-user="faraway"`) {
		t.Fatal("a manager sees people of a site they do not manage")
	}
	if res := e.api("GET", "/team?site=s1", "othermanager", nil); res.StatusCode != 404 {
		t.Fatalf("other site by filter: %d", res.StatusCode)
	}
	if res := e.api("GET", "/team/people/zhang", "othermanager", nil); res.StatusCode != 404 {
		t.Fatalf("drill-down into another site: %d", res.StatusCode)
	}
	if res := e.api("GET", "/team/people/zhang", "manager", nil); res.StatusCode != 200 || !strings.Contains(res.Body, "客服上岗认证") {
		t.Fatalf("drill-down: %d", res.StatusCode)
	}
	for q, want := range map[string]int{"cohort=2026-13": 400, "role=wizard": 400, "program=nope": 404} {
		if res := e.api("GET", "/team?"+q, "manager", nil); res.StatusCode != want {
			t.Errorf("team?%s: %d, want %d", q, res.StatusCode, want)
		}
	}
	if res := e.api("GET", "/team/export/pdf", "manager", nil); res.StatusCode != 404 {
		t.Errorf("export in an unknown format: %d", res.StatusCode)
	}

	cert := e.awards("zhang")[0]
	// The exports say when they were counted, name sites and states in
	// words, and give dates as dates.
	csv := e.api("GET", "/team/export/csv", "manager", nil)
	counted := regexp.MustCompile(`^\x{feff}统计时间,\d{4}-\d\d-\d\d \d\d:\d\d \(UTC[+-]\d\d:\d\d\),*\r?\n账号,姓名,物业项目,入职日期,认证状态,`)
	if !counted.MatchString(csv.Body) || !strings.Contains(csv.Body, "zhang,zhang,项目s1,,有效,"+cert.Number+","+cert.ExpiresAt.In(beijing).Format("2006-01-02")+",") ||
		strings.Contains(csv.Body, ",valid,") || strings.Contains(csv.Body, ",none,") {
		t.Fatalf("csv:\n%s", csv.Body)
	}
	x := e.api("GET", "/team/export/xlsx", "manager", nil)
	f, err := excelize.OpenReader(bytes.NewReader([]byte(x.Body)))
	if err != nil {
		t.Fatalf("xlsx: %v", err)
	}
	rows, err := f.GetRows("认证")
	if err != nil || rows[0][0] != "统计时间" || rows[1][0] != "账号" || rows[1][4] != "认证状态" {
		t.Fatalf("xlsx header %v %v", rows, err)
	}
	found, exam := false, slices.Index(rows[1], "客服上岗认证 · 结业考试")
	for i, r := range rows[2:] {
		if r[0] == "zhang" {
			found = r[2] == "项目s1" && r[4] == "有效" && r[5] == cert.Number && exam > 0 && strings.HasPrefix(r[exam], "✓")
			// The expiry is a date cell shown as 2026-12-31, not text.
			cell, _ := excelize.CoordinatesToCellName(7, i+3)
			kind, _ := f.GetCellType("认证", cell)
			raw, _ := f.GetCellValue("认证", cell, excelize.Options{RawCellValue: true})
			if kind == excelize.CellTypeSharedString || kind == excelize.CellTypeInlineString || strings.Contains(raw, "-") || r[6] != cert.ExpiresAt.In(beijing).Format("2006-01-02") {
				t.Errorf("expiry cell %s: type %v, raw %q, shown %q", cell, kind, raw, r[6])
			}
		}
		if r[0] == "faraway" {
			t.Fatal("the export holds someone of another site")
		}
	}
	if !found {
		t.Fatalf("xlsx has no valid row for zhang: %v", rows)
	}
}

// TestXAPIOutboxSurvivesLRSOutage records learning events, then relays them
// to a local LRS that fails twice before it recovers: nothing is lost and
// nothing is sent twice.
func TestXAPIOutboxSurvivesLRSOutage(t *testing.T) {
	e := newEnv(t)
	e.createUser("learner", []string{academy.RoleTrainee}, []string{"s1"})
	e.tokens["learner"] = e.login("learner", testPassword)
	last := e.earnAllBut("learner")
	e.api("POST", last, "learner", nil) // course completed + certificate earned

	var list struct {
		Total      int
		Statements []xapi.Entry
	}
	e.api("GET", "/admin/xapi?format=json", "admin", nil).json(t, &list)
	if list.Total != 2 {
		t.Fatalf("outbox holds %d statements, want 2 (course completed, certificate earned)", list.Total)
	}
	verbs := map[string]bool{}
	for _, s := range list.Statements {
		verbs[s.Verb] = true
	}
	if !verbs["http://adlnet.gov/expapi/verbs/completed"] || !verbs["http://id.tincanapi.com/verb/earned"] {
		t.Fatalf("verbs %v", verbs)
	}

	var calls atomic.Int32
	received := map[string]bool{}
	var mu sync.Mutex
	lrs := httptest.NewServer(nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		if calls.Add(1) <= 2 {
			w.WriteHeader(503)
			return
		}
		var batch []xapi.Statement
		if err := json.NewDecoder(r.Body).Decode(&batch); err != nil {
			w.WriteHeader(400)
			return
		}
		mu.Lock()
		for _, s := range batch {
			received[s.ID] = true
		}
		mu.Unlock()
		w.WriteHeader(200)
	}))
	defer lrs.Close()
	now := time.Now()
	relay := &xapi.Relay{Outbox: mongo.NewOutbox(e.db), Client: &xapi.Client{Endpoint: lrs.URL}, Now: func() time.Time { return now }, Base: time.Second, Max: time.Minute}
	for i := 0; i < 10 && len(received) < 2; i++ {
		_, _ = relay.Flush(context.Background())
		now = now.Add(2 * time.Minute) // past any backoff
	}
	if len(received) != 2 {
		t.Fatalf("LRS received %d statements after recovering, want 2", len(received))
	}
	e.api("GET", "/admin/xapi?format=json", "admin", nil).json(t, &list)
	if list.Total != 0 {
		t.Fatalf("%d statements still waiting", list.Total)
	}
	e.api("GET", "/admin/xapi?format=json&sent=1", "admin", nil).json(t, &list)
	if list.Total != 2 {
		t.Fatalf("%d statements marked sent", list.Total)
	}
}

// TestCourseCompletedOnceUnderRace: the last lesson of a course completed
// several times at once (double clicks, two tabs, two instances) records
// one "completed" statement and one certificate, not one per request.
func TestCourseCompletedOnceUnderRace(t *testing.T) {
	e := newEnv(t)
	e.createUser("learner", []string{academy.RoleTrainee}, []string{"s1"})
	e.tokens["learner"] = e.login("learner", testPassword)
	last := e.earnAllBut("learner")
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if res := e.api("POST", last, "learner", nil); res.StatusCode != 200 {
				t.Errorf("complete: %d %s", res.StatusCode, res.Body)
			}
		}()
	}
	wg.Wait()
	var list struct {
		Total      int
		Statements []xapi.Entry
	}
	e.api("GET", "/admin/xapi?format=json", "admin", nil).json(t, &list)
	verbs := map[string]int{}
	for _, s := range list.Statements {
		verbs[s.Verb]++
	}
	if list.Total != 2 || verbs["http://adlnet.gov/expapi/verbs/completed"] != 1 || verbs["http://id.tincanapi.com/verb/earned"] != 1 {
		t.Fatalf("outbox holds %d statements %v, want one completed and one earned", list.Total, verbs)
	}
}

// TestSweptAttemptIsRecorded: an attempt closed by the background sweep
// when its time ran out is graded and reported like a submitted one.
func TestSweptAttemptIsRecorded(t *testing.T) {
	e := newEnv(t)
	e.openFinalExam("trainee")
	if res := e.api("POST", "/api/v1/quizzes/final-exam/attempts", "trainee", nil); res.StatusCode != 201 && res.StatusCode != 200 {
		t.Fatalf("start: %d %s", res.StatusCode, res.Body)
	}
	later := *e.deps.Examiner
	later.Now = func() time.Time { return time.Now().Add(time.Hour) }
	if n, err := later.Sweep(context.Background()); err != nil || n != 1 {
		t.Fatalf("sweep closed %d: %v", n, err)
	}
	var list struct {
		Total      int
		Statements []xapi.Entry
	}
	e.api("GET", "/admin/xapi?format=json", "admin", nil).json(t, &list)
	if list.Total != 1 || list.Statements[0].Verb != "http://adlnet.gov/expapi/verbs/failed" || list.Statements[0].Actor != "trainee" {
		t.Fatalf("outbox after the sweep: %+v", list)
	}
	// A second sweep finds nothing and reports nothing twice.
	if n, _ := later.Sweep(context.Background()); n != 0 {
		t.Fatalf("second sweep closed %d", n)
	}
	e.api("GET", "/admin/xapi?format=json", "admin", nil).json(t, &list)
	if list.Total != 1 {
		t.Fatalf("%d statements after a second sweep", list.Total)
	}
}

// TestTeamWeakSpots: blank submissions by three people of the team put
// the ethics questions at the top of the manager's weak spots, with a link
// to the lesson that teaches each; water-leak runs that skip the return
// visit put that step at the top of the procedure panel.
func TestTeamWeakSpots(t *testing.T) {
	e := newEnv(t)
	for _, name := range []string{"w1", "w2", "w3"} {
		e.createUser(name, []string{academy.RoleTrainee}, []string{"s1"})
		e.tokens[name] = e.login(name, testPassword)
		e.finishCourses(name, "ethics")
		res := e.api("POST", "/api/v1/quizzes/ethics/attempts", name, nil)
		var a struct{ ID string }
		res.json(t, &a)
		if res := e.api("POST", "/api/v1/attempts/"+a.ID+"/submit", name, nil); res.StatusCode != 200 {
			t.Fatalf("submit: %d %s", res.StatusCode, res.Body)
		}
		if r := playLeak(t, e, name, []string{"dispatch", "start", "complete"}); r.Passed {
			t.Fatal("a run without the return visit passed")
		}
	}
	page := e.api("GET", "/team/weak-spots", "manager", nil).Body
	if i := strings.Index(page, `id="weak-checks"`); i < 0 || !strings.Contains(page[i:], "回访") || !strings.Contains(page[i:], "(3/3)") {
		t.Fatalf("weak checks panel:\n%s", page[max(i, 0):min(len(page), max(i, 0)+1200)])
	}
	i := strings.Index(page, `id="weak-questions"`)
	if i < 0 || !strings.Contains(page[i:], "100%") || !strings.Contains(page[i:], `href="/courses/ethics/lessons/`) {
		t.Fatalf("weak questions panel:\n%s", page[i:min(len(page), i+800)])
	}
	// Another site's manager does not see this team's mistakes.
	if other := e.api("GET", "/team/weak-spots", "othermanager", nil).Body; strings.Contains(other, "(3/3)") {
		t.Fatal("weak spots leak across sites")
	}
}

// Dashboards count everyone in scope, not a page of accounts: with more
// trainees than a page of the user list holds, the team dashboard lists
// them all, another site's manager still finds their own people (whose
// usernames sort after all of them), and the trainer's run list pages
// through every run.
func TestDashboardsCoverMoreThanAPageOfPeople(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	n := academy.MaxPageSize + 10
	for i := range n {
		name := fmt.Sprintf("a%04d", i)
		u := &academy.User{Username: name, Roles: []string{academy.RoleTrainee}, Sites: []string{"s1"}, HireDate: academy.DateOf(time.Now().AddDate(0, -6, 0), beijing)}
		u.Normalize()
		if err := e.accounts.Users.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		r := &academy.Run{ID: name + "-run", Username: name, Scenario: "water-leak", ScenarioTitle: "楼上漏水", State: academy.RunFinished,
			StartedAt: time.Now().Add(-time.Duration(i) * time.Minute), Version: 1}
		if err := e.deps.Coach.Runs.InsertRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	e.createUser("zz-last", []string{academy.RoleTrainee}, []string{"s2"})

	// The matrix pages through everyone; the heading counts them all.
	seen := map[string]bool{}
	rowRE := regexp.MustCompile(`<tr data-user="([^"]+)"`)
	next := "/team"
	for pages := 0; next != ""; pages++ {
		if pages > 5 {
			t.Fatal("the dashboard's pages do not end")
		}
		page := e.api("GET", next, "manager", nil).Body
		if pages == 0 && !strings.Contains(page, fmt.Sprintf("· %d 人", n+4)) {
			t.Fatalf("heading does not count all %d people of s1", n+4)
		}
		// Hired six months ago and not certified: all overdue, a few named.
		if pages == 0 {
			i := strings.Index(page, `<ul id="overdue">`)
			list := page[i : i+strings.Index(page[i:], "</ul>")]
			if !strings.Contains(page, fmt.Sprintf("已逾期 (%d)", n)) || strings.Count(list, "<li>") != 30 || !strings.Contains(page, fmt.Sprintf("还有 %d 人", n-30)) {
				t.Fatalf("overdue list: %d named, page says total %v, rest %v", strings.Count(list, "<li>"),
					strings.Contains(page, fmt.Sprintf("已逾期 (%d)", n)), strings.Contains(page, fmt.Sprintf("还有 %d 人", n-30)))
			}
		}
		for _, m := range rowRE.FindAllStringSubmatch(page, -1) {
			seen[m[1]] = true
		}
		next = ""
		if m := regexp.MustCompile(`<a href="([^"]+)" rel="next">`).FindStringSubmatch(page); m != nil {
			next = html.UnescapeString(m[1])
		}
	}
	if len(seen) != n+4 || !seen["a0000"] || !seen[fmt.Sprintf("a%04d", n-1)] {
		t.Fatalf("pages of the dashboard list %d people, want %d", len(seen), n+4)
	}
	other := e.api("GET", "/team", "othermanager", nil).Body
	if !strings.Contains(other, `<tr data-user="zz-last"`) || strings.Contains(other, `data-user="a0000"`) {
		t.Fatal("another site's manager does not see their own trainee, or sees this site's")
	}

	tr := e.browser()
	tr.loginAs("trainer")
	first := tr.get("/author/runs").Body
	if got := strings.Count(first, `/debrief">`); got != 50 || !strings.Contains(first, "a0000-run") || !strings.Contains(first, `rel="next"`) {
		t.Fatalf("first page of runs: %d rows, newest first and a next link expected", got)
	}
	last := tr.get(fmt.Sprintf("/author/runs?offset=%d", n-10)).Body
	if got := strings.Count(last, `/debrief">`); got != 10 || !strings.Contains(last, fmt.Sprintf("a%04d-run", n-1)) {
		t.Fatalf("last page of runs: %d rows, the oldest run expected", got)
	}
}

// TestVerifyLookupIssuerPageAndIcon: /verify without a number is a form
// that leads to /verify/{number}; the issuer URL is a page for people and
// JSON for verifiers; /favicon.ico answers with an icon.
func TestVerifyLookupIssuerPageAndIcon(t *testing.T) {
	e := newEnv(t)
	get := func(path, accept string) *response {
		t.Helper()
		req := httptest.NewRequest("GET", path, nil)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		return e.do(req)
	}
	const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"

	form := get("/verify", browserAccept)
	if form.StatusCode != 200 || !strings.Contains(form.Body, `action="/verify"`) || !strings.Contains(form.Body, `<label for="verify-number">证书编号</label>`) {
		t.Fatalf("lookup form: %d %s", form.StatusCode, form.Body)
	}
	res := get("/verify?number=+ac-7k2m-9qxd-4hpw-t3nb+", browserAccept)
	if res.StatusCode != 303 || res.Header.Get("Location") != "/verify/AC-7K2M-9QXD-4HPW-T3NB" {
		t.Fatalf("lookup: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	for _, bad := range []string{"", "12345", "AC-7K2M", "AC-7K2M-9QXD-4HPW-T3NB-XXXX", "<script>"} {
		res := get("/verify?number="+url.QueryEscape(bad), browserAccept)
		if res.StatusCode != 400 || !strings.Contains(res.Body, "证书编号格式不对") || !strings.Contains(res.Body, `aria-invalid="true"`) {
			t.Errorf("malformed %q: %d", bad, res.StatusCode)
		}
		if strings.Contains(res.Body, "<script>\"") || strings.Contains(res.Body, `value="<script>"`) {
			t.Errorf("malformed %q is echoed unescaped", bad)
		}
	}
	if res := get("/verify/AC-7K2M-9QXD-4HPW-T3NB", browserAccept); res.StatusCode != 404 || !strings.Contains(res.Body, `href="/verify"`) {
		t.Fatalf("unknown number: %d", res.StatusCode)
	}

	// The issuer: a page for people, JSON for verifiers at the same URL
	// that credentials already issued name.
	for _, accept := range []string{browserAccept, "*/*"} {
		res := get("/issuer", accept)
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") || !strings.Contains(res.Body, `id="issuer-key"`) {
			t.Errorf("issuer for %q: %d %s", accept, res.StatusCode, res.Header.Get("Content-Type"))
		}
		if !strings.Contains(res.Header.Get("Vary"), "Accept") {
			t.Errorf("issuer for %q does not vary by Accept", accept)
		}
	}
	for _, c := range []struct{ path, accept string }{
		{"/issuer", "application/ld+json"}, {"/issuer", "application/json"}, {"/issuer", ""},
		{"/issuer?format=json", browserAccept}, {"/issuer", "application/ld+json, application/json;q=0.9, */*;q=0.1"},
	} {
		res := get(c.path, c.accept)
		var p struct{ ID string }
		if res.StatusCode != 200 || json.Unmarshal([]byte(res.Body), &p) != nil || p.ID != "http://academy.test/issuer" {
			t.Errorf("issuer %s for %q: %d %.80s", c.path, c.accept, res.StatusCode, res.Body)
		}
	}

	icon := get("/favicon.ico", "image/avif,image/webp,*/*")
	if icon.StatusCode != 200 || icon.Header.Get("Content-Type") != "image/x-icon" || !strings.HasPrefix(icon.Body, "\x00\x00\x01\x00") {
		t.Fatalf("favicon: %d %s", icon.StatusCode, icon.Header.Get("Content-Type"))
	}
	if !strings.Contains(form.Body, `<link rel="icon" href="/static/favicon.svg?v=`) {
		t.Fatal("pages do not link the icon")
	}
	if svg := get("/static/favicon.svg", "*/*"); svg.StatusCode != 200 || !strings.Contains(svg.Body, "<svg") {
		t.Fatalf("favicon.svg: %d", svg.StatusCode)
	}
}
