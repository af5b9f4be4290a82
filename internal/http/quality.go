package http

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/quality"
)

// The quality pages (质检) show how closed live tickets fared against
// their procedures' checks, per site and agent, from the stored weekly
// counts: a page reads one document per site and week.

func (s *Server) registerQualityRoutes(get, post string) {
	certs := perm(academy.PermCerts)
	s.handle(get, "/team/quality", certs, s.qualityPage)
	s.handle(get, "/team/quality/export/:format", certs, s.qualityExport)
	s.handle(get, "/team/quality/agents/:username", certs, s.qualityAgent)
	s.handle(get, "/api/v1/team/quality", certs, s.apiQuality)
	s.registerQualityRemedyRoutes(get, post)
	s.registerQualityReviewRoutes(post)
}

// qualityWeekChoices are the periods the page offers; the API takes any
// number of weeks up to quality.MaxWeeks.
var qualityWeekChoices = []int{4, 8, 13, 26, 52}

// qualityView is one request's scope and figures.
type qualityView struct {
	Sites     []*academy.Site // the sites the viewer may see
	Site      string          // the one chosen, "" for all of them
	Weeks     int
	Report    *quality.Report
	SiteNames map[string]string
	Names     map[string]string // agents' display names
}

// qualityScope reads ?site= and ?weeks= (default 4) and the figures of
// the sites the viewer manages (every site for an admin).
func (s *Server) qualityScope(c *fiber.Ctx) (*qualityView, error) {
	ctx := c.UserContext()
	v := &qualityView{Site: c.Query("site"), Weeks: 4, SiteNames: map[string]string{}, Names: map[string]string{}}
	if w := c.Query("weeks"); w != "" {
		n, err := strconv.Atoi(w)
		if err != nil || n < 1 || n > quality.MaxWeeks {
			return nil, academy.Errorf(academy.EINVALID, "weeks: 统计周期为 1 到 %d 周，不是 %q / the period is 1 to %d weeks, not %q", quality.MaxWeeks, w, quality.MaxWeeks, w)
		}
		v.Weeks = n
	}
	u := currentUser(c)
	all, err := s.Accounts.Sites.ListSites(ctx)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, site := range all {
		if s.Authz.Can(u, site.ID, academy.PermCerts) {
			v.Sites = append(v.Sites, site)
			v.SiteNames[site.ID] = site.Name
			if v.Site == "" || v.Site == site.ID {
				ids = append(ids, site.ID)
			}
		}
	}
	if v.Site != "" && len(ids) == 0 {
		return nil, academy.Errorf(academy.ENOTFOUND, "site: %q 不是您负责的项目 / %q is not one of your sites", v.Site, v.Site)
	}
	weeks := quality.Weeks(s.Quality.Now(), s.zone(c), v.Weeks)
	if v.Report, err = s.Quality.Figures(ctx, ids, weeks); err != nil {
		return nil, err
	}
	for _, f := range v.Report.Sites {
		if err := s.addPeople(ctx, v.Names, f.AgentNames()...); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// query is the scope as a query string, for links and exports.
func (v *qualityView) query() string {
	q := url.Values{"weeks": {strconv.Itoa(v.Weeks)}}
	if v.Site != "" {
		q.Set("site", v.Site)
	}
	return q.Encode()
}

// qualityType names a check's ticket type in lang: the catalog's name
// for a shipped type, the procedure's own label for one a company added.
func (s *Server) qualityType(lang string, ci quality.CheckInfo) string {
	return s.deskLabel(lang, "desk.type."+ci.Type, ci.TypeLabel)
}

// rateText shows a share, "—" where there was nothing to count.
func rateText(r quality.Rate) string {
	if !r.Known() {
		return "—"
	}
	return strconv.Itoa(r.Pct) + "%"
}

// satText shows an average satisfaction (kept in tenths) as 4.3.
func satText(r quality.Rate) string {
	if !r.Known() {
		return "—"
	}
	return fmt.Sprintf("%d.%d", r.Pct/10, r.Pct%10)
}

// qualityTable is a table of a quality page, with the text of each cell.
type qualityTable struct {
	Head []string
	Rows []qualityRow
}

type qualityRow struct {
	Cells []string
	Link  string // of the first cell
}

// qualitySite is one site's tables.
type qualitySite struct {
	ID, Name string
	Tickets  int
	Summary  []string // checks passed, clocks over, satisfaction
	Checks   qualityTable
	Agents   qualityTable
	Trend    qualityTable
	Flags    []qualityFlagRow
	Impact   *qualityImpact
}

func (s *Server) qualityTables(lang string, loc *time.Location, v *qualityView) []qualitySite {
	t := func(key string, args ...any) string { return s.locales.T(lang, key, args...) }
	var out []qualitySite
	for _, f := range v.Report.Sites {
		qs := qualitySite{ID: f.Site, Name: v.SiteNames[f.Site], Tickets: f.Total.Tickets,
			Summary: []string{rateText(f.Total.AllChecks()), rateText(f.Total.BreachRate()), satText(f.Total.Satisfaction())}}
		qs.Checks.Head = []string{t("quality.check"), t("quality.type"), t("quality.pass_rate"), t("quality.failures")}
		// One column per check made the agents' table dozens of columns
		// wide for eleven ticket types; an agent's row names the checks
		// they missed instead, and their page has every rate.
		qs.Agents.Head = []string{t("quality.agent"), t("quality.tickets"), t("quality.checks_passed"), t("quality.breach_rate"), t("quality.satisfaction"), t("quality.missed")}
		for _, ci := range v.Report.Checks {
			if f.Total.Checks[ci.Key] == nil {
				continue
			}
			qs.Checks.Rows = append(qs.Checks.Rows, qualityRow{Cells: []string{ci.Check.Name(lang), s.qualityType(lang, ci),
				rateText(f.Total.PassRate(ci.Key)), strconv.Itoa(f.Total.Failures(ci.Key))}})
		}
		for _, a := range f.AgentNames() {
			l := f.Agents[a]
			var missed []string
			for _, ci := range v.Report.Checks {
				if n := l.Failures(ci.Key); n > 0 {
					missed = append(missed, t("quality.missed_item", s.qualityType(lang, ci), ci.Check.Name(lang), n))
				}
			}
			if missed == nil {
				missed = []string{"—"}
			}
			qs.Agents.Rows = append(qs.Agents.Rows, qualityRow{Cells: []string{v.Names[a], strconv.Itoa(l.Tickets), rateText(l.AllChecks()),
				rateText(l.BreachRate()), satText(l.Satisfaction()), strings.Join(missed, t("quality.missed_sep"))},
				Link: "/team/quality/agents/" + url.PathEscape(a) + "?" + url.Values{"site": {f.Site}, "weeks": {strconv.Itoa(v.Weeks)}}.Encode()})
		}
		qs.Trend.Head = []string{t("quality.week"), t("quality.tickets"), t("quality.checks_passed"), t("quality.breach_rate"), t("quality.satisfaction")}
		for i, w := range v.Report.Weeks {
			l := f.ByWeek[i]
			qs.Trend.Rows = append(qs.Trend.Rows, qualityRow{Cells: []string{t("quality.week_of", w.Start(loc).Format("2006-01-02")),
				strconv.Itoa(l.Tickets), rateText(l.AllChecks()), rateText(l.BreachRate()), satText(l.Satisfaction())}})
		}
		out = append(out, qs)
	}
	return out
}

func (s *Server) qualityPage(c *fiber.Ctx) error {
	v, err := s.qualityScope(c)
	if err != nil {
		return err
	}
	pg := s.newPage(c, "quality.title")
	tables := s.qualityTables(pg.Lang, pg.Zone, v)
	for i := range tables {
		if tables[i].Flags, err = s.qualityFlags(c.UserContext(), pg.Lang, tables[i].ID, v); err != nil {
			return err
		}
		if tables[i].Impact, err = s.impactTables(c.UserContext(), pg.Lang, pg.Zone, v, v.Report.Sites[i]); err != nil {
			return err
		}
	}
	settings, err := s.Quality.Settings(c.UserContext())
	if err != nil {
		return err
	}
	type ruleRow struct {
		Key, Label      string
		Failures, Weeks string
	}
	checks, err := s.Quality.Checks(c.UserContext())
	if err != nil {
		return err
	}
	var rules []ruleRow
	for _, ci := range checks {
		row := ruleRow{Key: ci.Key, Label: s.qualityType(pg.Lang, ci) + "·" + ci.Check.Name(pg.Lang)}
		if r, ok := settings.Checks[ci.Key]; ok {
			row.Failures, row.Weeks = strconv.Itoa(r.Failures), strconv.Itoa(r.Weeks)
		}
		rules = append(rules, row)
	}
	pg.Data = map[string]any{"View": v, "Query": v.query(), "Choices": qualityWeekChoices,
		"Tables": tables, "From": v.Report.Weeks[0], "To": v.Report.Weeks[len(v.Report.Weeks)-1].Start(pg.Zone).AddDate(0, 0, 6),
		"Settings": settings, "Rules": rules, "CanEdit": s.Authz.Can(currentUser(c), "", academy.PermDeskRules)}
	return s.render(c, "team_quality", pg)
}

// qualityExport writes the agents' figures of every site in scope, one
// line per agent and a line for each site as a whole. An agent is named
// by display name, employee number (工号) and username, so that the
// figures can be joined with HR's data.
func (s *Server) qualityExport(c *fiber.Ctx) error {
	format := c.Params("format")
	if format != "csv" && format != "xlsx" {
		return academy.Errorf(academy.ENOTFOUND, "format: %q 不是 csv 或 xlsx / %q is not csv or xlsx", format, format)
	}
	v, err := s.qualityScope(c)
	if err != nil {
		return err
	}
	employeeNo := map[string]string{}
	for _, f := range v.Report.Sites {
		for _, a := range f.AgentNames() {
			if _, ok := employeeNo[a]; ok {
				continue
			}
			switch u, err := s.Accounts.Users.FindUser(c.UserContext(), a); academy.ErrorCode(err) {
			case "":
				employeeNo[a] = u.EmployeeNo
			case academy.ENOTFOUND:
				employeeNo[a] = "" // an account since removed: its username still names it
			default:
				return err
			}
		}
	}
	lang, loc := s.lang(c), s.zone(c)
	t := func(key string, args ...any) string { return s.locales.T(lang, key, args...) }
	head := []string{t("quality.site"), t("quality.agent"), t("field.employee_no"), t("field.username"),
		t("quality.tickets"), t("quality.checks_passed"), t("quality.breach_rate"), t("quality.satisfaction")}
	for _, ci := range v.Report.Checks {
		head = append(head, s.qualityType(lang, ci)+"·"+ci.Check.Name(lang))
	}
	// line is a row of the table; agent is "" for a site's whole line.
	line := func(site, who, agent string, l *quality.Line) []string {
		row := []string{site, who, employeeNo[agent], agent, strconv.Itoa(l.Tickets), rateText(l.AllChecks()), rateText(l.BreachRate()), satText(l.Satisfaction())}
		for _, ci := range v.Report.Checks {
			row = append(row, rateText(l.PassRate(ci.Key)))
		}
		return row
	}
	first := make([]string, len(head))
	first[0] = t("quality.period")
	first[1] = t("quality.period_range", v.Report.Weeks[0], v.Report.Weeks[len(v.Report.Weeks)-1].Start(loc).AddDate(0, 0, 6).Format("2006-01-02"))
	table := [][]string{first, head}
	for _, f := range v.Report.Sites {
		table = append(table, line(v.SiteNames[f.Site], t("quality.whole_site"), "", &f.Total))
		for _, a := range f.AgentNames() {
			table = append(table, line(v.SiteNames[f.Site], v.Names[a], a, f.Agents[a]))
		}
	}
	var buf bytes.Buffer
	if format == "csv" {
		buf.WriteString("\ufeff") // so that Excel reads UTF-8
		w := csv.NewWriter(&buf)
		for _, row := range table {
			safe := make([]string, len(row))
			for i, cell := range row {
				safe[i] = spreadsheetText(cell)
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
		sheet := t("quality.sheet")
		if err := f.SetSheetName("Sheet1", sheet); err != nil {
			return err
		}
		// SetSheetRow writes strings as text cells, never as formulas.
		for i, row := range table {
			cell, err := excelize.CoordinatesToCellName(1, i+1)
			if err != nil {
				return err
			}
			if err := f.SetSheetRow(sheet, cell, &row); err != nil {
				return err
			}
		}
		if err := f.Write(&buf); err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	}
	c.Set(fiber.HeaderContentDisposition, attachment("quality-"+s.Quality.Now().In(loc).Format("20060102")+"."+format))
	return c.Send(buf.Bytes())
}

// qualityAgent is one agent's tickets in the period, with their failed
// checks, beside the agent's training on the same checks.
func (s *Server) qualityAgent(c *fiber.Ctx) error {
	v, err := s.qualityScope(c)
	if err != nil {
		return err
	}
	ctx, agent := c.UserContext(), c.Params("username")
	pg := s.newPage(c, "quality.agent_title")
	// naRow is a check a manager's action made not applicable, named
	// with that action in the viewer's language by the template.
	type naRow struct{ Check, Type, Action string }
	type ticketRow struct {
		ID, Link, Number, Title, Site string
		Closed                        time.Time
		Failed                        []string
		NotApplicable                 []naRow
		Review                        *quality.Review
	}
	type checkRow struct{ Label, Live, Practice string }
	var (
		ids    []string
		line   quality.Line
		seen   bool
		checks []checkRow
	)
	for _, f := range v.Report.Sites {
		if l := f.Agents[agent]; l != nil {
			seen = true
			line.Merge(l)
			aws, err := s.Quality.Store.FindAgentWeeks(ctx, f.Site, agent, v.Report.Weeks)
			if err != nil {
				return err
			}
			for _, aw := range aws {
				ids = append(ids, aw.Tickets...)
			}
		}
	}
	if !seen {
		return academy.Errorf(academy.ENOTFOUND, "没有 %s 在这段时间处理的工单 / No tickets handled by %q in this period on your sites.", agent, agent)
	}
	// The newest first, and a page's worth: the export has the figures.
	slices.Reverse(ids)
	ids = ids[:min(len(ids), 200)]
	labels := map[string]academy.QualityCheck{}
	for _, ci := range v.Report.Checks {
		labels[ci.Key] = ci.Check
	}
	var tickets []ticketRow
	for _, id := range ids {
		r, err := s.Quality.Store.FindRecord(ctx, id)
		if err != nil {
			return err
		}
		row := ticketRow{ID: r.ID, Review: r.Review, Link: "/desk/" + url.PathEscape(r.Site) + "/tickets/" + url.PathEscape(r.ID), Number: r.Number, Title: r.Title, Site: v.SiteNames[r.Site], Closed: r.ClosedAt}
		for _, res := range r.Checks {
			name := labels[quality.CheckKey(r.Type, res.Check)].Name(pg.Lang)
			switch {
			case res.NotApplicable:
				row.NotApplicable = append(row.NotApplicable, naRow{Check: name, Type: r.Type, Action: res.Step})
			case !res.Passed:
				row.Failed = append(row.Failed, name+"："+res.Detail)
			}
		}
		tickets = append(tickets, row)
	}
	slices.SortFunc(tickets, func(a, b ticketRow) int { return b.Closed.Compare(a.Closed) })
	u, err := s.Accounts.Users.FindUser(ctx, agent)
	if err != nil && academy.ErrorCode(err) != academy.ENOTFOUND {
		return err
	}
	var runs []academy.RunChecks
	if u != nil {
		ev, err := s.TeamBoard.Evidence(ctx, false)
		if err != nil {
			return err
		}
		runs = ev.RunChecks(u.ID)
	}
	scenarios := s.Catalog.Snapshot().Scenarios
	for _, ci := range v.Report.Checks {
		if line.Checks[ci.Key] == nil {
			continue
		}
		checks = append(checks, checkRow{Label: s.qualityType(pg.Lang, ci) + "·" + ci.Check.Name(pg.Lang), Live: rateText(line.PassRate(ci.Key)),
			Practice: rateText(quality.PracticeRate(ci.Check, scenarios, runs))})
	}
	pg.Data = map[string]any{"View": v, "Query": v.query(), "Agent": agent, "Name": v.Names[agent], "User": u, "Line": &line,
		"Summary": []string{strconv.Itoa(line.Tickets), rateText(line.AllChecks()), rateText(line.BreachRate()), satText(line.Satisfaction())},
		"Tickets": tickets, "Checks": checks, "ScoreFields": quality.ScoreFields, "ScoreChoices": []int{5, 4, 3, 2, 1}, "Weeks": v.Weeks}
	return s.render(c, "team_quality_agent", pg)
}

// apiQuality is the figures of /team/quality as JSON: rates as numbers
// (null where nothing was counted), names beside every code.
func (s *Server) apiQuality(c *fiber.Ctx) error {
	v, err := s.qualityScope(c)
	if err != nil {
		return err
	}
	lang := s.lang(c)
	pct := func(r quality.Rate) any {
		if !r.Known() {
			return nil
		}
		return r.Pct
	}
	sat := func(r quality.Rate) any {
		if !r.Known() {
			return nil
		}
		return float64(r.Pct) / 10
	}
	figures := func(l *quality.Line) fiber.Map {
		checks := fiber.Map{}
		for _, ci := range v.Report.Checks {
			if cnt := l.Checks[ci.Key]; cnt != nil {
				checks[ci.Key] = fiber.Map{"passed": cnt.Pass, "failed": cnt.Fail, "not_applicable": cnt.NA, "pass_rate": pct(l.PassRate(ci.Key))}
			}
		}
		return fiber.Map{"tickets": l.Tickets, "checks_pass_rate": pct(l.AllChecks()), "sla_breach_rate": pct(l.BreachRate()),
			"satisfaction": sat(l.Satisfaction()), "satisfaction_count": l.SatN, "checks": checks}
	}
	var checks []fiber.Map
	for _, ci := range v.Report.Checks {
		checks = append(checks, fiber.Map{"key": ci.Key, "type": ci.Type, "type_label": s.qualityType(lang, ci), "label": ci.Check.Name(lang), "kind": ci.Check.Kind})
	}
	sites := []fiber.Map{}
	for _, f := range v.Report.Sites {
		var agents, weeks []fiber.Map
		for _, a := range f.AgentNames() {
			m := figures(f.Agents[a])
			m["username"], m["name"] = a, v.Names[a]
			agents = append(agents, m)
		}
		for i, w := range v.Report.Weeks {
			m := figures(&f.ByWeek[i])
			m["week"] = w
			weeks = append(weeks, m)
		}
		sites = append(sites, fiber.Map{"site": f.Site, "name": v.SiteNames[f.Site], "total": figures(&f.Total), "agents": agents, "weeks": weeks})
	}
	return c.JSON(fiber.Map{"weeks": v.Report.Weeks, "checks": checks, "sites": sites})
}
