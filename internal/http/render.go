package http

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	nethttp "net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/academy/academy/internal/academy"
)

// page is what every template receives.
type page struct {
	Lang      string
	TitleKey  string
	User      *academy.User
	CSRF      string
	NavHTML   template.HTML
	Active    string
	Flash     string
	Error     string
	RequestID string
	Data      any
	// Sandbox is set on every page of a sandbox desk, for its banner.
	Sandbox    *academy.Sandbox
	SandboxNow time.Time
	// Zone is the zone the page's times are said in: the desk's site's on
	// a desk page, else the viewer's (Accounts.ZoneOf).
	Zone *time.Location
	// Unread is the signed-in person's unread notifications, for the header.
	Unread int
	// navKey names the menu in NavHTML (see navHTML): pages kept whole
	// (see lessonpage.go) are kept per menu.
	navKey string
}

type navItem struct {
	Href, Key string
}

func (s *Server) lang(c *fiber.Ctx) string {
	if u := currentUser(c); u != nil && s.locales.Has(u.Lang) {
		return u.Lang
	}
	if l := c.Cookies(langCookie); s.locales.Has(l) {
		return l
	}
	return s.locales.Negotiate(c.Get(fiber.HeaderAcceptLanguage))
}

func (s *Server) newPage(c *fiber.Ctx, titleKey string) *page {
	p := &page{Lang: s.lang(c), TitleKey: titleKey, User: currentUser(c), RequestID: requestID(c), Active: c.Path()}
	if sess := currentSession(c); sess != nil {
		p.CSRF = sess.CSRF
	}
	if p.User != nil {
		p.NavHTML, p.navKey = s.navHTML(p.Lang, s.nav(p.User), p.Active)
		p.Unread = s.unread(c.UserContext(), p.User)
	}
	p.Zone = s.zone(c)
	if w := currentWorkspace(c); w != nil {
		if w.Zone != nil {
			p.Zone = w.Zone
		}
		if w.Sandbox != nil {
			p.Sandbox, p.SandboxNow = w.Sandbox, w.Now
		}
	}
	// Only known notices are shown, so a crafted link cannot put text of
	// its choosing on our page.
	if f := c.Query("flash"); f != "" && s.locales.Defined("flash."+f) {
		p.Flash = "flash." + f
	}
	return p
}

// nav lists the sections a user's permissions open.
func (s *Server) nav(u *academy.User) []navItem {
	perms := []string{academy.PermLearn, academy.PermTickets, academy.PermSandbox, academy.PermAuthor, academy.PermTrainees,
		academy.PermAssign, academy.PermCerts, academy.PermUsersManage, academy.PermSitesManage, academy.PermPrograms, academy.PermAuditRead}
	can := s.Authz.CanEach(u, "", perms...)
	has := func(perm string) bool { return can[slices.Index(perms, perm)] }
	items := append(make([]navItem, 0, 20), navItem{"/home", "nav.home"})
	if has(academy.PermLearn) {
		items = append(items, navItem{"/courses", "nav.courses"}, navItem{"/quizzes", "nav.quizzes"}, navItem{"/scenarios", "nav.scenarios"})
	}
	if has(academy.PermTickets) || has(academy.PermSandbox) {
		items = append(items, navItem{"/desk", "nav.desk"})
	}
	if has(academy.PermAuthor) {
		items = append(items, navItem{"/author", "nav.author"}, navItem{"/author/quizzes", "nav.author_quizzes"})
	}
	if has(academy.PermTrainees) {
		items = append(items, navItem{"/author/runs", "nav.runs"})
	}
	if has(academy.PermLearn) {
		items = append(items, navItem{"/certificates", "nav.certificates"})
	}
	if has(academy.PermAssign) {
		items = append(items, navItem{"/assignments", "nav.assignments"})
	}
	if has(academy.PermCerts) {
		items = append(items, navItem{"/team", "nav.team"})
	}
	if has(academy.PermUsersManage) {
		items = append(items, navItem{"/admin/users", "nav.users"})
	}
	if has(academy.PermSitesManage) {
		items = append(items, navItem{"/admin/sites", "nav.sites"})
	}
	if has(academy.PermPrograms) {
		items = append(items, navItem{"/admin/programs", "nav.programs"})
	}
	if has(academy.PermAuditRead) {
		items = append(items, navItem{"/admin/audit", "nav.audit"}, navItem{"/admin/xapi", "nav.xapi"})
	}
	return append(items, navItem{"/account", "nav.account"})
}

// navHTML renders the navigation for lang, items and the current path,
// once per combination: there are a handful (roles × languages × the
// section a page belongs to, none for most pages), and executing the
// template's escapers for every link was a fifth of a lesson page's cost.
func (s *Server) navHTML(lang string, items []navItem, active string) (template.HTML, string) {
	var key strings.Builder
	key.WriteString(lang)
	current := ""
	for _, it := range items {
		key.WriteString("\x00" + it.Href)
		if it.Href == active {
			current = active
		}
	}
	key.WriteString("\x00\x00" + current)
	if h, ok := s.navCache.Load(key.String()); ok {
		return h.(template.HTML), key.String()
	}
	var b bytes.Buffer
	data := struct {
		Lang, Active string
		Items        []navItem
	}{lang, current, items}
	if err := s.navTmpl.ExecuteTemplate(&b, "nav", data); err != nil {
		// The template is parsed at start and its data is ours: an error
		// here is a bug, and a page without its menu is better than none.
		s.Logger.Error("render navigation", "err", err)
		return "", key.String()
	}
	h := template.HTML(b.String())
	s.navCache.Store(key.String(), h)
	return h, key.String()
}

func (s *Server) loadTemplates() error {
	tfs := mustSub(s.Web, "templates")
	shared, err := fs.Glob(tfs, "_*.html")
	if err != nil {
		return err
	}
	pages, err := fs.Glob(tfs, "[a-z]*.html")
	if err != nil {
		return err
	}
	nav, err := template.New("nav").Funcs(s.funcs()).ParseFS(tfs, "_nav.html")
	if err != nil {
		return err
	}
	s.navTmpl = nav
	s.pages = map[string]*template.Template{}
	for _, p := range pages {
		name := strings.TrimSuffix(path.Base(p), ".html")
		t, err := template.New(name).Funcs(s.funcs()).ParseFS(tfs, append(shared, p)...)
		if err != nil {
			return err
		}
		s.pages[name] = t
	}
	return nil
}

// deskLabel is the catalog's text for key, or raw where the catalog has
// none (a ticket type or action no procedure knows, in stored data).
func (s *Server) deskLabel(lang, key, raw string) string {
	if s.locales.Defined(key) {
		return s.locales.T(lang, key)
	}
	return raw
}

// ruleLabel is the Chinese label a company's desk rules give something
// they added (a type, state, action or field no catalog knows), else raw.
func (s *Server) ruleLabel(raw, typ, state, action, field string) string {
	if s.DeskRules != nil {
		if l := s.DeskRules.Label(typ, state, action, field); l != "" {
			return l
		}
	}
	return raw
}

func (s *Server) funcs() template.FuncMap {
	return template.FuncMap{
		"t": s.locales.T,
		"static": func(name string) string {
			return "/static/" + name + "?v=" + s.staticVersion
		},
		"join": strings.Join,
		"has":  func(list []string, v string) bool { return slices.Contains(list, v) },
		// date, clock and day say a stored (UTC) time in the zone the page
		// is read in (page.Zone), never the server's.
		"date": func(loc *time.Location, t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.In(loc).Format("2006-01-02 15:04")
		},
		"clock": func(loc *time.Location, t time.Time) string { return t.In(loc).Format("15:04:05") },
		"add":   func(a, b int) int { return a + b },
		"sub":   func(a, b int) int { return a - b },
		// lessonPath turns a course/lesson reference into its page path.
		"lessonPath": func(ref string) string {
			course, lesson, _ := strings.Cut(ref, "/")
			return course + "/lessons/" + lesson
		},
		"roles": func() []string { return academy.Roles },
		// nameOf is the name a page's Names map gives key (a username, a
		// member id), or key where it has none.
		"nameOf": func(names map[string]string, key string) string {
			if n := names[key]; n != "" {
				return n
			}
			return key
		},
		// title names a course, quiz or scenario by its slug; a slug no
		// content has any more (stored history) is shown as it is.
		"title": func(kind, slug string) string {
			if t := s.Catalog.Title(kind, slug); t != "" {
				return t
			}
			return slug
		},
		// dict passes several values to a partial template.
		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				k, _ := kv[i].(string)
				m[k] = kv[i+1]
			}
			return m
		},
		"seq": func(n int) []int {
			out := make([]int, n)
			for i := range out {
				out[i] = i
			}
			return out
		},
		"idx": func(list []string, i int) string {
			if i < len(list) {
				return list[i]
			}
			return ""
		},
		"pct":         func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) },
		"deref":       func(b *bool) bool { return b != nil && *b },
		"list":        func(v ...string) []string { return v },
		"departments": func() any { return academy.ShippedRules().Departments },
		// deptLabel names a department of a ticket's rules: the catalog's
		// name for the shipped ones, the rules' own for one a company added.
		"deptLabel": func(lang string, d academy.Department) string { return s.deskLabel(lang, "dept."+d.ID, d.Name) },
		// Procedures carry their Chinese labels; the catalogs name ticket
		// types, states and actions in every language
		// (TestDeskLabelsInBothLanguages keeps them complete).
		"typeLabel": func(lang, typ string) string {
			return s.deskLabel(lang, "desk.type."+typ, s.ruleLabel(typ, typ, "", "", ""))
		},
		"stateLabel": func(lang, typ, state string) string {
			return s.deskLabel(lang, "desk.state."+typ+"."+state, s.ruleLabel(state, typ, state, "", ""))
		},
		// Actions every ticket has (note, message, ...) are named once;
		// the procedure's own per type.
		"actionLabel": func(lang, typ, action string) string {
			return s.deskLabel(lang, "desk.action."+action, s.deskLabel(lang, "desk.action."+typ+"."+action, s.ruleLabel(action, typ, "", action, "")))
		},
		"fieldLabel": func(lang, name string) string {
			// The procedures carry Chinese labels only, and the create event
			// records ticket attributes (channel) that no transition asks
			// for, so labels come from the catalogs: the facts card's label
			// where the field is one of the ticket's facts, so that both say
			// the same thing.
			for _, key := range []string{"desk.field." + name, factLabels[name]} {
				if key != "" && s.locales.Defined(key) {
					return s.locales.T(lang, key)
				}
			}
			return s.ruleLabel(academy.FieldLabel(name), "", "", "", name)
		},
		"fieldValue": func(lang, typ, action, name, v string) string {
			switch name {
			case "department", "priority", "channel":
				if key := map[string]string{"department": "dept.", "priority": "prio.", "channel": "channel."}[name] + v; s.locales.Defined(key) {
					return s.locales.T(lang, key)
				}
				return v
			}
			if academy.FieldKind(academy.ProcedureOf(typ), action, name) == academy.FieldTime {
				// Stored as typed (a datetime-local input posts
				// "2006-01-02T15:04", the site's wall clock): read and
				// said in the same zone, it shows as typed, the way the
				// page shows every other time.
				if t, err := academy.ParseDeskTime(v, time.UTC); err == nil {
					return t.Format("2006-01-02 15:04")
				}
			}
			return v
		},
		// dur says a duration in words ("1 小时 30 分钟", "2 hours");
		// minutes turns a count of minutes (a lesson's length) into one.
		"dur":     s.locales.Duration,
		"minutes": func(n int) time.Duration { return time.Duration(n) * time.Minute },
		// durWords gives a script that counts down the same words as dur.
		"durWords": func(lang string) string {
			b, _ := json.Marshal(s.locales.DurationWords(lang))
			return string(b)
		},
		// n is t for a count, with the singular where the language has one.
		"n":        s.locales.N,
		"zone":     s.zoneName,
		"reqCells": reqCells,
		"day": func(loc *time.Location, v any) string {
			switch t := v.(type) {
			case time.Time:
				return t.In(loc).Format("2006-01-02")
			case *time.Time:
				if t != nil {
					return t.In(loc).Format("2006-01-02")
				}
			}
			return "—"
		},
	}
}

// factLabels are the event fields that are also facts of the ticket, with
// the catalog key the facts card labels them by.
var factLabels = map[string]string{"channel": "desk.channel", "priority": "desk.priority", "department": "desk.department", "assignee": "desk.assignee"}

func (s *Server) render(c *fiber.Ctx, name string, p *page) error {
	return s.renderStatus(c, fiber.StatusOK, name, p)
}

func (s *Server) renderStatus(c *fiber.Ctx, status int, name string, p *page) error {
	t, ok := s.pages[name]
	if !ok {
		return academy.Errorf(academy.EINTERNAL, "no template %q", name)
	}
	// Form errors come from the domain in both languages.
	p.Error = academy.MessageIn(p.Lang, p.Error)
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Type("html", "utf-8")
	return c.Status(status).Send(buf.Bytes())
}

// redirectFlash sends the browser to href with a translated notice key.
func redirectFlash(c *fiber.Ctx, href, flashKey string) error {
	sep := "?"
	if strings.Contains(href, "?") {
		sep = "&"
	}
	return c.Redirect(href+sep+"flash="+flashKey, fiber.StatusSeeOther)
}

func hashFS(fsys fs.FS) (string, error) {
	h := sha256.New()
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		h.Write([]byte(p))
		h.Write(b)
		return err
	})
	return hex.EncodeToString(h.Sum(nil))[:12], err
}

func fsHTTP(fsys fs.FS) nethttp.FileSystem { return nethttp.FS(fsys) }

// zone is the zone the signed-in user reads times in (their site's, else
// the company's); the company's for a visitor.
func (s *Server) zone(c *fiber.Ctx) *time.Location {
	return s.Accounts.ZoneOf(c.UserContext(), currentUser(c))
}

// zoneName names a time zone as its readers say it, with its offset now
// ("乌鲁木齐时间（UTC+6）"); a zone the catalog has no name for keeps its
// IANA id.
func (s *Server) zoneName(lang, tz string) string {
	name := s.locales.T(lang, "zone."+tz)
	if name == "zone."+tz {
		name = tz
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return name
	}
	_, off := time.Now().In(loc).Zone()
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	utc := fmt.Sprintf("UTC%s%d", sign, off/3600)
	if m := off % 3600 / 60; m != 0 {
		utc += fmt.Sprintf(":%02d", m)
	}
	return s.locales.T(lang, "zone.with_offset", name, utc)
}
