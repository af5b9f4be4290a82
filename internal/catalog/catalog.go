// Package catalog keeps the rendered courses in memory. Content is
// read-mostly: every instance renders it once and serves lessons without
// touching the database, and reloads when the shared content version
// changes, so instances behind a load balancer stay consistent.
package catalog

import (
	"context"
	"crypto/sha256"
	"html/template"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/markdown"
)

// Lesson is a lesson ready to show.
type Lesson struct {
	academy.Lesson
	Number int // 1-based position in the course
	HTML   template.HTML
	TOC    []markdown.Heading
	Text   string // plain text, for search
	Prev   *Lesson
	Next   *Lesson
}

// Course is a course ready to show.
type Course struct {
	*academy.Course
	Lessons []*Lesson
}

// Lesson returns the lesson with slug, or nil.
func (c *Course) Lesson(slug string) *Lesson {
	for _, l := range c.Lessons {
		if l.Slug == slug {
			return l
		}
	}
	return nil
}

// Snapshot is an immutable view of all courses at one content version.
type Snapshot struct {
	Version int64
	// Active are the courses learners see, in catalog order.
	Active []*Course
	bySlug map[string]*Course
	// Quizzes holds every quiz by slug, archived ones included; its
	// questions carry answer keys and never go to learners as they are.
	Quizzes map[string]*academy.Quiz
	// ActiveQuizzes are the quizzes learners may take, courses' quizzes in
	// course order first, then exams.
	ActiveQuizzes []*academy.Quiz
	// Scenarios holds every scenario by slug; ActiveScenarios the ones
	// learners may play, by title.
	Scenarios       map[string]*academy.Scenario
	ActiveScenarios []*academy.Scenario
	// Programs holds every certification program by slug; ActivePrograms
	// the ones in force, by slug.
	Programs       map[string]*academy.Program
	ActivePrograms []*academy.Program
}

// Course returns a course by slug, archived ones included, or nil.
func (s *Snapshot) Course(slug string) *Course { return s.bySlug[slug] }

// Domain returns the domain courses by slug, for prerequisite checks.
func (s *Snapshot) Domain() map[string]*academy.Course {
	m := make(map[string]*academy.Course, len(s.bySlug))
	for k, c := range s.bySlug {
		m[k] = c.Course
	}
	return m
}

// ActivePrograms returns the programs in force (academy.ProgramSource).
func (c *Catalog) ActivePrograms() []*academy.Program { return c.Snapshot().ActivePrograms }

// Title names a course, quiz or scenario (academy.ProgramSource).
func (c *Catalog) Title(kind, slug string) string {
	snap := c.Snapshot()
	switch kind {
	case "course":
		if co := snap.Course(slug); co != nil {
			return co.Title
		}
	case "quiz":
		if q := snap.Quizzes[slug]; q != nil {
			return q.Title
		}
	case "scenario":
		if sc := snap.Scenarios[slug]; sc != nil {
			return sc.Title
		}
	case "program":
		if p := snap.Programs[slug]; p != nil {
			return p.Name
		}
	}
	return ""
}

// Courses returns every course by slug (academy.ProgramSource).
func (c *Catalog) Courses() map[string]*academy.Course { return c.Snapshot().Domain() }

// Catalog holds the current snapshot and refreshes it.
type Catalog struct {
	store  academy.CourseService
	quiz   academy.QuizService
	scen   academy.ScenarioService
	progs  academy.ProgramService
	md     *markdown.Renderer
	logger *slog.Logger

	mu     sync.RWMutex
	snap   *Snapshot
	loaded bool
	// rendered keeps lesson HTML by content hash across reloads, so a
	// change to one lesson re-renders only that lesson.
	rendered map[[32]byte]*Lesson
}

// New returns a catalog; call Refresh before use.
func New(store academy.CourseService, quizzes academy.QuizService, scenarios academy.ScenarioService, programs academy.ProgramService, md *markdown.Renderer, logger *slog.Logger) *Catalog {
	return &Catalog{store: store, quiz: quizzes, scen: scenarios, progs: programs, md: md, logger: logger,
		snap:     &Snapshot{bySlug: map[string]*Course{}, Quizzes: map[string]*academy.Quiz{}, Scenarios: map[string]*academy.Scenario{}, Programs: map[string]*academy.Program{}},
		rendered: map[[32]byte]*Lesson{}}
}

// Snapshot returns the current view; it never touches the database.
func (c *Catalog) Snapshot() *Snapshot {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.snap
}

// Refresh reloads the courses if the content version moved (or force).
func (c *Catalog) Refresh(ctx context.Context, force bool) error {
	v, err := c.store.ContentVersion(ctx)
	if err != nil {
		return err
	}
	c.mu.RLock()
	current := c.loaded && v == c.snap.Version
	c.mu.RUnlock()
	if current && !force {
		return nil
	}
	courses, err := c.store.ListCourses(ctx)
	if err != nil {
		return err
	}
	quizzes, err := c.quiz.ListQuizzes(ctx)
	if err != nil {
		return err
	}
	scenarios, err := c.scen.ListScenarios(ctx)
	if err != nil {
		return err
	}
	programs, err := c.progs.ListPrograms(ctx)
	if err != nil {
		return err
	}
	snap := &Snapshot{Version: v, bySlug: map[string]*Course{}, Quizzes: map[string]*academy.Quiz{}, Scenarios: map[string]*academy.Scenario{}, Programs: map[string]*academy.Program{}}
	for _, p := range programs {
		snap.Programs[p.Slug] = p
		if p.Status == academy.CourseActive {
			snap.ActivePrograms = append(snap.ActivePrograms, p)
		}
	}
	for _, sc := range scenarios {
		snap.Scenarios[sc.Slug] = sc
		if sc.Status == academy.CourseActive {
			snap.ActiveScenarios = append(snap.ActiveScenarios, sc)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	next := map[[32]byte]*Lesson{}
	for _, dc := range courses {
		cc := &Course{Course: dc}
		base := "/courses/" + dc.Slug
		for i, l := range dc.Lessons {
			key := sha256.Sum256([]byte(base + "\x00" + l.Body))
			r := c.rendered[key]
			if r == nil {
				doc, err := c.md.Render([]byte(l.Body), markdown.Options{Base: base})
				if err != nil {
					return err
				}
				r = &Lesson{HTML: template.HTML(doc.HTML), TOC: doc.TOC, Text: doc.Text} // rendered by our own safe renderer
			}
			next[key] = r
			ll := &Lesson{Lesson: l, Number: i + 1, HTML: r.HTML, TOC: r.TOC, Text: r.Text}
			if i > 0 {
				ll.Prev = cc.Lessons[i-1]
				cc.Lessons[i-1].Next = ll
			}
			cc.Lessons = append(cc.Lessons, ll)
		}
		snap.bySlug[dc.Slug] = cc
		if dc.Status == academy.CourseActive {
			snap.Active = append(snap.Active, cc)
		}
	}
	order := map[string]int{}
	for i, cc := range snap.Active {
		order[cc.Slug] = i
	}
	for _, q := range quizzes {
		snap.Quizzes[q.Slug] = q
		if q.Status == academy.CourseActive {
			snap.ActiveQuizzes = append(snap.ActiveQuizzes, q)
		}
	}
	// Course quizzes in the catalog's order, exams (no course) after them.
	rank := func(q *academy.Quiz) int {
		if i, ok := order[q.Course]; ok {
			return i
		}
		return len(order)
	}
	slices.SortStableFunc(snap.ActiveQuizzes, func(a, b *academy.Quiz) int { return rank(a) - rank(b) })
	c.rendered, c.snap, c.loaded = next, snap, true
	return nil
}

// Run refreshes every interval until ctx ends; errors are logged and the
// old snapshot keeps serving.
func (c *Catalog) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := c.Refresh(ctx, false); err != nil && ctx.Err() == nil {
				c.logger.Warn("content refresh failed", "err", err)
			}
		}
	}
}

// Hit is one search result.
type Hit struct {
	Course  *Course
	Lesson  *Lesson
	Snippet string
}

// Search finds lessons whose title or text contains q (case-insensitive for
// Latin letters; Chinese needs no word splitting for substring search).
func (s *Snapshot) Search(q string, limit int) []Hit {
	q = strings.ToLower(strings.TrimSpace(q))
	if q == "" {
		return nil
	}
	var hits []Hit
	for _, c := range s.Active {
		for _, l := range c.Lessons {
			title := strings.ToLower(l.Title)
			text := strings.ToLower(l.Text)
			if !strings.Contains(title, q) && !strings.Contains(text, q) {
				continue
			}
			// ToLower keeps byte offsets for the text here: Chinese and
			// ASCII do not change length when lowered.
			hits = append(hits, Hit{c, l, snippet(l.Text, strings.Index(text, q), len(q))})
			if len(hits) >= limit {
				return hits
			}
		}
	}
	return hits
}

// snippet cuts about 40 characters of context around a match at byte i.
func snippet(text string, i, n int) string {
	if i < 0 {
		i, n = 0, 0
	}
	start, end := i, i+n
	for k := 0; k < 40 && start > 0; k++ {
		_, size := utf8.DecodeLastRuneInString(text[:start])
		start -= size
	}
	for k := 0; k < 40 && end < len(text); k++ {
		_, size := utf8.DecodeRuneInString(text[end:])
		end += size
	}
	s := strings.Join(strings.Fields(text[start:end]), " ")
	if start > 0 {
		s = "…" + s
	}
	if end < len(text) {
		s += "…"
	}
	return s
}
