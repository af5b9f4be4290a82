package notify

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/academy/academy/internal/academy"
)

// Defaults of the Relay's zero fields.
const (
	DefaultBatch = 50
	DefaultBase  = 30 * time.Second
	DefaultMax   = time.Hour
	// DefaultLease is how long a claim keeps other relays off a delivery.
	// It is well above sendTimeout, so a claim never lapses while its
	// holder is still sending.
	DefaultLease = 2 * time.Minute
)

// sendTimeout bounds one send.
const sendTimeout = 30 * time.Second

// maxReason bounds the failure reason stored with a delivery.
const maxReason = 500

// Relay fans messages out and sends deliveries. Every instance runs one;
// a delivery is claimed (a lease on its document) before it is sent, so
// two relays never send it both. A crash after the send and before it is
// marked sent sends it again once the lease runs out: at least once, for
// that one window.
type Relay struct {
	Service  *Service
	Channels []Channel
	ID       string // this relay's name in claims, unique per instance
	Now      func() time.Time
	Batch    int           // default 50
	Base     time.Duration // first retry delay, default 30s; doubles per attempt, capped at Max (default 1h), jittered by at most ±10%
	Max      time.Duration
	Lease    time.Duration // default 2m

	mu     sync.Mutex
	counts map[string]*Counts
}

// Counts are a channel's outcomes since start, for the metrics. The
// channels are ChannelEmail, each robot platform and ChannelInApp (in-app
// notifications written at fan-out: Sent, or Failed when the store
// refused; never Parked).
type Counts struct{ Sent, Failed, Parked int }

// Flush fans out new messages, then sends what is due; it returns how
// many deliveries it sent.
func (r *Relay) Flush(ctx context.Context) (int, error) {
	if err := r.expand(ctx); err != nil {
		return 0, err
	}
	batch := r.Batch
	if batch <= 0 {
		batch = DefaultBatch
	}
	ids, err := r.Service.Store.DueDeliveries(ctx, r.now(), batch)
	if err != nil {
		return 0, fmt.Errorf("notify: outbox: %w", err)
	}
	sent := 0
	var errs []error
	for _, id := range ids {
		if ctx.Err() != nil {
			break
		}
		ok, err := r.deliver(ctx, id)
		if ok {
			sent++
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return sent, errors.Join(errs...)
}

// expand fans out the messages waiting for it.
func (r *Relay) expand(ctx context.Context) error {
	batch := r.Batch
	if batch <= 0 {
		batch = DefaultBatch
	}
	for {
		ms, err := r.Service.Store.NewMessages(ctx, batch)
		if err != nil {
			return fmt.Errorf("notify: outbox: %w", err)
		}
		for _, m := range ms {
			if err := r.Service.fanOut(ctx, m, r.countInApp); err != nil {
				return fmt.Errorf("notify: fan out %s: %w", m.Key, err)
			}
		}
		if len(ms) < batch {
			return nil
		}
	}
}

// countInApp counts an in-app notification written (nil) or not (the
// store's error: the message stays new and is fanned out again).
func (r *Relay) countInApp(err error) {
	if err != nil {
		r.count(ChannelInApp, func(c *Counts) { c.Failed++ })
		return
	}
	r.count(ChannelInApp, func(c *Counts) { c.Sent++ })
}

// deliver claims delivery id, sends it and records the outcome; it
// reports whether the channel took it.
func (r *Relay) deliver(ctx context.Context, id string) (bool, error) {
	now := r.now()
	lease := r.Lease
	if lease <= 0 {
		lease = DefaultLease
	}
	d, err := r.Service.Store.Claim(ctx, id, r.ID, now, now.Add(lease))
	if err != nil || d == nil {
		return false, err
	}
	ch := r.channel(d.Channel)
	if ch == nil {
		// No such channel here (e-mail not configured): leave it queued,
		// unclaimed, for when it is.
		d.NextAt = now.Add(r.Backoff(1))
		d.Reason = "channel " + d.Channel + " is not configured"
		return false, r.settle(ctx, d)
	}
	if d.Channel == ChannelRobot {
		robot, err := r.Service.Store.SiteRobot(ctx, d.Site)
		if err != nil {
			return false, errors.Join(err, r.settle(ctx, d))
		}
		d.Robot = &robot
	}
	label := countLabel(d)
	sctx, cancel := context.WithTimeout(ctx, sendTimeout)
	err = ch.Send(sctx, *d)
	cancel()
	d.Robot = nil
	switch {
	case err == nil:
		d.State, d.SentAt, d.Reason = Sent, r.now(), ""
		r.count(label, func(c *Counts) { c.Sent++ })
	case ch.Permanent(err):
		d.State, d.Reason = Parked, reason(err)
		r.count(label, func(c *Counts) { c.Parked++ })
	case ctx.Err() != nil:
		// Our own shutdown, not the channel's answer: no attempt to count.
		return false, errors.Join(err, r.settle(ctx, d))
	default:
		d.Attempts++
		d.NextAt, d.Reason = now.Add(r.Backoff(d.Attempts)), reason(err)
		r.count(label, func(c *Counts) { c.Failed++ })
	}
	if err := r.settle(ctx, d); err != nil {
		return d.State == Sent, err
	}
	if d.State != Sent {
		return false, fmt.Errorf("notify: %s %s: %s", d.Channel, d.ID, d.Reason)
	}
	return true, nil
}

// settle records d's outcome even if ctx is ending: a sent delivery not
// marked would be sent again.
func (r *Relay) settle(ctx context.Context, d *Delivery) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := r.Service.Store.Settle(ctx, d.ID, r.ID, *d); err != nil {
		return fmt.Errorf("notify: record %s of %s: %w", d.State, d.ID, err)
	}
	return nil
}

// countLabel is the delivery's channel in the counts: a robot's platform
// (wecom, dingtalk, feishu), since an operator asks which group service
// refuses; "robot" only for a site whose robot was removed since.
func countLabel(d *Delivery) string {
	if d.Channel == ChannelRobot && d.Robot != nil && d.Robot.Robot != "" {
		return d.Robot.Robot
	}
	return d.Channel
}

func (r *Relay) channel(name string) Channel {
	for _, c := range r.Channels {
		if c.Name() == name {
			return c
		}
	}
	return nil
}

func (r *Relay) count(channel string, f func(*Counts)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.counts == nil {
		r.counts = map[string]*Counts{}
	}
	c := r.counts[channel]
	if c == nil {
		c = &Counts{}
		r.counts[channel] = c
	}
	f(c)
}

// Counts returns each channel's outcomes since start, by the labels
// Counts describes.
func (r *Relay) Counts() map[string]Counts {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]Counts, len(r.counts))
	for k, c := range r.counts {
		out[k] = *c
	}
	return out
}

// Backoff returns the delay before attempt n+1 after n failures: Base
// after the first, doubling with each further one, jittered by at most
// ±10% and never more than Max.
func (r *Relay) Backoff(attempts int) time.Duration {
	base, ceil := r.Base, r.Max
	if base <= 0 {
		base = DefaultBase
	}
	if ceil <= 0 {
		ceil = DefaultMax
	}
	return academy.RetryDelay(attempts, base, ceil)
}

func (r *Relay) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func reason(err error) string {
	s := err.Error()
	if len(s) > maxReason {
		s = s[:maxReason]
	}
	return s
}
