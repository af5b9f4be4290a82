package quality

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/notify"
)

// Rule is when failing a check sends an agent back to training: Failures
// failed tickets within the last Weeks weeks (the week of the latest
// failure included).
type Rule struct {
	Failures int `json:"failures" bson:"failures"`
	Weeks    int `json:"weeks" bson:"weeks"`
}

// Settings are the company's remediation rules: Default for every check,
// and a rule of its own for a check named by CheckKey.
type Settings struct {
	Default   Rule            `json:"default" bson:"default"`
	Checks    map[string]Rule `json:"checks,omitempty" bson:"checks,omitempty"`
	UpdatedBy string          `json:"updated_by,omitempty" bson:"updated_by,omitempty"`
	UpdatedAt time.Time       `json:"updated_at,omitzero" bson:"updated_at,omitempty"`
}

// DefaultSettings are the rules until a company sets its own: three
// failures in four weeks.
func DefaultSettings() *Settings { return &Settings{Default: Rule{Failures: 3, Weeks: 4}} }

// Limits of a rule.
const (
	MaxRuleFailures = 100
	maxRuleChecks   = 200
)

// RuleFor is the rule of check key.
func (s *Settings) RuleFor(key string) Rule {
	if r, ok := s.Checks[key]; ok {
		return r
	}
	return s.Default
}

// Check validates the settings; a check's rule is named by its key in
// the error, the way the form and the API name it.
func (s *Settings) Check() error {
	check := func(field string, r Rule) error {
		switch {
		case r.Failures < 1 || r.Failures > MaxRuleFailures:
			return academy.Errorf(academy.EINVALID, "%s.failures: 不合格次数须在 1 到 %d 之间 / failures must be between 1 and %d", field, MaxRuleFailures, MaxRuleFailures)
		case r.Weeks < 1 || r.Weeks > MaxWeeks:
			return academy.Errorf(academy.EINVALID, "%s.weeks: 统计周期须在 1 到 %d 周之间 / the period must be between 1 and %d weeks", field, MaxWeeks, MaxWeeks)
		}
		return nil
	}
	if err := check("default", s.Default); err != nil {
		return err
	}
	if len(s.Checks) > maxRuleChecks {
		return academy.Errorf(academy.EINVALID, "checks: 最多 %d 项 / at most %d checks", maxRuleChecks, maxRuleChecks)
	}
	for _, k := range slices.Sorted(maps.Keys(s.Checks)) {
		typ, id, ok := strings.Cut(k, ":")
		if !ok || !validCheckID(typ) || !validCheckID(id) {
			return academy.Errorf(academy.EINVALID, "checks: %q 不是质检项（流程:检查编号）/ %q is not a check (type:check-id)", k, k)
		}
		if err := check("checks."+k, s.Checks[k]); err != nil {
			return err
		}
	}
	return nil
}

func validCheckID(id string) bool {
	return id != "" && len(id) <= 64 && !strings.ContainsFunc(id, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-')
	})
}

// Flag is an agent sent back to training for a check failed too often at
// a site: the scenario assigned, the lesson that teaches it, and the
// tickets that raised it. One flag per agent, site and check: while it is
// open, more failures assign nothing again. It closes when the lesson is
// read and the scenario passed after the flag was raised.
type Flag struct {
	ID       string    `json:"id" bson:"_id"` // "<site>/<agent>/<check key>"
	Site     string    `json:"site" bson:"site"`
	Agent    string    `json:"agent" bson:"agent"`
	Check    string    `json:"check" bson:"check"` // CheckKey
	OpenedAt time.Time `json:"opened_at" bson:"opened_at"`
	// Tickets are the numbers of the failed tickets, and Steps what was
	// missed on each, in Chinese (the record's detail).
	Tickets  []string `json:"tickets" bson:"tickets"`
	Steps    []string `json:"steps" bson:"steps"`
	Scenario string   `json:"scenario,omitempty" bson:"scenario,omitempty"`
	Lesson   string   `json:"lesson,omitempty" bson:"lesson,omitempty"` // "course/lesson"
	// Assignment is the id of the scenario's assignment to the agent.
	Assignment string `json:"assignment,omitempty" bson:"assignment,omitempty"`
	// ClearedAt is set once the training was found done; a later failure
	// then counts from there.
	ClearedAt time.Time `json:"cleared_at,omitzero" bson:"cleared_at,omitempty"`
}

// FlagID is the key of an agent's flag for a check at a site.
func FlagID(site, agent, check string) string { return site + "/" + agent + "/" + check }

// Progress is an agent's standing on a flag's training.
type Progress struct {
	LessonDone, ScenarioDone bool
}

// Done reports whether the flag's training is done.
func (p Progress) Done() bool { return p.LessonDone && p.ScenarioDone }

// remediationDays is how long an agent has for the assigned scenario.
const remediationDays = 14

// Settings reads the company's remediation rules, the defaults if none
// were saved.
func (s *Service) Settings(ctx context.Context) (*Settings, error) {
	st, err := s.Store.FindSettings(ctx)
	if academy.ErrorCode(err) == academy.ENOTFOUND {
		return DefaultSettings(), nil
	}
	return st, err
}

// SaveSettings validates and stores the company's remediation rules.
func (s *Service) SaveSettings(ctx context.Context, st *Settings, by string) error {
	if err := st.Check(); err != nil {
		return err
	}
	st.UpdatedBy, st.UpdatedAt = by, s.Now()
	return s.Store.SaveSettings(ctx, st)
}

// Standing is the progress of an agent on a flag's training: the lesson
// read (whenever: a lesson counts once) and the scenario passed since the
// flag was raised.
func (s *Service) Standing(ctx context.Context, f *Flag) (Progress, error) {
	if s.Training == nil || s.Content == nil {
		return Progress{}, nil
	}
	ev, err := s.Training.Evidence(ctx, f.Agent)
	if err != nil {
		return Progress{}, err
	}
	courses, _ := s.Content()
	p := Progress{LessonDone: f.Lesson == "", ScenarioDone: f.Scenario == ""}
	if course, lesson, ok := strings.Cut(f.Lesson, "/"); ok && ev.Progress != nil {
		_, p.LessonDone = ev.Progress.Course(course).Completed[lesson]
	}
	if f.Scenario != "" {
		st := academy.Requirements{Scenarios: []string{f.Scenario}}.Status(ev, courses, f.OpenedAt)
		p.ScenarioDone = len(st) == 1 && st[0].Done
	}
	return p, nil
}

// remedy looks at each check r failed: an agent whose failures of it in
// the rule's period reach the threshold, with no open flag for it, is
// assigned the scenario that teaches it and told why.
func (s *Service) remedy(ctx context.Context, r *Record, loc *time.Location) error {
	if s.Assignments == nil || len(r.Failed()) == 0 {
		return nil
	}
	settings, err := s.Settings(ctx)
	if err != nil {
		return err
	}
	for _, id := range r.Failed() {
		if err := s.remedyCheck(ctx, r, loc, id, settings.RuleFor(CheckKey(r.Type, id))); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) remedyCheck(ctx context.Context, r *Record, loc *time.Location, id string, rule Rule) error {
	key := CheckKey(r.Type, id)
	flag, err := s.Store.FindFlag(ctx, FlagID(r.Site, r.Agent, key))
	switch {
	case academy.ErrorCode(err) == academy.ENOTFOUND:
		flag = nil
	case err != nil:
		return err
	}
	var since time.Time
	if flag != nil {
		if flag.ClearedAt.IsZero() {
			p, err := s.Standing(ctx, flag)
			if err != nil || !p.Done() {
				return err // still open: nothing is assigned twice
			}
			flag.ClearedAt = s.Now()
		}
		since = flag.ClearedAt
	}
	aws, err := s.Store.FindAgentWeeks(ctx, r.Site, r.Agent, Weeks(r.ClosedAt, loc, rule.Weeks))
	if err != nil {
		return err
	}
	var failed []*Record
	for _, aw := range aws {
		for _, rid := range aw.Failed[key] {
			fr, err := s.Store.FindRecord(ctx, rid)
			if err != nil {
				return err
			}
			if fr.ClosedAt.After(since) {
				failed = append(failed, fr)
			}
		}
	}
	if len(failed) < rule.Failures {
		return nil
	}
	slices.SortFunc(failed, func(a, b *Record) int { return a.ClosedAt.Compare(b.ClosedAt) })
	next := &Flag{ID: FlagID(r.Site, r.Agent, key), Site: r.Site, Agent: r.Agent, Check: key, OpenedAt: s.Now()}
	for _, fr := range failed {
		next.Tickets = append(next.Tickets, fr.Number)
		next.Steps = append(next.Steps, fr.Result(id).Detail)
	}
	check := s.checkOf(ctx, r, id)
	var scenario *academy.Scenario
	if s.Content != nil {
		_, scenarios := s.Content()
		for _, ref := range check.Practice {
			if sc, ck := practiceCheck(ref, scenarios); ck != nil {
				scenario, next.Scenario, next.Lesson = sc, sc.Slug, ck.Lesson
				if next.Lesson == "" && len(sc.Lessons) > 0 {
					next.Lesson = sc.Lessons[0]
				}
				break
			}
		}
	}
	// The flag is claimed first (a race of two closes stores one), then
	// the assignment is made and noted on it.
	if err := s.Store.OpenFlag(ctx, next, flag); err != nil {
		if academy.ErrorCode(err) == academy.ECONFLICT {
			return nil
		}
		return err
	}
	if scenario != nil {
		a := &academy.Assignment{Kind: academy.AssignScenario, Ref: scenario.Slug, Target: academy.AssignTarget{People: []string{r.Agent}},
			Due: academy.AssignDue{Date: academy.DateOf(next.OpenedAt.AddDate(0, 0, remediationDays), loc)}, CreatedAt: next.OpenedAt}
		if err := s.Assignments.CreateAssignment(ctx, a); err != nil {
			return err
		}
		next.Assignment = a.ID
		if err := s.Store.SetFlagAssignment(ctx, next.ID, a.ID); err != nil {
			return err
		}
	}
	return s.tell(ctx, next, check, scenario, rule)
}

// checkOf finds check id of the record's procedure in the rules the
// ticket was closed under, then the site's current ones, then the
// shipped ones.
func (s *Service) checkOf(ctx context.Context, r *Record, id string) academy.QualityCheck {
	var sources []*academy.DeskRules
	if s.Rules != nil {
		if r.Rules != "" {
			if rules, err := s.Rules.RulesRevision(ctx, r.Rules); err == nil {
				sources = append(sources, rules)
			}
		}
		if rules, err := s.Rules.CurrentRules(ctx, r.Site); err == nil {
			sources = append(sources, rules)
		}
	}
	for _, rules := range append(sources, academy.ShippedRules()) {
		if p := rules.Procedure(r.Type); p != nil {
			for _, c := range p.Checks {
				if c.ID == id {
					return c
				}
			}
		}
	}
	return academy.QualityCheck{ID: id, Label: id}
}

// tell notifies the agent of a new flag: which tickets, what was missed,
// and what to do.
func (s *Service) tell(ctx context.Context, f *Flag, c academy.QualityCheck, sc *academy.Scenario, rule Rule) error {
	if s.Notify == nil {
		return nil
	}
	params := map[string]string{"check_zh": c.Label, "check_en": c.Name("en"), "count": fmt.Sprint(len(f.Tickets)), "weeks": fmt.Sprint(rule.Weeks),
		"tickets": strings.Join(f.Tickets, "、"), "tickets_en": strings.Join(f.Tickets, ", ")}
	var steps []string
	for i, n := range f.Tickets {
		if f.Steps[i] != "" {
			steps = append(steps, n+"："+f.Steps[i])
		}
	}
	params["steps"] = strings.Join(steps, "；")
	link := "/"
	if sc != nil {
		params["scenario"] = sc.Title
		link = "/scenarios/" + sc.Slug
	}
	if f.Lesson != "" && s.Content != nil {
		courses, _ := s.Content()
		course, lesson, _ := strings.Cut(f.Lesson, "/")
		if co := courses[course]; co != nil {
			if l, _ := co.Lesson(lesson); l != nil {
				params["lesson"] = l.Title
			}
		}
	}
	return s.Notify.Enqueue(ctx, notify.Message{Key: "quality-flag/" + f.ID + "/" + f.OpenedAt.UTC().Format(time.RFC3339), Kind: notify.KindQualityFlag,
		To: f.Agent, Params: params, Link: link, At: f.OpenedAt})
}

// FailingScenarios are the scenarios that teach the checks username was
// flagged for at any site since since, cleared or not: what a refresher
// limited to what the person fails asks them to pass again.
func (s *Service) FailingScenarios(ctx context.Context, username string, since time.Time) ([]string, error) {
	flags, err := s.Store.AgentFlags(ctx, username)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range flags {
		if f.Scenario != "" && !f.OpenedAt.Before(since) && !slices.Contains(out, f.Scenario) {
			out = append(out, f.Scenario)
		}
	}
	slices.Sort(out)
	return out, nil
}

var _ academy.LiveWork = (*Service)(nil)

// FlagsOf reads the flags of a site's agents, with their progress.
func (s *Service) FlagsOf(ctx context.Context, site string) ([]*Flag, map[string]Progress, error) {
	flags, err := s.Store.SiteFlags(ctx, site)
	if err != nil {
		return nil, nil, err
	}
	out := map[string]Progress{}
	for _, f := range flags {
		p := Progress{LessonDone: true, ScenarioDone: true}
		if f.ClearedAt.IsZero() {
			if p, err = s.Standing(ctx, f); err != nil {
				return nil, nil, err
			}
		}
		out[f.ID] = p
	}
	return flags, out, nil
}
