package mongo_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/mongo"
	"github.com/academy/academy/internal/mongo/mongotest"
)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func bank() *academy.Quiz {
	opt := func(ids ...string) []academy.Option {
		var o []academy.Option
		for _, id := range ids {
			o = append(o, academy.Option{ID: id, Text: id})
		}
		return o
	}
	return &academy.Quiz{Slug: "bank", Title: "题库", PassMark: 60, TimeLimit: 10 * time.Minute, MaxAttempts: 2, Cooldown: time.Hour,
		ShuffleQuestions: true, ShuffleOptions: true, Layout: academy.LayoutOnePage, Review: academy.ReviewExplanations, Status: academy.CourseActive,
		Questions: []academy.Question{
			{ID: "q1", Type: academy.QSingle, Points: 1, Prompt: "p", Explanation: "e", Options: opt("a", "b", "c"), Key: academy.Key{Choice: "b"}, Tags: []string{"核心"}},
			{ID: "q2", Type: academy.QTrueFalse, Points: 1, Prompt: "p", Explanation: "e", Key: academy.Key{Bool: true}, Tags: []string{"核心"}},
			{ID: "q3", Type: academy.QOrdering, Points: 2, Prompt: "p", Explanation: "e", Options: opt("x", "y", "z"), Key: academy.Key{Order: []string{"x", "y", "z"}}},
		}}
}

func newExaminer(db *mongo.DB, c *clock) *academy.Examiner {
	return &academy.Examiner{Attempts: mongo.NewAttemptService(db), Now: c.Now}
}

// eachAttemptStore runs test with each way the server keeps attempts:
// straight in the store (several instances share it), and with those in
// progress also in memory (the only writer, on the embedded store).
func eachAttemptStore(t *testing.T, test func(t *testing.T, examiner func(*mongo.DB, *clock) *academy.Examiner)) {
	t.Run("store", func(t *testing.T) { test(t, newExaminer) })
	t.Run("cached", func(t *testing.T) {
		test(t, func(db *mongo.DB, c *clock) *academy.Examiner {
			return &academy.Examiner{Attempts: academy.NewCachedAttempts(mongo.NewAttemptService(db), academy.SoleCacheTTL, c.Now), Now: c.Now}
		})
	})
}

var trainee = &academy.User{ID: "wang", Username: "wang", Roles: []string{"trainee"}, Sites: []string{"s1"}, Status: academy.StatusActive}

func TestAttemptLifecycle(t *testing.T) {
	eachAttemptStore(t, func(t *testing.T, examiner func(*mongo.DB, *clock) *academy.Examiner) {
		ctx := context.Background()
		db := mongotest.Open(t)
		c := &clock{t: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}
		x := examiner(db, c)
		q := bank()
		all := map[string]*academy.Quiz{"bank": q}

		a, err := x.Start(ctx, trainee, q, all)
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Questions) != 3 || !a.Deadline.Equal(c.Now().Add(10*time.Minute)) || a.Number != 1 {
			t.Fatalf("start: %+v", a)
		}
		// Starting again resumes the same attempt.
		again, err := x.Start(ctx, trainee, q, all)
		if err != nil || again.ID != a.ID {
			t.Fatalf("second start: %v %v", again.ID, err)
		}
		// The frozen order survives a reload.
		stored, _ := x.Get(ctx, trainee, a.ID)
		for i := range a.Questions {
			if stored.Questions[i].ID != a.Questions[i].ID || stored.Questions[i].Version == "" {
				t.Fatal("question order or version not frozen")
			}
		}
		// Bad answers are refused and nothing is written.
		if _, err := x.SaveAnswers(ctx, trainee, a.ID, map[string]academy.Response{"q1": {Choice: "b"}, "nope": {Choice: "a"}}); academy.ErrorCode(err) != academy.EINVALID {
			t.Fatalf("unknown question: %v", err)
		}
		if _, err := x.SaveAnswers(ctx, trainee, a.ID, map[string]academy.Response{"q1": {Choice: "zz"}}); academy.ErrorCode(err) != academy.EINVALID {
			t.Fatalf("unknown option: %v", err)
		}
		if got, _ := x.Get(ctx, trainee, a.ID); len(got.Answers) != 0 {
			t.Fatal("a refused save wrote answers")
		}
		other := &academy.User{ID: "li", Status: academy.StatusActive}
		if _, err := x.SaveAnswers(ctx, other, a.ID, map[string]academy.Response{"q1": {Choice: "b"}}); academy.ErrorCode(err) != academy.ENOTFOUND {
			t.Fatalf("someone else's attempt: %v", err)
		}
		yes := true
		if _, err := x.SaveAnswers(ctx, trainee, a.ID, map[string]academy.Response{"q1": {Choice: "b"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := x.SaveAnswers(ctx, trainee, a.ID, map[string]academy.Response{"q2": {Bool: &yes}, "q3": {Order: []string{"z", "x", "y"}}}); err != nil {
			t.Fatal(err)
		}
		// Two racing submits: one grade, the same result for both.
		var wg sync.WaitGroup
		results := make([]*academy.Attempt, 6)
		for i := range results {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				r, err := x.Submit(ctx, trainee, a.ID)
				if err != nil {
					t.Error(err)
				}
				results[i] = r
			}(i)
		}
		wg.Wait()
		for _, r := range results {
			if r == nil || r.State != academy.AttemptSubmitted || r.Score != 3 || r.Max != 4 || r.Percent != 75 || !r.Passed || len(r.Transitions) != 2 {
				t.Fatalf("submit result: %+v", r)
			}
		}
		rec, _ := x.Attempts.FindRecord(ctx, "wang")
		h := rec.History("bank")
		if h.Count != 1 || len(h.List()) != 1 || h.List()[0].State != academy.AttemptSubmitted || h.List()[0].Percent != 75 {
			t.Fatalf("record: %+v", h)
		}
		if _, err := x.SaveAnswers(ctx, trainee, a.ID, map[string]academy.Response{"q1": {Choice: "a"}}); academy.ErrorCode(err) != academy.ECONFLICT {
			t.Fatalf("answer after submit: %v", err)
		}

		// Cooldown, then the last attempt, then no more.
		if _, err := x.Start(ctx, trainee, q, all); academy.ErrorCode(err) != academy.ETOOMANY {
			t.Fatalf("cooldown: %v", err)
		}
		c.Add(time.Hour)
		b, err := x.Start(ctx, trainee, q, all)
		if err != nil || b.Number != 2 {
			t.Fatalf("second attempt: %v", err)
		}
		// The deadline passes: answers are refused and the attempt is submitted
		// with what was saved.
		if _, err := x.SaveAnswers(ctx, trainee, b.ID, map[string]academy.Response{"q1": {Choice: "b"}}); err != nil {
			t.Fatal(err)
		}
		c.Add(11 * time.Minute)
		if _, err := x.SaveAnswers(ctx, trainee, b.ID, map[string]academy.Response{"q2": {Bool: &yes}}); academy.ErrorCode(err) != academy.ECONFLICT {
			t.Fatalf("answer after the deadline: %v", err)
		}
		got, _ := x.Get(ctx, trainee, b.ID)
		if got.State != academy.AttemptExpired || got.Score != 1 || !got.SubmittedAt.Equal(b.Deadline) {
			t.Fatalf("expired attempt: %+v", got)
		}
		c.Add(2 * time.Hour)
		if _, err := x.Start(ctx, trainee, q, all); academy.ErrorCode(err) != academy.EFORBIDDEN {
			t.Fatalf("attempt limit: %v", err)
		}
		fin, _ := x.Attempts.ListFinishedAttempts(ctx, "bank")
		if len(fin) != 2 {
			t.Fatalf("finished attempts: %d", len(fin))
		}
	})
}

func TestSweepAndConcurrentStarts(t *testing.T) {
	eachAttemptStore(t, func(t *testing.T, examiner func(*mongo.DB, *clock) *academy.Examiner) {
		ctx := context.Background()
		db := mongotest.Open(t)
		c := &clock{t: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}
		x := examiner(db, c)
		q := bank()
		q.MaxAttempts, q.Cooldown = 1, 0
		all := map[string]*academy.Quiz{"bank": q}

		// Ten simultaneous starts by one learner make one attempt.
		var wg sync.WaitGroup
		ids := make(chan string, 10)
		for i := 0; i < 10; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				a, err := x.Start(ctx, trainee, q, all)
				if err != nil {
					t.Error(err)
					return
				}
				ids <- a.ID
			}()
		}
		wg.Wait()
		close(ids)
		seen := map[string]bool{}
		for id := range ids {
			seen[id] = true
		}
		rec, _ := x.Attempts.FindRecord(ctx, "wang")
		if len(seen) != 1 || rec.History("bank").Count != 1 {
			t.Fatalf("concurrent starts made %d attempts (record count %d)", len(seen), rec.History("bank").Count)
		}
		// An untimed attempt of another learner, left alone for a week.
		untimed := bank()
		untimed.Slug, untimed.TimeLimit = "untimed", 0
		li := &academy.User{ID: "li", Status: academy.StatusActive}
		u, err := x.Start(ctx, li, untimed, map[string]*academy.Quiz{"untimed": untimed})
		if err != nil {
			t.Fatal(err)
		}
		c.Add(11 * time.Minute)
		n, err := x.Sweep(ctx)
		if err != nil || n != 1 {
			t.Fatalf("sweep closed %d (%v), want the expired one", n, err)
		}
		c.Add(academy.AbandonAfter)
		if n, _ := x.Sweep(ctx); n != 1 {
			t.Fatalf("sweep closed %d, want the idle one", n)
		}
		got, _ := x.Get(ctx, li, u.ID)
		if got.State != academy.AttemptAbandoned {
			t.Fatalf("idle attempt: %s", got.State)
		}
		if open, _ := x.Attempts.ListOpenAttempts(ctx); len(open) != 0 {
			t.Fatalf("%d attempts still open", len(open))
		}
	})
}

func TestDrawFromPools(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	c := &clock{t: time.Now()}
	x := newExaminer(db, c)
	b := bank()
	exam := &academy.Quiz{Slug: "exam", Title: "考试", PassMark: 80, Layout: academy.LayoutPerQuestion, Review: academy.ReviewScore,
		Status: academy.CourseActive, Draw: []academy.DrawRule{{Quiz: "bank", Tag: "核心", Count: 2}}}
	a, err := x.Start(ctx, trainee, exam, map[string]*academy.Quiz{"bank": b, "exam": exam})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Questions) != 2 || a.Question("q3") != nil || a.Questions[0].Source != "bank" {
		t.Fatalf("drawn: %+v", a.Questions)
	}
}

// BenchmarkStartAndSubmit measures whole attempts on the embedded store:
// start (record read, attempt insert, reservation), one answer save and
// submit (conditional update, summary update).
func BenchmarkStartAndSubmit(b *testing.B) {
	ctx := context.Background()
	db := mongotest.Open(b)
	x := &academy.Examiner{Attempts: mongo.NewAttemptService(db), Now: time.Now}
	q := bank()
	q.MaxAttempts, q.Cooldown = 0, 0
	all := map[string]*academy.Quiz{"bank": q}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		u := &academy.User{ID: "u" + strconv.Itoa(i), Status: academy.StatusActive}
		a, err := x.Start(ctx, u, q, all)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := x.SaveAnswers(ctx, u, a.ID, map[string]academy.Response{"q1": {Choice: "b"}}); err != nil {
			b.Fatal(err)
		}
		if _, err := x.Submit(ctx, u, a.ID); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "attempts/s")
}

// Updates of one learner's record from many requests at once (quizzes
// closing together, the sweep) must all land: the embedded store applies
// an update by reading, changing and writing the document, which loses
// updates when two interleave unless writes take turns.
func TestConcurrentRecordUpdatesAllLand(t *testing.T) {
	ctx := context.Background()
	s := mongo.NewAttemptService(mongotest.Open(t))
	const n = 40
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			errs <- s.SetSummary(ctx, "wang", "quiz-"+strconv.Itoa(i), academy.AttemptSummary{ID: strconv.Itoa(i), Number: 1, State: academy.AttemptSubmitted})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	rec, err := s.FindRecord(ctx, "wang")
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Quizzes) != n {
		t.Fatalf("%d of %d concurrent updates landed", len(rec.Quizzes), n)
	}
}
