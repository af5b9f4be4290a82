package academy

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/academy/academy/internal/phrase"
)

// Run states.
const (
	RunActive   = "active"
	RunFinished = "finished"
)

// Run is one play of a scenario by a trainee, with its own sandbox.
type Run struct {
	ID            string     `json:"id" bson:"_id"`
	Username      string     `json:"username" bson:"username"`
	Scenario      string     `json:"scenario" bson:"scenario"`
	ScenarioTitle string     `json:"scenario_title" bson:"scenario_title"`
	Sandbox       string     `json:"sandbox" bson:"sandbox"`
	State         string     `json:"state" bson:"state"`
	Step          string     `json:"step" bson:"step"` // current step
	StartedAt     time.Time  `json:"started_at" bson:"started_at"`
	FinishedAt    time.Time  `json:"finished_at,omitzero" bson:"finished_at,omitempty"`
	Log           []RunEntry `json:"log" bson:"log"`
	// Orders are the orders in which each dialogue step's choices are
	// shown in this run (indexes into the step's choices), drawn at the
	// start so that the order is the same on every visit. Learners never
	// see the file's order: the first choice written is often the best.
	Orders   map[string][]int `json:"-" bson:"orders,omitempty"`
	Scores   map[string]int   `json:"scores" bson:"scores"`
	Total    int              `json:"total" bson:"total"`
	Max      int              `json:"max" bson:"max"`
	Percent  float64          `json:"percent" bson:"percent"`
	PassMark int              `json:"pass_mark" bson:"pass_mark"`
	Passed   bool             `json:"passed" bson:"passed"`
	// Ending is the story the finished run was told, kept as told so that
	// a later edit of the scenario does not rewrite an old debrief.
	Ending  string `json:"ending,omitempty" bson:"ending,omitempty"`
	Version int    `json:"version" bson:"version"`
}

// RunEntry is one thing the trainee did: a choice, a reply, or a task
// declared done with the results of its checks.
type RunEntry struct {
	Step     string         `json:"step" bson:"step"`
	Kind     string         `json:"kind" bson:"kind"` // choice, reply, task
	Choice   int            `json:"-" bson:"choice"`  // index into the step's choices as written`
	Text     string         `json:"text,omitempty" bson:"text,omitempty"`
	Scores   map[string]int `json:"scores,omitempty" bson:"scores,omitempty"`
	Feedback string         `json:"feedback,omitempty" bson:"feedback,omitempty"`
	// Found says which of a reply's words matched which phrase.
	Found  []string      `json:"found,omitempty" bson:"found,omitempty"`
	Passed bool          `json:"passed" bson:"passed"`
	Checks []CheckResult `json:"checks,omitempty" bson:"checks,omitempty"`
	At     time.Time     `json:"at" bson:"at"`
}

// CheckResult is the outcome of one task check.
type CheckResult struct {
	ID        string `json:"id,omitempty" bson:"id,omitempty"` // the check's id, for endings
	Passed    bool   `json:"passed" bson:"passed"`
	Message   string `json:"message" bson:"message"` // the author's words for a failure
	Detail    string `json:"detail" bson:"detail"`   // what the checker found
	Dimension string `json:"dimension" bson:"dimension"`
	Points    int    `json:"points" bson:"points"`
	Lesson    string `json:"lesson,omitempty" bson:"lesson,omitempty"`
	Required  bool   `json:"required,omitempty" bson:"required,omitempty"`
}

// candidates are the tickets a check looks at.
func candidates(c Check, tickets []Ticket) []*Ticket {
	var out []*Ticket
	for i := range tickets {
		t := &tickets[i]
		if t.Type == c.Type && (c.Resident == "" || t.Resident == c.Resident) {
			out = append(out, t)
		}
	}
	return out
}

func typeLabel(typ string) string {
	if p := ProcedureOf(typ); p != nil {
		return p.Label
	}
	return typ
}

// ActionLabel names an action of a ticket type for people: the procedure's
// label, or the common actions' names.
func ActionLabel(typ, action string) string { return actionLabel(typ, action) }

func actionLabel(typ, action string) string {
	if p := ProcedureOf(typ); p != nil {
		if t := p.Transition(action); t != nil {
			return t.Label
		}
	}
	if l, ok := map[string]string{ActionCreate: "受理建单", ActionNote: "内部备注", ActionMessage: "回复业主", ActionAssign: "指派", ActionEscalate: "超时升级"}[action]; ok {
		return l
	}
	return action
}

// firstEvent returns the first event with action, or nil.
func firstEvent(t *Ticket, action string) *Event {
	for i := range t.Events {
		if t.Events[i].Action == action {
			return &t.Events[i]
		}
	}
	return nil
}

// Evaluate runs one check against a sandbox's tickets. It is pure: the
// same tickets give the same result, so debriefs can be recomputed.
func Evaluate(c Check, tickets []Ticket) CheckResult {
	r := CheckResult{ID: c.ID, Message: c.Message, Dimension: c.Dimension, Points: c.Points, Lesson: c.Lesson, Required: c.Required}
	cands := candidates(c, tickets)
	who := ""
	if c.Resident == PersonaID {
		who = "来电业主的"
	}
	if len(cands) == 0 {
		// No such ticket means the forbidden action cannot have happened:
		// "do not log this as an inquiry" is kept by logging no inquiry.
		if c.Kind == CheckAbsent {
			r.Passed, r.Detail = true, fmt.Sprintf("没有%s%s工单，也就没有“%s”", who, typeLabel(c.Type), actionLabel(c.Type, c.Action))
			return r
		}
		r.Detail = fmt.Sprintf("没有找到%s%s工单", who, typeLabel(c.Type))
		return r
	}
	switch c.Kind {
	case CheckTicket:
		var why []string
		for _, t := range cands {
			var miss []string
			if c.State != "" && t.State != c.State {
				miss = append(miss, fmt.Sprintf("状态是“%s”而不是“%s”", ProcedureOf(t.Type).State(t.State).Label, ProcedureOf(t.Type).State(c.State).Label))
			}
			for f, v := range c.Fields {
				got := t.Fields[f]
				if f == "priority" {
					got = t.Priority
				}
				if got != v {
					miss = append(miss, fmt.Sprintf("%s是“%s”而不是“%s”", FieldLabel(f), fieldValueName(f, got), fieldValueName(f, v)))
				}
			}
			if len(miss) == 0 {
				r.Passed = true
				r.Detail = fmt.Sprintf("工单 %s 符合要求", t.Number)
				return r
			}
			why = append(why, t.Number+"："+strings.Join(miss, "，"))
		}
		r.Detail = strings.Join(why, "；")
	case CheckOrder:
		var why []string
		for _, t := range cands {
			i := 0
			for _, e := range t.Events {
				if i < len(c.Actions) && e.Action == c.Actions[i] {
					i++
				}
			}
			if i == len(c.Actions) {
				r.Passed = true
				r.Detail = fmt.Sprintf("工单 %s 按顺序完成了%s", t.Number, orderLabel(c))
				return r
			}
			missing := c.Actions[i]
			if firstEvent(t, missing) == nil {
				why = append(why, fmt.Sprintf("工单 %s 缺少“%s”", t.Number, actionLabel(c.Type, missing)))
			} else {
				why = append(why, fmt.Sprintf("工单 %s 的“%s”顺序不对", t.Number, actionLabel(c.Type, missing)))
			}
		}
		r.Detail = strings.Join(why, "；")
	case CheckAbsent:
		for _, t := range cands {
			if e := firstEvent(t, c.Action); e != nil {
				r.Detail = fmt.Sprintf("工单 %s 在 %s 有“%s”", t.Number, e.At.In(t.Location()).Format("15:04"), actionLabel(c.Type, c.Action))
				return r
			}
		}
		r.Passed, r.Detail = true, fmt.Sprintf("没有“%s”", actionLabel(c.Type, c.Action))
	case CheckWithin:
		var why []string
		for _, t := range cands {
			from, to := firstEvent(t, c.From), firstEvent(t, c.To)
			switch {
			case from == nil:
				why = append(why, fmt.Sprintf("工单 %s 没有“%s”", t.Number, actionLabel(c.Type, c.From)))
			case to == nil:
				why = append(why, fmt.Sprintf("工单 %s 没有“%s”", t.Number, actionLabel(c.Type, c.To)))
			default:
				// Say what was timed: between which two steps, and the limit.
				d := to.At.Sub(from.At)
				timed := fmt.Sprintf("工单 %s 从“%s”到“%s”用了 %d 分钟，要求 %d 分钟内", t.Number,
					actionLabel(c.Type, c.From), actionLabel(c.Type, c.To), int(d.Minutes()), c.Minutes)
				if d <= time.Duration(c.Minutes)*time.Minute {
					r.Passed = true
					r.Detail = timed
					return r
				}
				why = append(why, fmt.Sprintf("%s，超出 %d 分钟", timed, int(d.Minutes())-c.Minutes))
			}
		}
		r.Detail = strings.Join(why, "；")
	}
	return r
}

// fieldValueName shows a department or priority by its name: debriefs are
// read by trainees, not by the desk's code.
func fieldValueName(field, v string) string {
	name := ""
	switch field {
	case FieldDepartment:
		name = DepartmentName(v)
	case FieldPriority:
		name = PriorityName(v)
	}
	if name == "" {
		return v
	}
	return name
}

func orderLabel(c Check) string {
	var l []string
	for _, a := range c.Actions {
		l = append(l, actionLabel(c.Type, a))
	}
	return strings.Join(l, "→")
}

// ReplyFeedback checks a free-text reply: every required group needs one of
// its phrases, no forbidden phrase may appear unless denied. Matching reads
// numerals, units and the scenario's synonyms as a trainer would; found
// says, for the debrief, which words matched which phrase.
func ReplyFeedback(r *Reply, synonyms []PhraseGroup, text string) (ok bool, problems, found []string) {
	groups := make([][]string, len(synonyms))
	for i, g := range synonyms {
		groups[i] = g.Any
	}
	m := phrase.New(groups)
	explain := func(f phrase.Match) string {
		if f.Read != "" {
			return fmt.Sprintf("“%s”（按“%s”理解）对应“%s”", f.Said, f.Read, f.Phrase)
		}
		return fmt.Sprintf("“%s”对应“%s”", f.Said, f.Phrase)
	}
	for _, g := range r.Required {
		hit := false
		for _, p := range g.Any {
			if f, ok := m.Find(text, p); ok {
				found, hit = append(found, explain(f)), true
				break
			}
		}
		if !hit {
			problems = append(problems, "没有提到："+strings.Join(g.Any, "／"))
		}
	}
	for _, p := range r.Forbidden {
		if f, ok := m.FindAffirmed(text, p); ok {
			problems = append(problems, "不应该说："+p)
			found = append(found, "不应该说的"+explain(f))
		}
	}
	return len(problems) == 0, problems, found
}

// RunSummary is a run as listed per learner.
type RunSummary struct {
	ID         string    `json:"id" bson:"id"`
	Scenario   string    `json:"scenario" bson:"scenario"`
	State      string    `json:"state" bson:"state"`
	StartedAt  time.Time `json:"started_at" bson:"started_at"`
	FinishedAt time.Time `json:"finished_at,omitzero" bson:"finished_at,omitempty"`
	Percent    float64   `json:"percent" bson:"percent"`
	Passed     bool      `json:"passed" bson:"passed"`
}

// FeedbackWithin is how far back failed runs wait for a trainer's look.
const FeedbackWithin = 14 * 24 * time.Hour

// AwaitsFeedback reports whether a trainer should look at the run at now:
// it failed within FeedbackWithin.
func (r RunSummary) AwaitsFeedback(now time.Time) bool {
	return r.State == RunFinished && !r.Passed && !r.FinishedAt.Before(now.Add(-FeedbackWithin))
}

// Summary is the run as its learner's list shows it.
func (r *Run) Summary() RunSummary {
	return RunSummary{ID: r.ID, Scenario: r.Scenario, State: r.State, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt, Percent: r.Percent, Passed: r.Passed}
}

// RunChecks are the task checks of one finished run. They are kept per
// learner apart from the run, so that a team's weak spots read one small
// document per person instead of every run with its whole log.
type RunChecks struct {
	Scenario string      `bson:"scenario"`
	Title    string      `bson:"title"`
	Checks   []CheckMark `bson:"checks"`
}

// CheckMark is one check of a run: passed or not.
type CheckMark struct {
	Message string `bson:"message"`
	Lesson  string `bson:"lesson,omitempty"`
	Passed  bool   `bson:"passed"`
}

// Checks returns what the run's tasks checked; ok is false while the run is
// unfinished, when its checks do not count yet.
func (r *Run) Checks() (rc RunChecks, ok bool) {
	if r.State != RunFinished {
		return RunChecks{}, false
	}
	rc = RunChecks{Scenario: r.Scenario, Title: r.ScenarioTitle}
	for _, e := range r.Log {
		for _, ck := range e.Checks {
			rc.Checks = append(rc.Checks, CheckMark{Message: ck.Message, Lesson: ck.Lesson, Passed: ck.Passed})
		}
	}
	return rc, true
}

// BestRun returns the best passing run of a scenario, if any: the one that
// counts for certification.
func BestRun(runs []RunSummary, scenario string) *RunSummary {
	var best *RunSummary
	for i := range runs {
		r := &runs[i]
		if r.Scenario == scenario && r.Passed && (best == nil || r.Percent > best.Percent) {
			best = r
		}
	}
	return best
}

// RunService stores runs and each learner's list of them.
type RunService interface {
	InsertRun(ctx context.Context, r *Run) error
	FindRun(ctx context.Context, id string) (*Run, error)
	// SaveRun writes version r.Version if the stored run is at r.Version-1.
	SaveRun(ctx context.Context, r *Run) error
	ListRuns(ctx context.Context, username string) ([]RunSummary, error)
	// ListRunChecks returns the checks of the finished runs of many
	// learners by username, for the weak spots of a team.
	ListRunChecks(ctx context.Context, usernames []string) (map[string][]RunChecks, error)
	// ListRunsOf returns the run summaries of many learners by username.
	ListRunsOf(ctx context.Context, usernames []string) (map[string][]RunSummary, error)
}

// Coach runs scenarios: it opens the sandbox, records choices, grades task
// steps against the sandbox's event log, and keeps the score.
type Coach struct {
	Runs     RunService
	Desk     *Desk
	Now      func() time.Time
	Outcomes OutcomeRecorder // optional
}

// Fixture builds the sandbox a run starts with: a synthetic estate, the
// persona living in their flat, and the scenario's existing tickets, made
// with the real engine at times before the start.
func (s *Scenario) SandboxFixture(seed int64, now time.Time) (*SandboxFixture, error) {
	dir := SyntheticDirectory(seed)
	m := unitLabelRE.FindStringSubmatch(s.Persona.Unit)
	if m == nil {
		return nil, Errorf(EINVALID, "persona.unit: %q is not like 3栋2单元1202", s.Persona.Unit)
	}
	unit := Unit{ID: m[1] + "-" + m[2] + "-" + m[3], Building: m[1] + "栋", Label: s.Persona.Unit}
	if dir.Unit(unit.ID) == nil {
		dir.Units = append(dir.Units, unit)
	}
	dir.Residents = append([]Resident{{ID: PersonaID, Name: s.Persona.Name, Unit: unit.ID, Phone: "100-0000-0000", Role: "owner"}}, dir.Residents...)
	fx := &SandboxFixture{Scenario: s.Slug, Directory: dir}
	for i, ft := range s.Fixture.Tickets {
		created := now.Add(-time.Duration(ft.AgeMinutes) * time.Minute)
		t, err := CreateTicket(ShippedRules(), NewTicket{Type: ft.Type, Title: ft.Title, Resident: ft.Resident, Priority: ft.Priority, Channel: "phone"},
			&dir, "", TicketID("fixture", i+1), ShippedRules().TicketNumber(ft.Type, i+1), "前任客服", created)
		if err != nil {
			return nil, fmt.Errorf("fixture ticket %d: %w", i+1, err)
		}
		for _, a := range ft.Actions {
			at := created.Add(time.Duration(a.AfterMinutes) * time.Minute)
			fields := a.Fields
			if len(a.Later) > 0 {
				// A copy: the scenario is shared by every run that starts it.
				fields = maps.Clone(a.Fields)
				if fields == nil {
					fields = map[string]string{}
				}
				for name, m := range a.Later {
					fields[name] = at.Add(time.Duration(m) * time.Minute).Format("2006-01-02 15:04")
				}
			}
			if _, err := Apply(t, TicketAction{Action: a.Action, Fields: fields, Version: t.Version}, "前任客服", at); err != nil {
				return nil, fmt.Errorf("fixture ticket %d, %s: %w", i+1, a.Action, err)
			}
		}
		fx.Tickets = append(fx.Tickets, *t)
	}
	return fx, nil
}

// Start opens a run with a fresh sandbox.
func (c *Coach) Start(ctx context.Context, u *User, s *Scenario) (*Run, error) {
	if s.Status != CourseActive {
		return nil, Errorf(ENOTFOUND, "情景演练 %q 已归档 / scenario %q is archived", s.Slug, s.Slug)
	}
	now := c.Now()
	fx, err := s.SandboxFixture(EstateSeed(now), now)
	if err != nil {
		return nil, err
	}
	// The sandbox knows its run, so that its desk can show the task and
	// lead back to the call.
	fx.Run = "run-" + strings.ToLower(NewToken()[:16])
	sb, err := c.Desk.OpenSandbox(ctx, u.ID, s.Title, fx)
	if err != nil {
		return nil, err
	}
	r := &Run{ID: fx.Run, Username: u.ID, Scenario: s.Slug, ScenarioTitle: s.Title, Sandbox: sb.ID,
		State: RunActive, Step: s.Start, StartedAt: now, Scores: map[string]int{}, Max: s.MaxScore(), PassMark: s.PassMark, Version: 1}
	for _, st := range s.Steps {
		if len(st.Choices) > 1 {
			if r.Orders == nil {
				r.Orders = map[string][]int{}
			}
			r.Orders[st.ID] = rand.Perm(len(st.Choices))
		}
	}
	if err := c.Runs.InsertRun(ctx, r); err != nil {
		return nil, err
	}
	return r, nil
}

// ChoiceOrder returns the order in which the run shows st's choices, as
// indexes into st.Choices: the order drawn at the start, or the file's
// order for a run started before orders were drawn or a step whose
// choices were edited since.
func (r *Run) ChoiceOrder(st *Step) []int {
	ord := r.Orders[st.ID]
	seen := make([]bool, len(st.Choices))
	ok := len(ord) == len(st.Choices)
	for _, i := range ord {
		if !ok || i < 0 || i >= len(seen) || seen[i] {
			ok = false
			break
		}
		seen[i] = true
	}
	if ok {
		return ord
	}
	id := make([]int, len(st.Choices))
	for i := range id {
		id[i] = i
	}
	return id
}

// Get returns the learner's own run; trainers read runs through Debrief.
func (c *Coach) Get(ctx context.Context, u *User, id string) (*Run, error) {
	r, err := c.Runs.FindRun(ctx, id)
	if ErrorCode(err) == ENOTFOUND || (err == nil && r.Username != u.ID) {
		return nil, Errorf(ENOTFOUND, "演练记录不存在 / Run %q not found.", id)
	}
	return r, err
}

// advance moves the run to step next, finishing it at an end step.
func (c *Coach) advance(r *Run, s *Scenario, next string, now time.Time) {
	r.Step = next
	if st := s.Step(next); st == nil || st.Kind == StepEnd {
		r.State, r.FinishedAt = RunFinished, now
		r.Total = scoreTotal(r.Scores)
		if r.Max > 0 {
			r.Percent = float64(r.Total*10000/r.Max) / 100
		}
		r.Passed = r.Percent >= float64(r.PassMark) && !r.missedRequired()
		r.Ending = s.Ending(r)
	}
}

// missedRequired reports whether a must-do check of the run failed.
func (r *Run) missedRequired() bool {
	for _, e := range r.Log {
		for _, c := range e.Checks {
			if c.Required && !c.Passed {
				return true
			}
		}
	}
	return false
}

func addScores(total, delta map[string]int) {
	for d, v := range delta {
		total[d] = max(0, total[d]+v)
	}
}

// save writes the run; callers only save active runs, so a finished one
// has just finished and its outcome is reported. The write is conditional
// on the version read, and only an answer or a task moves the step, so a
// lost race means another request took this step first: stale, if given,
// tells the loser so in place of the store's "the run changed".
func (c *Coach) save(ctx context.Context, u *User, s *Scenario, r *Run, stale error) (*Run, error) {
	r.Version++
	if err := c.Runs.SaveRun(ctx, r); err != nil {
		if stale != nil && ErrorCode(err) == ECONFLICT {
			return nil, stale
		}
		return nil, err
	}
	if r.State == RunFinished && c.Outcomes != nil {
		err := c.Outcomes.Outcome(ctx, LearningEvent{Kind: EventScenarioCompleted, Username: u.ID,
			Ref: s.Slug, Title: s.Title, Percent: r.Percent, Passed: r.Passed, At: r.FinishedAt, Occurrence: r.ID})
		if err != nil {
			return r, err
		}
	}
	return r, nil
}

// Choose records the trainee's answer at dialogue step stepID, which must
// be the current step (a repeated or stale answer is refused rather than
// taken as the answer to the next step): a choice, counted from 0 in the
// order the run shows them, or, at a reply step, free text.
func (c *Coach) Choose(ctx context.Context, u *User, s *Scenario, id, stepID string, choice int, reply string) (*Run, error) {
	r, err := c.Get(ctx, u, id)
	if err != nil {
		return nil, err
	}
	if r.State != RunActive {
		return nil, Errorf(ECONFLICT, "演练已结束 / The run is finished.")
	}
	if stepID == "" {
		return nil, Errorf(EINVALID, "step: 必填：您正在回答的步骤编号（演练的当前步骤） / required: the id of the step you are answering (the run's current step)")
	}
	answered := Errorf(ECONFLICT, "这一步已经回答过了，请刷新 / Step %q was already answered; reload the run.", stepID)
	if stepID != r.Step {
		return nil, answered
	}
	st := s.Step(r.Step)
	if st == nil || st.Kind != StepDialogue {
		return nil, Errorf(EINVALID, "choice: 当前步骤不是对话，请完成任务后点“完成” / the current step is not a conversation; finish the task and say done")
	}
	now := c.Now()
	e := RunEntry{Step: st.ID, At: now}
	if st.Reply != nil {
		reply = strings.TrimSpace(reply)
		if reply == "" {
			return nil, Errorf(EINVALID, "reply: 这一步要用您自己的话回答 / this step asks for your own words")
		}
		if err := CheckText("reply", reply, 1000, true); err != nil {
			return nil, err
		}
		ok, problems, found := ReplyFeedback(st.Reply, s.Synonyms, reply)
		e.Kind, e.Text, e.Passed, e.Found = "reply", reply, ok, found
		e.Feedback = st.Reply.Feedback
		if ok {
			e.Scores = st.Reply.Scores
		} else {
			e.Feedback = strings.Join(problems, "；") + "。" + st.Reply.Feedback
		}
		addScores(r.Scores, e.Scores)
		r.Log = append(r.Log, e)
		c.advance(r, s, st.Reply.Next, now)
		return c.save(ctx, u, s, r, answered)
	}
	if choice < 0 || choice >= len(st.Choices) {
		return nil, Errorf(EINVALID, "choice: 这一步没有第 %d 个选项（0–%d） / %d is not offered at this step (0–%d)", choice, len(st.Choices)-1, choice, len(st.Choices)-1)
	}
	choice = r.ChoiceOrder(st)[choice]
	ch := st.Choices[choice]
	e.Kind, e.Choice, e.Text, e.Scores, e.Feedback = "choice", choice, ch.Text, ch.Scores, ch.Feedback
	e.Passed = positive(ch.Scores) > 0 && !slices.ContainsFunc(Dimensions, func(d string) bool { return ch.Scores[d] < 0 })
	addScores(r.Scores, ch.Scores)
	r.Log = append(r.Log, e)
	c.advance(r, s, ch.Next, now)
	return c.save(ctx, u, s, r, answered)
}

// Done grades the current task step against the run's sandbox.
func (c *Coach) Done(ctx context.Context, u *User, s *Scenario, id string) (*Run, error) {
	r, err := c.Get(ctx, u, id)
	if err != nil {
		return nil, err
	}
	if r.State != RunActive {
		return nil, Errorf(ECONFLICT, "演练已结束 / The run is finished.")
	}
	st := s.Step(r.Step)
	if st == nil || st.Kind != StepTask {
		return nil, Errorf(EINVALID, "done: 当前步骤是对话而不是任务，请选择一个回答 / the current step is a conversation, not a task; choose an answer")
	}
	sb, err := c.Desk.Sandboxes.FindSandbox(ctx, r.Sandbox)
	if err != nil {
		return nil, err
	}
	e := RunEntry{Step: st.ID, Kind: "task", At: c.Now(), Scores: map[string]int{}, Passed: true}
	for _, ck := range st.Checks {
		res := Evaluate(ck, sb.Tickets)
		e.Checks = append(e.Checks, res)
		if res.Passed {
			e.Scores[ck.Dimension] += ck.Points
		} else {
			e.Passed = false
		}
	}
	addScores(r.Scores, e.Scores)
	r.Log = append(r.Log, e)
	c.advance(r, s, st.Next, e.At)
	return c.save(ctx, u, s, r, nil)
}
