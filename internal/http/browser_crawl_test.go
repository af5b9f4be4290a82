package http_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/academy/academy/internal/academy"
	ahttp "github.com/academy/academy/internal/http"
)

// crawlSkips are the GET routes outside /api/ that the crawl does not open,
// each with the reason: they answer with a file, a redirect or a probe, not
// a page someone reads.
var crawlSkips = map[string]string{
	"/":                                       "redirects to /home or /login",
	"/healthz":                                "JSON probe",
	"/readyz":                                 "JSON probe",
	"/metrics":                                "Prometheus text for the scraper",
	"/admin/desk-rules":                       "the rules' own YAML: the ids of states and actions are what it edits (TestDeskRulesWeb)",
	"/admin/desk-rules/revisions/:rev":        "a revision's YAML diff: the ids are what it shows (TestDeskRulesWeb)",
	"/courses/:slug/assets/*":                 "course images and files",
	"/author/courses/:slug/export":            "course download (Markdown archive)",
	"/author/quizzes/:slug/export":            "quiz download (YAML)",
	"/author/cases/:id/scenario.yaml":         "case download (YAML)",
	"/certificates/:number/pdf":               "certificate download (PDF)",
	"/certificates/:number/credential":        "badge download (JSON)",
	"/verify/:number/status":                  "credential status (JSON)",
	"/credentials/status/:list":               "revocation list (JSON)",
	"/favicon.ico":                            "the site's icon",
	"/admin/sites/:site/export":               "directory download (XLSX)",
	"/team/export/:format":                    "team download (CSV/XLSX)",
	"/team/quality/export/:format":            "quality download (CSV/XLSX)",
	"/courses/:slug/lessons/:lesson/complete": "POST only",
	"/login/oidc":                             "redirect to the company sign-in provider (oidc_test.go)",
	"/login/oidc/callback":                    "the provider's answer (oidc_test.go)",
	"/login/wecom":                            "redirect to the 企业微信 login page (worklogin_test.go)",
	"/login/wecom/callback":                   "the 企业微信 login page's answer (worklogin_test.go)",
	"/login/dingtalk":                         "redirect to the 钉钉 login page (worklogin_test.go)",
	"/login/dingtalk/callback":                "the 钉钉 login page's answer (worklogin_test.go)",
	"/login/feishu":                           "redirect to the 飞书 login page (worklogin_test.go)",
	"/login/feishu/callback":                  "the 飞书 login page's answer (worklogin_test.go)",
}

// crawlPerson is someone the crawl logs in as: a username that is no
// English word, so that finding it in a page's text means a username stood
// where a name belongs.
type crawlPerson struct{ username, name, role string }

var crawlPeople = []crawlPerson{
	{"xiaoxin", "王小新", academy.RoleTrainee},
	{"lipeixun", "李培训", academy.RoleTrainer},
	{"zhangzg", "张主管", academy.RoleManager},
	{"chenkf", "陈客服", academy.RoleAgent},
	{"guanliyuan", "系统管理员", academy.RoleAdmin},
}

// crawlCertified holds a certificate, for the pages that show one.
var crawlCertified = crawlPerson{"liuxue", "刘雪", academy.RoleTrainee}

// crawlWorld fills the demo site with what every page shows: progress, an
// assignment, attempts (running and submitted), runs (running and
// finished), sandboxes with tickets, the seeded live desk, a training case
// and a certificate. It returns the values for the routes' parameters.
func crawlWorld(t *testing.T, e *env) map[string][]string {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	site := academy.DemoSite
	site.CreatedAt = now
	if err := e.accounts.Sites.CreateSite(ctx, &site); err != nil {
		t.Fatal(err)
	}
	dir, tickets := academy.DemoDesk(site.ID, now)
	if err := e.deps.Desk.Live.SaveDirectory(ctx, site.ID, &dir); err != nil {
		t.Fatal(err)
	}
	if err := e.deps.Desk.Live.InsertTickets(ctx, tickets); err != nil {
		t.Fatal(err)
	}
	for range tickets {
		if _, err := e.deps.Desk.Live.NextNumber(ctx, site.ID); err != nil {
			t.Fatal(err)
		}
	}
	// The closed tickets get their quality records, as at a live close.
	if _, err := e.deps.Quality.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	// The env's own accounts carry their username as their name; give them
	// names, so that role words on the admin's lists are codes, not names.
	for i, p := range personas {
		if _, err := e.accounts.UpdateProfile(ctx, p.name, []string{"周一", "吴二", "郑三", "冯四", "陈五", "褚六"}[i], "zh"); err != nil {
			t.Fatal(err)
		}
	}
	people := append(slices.Clone(crawlPeople), crawlCertified)
	for _, p := range people {
		var sites []string
		if p.role != academy.RoleAdmin {
			sites = []string{site.ID}
		}
		u := &academy.User{Username: p.username, DisplayName: p.name, LegalName: p.name, Roles: []string{p.role}, Sites: sites}
		if err := e.accounts.CreateUser(ctx, academy.Actor{}, u, testPassword); err != nil {
			t.Fatal(err)
		}
		e.tokens[p.username] = e.login(p.username, testPassword)
	}
	cert := e.certify(crawlCertified.username)
	assigned := &academy.Assignment{Kind: academy.AssignCourse, Ref: "etiquette",
		Target: academy.AssignTarget{Role: academy.RoleTrainee, Site: site.ID}, Due: academy.AssignDue{Date: academy.DateOf(now.AddDate(0, 0, 5), beijing)},
		CreatedBy: "zhangzg", CreatedAt: now}
	if err := e.deps.Assignments.CreateAssignment(ctx, assigned); err != nil {
		t.Fatal(err)
	}

	// The trainee: a course done, an attempt submitted and one running, a
	// finished run and a running one, a practice desk with a ticket.
	e.finishCourses("xiaoxin", "ethics", "etiquette")
	var attempts []string
	for _, quiz := range []string{"ethics", "etiquette"} {
		var a struct{ ID string }
		res := e.api("POST", "/api/v1/quizzes/"+quiz+"/attempts", "xiaoxin", nil)
		if res.StatusCode != 201 && res.StatusCode != 200 {
			t.Fatalf("start attempt: %d %s", res.StatusCode, res.Body)
		}
		res.json(t, &a)
		attempts = append(attempts, "/attempts/"+a.ID)
		if len(attempts) == 1 {
			if res := e.api("POST", "/api/v1"+attempts[0]+"/submit", "xiaoxin", nil); res.StatusCode != 200 {
				t.Fatalf("submit attempt: %d %s", res.StatusCode, res.Body)
			}
		}
	}
	done := playLeak(t, e, "xiaoxin", []string{"dispatch", "start", "complete", "return_visit", "close"})
	var running apiRun
	if res := e.api("POST", "/api/v1/scenarios/noise-complaint/runs", "xiaoxin", nil); res.StatusCode != 201 {
		t.Fatalf("start run: %d %s", res.StatusCode, res.Body)
	} else {
		res.json(t, &running)
	}
	sb := e.openSandbox(t, "xiaoxin", "练习台")
	var practice apiTicket
	if res := e.api("POST", "/api/v1/workspaces/"+sb.ID+"/tickets", "xiaoxin", map[string]any{"type": "repair", "title": "厨房水龙头漏水",
		"resident": "r001", "priority": "normal"}); res.StatusCode != 201 {
		t.Fatalf("practice ticket: %d %s", res.StatusCode, res.Body)
	} else {
		res.json(t, &practice)
	}

	// The live desk: an open ticket and a closed one, made a training case.
	var live struct{ Items []apiTicket }
	e.api("GET", "/api/v1/workspaces/demo/tickets?queue=all", "chenkf", nil).json(t, &live)
	var open, closed string
	for _, tk := range live.Items {
		switch {
		case tk.State == "closed" && closed == "":
			closed = tk.ID
		case tk.State != "closed" && open == "":
			open = tk.ID
		}
	}
	if open == "" || closed == "" {
		t.Fatalf("the demo desk has no open or no closed ticket: %d tickets", len(live.Items))
	}
	var tc academy.TrainingCase
	if res := e.api("POST", "/api/v1/workspaces/demo/tickets/"+closed+"/training-case", "lipeixun", nil); res.StatusCode != 201 {
		t.Fatalf("training case: %d %s", res.StatusCode, res.Body)
	} else {
		res.json(t, &tc)
	}

	// Someone from a roster, with a link to choose their password.
	newcomer := &academy.User{Username: "xinren", DisplayName: "林新人", LegalName: "林新人", Roles: []string{academy.RoleTrainee}, Sites: []string{site.ID}}
	if err := e.accounts.CreateUserWithoutPassword(ctx, academy.Actor{}, newcomer); err != nil {
		t.Fatal(err)
	}
	link, err := e.accounts.IssuePasswordLink(ctx, academy.Actor{}, newcomer.ID)
	if err != nil {
		t.Fatal(err)
	}

	snap := e.deps.Catalog.Snapshot()
	course := snap.Course("ethics")
	quiz := snap.Quizzes["ethics"]
	return map[string][]string{
		"/admin/users/:username":                {"/admin/users/xiaoxin"},
		"/assignments/:id":                      {"/assignments/" + assigned.ID},
		"/set-password/:token":                  {"/set-password/" + link},
		"/courses/:slug":                        {"/courses/ethics", "/courses/complaints"},
		"/courses/:slug/lessons/:lesson":        {"/courses/ethics/lessons/" + course.Lessons[0].Slug},
		"/quizzes/:slug":                        {"/quizzes/ethics", "/quizzes/final-exam"},
		"/attempts/:id":                         attempts,
		"/desk/:ws":                             {"/desk/demo", "/desk/" + sb.ID, "/desk/" + done.Sandbox},
		"/desk/:ws/new":                         {"/desk/demo/new", "/desk/" + sb.ID + "/new"},
		"/desk/:ws/tickets/:id":                 {"/desk/demo/tickets/" + open, "/desk/demo/tickets/" + closed, "/desk/" + sb.ID + "/tickets/" + practice.ID},
		"/scenarios/:slug":                      {"/scenarios/water-leak"},
		"/runs/:id":                             {"/runs/" + running.ID},
		"/runs/:id/debrief":                     {"/runs/" + done.ID + "/debrief"},
		"/author/courses/:slug":                 {"/author/courses/ethics"},
		"/author/courses/:slug/lessons/:lesson": {"/author/courses/ethics/lessons/" + course.Lessons[0].Slug},
		"/author/courses/:slug/revisions":       {"/author/courses/ethics/revisions"},
		"/author/courses/:slug/revisions/:n":    {fmt.Sprintf("/author/courses/ethics/revisions/%d", course.Revision)},
		"/author/quizzes/:slug":                 {"/author/quizzes/ethics"},
		"/author/quizzes/:slug/questions/:qid":  {"/author/quizzes/ethics/questions/" + quiz.Questions[0].ID, "/author/quizzes/ethics/questions/new"},
		"/author/cases/:id":                     {"/author/cases/" + tc.ID},
		"/verify/:number":                       {"/verify/" + cert.Number},
		"/programs/:slug":                       {"/programs/desk"},
		"/team/people/:username":                {"/team/people/xiaoxin", "/team/people/liuxue"},
		"/team/quality/agents/:username":        {"/team/quality/agents/agent"},
		"/learners/:username":                   {"/learners/xiaoxin"},
		"/admin/programs/:slug":                 {"/admin/programs/desk"},
		"/admin/sites/:site":                    {"/admin/sites/demo"},
		"/admin/sites/:site/calendar":           {"/admin/sites/demo/calendar"},
		"/sites/:site/robot":                    {"/sites/demo/robot"},
		"/admin/sites/:site/flats/:id":          {"/admin/sites/demo/flats/" + dir.Units[0].ID},
		"/admin/sites/:site/residents/:id":      {"/admin/sites/demo/residents/" + dir.Residents[0].ID},
		"/admin/sites/:site/members/:id":        {"/admin/sites/demo/members/" + dir.Members[0].ID},
	}
}

// crawlCodes are the words that must not reach a page's text: codes of
// states, types, actions, roles, departments, priorities and audit events,
// the site's id, the content's slugs and the directory's ids, and apart
// the crawl's usernames (see crawlLogins). Codes that are also plain
// English words are looked for on Chinese pages only: the same template
// serves both languages, so a code that leaks shows there, while an
// English page may say "closed" as a word.
func crawlCodes(e *env) (always, zhOnly, usernames []string) {
	snap := e.deps.Catalog.Snapshot()
	words := []string{academy.AttemptInProgress, academy.AttemptSubmitted, academy.AttemptExpired, academy.AttemptAbandoned,
		academy.CertValid, academy.CertExpiring, academy.CertExpired, academy.CertRevoked, academy.CertNone,
		academy.RunActive, academy.RunFinished, academy.StatusActive, academy.StatusDisabled,
		academy.DeptService, academy.DeptEngineering, academy.DeptSecurity, academy.DeptCleaning, academy.DeptLandscaping, academy.DeptFinance,
		academy.PriorityUrgent, academy.PriorityHigh, academy.PriorityNormal, academy.PriorityLow,
		academy.ActionNote, academy.ActionMessage, academy.ActionAssign, academy.ActionCreate,
		"complaints", "repairs", "visitors", "renovations", academy.DemoSite.ID,
		academy.AuditLoginOK, academy.AuditLoginFailed, academy.AuditLogout, academy.AuditUserCreated, academy.AuditRolesChanged,
		academy.AuditUserDisabled, academy.AuditUserEnabled, academy.AuditPasswordReset, academy.AuditPasswordOwn, academy.AuditPasswordLink, academy.AuditPasswordByLink, academy.AuditSiteCreated,
		academy.AuditCertIssued, academy.AuditCertRevoked, academy.AuditCertReinstated, academy.AuditLegalName, academy.AuditProgramSaved,
		academy.AuditExtraAttempt, academy.AuditCooldownReset, academy.AuditPhoneRevealed, academy.AuditPhoneSearched}
	words = append(words, academy.Roles...)
	for _, p := range academy.ShippedRules().Procedures {
		words = append(words, p.Type)
		for _, s := range p.States {
			words = append(words, s.ID)
		}
		for _, tr := range p.Transitions {
			words = append(words, tr.Action)
		}
	}
	for _, c := range snap.Active {
		words = append(words, c.Slug)
		for _, l := range c.Lessons {
			words = append(words, l.Slug)
		}
	}
	for slug := range snap.Quizzes {
		words = append(words, slug)
	}
	for slug := range snap.Scenarios {
		words = append(words, slug)
	}
	for slug := range snap.Programs {
		words = append(words, slug)
	}
	dir, _ := academy.DemoDesk(academy.DemoSite.ID, time.Now())
	for _, m := range dir.Members {
		words = append(words, m.ID)
	}
	for _, r := range dir.Residents {
		words = append(words, r.ID)
	}
	slices.Sort(words)
	plain := regexp.MustCompile(`^[a-z]+$`)
	for _, w := range slices.Compact(words) {
		if plain.MatchString(w) {
			zhOnly = append(zhOnly, w)
		} else {
			always = append(always, w)
		}
	}
	// The usernames are no English words: wrong in either language.
	for _, p := range crawlPeople {
		usernames = append(usernames, p.username)
	}
	usernames = append(usernames, crawlCertified.username)
	return always, zhOnly, usernames
}

// crawlLogins are the pages where a username is what belongs: it is shown
// as the name to log in with.
var crawlLogins = map[string]string{
	"/admin/users":           "the list's username column",
	"/admin/users/:username": "the account's username",
	"/account":               "your username",
}

// wordsRE matches any of words standing alone: not inside a longer run of
// letters, digits, _ or - (a Chinese character next to it is a boundary).
func wordsRE(words []string) *regexp.Regexp {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = regexp.QuoteMeta(w)
	}
	return regexp.MustCompile(`(?:^|[^A-Za-z0-9_-])(` + strings.Join(q, "|") + `)(?:[^A-Za-z0-9_-]|$)`)
}

// goDuration is a duration as Go prints it (1h30m0s, 45m, 30s, 2d)
// instead of as people say it.
var goDuration = regexp.MustCompile(`\b\d+h\d+m\b|\b\d+m\d+s\b|\b\d+(h|m|s|d)\b`)

// crawlLook is what the crawl reads off a rendered page.
type crawlLook struct {
	ScrollWidth int      `json:"sw"`
	InnerWidth  int      `json:"iw"`
	Text        string   `json:"text"`
	Wide        []string `json:"wide"`
}

// crawlLookJS reads the page; Wide names the elements that reach past the
// viewport (the innermost, or the one that clips its content), so that a
// failure says what to fix.
const crawlLookJS = `(() => {
	const iw = window.innerWidth;
	const clips = el => getComputedStyle(el).overflowX !== 'visible';
	const wide = [];
	for (const el of document.body.querySelectorAll('*')) {
		const r = el.getBoundingClientRect();
		if (r.right <= iw + 1 || r.width === 0) continue;
		let inside = false;
		for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
			if (clips(p) && p.getBoundingClientRect().right <= iw + 1) { inside = true; break; }
		}
		if (inside) continue;
		if (!clips(el) && [...el.children].some(c => c.getBoundingClientRect().right > iw + 1)) continue;
		const id = el.id ? '#' + el.id : '';
		const cls = el.classList.length ? '.' + [...el.classList].join('.') : '';
		wide.push(el.tagName.toLowerCase() + id + cls + ' (right ' + Math.round(r.right) + ')');
		if (wide.length >= 5) break;
	}
	return {sw: document.documentElement.scrollWidth, iw: iw, text: document.body.innerText, wide: wide};
})()`

// TestBrowserEveryPage is the issue's "done when": every page of every
// role, at phone and desktop size, in Chinese and English, fits the width
// of the screen, shows names instead of codes and durations as people say
// them, and passes axe. Pages come from the route table, so a new page is
// crawled as soon as its parameters have a value here.
func TestBrowserEveryPage(t *testing.T) {
	ctx := chrome(t)
	axe := axeSource(t)
	e := newEnv(t)
	fills := crawlWorld(t, e)
	base := e.listen()
	always, zhOnly, usernames := crawlCodes(e)
	codesAll, codesZh, logins := wordsRE(always), wordsRE(zhOnly), wordsRE(usernames)

	var paths []string
	routeOf := map[string]string{}
	for _, r := range e.srv.Routes() {
		if r.Method != "GET" || strings.HasPrefix(r.Path, "/api/") {
			continue
		}
		if _, skip := crawlSkips[r.Path]; skip {
			continue
		}
		if !strings.ContainsAny(r.Path, ":*") {
			paths = append(paths, r.Path)
			routeOf[r.Path] = r.Path
			continue
		}
		filled, ok := fills[r.Path]
		if !ok {
			t.Errorf("route %s has no parameter values in crawlWorld (or a reason in crawlSkips)", r.Path)
			continue
		}
		paths = append(paths, filled...)
		for _, p := range filled {
			routeOf[p] = r.Path
		}
	}
	for route := range fills {
		if !slices.ContainsFunc(e.srv.Routes(), func(r ahttp.Route) bool { return r.Method == "GET" && r.Path == route }) {
			t.Errorf("crawlWorld fills %s, which is no GET route", route)
		}
	}

	// Which pages each person reads: the ones that answer them, asking as
	// a browser does, with a page.
	opened := map[string]bool{}
	pagesOf := func(who string) []string {
		var out []string
		for _, p := range paths {
			req := httptest.NewRequest("GET", p, nil)
			req.Header.Set("Accept", "text/html,application/xhtml+xml")
			if who != "" {
				req.Header.Set("Authorization", "Bearer "+e.tokens[who])
			}
			res := e.do(req)
			if res.StatusCode >= 500 {
				t.Errorf("%s as %s: %d %s", p, who, res.StatusCode, res.Body)
			}
			if res.StatusCode != 200 {
				continue
			}
			if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("%s as %s answers %s: list it in crawlSkips with the reason", p, who, ct)
				continue
			}
			opened[p] = true
			out = append(out, p)
		}
		return out
	}

	sizes := []struct {
		name string
		w, h int64
	}{{"phone", 390, 844}, {"desktop", 1366, 900}}
	shots := os.Getenv("ACADEMY_ARTIFACTS") != ""
	crawl := func(t *testing.T, who string, pages []string) {
		for _, lang := range []string{"zh", "en"} {
			// The switch in the footer, as people use it; the page it
			// leads to is in the new language once it has loaded.
			step(t, ctx, "open the language switch", chromedp.Navigate(base+pages[0]), chromedp.WaitReady("#lang-select"))
			if now, err := chromedp.Run(ctx, chromedp.Evaluate[string]("document.documentElement.lang")); err != nil || !strings.HasPrefix(now, lang) {
				step(t, ctx, "switch to "+lang, chromedp.SetValue("#lang-select", lang), chromedp.Click(".lang-switch button"),
					chromedp.WaitReady(`html[lang^="`+lang+`"] main`))
			}
			for _, p := range pages {
				step(t, ctx, "open "+p, chromedp.Navigate(base+p), chromedp.WaitReady("main"))
				// One load per page and language: the sizes are media
				// queries, so changing the viewport lays the page out anew.
				for _, size := range sizes {
					name := fmt.Sprintf("%s %s %s %s", who, size.name, lang, p)
					step(t, ctx, "viewport "+size.name, chromedp.EmulateViewport(size.w, size.h))
					sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
					look, err := chromedp.Run(sctx, chromedp.Evaluate[crawlLook](crawlLookJS))
					cancel()
					if err != nil {
						t.Fatalf("%s: read the page: %v", name, err)
					}
					var bad []string
					if look.ScrollWidth > look.InnerWidth {
						bad = append(bad, fmt.Sprintf("scrolls sideways: %d px wide in %d (too wide: %s)", look.ScrollWidth, look.InnerWidth, strings.Join(look.Wide, ", ")))
					}
					found := map[string]bool{}
					for _, m := range codesAll.FindAllStringSubmatch(look.Text, -1) {
						found[m[1]] = true
					}
					if lang == "zh" {
						for _, m := range codesZh.FindAllStringSubmatch(look.Text, -1) {
							found[m[1]] = true
						}
					}
					if _, ok := crawlLogins[routeOf[p]]; !ok {
						for _, m := range logins.FindAllStringSubmatch(look.Text, -1) {
							found[m[1]] = true
						}
					} else {
						// The env's own accounts are named after roles:
						// listed by username, they are no role codes.
						for _, who := range personas {
							delete(found, who.name)
						}
					}
					for code := range found {
						bad = append(bad, fmt.Sprintf("shows the code %q: %s", code, nearby(look.Text, code)))
					}
					for _, m := range goDuration.FindAllString(look.Text, -1) {
						bad = append(bad, fmt.Sprintf("shows a Go duration %q: %s", m, nearby(look.Text, m)))
					}
					if len(bad) > 0 {
						slices.Sort(bad)
						t.Errorf("%s:\n  %s", name, strings.Join(bad, "\n  "))
					}
					// axe judges structure and contrast, which the
					// language does not change: once per size.
					if lang == "zh" {
						audit(t, ctx, axe, name)
					}
					// Pictures nobody keeps would only cost time.
					if shots {
						screenshot(t, ctx, strings.NewReplacer("/", "_", " ", "-").Replace(name))
					}
				}
			}
		}
	}

	t.Run("anonymous", func(t *testing.T) { crawl(t, "anonymous", pagesOf("")) })
	for _, p := range crawlPeople {
		t.Run(p.role, func(t *testing.T) {
			// At phone size the name that shows the login worked is in
			// the folded menu.
			step(t, ctx, "desktop", chromedp.EmulateViewport(1366, 900))
			loginChrome(t, ctx, base, p.username)
			// Also after a failure, so that the next role logs in afresh.
			defer step(t, ctx, "log out", chromedp.Navigate(base+"/account"),
				chromedp.Evaluate[chromedp.Void](`document.querySelector('form[action="/logout"]').submit()`),
				chromedp.WaitVisible("#login-form"))
			crawl(t, p.username, pagesOf(p.username))
		})
	}
	for _, p := range paths {
		if !opened[p] {
			t.Errorf("%s: no role could open it; give its parameters values that exist", p)
		}
	}
}

// nearby is the text near the first s in text, for a failure message.
func nearby(text, s string) string {
	i := strings.Index(text, s)
	if i < 0 {
		return ""
	}
	r := []rune(text[:i])
	from := max(0, len(r)-20)
	after := []rune(text[i:])
	return strings.ReplaceAll(string(r[from:])+string(after[:min(len(after), len([]rune(s))+20)]), "\n", " ⏎ ")
}
