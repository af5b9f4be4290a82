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
