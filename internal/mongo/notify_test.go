package mongo_test

import (
	"context"
	"testing"
	"time"

	"github.com/academy/academy/internal/mongo"
	"github.com/academy/academy/internal/mongo/mongotest"
	"github.com/academy/academy/internal/notify"
)

// Enqueuing the same event again (a producer retrying after a crash)
// stores it once.
func TestNotifyEnqueueDedupsByKey(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	st := mongo.NewNotify(db)
	svc := &notify.Service{Store: st}
	m := notify.Message{Key: "assigned/a1/li", Kind: notify.KindAssigned, To: "li", Params: map[string]string{"title": "入职培训"}, At: time.Now()}
	if err := svc.Enqueue(ctx, m, m); err != nil {
		t.Fatal(err)
	}
	if err := svc.Enqueue(ctx, m, notify.Message{Key: "assigned/a1/wang", Kind: notify.KindAssigned, To: "wang"}); err != nil {
		t.Fatal(err)
	}
	if n, err := st.CountMessages(ctx); err != nil || n != 2 {
		t.Fatalf("stored %d messages (%v), want 2", n, err)
	}
	if err := svc.Enqueue(ctx, notify.Message{Key: "x", Kind: "nope", To: "li"}); err == nil {
		t.Fatal("an unknown kind was accepted")
	}
}
