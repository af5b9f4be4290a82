package http

import (
	"bytes"
	"cmp"
	"context"
	"crypto/ed25519"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/badge"
	"github.com/academy/academy/internal/pdf"
	"github.com/academy/academy/internal/xapi"
)

// OutboxLister lists xAPI statements for admins.
type OutboxLister interface {
	List(ctx context.Context, sent bool, offset, limit int) ([]xapi.Entry, int, error)
}

func (s *Server) registerCertRoutes(get, post string) {
	learn, certs := perm(academy.PermLearn), perm(academy.PermCerts)
	s.handle(get, "/certificates", learn, s.myCertificates)
	s.handle(get, "/certificates/:number/pdf", loggedIn, s.certificatePDF)
	s.handle(get, "/certificates/:number/credential", loggedIn, s.certificateCredential)
	s.handle(post, "/certificates/:number/revoke", certs, s.certificateRevoke)
	s.handle(post, "/certificates/:number/reinstate", certs, s.certificateReinstate)
	s.handle(get, "/verify", public, s.verifyLookup)
	s.handle(get, "/verify/:number", public, s.verifyPage)
	s.handle(get, "/verify/:number/status", public, s.credentialStatus)
	s.handle(get, "/credentials/status/:list", public, s.statusList)
	s.handle(get, "/issuer", public, s.issuerProfile)
	s.handle(get, "/programs/:slug", public, s.achievement)
	s.handle(get, "/team", certs, s.teamPage)
	s.handle(get, "/team/export/:format", certs, s.teamExport)
	s.handle(get, "/team/people/:username", certs, s.teamPerson)
	s.handle(get, "/team/weak-spots", certs, s.teamWeakSpots)
	s.handle(get, "/admin/xapi", perm(academy.PermAuditRead), s.adminXAPI)
}

func (s *Server) verifyURL(number string) string {
	return strings.TrimRight(s.PublicURL, "/") + "/verify/" + number
}

// myCertificates shows the learner's programs. It also runs the check, so a
// certificate whose issuing failed halfway is issued on the next visit.
func (s *Server) myCertificates(c *fiber.Ctx) error {
	st, err := s.Certifier.Refresh(c.UserContext(), currentUser(c))
	if err != nil {
		return err
	}
	admins := ""
	if slices.ContainsFunc(st, func(x academy.Standing) bool { return x.NeedsLegalName }) {
		// Whom to ask: the administrators, by name.
		users, _, err := s.Accounts.Users.ListUsers(c.UserContext(), academy.UserFilter{Role: academy.RoleAdmin, Limit: 5})
		if err != nil {
			return err
		}
		var names []string
		for _, u := range users {
			if u.Status == academy.StatusActive {
				names = append(names, u.DisplayName)
			}
		}
		admins = strings.Join(names, "、")
	}
	pg := s.newPage(c, "cert.title")
	pg.Data = map[string]any{"Standings": st, "Now": s.Certifier.Now(), "Window": s.Certifier.Window, "Admins": admins}
	return s.render(c, "certificates", pg)
}

func (s *Server) certificatePDF(c *fiber.Ctx) error {
	cert, holder, err := s.Certifier.Open(c.UserContext(), currentUser(c), c.Params("number"))
	if err != nil {
		return err
	}
	w := s.programWording(cert)
	// The document is the holder's: its dates are days where they work,
	// whoever downloads it.
	b, err := pdf.Render(pdf.Certificate{Number: cert.Number, Holder: cert.Holder, Program: cert.ProgramName, Issuer: s.Issuer.Name,
		IssuedAt: cert.IssuedAt, ExpiresAt: cert.ExpiresAt, Zone: s.Accounts.ZoneOf(c.UserContext(), holder), VerifyURL: s.verifyURL(cert.Number),
		Criteria: w.SummaryZH, CriteriaEN: w.SummaryEN})
	if err != nil {
		return academy.Errorf(academy.EINVALID, "证书 PDF 无法生成 / The certificate PDF cannot be made: %v", err)
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, attachment(cert.Number+".pdf"))
	return c.Send(b)
}

// programWording says what cert's program requires; a program archived
// since is described by what the catalog still holds of it.
func (s *Server) programWording(cert *academy.Certificate) academy.Wording {
	p := s.Catalog.Snapshot().Programs[cert.Program]
	if p == nil {
		p = &academy.Program{Slug: cert.Program, Name: cert.ProgramName}
	}
	return p.Wording(s.Catalog.Title)
}

// certificateCredential hands out the credential signed at issue, byte
// for byte the same at every download.
func (s *Server) certificateCredential(c *fiber.Ctx) error {
	b, cert, err := s.Certifier.Credential(c.UserContext(), currentUser(c), c.Params("number"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/ld+json")
	c.Set(fiber.HeaderContentDisposition, attachment(cert.Number+".json"))
	return c.Send(b)
}

// statusList publishes a signed Bitstring Status List, which outside
// verifiers read to learn whether a credential was revoked.
func (s *Server) statusList(c *fiber.Ctx) error {
	n, err := strconv.Atoi(c.Params("list"))
	if err != nil || n < 1 {
		return academy.Errorf(academy.ENOTFOUND, "没有这份撤销清单 / No such revocation list.")
	}
	b, err := s.Certifier.StatusList(c.UserContext(), n)
	if err != nil {
		return err
	}
	// A revocation must show at once: caches ask again every time.
	c.Set(fiber.HeaderCacheControl, "no-cache")
	c.Set(fiber.HeaderContentType, "application/ld+json")
	return c.Send(b)
}

func attachment(name string) string {
	return `attachment; filename="` + name + `"`
}

func (s *Server) certificateRevoke(c *fiber.Ctx) error {
	cert, err := s.Certifier.Revoke(c.UserContext(), currentUser(c), c.Params("number"), c.FormValue("reason"), clientIP(c))
	if err != nil {
		return err
	}
	return redirectFlash(c, "/team/people/"+url.PathEscape(cert.Username), "cert_revoked")
}

func (s *Server) certificateReinstate(c *fiber.Ctx) error {
	cert, err := s.Certifier.Reinstate(c.UserContext(), currentUser(c), c.Params("number"), c.FormValue("reason"), clientIP(c))
	if err != nil {
		return err
	}
	return redirectFlash(c, "/team/people/"+url.PathEscape(cert.Username), "cert_reinstated")
}

// verifierWantsJSON tells a verifier from a person. The status URLs are
// read by programs only; on the verify page a verifier asks for data by
// ?format=json or by Accept, and people who scan the QR code (browsers,
// or no Accept at all) get the page. handleError asks it too: a number
// refused for its shape never reaches the handlers.
func verifierWantsJSON(c *fiber.Ctx) bool {
	p := c.Path()
	switch {
	case strings.HasPrefix(p, "/credentials/status/"), strings.HasPrefix(p, "/verify/") && strings.HasSuffix(p, "/status"):
		return true
	case strings.HasPrefix(p, "/verify/"):
		return c.Query("format") == "json" || c.Accepts(fiber.MIMETextHTML, fiber.MIMEApplicationJSON) == fiber.MIMEApplicationJSON
	}
	return false
}

// verifyLookup is where people type a certificate number from a paper
// certificate: the form goes to /verify/{number}; a number of the wrong
// shape is refused here, saying what a number looks like.
func (s *Server) verifyLookup(c *fiber.Ctx) error {
	pg := s.newPage(c, "verify.title")
	number := strings.ToUpper(strings.TrimSpace(c.Query("number")))
	if _, asked := c.Queries()["number"]; !asked {
		pg.Data = map[string]any{"Lookup": true}
		return s.render(c, "verify", pg)
	}
	if err := academy.CheckIdent(academy.IdentCertificate, "number", number); err != nil {
		pg.Data = map[string]any{"Lookup": true, "Number": c.Query("number"), "Malformed": true}
		return s.renderStatus(c, fiber.StatusBadRequest, "verify", pg)
	}
	return c.Redirect("/verify/"+url.PathEscape(number), fiber.StatusSeeOther)
}

// verifyPage is public: it says whether a certificate is genuine and in
// force, and nothing else about its holder.
func (s *Server) verifyPage(c *fiber.Ctx) error {
	asJSON := verifierWantsJSON(c)
	pg := s.newPage(c, "verify.title")
	cert, err := s.Certifier.Verify(c.UserContext(), c.Params("number"))
	if academy.ErrorCode(err) == academy.ENOTFOUND && !asJSON {
		pg.Data = map[string]any{"Number": c.Params("number")}
		return s.renderStatus(c, fiber.StatusNotFound, "verify", pg)
	} else if err != nil {
		return err
	}
	status := cert.StatusAt(s.Certifier.Now(), s.Certifier.Window)
	if asJSON {
		return c.JSON(fiber.Map{"number": cert.Number, "holder": cert.Holder, "program": cert.ProgramName,
			"issued_at": cert.IssuedAt, "expires_at": cert.ExpiresAt, "status": status})
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	pg.Data = map[string]any{"Cert": cert, "Status": status, "Number": cert.Number}
	return s.render(c, "verify", pg)
}

// credentialStatus answers the credentialStatus URL of a credential.
func (s *Server) credentialStatus(c *fiber.Ctx) error {
	cert, err := s.Certifier.Verify(c.UserContext(), c.Params("number"))
	if err != nil {
		return err
	}
	out := fiber.Map{"id": s.verifyURL(cert.Number) + "/status", "status": cert.StatusAt(s.Certifier.Now(), s.Certifier.Window),
		"revoked": !cert.RevokedAt.IsZero()}
	if !cert.RevokedAt.IsZero() {
		out["revoked_at"] = cert.RevokedAt
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(out)
}

// wantsHTML reports whether the client asked for a page rather than data.
// People get the page: browsers send text/html, and a link opened by a
// mail or PDF reader may send just */*. Verifiers get JSON: they ask for
// it (Accept: application/ld+json or application/json, or ?format=json),
// and a program that sends no Accept at all is a verifier too, as the
// ids in credentials already issued must keep answering them with JSON.
func wantsHTML(c *fiber.Ctx) bool {
	c.Vary(fiber.HeaderAccept)
	switch c.Query("format") {
	case "json":
		return false
	case "html":
		return true
	}
	if strings.TrimSpace(c.Get(fiber.HeaderAccept)) == "" {
		return false
	}
	return c.Accepts("text/html", "application/ld+json", "application/json") == "text/html"
}

// issuerProfile publishes the issuer and its public key, so that anyone
// can check a credential's signature: a page for people, the profile
// document for machines.
func (s *Server) issuerProfile(c *fiber.Ctx) error {
	if wantsHTML(c) {
		pg := s.newPage(c, "issuer.title")
		profile, err := json.MarshalIndent(s.Issuer.Profile(), "", "  ")
		if err != nil {
			return err
		}
		pg.Data = map[string]any{"Issuer": s.Issuer, "Profile": string(profile),
			"Key": badge.PublicKeyMultibase(s.Issuer.Key.Public().(ed25519.PublicKey))}
		return s.render(c, "issuer", pg)
	}
	c.Set(fiber.HeaderContentType, "application/ld+json")
	return c.JSON(s.Issuer.Profile())
}

// achievement is the program a credential's achievement.id names: a page
// for people, the Open Badges Achievement for machines.
func (s *Server) achievement(c *fiber.Ctx) error {
	p := s.Catalog.Snapshot().Programs[c.Params("slug")]
	if p == nil {
		return academy.Errorf(academy.ENOTFOUND, "认证项目不存在 / No certification program %q.", c.Params("slug"))
	}
	w := p.Wording(s.Catalog.Title)
	if wantsHTML(c) {
		pg := s.newPage(c, "achievement.title")
		pg.Data = map[string]any{"P": p, "W": w}
		return s.render(c, "achievement", pg)
	}
	id := strings.TrimRight(s.PublicURL, "/") + "/programs/" + url.PathEscape(p.Slug)
	c.Set(fiber.HeaderContentType, "application/ld+json")
	return c.JSON(fiber.Map{
		"@context": []string{badge.ContextVC, badge.ContextOB}, "id": id, "type": []string{"Achievement"},
		"name": p.Name, "description": p.Description,
		"criteria": fiber.Map{"id": id, "narrative": w.DetailZH + "\n\n" + w.DetailEN},
		"creator":  fiber.Map{"id": s.Issuer.ID, "type": []string{"Profile"}, "name": s.Issuer.Name},
	})
}

// teamQuery is the dashboard's filter.
type teamQuery struct {
	Site, Role, Cohort, Program string
}

func (q teamQuery) values() url.Values {
	return url.Values{"program": {q.Program}, "site": {q.Site}, "role": {q.Role}, "cohort": {q.Cohort}}
}

// teamView is a dashboard's scope: the filters, the manager's sites, the
// program, and the people in scope with the evidence about them.
type teamView struct {
	Q        teamQuery
	Sites    []*academy.Site
	Program  *academy.Program
	Evidence *academy.TeamEvidence
	People   []*academy.User
}

// rows assesses the people in scope; nil without a program.
func (s *Server) rows(v *teamView) []academy.TeamRow {
	if v.Program == nil {
		return nil
	}
	return s.Certifier.Team(v.Evidence, v.People, v.Program)
}

// teamScope reads the dashboard's filters and finds the program and the
// people in scope: the active, non-admin accounts of the manager's sites,
// from the team evidence (see academy.TeamBoard).
func (s *Server) teamScope(c *fiber.Ctx) (*teamView, error) {
	q := teamQuery{Site: c.Query("site"), Role: c.Query("role"), Cohort: c.Query("cohort"), Program: c.Query("program")}
	return s.teamFor(c, q, c.Query("refresh") == "1")
}

// teamFor finds the program and the people in scope of q; refresh asks
// for evidence gathered now.
func (s *Server) teamFor(c *fiber.Ctx, q teamQuery, refresh bool) (*teamView, error) {
	v := &teamView{Q: q}
	u := currentUser(c)
	all, err := s.Accounts.Sites.ListSites(c.UserContext())
	if err != nil {
		return nil, err
	}
	for _, site := range all {
		if s.Authz.Can(u, site.ID, academy.PermCerts) {
			v.Sites = append(v.Sites, site)
		}
	}
	if q.Site != "" && !slices.ContainsFunc(v.Sites, func(x *academy.Site) bool { return x.ID == q.Site }) {
		return nil, academy.Errorf(academy.ENOTFOUND, "site: %q 不是您负责的项目 / %q is not one of your sites", q.Site, q.Site)
	}
	if q.Role != "" && !slices.Contains(academy.Roles, q.Role) {
		return nil, academy.Errorf(academy.EINVALID, "role: %q 不是角色 / %q is not a role", q.Role, q.Role)
	}
	if q.Cohort != "" {
		if _, err := time.Parse("2006-01", q.Cohort); err != nil {
			return nil, academy.Errorf(academy.EINVALID, "cohort: %q 不是 2026-03 这样的月份 / %q is not a month like 2026-03", q.Cohort, q.Cohort)
		}
	}
	progs := s.Catalog.Snapshot().ActivePrograms
	if len(progs) == 0 {
		return v, nil
	}
	prog := academy.WorkProgram(progs)
	if q.Program != "" {
		i := slices.IndexFunc(progs, func(p *academy.Program) bool { return p.Slug == q.Program })
		if i < 0 {
			return nil, academy.Errorf(academy.ENOTFOUND, "program: 没有认证项目 %q / no program %q", q.Program, q.Program)
		}
		prog = progs[i]
	}
	v.Program, v.Q.Program = prog, prog.Slug
	v.Evidence, err = s.TeamBoard.Evidence(c.UserContext(), refresh)
	if err != nil {
		return nil, err
	}
	for _, p := range v.Evidence.Users {
		if !p.OnTeam(v.Evidence.At, s.Accounts.ZoneOf(c.UserContext(), p)) || (q.Role != "" && !slices.Contains(p.Roles, q.Role)) {
			continue
		}
		inScope := slices.ContainsFunc(p.Sites, func(id string) bool {
			return (q.Site == "" || id == q.Site) && slices.ContainsFunc(v.Sites, func(x *academy.Site) bool { return x.ID == id })
		})
		if !inScope || (q.Cohort != "" && p.HireDate.Month() != q.Cohort) {
			continue
		}
		v.People = append(v.People, p)
	}
	return v, nil
}

// teamColumn is one requirement column of the matrix.
type teamColumn struct {
	Kind, Ref, Title string
	Met              int // how many people met it
	Percent          int
}

func (s *Server) teamColumns(prog *academy.Program, rows []academy.TeamRow) []teamColumn {
	snap := s.Catalog.Snapshot()
	var cols []teamColumn
	for _, r := range prog.Requirements.Status(academy.Evidence{}, nil, time.Time{}) {
		col := teamColumn{Kind: r.Kind, Ref: r.Ref, Title: r.Ref}
		switch r.Kind {
		case "course":
			if cc := snap.Course(r.Ref); cc != nil {
				col.Title = cc.Title
			}
		case "quiz":
			if q := snap.Quizzes[r.Ref]; q != nil {
				col.Title = q.Title
			}
		case "scenario":
			if sc := snap.Scenarios[r.Ref]; sc != nil {
				col.Title = sc.Title
			}
		}
		cols = append(cols, col)
	}
	for _, row := range rows {
		if row.Standing.Renewing {
			continue // their cells show renewal work, not these columns
		}
		for i, r := range row.Standing.Reqs {
			if i < len(cols) && r.Done {
				cols[i].Met++
			}
		}
	}
	for i := range cols {
		if len(rows) > 0 {
			cols[i].Percent = cols[i].Met * 100 / len(rows)
		}
	}
	return cols
}

func (s *Server) teamPage(c *fiber.Ctx) error {
	v, err := s.teamScope(c)
	if err != nil {
		return err
	}
	rows := s.rows(v)
	q := v.Q
	pg := s.newPage(c, "team.title")
	// Counts and charts cover everyone; the matrix and the name lists show
	// a page of them, as a table of thousands of rows helps nobody (the
	// exports have them all).
	off, lim := academy.ClampPage(c.QueryInt("offset"), c.QueryInt("limit", 100))
	filters := q.values()
	data := map[string]any{"Q": q, "Sites": v.Sites, "Program": v.Program, "Programs": s.Catalog.Snapshot().ActivePrograms,
		"Rows": rows[min(off, len(rows)):min(off+lim, len(rows))], "Total": len(rows),
		"Pager": newPager(filters, "/team", off, lim, len(rows)), "Fresh": s.freshness(c, v, "/team", filters)}
	if prog := v.Program; prog != nil {
		var expiring, overdue []academy.TeamRow
		for _, r := range rows {
			if r.Overdue {
				overdue = append(overdue, r)
			} else if r.Standing.Status == academy.CertExpiring {
				expiring = append(expiring, r)
			}
		}
		cols := s.teamColumns(prog, rows)
		data["Columns"] = cols
		data["Expiring"], data["ExpiringTotal"] = expiring[:min(len(expiring), teamListed)], len(expiring)
		data["Overdue"], data["OverdueTotal"] = overdue[:min(len(overdue), teamListed)], len(overdue)
		data["Timeline"] = certTimeline(rows, v.Evidence.At)
	}
	pg.Data = data
	return s.render(c, "team", pg)
}

// reqCells writes the matrix cells of one person's requirements. A page
// of the team matrix has a hundred rows of up to twenty of them, and
// through the template each cell cost three escaper calls by reflection:
// they were most of the dashboard's CPU.
func reqCells(reqs []academy.ReqStatus) template.HTML {
	var b strings.Builder
	for _, r := range reqs {
		class, text := "todo", "—"
		if r.Done {
			class, text = "done", "✓"
		} else if r.Detail != "" {
			text = template.HTMLEscapeString(r.Detail)
		}
		b.WriteString(`<td class="` + class + `" title="` + template.HTMLEscapeString(r.Detail) + `">` + text + `</td>`)
	}
	return template.HTML(b.String())
}

// teamListed is how many names the overdue and expiring lists show.
const teamListed = 30

// freshness tells when a dashboard's evidence was gathered, with a link
// that gathers it again; nil when every view gathers it.
type freshness struct {
	At             time.Time
	Every, Refresh string
}

func (s *Server) freshness(c *fiber.Ctx, v *teamView, path string, filters url.Values) *freshness {
	if v.Evidence == nil || s.TeamBoard.MaxAge <= 0 {
		return nil
	}
	q := url.Values{}
	for k, vs := range filters {
		if len(vs) > 0 && vs[0] != "" {
			q.Set(k, vs[0])
		}
	}
	q.Set("refresh", "1")
	every := s.locales.Duration(s.lang(c), s.TeamBoard.MaxAge)
	return &freshness{At: v.Evidence.At, Every: every, Refresh: path + "?" + q.Encode()}
}

// teamWeakSpots has its own page: it ranks every graded question and run
// check of the team, which the dashboard itself does not need.
func (s *Server) teamWeakSpots(c *fiber.Ctx) error {
	v, err := s.teamScope(c)
	if err != nil {
		return err
	}
	pg := s.newPage(c, "team.weak_title")
	data := map[string]any{"Q": v.Q, "Program": v.Program}
	if v.Program != nil {
		data["WeakQuestions"], data["WeakChecks"] = v.Evidence.WeakSpots(v.People, v.Program, s.Catalog.Snapshot().Quizzes, 15)
		data["Fresh"] = s.freshness(c, v, "/team/weak-spots", v.Q.values())
	}
	pg.Data = data
	return s.render(c, "team_weak", pg)
}

// teamTable is the dashboard as rows for the exports, in lang: names,
// site names and status words rather than codes. A date is a time.Time
// (midnight UTC of the day in loc, the reader's zone), so that a
// spreadsheet gets a date cell and CSV its ISO form; every other cell is
// text.
func (s *Server) teamTable(lang string, loc *time.Location, prog *academy.Program, rows []academy.TeamRow, sites map[string]string) [][]any {
	t := func(key string) string { return s.locales.T(lang, key) }
	head := []any{t("export.username"), t("export.name"), t("export.sites"), t("export.hired"), t("export.status"),
		t("export.number"), t("export.expires"), t("export.done"), t("export.overdue")}
	cols := s.teamColumns(prog, rows)
	for _, col := range cols {
		head = append(head, col.Title)
	}
	out := [][]any{head}
	for _, r := range rows {
		st := r.Standing
		var number string
		var expires, hired any = "", ""
		if st.Current != nil {
			number, expires = st.Current.Number, exportDate(st.Current.ExpiresAt, loc)
		}
		if r.User.HireDate != "" {
			// A hire date is a day already: midnight UTC of it is its cell.
			hired = r.User.HireDate.Start(time.UTC)
		}
		overdue := ""
		if r.Overdue {
			overdue = t("export.yes")
		}
		names := make([]string, len(r.User.Sites))
		for i, id := range r.User.Sites {
			names[i] = cmp.Or(sites[id], id)
		}
		line := []any{r.User.Username, r.User.DisplayName, strings.Join(names, t("list.sep")), hired, t("cert.status." + st.Status),
			number, expires, fmt.Sprintf("%d/%d", st.Done, st.Total), overdue}
		for i := range cols {
			cell := ""
			if i < len(st.Reqs) && !st.Renewing {
				cell = "✗"
				if st.Reqs[i].Done {
					cell = "✓ " + st.Reqs[i].At.In(loc).Format("2006-01-02")
				} else if st.Reqs[i].Detail != "" {
					cell = "✗ " + st.Reqs[i].Detail
				}
			}
			line = append(line, cell)
		}
		out = append(out, line)
	}
	return out
}

// exportDate is the day t falls on in loc as a date without a time: a
// spreadsheet shows a time.Time at midnight UTC as that day, whatever its
// own zone.
func exportDate(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// countedAt says when the figures of an export were gathered, with the
// zone, so that a file read later or elsewhere is not misread.
func countedAt(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("2006-01-02 15:04 (UTC-07:00)")
}

// spreadsheetText keeps a CSV cell from being read as a formula: a
// spreadsheet evaluates text that starts with = + - @ (or a tab or CR
// before one), so a display name "=HYPERLINK(…)" would run when a manager
// opens the export. The leading apostrophe is what spreadsheets take as
// "this is text".
func spreadsheetText(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

func (s *Server) teamExport(c *fiber.Ctx) error {
	format := c.Params("format")
	if format != "csv" && format != "xlsx" {
		return academy.Errorf(academy.ENOTFOUND, "format: %q 不是 csv 或 xlsx / %q is not csv or xlsx", format, format)
	}
	v, err := s.teamScope(c)
	if err != nil {
		return err
	}
	prog, rows := v.Program, s.rows(v)
	if prog == nil {
		return academy.Errorf(academy.ENOTFOUND, "没有生效的认证项目 / no certification program is in force")
	}
	lang := s.lang(c)
	sites, err := s.siteNames(c.UserContext())
	if err != nil {
		return err
	}
	// The first line says when the figures were counted: the dashboard
	// may be minutes old, and a file is read long after.
	// It is as wide as the table, so that a strict CSV reader takes the file.
	loc := s.zone(c)
	table := s.teamTable(lang, loc, prog, rows, sites)
	first := make([]any, len(table[0]))
	for i := range first {
		first[i] = ""
	}
	first[0], first[1] = s.locales.T(lang, "export.counted"), countedAt(v.Evidence.At, loc)
	table = append([][]any{first}, table...)
	name := "team-" + prog.Slug + "-" + s.Certifier.Now().In(loc).Format("20060102")
	var buf bytes.Buffer
	if format == "csv" {
		// The byte-order mark is what makes Excel read the file as UTF-8
		// instead of the system code page, which garbles Chinese.
		buf.WriteString("\ufeff")
		w := csv.NewWriter(&buf)
		for _, line := range table {
			safe := make([]string, len(line))
			for j, v := range line {
				if d, ok := v.(time.Time); ok {
					safe[j] = d.Format("2006-01-02")
				} else {
					safe[j] = spreadsheetText(v.(string))
				}
			}
			if err := w.Write(safe); err != nil {
				return err
			}
		}
		if w.Flush(); w.Error() != nil {
			return w.Error()
		}
		c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	} else {
		f := excelize.NewFile()
		defer f.Close()
		sheet := s.locales.T(lang, "export.sheet")
		if err := f.SetSheetName("Sheet1", sheet); err != nil {
			return err
		}
		dateFormat := "yyyy-mm-dd"
		date, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFormat})
		if err != nil {
			return err
		}
		// SetSheetRow writes Go strings as text cells, never as formulas,
		// so names such as "=HYPERLINK(…)" stay text without a prefix;
		// dates become date cells shown as 2026-12-31.
		for i, line := range table {
			cell, err := excelize.CoordinatesToCellName(1, i+1)
			if err != nil {
				return err
			}
			if err := f.SetSheetRow(sheet, cell, &line); err != nil {
				return err
			}
			for j, v := range line {
				if _, ok := v.(time.Time); !ok {
					continue
				}
				at, err := excelize.CoordinatesToCellName(j+1, i+1)
				if err != nil {
					return err
				}
				if err := f.SetCellStyle(sheet, at, at, date); err != nil {
					return err
				}
			}
		}
		if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
		if err := f.Write(&buf); err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	}
	c.Set(fiber.HeaderContentDisposition, attachment(name+"."+format))
	return c.Send(buf.Bytes())
}

// teamPerson is the drill-down: every program, attempts and runs of one
// person the manager follows.
func (s *Server) teamPerson(c *fiber.Ctx) error {
	p, err := s.Accounts.Users.FindUser(c.UserContext(), c.Params("username"))
	if err != nil {
		return err
	}
	if !s.Certifier.CanManage(currentUser(c), p) {
		return academy.UserNotFound(c.Params("username"))
	}
	st, err := s.Certifier.Standings(c.UserContext(), p)
	if err != nil {
		return err
	}
	rec, err := s.Examiner.Attempts.FindRecord(c.UserContext(), p.ID)
	if err != nil {
		return err
	}
	runs, err := s.Coach.Runs.ListRuns(c.UserContext(), p.ID)
	if err != nil {
		return err
	}
	var certs []*academy.Certificate
	for _, prog := range s.Catalog.Snapshot().ActivePrograms {
		as, err := s.Certifier.Awards(c.UserContext(), p.ID, prog.Slug)
		if err != nil {
			return err
		}
		certs = append(certs, as...)
	}
	type attemptRow struct {
		Quiz string
		academy.AttemptSummary
	}
	var attempts []attemptRow
	for slug, h := range rec.Quizzes {
		for _, a := range h.List() {
			attempts = append(attempts, attemptRow{slug, a})
		}
	}
	slices.SortFunc(attempts, func(a, b attemptRow) int { return b.StartedAt.Compare(a.StartedAt) })
	pg := s.newPage(c, "team.person")
	pg.Data = map[string]any{"Person": p, "Standings": st, "Certs": certs, "Attempts": attempts, "Runs": runs,
		"Now": s.Certifier.Now(), "Window": s.Certifier.Window}
	return s.render(c, "team_person", pg)
}

func (s *Server) adminXAPI(c *fiber.Ctx) error {
	sent := c.Query("sent") == "1"
	offset, _ := strconv.Atoi(c.Query("offset"))
	offset = max(offset, 0)
	entries, total, err := s.Outbox.List(c.UserContext(), sent, offset, 50)
	if err != nil {
		return err
	}
	if c.Query("format") == "json" {
		return c.JSON(fiber.Map{"total": total, "statements": entries})
	}
	pg := s.newPage(c, "xapi.title")
	rows, err := s.xapiRows(c.UserContext(), pg.Lang, entries)
	if err != nil {
		return err
	}
	pg.Data = map[string]any{"Entries": rows, "Total": total, "Sent": sent, "Offset": offset,
		"Next": offset + 50, "HasNext": offset+50 < total}
	return s.render(c, "xapi", pg)
}

// xapiRow is an outbox entry in words: the learner by name, the verb in
// the viewer's language and the object by its title (its IRI stays one
// click away, in the statement).
type xapiRow struct {
	*xapi.Entry
	Who, Did, What string
}

func (s *Server) xapiRows(ctx context.Context, lang string, entries []xapi.Entry) ([]xapiRow, error) {
	people := map[string]string{}
	tag := map[string]string{academy.LangZH: "zh-CN"}[lang]
	kinds := map[string]string{"courses": "course", "quizzes": "quiz", "scenarios": "scenario", "programs": "program"}
	rows := make([]xapiRow, len(entries))
	for i := range entries {
		e := &entries[i]
		if err := s.addPeople(ctx, people, e.Actor); err != nil {
			return nil, err
		}
		r := xapiRow{Entry: e, Who: people[e.Actor], Did: e.Verb, What: e.Object}
		for _, v := range []xapi.Verb{xapi.Completed, xapi.Passed, xapi.Failed, xapi.Earned} {
			if v.ID == e.Verb {
				r.Did = cmp.Or(v.Display[tag], v.Display["en-US"])
			}
		}
		// Objects are <public url>/<kind>/<slug>[/certificates/<number>].
		if u, err := url.Parse(e.Object); err == nil {
			parts := strings.Split(strings.Trim(u.Path, "/"), "/")
			if len(parts) >= 2 && kinds[parts[0]] != "" {
				if t := s.Catalog.Title(kinds[parts[0]], parts[1]); t != "" {
					r.What = t
					if len(parts) == 4 && parts[2] == "certificates" {
						r.What += " · " + parts[3]
					}
				}
			}
		}
		rows[i] = r
	}
	return rows, nil
}

// certTimeline counts, at the end of each of the last twelve months, how
// many of the people held the program (or had met it), as SVG columns.
func certTimeline(rows []academy.TeamRow, now time.Time) timeline {
	// 25 units a month: the chart fills a card about 300 px wide on a
	// phone and on a desktop, so that its 10-unit text reads at about 10 px.
	const months, colW, height = 12, 25, 110
	tl := timeline{Width: months * colW, Height: height + 18}
	start := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, now.Location()).AddDate(0, -months+1, 0)
	counts := make([]int, months)
	for _, r := range rows {
		at := r.FirstIssued
		if at.IsZero() {
			if !r.Standing.Met {
				continue
			}
			at = r.Standing.MetAt
		}
		for m := range months {
			if at.Before(start.AddDate(0, m+1, 0)) {
				counts[m]++
			}
		}
	}
	top := max(1, len(rows))
	for m, n := range counts {
		h := n * height / top
		month := start.AddDate(0, m, 0).Month()
		tl.Cols = append(tl.Cols, timelineCol{X: m*colW + 4, W: colW - 8, Mid: m*colW + colW/2, Y: height - h, H: h, Count: n,
			Month: int(month), Abbr: month.String()[:3], LabelY: height + 14, CountY: max(height-h-3, 9)})
	}
	return tl
}

type timeline struct {
	Width, Height int
	Cols          []timelineCol
}

type timelineCol struct {
	X, W, Mid, Y, H, Count, LabelY, CountY int
	Month                                  int
	Abbr                                   string // the month in English
}
