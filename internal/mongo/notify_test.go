package mongo_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/academy/academy/internal/academy"
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

// Each person's notifications are one inbox document: a notification
// added twice (a retried fan-out, or two relays at once) shows and counts
// once, the inbox keeps the newest inboxSize, and a retry of one that has
// left it stays out.
func TestNotifyInbox(t *testing.T) {
	ctx := context.Background()
	st := mongo.NewNotify(mongotest.Open(t))
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	nt := func(i int) *notify.Notification {
		return &notify.Notification{ID: fmt.Sprintf("k%d", i), To: "li", Kind: notify.KindAssigned, Subject: fmt.Sprint(i), CreatedAt: start.Add(time.Duration(i) * time.Minute)}
	}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			if _, err := st.AddNotification(ctx, nt(i%10)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	list, total, unread, err := st.Notifications(ctx, "li", 0, 100)
	if err != nil || total != 10 || unread != 10 || len(list) != 10 || list[0].ID != "k9" || list[9].ID != "k0" {
		t.Fatalf("after adding 10 twice at once: %d of %d, %d unread (%v): %v", len(list), total, unread, err, list)
	}
	if n, _ := st.Unread(ctx, "li"); n != 10 {
		t.Fatalf("unread counter %d, want 10", n)
	}
	for i := 10; i < 210; i++ {
		if _, err := st.AddNotification(ctx, nt(i)); err != nil {
			t.Fatal(err)
		}
	}
	if added, err := st.AddNotification(ctx, nt(3)); added || err != nil {
		t.Fatalf("a notification that left the inbox came back: %v %v", added, err)
	}
	list, total, unread, _ = st.Notifications(ctx, "li", 190, 30)
	if total != 200 || unread != 200 || len(list) != 10 || list[9].ID != "k10" {
		t.Fatalf("bounded inbox: %d of %d, %d unread, last %v", len(list), total, unread, list[len(list)-1].ID)
	}
	if err := st.MarkRead(ctx, "wang", "k100"); academy.ErrorCode(err) != academy.ENOTFOUND {
		t.Fatalf("marking another's: %v", err)
	}
	if err := st.MarkRead(ctx, "li", "k100"); err != nil {
		t.Fatal(err)
	}
	if added, _ := st.AddNotification(ctx, nt(100)); added {
		t.Fatal("a retry of a read notification was added again")
	}
	if latest, _ := st.LatestUnread(ctx, "li", 200); len(latest) != 199 || slices.ContainsFunc(latest, func(n notify.Notification) bool { return n.ID == "k100" }) {
		t.Fatalf("latest unread: %d", len(latest))
	}
	if n, _ := st.Unread(ctx, "li"); n != 199 {
		t.Fatalf("unread counter %d after one read, want 199", n)
	}
	if err := st.MarkAllRead(ctx, "li"); err != nil {
		t.Fatal(err)
	}
	if _, _, unread, _ := st.Notifications(ctx, "li", 0, 1); unread != 0 {
		t.Fatalf("%d unread after marking all read", unread)
	}
}

// A database of schema 6 kept one document per notification; opening it
// moves each person's newest into their inbox, with the unread count.
func TestMigrationMovesNotificationsToInboxes(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	rdb := raw(t, db)
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	var docs []any
	for i := range 205 {
		docs = append(docs, bson.M{"_id": fmt.Sprintf("li%d", i), "to": "li", "kind": notify.KindAssigned, "subject": fmt.Sprint(i), "text": "t",
			"read": i%2 == 0, "created_at": start.Add(time.Duration(i) * time.Minute)})
	}
	docs = append(docs, bson.M{"_id": "wang1", "to": "wang", "kind": notify.KindAssigned, "subject": "w", "read": false, "created_at": start})
	if _, err := rdb.Collection("notifications").InsertMany(ctx, docs); err != nil {
		t.Fatal(err)
	}
	if _, err := rdb.Collection("meta").UpdateOne(ctx, bson.M{"_id": "schema"}, bson.M{"$set": bson.M{"version": 6}}); err != nil {
		t.Fatal(err)
	}
	again, err := mongo.Open(ctx, mongotest.URI(), db.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close(ctx)
	st := mongo.NewNotify(again)
	list, total, unread, err := st.Notifications(ctx, "li", 0, 300)
	if err != nil || total != 200 || unread != 100 || list[0].Subject != "204" || list[199].Subject != "5" {
		t.Fatalf("li's inbox: %d, %d unread (%v), first %v", total, unread, err, list[0].Subject)
	}
	if n, _ := st.Unread(ctx, "wang"); n != 1 {
		t.Fatalf("wang's unread counter: %d", n)
	}
	names, _ := rdb.ListCollectionNames(ctx, bson.M{"name": "notifications"})
	if len(names) != 0 {
		t.Fatal("the notifications collection is still there")
	}
}

// The purge removes what its retention period has passed and nothing
// else: just inside a limit stays, just outside goes, nothing queued, not
// fanned out, or unread and young is touched; two purges at once remove
// each thing once.
func TestNotifyPurge(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	st := mongo.NewNotify(db)
	now := time.Date(2026, 9, 1, 3, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	in, out := time.Minute, -time.Minute // just inside a limit, just outside
	sentOld, sentYoung := now.Add(-notify.KeepSent+out), now.Add(-notify.KeepSent+in)
	ds := []notify.Delivery{
		{ID: "sent-old", State: notify.Sent, SentAt: sentOld, CreatedAt: sentOld},
		{ID: "sent-young", State: notify.Sent, SentAt: sentYoung, CreatedAt: sentOld},
		{ID: "parked-old", State: notify.Parked, NextAt: sentOld, CreatedAt: sentOld},
		{ID: "parked-young", State: notify.Parked, NextAt: sentYoung, CreatedAt: sentOld},
		{ID: "queued-old", State: notify.Queued, NextAt: now.Add(-60 * day), CreatedAt: now.Add(-60 * day)},
	}
	if err := st.AddDeliveries(ctx, ds); err != nil {
		t.Fatal(err)
	}
	ms := []notify.Message{
		{Key: "done-old", Kind: notify.KindAssigned, To: "li", At: sentOld},
		{Key: "dropped-old", Kind: notify.KindAssigned, To: "li", At: sentOld},
		{Key: "done-young", Kind: notify.KindAssigned, To: "li", At: sentYoung},
		{Key: "new-old", Kind: notify.KindAssigned, To: "li", At: now.Add(-60 * day)},
	}
	if err := st.AddMessages(ctx, ms); err != nil {
		t.Fatal(err)
	}
	for key, state := range map[string]string{"done-old": "done", "dropped-old": "dropped", "done-young": "done"} {
		if err := st.FinishMessage(ctx, key, state, ""); err != nil {
			t.Fatal(err)
		}
	}
	for id, at := range map[string]time.Time{"cap-old": now.Add(-notify.KeepCaps + out), "cap-young": now.Add(-notify.KeepCaps + in)} {
		db.Now = func() time.Time { return at }
		if ok, err := st.TakeCap(ctx, id, "first"); !ok || err != nil {
			t.Fatal(ok, err)
		}
	}
	// Caps taken from here on (the test's own) are taken now, whichever
	// cap the loop above took last.
	db.Now = func() time.Time { return now }
	inAppOld, inAppYoung := now.Add(-notify.KeepInApp+out), now.Add(-notify.KeepInApp+in)
	for i, nt := range []notify.Notification{
		{ID: "li-old", To: "li", CreatedAt: inAppOld},
		{ID: "li-young", To: "li", CreatedAt: inAppYoung},
		{ID: "li-new", To: "li", CreatedAt: now.Add(-day)},
		{ID: "wang-young", To: "wang", CreatedAt: inAppYoung},
	} {
		nt.Kind = notify.KindAssigned
		if _, err := st.AddNotification(ctx, &nt); err != nil {
			t.Fatal(i, err)
		}
	}
	if err := st.MarkRead(ctx, "li", "li-new"); err != nil {
		t.Fatal(err)
	}

	svc := &notify.Service{Store: st, Now: func() time.Time { return now }}
	var wg sync.WaitGroup
	var mu sync.Mutex
	removed := 0
	for range 2 {
		wg.Go(func() {
			n, err := svc.Purge(ctx)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			removed += n
			mu.Unlock()
		})
	}
	wg.Wait()
	if removed != 6 {
		t.Errorf("two purges removed %d, want 6 (2 deliveries, 2 messages, a cap, a notification)", removed)
	}
	left, _, err := st.ListDeliveries(ctx, notify.DeliveryFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, d := range left {
		ids = append(ids, d.ID)
	}
	slices.Sort(ids)
	if !slices.Equal(ids, []string{"parked-young", "queued-old", "sent-young"}) {
		t.Errorf("deliveries left: %v", ids)
	}
	if n, _ := st.CountMessages(ctx); n != 2 {
		t.Errorf("%d messages left, want done-young and new-old", n)
	}
	if waiting, _ := st.NewMessages(ctx, 10); len(waiting) != 1 || waiting[0].Key != "new-old" {
		t.Errorf("messages waiting for fan-out: %v", waiting)
	}
	if ok, _ := st.TakeCap(ctx, "cap-old", "second"); !ok {
		t.Error("the old cap is still held")
	}
	if ok, _ := st.TakeCap(ctx, "cap-young", "second"); ok {
		t.Error("the young cap was removed")
	}
	list, total, unread, err := st.Notifications(ctx, "li", 0, 10)
	if err != nil || total != 2 || unread != 1 || list[0].ID != "li-new" || list[1].ID != "li-young" {
		t.Errorf("li's inbox: %d, %d unread (%v): %v", total, unread, err, list)
	}
	if n, _ := st.Unread(ctx, "li"); n != 1 {
		t.Errorf("li's unread counter: %d, want 1", n)
	}
	if _, total, _, _ := st.Notifications(ctx, "wang", 0, 10); total != 1 {
		t.Errorf("wang's inbox: %d, want 1", total)
	}
	if n, err := svc.Purge(ctx); n != 0 || err != nil {
		t.Errorf("a purge again removed %d (%v)", n, err)
	}
}

// The relay's reads and writes of what waits touch the messages and
// deliveries by _id alone (on the embedded store any other filter scans
// a month of them, seconds at a time), and the lists of what waits follow
// each change: settled, parked, resent, and mended by the purge when a
// crash left something off.
func TestRelayWorksByID(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	var scans []string
	db := mongotest.Open(t, mongo.Observe(func(c mongo.Command) {
		// MongoDB uses its indexes and conditional updates; the scans
		// are the embedded store's.
		if mongotest.External() || c.Collection != "notify_messages" && c.Collection != "notify_deliveries" {
			return
		}
		for _, f := range c.Filters {
			if !slices.Equal(f, []string{"_id"}) {
				mu.Lock()
				scans = append(scans, fmt.Sprint(c.Name, " ", c.Collection, " ", f))
				mu.Unlock()
			}
		}
	}))
	st := mongo.NewNotify(db)
	mu.Lock()
	scans = nil // the migrations' at open
	mu.Unlock()
	now := time.Date(2026, 9, 1, 3, 0, 0, 0, time.UTC)
	m := notify.Message{Key: "k1", Kind: notify.KindAssigned, To: "li", At: now}
	if err := st.AddMessages(ctx, []notify.Message{m, {Key: "k2", Kind: notify.KindAssigned, To: "wang", At: now.Add(time.Second)}}); err != nil {
		t.Fatal(err)
	}
	keys := func() []string {
		t.Helper()
		ms, err := st.NewMessages(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range ms {
			out = append(out, m.Key)
		}
		return out
	}
	if got := keys(); !slices.Equal(got, []string{"k1", "k2"}) {
		t.Fatalf("new messages: %v", got)
	}
	if err := st.FinishMessage(ctx, "k1", "done", ""); err != nil {
		t.Fatal(err)
	}
	if err := st.AddMessages(ctx, []notify.Message{m}); err != nil { // enqueued again
		t.Fatal(err)
	}
	if got := keys(); !slices.Equal(got, []string{"k2"}) {
		t.Fatalf("new messages after k1 was fanned out and enqueued again: %v", got)
	}

	d := notify.Delivery{ID: "k1/email", Key: "k1", Channel: notify.ChannelEmail, To: "li", State: notify.Queued, NextAt: now, CreatedAt: now}
	if err := st.AddDeliveries(ctx, []notify.Delivery{d, d}); err != nil {
		t.Fatal(err)
	}
	due := func(at time.Time) []string {
		t.Helper()
		ids, err := st.DueDeliveries(ctx, at, 10)
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	if got := due(now); !slices.Equal(got, []string{"k1/email"}) {
		t.Fatalf("due: %v", got)
	}
	claimed, err := st.Claim(ctx, "k1/email", "a", now, now.Add(time.Minute))
	if err != nil || claimed == nil {
		t.Fatal(claimed, err)
	}
	if other, err := st.Claim(ctx, "k1/email", "b", now, now.Add(time.Minute)); other != nil || err != nil {
		t.Fatalf("claimed twice: %v %v", other, err)
	}
	if got := due(now.Add(time.Second)); len(got) != 0 {
		t.Fatalf("due while claimed: %v", got)
	}
	// A failure: queued again for later.
	claimed.Attempts, claimed.NextAt = 1, now.Add(time.Hour)
	if err := st.Settle(ctx, "k1/email", "a", *claimed); err != nil {
		t.Fatal(err)
	}
	if got := due(now.Add(2 * time.Minute)); len(got) != 0 {
		t.Fatalf("due before its next attempt: %v", got)
	}
	later := now.Add(time.Hour)
	if claimed, err = st.Claim(ctx, "k1/email", "a", later, later.Add(time.Minute)); err != nil || claimed == nil {
		t.Fatal(claimed, err)
	}
	// Refused for good: parked, off the list, until resent.
	claimed.State = notify.Parked
	if err := st.Settle(ctx, "k1/email", "a", *claimed); err != nil {
		t.Fatal(err)
	}
	if got := due(later.Add(time.Hour)); len(got) != 0 {
		t.Fatalf("due while parked: %v", got)
	}
	if err := st.Resend(ctx, "k1/email", later); err != nil {
		t.Fatal(err)
	}
	if got := due(later); !slices.Equal(got, []string{"k1/email"}) {
		t.Fatalf("due after the resend: %v", got)
	}

	noScans := func() {
		t.Helper()
		mu.Lock()
		defer mu.Unlock()
		if len(scans) > 0 {
			t.Errorf("the relay's commands filter beyond _id: %v", scans)
		}
		scans = nil
	}
	noScans()

	// A crash between the two writes leaves k2 and the delivery off their
	// lists; the purge at start lists them again.
	rdb := raw(t, db)
	for _, c := range []string{"notify_new", "notify_due"} {
		if _, err := rdb.Collection(c).DeleteMany(ctx, bson.M{}); err != nil {
			t.Fatal(err)
		}
	}
	if got := keys(); len(got) != 0 {
		t.Fatalf("new messages with the list emptied: %v", got)
	}
	if _, err := (&notify.Service{Store: st, Now: func() time.Time { return later }}).Purge(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	scans = nil // the purge's daily scans
	mu.Unlock()
	if got := keys(); !slices.Equal(got, []string{"k2"}) {
		t.Fatalf("new messages after the purge: %v", got)
	}
	if got := due(later); !slices.Equal(got, []string{"k1/email"}) {
		t.Fatalf("due after the purge: %v", got)
	}
	noScans()
}
