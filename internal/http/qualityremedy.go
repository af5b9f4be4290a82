package http

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/quality"
)

// Remediation (复训): the company's rule of how often an agent may fail a
// check before being sent back to training, and the flags it raised.
// Admins set the rule, as they set the checks (with the desk rules);
// managers see it and their sites' flags on /team/quality.

func (s *Server) registerQualityRemedyRoutes(get, post string) {
	rules := perm(academy.PermDeskRules)
	s.handle(post, "/team/quality/settings", rules, s.qualitySettingsSave)
	s.handle(get, "/api/v1/quality/settings", perm(academy.PermCerts), s.apiQualitySettings)
	s.handle(fiber.MethodPut, "/api/v1/quality/settings", rules, s.apiQualitySettingsSave)
}

func (s *Server) apiQualitySettings(c *fiber.Ctx) error {
	st, err := s.Quality.Settings(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(st)
}

func (s *Server) apiQualitySettingsSave(c *fiber.Ctx) error {
	var in struct {
		Default quality.Rule            `json:"default"`
		Checks  map[string]quality.Rule `json:"checks"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	st := &quality.Settings{Default: in.Default, Checks: in.Checks}
	if err := s.saveQualitySettings(c, st); err != nil {
		return err
	}
	return c.JSON(st)
}

// qualitySettingsSave takes the page's form: the default rule, and for
// each shipped check a rule of its own, or blanks for the default.
func (s *Server) qualitySettingsSave(c *fiber.Ctx) error {
	num := func(field string) (int, bool, error) {
		v := strings.TrimSpace(c.FormValue(field))
		if v == "" {
			return 0, false, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, false, academy.Errorf(academy.EINVALID, "%s: 请填写整数，不是 %q / a whole number, not %q", field, v, v)
		}
		return n, true, nil
	}
	st := &quality.Settings{}
	var err error
	if st.Default.Failures, _, err = num("failures"); err != nil {
		return err
	}
	if st.Default.Weeks, _, err = num("weeks"); err != nil {
		return err
	}
	checks, err := s.Quality.Checks(c.UserContext())
	if err != nil {
		return err
	}
	for _, ci := range checks {
		f, fok, err := num("failures." + ci.Key)
		if err != nil {
			return err
		}
		w, wok, err := num("weeks." + ci.Key)
		if err != nil {
			return err
		}
		if !fok && !wok {
			continue
		}
		if !fok {
			f = st.Default.Failures
		}
		if !wok {
			w = st.Default.Weeks
		}
		if st.Checks == nil {
			st.Checks = map[string]quality.Rule{}
		}
		st.Checks[ci.Key] = quality.Rule{Failures: f, Weeks: w}
	}
	if err := s.saveQualitySettings(c, st); err != nil {
		return err
	}
	return redirectFlash(c, "/team/quality#remediation", "quality_settings_saved")
}

func (s *Server) saveQualitySettings(c *fiber.Ctx, st *quality.Settings) error {
	u := currentUser(c)
	if err := s.Quality.SaveSettings(c.UserContext(), st, u.ID); err != nil {
		return err
	}
	detail := fmt.Sprintf("%d/%dw", st.Default.Failures, st.Default.Weeks)
	return s.Accounts.Audit.RecordAudit(c.UserContext(), &academy.AuditEvent{Time: s.Accounts.Now(), Actor: u.ID,
		Action: academy.AuditQualitySettings, Target: "quality", IP: clientIP(c), Detail: detail})
}

// qualityFlagRow is a flag as the manager reads it.
type qualityFlagRow struct {
	Agent, Check, Tickets          string
	Scenario, ScenarioLink, Lesson string
	LessonDone, ScenarioDone, Done bool
	Opened                         time.Time
}

// qualityFlags reads the flags of a site's agents for the page.
func (s *Server) qualityFlags(ctx context.Context, lang, site string, v *qualityView) ([]qualityFlagRow, error) {
	flags, progress, err := s.Quality.FlagsOf(ctx, site)
	if err != nil {
		return nil, err
	}
	checks, err := s.Quality.Checks(ctx)
	if err != nil {
		return nil, err
	}
	labels := map[string]quality.CheckInfo{}
	for _, ci := range checks {
		labels[ci.Key] = ci
	}
	for _, ci := range v.Report.Checks {
		labels[ci.Key] = ci
	}
	snap := s.Catalog.Snapshot()
	courses := s.Catalog.Courses()
	var out []qualityFlagRow
	for _, f := range flags {
		if err := s.addPeople(ctx, v.Names, f.Agent); err != nil {
			return nil, err
		}
		p := progress[f.ID]
		sep := "、"
		if lang == "en" {
			sep = ", "
		}
		row := qualityFlagRow{Agent: v.Names[f.Agent], Tickets: strings.Join(f.Tickets, sep), LessonDone: p.LessonDone, ScenarioDone: p.ScenarioDone,
			Done: p.Done(), Opened: f.OpenedAt}
		if ci, ok := labels[f.Check]; ok {
			row.Check = s.qualityType(lang, ci) + "·" + ci.Check.Name(lang)
		} else {
			row.Check = s.locales.T(lang, "quality.check_removed")
		}
		if sc := snap.Scenarios[f.Scenario]; sc != nil {
			row.Scenario, row.ScenarioLink = sc.Title, "/scenarios/"+sc.Slug
		}
		if course, lesson, ok := strings.Cut(f.Lesson, "/"); ok {
			if co := courses[course]; co != nil {
				if l, _ := co.Lesson(lesson); l != nil {
					row.Lesson = l.Title
				}
			}
		}
		out = append(out, row)
	}
	return out, nil
}

// qualityImpact is a site's training impact as the page shows it: a
// table by hiring cohort and one before and after certification.
type qualityImpact struct {
	Cohorts, Certified qualityTable
}

// impactTables reads the hire dates and latest certificates of the site's
// agents (the team board's evidence, kept fresh for the dashboard) and
// splits the figures by them.
func (s *Server) impactTables(ctx context.Context, lang string, loc *time.Location, v *qualityView, f *quality.SiteFigures) (*qualityImpact, error) {
	if len(f.Agents) == 0 {
		return nil, nil
	}
	ev, err := s.TeamBoard.Evidence(ctx, false)
	if err != nil {
		return nil, err
	}
	hired, certified := map[string]string{}, map[string]academy.Date{}
	for _, a := range f.AgentNames() {
		u, err := s.Accounts.Users.FindUser(ctx, a)
		if academy.ErrorCode(err) == academy.ENOTFOUND {
			continue
		} else if err != nil {
			return nil, err
		}
		hired[a] = u.HireDate.Month()
		var latest time.Time
		for _, c := range ev.Record(u).Certs {
			if c.IssuedAt.After(latest) {
				latest = c.IssuedAt
			}
		}
		if !latest.IsZero() {
			certified[a] = quality.WeekOf(latest, loc)
		}
	}
	imp := f.Impact(v.Report.Weeks, hired, certified)
	t := func(key string, args ...any) string { return s.locales.T(lang, key, args...) }
	cells := func(first string, l *quality.Line) []string {
		return []string{first, strconv.Itoa(l.Tickets), rateText(l.AllChecks()), rateText(l.BreachRate()), satText(l.Satisfaction())}
	}
	out := &qualityImpact{}
	out.Cohorts.Head = []string{t("quality.cohort"), t("quality.cohort_agents"), t("quality.tickets"), t("quality.checks_passed"), t("quality.breach_rate"), t("quality.satisfaction")}
	for _, c := range imp.Cohorts {
		name := t("quality.cohort_unknown")
		if m, err := time.Parse("2006-01", c.Month); err == nil {
			name = t("quality.cohort_month", m.Year(), int(m.Month()))
		}
		row := cells(name, &c.Line)
		out.Cohorts.Rows = append(out.Cohorts.Rows, qualityRow{Cells: append([]string{row[0], strconv.Itoa(c.Agents)}, row[1:]...)})
	}
	out.Certified.Head = []string{t("quality.cert_period"), t("quality.tickets"), t("quality.checks_passed"), t("quality.breach_rate"), t("quality.satisfaction")}
	for _, r := range []struct {
		key string
		l   *quality.Line
	}{{"quality.cert_before", &imp.Before}, {"quality.cert_after", &imp.After}, {"quality.cert_none", &imp.Uncertified}} {
		out.Certified.Rows = append(out.Certified.Rows, qualityRow{Cells: cells(t(r.key), r.l)})
	}
	return out, nil
}
