package http

import (
	"net/url"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/catalog"
)

// courseCard is a course as a learner sees it in lists.
type courseCard struct {
	Course   *catalog.Course
	Status   academy.CourseStatus
	Due      *time.Time
	Overdue  bool
	Missing  []*catalog.Course
	Continue string // lesson to continue with
}

// myAssignments returns the due date per course assigned to u (earliest wins when several assignments name the same course).
func (s *Server) myAssignments(c *fiber.Ctx, u *academy.User) (map[string]time.Time, error) {
	all, err := s.assignedTo(c, u)
	if err != nil {
		return nil, err
	}
	due := map[string]time.Time{}
	for _, a := range all {
		if a.Assignment.Kind != academy.AssignCourse {
			continue
		}
		if d, ok := due[a.Assignment.Ref]; !ok || a.Due.Before(d) {
			due[a.Assignment.Ref] = a.Due
		}
	}
	return due, nil
}

func (s *Server) cards(c *fiber.Ctx, u *academy.User, snap *catalog.Snapshot, p *academy.Progress) ([]courseCard, error) {
	due, err := s.myAssignments(c, u)
	if err != nil {
		return nil, err
	}
	all := snap.Domain()
	now := s.Library.Now()
	var cards []courseCard
	for _, cc := range snap.Active {
		card := courseCard{Course: cc, Status: p.Status(cc.Course, all)}
		if d, ok := due[cc.Slug]; ok {
			card.Due = &d
			card.Overdue = now.After(d) && !card.Status.Complete
		}
		for _, m := range card.Status.Missing {
			card.Missing = append(card.Missing, snap.Course(m))
		}
		card.Continue = continueWith(cc, p.Course(cc.Slug))
		cards = append(cards, card)
	}
	return cards, nil
}

// continueWith picks where a learner resumes: the last lesson opened if it
// is not done, else the first lesson not done, else the first.
func continueWith(c *catalog.Course, cp *academy.CourseProgress) string {
	if len(c.Lessons) == 0 {
		return ""
	}
	if l := c.Lesson(cp.Last); l != nil && !cp.Done(l.Slug) {
		return l.Slug
	}
	for _, l := range c.Lessons {
		if !cp.Done(l.Slug) {
			return l.Slug
		}
	}
	return c.Lessons[0].Slug
}

func (s *Server) coursesPage(c *fiber.Ctx) error {
	u := currentUser(c)
	snap := s.Catalog.Snapshot()
	p, err := s.Learning.Progress.FindProgress(c.UserContext(), u.ID)
	if err != nil {
		return err
	}
	cards, err := s.cards(c, u, snap, p)
	if err != nil {
		return err
	}
	q := c.Query("q")
	pg := s.newPage(c, "courses.title")
	pg.Data = map[string]any{"Cards": cards, "Query": q, "Hits": snap.Search(q, 50), "Overall": overall(cards)}
	return s.render(c, "courses", pg)
}

// overall is the share of all lessons done across active courses.
func overall(cards []courseCard) int {
	done, total := 0, 0
	for _, c := range cards {
		done += c.Status.Done
		total += c.Status.Total
	}
	if total == 0 {
		return 0
	}
	return done * 100 / total
}

// course resolves the :slug parameter to an active course.
func (s *Server) course(c *fiber.Ctx) (*catalog.Snapshot, *catalog.Course, error) {
	snap := s.Catalog.Snapshot()
	cc := snap.Course(c.Params("slug"))
	if cc == nil || cc.Status != academy.CourseActive {
		return nil, nil, academy.Errorf(academy.ENOTFOUND, "课程不存在 / Course %q not found.", c.Params("slug"))
	}
	return snap, cc, nil
}

func (s *Server) coursePage(c *fiber.Ctx) error {
	snap, cc, err := s.course(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	p, err := s.Learning.Progress.FindProgress(c.UserContext(), u.ID)
	if err != nil {
		return err
	}
	st := p.Status(cc.Course, snap.Domain())
	var missing []*catalog.Course
	for _, m := range st.Missing {
		missing = append(missing, snap.Course(m))
	}
	var prereqs []*catalog.Course
	for _, m := range cc.Prerequisites {
		if pc := snap.Course(m); pc != nil {
			prereqs = append(prereqs, pc)
		}
	}
	next, err := s.courseNext(c, u, snap, cc.Slug)
	if err != nil {
		return err
	}
	pg := s.newPage(c, "courses.title")
	pg.Data = map[string]any{"Course": cc, "Status": st, "Progress": p.Course(cc.Slug), "Missing": missing,
		"Prereqs": prereqs, "Continue": continueWith(cc, p.Course(cc.Slug)), "Next": next}
	return s.render(c, "course", pg)
}

// courseNext is where a course leads: its quizzes with where the learner
// stands on each, then the scenarios that practise it.
type courseNext struct {
	Quizzes   []quizCard
	Scenarios []*academy.Scenario
}

func (s *Server) courseNext(c *fiber.Ctx, u *academy.User, snap *catalog.Snapshot, course string) (courseNext, error) {
	var next courseNext
	cards, err := s.quizCards(c, u)
	if err != nil {
		return next, err
	}
	for _, k := range cards {
		if k.Quiz.Course == course {
			next.Quizzes = append(next.Quizzes, k)
		}
	}
	for _, sc := range snap.ActiveScenarios {
		if slices.Contains(sc.Modules, course) {
			next.Scenarios = append(next.Scenarios, sc)
		}
	}
	return next, nil
}

// courseQuiz is the first active quiz of a course, the one its last lesson
// leads to; nil if it has none.
func courseQuiz(snap *catalog.Snapshot, course string) *academy.Quiz {
	for _, q := range snap.ActiveQuizzes {
		if q.Course == course {
			return q
		}
	}
	return nil
}

func (s *Server) lessonComplete(c *fiber.Ctx) error {
	snap, cc, err := s.course(c)
	if err != nil {
		return err
	}
	if _, err := s.Learning.CompleteLesson(c.UserContext(), currentUser(c), cc.Course, c.Params("lesson"), snap.Domain()); err != nil {
		return err
	}
	l := cc.Lesson(c.Params("lesson"))
	if l.Next != nil && c.FormValue("then") == "next" {
		return c.Redirect("/courses/"+cc.Slug+"/lessons/"+l.Next.Slug, fiber.StatusSeeOther)
	}
	return redirectFlash(c, "/courses/"+cc.Slug+"/lessons/"+l.Slug, "lesson_done")
}

func (s *Server) courseAsset(c *fiber.Ctx) error {
	_, cc, err := s.course(c)
	if err != nil {
		return err
	}
	name, err := url.PathUnescape(c.Params("*"))
	if err != nil {
		return academy.Errorf(academy.EINVALID, "asset: 名称无效 / bad name")
	}
	a := cc.Asset(name)
	if a == nil {
		return academy.Errorf(academy.ENOTFOUND, "附件 %q 不存在 / asset %q not found", name, name)
	}
	c.Set(fiber.HeaderContentType, a.ContentType)
	c.Set(fiber.HeaderCacheControl, "private, max-age=300")
	// SVG can carry script; served as an image of our own origin it must
	// not run if opened directly.
	c.Set(fiber.HeaderContentSecurityPolicy, "default-src 'none'; style-src 'unsafe-inline'; sandbox")
	return c.Send(a.Data)
}

// API.

type apiCourse struct {
	Slug          string             `json:"slug"`
	Title         string             `json:"title"`
	Summary       string             `json:"summary"`
	Audience      string             `json:"audience"`
	Minutes       int                `json:"minutes"`
	Prerequisites []string           `json:"prerequisites"`
	Tags          []string           `json:"tags"`
	Revision      int                `json:"revision"`
	Lessons       []apiLessonSummary `json:"lessons,omitempty"`
	Done          int                `json:"lessons_done"`
	Total         int                `json:"lessons_total"`
	Percent       int                `json:"percent"`
	Complete      bool               `json:"complete"`
	Locked        bool               `json:"locked"`
	LockedBy      []string           `json:"locked_by,omitempty"`
	Due           *time.Time         `json:"due,omitempty"`
	Overdue       bool               `json:"overdue,omitempty"`
}

type apiLessonSummary struct {
	Slug      string `json:"slug"`
	Title     string `json:"title"`
	Minutes   int    `json:"minutes"`
	Completed bool   `json:"completed"`
}

func toAPICourse(card courseCard, cp *academy.CourseProgress, withLessons bool) apiCourse {
	cc := card.Course
	out := apiCourse{Slug: cc.Slug, Title: cc.Title, Summary: cc.Summary, Audience: cc.Audience, Minutes: cc.Minutes,
		Prerequisites: nonNil(cc.Prerequisites), Tags: nonNil(cc.Tags), Revision: cc.Revision,
		Done: card.Status.Done, Total: card.Status.Total, Percent: card.Status.Percent(), Complete: card.Status.Complete,
		Locked: card.Status.Locked(), LockedBy: card.Status.Missing, Due: card.Due, Overdue: card.Overdue}
	if withLessons {
		for _, l := range cc.Lessons {
			out.Lessons = append(out.Lessons, apiLessonSummary{l.Slug, l.Title, l.Minutes, cp.Done(l.Slug)})
		}
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// apiCourseList is the current learner's courses with their progress, as
// the API shows them, and the cards they came from.
func (s *Server) apiCourseList(c *fiber.Ctx, withLessons bool) ([]apiCourse, []courseCard, error) {
	u := currentUser(c)
	p, err := s.Learning.Progress.FindProgress(c.UserContext(), u.ID)
	if err != nil {
		return nil, nil, err
	}
	cards, err := s.cards(c, u, s.Catalog.Snapshot(), p)
	if err != nil {
		return nil, nil, err
	}
	out := make([]apiCourse, 0, len(cards))
	for _, card := range cards {
		out = append(out, toAPICourse(card, p.Course(card.Course.Slug), withLessons))
	}
	return out, cards, nil
}

func (s *Server) apiCourses(c *fiber.Ctx) error {
	out, _, err := s.apiCourseList(c, false)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": out, "total": len(out)})
}

func (s *Server) apiCourse(c *fiber.Ctx) error {
	_, cc, err := s.course(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	p, err := s.Learning.Progress.FindProgress(c.UserContext(), u.ID)
	if err != nil {
		return err
	}
	cards, err := s.cards(c, u, s.Catalog.Snapshot(), p)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(cards, func(k courseCard) bool { return k.Course.Slug == cc.Slug })
	return c.JSON(toAPICourse(cards[i], p.Course(cc.Slug), true))
}

type apiLesson struct {
	Course    string          `json:"course"`
	Slug      string          `json:"slug"`
	Title     string          `json:"title"`
	Minutes   int             `json:"minutes"`
	Number    int             `json:"number"`
	HTML      string          `json:"html"`
	TOC       []apiTOCEntry   `json:"toc"`
	Prev      *apiLessonBrief `json:"prev"`
	Next      *apiLessonBrief `json:"next"`
	Completed bool            `json:"completed"`
	Position  float64         `json:"position"`
}

type apiTOCEntry struct {
	Level int    `json:"level"`
	ID    string `json:"id"`
	Text  string `json:"text"`
}

type apiLessonBrief struct {
	Slug  string `json:"slug"`
	Title string `json:"title"`
}

func brief(l *catalog.Lesson) *apiLessonBrief {
	if l == nil {
		return nil
	}
	return &apiLessonBrief{l.Slug, l.Title}
}

func (s *Server) apiLesson(c *fiber.Ctx) error {
	snap, cc, err := s.course(c)
	if err != nil {
		return err
	}
	l := cc.Lesson(c.Params("lesson"))
	if l == nil {
		return academy.Errorf(academy.ENOTFOUND, "课程 %q 中没有课时 %q / lesson %q not found in course %q", cc.Slug, c.Params("lesson"), c.Params("lesson"), cc.Slug)
	}
	p, err := s.Learning.Progress.FindProgress(c.UserContext(), currentUser(c).ID)
	if err != nil {
		return err
	}
	all := snap.Domain()
	if st := p.Status(cc.Course, all); st.Locked() {
		return academy.LockedError(st.Missing, all)
	}
	cp := p.Course(cc.Slug)
	out := apiLesson{Course: cc.Slug, Slug: l.Slug, Title: l.Title, Minutes: l.Minutes, Number: l.Number, HTML: string(l.HTML),
		TOC: []apiTOCEntry{}, Prev: brief(l.Prev), Next: brief(l.Next), Completed: cp.Done(l.Slug), Position: cp.Position[l.Slug]}
	for _, h := range l.TOC {
		out.TOC = append(out.TOC, apiTOCEntry{h.Level, h.ID, h.Text})
	}
	return c.JSON(out)
}

func (s *Server) apiLessonComplete(c *fiber.Ctx) error {
	snap, cc, err := s.course(c)
	if err != nil {
		return err
	}
	p, err := s.Learning.CompleteLesson(c.UserContext(), currentUser(c), cc.Course, c.Params("lesson"), snap.Domain())
	if err != nil {
		return err
	}
	st := p.Status(cc.Course, snap.Domain())
	return c.JSON(fiber.Map{"course": cc.Slug, "lesson": c.Params("lesson"), "completed": true,
		"lessons_done": st.Done, "lessons_total": st.Total, "course_complete": st.Complete})
}

func (s *Server) apiLessonPosition(c *fiber.Ctx) error {
	_, cc, err := s.course(c)
	if err != nil {
		return err
	}
	if cc.Lesson(c.Params("lesson")) == nil {
		return academy.Errorf(academy.ENOTFOUND, "课程 %q 中没有课时 %q / lesson %q not found in course %q", cc.Slug, c.Params("lesson"), c.Params("lesson"), cc.Slug)
	}
	var req struct {
		Position *float64 `json:"position"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Position == nil || *req.Position < 0 || *req.Position > 1 {
		return academy.Errorf(academy.EINVALID, "position: 须为 0 到 1 之间的数 / a number from 0 to 1 is required")
	}
	if err := s.Learning.Progress.SavePosition(c.UserContext(), currentUser(c).ID, cc.Slug, c.Params("lesson"), *req.Position); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) apiMyProgress(c *fiber.Ctx) error {
	out, cards, err := s.apiCourseList(c, true)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"overall_percent": overall(cards), "courses": out})
}
