package academy

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// Attempt states. An attempt leaves in_progress exactly once.
const (
	AttemptInProgress = "in_progress"
	AttemptSubmitted  = "submitted"
	AttemptExpired    = "expired" // the time ran out: submitted with what was saved
	AttemptAbandoned  = "abandoned"
)

// AbandonAfter is how long an untimed attempt may sit untouched before the
// sweep abandons it.
const AbandonAfter = 7 * 24 * time.Hour

// Attempt is one sitting of a quiz. Everything needed to grade it — the
// drawn questions with their keys, in the order shown, with options in the
// order shown — is frozen in the document when it starts, so later edits of
// the bank never change an attempt.
type Attempt struct {
	ID           string              `json:"id" bson:"_id"`
	Username     string              `json:"username" bson:"username"`
	Quiz         string              `json:"quiz" bson:"quiz"`
	QuizTitle    string              `json:"quiz_title" bson:"quiz_title"`
	Course       string              `json:"course,omitempty" bson:"course,omitempty"`
	Number       int                 `json:"number" bson:"number"`
	State        string              `json:"state" bson:"state"`
	StartedAt    time.Time           `json:"started_at" bson:"started_at"`
	Deadline     time.Time           `json:"deadline,omitzero" bson:"deadline,omitempty"`
	SubmittedAt  time.Time           `json:"submitted_at,omitzero" bson:"submitted_at,omitempty"`
	LastActivity time.Time           `json:"-" bson:"last_activity"`
	PassMark     int                 `json:"pass_mark" bson:"pass_mark"`
	Review       string              `json:"review" bson:"review"`
	Layout       string              `json:"layout" bson:"layout"`
	Questions    []AttemptQuestion   `json:"-" bson:"questions,omitempty"`
	Answers      map[string]Response `json:"-" bson:"answers,omitempty"`
	Score        float64             `json:"score" bson:"score"`
	Max          float64             `json:"max" bson:"max"`
	Percent      float64             `json:"percent" bson:"percent"`
	Passed       bool                `json:"passed" bson:"passed"`
	Results      []QuestionResult    `json:"-" bson:"results,omitempty"`
	Transitions  []Transition        `json:"transitions" bson:"transitions"`
}

// AttemptQuestion is a question as frozen in an attempt.
type AttemptQuestion struct {
	Question `bson:"question"`
	Source   string `bson:"source"`  // the bank it was drawn from
	Version  string `bson:"version"` // Question.Version at start
}

// QuestionResult is the grade of one question.
type QuestionResult struct {
	ID       string  `json:"id" bson:"id"`
	Score    float64 `json:"score" bson:"score"`
	Max      float64 `json:"max" bson:"max"`
	Correct  bool    `json:"correct" bson:"correct"`
	Answered bool    `json:"answered" bson:"answered"`
}

// Transition records a change of state.
type Transition struct {
	State string    `json:"state" bson:"state"`
	At    time.Time `json:"at" bson:"at"`
}

// CheckOpen explains why a finished attempt takes no more answers.
func (a *Attempt) CheckOpen() error {
	switch a.State {
	case AttemptInProgress:
		return nil
	case AttemptExpired:
		return Errorf(ECONFLICT, "答题时间已到，答卷已按已保存的答案自动提交 / Time is up: the attempt was submitted with the answers saved before the deadline.")
	case AttemptAbandoned:
		return Errorf(ECONFLICT, "答卷已作废 / The attempt was abandoned.")
	}
	return Errorf(ECONFLICT, "答卷已提交，不能再修改 / The attempt is already submitted.")
}

// Finished reports whether the attempt left in_progress.
func (a *Attempt) Finished() bool { return a.State != AttemptInProgress }

// Question returns the frozen question with id, or nil.
func (a *Attempt) Question(id string) *AttemptQuestion {
	for i := range a.Questions {
		if a.Questions[i].ID == id {
			return &a.Questions[i]
		}
	}
	return nil
}

// Result returns the grade of question id, or nil before grading.
func (a *Attempt) Result(id string) *QuestionResult {
	for i := range a.Results {
		if a.Results[i].ID == id {
			return &a.Results[i]
		}
	}
	return nil
}

// Shows reports whether the review policy reveals level after submit.
func (a *Attempt) Shows(level string) bool {
	return a.Finished() && a.State != AttemptAbandoned && slices.Index(ReviewPolicies, a.Review) >= slices.Index(ReviewPolicies, level)
}

// grade scores every question from the saved answers.
func (a *Attempt) grade() {
	a.Results, a.Score, a.Max = nil, 0, 0
	for i := range a.Questions {
		q := &a.Questions[i].Question
		r, answered := a.Answers[q.ID]
		score, correct := Grade(q, &r)
		if !answered {
			score, correct = 0, false
		}
		a.Results = append(a.Results, QuestionResult{ID: q.ID, Score: score, Max: q.Points, Correct: correct, Answered: answered})
		a.Score += score
		a.Max += q.Points
	}
	a.Score = round2(a.Score)
	if a.Max > 0 {
		a.Percent = round2(a.Score * 100 / a.Max)
	}
	a.Passed = a.Percent >= float64(a.PassMark)
}

// AttemptSummary is an attempt as listed in a learner's record.
type AttemptSummary struct {
	ID          string    `json:"id" bson:"id"`
	Number      int       `json:"number" bson:"number"`
	State       string    `json:"state" bson:"state"`
	StartedAt   time.Time `json:"started_at" bson:"started_at"`
	SubmittedAt time.Time `json:"submitted_at,omitzero" bson:"submitted_at,omitempty"`
	Percent     float64   `json:"percent" bson:"percent"`
	Passed      bool      `json:"passed" bson:"passed"`
	// Right and Wrong list a graded attempt's questions as "<bank>/<id>":
	// a team's weak spots are counted from records, one small document
	// per learner, instead of from every attempt.
	Right []string `json:"-" bson:"right,omitempty"`
	Wrong []string `json:"-" bson:"wrong,omitempty"`
}

// Summary is the attempt as its learner's record lists it.
func (a *Attempt) Summary() AttemptSummary {
	s := AttemptSummary{ID: a.ID, Number: a.Number, State: a.State, StartedAt: a.StartedAt, SubmittedAt: a.SubmittedAt, Percent: a.Percent, Passed: a.Passed}
	for _, r := range a.Results {
		src := a.Quiz
		if q := a.Question(r.ID); q != nil && q.Source != "" {
			src = q.Source
		}
		if r.Correct {
			s.Right = append(s.Right, src+"/"+r.ID)
		} else {
			s.Wrong = append(s.Wrong, src+"/"+r.ID)
		}
	}
	return s
}

// Graded reports whether the summary's attempt was graded.
func (s *AttemptSummary) Graded() bool {
	return s.State == AttemptSubmitted || s.State == AttemptExpired
}

// QuizRecord is one learner's attempts at every quiz, in one document keyed
// by username: starting an attempt, the quiz list and "my attempts" each
// need one _id read.
type QuizRecord struct {
	Username string                  `json:"username" bson:"_id"`
	Quizzes  map[string]*QuizHistory `json:"quizzes" bson:"quizzes"`
}

// QuizHistory is a learner's attempts at one quiz. Summaries are keyed by
// attempt number ("1", "2" …) so that writing one is an idempotent $set.
type QuizHistory struct {
	Count    int                       `json:"count" bson:"count"`
	Attempts map[string]AttemptSummary `json:"-" bson:"attempts"`
	// Extra is how many attempts beyond the quiz's limit were granted.
	Extra int `json:"extra,omitempty" bson:"extra,omitempty"`
	// CooldownReset lifts the cooldown of attempts submitted before it.
	CooldownReset time.Time      `json:"cooldown_reset,omitzero" bson:"cooldown_reset,omitempty"`
	Grants        []AttemptGrant `json:"grants,omitempty" bson:"grants,omitempty"`
}

// List returns the summaries in attempt order.
func (h *QuizHistory) List() []AttemptSummary {
	out := make([]AttemptSummary, 0, len(h.Attempts))
	for _, s := range h.Attempts {
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b AttemptSummary) int { return a.Number - b.Number })
	return out
}

// History returns the history of quiz, never nil.
func (r *QuizRecord) History(quiz string) *QuizHistory {
	if r != nil && r.Quizzes[quiz] != nil {
		return r.Quizzes[quiz]
	}
	return &QuizHistory{}
}

// Best returns the best graded percentage and whether any attempt passed.
func (h *QuizHistory) Best() (best float64, passed bool, any bool) {
	for _, s := range h.Attempts {
		if s.State == AttemptSubmitted || s.State == AttemptExpired {
			any = true
			best = max(best, s.Percent)
			passed = passed || s.Passed
		}
	}
	return best, passed, any
}

// Active returns the in-progress attempt, if any.
func (h *QuizHistory) Active() *AttemptSummary {
	for _, s := range h.List() {
		if s.State == AttemptInProgress {
			return &s
		}
	}
	return nil
}

// AttemptsLeft returns how many attempts remain (-1: unlimited).
func (h *QuizHistory) AttemptsLeft(q *Quiz) int {
	if q.MaxAttempts == 0 {
		return -1
	}
	return max(0, q.MaxAttempts+h.Extra-h.Count)
}

// NextStart returns when the cooldown allows the next attempt.
func (h *QuizHistory) NextStart(q *Quiz) time.Time {
	var last time.Time
	for _, s := range h.Attempts {
		if s.SubmittedAt.After(last) {
			last = s.SubmittedAt
		}
	}
	if last.IsZero() || q.Cooldown == 0 || !last.After(h.CooldownReset) {
		return time.Time{}
	}
	return last.Add(q.Cooldown)
}

// OpenAttempt is an in-progress attempt as the sweep sees it.
type OpenAttempt struct {
	ID           string    `bson:"_id"`
	Deadline     time.Time `bson:"deadline,omitempty"`
	LastActivity time.Time `bson:"last_activity"`
	// Closed is when the closed attempt was written, for an untimed
	// attempt. The entry stays until the learner's record and the outcome
	// are written too, so that the sweep finishes a close that stopped in
	// between. A timed attempt's close leaves it unset: the sweep reads
	// the attempt at its deadline anyway, and finishes the close then; on
	// an exam day the mark was one update in every submit's dozen commands.
	Closed time.Time `bson:"closed,omitempty"`
}

// closeGrace is how long a close may take before the sweep takes a
// closed attempt still on the open list for an interrupted one.
const closeGrace = time.Minute

// FinalMark records who closed an attempt and how: the first to insert it
// for an attempt wins, which makes closing happen once.
type FinalMark struct {
	ID    string    `bson:"_id"` // the attempt id
	State string    `bson:"state"`
	At    time.Time `bson:"at"`
}

// AttemptService stores attempts and learners' quiz records. Every write is
// keyed by _id; the once-only steps (taking attempt number n, closing an
// attempt) are inserts of a marker document whose _id is unique, the one
// compare-and-swap that both MongoDB and the embedded store do atomically
// without scanning.
type AttemptService interface {
	// InsertAttempt stores a new attempt and lists it as open.
	InsertAttempt(ctx context.Context, a *Attempt) error
	// FindAttempt reads an attempt; while it is in progress, with the
	// answers saved so far.
	FindAttempt(ctx context.Context, id string) (*Attempt, error)
	// FindAttemptDoc reads an attempt without the answers saved while it
	// is in progress (a closed attempt has its answers).
	FindAttemptDoc(ctx context.Context, id string) (*Attempt, error)
	// FindAnswers reads the answers saved for an attempt in progress: nil
	// when none are (nothing saved yet, or the attempt closed).
	FindAnswers(ctx context.Context, id string) (map[string]Response, error)
	DeleteAttempt(ctx context.Context, id string) error
	// SaveAnswers replaces the answers saved for an attempt in progress;
	// with touch it also records at as the attempt's last activity on the
	// open list (the sweep abandons untimed attempts left untouched).
	SaveAnswers(ctx context.Context, id string, answers map[string]Response, at time.Time, touch bool) error
	// ClaimSlot takes attempt number n of a quiz for a learner, for the
	// given attempt; ECONFLICT with the holder's attempt id if taken.
	ClaimSlot(ctx context.Context, username, quiz string, n int, attemptID string) (holder string, err error)
	// FindSlot returns the attempt holding number n; ENOTFOUND if none.
	FindSlot(ctx context.Context, username, quiz string, n int) (holder string, err error)
	// MarkFinal closes an attempt once: it returns the mark that won,
	// which is mark itself when this call won.
	MarkFinal(ctx context.Context, mark FinalMark) (FinalMark, error)
	// FindFinal returns the closing mark of an attempt, ENOTFOUND if open.
	FindFinal(ctx context.Context, id string) (FinalMark, error)
	// WriteFinal stores the closed attempt (idempotent: the same mark and
	// answers give the same document) and, unless at is zero, marks it
	// closed at on the open list; DropOpen removes it from there once the
	// close is complete.
	WriteFinal(ctx context.Context, a *Attempt, at time.Time) error
	DropOpen(ctx context.Context, id string) error
	FindRecord(ctx context.Context, username string) (*QuizRecord, error)
	// ListRecords returns the records of many learners, for dashboards.
	ListRecords(ctx context.Context, usernames []string) ([]*QuizRecord, error)
	// SetSummary records an attempt summary and the attempt count.
	SetSummary(ctx context.Context, username, quiz string, s AttemptSummary) error
	// AddGrant records a grant in the learner's history of quiz: an extra
	// attempt adds one to Extra, a cooldown reset sets CooldownReset.
	AddGrant(ctx context.Context, username, quiz string, g AttemptGrant) error
	ListOpenAttempts(ctx context.Context) ([]OpenAttempt, error)
	// ListFinishedAttempts returns the graded attempts of a quiz.
	ListFinishedAttempts(ctx context.Context, quiz string) ([]*Attempt, error)
}

// ReadAttempt is an AttemptService's FindAttempt, made of its two reads.
// Answers first: a close replaces the attempt before it deletes the
// answers, so answers that are gone mean the attempt read next is the
// closed one. Reading the other way round, a close finishing in between
// left an open attempt with no answers, and a racing submit graded it as
// blank.
func ReadAttempt(ctx context.Context, s interface {
	FindAnswers(ctx context.Context, id string) (map[string]Response, error)
	FindAttemptDoc(ctx context.Context, id string) (*Attempt, error)
}, id string) (*Attempt, error) {
	answers, err := s.FindAnswers(ctx, id)
	if err != nil {
		return nil, err
	}
	a, err := s.FindAttemptDoc(ctx, id)
	if err != nil {
		return nil, err
	}
	if !a.Finished() && answers != nil {
		a.Answers = answers
	}
	return a, nil
}

// Examiner runs attempts: starting with the rules of the quiz, autosaving,
// submitting exactly once, and expiring on the server's clock.
type Examiner struct {
	Attempts AttemptService
	Now      func() time.Time
	Outcomes OutcomeRecorder // optional
	// Programs and Progress gate quizzes on what must come first (see
	// QuizPrerequisites); without them every quiz is open, which only
	// storage tests want.
	Programs ProgramSource
	Progress ProgressService
	Audit    AuditService
	// Zones gives the zone a learner reads times in (the refusal names
	// the next start); without it, UTC.
	Zones interface {
		ZoneOf(ctx context.Context, u *User) *time.Location
	}
	// Shuffle permutes n elements; tests make it deterministic.
	Shuffle func(n int, swap func(i, j int))
}

// Start begins an attempt, or returns the learner's attempt in progress.
func (x *Examiner) Start(ctx context.Context, u *User, q *Quiz, all map[string]*Quiz) (*Attempt, error) {
	if q.Status != CourseActive {
		return nil, Errorf(ENOTFOUND, "测验 %q 已归档 / quiz %q is archived", q.Slug, q.Slug)
	}
	for tries := 0; ; tries++ {
		rec, err := x.Attempts.FindRecord(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		h := rec.History(q.Slug)
		if s := h.Active(); s != nil {
			a, err := x.Get(ctx, u, s.ID)
			if err != nil {
				return nil, err
			}
			if !a.Finished() {
				return a, nil
			}
			// The record lists a closed attempt as in progress: it expired
			// just now, or a crash stopped its close after the attempt was
			// written and before the record was. Write the record (an
			// idempotent $set) before looking again; without it the
			// loop would find the same summary forever.
			if _, err := x.record(ctx, a); err != nil {
				return nil, err
			}
			continue
		}
		now := x.Now()
		missing, err := x.Prerequisites(ctx, u, q, rec, all)
		if err != nil {
			return nil, err
		}
		if len(missing) > 0 {
			return nil, PrerequisiteError(missing, x.Programs.Title)
		}
		if left := h.AttemptsLeft(q); left == 0 {
			return nil, Errorf(EFORBIDDEN, "《%s》的 %d 次答题机会已用完，如需再考请联系培训师或主管 / All %d attempts at this quiz are used; a trainer or manager can grant another.", q.Title, q.MaxAttempts+h.Extra, q.MaxAttempts+h.Extra)
		}
		if next := h.NextStart(q); now.Before(next) {
			// The moment says all a learner needs; the interval itself is
			// on the quiz page, in words.
			return nil, Errorf(ETOOMANY, "两次答题之间需要间隔，下次可在 %s 开始 / The next attempt is possible at %s.",
				x.zoneOf(ctx, u, next), x.zoneOf(ctx, u, next))
		}
		a, err := x.newAttempt(u, q, all, h.Count+1, now)
		if err != nil {
			return nil, err
		}
		// The attempt exists before its slot, so a slot always names an
		// attempt that can be read.
		if err := x.Attempts.InsertAttempt(ctx, a); err != nil {
			return nil, err
		}
		holder, err := x.Attempts.ClaimSlot(ctx, u.ID, q.Slug, a.Number, a.ID)
		if err == nil {
			if err := x.Attempts.SetSummary(ctx, u.ID, q.Slug, a.Summary()); err != nil {
				return nil, err
			}
			return a, nil
		}
		_ = x.Attempts.DeleteAttempt(context.WithoutCancel(ctx), a.ID)
		if ErrorCode(err) != ECONFLICT || tries >= 3 {
			return nil, err
		}
		// Another start took this number. Make sure the record shows it
		// (its writer may have stopped before updating the record), then
		// look again: the loop resumes that attempt or applies the limits.
		other, err := x.Attempts.FindAttempt(ctx, holder)
		if err != nil {
			return nil, err
		}
		if err := x.Attempts.SetSummary(ctx, u.ID, q.Slug, other.Summary()); err != nil {
			return nil, err
		}
	}
}

func (x *Examiner) shuffle(n int, swap func(i, j int)) {
	if x.Shuffle != nil {
		x.Shuffle(n, swap)
		return
	}
	rand.Shuffle(n, swap)
}

func (x *Examiner) newAttempt(u *User, q *Quiz, all map[string]*Quiz, number int, now time.Time) (*Attempt, error) {
	var picked []AttemptQuestion
	if len(q.Draw) == 0 {
		for _, qq := range q.Questions {
			picked = append(picked, AttemptQuestion{Question: qq, Source: q.Slug})
		}
	}
	seen := map[string]bool{}
	for _, d := range q.Draw {
		pool := slices.DeleteFunc(d.Pool(q, all), func(qq Question) bool { return seen[qq.ID] })
		if len(pool) < d.Count {
			return nil, Errorf(EINTERNAL, "quiz %s: draw pool %s too small", q.Slug, d.describe(q))
		}
		x.shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
		src := d.Quiz
		if src == "" {
			src = q.Slug
		}
		for _, qq := range pool[:d.Count] {
			seen[qq.ID] = true
			picked = append(picked, AttemptQuestion{Question: qq, Source: src})
		}
	}
	if q.ShuffleQuestions {
		x.shuffle(len(picked), func(i, j int) { picked[i], picked[j] = picked[j], picked[i] })
	}
	for i := range picked {
		qq := &picked[i]
		qq.Version = qq.Question.Version()
		// Copies, so shuffling never touches the bank's slices.
		qq.Options = slices.Clone(qq.Options)
		qq.Items = slices.Clone(qq.Items)
		// Ordering items shown in the right order would give the answer
		// away: they are always shuffled.
		if q.ShuffleOptions || qq.Type == QOrdering {
			o := qq.Options
			x.shuffle(len(o), func(i, j int) { o[i], o[j] = o[j], o[i] })
		}
	}
	a := &Attempt{
		ID: NewToken()[:24], Username: u.ID, Quiz: q.Slug, QuizTitle: q.Title, Course: q.Course, Number: number,
		State: AttemptInProgress, StartedAt: now, LastActivity: now, PassMark: q.PassMark, Review: q.Review, Layout: q.Layout,
		Questions: picked, Answers: map[string]Response{}, Transitions: []Transition{{AttemptInProgress, now}},
	}
	if q.TimeLimit > 0 {
		a.Deadline = now.Add(q.TimeLimit)
	}
	return a, nil
}

// Get returns the learner's own attempt, finishing it first if its time ran
// out. Another learner's attempt is reported as not found.
func (x *Examiner) Get(ctx context.Context, u *User, id string) (*Attempt, error) {
	return x.get(ctx, u, id, x.Attempts.FindAttempt)
}

// get is Get with the read it starts with: a submit reads the attempt
// without its saved answers (FindAttemptDoc), since closing it reads them
// again after the closing mark anyway.
func (x *Examiner) get(ctx context.Context, u *User, id string, find func(context.Context, string) (*Attempt, error)) (*Attempt, error) {
	a, err := find(ctx, id)
	if ErrorCode(err) == ENOTFOUND || (err == nil && a.Username != u.ID) {
		return nil, Errorf(ENOTFOUND, "答卷不存在 / Attempt %q not found.", id)
	} else if err != nil {
		return nil, err
	}
	if !a.Finished() && !a.Deadline.IsZero() && !x.Now().Before(a.Deadline) {
		return x.finish(ctx, a, AttemptExpired)
	}
	return a, nil
}

// SaveAnswers merges answers into the attempt. Nothing is saved when any
// answer is for a question not in the attempt or has the wrong shape, or
// when the attempt is closed or past its deadline.
func (x *Examiner) SaveAnswers(ctx context.Context, u *User, id string, answers map[string]Response) (*Attempt, error) {
	a, err := x.Get(ctx, u, id)
	if err != nil {
		return nil, err
	}
	return x.Save(ctx, a, answers)
}

// Save is SaveAnswers for an attempt the caller has just read with Get
// (to decode the answers by question type): reading it again would cost
// an exam day's autosaves a second read each.
func (x *Examiner) Save(ctx context.Context, a *Attempt, answers map[string]Response) (*Attempt, error) {
	if err := a.CheckOpen(); err != nil {
		return nil, err
	}
	for qid, r := range answers {
		q := a.Question(qid)
		if q == nil {
			return nil, Errorf(EINVALID, "answers.%s: 本次答卷中没有这道题 / no such question in this attempt", qid)
		}
		if err := CheckResponse(&q.Question, &r); err != nil {
			return nil, err
		}
	}
	for k, v := range answers {
		a.Answers[k] = v
	}
	// Only an untimed attempt's last activity matters (to the sweep):
	// a timed one closes at its deadline.
	if err := x.Attempts.SaveAnswers(ctx, a.ID, a.Answers, x.Now(), a.Deadline.IsZero()); err != nil {
		return nil, err
	}
	// A close that raced with this save graded the answers it read; if it
	// won, this save did not count and the learner must hear so.
	if m, err := x.Attempts.FindFinal(ctx, a.ID); err == nil {
		done, _, err := x.complete(ctx, a.ID, m)
		if err != nil {
			return nil, err
		}
		return nil, done.CheckOpen()
	} else if ErrorCode(err) != ENOTFOUND {
		return nil, err
	}
	return a, nil
}

// Submit grades the attempt. Submitting again returns the same result; of
// two racing submits one grades and the other returns that grade.
func (x *Examiner) Submit(ctx context.Context, u *User, id string) (*Attempt, error) {
	a, err := x.get(ctx, u, id, x.Attempts.FindAttemptDoc)
	if err != nil {
		return nil, err
	}
	if a.Finished() {
		// Repeat the record write of the close: a crash between writing
		// the closed attempt and the record leaves the record saying
		// in progress, and nothing else would ever correct it.
		if _, err := x.record(ctx, a); err != nil {
			return nil, err
		}
		return a, nil
	}
	return x.finish(ctx, a, AttemptSubmitted)
}

// finish closes an attempt in state: whoever inserts the closing mark
// first decides the state and time, and everyone completes the same close.
func (x *Examiner) finish(ctx context.Context, a *Attempt, state string) (*Attempt, error) {
	at := x.Now()
	if state == AttemptExpired && at.After(a.Deadline) {
		at = a.Deadline
	}
	mine := FinalMark{ID: a.ID, State: state, At: at}
	m, err := x.Attempts.MarkFinal(ctx, mine)
	if err != nil {
		return nil, err
	}
	a, counted, err := x.complete(ctx, a.ID, m)
	if err != nil {
		return nil, err
	}
	// Only the close that won reports the grade, whether a learner
	// submitted, time ran out on a page load, or the sweep closed it.
	if m != mine {
		return a, nil
	}
	return a, x.closed(ctx, a, counted)
}

// closed reports the grade of a closed attempt that counts, then takes it
// off the open list: until then the sweep would report it again.
func (x *Examiner) closed(ctx context.Context, a *Attempt, counted bool) error {
	if x.Outcomes != nil && counted && a.State != AttemptAbandoned {
		if err := x.Outcomes.Outcome(ctx, LearningEvent{Kind: EventQuizGraded, Username: a.Username,
			Ref: a.Quiz, Title: a.QuizTitle, Percent: a.Percent, Passed: a.Passed, At: a.SubmittedAt, Occurrence: a.ID}); err != nil {
			return err
		}
	}
	return x.Attempts.DropOpen(ctx, a.ID)
}

// complete writes the closed attempt for mark m. It is deterministic — the
// grade depends only on the mark and the saved answers — so any process can
// finish a close that another one started and stopped halfway.
// It reports whether the attempt counts: it is in the learner's record.
func (x *Examiner) complete(ctx context.Context, id string, m FinalMark) (*Attempt, bool, error) {
	a, err := x.Attempts.FindAttempt(ctx, id)
	if err != nil {
		return nil, false, err
	}
	if a.Finished() {
		// Another request that found m completed the close first and left
		// the report to m's owner; whether it counts is still the record's
		// to say, or the owner would report nothing.
		counted, err := x.record(ctx, a)
		return a, counted, err
	}
	a.State, a.SubmittedAt = m.State, m.At
	if m.State != AttemptAbandoned {
		a.grade()
	}
	a.Transitions = append(a.Transitions, Transition{m.State, m.At})
	var closing time.Time // see OpenAttempt.Closed
	if a.Deadline.IsZero() {
		closing = x.Now()
	}
	if err := x.Attempts.WriteFinal(ctx, a, closing); err != nil {
		return nil, false, err
	}
	counted, err := x.record(ctx, a)
	return a, counted, err
}

// finishClose writes the record and reports the outcome of an attempt whose
// close stopped after the closed attempt was written (a crash, a lost
// connection), so that a passed exam counts without the learner coming
// back. A crash after the outcome and before the open list forgot the
// attempt reports it twice; Outcome's certification check does not mind.
func (x *Examiner) finishClose(ctx context.Context, id string) error {
	a, err := x.Attempts.FindAttempt(ctx, id)
	if ErrorCode(err) == ENOTFOUND {
		return x.Attempts.DropOpen(ctx, id)
	}
	if err != nil {
		return err
	}
	counted, err := x.record(ctx, a)
	if err != nil {
		return err
	}
	return x.closed(ctx, a, counted)
}

// record writes a's entry in the learner's quiz record if a holds its
// attempt number. A start that stopped between storing its attempt and
// claiming the number leaves an orphan; when the sweep closes it, it must
// not replace the attempt that did get the number.
func (x *Examiner) record(ctx context.Context, a *Attempt) (bool, error) {
	// Its start claimed the number, but for an orphan: a read finds the
	// holder at half the cost of an insert that fails.
	holder, err := x.Attempts.FindSlot(ctx, a.Username, a.Quiz, a.Number)
	if ErrorCode(err) == ENOTFOUND {
		holder, err = x.Attempts.ClaimSlot(ctx, a.Username, a.Quiz, a.Number, a.ID)
	}
	if err != nil && ErrorCode(err) != ECONFLICT {
		return false, err
	}
	if holder != a.ID {
		return false, nil
	}
	return true, x.Attempts.SetSummary(ctx, a.Username, a.Quiz, a.Summary())
}

// Sweep finishes attempts whose time ran out and abandons untimed ones left
// untouched; it returns how many it closed.
func (x *Examiner) Sweep(ctx context.Context) (int, error) {
	open, err := x.Attempts.ListOpenAttempts(ctx)
	if err != nil {
		return 0, err
	}
	now, n := x.Now(), 0
	for _, o := range open {
		if !o.Closed.IsZero() {
			if now.Sub(o.Closed) < closeGrace {
				continue // a close in progress
			}
			if err := x.finishClose(ctx, o.ID); err != nil {
				return n, fmt.Errorf("finish the close of attempt %s: %w", o.ID, err)
			}
			n++
			continue
		}
		expired := !o.Deadline.IsZero() && !now.Before(o.Deadline)
		idle := o.Deadline.IsZero() && now.Sub(o.LastActivity) > AbandonAfter
		if !expired && !idle {
			continue
		}
		a, err := x.Attempts.FindAttempt(ctx, o.ID)
		if err != nil {
			return n, err
		}
		if a.Finished() {
			// Its close stopped after writing it: a timed attempt's close
			// does not mark the list (see OpenAttempt.Closed), and any
			// close may stop before marking it. A submit just before the
			// deadline may still be under way.
			if expired && now.Sub(o.Deadline) < closeGrace {
				continue
			}
			if err := x.finishClose(ctx, o.ID); err != nil {
				return n, fmt.Errorf("finish the close of attempt %s: %w", o.ID, err)
			}
			n++
			continue
		}
		state := AttemptExpired
		if idle {
			state = AttemptAbandoned
		}
		if _, err := x.finish(ctx, a, state); err != nil {
			return n, fmt.Errorf("close attempt %s: %w", a.ID, err)
		}
		n++
	}
	return n, nil
}

// zoneOf says t as u reads it: in u's zone, to the minute.
func (x *Examiner) zoneOf(ctx context.Context, u *User, t time.Time) string {
	loc := time.UTC
	if x.Zones != nil {
		loc = x.Zones.ZoneOf(ctx, u)
	}
	return t.In(loc).Format("2006-01-02 15:04")
}
