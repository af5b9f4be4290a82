package mongo_test

import (
	"context"
	"encoding/json"
	nethttp "net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/academy/academy/internal/mongo"
	"github.com/academy/academy/internal/mongo/mongotest"
	"github.com/academy/academy/internal/xapi"
)

// TestOutboxSendsEachStatementOnce: a statement recorded again while it
// waits, or after the LRS has it (a retried close, two instances), reaches
// the LRS once, and leaves nothing waiting.
func TestOutboxSendsEachStatementOnce(t *testing.T) {
	ctx := context.Background()
	o := mongo.NewOutbox(mongotest.Open(t))
	at := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	passed := xapi.QuizGraded("https://academy.example", "wang", "王", "ethics", "职业道德", 8, 10, true, at)
	failed := xapi.QuizGraded("https://academy.example", "li", "李", "ethics", "职业道德", 3, 10, false, at)

	var mu sync.Mutex
	received := map[string]int{}
	lrs := httptest.NewServer(nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		var batch []xapi.Statement
		if err := json.NewDecoder(r.Body).Decode(&batch); err != nil {
			w.WriteHeader(400)
			return
		}
		mu.Lock()
		for _, s := range batch {
			received[s.ID]++
		}
		mu.Unlock()
		w.WriteHeader(200)
	}))
	defer lrs.Close()
	relay := &xapi.Relay{Outbox: o, Client: &xapi.Client{Endpoint: lrs.URL}}
	flush := func(want int) {
		t.Helper()
		if n, err := relay.Flush(ctx); err != nil || n != want {
			t.Fatalf("flush sent %d (%v), want %d", n, err, want)
		}
	}
	waiting := func(want int) {
		t.Helper()
		if _, n, err := o.List(ctx, false, 0, 10); err != nil || n != want {
			t.Fatalf("%d statements waiting (%v), want %d", n, err, want)
		}
	}

	for range 2 {
		if err := o.Enqueue(ctx, passed); err != nil {
			t.Fatal(err)
		}
	}
	waiting(1)
	flush(1)
	waiting(0)

	// Recorded again once sent: dropped at the next flush, unsent.
	if err := o.Enqueue(ctx, passed); err != nil {
		t.Fatal(err)
	}
	if err := o.Enqueue(ctx, failed); err != nil {
		t.Fatal(err)
	}
	flush(1)
	waiting(0)
	if _, n, err := o.List(ctx, true, 0, 10); err != nil || n != 2 {
		t.Fatalf("%d statements sent (%v), want 2", n, err)
	}
	if received[passed.ID] != 1 || received[failed.ID] != 1 || len(received) != 2 {
		t.Fatalf("the LRS received %v, want each of %s and %s once", received, passed.ID, failed.ID)
	}
}
