package academy

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Rubric dimensions of a scenario.
const (
	DimEmpathy    = "empathy"    // 同理心
	DimProcedure  = "procedure"  // 规范
	DimAccuracy   = "accuracy"   // 准确
	DimTimeliness = "timeliness" // 时效
)

// Dimensions lists the rubric dimensions in display order.
var Dimensions = []string{DimEmpathy, DimProcedure, DimAccuracy, DimTimeliness}

// Step kinds.
const (
	StepDialogue = "dialogue"
	StepTask     = "task"
	StepEnd      = "end"
)

// Check kinds of a task step.
const (
	CheckTicket = "ticket" // a ticket exists with type/resident/state/fields
	CheckOrder  = "order"  // actions happened in this order on one ticket
	CheckAbsent = "absent" // an action never happened
	CheckWithin = "within" // at most N simulated minutes between two actions
)

// PersonaID is the resident id the scenario's owner gets in the sandbox.
const PersonaID = "persona"

// Scenario is a practice call, with its step graph, as written by trainers.
type Scenario struct {
	Slug       string          `json:"slug" bson:"_id" yaml:"-"`
	Title      string          `json:"title" bson:"title" yaml:"title"`
	Summary    string          `json:"summary" bson:"summary" yaml:"summary"`
	Modules    []string        `json:"modules" bson:"modules" yaml:"modules,flow"`
	Lessons    []string        `json:"lessons" bson:"lessons" yaml:"lessons,flow"`
	Difficulty string          `json:"difficulty" bson:"difficulty" yaml:"difficulty"`
	PassMark   int             `json:"pass_mark" bson:"pass_mark" yaml:"pass_mark"`
	Persona    Persona         `json:"persona" bson:"persona" yaml:"persona"`
	Opening    string          `json:"opening" bson:"opening" yaml:"opening"`
	Fixture    ScenarioFixture `json:"-" bson:"fixture" yaml:"fixture,omitempty"`
	// Synonyms are groups of words that mean the same in this call's
	// replies (维保单位 = 电梯公司), on top of the built-in ones.
	Synonyms  []PhraseGroup `json:"-" bson:"synonyms,omitempty" yaml:"synonyms,omitempty"`
	Start     string        `json:"start" bson:"start" yaml:"start"`
	Steps     []Step        `json:"-" bson:"steps" yaml:"steps"`
	Status    string        `json:"status" bson:"status" yaml:"-"`
	Hash      string        `json:"-" bson:"hash" yaml:"-"`
	UpdatedAt time.Time     `json:"updated_at" bson:"updated_at" yaml:"-"`
}

// Persona is the (made-up) owner on the line.
type Persona struct {
	Name string `json:"name" bson:"name" yaml:"name"`
	Unit string `json:"unit" bson:"unit" yaml:"unit"` // "3栋2单元1202"
	Mood string `json:"mood" bson:"mood" yaml:"mood"`
}

// ScenarioFixture is what the sandbox holds when a run starts.
type ScenarioFixture struct {
	Tickets []FixtureTicket `json:"tickets,omitempty" bson:"tickets,omitempty" yaml:"tickets,omitempty"`
}

// FixtureTicket is a ticket that already exists when the run starts.
type FixtureTicket struct {
	Type       string          `bson:"type" yaml:"type"`
	Title      string          `bson:"title" yaml:"title"`
	Resident   string          `bson:"resident,omitempty" yaml:"resident,omitempty"`
	Priority   string          `bson:"priority,omitempty" yaml:"priority,omitempty"`
	AgeMinutes int             `bson:"age_minutes" yaml:"age_minutes"`
	Actions    []FixtureAction `bson:"actions,omitempty" yaml:"actions,omitempty"`
}

// FixtureAction is a step already taken on a fixture ticket.
type FixtureAction struct {
	Action       string            `bson:"action" yaml:"action"`
	AfterMinutes int               `bson:"after_minutes" yaml:"after_minutes"`
	Fields       map[string]string `bson:"fields,omitempty" yaml:"fields,omitempty"`
	// Later sets time fields (a promised date) this many minutes after the
	// action: a run starts at any date, and a date written in the file
	// would drift out of the story.
	Later map[string]int `bson:"later,omitempty" yaml:"later,omitempty"`
}

// Step is one node of the scenario graph.
type Step struct {
	ID      string   `bson:"id" yaml:"id"`
	Kind    string   `bson:"kind" yaml:"kind"`
	Owner   string   `bson:"owner,omitempty" yaml:"owner,omitempty"`     // dialogue: what the owner says
	Choices []Choice `bson:"choices,omitempty" yaml:"choices,omitempty"` // dialogue
	Reply   *Reply   `bson:"reply,omitempty" yaml:"reply,omitempty"`     // dialogue with free text
	Prompt  string   `bson:"prompt,omitempty" yaml:"prompt,omitempty"`   // task
	Checks  []Check  `bson:"checks,omitempty" yaml:"checks,omitempty"`   // task
	Next    string   `bson:"next,omitempty" yaml:"next,omitempty"`       // task
	Outcome string   `bson:"outcome,omitempty" yaml:"outcome,omitempty"` // end: the story of a passed run
	Endings []Ending `bson:"endings,omitempty" yaml:"endings,omitempty"` // end: stories that depend on the path
}

// Ending is one way a call can turn out, told at an end step when its
// conditions hold. The first ending that holds is told; a passed run that
// meets none is told the step's outcome. A failed run is only ever told a
// failed ending, and lint asks every end step for one without further
// conditions, so a failed call never ends in a success story.
type Ending struct {
	When    EndingCond `bson:"when" yaml:"when"`
	Outcome string     `bson:"outcome" yaml:"outcome"`
}

// EndingCond is what must have happened for an ending to be told: every
// listed condition holds.
type EndingCond struct {
	Result  string   `bson:"result" yaml:"result"`                            // passed or failed
	Visited []string `bson:"visited,omitempty" yaml:"visited,omitempty,flow"` // steps the run went through
	Missed  []string `bson:"missed,omitempty" yaml:"missed,omitempty,flow"`   // check ids the run failed
	Met     []string `bson:"met,omitempty" yaml:"met,omitempty,flow"`         // check ids the run passed
}

// Ending results.
const (
	ResultPassed = "passed"
	ResultFailed = "failed"
)

// Choice is one answer the trainee can give at a dialogue step.
type Choice struct {
	Text     string         `bson:"text" yaml:"text"`
	Next     string         `bson:"next" yaml:"next"`
	Scores   map[string]int `bson:"scores,omitempty" yaml:"scores,omitempty,flow"`
	Feedback string         `bson:"feedback" yaml:"feedback"`
}

// Reply is a free-text answer checked for phrases.
type Reply struct {
	Required  []PhraseGroup  `bson:"required,omitempty" yaml:"required,omitempty"`
	Forbidden []string       `bson:"forbidden,omitempty" yaml:"forbidden,omitempty,flow"`
	Next      string         `bson:"next" yaml:"next"`
	Scores    map[string]int `bson:"scores,omitempty" yaml:"scores,omitempty,flow"`
	Feedback  string         `bson:"feedback" yaml:"feedback"`
}

// PhraseGroup is a set of alternatives, one of which a reply must contain.
// In files it is a plain list; stored, it is an object, because the
// embedded store keeps no arrays inside arrays.
type PhraseGroup struct {
	Any []string `bson:"any" json:"any"`
}

// UnmarshalYAML reads a group written as a list of phrases.
func (g *PhraseGroup) UnmarshalYAML(value *yaml.Node) error { return value.Decode(&g.Any) }

// MarshalYAML writes a group as a list of phrases.
func (g PhraseGroup) MarshalYAML() (any, error) { return g.Any, nil }

// Check is one condition a task step sets on the sandbox's tickets.
type Check struct {
	// ID names the check for endings (optional; unique in the scenario).
	ID        string            `bson:"id,omitempty" yaml:"id,omitempty"`
	Kind      string            `bson:"kind" yaml:"kind"`
	Type      string            `bson:"type" yaml:"type"`
	Resident  string            `bson:"resident,omitempty" yaml:"resident,omitempty"`
	State     string            `bson:"state,omitempty" yaml:"state,omitempty"`
	Fields    map[string]string `bson:"fields,omitempty" yaml:"fields,omitempty"`
	Actions   []string          `bson:"actions,omitempty" yaml:"actions,omitempty,flow"`
	Action    string            `bson:"action,omitempty" yaml:"action,omitempty"`
	From      string            `bson:"from,omitempty" yaml:"from,omitempty"`
	To        string            `bson:"to,omitempty" yaml:"to,omitempty"`
	Minutes   int               `bson:"minutes,omitempty" yaml:"minutes,omitempty"`
	Dimension string            `bson:"dimension" yaml:"dimension"`
	Points    int               `bson:"points" yaml:"points"`
	Message   string            `bson:"message" yaml:"message"`
	Lesson    string            `bson:"lesson,omitempty" yaml:"lesson,omitempty"`
	// Required checks are the procedure's must-dos: a run that fails one
	// does not pass, whatever its score.
	Required bool `bson:"required,omitempty" yaml:"required,omitempty"`
}

// Step returns the step with id, or nil.
func (s *Scenario) Step(id string) *Step {
	for i := range s.Steps {
		if s.Steps[i].ID == id {
			return &s.Steps[i]
		}
	}
	return nil
}

// ContentHash digests the scenario's content.
func (s *Scenario) ContentHash() string {
	v := *s
	v.Status, v.Hash, v.UpdatedAt = "", "", time.Time{}
	b, _ := json.Marshal(struct {
		S       Scenario
		Fixture ScenarioFixture
		Steps   []Step
	}{v, s.Fixture, s.Steps})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// next lists the steps a step leads to.
func (st *Step) next() []string {
	var out []string
	for _, c := range st.Choices {
		out = append(out, c.Next)
	}
	if st.Reply != nil {
		out = append(out, st.Reply.Next)
	}
	if st.Next != "" {
		out = append(out, st.Next)
	}
	return out
}

var unitLabelRE = regexp.MustCompile(`^(\d+)栋(\d+)单元(\d+)$`)

// ValidateScenario checks a scenario: its fields, its graph and its task
// checks against the procedures. lessonExists answers "course/lesson".
// Each problem names the step it is about, so that lint can point at it.
func ValidateScenario(s *Scenario, lessonExists func(string) bool) []ScenarioProblem {
	var ps []ScenarioProblem
	add := func(step, format string, args ...any) {
		ps = append(ps, ScenarioProblem{Step: step, Message: fmt.Sprintf(format, args...)})
	}
	if !ValidSlug(s.Slug) {
		add("", "file name: %q is not a slug", s.Slug)
	}
	if strings.TrimSpace(s.Title) == "" {
		add("", "title: required")
	} else if err := CheckText("title", s.Title, 100, false); err != nil {
		add("", "%s", ErrorMessage(err))
	}
	if strings.TrimSpace(s.Summary) == "" {
		add("", "summary: required")
	}
	if !slices.Contains([]string{"easy", "medium", "hard"}, s.Difficulty) {
		add("", "difficulty: %q is not easy, medium or hard", s.Difficulty)
	}
	if s.PassMark < 0 || s.PassMark > 100 {
		add("", "pass_mark: %d is not a percentage from 0 to 100", s.PassMark)
	}
	if strings.TrimSpace(s.Persona.Name) == "" {
		add("", "persona.name: required")
	}
	if !unitLabelRE.MatchString(s.Persona.Unit) {
		add("", "persona.unit: %q is not like 3栋2单元1202", s.Persona.Unit)
	}
	if strings.TrimSpace(s.Opening) == "" {
		add("", "opening: required")
	}
	for _, l := range s.Lessons {
		if !lessonExists(l) {
			add("", "lessons: no lesson %q (course/lesson)", l)
		}
	}
	for i, ft := range s.Fixture.Tickets {
		p := ProcedureOf(ft.Type)
		if p == nil {
			add("", "fixture.tickets[%d].type: %q is not a ticket type", i, ft.Type)
			continue
		}
		for _, a := range ft.Actions {
			if p.Transition(a.Action) == nil {
				add("", "fixture.tickets[%d].actions: %q is not an action of %s", i, a.Action, ft.Type)
				continue
			}
			for _, name := range slices.Sorted(maps.Keys(a.Later)) {
				if m := a.Later[name]; FieldKind(p, a.Action, name) != FieldTime {
					add("", "fixture.tickets[%d].actions[%s].later: %q is not a time field of %s", i, a.Action, name, a.Action)
				} else if m < 0 {
					add("", "fixture.tickets[%d].actions[%s].later: %s %d is before the action: give minutes after it", i, a.Action, name, m)
				}
			}
		}
	}
	for i, g := range s.Synonyms {
		if len(g.Any) < 2 || slices.ContainsFunc(g.Any, func(p string) bool { return strings.TrimSpace(p) == "" }) {
			add("", "synonyms[%d]: a group lists two or more words that mean the same", i)
		}
	}
	checkIDs := map[string]bool{}
	for _, st := range s.Steps {
		for _, c := range st.Checks {
			if c.ID == "" {
				continue
			}
			if !ValidSlug(c.ID) {
				add(st.ID, "checks: id %q is not like missed-dispatch (lower-case letters, digits and dashes)", c.ID)
			}
			if checkIDs[c.ID] {
				add(st.ID, "checks: duplicate check id %q", c.ID)
			}
			checkIDs[c.ID] = true
		}
	}
	ids := map[string]bool{}
	for _, st := range s.Steps {
		if st.ID == "" {
			add("", "steps: a step has no id")
			continue
		}
		if ids[st.ID] {
			add(st.ID, "id: duplicate step id %q", st.ID)
		}
		ids[st.ID] = true
	}
	if s.Step(s.Start) == nil {
		add("", "start: no step %q", s.Start)
	}
	for i := range s.Steps {
		st := &s.Steps[i]
		for _, n := range st.next() {
			if s.Step(n) == nil {
				add(st.ID, "next: no step %q", n)
			}
		}
		checkScores := func(where string, m map[string]int) {
			for d, v := range m {
				if !slices.Contains(Dimensions, d) {
					add(st.ID, "%s: %q is not a rubric dimension (%s)", where, d, strings.Join(Dimensions, ", "))
				}
				if v < -5 || v > 5 {
					add(st.ID, "%s: %s %d is outside -5..5", where, d, v)
				}
			}
		}
		switch st.Kind {
		case StepDialogue:
			if strings.TrimSpace(st.Owner) == "" {
				add(st.ID, "owner: what the owner says is required")
			}
			if (len(st.Choices) == 0) == (st.Reply == nil) {
				add(st.ID, "choices: a dialogue step has either choices or a reply")
			}
			for j, c := range st.Choices {
				if strings.TrimSpace(c.Text) == "" || strings.TrimSpace(c.Feedback) == "" {
					add(st.ID, "choices[%d]: text and feedback are required", j)
				}
				checkScores(fmt.Sprintf("choices[%d].scores", j), c.Scores)
			}
			if r := st.Reply; r != nil {
				if len(r.Required) == 0 && len(r.Forbidden) == 0 {
					add(st.ID, "reply: list required phrase groups or forbidden phrases")
				}
				for _, g := range r.Required {
					if len(g.Any) == 0 {
						add(st.ID, "reply.required: an empty group")
					}
				}
				checkScores("reply.scores", r.Scores)
			}
		case StepTask:
			if strings.TrimSpace(st.Prompt) == "" {
				add(st.ID, "prompt: what to do is required")
			}
			if len(st.Checks) == 0 {
				add(st.ID, "checks: a task needs at least one check")
			}
			if st.Next == "" {
				add(st.ID, "next: a task step needs a next step")
			}
			for j, c := range st.Checks {
				for _, msg := range validateCheck(c, lessonExists) {
					add(st.ID, "checks[%d]: %s", j, msg)
				}
			}
		case StepEnd:
			if strings.TrimSpace(st.Outcome) == "" {
				add(st.ID, "outcome: the story of a passed run is required")
			}
			for _, msg := range validateEndings(st.Endings, s, checkIDs) {
				add(st.ID, "%s", msg)
			}
			if len(st.next()) > 0 {
				add(st.ID, "next: an end step leads nowhere")
			}
		default:
			add(st.ID, "kind: %q is not dialogue, task or end", st.Kind)
		}
	}
	if len(ps) > 0 {
		return ps // the graph checks need sound steps
	}
	// Reachability from start, and from every reachable step an end.
	reach := map[string]bool{}
	var walk func(string)
	walk = func(id string) {
		if reach[id] {
			return
		}
		reach[id] = true
		for _, n := range s.Step(id).next() {
			walk(n)
		}
	}
	walk(s.Start)
	ends := map[string]bool{}
	for changed := true; changed; {
		changed = false
		for _, st := range s.Steps {
			if ends[st.ID] {
				continue
			}
			ok := st.Kind == StepEnd
			for _, n := range st.next() {
				ok = ok || ends[n]
			}
			if ok {
				ends[st.ID], changed = true, true
			}
		}
	}
	for _, st := range s.Steps {
		if !reach[st.ID] {
			add(st.ID, "unreachable from start %q", s.Start)
		} else if !ends[st.ID] {
			add(st.ID, "no path from here reaches an end step (a cycle without a way out)")
		}
	}
	return ps
}

// validateEndings checks an end step's endings, and that a failed run
// always has one to be told.
func validateEndings(endings []Ending, s *Scenario, checkIDs map[string]bool) []string {
	var out []string
	catchAll := false
	for i, e := range endings {
		w := e.When
		switch w.Result {
		case ResultPassed, ResultFailed:
		default:
			out = append(out, fmt.Sprintf("endings[%d].when.result: %q is not passed or failed", i, w.Result))
		}
		for _, v := range w.Visited {
			if s.Step(v) == nil {
				out = append(out, fmt.Sprintf("endings[%d].when.visited: no step %q", i, v))
			}
		}
		for _, id := range slices.Concat(w.Missed, w.Met) {
			if !checkIDs[id] {
				out = append(out, fmt.Sprintf("endings[%d].when: no check with id %q", i, id))
			}
		}
		if strings.TrimSpace(e.Outcome) == "" {
			out = append(out, fmt.Sprintf("endings[%d].outcome: required", i))
		}
		if w.Result == ResultFailed && len(w.Visited)+len(w.Missed)+len(w.Met) == 0 {
			catchAll = true
		}
	}
	if !catchAll {
		out = append(out, "endings: add an ending with when: {result: failed} and no other condition, so that a failed run is told how the call went wrong")
	}
	return out
}

// Ending returns the story a finished run is told: the first of its end
// step's endings that holds, else (for a passed run) the step's outcome.
func (s *Scenario) Ending(r *Run) string {
	st := s.Step(r.Step)
	if st == nil || st.Kind != StepEnd {
		return ""
	}
	visited := map[string]bool{st.ID: true}
	passed, failed := map[string]bool{}, map[string]bool{}
	for _, e := range r.Log {
		visited[e.Step] = true
		for _, c := range e.Checks {
			if c.ID == "" {
				continue
			}
			if c.Passed {
				passed[c.ID] = true
			} else {
				failed[c.ID] = true
			}
		}
	}
	result := ResultFailed
	if r.Passed {
		result = ResultPassed
	}
	all := func(ids []string, in map[string]bool) bool {
		return !slices.ContainsFunc(ids, func(id string) bool { return !in[id] })
	}
	for _, e := range st.Endings {
		w := e.When
		if w.Result == result && all(w.Visited, visited) && all(w.Missed, failed) && all(w.Met, passed) {
			return e.Outcome
		}
	}
	if r.Passed {
		return st.Outcome
	}
	return ""
}

// ScenarioProblem is a problem of a scenario, at a step ("" = the top).
type ScenarioProblem struct {
	Step    string
	Message string
}

func validateCheck(c Check, lessonExists func(string) bool) []string {
	out := ShippedRules().checkFits(c)
	if ShippedRules().Procedure(c.Type) == nil {
		return out
	}
	switch c.Kind {
	case CheckTicket, CheckAbsent:
	case CheckOrder:
		if len(c.Actions) < 2 {
			out = append(out, "actions: list at least two actions in order")
		}
	case CheckWithin:
		if c.Minutes <= 0 {
			out = append(out, "minutes: a positive number of simulated minutes")
		}
	default:
		out = append(out, fmt.Sprintf("kind: %q is not ticket, order, absent or within", c.Kind))
	}
	if c.Resident != "" && c.Resident != PersonaID {
		out = append(out, fmt.Sprintf("resident: only %q (the scenario's owner) can be named", PersonaID))
	}
	if !slices.Contains(Dimensions, c.Dimension) {
		out = append(out, fmt.Sprintf("dimension: %q is not one of %s", c.Dimension, strings.Join(Dimensions, ", ")))
	}
	if c.Points < 1 || c.Points > 10 {
		out = append(out, fmt.Sprintf("points: %d is outside 1..10", c.Points))
	}
	if strings.TrimSpace(c.Message) == "" {
		out = append(out, "message: say in plain words what was missed")
	}
	if c.Lesson != "" && !lessonExists(c.Lesson) {
		out = append(out, fmt.Sprintf("lesson: no lesson %q", c.Lesson))
	}
	return out
}

// MaxScore is the best total a trainee can actually reach: the most that
// the run's own arithmetic (addScores: each dimension summed along the way
// and never let below zero) gives on some path from the start to an end,
// with every task check passed. Negative scores count, so a detour through
// a bad choice and its recovery is worth no more than the run would give
// it; otherwise a perfect play could never show 100 %.
//
// The format allows cycles (lint only demands a way out of them), so a path
// visits each step at most once: the search has to end, and a loop that
// pays on every lap has no finite best anyway.
func (s *Scenario) MaxScore() int { return s.maxOver(scoreTotal) }

// DimensionMax is the most a run can score in each rubric dimension, each
// on its own best path: what a debrief's dimension score is out of.
func (s *Scenario) DimensionMax() map[string]int {
	out := make(map[string]int, len(Dimensions))
	for _, d := range Dimensions {
		out[d] = s.maxOver(func(m map[string]int) int { return m[d] })
	}
	return out
}

// maxOver is the most that value gives of a run's scores at an end, over
// the paths MaxScore describes.
func (s *Scenario) maxOver(value func(map[string]int) int) int {
	type state struct{ step, scores string }
	memo := map[state]int{}
	onPath := map[string]bool{}
	// best returns the most a run standing at step id with the given scores
	// can finish with, or -1 when every way on leads back onto the path.
	// looped reports that the answer hung on the path taken to get here, so
	// it is not kept: without the memo, scenarios whose branches meet again
	// cost one walk per combination of choices.
	var best func(id string, scores map[string]int) (total int, looped bool)
	best = func(id string, scores map[string]int) (int, bool) {
		st := s.Step(id)
		if st == nil || st.Kind == StepEnd { // a missing step ends the run too (Coach.advance)
			return value(scores), false
		}
		if onPath[id] {
			return -1, true
		}
		k := state{id, scoreKey(scores)}
		if v, ok := memo[k]; ok {
			return v, false
		}
		onPath[id] = true
		defer delete(onPath, id)
		res, looped := -1, false
		try := func(next string, delta map[string]int) {
			after := maps.Clone(scores)
			addScores(after, delta)
			v, l := best(next, after)
			res, looped = max(res, v), looped || l
		}
		switch st.Kind {
		case StepTask:
			// As Coach.Done: passed checks are summed per dimension and added
			// at once. A check that would take points away is better failed.
			pts := map[string]int{}
			for _, c := range st.Checks {
				if c.Points > 0 {
					pts[c.Dimension] += c.Points
				}
			}
			try(st.Next, pts)
		case StepDialogue:
			for _, c := range st.Choices {
				try(c.Next, c.Scores)
			}
			if r := st.Reply; r != nil {
				// A reply that misses a phrase scores nothing, which beats
				// its scores when they are negative.
				try(r.Next, r.Scores)
				try(r.Next, nil)
			}
		}
		if !looped {
			memo[k] = res
		}
		return res, looped
	}
	total, _ := best(s.Start, map[string]int{})
	return max(total, 0)
}

// scoreTotal adds up a run's dimension scores: its total, and what MaxScore
// maximises.
func scoreTotal(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// scoreKey spells scores canonically, zeros left out, for use as a map key.
func scoreKey(m map[string]int) string {
	var b strings.Builder
	for _, d := range slices.Sorted(maps.Keys(m)) {
		if m[d] != 0 {
			fmt.Fprintf(&b, "%s=%d;", d, m[d])
		}
	}
	return b.String()
}

func positive(m map[string]int) int {
	n := 0
	for _, v := range m {
		if v > 0 {
			n += v
		}
	}
	return n
}

// ScenarioService stores scenarios.
type ScenarioService interface {
	ListScenarios(ctx context.Context) ([]*Scenario, error)
	SaveScenario(ctx context.Context, s *Scenario) error
	SetScenarioStatus(ctx context.Context, slug, status string) error
}

// ImportScenarios brings the stored scenarios in line with the files:
// scenarios are authored as files only, so the files always win; removed
// ones are archived (runs stay).
func (l *Library) ImportScenarios(ctx context.Context, files []*Scenario, store ScenarioService) (*ImportReport, error) {
	stored, err := store.ListScenarios(ctx)
	if err != nil {
		return nil, err
	}
	return importFiles(ctx, l, fileSet[*Scenario]{
		files: files, stored: stored,
		meta: func(s *Scenario) *fileMeta {
			return &fileMeta{&s.Slug, &s.Hash, &s.Status, &s.UpdatedAt, s.ContentHash}
		},
		save: store.SaveScenario, setStatus: store.SetScenarioStatus,
	})
}

// fileMeta points at the bookkeeping fields of a file-authored document.
type fileMeta struct {
	slug, hash, status *string
	updated            *time.Time
	contentHash        func() string
}

// fileSet is one kind of file-authored content being imported.
type fileSet[T any] struct {
	files, stored []T
	meta          func(T) *fileMeta
	save          func(context.Context, T) error
	setStatus     func(ctx context.Context, slug, status string) error
}

// importFiles saves the files that changed and archives stored documents
// whose file is gone; the files always win.
func importFiles[T any](ctx context.Context, l *Library, set fileSet[T]) (*ImportReport, error) {
	old := map[string]*fileMeta{}
	for _, s := range set.stored {
		m := set.meta(s)
		old[*m.slug] = m
	}
	rep := &ImportReport{}
	inFiles := map[string]bool{}
	for _, f := range set.files {
		m := set.meta(f)
		inFiles[*m.slug] = true
		*m.hash, *m.status, *m.updated = m.contentHash(), CourseActive, l.Now()
		o := old[*m.slug]
		if o != nil && *o.hash == *m.hash && *o.status == CourseActive {
			rep.Unchanged = append(rep.Unchanged, *m.slug)
			continue
		}
		if err := set.save(ctx, f); err != nil {
			return rep, err
		}
		if o == nil {
			rep.Created = append(rep.Created, *m.slug)
		} else {
			rep.Updated = append(rep.Updated, *m.slug)
		}
	}
	status := map[string]string{}
	for slug, o := range old {
		status[slug] = *o.status
	}
	return l.finishImport(ctx, rep, inFiles, status, set.setStatus)
}

// ScenarioFromCase drafts a scenario from a training case: the case's owner
// becomes the persona, its description the opening; a first dialogue step
// and an end step frame a task that asks for the same kind of ticket
// handled through the actions the real ticket went through. Trainers finish
// the draft as a file under scenarios/.
func ScenarioFromCase(tc *TrainingCase) *Scenario {
	var actions []string
	for _, e := range tc.Events {
		if e.To != "" && !slices.Contains(actions, e.Action) {
			actions = append(actions, e.Action)
		}
	}
	label := typeLabel(tc.Type)
	s := &Scenario{
		Slug: "case-" + strings.TrimPrefix(tc.ID, "case-"), Title: tc.Title, Summary: "根据真实" + label + "工单整理的练习（草稿，请补充对话和评分）。",
		Difficulty: "medium", PassMark: 70,
		Persona: Persona{Name: tc.Resident.Name, Unit: tc.Unit.Label, Mood: "（请填写）"},
		Opening: cmp.Or(tc.Description, tc.Title), Start: "call",
		Steps: []Step{
			{ID: "call", Kind: StepDialogue, Owner: tc.Title, Choices: []Choice{
				{Text: "您好，物业客服中心。请问您是哪栋哪一户？", Next: "task", Scores: map[string]int{DimProcedure: 2}, Feedback: "先报单位，再确认房号。"},
				{Text: "这个事情不归我们客服管，您自己打电话问一下工程部或者保安那边吧。", Next: "task", Scores: map[string]int{DimEmpathy: -2, DimProcedure: -2}, Feedback: "推诿：客服是受理的第一站。"},
			}},
			{ID: "task", Kind: StepTask, Prompt: "在演练工作台按规程处理这张" + label + "工单。", Next: "end", Checks: []Check{
				{Kind: CheckTicket, Type: tc.Type, Resident: PersonaID, Dimension: DimProcedure, Points: 3, Message: "没有为业主建立" + label + "工单"},
			}},
			{ID: "end", Kind: StepEnd, Outcome: "（请填写：按规程处理后的结果）", Endings: []Ending{
				{When: EndingCond{Result: ResultFailed}, Outcome: "（请填写：没有按规程处理时，这通电话的结果）"},
			}},
		},
	}
	if len(actions) >= 2 {
		s.Steps[1].Checks = append(s.Steps[1].Checks, Check{Kind: CheckOrder, Type: tc.Type, Actions: actions, Dimension: DimProcedure,
			Points: 3, Message: "处理步骤不完整或顺序不对", Required: true})
	}
	return s
}

// checkFits lists what of check c the rules cannot satisfy: a ticket
// type (the procedure the check is about), state, action, field or
// department they do not have.
func (r *DeskRules) checkFits(c Check) []string {
	var out []string
	p := r.Procedure(c.Type)
	if p == nil {
		return []string{fmt.Sprintf("type: %q is not a ticket type", c.Type)}
	}
	action := func(a string) bool {
		return a == ActionCreate || a == ActionNote || a == ActionMessage || a == ActionAssign || p.Transition(a) != nil
	}
	switch c.Kind {
	case CheckTicket:
		if c.State != "" && !slices.ContainsFunc(p.States, func(s StateDef) bool { return s.ID == c.State }) {
			out = append(out, fmt.Sprintf("state: %q is not a state of %s", c.State, c.Type))
		}
		for _, f := range slices.Sorted(maps.Keys(c.Fields)) {
			if r.FieldLabel(f) == f && f != "priority" {
				out = append(out, fmt.Sprintf("fields: %q is not a field of any action", f))
			}
			if v := c.Fields[f]; f == "department" && r.DepartmentName(v) == "" {
				out = append(out, fmt.Sprintf("fields: %q is not a department", v))
			}
		}
	case CheckOrder:
		for _, a := range c.Actions {
			if !action(a) {
				out = append(out, fmt.Sprintf("actions: %q is not an action of %s", a, c.Type))
			}
		}
	case CheckAbsent:
		if !action(c.Action) {
			out = append(out, fmt.Sprintf("action: %q is not an action of %s", c.Action, c.Type))
		}
	case CheckWithin:
		if !action(c.From) || !action(c.To) {
			out = append(out, fmt.Sprintf("from/to: %q and %q must be actions of %s", c.From, c.To, c.Type))
		}
	}
	return out
}

// FitsRules lists the checks and fixture tickets of the scenario that
// rules r cannot satisfy, so that a company that changes a procedure
// learns which scenarios no longer match its desk.
func (s *Scenario) FitsRules(r *DeskRules) []ScenarioProblem {
	var out []ScenarioProblem
	for i, ft := range s.Fixture.Tickets {
		p := r.Procedure(ft.Type)
		if p == nil {
			out = append(out, ScenarioProblem{"", fmt.Sprintf("fixture.tickets[%d].type: %q is not a ticket type", i, ft.Type)})
			continue
		}
		for _, a := range ft.Actions {
			if p.Transition(a.Action) == nil {
				out = append(out, ScenarioProblem{"", fmt.Sprintf("fixture.tickets[%d].actions: %q is not an action of %s", i, a.Action, ft.Type)})
			}
		}
	}
	for _, st := range s.Steps {
		for j, c := range st.Checks {
			for _, msg := range r.checkFits(c) {
				out = append(out, ScenarioProblem{st.ID, fmt.Sprintf("checks[%d]: %s", j, msg)})
			}
		}
	}
	return out
}
