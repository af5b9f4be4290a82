package mongo_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/academy/academy/internal/mongo"
	"github.com/academy/academy/internal/mongo/mongotest"
	"github.com/academy/academy/internal/notify"
)

// BenchmarkRelayTick is what the relay asks the outbox on every tick
// (every few seconds, on every instance) and for every delivery it sends,
// with 30 days of traffic kept by the purge: 50,000 messages fanned out
// and 50,000 deliveries sent (5,000 learners' reminders), 100 of each
// waiting.
func BenchmarkRelayTick(b *testing.B) {
	ctx := context.Background()
	st := mongo.NewNotify(mongotest.Open(b))
	now := time.Date(2026, 9, 1, 3, 0, 0, 0, time.UTC)
	const done, waiting = 50000, 100
	var ms []notify.Message
	var ds []notify.Delivery
	flush := func(force bool) {
		if len(ds) < 1000 && !force {
			return
		}
		if err := st.AddMessages(ctx, ms); err != nil {
			b.Fatal(err)
		}
		if err := st.AddDeliveries(ctx, ds); err != nil {
			b.Fatal(err)
		}
		ms, ds = ms[:0], ds[:0]
	}
	var sentID string
	waits := func(i int) bool { return i%(done/waiting+1) == 0 }
	for i := range done + waiting {
		at := now.Add(-time.Duration(i) * time.Minute / 2)
		key := fmt.Sprintf("due-soon/a%d/u%d/2026-08-01", i%40, i)
		d := notify.Delivery{ID: key + "/email", Key: key, Kind: notify.KindDueSoon, Channel: notify.ChannelEmail,
			To: fmt.Sprintf("u%d", i), Address: fmt.Sprintf("u%d@example.com", i), Subject: "培训即将到期", Text: "你的培训「入职安全」将于 2026-08-03 23:59 到期，请尽快完成。",
			Link: "/courses/safety", State: notify.Sent, NextAt: at, CreatedAt: at, SentAt: at.Add(time.Second)}
		if waits(i) {
			d.State, d.SentAt = notify.Queued, time.Time{}
		} else {
			sentID = d.ID
		}
		m := notify.Message{Key: key, Kind: notify.KindDueSoon, To: d.To, Params: map[string]string{"title": "入职安全", "due_at": "2026-08-03T15:59:00Z"}, Link: d.Link, At: at}
		ms, ds = append(ms, m), append(ds, d)
		flush(false)
	}
	flush(true)
	for i := range done + waiting {
		if !waits(i) {
			if err := st.FinishMessage(ctx, fmt.Sprintf("due-soon/a%d/u%d/2026-08-01", i%40, i), "done", ""); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("NewMessages", func(b *testing.B) {
		for b.Loop() {
			if got, err := st.NewMessages(ctx, notify.DefaultBatch); err != nil || len(got) != notify.DefaultBatch {
				b.Fatalf("%d new (%v)", len(got), err)
			}
		}
	})
	b.Run("DueDeliveries", func(b *testing.B) {
		for b.Loop() {
			if due, err := st.DueDeliveries(ctx, now, notify.DefaultBatch); err != nil || len(due) != notify.DefaultBatch {
				b.Fatalf("%d due (%v)", len(due), err)
			}
		}
	})
	// A claim that finds the delivery sent already: the race a relay
	// loses, and the write every delivery's send starts with.
	b.Run("Claim", func(b *testing.B) {
		for b.Loop() {
			if d, err := st.Claim(ctx, sentID, "bench", now, now.Add(time.Minute)); d != nil || err != nil {
				b.Fatal(d, err)
			}
		}
	})
}
