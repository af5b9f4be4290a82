package notify

import (
	"context"
	"time"
)

// How long the outbox and the inbox keep what is done with. Nothing else
// removes it, and on the embedded store every filtered read of these
// collections (the relay's every few seconds) costs in proportion to
// what they hold.
const (
	// KeepSent is how long deliveries sent or parked, and messages fanned
	// out, stay: long enough for an admin to answer "was I told?" about
	// last month on the outbox page, and far beyond the day within which
	// producers enqueue an event again (a message's key must outlive
	// those retries, or the event would be sent twice).
	KeepSent = 30 * 24 * time.Hour
	// KeepCaps is how long a per-kind-per-day cap stays: it is consulted
	// for its own day in the recipient's zone, so three days covers every
	// zone and a relay a day late.
	KeepCaps = 3 * 24 * time.Hour
	// KeepInApp is how long a notification stays in a person's list, read
	// or not: half a year covers a course's or certificate's cycle, and
	// older news is of no use to act on.
	KeepInApp = 180 * 24 * time.Hour
)

// PurgeBefore says what a purge removes: what was settled before these
// times.
type PurgeBefore struct {
	// Sent: deliveries sent before it, parked ones last tried before it
	// (a resend queues them afresh) and messages fanned out or dropped
	// whose event was before it.
	Sent time.Time
	// Caps taken before it.
	Caps time.Time
	// InApp: notifications created before it, read or not.
	InApp time.Time
}

// Purge removes what the retention periods have passed, as of now. Every
// instance runs it daily: each removal is conditional on its own
// document, so two at once remove each thing once, and nothing queued,
// not fanned out, or younger than its period is touched.
func (s *Service) Purge(ctx context.Context) (int, error) {
	now := s.now()
	return s.Store.Purge(ctx, PurgeBefore{Sent: now.Add(-KeepSent), Caps: now.Add(-KeepCaps), InApp: now.Add(-KeepInApp)})
}
