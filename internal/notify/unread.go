package notify

import (
	"context"
	"time"

	"github.com/academy/academy/internal/academy"
)

// CachedUnread is a Store that remembers each person's unread count
// briefly: the header of every signed-in page shows it, and on the
// embedded store its read was the one database command a lesson page
// still sent. Notifications added or read through this instance forget
// the count at once; another instance's within the TTL (the other caches'
// rule, academy.DefaultCacheTTL).
type CachedUnread struct {
	Store
	c *academy.TTLCache[int]
}

var _ Store = (*CachedUnread)(nil)

// NewCachedUnread wraps store.
func NewCachedUnread(store Store, ttl time.Duration, now func() time.Time) *CachedUnread {
	return &CachedUnread{Store: store, c: academy.NewTTLCache[int](ttl, now)}
}

// Unread returns the count from the cache or the store.
func (s *CachedUnread) Unread(ctx context.Context, username string) (int, error) {
	n, gen, ok := s.c.Get(academy.UserID(username))
	if ok {
		return n, nil
	}
	n, err := s.Store.Unread(ctx, username)
	if err != nil {
		return n, err
	}
	s.c.Put(academy.UserID(username), n, gen)
	return n, nil
}

// AddNotification writes through and forgets the recipient's count.
func (s *CachedUnread) AddNotification(ctx context.Context, n *Notification) (bool, error) {
	defer s.c.Forget(academy.UserID(n.To))
	return s.Store.AddNotification(ctx, n)
}

// Notifications recounts the unread (and repairs the stored count), so the
// cached one is forgotten.
func (s *CachedUnread) Notifications(ctx context.Context, username string, offset, limit int) ([]Notification, int, int, error) {
	defer s.c.Forget(academy.UserID(username))
	return s.Store.Notifications(ctx, username, offset, limit)
}

// MarkRead writes through and forgets the count.
func (s *CachedUnread) MarkRead(ctx context.Context, username, id string) error {
	defer s.c.Forget(academy.UserID(username))
	return s.Store.MarkRead(ctx, username, id)
}

// MarkAllRead writes through and forgets the count.
func (s *CachedUnread) MarkAllRead(ctx context.Context, username string) error {
	defer s.c.Forget(academy.UserID(username))
	return s.Store.MarkAllRead(ctx, username)
}
