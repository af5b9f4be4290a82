package notify

import (
	"context"
	"time"
)

// Store is the durable side of notifications (implemented by internal/mongo).
type Store interface {
	Outbox
	Inbox
	Settings
	PendingGrants
	// Purge removes what was settled before the times given (see
	// PurgeBefore) and reports how many documents or notifications went.
	Purge(ctx context.Context, before PurgeBefore) (int, error)
}

// Outbox holds messages until they are fanned out and deliveries until a
// channel has them.
type Outbox interface {
	// AddMessages stores messages not stored before (by Key) for fan-out;
	// a Key already there is left as it is.
	AddMessages(ctx context.Context, ms []Message) error
	// NewMessages returns up to n messages not yet fanned out, oldest first.
	NewMessages(ctx context.Context, n int) ([]Message, error)
	// FinishMessage records that a message was fanned out (state "done")
	// or dropped, with the reason.
	FinishMessage(ctx context.Context, key, state, reason string) error
	// TakeCap takes the cap id for key: true if it was free or is key's
	// already (a fan-out done again), false if another message has it.
	TakeCap(ctx context.Context, id, key string) (bool, error)
	// AddDeliveries stores deliveries whose ID is new and leaves the others.
	AddDeliveries(ctx context.Context, ds []Delivery) error
	// DueDeliveries returns the IDs of up to n queued deliveries due at
	// now and not under an unexpired claim, oldest first (Claim checks
	// each again).
	DueDeliveries(ctx context.Context, now time.Time, n int) ([]string, error)
	// Claim gives delivery id to relay by until, if it is queued, due and
	// unclaimed or its claim has expired; nil when another has it.
	Claim(ctx context.Context, id, by string, now, until time.Time) (*Delivery, error)
	// Settle records the outcome of a claimed delivery (state, attempts,
	// next attempt, reason, sent time) and drops the claim, if by still
	// holds it.
	Settle(ctx context.Context, id, by string, d Delivery) error
	// Resend queues a parked delivery again.
	Resend(ctx context.Context, id string, now time.Time) error
	// ListDeliveries pages through deliveries, newest first.
	ListDeliveries(ctx context.Context, f DeliveryFilter) ([]Delivery, int, error)
}

// Inbox is the in-app channel.
type Inbox interface {
	// AddNotification stores n unless one with its ID is there, and counts
	// it unread; it reports whether it was new.
	AddNotification(ctx context.Context, n *Notification) (bool, error)
	// Notifications pages through a person's notifications, newest first,
	// with the total and the unread count (recounted, which also repairs
	// the counter Unread reads).
	Notifications(ctx context.Context, username string, offset, limit int) ([]Notification, int, int, error)
	// LatestUnread returns the person's newest unread notifications, up to n.
	LatestUnread(ctx context.Context, username string, n int) ([]Notification, error)
	// Unread is the person's unread count, one read by _id.
	Unread(ctx context.Context, username string) (int, error)
	// MarkRead marks one notification of the person read (ENOTFOUND for
	// another's), MarkAllRead all of them.
	MarkRead(ctx context.Context, username, id string) error
	MarkAllRead(ctx context.Context, username string) error
}

// Settings are people's preferences and sites' robots.
type Settings interface {
	// Prefs returns the person's preferences (the defaults if never saved).
	Prefs(ctx context.Context, username string) (Prefs, error)
	SavePrefs(ctx context.Context, username string, p Prefs) error
	// SiteRobot returns the site's robot (a zero one if none is set).
	SiteRobot(ctx context.Context, site string) (SiteRobot, error)
	SaveSiteRobot(ctx context.Context, r SiteRobot) error
}

// DeliveryFilter selects deliveries for the admin page; empty fields match all.
type DeliveryFilter struct {
	State   string
	Channel string
	Offset  int
	Limit   int
}
