package http

import (
	"bytes"
	"cmp"
	"encoding/json"
	"html/template"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/markdown"
)

// quizCard is a quiz as a learner sees it in lists.
type quizCard struct {
	Quiz      *academy.Quiz
	Questions int
	Left      int // -1: unlimited
	Best      float64
	Passed    bool
	Taken     bool
	Active    *academy.AttemptSummary
	NextStart time.Time
	History   []academy.AttemptSummary
	// Missing is what the learner must finish before the quiz opens.
	Missing []prereqLink
}

// prereqLink is a prerequisite as pages and the API name it.
type prereqLink struct {
	Kind  string `json:"kind"`
	Slug  string `json:"slug"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

func (s *Server) prereqLinks(missing []academy.Prerequisite) []prereqLink {
	out := make([]prereqLink, len(missing))
	for i, m := range missing {
		out[i] = prereqLink{Kind: m.Kind, Slug: m.Ref, Title: cmp.Or(s.Catalog.Title(m.Kind, m.Ref), m.Ref), URL: "/courses/" + m.Ref}
		if m.Kind == "quiz" {
			out[i].URL = "/quizzes/" + m.Ref
		}
	}
	return out
}

func questionCount(q *academy.Quiz) int {
	if len(q.Draw) == 0 {
		return len(q.Questions)
	}
	n := 0
	for _, d := range q.Draw {
		n += d.Count
	}
	return n
}

func (s *Server) quizCards(c *fiber.Ctx, u *academy.User) ([]quizCard, error) {
	rec, err := s.Examiner.Attempts.FindRecord(c.UserContext(), u.ID)
	if err != nil {
		return nil, err
	}
	progress, err := s.Learning.Progress.FindProgress(c.UserContext(), u.ID)
	if err != nil {
		return nil, err
	}
	snap := s.Catalog.Snapshot()
	ev, programs, courses := academy.Evidence{Progress: progress, Quizzes: rec}, s.Catalog.ActivePrograms(), snap.Domain()
	now := s.Examiner.Now()
	var out []quizCard
	for _, q := range snap.ActiveQuizzes {
		h := rec.History(q.Slug)
		card := quizCard{Quiz: q, Questions: questionCount(q), Left: h.AttemptsLeft(q), Active: h.Active(), History: h.List(),
			Missing: s.prereqLinks(academy.QuizPrerequisites(q, programs, snap.Quizzes, courses, ev))}
		card.Best, card.Passed, card.Taken = h.Best()
		if next := h.NextStart(q); next.After(now) {
			card.NextStart = next
		}
		out = append(out, card)
	}
	return out, nil
}

func (s *Server) quiz(c *fiber.Ctx) (*academy.Quiz, error) {
	q := s.Catalog.Snapshot().Quizzes[c.Params("slug")]
	if q == nil || q.Status != academy.CourseActive {
		return nil, academy.Errorf(academy.ENOTFOUND, "测验不存在 / Quiz %q not found.", c.Params("slug"))
	}
	return q, nil
}

func (s *Server) quizzesPage(c *fiber.Ctx) error {
	cards, err := s.quizCards(c, currentUser(c))
	if err != nil {
		return err
	}
	pg := s.newPage(c, "quiz.title")
	pg.Data = map[string]any{"Cards": cards}
	return s.render(c, "quizzes", pg)
}

func (s *Server) quizPage(c *fiber.Ctx) error {
	q, err := s.quiz(c)
	if err != nil {
		return err
	}
	cards, err := s.quizCards(c, currentUser(c))
	if err != nil {
		return err
	}
	i := slices.IndexFunc(cards, func(k quizCard) bool { return k.Quiz.Slug == q.Slug })
	pg := s.newPage(c, "quiz.title")
	var course any
	if cc := s.Catalog.Snapshot().Course(q.Course); cc != nil {
		course = cc
	}
	pg.Data = map[string]any{"Card": cards[i], "Course": course}
	return s.render(c, "quiz", pg)
}

func (s *Server) quizStart(c *fiber.Ctx) error {
	q, err := s.quiz(c)
	if err != nil {
		return err
	}
	a, err := s.Examiner.Start(c.UserContext(), currentUser(c), q, s.Catalog.Snapshot().Quizzes)
	if err != nil {
		return err
	}
	return c.Redirect("/attempts/"+a.ID, fiber.StatusSeeOther)
}

// viewQuestion is a frozen question as the learner sees it: no key, and
// the explanation and correct answer only when the review policy allows.
type viewQuestion struct {
	N           int
	ID          string
	Type        string
	Points      float64
	Prompt      template.HTML
	Options     []academy.Option
	Items       []academy.Option
	Answer      academy.Response
	Answered    bool
	Result      *academy.QuestionResult
	Correct     *academy.Response // review "answers" and up
	Tolerance   float64           // numeric questions, with Correct
	Explanation template.HTML     // review "explanations"
	LessonURL   string
}

func (s *Server) renderMD(text string) template.HTML {
	if h, ok := s.md.Get(text); ok {
		return h
	}
	h := template.HTML(template.HTMLEscapeString(text))
	if doc, err := s.Markdown.Render([]byte(text), markdown.Options{}); err == nil {
		h = template.HTML(doc.HTML) // our renderer drops raw HTML
	}
	s.md.Add(text, h)
	return h
}

// mdCacheSize bounds the question texts whose HTML is kept. Every view of
// an attempt, its start and its submit on exam day among them, shows each
// question's prompt, options and explanation: rendered again each time,
// that was 3 % of an exam-taker's CPU (BenchmarkExamTaker's profile). The
// texts of the question banks in use are a few thousand.
const mdCacheSize = 8192

// keyAsResponse shows an answer key in the shape of a response.
func keyAsResponse(q *academy.Question) *academy.Response {
	k := q.Key
	r := &academy.Response{Choice: k.Choice, Choices: k.Choices, Order: k.Order, Pairs: k.Pairs}
	switch q.Type {
	case academy.QTrueFalse:
		b := k.Bool
		r.Bool = &b
	case academy.QFill:
		r.Text = strings.Join(k.Texts, " / ")
	case academy.QNumeric:
		v := k.Value
		r.Number = &v
	}
	return r
}

func (s *Server) viewQuestions(a *academy.Attempt) []viewQuestion {
	snap := s.Catalog.Snapshot()
	out := make([]viewQuestion, 0, len(a.Questions))
	for i := range a.Questions {
		q := &a.Questions[i]
		r, answered := a.Answers[q.ID]
		v := viewQuestion{N: i + 1, ID: q.ID, Type: q.Type, Points: q.Points, Prompt: s.renderMD(q.Prompt),
			Options: q.Options, Items: q.Items, Answer: r, Answered: answered && !r.Blank()}
		if a.Shows(academy.ReviewCorrectness) {
			v.Result = a.Result(q.ID)
		}
		if a.Shows(academy.ReviewAnswers) {
			v.Correct, v.Tolerance = keyAsResponse(&q.Question), q.Key.Tolerance
		}
		if a.Shows(academy.ReviewExplanations) {
			v.Explanation = s.renderMD(q.Explanation)
		}
		if a.Finished() && q.Lesson != "" {
			if src := snap.Quizzes[q.Source]; src != nil && src.Course != "" {
				v.LessonURL = "/courses/" + src.Course + "/lessons/" + q.Lesson
			}
		}
		out = append(out, v)
	}
	return out
}

func (s *Server) attemptPage(c *fiber.Ctx) error {
	a, err := s.Examiner.Get(c.UserContext(), currentUser(c), c.Params("id"))
	if err != nil {
		return err
	}
	qs := s.viewQuestions(a)
	pg := s.newPage(c, "quiz.title")
	data := map[string]any{"Attempt": a, "Questions": qs, "Answered": answeredCount(a)}
	if !a.Finished() && a.Layout == academy.LayoutPerQuestion {
		n := min(max(c.QueryInt("q", 1), 1), len(qs))
		data["Current"] = n
		data["Page"] = qs[n-1 : n]
	} else {
		data["Page"] = qs
	}
	if !a.Deadline.IsZero() {
		data["Remaining"] = int(math.Max(0, a.Deadline.Sub(s.Examiner.Now()).Seconds()))
	}
	pg.Data = data
	if a.Finished() {
		return s.render(c, "attempt_result", pg)
	}
	return s.render(c, "attempt", pg)
}

// answeredCount counts the questions with a saved answer that is not blank.
func answeredCount(a *academy.Attempt) int {
	n := 0
	for _, r := range a.Answers {
		if !r.Blank() {
			n++
		}
	}
	return n
}

// keepAnswer adds r to the answers to save unless it is blank for a
// question with nothing saved. A blank for a saved answer is kept: the
// examiner only merges, so saving an empty response is how a cleared
// answer stops counting (it grades as unanswered).
func keepAnswer(out map[string]academy.Response, a *academy.Attempt, qid string, r academy.Response) {
	if r.Blank() {
		if _, saved := a.Answers[qid]; !saved {
			return
		}
		r = academy.Response{}
	}
	out[qid] = r
}

// formAnswers reads the answers of the questions on a submitted form.
// Fields are named "a.<qid>" (and "a.<qid>.<item>" for ordering positions
// and matching items); "shown" names every question on the page, since an
// emptied checkbox, select or field may post nothing.
func formAnswers(c *fiber.Ctx, a *academy.Attempt) (map[string]academy.Response, error) {
	out := map[string]academy.Response{}
	args := c.Request().PostArgs()
	present := map[string]bool{}
	args.VisitAll(func(k, v []byte) {
		if key, ok := strings.CutPrefix(string(k), "a."); ok {
			qid, _, _ := strings.Cut(key, ".")
			present[qid] = true
		} else if string(k) == "shown" {
			present[string(v)] = true
		}
	})
	for qid := range present {
		q := a.Question(qid)
		if q == nil {
			return nil, academy.Errorf(academy.EINVALID, "answers.%s: 本次答卷中没有这道题 / no such question in this attempt", qid)
		}
		field := "a." + qid
		var r academy.Response
		switch q.Type {
		case academy.QSingle:
			r.Choice = c.FormValue(field)
		case academy.QMultiple:
			for _, v := range args.PeekMulti(field) {
				r.Choices = append(r.Choices, string(v))
			}
		case academy.QTrueFalse:
			switch c.FormValue(field) {
			case "true":
				r.Bool = new(bool)
				*r.Bool = true
			case "false":
				r.Bool = new(bool)
			}
		case academy.QFill:
			r.Text = c.FormValue(field)
		case academy.QNumeric:
			if v := strings.TrimSpace(c.FormValue(field)); v != "" {
				f, err := strconv.ParseFloat(v, 64)
				if err != nil {
					return nil, academy.Errorf(academy.EINVALID, "answers.%s: %q 不是数字 / %q is not a number", qid, v, v)
				}
				r.Number = &f
			}
		case academy.QOrdering:
			for i := range q.Options {
				r.Order = append(r.Order, c.FormValue(field+"."+strconv.Itoa(i)))
			}
		case academy.QMatching:
			r.Pairs = map[string]string{}
			for _, it := range q.Items {
				if v := c.FormValue(field + "." + it.ID); v != "" {
					r.Pairs[it.ID] = v
				}
			}
		}
		keepAnswer(out, a, qid, r)
	}
	return out, nil
}

func (s *Server) attemptSave(c *fiber.Ctx) error {
	u := currentUser(c)
	a, err := s.Examiner.Get(c.UserContext(), u, c.Params("id"))
	if err != nil {
		return err
	}
	answers, err := formAnswers(c, a)
	if err != nil {
		return err
	}
	if _, err := s.Examiner.Save(c.UserContext(), a, answers); err != nil {
		if academy.ErrorCode(err) == academy.ECONFLICT {
			return c.Redirect("/attempts/"+a.ID, fiber.StatusSeeOther) // finished meanwhile: show the result
		}
		return err
	}
	if c.FormValue("action") == "submit" {
		if _, err := s.Examiner.Submit(c.UserContext(), u, a.ID); err != nil {
			return err
		}
		return c.Redirect("/attempts/"+a.ID, fiber.StatusSeeOther)
	}
	next := "/attempts/" + a.ID
	if n := c.FormValue("goto"); n != "" {
		if i, err := strconv.Atoi(n); err == nil {
			next += "?q=" + strconv.Itoa(i)
		}
	}
	return c.Redirect(next, fiber.StatusSeeOther)
}

// API.

type apiQuestion struct {
	ID      string           `json:"id"`
	Type    string           `json:"type"`
	Points  float64          `json:"points"`
	Prompt  string           `json:"prompt_html"`
	Options []academy.Option `json:"options,omitempty"`
	Items   []academy.Option `json:"items,omitempty"`
	Answer  json.RawMessage  `json:"answer,omitempty"`
	// Only after submit, as far as the review policy allows:
	Score       *float64        `json:"score,omitempty"`
	Max         *float64        `json:"max,omitempty"`
	Correct     *bool           `json:"correct,omitempty"`
	CorrectAns  json.RawMessage `json:"correct_answer,omitempty"`
	Explanation string          `json:"explanation_html,omitempty"`
	Lesson      string          `json:"lesson_url,omitempty"`
}

type apiAttempt struct {
	ID          string        `json:"id"`
	Quiz        string        `json:"quiz"`
	Title       string        `json:"title"`
	Number      int           `json:"number"`
	State       string        `json:"state"`
	StartedAt   time.Time     `json:"started_at"`
	Deadline    *time.Time    `json:"deadline,omitempty"`
	SubmittedAt *time.Time    `json:"submitted_at,omitempty"`
	Layout      string        `json:"layout"`
	Review      string        `json:"review"`
	Questions   []apiQuestion `json:"questions"`
	// Only after submit:
	Score   *float64 `json:"score,omitempty"`
	Max     *float64 `json:"max,omitempty"`
	Percent *float64 `json:"percent,omitempty"`
	Passed  *bool    `json:"passed,omitempty"`
}

// responseJSON renders a response in the API's per-type answer shape.
func responseJSON(qtype string, r *academy.Response) json.RawMessage {
	var v any
	switch qtype {
	case academy.QSingle:
		v = r.Choice
	case academy.QMultiple:
		v = r.Choices
	case academy.QTrueFalse:
		v = r.Bool
	case academy.QFill:
		v = r.Text
	case academy.QOrdering:
		v = r.Order
	case academy.QMatching:
		v = r.Pairs
	case academy.QNumeric:
		v = r.Number
	}
	b, _ := json.Marshal(v)
	return b
}

func (s *Server) toAPIAttempt(a *academy.Attempt) apiAttempt {
	out := apiAttempt{ID: a.ID, Quiz: a.Quiz, Title: a.QuizTitle, Number: a.Number, State: a.State, StartedAt: a.StartedAt,
		Layout: a.Layout, Review: a.Review, Questions: []apiQuestion{}}
	if !a.Deadline.IsZero() {
		out.Deadline = &a.Deadline
	}
	if a.Finished() && a.State != academy.AttemptAbandoned {
		out.SubmittedAt, out.Score, out.Max, out.Percent, out.Passed = &a.SubmittedAt, &a.Score, &a.Max, &a.Percent, &a.Passed
	}
	for i, v := range s.viewQuestions(a) {
		q := apiQuestion{ID: v.ID, Type: v.Type, Points: v.Points, Prompt: string(v.Prompt), Options: v.Options, Items: v.Items,
			Explanation: string(v.Explanation), Lesson: v.LessonURL}
		if v.Answered {
			q.Answer = responseJSON(v.Type, &v.Answer)
		}
		if v.Result != nil {
			q.Score, q.Max, q.Correct = &v.Result.Score, &v.Result.Max, &v.Result.Correct
		}
		if v.Correct != nil {
			q.CorrectAns = responseJSON(v.Type, v.Correct)
			if k := a.Questions[i].Key; v.Type == academy.QNumeric {
				q.CorrectAns, _ = json.Marshal(map[string]float64{"value": k.Value, "tolerance": k.Tolerance})
			}
		}
		out.Questions = append(out.Questions, q)
	}
	return out
}

type apiQuizCard struct {
	Slug        string     `json:"slug"`
	Title       string     `json:"title"`
	Course      string     `json:"course,omitempty"`
	PassMark    int        `json:"pass_mark"`
	TimeLimit   int        `json:"time_limit_minutes"`
	Questions   int        `json:"questions"`
	MaxAttempts int        `json:"max_attempts"`
	Left        int        `json:"attempts_left"` // -1: unlimited
	Best        *float64   `json:"best_percent,omitempty"`
	Passed      bool       `json:"passed"`
	Active      string     `json:"active_attempt,omitempty"`
	NextStart   *time.Time `json:"next_start,omitempty"`
	// Open says whether a start would be accepted now; Missing says what
	// keeps it closed before anything else does.
	Open    bool         `json:"open"`
	Missing []prereqLink `json:"missing"`
}

func (s *Server) apiQuizzes(c *fiber.Ctx) error {
	cards, err := s.quizCards(c, currentUser(c))
	if err != nil {
		return err
	}
	out := []apiQuizCard{}
	for _, k := range cards {
		v := apiQuizCard{Slug: k.Quiz.Slug, Title: k.Quiz.Title, Course: k.Quiz.Course, PassMark: k.Quiz.PassMark,
			TimeLimit: int(k.Quiz.TimeLimit / time.Minute), Questions: k.Questions, MaxAttempts: k.Quiz.MaxAttempts, Left: k.Left, Passed: k.Passed,
			Missing: k.Missing, Open: k.Active != nil || (len(k.Missing) == 0 && k.Left != 0 && k.NextStart.IsZero())}
		if v.Missing == nil {
			v.Missing = []prereqLink{}
		}
		if k.Taken {
			best := k.Best
			v.Best = &best
		}
		if k.Active != nil {
			v.Active = k.Active.ID
		}
		if !k.NextStart.IsZero() {
			v.NextStart = &k.NextStart
		}
		out = append(out, v)
	}
	return c.JSON(fiber.Map{"items": out, "total": len(out)})
}

func (s *Server) apiStartAttempt(c *fiber.Ctx) error {
	q, err := s.quiz(c)
	if err != nil {
		return err
	}
	a, err := s.Examiner.Start(c.UserContext(), currentUser(c), q, s.Catalog.Snapshot().Quizzes)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(s.toAPIAttempt(a))
}

func (s *Server) apiGetAttempt(c *fiber.Ctx) error {
	a, err := s.Examiner.Get(c.UserContext(), currentUser(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(s.toAPIAttempt(a))
}

// decodeAnswer reads one answer in the shape its question type needs.
func decodeAnswer(q *academy.Question, raw json.RawMessage) (academy.Response, error) {
	var r academy.Response
	bad := func(want string) error {
		return academy.Errorf(academy.EINVALID, "answers.%s: 答案格式与题型不符 / must be %s", q.ID, want)
	}
	// null clears an answer; decoded below it would read as false or 0.
	if string(bytes.TrimSpace(raw)) == "null" {
		return r, nil
	}
	var err error
	switch q.Type {
	case academy.QSingle:
		if err = json.Unmarshal(raw, &r.Choice); err != nil {
			return r, bad("an option id (string)")
		}
	case academy.QMultiple:
		if err = json.Unmarshal(raw, &r.Choices); err != nil {
			return r, bad("a list of option ids")
		}
	case academy.QTrueFalse:
		var b bool
		if err = json.Unmarshal(raw, &b); err != nil {
			return r, bad("true or false")
		}
		r.Bool = &b
	case academy.QFill:
		if err = json.Unmarshal(raw, &r.Text); err != nil {
			return r, bad("a string")
		}
	case academy.QOrdering:
		if err = json.Unmarshal(raw, &r.Order); err != nil {
			return r, bad("the list of item ids in order")
		}
	case academy.QMatching:
		if err = json.Unmarshal(raw, &r.Pairs); err != nil {
			return r, bad("an object mapping item ids to option ids")
		}
	case academy.QNumeric:
		var f float64
		if err = json.Unmarshal(raw, &f); err != nil {
			return r, bad("a number")
		}
		r.Number = &f
	}
	return r, nil
}

func (s *Server) apiSaveAnswers(c *fiber.Ctx) error {
	var req struct {
		Answers map[string]json.RawMessage `json:"answers"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if len(req.Answers) == 0 {
		return academy.Errorf(academy.EINVALID, "answers: 须为“题目编号 -> 答案”的对象 / an object of question id -> answer is required")
	}
	u := currentUser(c)
	a, err := s.Examiner.Get(c.UserContext(), u, c.Params("id"))
	if err != nil {
		return err
	}
	if err := a.CheckOpen(); err != nil {
		return err
	}
	answers := map[string]academy.Response{}
	for qid, raw := range req.Answers {
		q := a.Question(qid)
		if q == nil {
			return academy.Errorf(academy.EINVALID, "answers.%s: 本次答卷中没有这道题 / no such question in this attempt", qid)
		}
		r, err := decodeAnswer(&q.Question, raw)
		if err != nil {
			return err
		}
		keepAnswer(answers, a, qid, r)
	}
	a, err = s.Examiner.Save(c.UserContext(), a, answers)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"saved": len(req.Answers), "answered": answeredCount(a), "total": len(a.Questions)})
}

func (s *Server) apiSubmit(c *fiber.Ctx) error {
	a, err := s.Examiner.Submit(c.UserContext(), currentUser(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(s.toAPIAttempt(a))
}

func (s *Server) apiMyAttempts(c *fiber.Ctx) error {
	rec, err := s.Examiner.Attempts.FindRecord(c.UserContext(), currentUser(c).ID)
	if err != nil {
		return err
	}
	type item struct {
		Quiz string `json:"quiz"`
		academy.AttemptSummary
	}
	out := []item{}
	for slug, h := range rec.Quizzes {
		for _, a := range h.List() {
			out = append(out, item{slug, a})
		}
	}
	slices.SortFunc(out, func(a, b item) int { return b.StartedAt.Compare(a.StartedAt) })
	return c.JSON(fiber.Map{"items": out, "total": len(out)})
}
