package xapi

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"time"

	"github.com/academy/academy/internal/academy"
)

// Outbox is where statements wait until the LRS has them (implemented by
// storage elsewhere).
type Outbox interface {
	// Pending returns up to n statements not yet sent, oldest first, whose next attempt is due at now.
	Pending(ctx context.Context, now time.Time, n int) ([]Queued, error)
	// MarkSent records that the LRS accepted these.
	MarkSent(ctx context.Context, ids []string, at time.Time) error
	// MarkFailed records a failed attempt and when to try next.
	MarkFailed(ctx context.Context, ids []string, attempts int, next time.Time, reason string) error
}

// Queued is a statement waiting in the outbox with the number of failed
// attempts so far.
type Queued struct {
	Statement Statement
	Attempts  int
}

// Defaults of the Relay's zero fields.
const (
	DefaultBatch = 50
	DefaultBase  = 30 * time.Second
	DefaultMax   = time.Hour
)

// maxReason bounds the failure reason stored with a statement.
const maxReason = 500

// markTimeout bounds MarkSent once the LRS has taken statements.
const markTimeout = 10 * time.Second

// Relay drains the outbox to the client.
type Relay struct {
	Outbox Outbox
	Client *Client
	Now    func() time.Time
	Batch  int           // default 50
	Base   time.Duration // first retry delay, default 30s; doubles per attempt, capped at Max (default 1h), with jitter of at most ±10%
	Max    time.Duration
}

// Flush sends what is due once and returns how many were sent; a failed batch
// is marked failed with its next attempt time and the error is returned.
//
// What is due is sent in batches of Batch until the outbox has nothing more
// due or a batch fails. When the LRS refuses a batch for what is in it
// (400 Bad Request, 409 Conflict) rather than for its own state, the batch's
// statements are sent one by one so that a single bad statement does not hold
// the others back; a statement the LRS answers 409 on its own is one it
// already has (a previous send that reached it without being marked sent), so
// it counts as sent.
func (r *Relay) Flush(ctx context.Context) (int, error) {
	if r.Outbox == nil || r.Client == nil {
		return 0, errors.New("xapi: relay needs an outbox and a client")
	}
	batch := r.Batch
	if batch <= 0 {
		batch = DefaultBatch
	}
	sent := 0
	done := map[string]bool{} // sent during this Flush
	for {
		if err := ctx.Err(); err != nil {
			return sent, err
		}
		now := r.now()
		q, err := r.Outbox.Pending(ctx, now, batch)
		if err != nil {
			return sent, fmt.Errorf("xapi: outbox: %w", err)
		}
		if len(q) == 0 {
			return sent, nil
		}
		for _, it := range q {
			if done[it.Statement.ID] {
				// The outbox did not record MarkSent; stop rather than send it again and again.
				return sent, fmt.Errorf("xapi: outbox returned statement %s again after it was marked sent", it.Statement.ID)
			}
		}
		ok, err := r.deliver(ctx, now, q)
		sent += len(ok)
		for _, id := range ok {
			done[id] = true
		}
		if err != nil || len(q) < batch {
			return sent, err
		}
	}
}

// deliver sends q and records the outcome in the outbox; it returns the ids
// the LRS has.
func (r *Relay) deliver(ctx context.Context, now time.Time, q []Queued) ([]string, error) {
	err := r.Client.Send(ctx, statements(q))
	var se *StatusError
	switch {
	case err == nil:
		return ids(q), r.markSent(ctx, q, now)
	case errors.As(err, &se) && se.StatusCode == http.StatusConflict && len(q) == 1:
		return ids(q), r.markSent(ctx, q, now)
	case errors.As(err, &se) && (se.StatusCode == http.StatusBadRequest || se.StatusCode == http.StatusConflict) && len(q) > 1:
		return r.deliverEach(ctx, now, q)
	case ctx.Err() != nil:
		// Our own cancellation, not the LRS's answer: no attempt to count.
		return nil, err
	}
	return nil, errors.Join(err, r.markFailed(ctx, now, q, err))
}

// deliverEach sends the statements of q one at a time.
func (r *Relay) deliverEach(ctx context.Context, now time.Time, q []Queued) ([]string, error) {
	var ok []Queued
	var errs []error
	refused, firstID := 0, ""
	var first error
	for _, it := range q {
		err := r.Client.Send(ctx, []Statement{it.Statement})
		var se *StatusError
		switch {
		case err == nil, errors.As(err, &se) && se.StatusCode == http.StatusConflict:
			ok = append(ok, it)
			continue
		case ctx.Err() != nil:
			// Stop; what was not tried stays pending as it is.
			errs = append(errs, err)
			return ids(ok), errors.Join(append(errs, r.markSent(ctx, ok, now))...)
		}
		refused++
		if first == nil {
			first, firstID = err, it.Statement.ID
		}
		// Each statement is marked with its own reason.
		errs = append(errs, r.markFailed(ctx, now, []Queued{it}, err))
	}
	if refused > 0 {
		errs = append([]error{fmt.Errorf("xapi: %d of %d statements refused (first %s): %w", refused, len(q), firstID, first)}, errs...)
	}
	return ids(ok), errors.Join(append(errs, r.markSent(ctx, ok, now))...)
}

func (r *Relay) markSent(ctx context.Context, q []Queued, now time.Time) error {
	if len(q) == 0 {
		return nil
	}
	// The LRS has them whatever happens to ctx now: record it even if the
	// caller is shutting down, or they are sent again.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer cancel()
	if err := r.Outbox.MarkSent(ctx, ids(q), now); err != nil {
		return fmt.Errorf("xapi: %d statements reached the LRS but could not be marked sent: %w", len(q), err)
	}
	return nil
}

// markFailed records a failed attempt for q. Statements are grouped by their
// attempt count, since each group has its own next attempt.
func (r *Relay) markFailed(ctx context.Context, now time.Time, q []Queued, cause error) error {
	reason := cause.Error()
	if len(reason) > maxReason {
		reason = reason[:maxReason]
	}
	groups := map[int][]string{}
	for _, it := range q {
		n := max(it.Attempts, 0) + 1
		groups[n] = append(groups[n], it.Statement.ID)
	}
	var errs []error
	for _, n := range slices.Sorted(maps.Keys(groups)) {
		if err := r.Outbox.MarkFailed(ctx, groups[n], n, now.Add(r.Backoff(n)), reason); err != nil {
			errs = append(errs, fmt.Errorf("xapi: outbox: mark failed: %w", err))
		}
	}
	return errors.Join(errs...)
}

// Backoff returns the delay before attempt n+1 after n failures (exported for
// tests): Base after the first failure, doubling with each further one,
// jittered by at most ±10% and never more than Max.
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

func statements(q []Queued) []Statement {
	s := make([]Statement, len(q))
	for i, it := range q {
		s[i] = it.Statement
	}
	return s
}

func ids(q []Queued) []string {
	s := make([]string, len(q))
	for i, it := range q {
		s[i] = it.Statement.ID
	}
	return s
}
