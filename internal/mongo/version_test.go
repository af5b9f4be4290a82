package mongo_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/mongo"
	"github.com/academy/academy/internal/mongo/mongotest"
)

// racers writes version 2 from n writers at once and reports how many
// succeeded and how many were told of a conflict.
func racers(t *testing.T, n int, save func(i int) error) (won, refused int) {
	t.Helper()
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			err := save(i)
			mu.Lock()
			defer mu.Unlock()
			switch academy.ErrorCode(err) {
			case "":
				won++
			case academy.ECONFLICT:
				refused++
			default:
				t.Errorf("writer %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	return won, refused
}

// TestOneWriterPerVersion: tickets, runs and sandboxes are written at the
// version after the one stored; of many writers of the same version, on
// the embedded store too, exactly one lands and its write is what is read.
func TestOneWriterPerVersion(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	const n = 12

	t.Run("ticket", func(t *testing.T) {
		s := mongo.NewDeskStore(db)
		seedTickets(t, s, "v1", 1)
		tk, err := s.FindTicket(ctx, "v1", "v1-000001")
		if err != nil {
			t.Fatal(err)
		}
		won, refused := racers(t, n, func(i int) error {
			c := *tk
			c.Fields = map[string]string{"answer": fmt.Sprint(i)}
			c.Version = tk.Version + 1
			return s.SaveTicket(ctx, &c)
		})
		got, _ := s.FindTicket(ctx, "v1", tk.ID)
		if won != 1 || refused != n-1 || got.Version != tk.Version+1 || got.Fields["answer"] == "" {
			t.Fatalf("%d won, %d refused; stored version %d", won, refused, got.Version)
		}
	})

	t.Run("run", func(t *testing.T) {
		s := mongo.NewRunService(db)
		r := &academy.Run{ID: "race-run", Username: "wang", Scenario: "water-leak", State: academy.RunActive, Version: 1, Scores: map[string]int{}}
		if err := s.InsertRun(ctx, r); err != nil {
			t.Fatal(err)
		}
		won, refused := racers(t, n, func(i int) error {
			c := *r
			c.Step, c.Version = fmt.Sprint("step-", i), 2
			return s.SaveRun(ctx, &c)
		})
		got, _ := s.FindRun(ctx, r.ID)
		if won != 1 || refused != n-1 || got.Version != 2 || got.Step == "" {
			t.Fatalf("%d won, %d refused; stored version %d", won, refused, got.Version)
		}
	})

	t.Run("sandbox", func(t *testing.T) {
		now := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
		store := mongo.NewSandboxStore(db)
		desk := &academy.Desk{Sandboxes: store, Now: func() time.Time { return now }}
		sb, err := desk.OpenSandbox(ctx, "wang", "练习", &academy.SandboxFixture{Directory: academy.SyntheticDirectory(3)})
		if err != nil {
			t.Fatal(err)
		}
		won, refused := racers(t, n, func(i int) error {
			c := *sb
			c.Seq, c.Version = i+1, sb.Version+1
			return store.SaveSandbox(ctx, &c)
		})
		got, _ := store.FindSandbox(ctx, sb.ID)
		if won != 1 || refused != n-1 || got.Version != sb.Version+1 || got.Seq == 0 {
			t.Fatalf("%d won, %d refused; stored version %d", won, refused, got.Version)
		}
	})
}

// BenchmarkSaveRunAmongMany saves a run's next version with 3,000 other
// runs stored: the cost of a scenario step's write, which must not grow
// with the collection (the embedded store scans it for any filter but _id
// alone).
func BenchmarkSaveRunAmongMany(b *testing.B) {
	ctx := context.Background()
	db := mongotest.Open(b)
	s := mongo.NewRunService(db)
	for i := range 3000 {
		if err := s.InsertRun(ctx, &academy.Run{ID: fmt.Sprint("other-", i), Username: fmt.Sprint("u", i), Scenario: "water-leak",
			State: academy.RunActive, Version: 1, Scores: map[string]int{}}); err != nil {
			b.Fatal(err)
		}
	}
	r := &academy.Run{ID: "mine", Username: "wang", Scenario: "water-leak", State: academy.RunActive, Version: 1, Scores: map[string]int{}}
	if err := s.InsertRun(ctx, r); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		r.Version++
		if err := s.SaveRun(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
}
