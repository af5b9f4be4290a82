package mongo_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/mongo"
	"github.com/academy/academy/internal/mongo/mongotest"
)

// lossySummaries fails the record write of a close, as a crash or a
// database error between writing the closed attempt and writing the
// learner's record does (cmd/academy's SIGKILL test hits that window).
type lossySummaries struct {
	*mongo.AttemptService
}

var errLost = errors.New("connection lost")

func (l lossySummaries) SetSummary(ctx context.Context, username, quiz string, s academy.AttemptSummary) error {
	if s.State != academy.AttemptInProgress {
		return errLost
	}
	return l.AttemptService.SetSummary(ctx, username, quiz, s)
}

// submitLosingTheRecord starts, answers and submits an attempt of the
// trainee with an examiner whose record write fails, as a crash there does.
func submitLosingTheRecord(t *testing.T, broken *academy.Examiner, q *academy.Quiz, all map[string]*academy.Quiz) *academy.Attempt {
	t.Helper()
	ctx := context.Background()
	a, err := broken.Start(ctx, trainee, q, all)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := broken.SaveAnswers(ctx, trainee, a.ID, map[string]academy.Response{"q1": {Choice: "b"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := broken.Submit(ctx, trainee, a.ID); !errors.Is(err, errLost) {
		t.Fatalf("submit with the record write failing: %v", err)
	}
	return a
}

func TestCloseInterruptedBeforeRecord(t *testing.T) {
	eachAttemptStore(t, func(t *testing.T, examiner func(*mongo.DB, *clock) *academy.Examiner) {
		ctx := context.Background()
		db := mongotest.Open(t)
		c := &clock{t: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}
		q := bank()
		all := map[string]*academy.Quiz{"bank": q}

		a := submitLosingTheRecord(t, &academy.Examiner{Attempts: lossySummaries{mongo.NewAttemptService(db)}, Now: c.Now}, q, all)
		// The attempt is closed, the record still says in progress.
		x := examiner(db, c)
		closed, err := x.Get(ctx, trainee, a.ID)
		if err != nil || closed.State != academy.AttemptSubmitted {
			t.Fatalf("attempt after the interrupted close: %v %v", closed, err)
		}
		rec, _ := x.Attempts.FindRecord(ctx, trainee.ID)
		if s := rec.History(q.Slug).Active(); s == nil || s.ID != a.ID {
			t.Fatalf("the interruption did not leave the record behind: %+v", rec.History(q.Slug).List())
		}

		// Starting again must see through the stale record and apply the
		// quiz's rules (the cooldown after the submit) instead of resuming the
		// same closed attempt forever. The deadline turns a loop into a
		// failure rather than a hung test.
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if _, err := x.Start(sctx, trainee, q, all); academy.ErrorCode(err) != academy.ETOOMANY {
			t.Fatalf("start with a stale record: %v; want the cooldown (%s)", err, academy.ETOOMANY)
		}
		rec, _ = x.Attempts.FindRecord(ctx, trainee.ID)
		if l := rec.History(q.Slug).List(); len(l) != 1 || l[0].State != academy.AttemptSubmitted || l[0].Percent != closed.Percent {
			t.Fatalf("record after the start: %+v; want attempt 1 submitted with %v%%", l, closed.Percent)
		}

		// Submitting again repairs the record too: set it back to stale first.
		stale := rec.History(q.Slug).List()[0]
		stale.State, stale.SubmittedAt, stale.Percent, stale.Passed = academy.AttemptInProgress, time.Time{}, 0, false
		if err := x.Attempts.SetSummary(ctx, trainee.ID, q.Slug, stale); err != nil {
			t.Fatal(err)
		}
		again, err := x.Submit(ctx, trainee, a.ID)
		if err != nil || again.Score != closed.Score || !again.SubmittedAt.Equal(closed.SubmittedAt) {
			t.Fatalf("second submit: %+v %v; want the first close", again, err)
		}
		rec, _ = x.Attempts.FindRecord(ctx, trainee.ID)
		if l := rec.History(q.Slug).List(); len(l) != 1 || l[0].State != academy.AttemptSubmitted || l[0].Percent != closed.Percent {
			t.Fatalf("record after the second submit: %+v", l)
		}
	})
}

// crashAfterInsert stops a start after its attempt is stored and before its
// number is claimed, as a crash would: the claim fails and the clean-up
// delete never happens.
type crashAfterInsert struct {
	*mongo.AttemptService
}

func (crashAfterInsert) ClaimSlot(context.Context, string, string, int, string) (string, error) {
	return "", errLost
}

func (crashAfterInsert) DeleteAttempt(context.Context, string) error { return errLost }

func TestOrphanAttemptDoesNotReplaceTheRecord(t *testing.T) {
	eachAttemptStore(t, func(t *testing.T, examiner func(*mongo.DB, *clock) *academy.Examiner) {
		ctx := context.Background()
		db := mongotest.Open(t)
		c := &clock{t: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}
		q := bank()
		q.Cooldown = 0
		all := map[string]*academy.Quiz{"bank": q}

		crashed := &academy.Examiner{Attempts: crashAfterInsert{mongo.NewAttemptService(db)}, Now: c.Now}
		if _, err := crashed.Start(ctx, trainee, q, all); !errors.Is(err, errLost) {
			t.Fatalf("start that crashes: %v", err)
		}
		// After the restart the learner starts again, gets number 1 and passes.
		x := examiner(db, c)
		a, err := x.Start(ctx, trainee, q, all)
		if err != nil || a.Number != 1 {
			t.Fatalf("start after the crash: %v %+v", err, a)
		}
		if _, err := x.SaveAnswers(ctx, trainee, a.ID, map[string]academy.Response{"q1": {Choice: "b"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := x.Submit(ctx, trainee, a.ID); err != nil {
			t.Fatal(err)
		}
		// The orphan's time runs out and the sweep closes it.
		c.Add(time.Hour)
		if _, err := x.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		rec, err := x.Attempts.FindRecord(ctx, trainee.Username)
		if err != nil {
			t.Fatal(err)
		}
		h := rec.History("bank")
		if got := h.Attempts["1"]; got.ID != a.ID || got.State != academy.AttemptSubmitted || h.Count != 1 {
			t.Fatalf("record after the sweep closed the orphan: %+v (count %d), want attempt %s submitted", got, h.Count, a.ID)
		}
	})
}

// outcomes keeps the grades an examiner reports.
type outcomes struct {
	mu     sync.Mutex
	graded []academy.LearningEvent
}

func (o *outcomes) Outcome(_ context.Context, e academy.LearningEvent) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.graded = append(o.graded, e)
	return nil
}

func (o *outcomes) count() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.graded)
}

// TestSweepFinishesAnInterruptedClose: a close that stopped after writing
// the closed attempt leaves neither the record nor the outcome (so no
// certificate) until the learner comes back, unless the sweep finishes it.
// It does, once, and leaves a close that may still be under way alone:
// an untimed attempt's for a minute after the close began, a timed one's
// for a minute after its deadline (its close does not mark the open list).
func TestSweepFinishesAnInterruptedClose(t *testing.T) {
	for _, tc := range []struct {
		name  string
		limit time.Duration
		early []time.Duration // sweeps after the close began that leave it
		late  time.Duration   // the sweep that finishes it
	}{
		{"untimed", 0, []time.Duration{30 * time.Second, 59 * time.Second}, 61 * time.Second},
		{"timed", 10 * time.Minute, []time.Duration{30 * time.Second, 5 * time.Minute, 10*time.Minute + 59*time.Second}, 11*time.Minute + time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			db := mongotest.Open(t)
			c := &clock{t: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}
			q := bank()
			q.TimeLimit = tc.limit
			all := map[string]*academy.Quiz{"bank": q}
			got := &outcomes{}

			begun := c.Now()
			a := submitLosingTheRecord(t, &academy.Examiner{Attempts: lossySummaries{mongo.NewAttemptService(db)}, Now: c.Now, Outcomes: got}, q, all)
			if got.count() != 0 {
				t.Fatal("an interrupted close reported its grade")
			}

			x := &academy.Examiner{Attempts: mongo.NewAttemptService(db), Now: c.Now, Outcomes: got}
			for _, at := range tc.early {
				c.t = begun.Add(at)
				if n, err := x.Sweep(ctx); err != nil || n != 0 || got.count() != 0 {
					t.Fatalf("sweep %v after the close began: %d closed, %v, %d reported", at, n, err, got.count())
				}
			}
			c.t = begun.Add(tc.late)
			if n, err := x.Sweep(ctx); err != nil || n != 1 {
				t.Fatalf("sweep %v after the close began: %d closed, %v", tc.late, n, err)
			}
			rec, err := x.Attempts.FindRecord(ctx, trainee.ID)
			if err != nil {
				t.Fatal(err)
			}
			closed, _ := x.Get(ctx, trainee, a.ID)
			if l := rec.History(q.Slug).List(); len(l) != 1 || l[0].State != academy.AttemptSubmitted || l[0].Percent != closed.Percent {
				t.Fatalf("record after the sweep: %+v; want attempt 1 submitted with %v%%", l, closed.Percent)
			}
			if got.count() != 1 || got.graded[0].Username != trainee.Username || got.graded[0].Ref != q.Slug || got.graded[0].Percent != closed.Percent {
				t.Fatalf("outcomes after the sweep: %+v", got.graded)
			}
			open, err := x.Attempts.ListOpenAttempts(ctx)
			if err != nil || len(open) != 0 {
				t.Fatalf("open list after the sweep: %+v, %v", open, err)
			}
			if n, _ := x.Sweep(ctx); n != 0 || got.count() != 1 {
				t.Fatalf("a second sweep closed %d and reported %d grades", n, got.count())
			}

			// A close that completes leaves nothing for the sweep.
			li := &academy.User{ID: "li", Username: "li", Roles: []string{"trainee"}, Sites: []string{"s1"}, Status: academy.StatusActive}
			b, err := x.Start(ctx, li, q, all)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := x.Submit(ctx, li, b.ID); err != nil {
				t.Fatal(err)
			}
			if open, err := x.Attempts.ListOpenAttempts(ctx); err != nil || len(open) != 0 || got.count() != 2 {
				t.Fatalf("after a whole close: open %+v, %v; %d grades reported, want 2", open, err, got.count())
			}
		})
	}
}

// overtaken lets another submit of the same attempt run to its end right
// after this one has placed the closing mark, as a second request can
// when the first is descheduled there.
type overtaken struct {
	*mongo.AttemptService
	other func()
	once  sync.Once
}

func (o *overtaken) MarkFinal(ctx context.Context, m academy.FinalMark) (academy.FinalMark, error) {
	got, err := o.AttemptService.MarkFinal(ctx, m)
	o.once.Do(o.other)
	return got, err
}

func TestOvertakenSubmitStillReportsTheGrade(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	c := &clock{t: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}
	q := bank()
	all := map[string]*academy.Quiz{"bank": q}
	got := &outcomes{}
	plain := &academy.Examiner{Attempts: mongo.NewAttemptService(db), Now: c.Now, Outcomes: got}

	a, err := plain.Start(ctx, trainee, q, all)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plain.SaveAnswers(ctx, trainee, a.ID, map[string]academy.Response{"q1": {Choice: "b"}}); err != nil {
		t.Fatal(err)
	}
	var second *academy.Attempt
	first := &academy.Examiner{Attempts: &overtaken{AttemptService: mongo.NewAttemptService(db), other: func() {
		// The second submit finds the first one's mark and completes the
		// close itself, but leaves the report to the mark's owner.
		c.Add(time.Second)
		second, err = plain.Submit(ctx, trainee, a.ID)
	}}, Now: c.Now, Outcomes: got}
	graded, ferr := first.Submit(ctx, trainee, a.ID)
	if ferr != nil || err != nil {
		t.Fatalf("submits: %v, %v", ferr, err)
	}
	if graded.Percent != second.Percent || graded.State != academy.AttemptSubmitted {
		t.Fatalf("the two submits answered %v%% (%s) and %v%%", graded.Percent, graded.State, second.Percent)
	}
	if got.count() != 1 || got.graded[0].Percent != graded.Percent {
		t.Fatalf("grades reported: %+v; want the one grade once", got.graded)
	}
	if open, err := plain.Attempts.ListOpenAttempts(ctx); err != nil || len(open) != 0 {
		t.Fatalf("open list after both submits: %+v, %v", open, err)
	}
}
