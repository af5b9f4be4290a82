package mongo_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/mongo"
	"github.com/academy/academy/internal/mongo/mongotest"
	"github.com/academy/academy/internal/quality"
)

// Two closes that raise the same flag again at once: one stores its
// flag, the other is refused, and a stale one is refused too.
func TestOpenFlagAgainRefusesTheLoser(t *testing.T) {
	ctx := context.Background()
	st := mongo.NewQualityStore(mongotest.Open(t))
	t0 := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	first := &quality.Flag{ID: "s1/li/repair:visit", Site: "s1", Agent: "li", Check: "repair:visit", OpenedAt: t0, Tickets: []string{"BX-1"}}
	if err := st.OpenFlag(ctx, first, nil); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Go(func() {
			again := *first
			again.OpenedAt, again.Tickets = t0.Add(time.Duration(i+1)*time.Hour), []string{"BX-2", "BX-3"}
			errs[i] = st.OpenFlag(ctx, &again, first)
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch academy.ErrorCode(err) {
		case "":
			won++
		case academy.ECONFLICT:
		default:
			t.Fatalf("raising again: %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d of two racing closes stored the flag: %v", won, errs)
	}
	got, err := st.FindFlag(ctx, first.ID)
	if err != nil || got.OpenedAt.Equal(t0) || len(got.Tickets) != 2 {
		t.Fatalf("stored flag %+v, %v", got, err)
	}
	// Replacing the flag as it was before the winner is stale.
	if err := st.OpenFlag(ctx, first, first); academy.ErrorCode(err) != academy.ECONFLICT {
		t.Fatalf("stale replace: %v", err)
	}
}
