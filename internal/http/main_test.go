package http_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	nethttp "net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/authz"
	"github.com/academy/academy/internal/badge"
	"github.com/academy/academy/internal/catalog"
	"github.com/academy/academy/internal/content"
	"github.com/academy/academy/internal/deskrules"
	ahttp "github.com/academy/academy/internal/http"
	"github.com/academy/academy/internal/markdown"
	"github.com/academy/academy/internal/mongo"
	"github.com/academy/academy/internal/mongo/mongotest"
	"github.com/academy/academy/internal/notify"
	"github.com/academy/academy/internal/password"
	"github.com/academy/academy/internal/quality"
	"github.com/academy/academy/internal/xapi"
	"github.com/academy/academy/web"
)

// TestMain runs the tests in UTC whatever the machine's zone, while the
// server is configured for Beijing (newEnv): a time said in the process's
// zone anywhere shows 8 hours off and fails the tests of times.
func TestMain(m *testing.M) {
	time.Local = time.UTC
	os.Exit(mongotest.Main(m))
}

// env is a server on a fresh database with one account per role.
type env struct {
	t        testing.TB
	db       *mongo.DB
	srv      *ahttp.Server
	accounts *academy.Accounts
	deps     ahttp.Deps
	tokens   map[string]string // role name -> API token
	clock    *testClock
	notes    *mongo.Notify
	ops      *dbOps
}

// dbOps counts the commands sent to the database, by command and
// collection ("find attempts"), for tests of what a request costs.
type dbOps struct {
	mu sync.Mutex
	n  map[string]int
	// scans are the commands since the last take whose filters name
	// more than _id: the embedded store scans their collection.
	scans []string
}

func (o *dbOps) add(c mongo.Command) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.n == nil {
		o.n = map[string]int{}
	}
	o.n[c.Name+" "+c.Collection]++
	for _, f := range c.Filters {
		if !slices.Equal(f, []string{"_id"}) {
			o.scans = append(o.scans, fmt.Sprintf("%s %s %v", c.Name, c.Collection, f))
		}
	}
}

// takeScans returns the scans since the last take and starts again.
func (o *dbOps) takeScans() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	s := o.scans
	o.n, o.scans = nil, nil
	return s
}

// take returns the counts since the last take and starts again.
func (o *dbOps) take() map[string]int {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := o.n
	o.n, o.scans = nil, nil
	return n
}

// testClock is the wall clock moved forward by tests of expiry: it drives
// certificate statuses and the grants authorisation honours.
type testClock struct{ offset atomic.Int64 }

func (c *testClock) Now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *testClock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

const testPassword = "correct horse battery"

// personas are the callers of the access matrix: each role on site "s1",
// plus a manager of another site.
var personas = []struct{ name, role, site string }{
	{"trainee", academy.RoleTrainee, "s1"},
	{"trainer", academy.RoleTrainer, "s1"},
	{"manager", academy.RoleManager, "s1"},
	{"othermanager", academy.RoleManager, "s2"},
	{"agent", academy.RoleAgent, "s1"},
	{"admin", academy.RoleAdmin, ""},
}

func newEnv(t testing.TB, opts ...func(*ahttp.Deps)) *env {
	t.Helper()
	ctx := context.Background()
	ops := &dbOps{}
	db := mongotest.Open(t, mongo.Observe(ops.add))
	sites := mongo.NewSiteService(db)
	// The caches the server runs with, so that tests of logout, password
	// changes and revocation prove they take effect at once.
	accounts, err := academy.NewAccounts(academy.NewCachedUsers(mongo.NewUserService(db), academy.DefaultCacheTTL, time.Now),
		academy.NewCachedSessions(mongo.NewSessionService(db), academy.DefaultCacheTTL, time.Now), sites,
		mongo.NewAuditService(db), password.NewFast(), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	accounts.Links = mongo.NewPasswordLinkService(db)
	if accounts.Zone, err = academy.LoadZone("tz", academy.DefaultZone); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"s1", "s2"} {
		if err := sites.CreateSite(ctx, &academy.Site{ID: s, Name: "项目" + s}); err != nil {
			t.Fatal(err)
		}
	}
	clock := &testClock{}
	az, err := authz.New(clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	library := &academy.Library{Courses: mongo.NewCourseService(db), Quizzes: mongo.NewQuizService(db), Now: time.Now}
	md := markdown.New()
	// The repository's own courses are the fixture: tests read real lessons.
	loader := &content.Loader{Dir: "../..", MD: md}
	courses, problems := loader.Courses()
	quizzes, qproblems := loader.Quizzes(courses)
	if problems = append(problems, qproblems...); len(problems) > 0 {
		t.Fatalf("repository content does not lint:\n%v", problems)
	}
	if _, err := library.Import(ctx, courses, "test", false); err != nil {
		t.Fatal(err)
	}
	if _, err := library.ImportQuizzes(ctx, quizzes, "test", false); err != nil {
		t.Fatal(err)
	}
	scenarios, sproblems := loader.Scenarios(courses)
	if len(sproblems) > 0 {
		t.Fatalf("repository scenarios do not lint:\n%v", sproblems)
	}
	scenStore := mongo.NewScenarioService(db)
	if _, err := library.ImportScenarios(ctx, scenarios, scenStore); err != nil {
		t.Fatal(err)
	}
	programs, pproblems := loader.Programs(courses, quizzes, scenarios)
	if len(pproblems) > 0 {
		t.Fatalf("repository programs do not lint:\n%v", pproblems)
	}
	progStore := mongo.NewProgramService(db)
	if _, err := library.ImportPrograms(ctx, programs, progStore); err != nil {
		t.Fatal(err)
	}
	cat := catalog.New(library.Courses, library.Quizzes, scenStore, progStore, md, logger)
	if err := cat.Refresh(ctx, true); err != nil {
		t.Fatal(err)
	}
	certs := mongo.NewCertStore(db)
	key, err := certs.IssuerKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	outbox := mongo.NewOutbox(db)
	live := mongo.NewDeskStore(db)
	calendars := academy.NewCalendars(mongo.NewCalendarStore(db), accounts.Sites, accounts.Audit, time.Now)
	calendars.Tickets, live.Calendars = live, calendars
	deps := ahttp.Deps{Accounts: accounts, Authz: az, DB: db, Library: library,
		Learning: &academy.Learning{Progress: academy.NewCachedProgress(mongo.NewProgressService(db), academy.DefaultCacheTTL, time.Now), Now: time.Now}, Assignments: mongo.NewAssignmentService(db),
		// As the server on the embedded store, the only writer, has it.
		Examiner:  &academy.Examiner{Attempts: academy.NewCachedAttempts(mongo.NewAttemptService(db), academy.SoleCacheTTL, time.Now), Now: time.Now, Zones: accounts},
		Desk:      &academy.Desk{Live: live, Sandboxes: mongo.NewSandboxStore(db), Audit: mongo.NewAuditService(db), Now: time.Now, Zones: accounts, Calendars: calendars},
		Calendars: calendars,
		DeskRules: &deskrules.Service{Store: mongo.NewDeskRulesStore(db), Now: clock.Now, Sites: accounts.Sites},
		Cases:     mongo.NewCaseStore(db),
		Catalog:   cat, Markdown: md, Logger: logger, Web: web.FS, Version: "test",
		Issuer: &badge.Issuer{ID: "http://academy.test/issuer", Name: "物业客服学院", Key: key},
		Outbox: outbox, PublicURL: "http://academy.test", Programs: progStore, Throttle: mongo.NewCounters(db)}
	for _, o := range opts {
		o(&deps)
	}
	deps.Desk.Rules = deps.DeskRules
	deps.Quality = &quality.Service{Store: mongo.NewQualityStore(db), Tickets: live, Rules: deps.DeskRules, Calendars: calendars, Now: clock.Now, Logger: logger}
	deps.Desk.Finished = deps.Quality
	deps.Coach = &academy.Coach{Runs: mongo.NewRunService(db), Desk: deps.Desk, Now: time.Now}
	deps.Certifier = &academy.Certifier{Programs: cat, Progress: deps.Learning.Progress, Attempts: deps.Examiner.Attempts, Runs: deps.Coach.Runs,
		Certs: certs, Users: accounts.Users, Audit: accounts.Audit, Authz: az, Signer: &badge.Certificates{Issuer: deps.Issuer, Base: deps.PublicURL},
		Events: &xapi.Recorder{Base: "http://academy.test", Queue: outbox}, Now: clock.Now, Window: academy.DefaultExpiringWindow, Zones: accounts}
	deps.Learning.Outcomes, deps.Examiner.Outcomes, deps.Coach.Outcomes = deps.Certifier, deps.Certifier, deps.Certifier
	deps.Examiner.Programs, deps.Examiner.Progress, deps.Examiner.Audit = cat, deps.Learning.Progress, accounts.Audit
	// Dashboards gather their evidence on every view unless a test's
	// option set a board with a MaxAge.
	if deps.TeamBoard == nil {
		deps.TeamBoard = &academy.TeamBoard{}
	}
	deps.TeamBoard.Certifier, deps.TeamBoard.Sites, deps.TeamBoard.Users, deps.TeamBoard.Logger = deps.Certifier, accounts.Sites, accounts.Users, logger
	// Site s1 has a small directory for the live desk.
	if err := deps.Desk.Live.SaveDirectory(ctx, "s1", &academy.Directory{
		Units:     []academy.Unit{{ID: "3-2-1202", Building: "3栋", Label: "3栋2单元1202"}, {ID: "3-2-1302", Building: "3栋", Label: "3栋2单元1302"}},
		Residents: []academy.Resident{{ID: "r1", Name: "王芳", Unit: "3-2-1202", Phone: "13812345678", Role: "owner"}, {ID: "r2", Name: "赵强", Unit: "3-2-1302", Phone: "13987654321", Role: "owner"}},
		Members:   []academy.Member{{ID: "m1", Name: "李师傅", Department: academy.DeptEngineering}},
	}); err != nil {
		t.Fatal(err)
	}
	notes := mongo.NewNotify(db)
	deps.Notify = &notify.Service{Store: notify.NewCachedUnread(notes, academy.DefaultCacheTTL, time.Now), People: notify.Directory{Accounts: accounts}, Now: time.Now, Email: true}
	deps.Quality.Assignments, deps.Quality.Training, deps.Quality.Notify = deps.Assignments, deps.Certifier, deps.Notify
	deps.Certifier.LiveWork = deps.Quality
	deps.Quality.Content = func() (map[string]*academy.Course, map[string]*academy.Scenario) {
		sn := cat.Snapshot()
		return sn.Domain(), sn.Scenarios
	}
	srv, err := ahttp.New(deps)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, db: db, srv: srv, accounts: accounts, deps: deps, tokens: map[string]string{}, clock: clock, notes: notes, ops: ops}
	for _, p := range personas {
		var sites []string
		if p.site != "" {
			sites = []string{p.site}
		}
		e.createUser(p.name, []string{p.role}, sites)
		e.tokens[p.name] = e.login(p.name, testPassword)
	}
	return e
}

// listen serves the app on a loopback port until the test ends and returns
// its base URL.
func (e *env) listen() string {
	e.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		e.t.Fatal(err)
	}
	go func() { _ = e.srv.Serve(ln) }()
	e.t.Cleanup(func() { _ = e.srv.Shutdown(5 * time.Second) })
	return "http://" + ln.Addr().String()
}

func (e *env) createUser(name string, roles, sites []string) *academy.User {
	e.t.Helper()
	// Test people have a legal name (their username), as a roster gives.
	u := &academy.User{Username: name, LegalName: name, Roles: roles, Sites: sites}
	if err := e.accounts.CreateUser(context.Background(), academy.Actor{}, u, testPassword); err != nil {
		e.t.Fatal(err)
	}
	return u
}

// response is a finished request with its body read.
type response struct {
	*nethttp.Response
	Body string
}

func (r *response) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.Body), v); err != nil {
		t.Fatalf("decode %q: %v", r.Body, err)
	}
}

// errCode returns the error code of an API error body.
func (r *response) errCode(t testing.TB) string {
	var body struct {
		Error struct{ Code, Message string }
	}
	r.json(t, &body)
	if body.Error.Message == "" {
		t.Fatalf("error without message: %s", r.Body)
	}
	return body.Error.Code
}

func (e *env) do(req *nethttp.Request) *response {
	e.t.Helper()
	res, err := e.srv.App().Test(req, -1)
	if err != nil {
		e.t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return &response{Response: res, Body: string(b)}
}

// api sends a JSON request with the token of who ("" = anonymous).
func (e *env) api(method, path, who string, body any) *response {
	e.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		r = strings.NewReader(string(j))
	}
	req := httptest.NewRequest(method, path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[who])
	}
	return e.do(req)
}

func (e *env) login(name, pw string) string {
	e.t.Helper()
	res := e.api("POST", "/api/v1/auth/login", "", map[string]string{"username": name, "password": pw})
	if res.StatusCode != 200 {
		e.t.Fatalf("login %s: %d %s", name, res.StatusCode, res.Body)
	}
	var out struct{ Token string }
	res.json(e.t, &out)
	return out.Token
}

// browser is a cookie-carrying web client.
type browser struct {
	e       *env
	cookies map[string]string
}

func (e *env) browser() *browser { return &browser{e: e, cookies: map[string]string{}} }

func (b *browser) send(req *nethttp.Request) *response {
	b.e.t.Helper()
	for k, v := range b.cookies {
		req.AddCookie(&nethttp.Cookie{Name: k, Value: v})
	}
	res := b.e.do(req)
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	return res
}

func (b *browser) get(path string) *response {
	return b.send(httptest.NewRequest("GET", path, nil))
}

// post submits a form the way a same-origin browser does.
func (b *browser) post(path string, form url.Values) *response {
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.send(req)
}

var csrfRE = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// csrf reads the CSRF token from a page.
func (b *browser) csrf(path string) string {
	b.e.t.Helper()
	m := csrfRE.FindStringSubmatch(b.get(path).Body)
	if m == nil {
		b.e.t.Fatalf("no CSRF token on %s", path)
	}
	return m[1]
}

func (b *browser) loginAs(name string) {
	b.e.t.Helper()
	res := b.post("/login", url.Values{"username": {name}, "password": {testPassword}})
	if res.StatusCode != 303 || res.Header.Get("Location") != "/home" {
		b.e.t.Fatalf("web login %s: %d %s", name, res.StatusCode, res.Header.Get("Location"))
	}
}

// beijing is the company zone newEnv configures (academy.DefaultZone).
var beijing = func() *time.Location {
	loc, err := time.LoadLocation(academy.DefaultZone)
	if err != nil {
		panic(err)
	}
	return loc
}()
