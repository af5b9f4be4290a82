package notify

import (
	"context"
	"testing"
	"time"
)

// countingInbox counts unread per person and the reads of the count.
type countingInbox struct {
	Store  // only the methods below are called
	unread map[string]int
	reads  int
}

func (c *countingInbox) Unread(_ context.Context, u string) (int, error) {
	c.reads++
	return c.unread[u], nil
}

func (c *countingInbox) AddNotification(_ context.Context, n *Notification) (bool, error) {
	c.unread[n.To]++
	return true, nil
}

func (c *countingInbox) MarkAllRead(_ context.Context, u string) error {
	c.unread[u] = 0
	return nil
}

func TestCachedUnread(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	store := &countingInbox{unread: map[string]int{"wang": 2}}
	c := NewCachedUnread(store, 2*time.Second, func() time.Time { return now })
	want := func(who string, n, reads int) {
		t.Helper()
		got, err := c.Unread(ctx, who)
		if err != nil || got != n || store.reads != reads {
			t.Fatalf("unread of %s = %d (%v) after %d reads of the store, want %d after %d", who, got, err, store.reads, n, reads)
		}
	}
	want("wang", 2, 1)
	want("wang", 2, 1) // from the cache
	want("Wang", 2, 1) // usernames are case-blind
	// A new notification and reading them all show at once.
	if _, err := c.AddNotification(ctx, &Notification{ID: "n1", To: "wang"}); err != nil {
		t.Fatal(err)
	}
	want("wang", 3, 2)
	if err := c.MarkAllRead(ctx, "wang"); err != nil {
		t.Fatal(err)
	}
	want("wang", 0, 3)
	// Another instance's change shows once the TTL has passed.
	store.unread["wang"] = 5
	want("wang", 0, 3)
	now = now.Add(2 * time.Second)
	want("wang", 5, 4)
}
