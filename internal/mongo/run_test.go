package mongo_test

import (
	"context"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/mongo"
	"github.com/academy/academy/internal/mongo/mongotest"
)

// TestRunIndexAtStartAndFinish: a learner's run list is written when a run
// starts and when it finishes, not on the steps between, and it shows
// each state right, a score of 0 and a fail included.
func TestRunIndexAtStartAndFinish(t *testing.T) {
	ctx := context.Background()
	writes := countCommands(func(c mongo.Command) bool { return c.Collection == "run_index" && c.Name != "find" })
	runs := mongo.NewRunService(mongotest.Open(t, mongo.Observe(writes.observe)))
	start := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	r := &academy.Run{ID: "run-1", Username: "trainee", Scenario: "water-leak", State: academy.RunActive, Step: "greet",
		StartedAt: start, Scores: map[string]int{}, Max: 10, PassMark: 60, Version: 1}
	writes.take() // the schema's set-up
	if err := runs.InsertRun(ctx, r); err != nil {
		t.Fatal(err)
	}
	if n := writes.take(); n != 1 {
		t.Fatalf("starting a run wrote the run index %d times, want 1", n)
	}
	listed := func(want academy.RunSummary) {
		t.Helper()
		got, err := runs.ListRuns(ctx, "trainee")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || !got[0].StartedAt.Equal(want.StartedAt) || !got[0].FinishedAt.Equal(want.FinishedAt) {
			t.Fatalf("run list: %+v, want %+v", got, want)
		}
		got[0].StartedAt, got[0].FinishedAt = want.StartedAt, want.FinishedAt
		if got[0] != want {
			t.Fatalf("run list: %+v, want %+v", got[0], want)
		}
	}
	listed(r.Summary())

	// Two steps: the run changes, its list does not.
	for _, step := range []string{"ask", "task"} {
		r.Step, r.Version = step, r.Version+1
		r.Log = append(r.Log, academy.RunEntry{Step: step})
		if err := runs.SaveRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if n := writes.take(); n != 0 {
		t.Fatalf("steps of an active run wrote the run index %d times", n)
	}
	if got, err := runs.FindRun(ctx, r.ID); err != nil || got.Step != "task" || got.Version != 3 || len(got.Log) != 2 {
		t.Fatalf("run after two steps: %+v %v", got, err)
	}
	listed(r.Summary())

	// A stale save is refused and writes nothing.
	stale := *r
	stale.State, stale.FinishedAt = academy.RunFinished, start.Add(time.Minute)
	if err := runs.SaveRun(ctx, &stale); academy.ErrorCode(err) != academy.ECONFLICT {
		t.Fatalf("a save of a stale version: %v", err)
	}
	if n := writes.take(); n != 0 {
		t.Fatalf("a refused save wrote the run index %d times", n)
	}
	listed(r.Summary())

	// The finish, failed with nothing scored, reaches the list.
	r.State, r.FinishedAt, r.Percent, r.Passed, r.Version = academy.RunFinished, start.Add(5*time.Minute), 0, false, r.Version+1
	if err := runs.SaveRun(ctx, r); err != nil {
		t.Fatal(err)
	}
	if n := writes.take(); n != 1 {
		t.Fatalf("finishing a run wrote the run index %d times, want 1", n)
	}
	want := r.Summary()
	if want.State != academy.RunFinished {
		t.Fatalf("summary of the finished run: %+v", want)
	}
	listed(want)
}
