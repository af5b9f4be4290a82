package mongo_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/mongo"
	"github.com/academy/academy/internal/mongo/mongotest"
)

// TestCachedAttempts: with attempts in progress in memory, autosaves and
// the submit read no attempt document, yet every read after the close
// sees the closed attempt, and what one reader changes in the attempt it
// got reaches no other reader.
func TestCachedAttempts(t *testing.T) {
	ctx := context.Background()
	reads := countCommands(func(c mongo.Command) bool { return c.Name == "find" && c.Collection == "attempts" })
	db := mongotest.Open(t, mongo.Observe(reads.observe))
	c := &clock{t: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}
	x := &academy.Examiner{Attempts: academy.NewCachedAttempts(mongo.NewAttemptService(db), academy.SoleCacheTTL, c.Now), Now: c.Now}
	q := bank()
	all := map[string]*academy.Quiz{"bank": q}

	a, err := x.Start(ctx, trainee, q, all)
	if err != nil {
		t.Fatal(err)
	}
	reads.take()
	// A false is an answer too: it must come back as false.
	if _, err := x.SaveAnswers(ctx, trainee, a.ID, map[string]academy.Response{"q1": {Choice: "a"}, "q2": {Bool: new(false)}}); err != nil {
		t.Fatal(err)
	}
	got, err := x.Get(ctx, trainee, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r := got.Answers["q2"]; r.Bool == nil || *r.Bool || got.Answers["q1"].Choice != "a" {
		t.Fatalf("answers read back: %+v", got.Answers)
	}
	if n := reads.take(); n != 0 {
		t.Fatalf("an autosave and a read of an attempt in progress read the attempt document %d times", n)
	}

	// What a reader changes stays with it.
	got.Answers["q1"] = academy.Response{Choice: "c"}
	got.Transitions = append(got.Transitions, academy.Transition{State: "x", At: c.Now()})
	// By id: the questions are shuffled, and the true/false one has no options.
	got.Question("q1").Options[0].Text = "changed"
	got.State = academy.AttemptSubmitted
	again, err := x.Get(ctx, trainee, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.State != academy.AttemptInProgress || len(again.Transitions) != 1 || again.Answers["q1"].Choice != "a" || again.Question("q1").Options[0].Text == "changed" {
		t.Fatalf("a reader's changes reached the cache: %+v", again)
	}

	if _, err := x.SaveAnswers(ctx, trainee, a.ID, map[string]academy.Response{"q1": {Choice: "b"}}); err != nil {
		t.Fatal(err)
	}
	done, err := x.Submit(ctx, trainee, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n := reads.take(); n != 0 {
		t.Fatalf("a save and the submit read the attempt document %d times", n)
	}
	if done.State != academy.AttemptSubmitted || done.Result("q1") == nil || !done.Result("q1").Correct || done.Result("q2").Correct {
		t.Fatalf("graded: %+v", done.Results)
	}
	// After the close every read is of the closed attempt, from the store.
	for range 2 {
		closed, err := x.Get(ctx, trainee, a.ID)
		if err != nil || closed.State != academy.AttemptSubmitted || closed.Score != done.Score || closed.Answers["q1"].Choice != "b" {
			t.Fatalf("read after the close: %+v %v", closed, err)
		}
	}
	if n := reads.take(); n != 2 {
		t.Fatalf("closed attempts read %d times from the store, want 2: they are not kept", n)
	}
	if _, err := x.SaveAnswers(ctx, trainee, a.ID, map[string]academy.Response{"q1": {Choice: "a"}}); academy.ErrorCode(err) != academy.ECONFLICT {
		t.Fatalf("save after the close: %v", err)
	}
}

// heldRead holds a read of an attempt document after the store answered,
// until released: a read that began before a close and ends after it.
type heldRead struct {
	academy.AttemptService
	read, release chan struct{}
}

func (h *heldRead) FindAttemptDoc(ctx context.Context, id string) (*academy.Attempt, error) {
	a, err := h.AttemptService.FindAttemptDoc(ctx, id)
	h.read <- struct{}{}
	<-h.release
	return a, err
}

// TestCachedAttemptsRefuseAReadFromBeforeTheClose: the open attempt that a
// slow read brings back after the close is not kept, so the next read is
// of the closed one.
func TestCachedAttemptsRefuseAReadFromBeforeTheClose(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	c := &clock{t: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}
	q := bank()
	all := map[string]*academy.Quiz{"bank": q}
	store := mongo.NewAttemptService(db)
	a, err := (&academy.Examiner{Attempts: store, Now: c.Now}).Start(ctx, trainee, q, all)
	if err != nil {
		t.Fatal(err)
	}
	held := &heldRead{AttemptService: store, read: make(chan struct{}, 4), release: make(chan struct{})}
	cached := academy.NewCachedAttempts(held, academy.SoleCacheTTL, c.Now)

	slow := make(chan *academy.Attempt)
	go func() {
		got, _ := cached.FindAttemptDoc(ctx, a.ID)
		slow <- got
	}()
	<-held.read // it has the open document
	closed := *a
	closed.State, closed.SubmittedAt = academy.AttemptSubmitted, c.Now()
	if err := cached.WriteFinal(ctx, &closed, c.Now()); err != nil {
		t.Fatal(err)
	}
	close(held.release)
	if got := <-slow; got.State != academy.AttemptInProgress {
		t.Fatalf("the slow read got %s; the test wants it to have read before the close", got.State)
	}
	after, err := cached.FindAttemptDoc(ctx, a.ID)
	if err != nil || after.State != academy.AttemptSubmitted {
		t.Fatalf("read after the close: %+v %v; want the closed attempt", after, err)
	}
}

// TestCachedAttemptsKeepAnswersAndMarkers: an attempt started here is
// saved and submitted without reading its answers, its closing mark or
// its number's holder back from the store, and grades what was saved. An
// attempt of an earlier run (a restart) reads them from the store once:
// the answers saved before the restart count, and a close the restart
// interrupted still closes it.
func TestCachedAttemptsKeepAnswersAndMarkers(t *testing.T) {
	ctx := context.Background()
	reads := countCommands(func(c mongo.Command) bool {
		return c.Name == "find" && (c.Collection == "attempt_answers" || c.Collection == "attempt_final" || c.Collection == "attempt_slots")
	})
	db := mongotest.Open(t, mongo.Observe(reads.observe))
	c := &clock{t: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}
	q := bank()
	all := map[string]*academy.Quiz{"bank": q}
	cached := func() *academy.Examiner {
		return &academy.Examiner{Attempts: academy.NewCachedAttempts(mongo.NewAttemptService(db), academy.SoleCacheTTL, c.Now), Now: c.Now}
	}
	learner := func(name string) *academy.User {
		return &academy.User{ID: name, Username: name, Roles: []string{"trainee"}, Sites: []string{"s1"}, Status: academy.StatusActive}
	}
	x := cached()
	right := map[string]academy.Response{"q1": {Choice: "b"}, "q2": {Bool: new(true)}, "q3": {Order: []string{"x", "y", "z"}}}

	a, err := x.Start(ctx, trainee, q, all)
	if err != nil {
		t.Fatal(err)
	}
	reads.take()
	if _, err := x.SaveAnswers(ctx, trainee, a.ID, map[string]academy.Response{"q1": {Choice: "b"}, "q2": {Bool: new(false)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := x.SaveAnswers(ctx, trainee, a.ID, map[string]academy.Response{"q3": {Order: []string{"x", "y", "z"}}}); err != nil {
		t.Fatal(err)
	}
	done, err := x.Submit(ctx, trainee, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n := reads.take(); n != 0 {
		t.Errorf("two saves and the submit of an attempt started here read answers or markers %d times", n)
	}
	if !done.Result("q1").Correct || done.Result("q2").Correct || !done.Result("q3").Correct || done.Answers["q2"].Bool == nil || *done.Answers["q2"].Bool {
		t.Fatalf("graded %+v from answers %+v; want q1 and q3 right, q2 answered false", done.Results, done.Answers)
	}

	// Started and saved in an earlier run; this run knows nothing of it.
	before := newExaminer(db, c)
	li := learner("li")
	b, err := before.Start(ctx, li, q, all)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := before.SaveAnswers(ctx, li, b.ID, map[string]academy.Response{"q1": {Choice: "b"}}); err != nil {
		t.Fatal(err)
	}
	x = cached()
	got, err := x.Get(ctx, li, b.ID)
	if err != nil || got.Answers["q1"].Choice != "b" {
		t.Fatalf("after a restart: %+v, %v; want the answer saved before it", got, err)
	}
	if _, err := x.SaveAnswers(ctx, li, b.ID, map[string]academy.Response{"q2": {Bool: new(true)}}); err != nil {
		t.Fatal(err)
	}
	done, err = x.Submit(ctx, li, b.ID)
	if err != nil || !done.Result("q1").Correct || !done.Result("q2").Correct {
		t.Fatalf("submitted after a restart: %+v, %v; want q1 and q2 right", done, err)
	}

	// A close that the restart interrupted after its mark: the attempt is
	// closed, and a save after the restart says so.
	zhao := learner("zhao")
	z, err := before.Start(ctx, zhao, q, all)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := before.Attempts.MarkFinal(ctx, academy.FinalMark{ID: z.ID, State: academy.AttemptSubmitted, At: c.Now()}); err != nil {
		t.Fatal(err)
	}
	x = cached()
	if _, err := x.SaveAnswers(ctx, zhao, z.ID, right); academy.ErrorCode(err) != academy.ECONFLICT {
		t.Fatalf("a save of an attempt whose close the restart interrupted: %v; want a conflict", err)
	}

	// A close whose mark landed though the store reported a failure: a
	// save after it reads the mark from the store.
	lost := &markLost{AttemptService: mongo.NewAttemptService(db)}
	y := &academy.Examiner{Attempts: academy.NewCachedAttempts(lost, academy.SoleCacheTTL, c.Now), Now: c.Now}
	sun := learner("sun")
	s, err := y.Start(ctx, sun, q, all)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := y.Submit(ctx, sun, s.ID); err == nil {
		t.Fatal("the submit whose mark was reported lost succeeded")
	}
	if _, err := y.SaveAnswers(ctx, sun, s.ID, right); academy.ErrorCode(err) != academy.ECONFLICT {
		t.Fatalf("a save after a mark reported lost: %v; want a conflict", err)
	}

	// A save racing the submit: a save that was told it counted is graded.
	var wg sync.WaitGroup
	for i := range 40 {
		u := learner(fmt.Sprintf("race%d", i))
		r, err := x.Start(ctx, u, q, all)
		if err != nil {
			t.Fatal(err)
		}
		var saveErr, submitErr error
		wg.Add(2)
		go func() { defer wg.Done(); _, saveErr = x.SaveAnswers(ctx, u, r.ID, right) }()
		go func() { defer wg.Done(); _, submitErr = x.Submit(ctx, u, r.ID) }()
		wg.Wait()
		if submitErr != nil || (saveErr != nil && academy.ErrorCode(saveErr) != academy.ECONFLICT) {
			t.Fatalf("race %d: save %v, submit %v", i, saveErr, submitErr)
		}
		graded, err := x.Get(ctx, u, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if saveErr == nil && graded.Percent != 100 {
			t.Fatalf("race %d: the save was told it counted, yet the grade is %v%% from %+v", i, graded.Percent, graded.Answers)
		}
	}
}

// markLost writes the closing mark and reports a failure, as a write
// whose answer the connection lost.
type markLost struct{ academy.AttemptService }

func (m *markLost) MarkFinal(ctx context.Context, f academy.FinalMark) (academy.FinalMark, error) {
	if _, err := m.AttemptService.MarkFinal(ctx, f); err != nil {
		return f, err
	}
	return f, errors.New("connection lost")
}
