package academy

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// TeamBoard keeps the evidence behind the team dashboards. Gathering it
// reads every person's progress, quiz record, runs and certificates (a
// scan of each on the embedded store, about a second for 5,000 people),
// so it is gathered once for every site and reused by every manager for
// MaxAge. A view of older evidence is answered with it while a fresh copy
// is gathered behind it; only evidence older than Expire, or none at all,
// makes a view wait. The pages say when their evidence was gathered and
// let a manager ask for it again; a person's own page is always live.
type TeamBoard struct {
	Certifier *Certifier
	Sites     SiteService
	Users     UserService
	Logger    *slog.Logger
	// MaxAge is how long evidence is used as it is; 0 gathers it for
	// every view.
	MaxAge time.Duration

	mu      sync.Mutex
	current *TeamEvidence
	flight  singleflight.Group
}

// Expire is how old, in MaxAges, evidence may be to be shown while a fresh
// copy is gathered; beyond it (after a quiet spell) a view waits.
const Expire = 10

// MinRefresh is how old evidence must be before a manager's explicit
// refresh gathers it again, so that repeated clicks cost one gathering.
const MinRefresh = 5 * time.Second

// gatherTimeout bounds one gathering, which outlives the request that
// started it.
const gatherTimeout = 2 * time.Minute

// Evidence returns the evidence about everyone on every site. refresh asks
// for evidence gathered now, unless it is younger than MinRefresh.
func (b *TeamBoard) Evidence(ctx context.Context, refresh bool) (*TeamEvidence, error) {
	if b.MaxAge <= 0 {
		return b.gather(ctx, -1)
	}
	b.mu.Lock()
	ev := b.current
	b.mu.Unlock()
	now := b.Certifier.Now()
	switch {
	case ev == nil, refresh && now.Sub(ev.At) >= MinRefresh, now.Sub(ev.At) >= Expire*b.MaxAge:
		return b.shared(ctx, -1)
	case now.Sub(ev.At) >= b.MaxAge:
		go func() {
			// The view is answered already; its request's end must not
			// read as a failed gathering. Nobody waits for it, so it reads
			// one collection at a time: its five scans at once took both
			// cores of a small server for a moment and every request of
			// that moment waited (a 148 ms p95 on a 10 ms page with 5,000
			// trainees working).
			if _, err := b.shared(context.WithoutCancel(ctx), 1); err != nil {
				b.Logger.Warn("gather team evidence", "err", err)
			}
		}()
	}
	return ev, nil
}

// Warm gathers the evidence for the first views after a start.
func (b *TeamBoard) Warm(ctx context.Context) error {
	if b.MaxAge <= 0 {
		return nil
	}
	_, err := b.shared(ctx, -1)
	return err
}

// KeepFresh gathers the evidence behind the scenes, one query at a time,
// once it is half way to Expire: run every quarter of that, it keeps a
// quiet spell (the night, a long exam) from leaving the next manager's
// view to wait for a gathering of everyone's records, which took a third
// of a second with 5,000 learners at work. A gathering costs the server
// a moment every few minutes whether anyone looks or not.
func (b *TeamBoard) KeepFresh(ctx context.Context) (int, error) {
	if b.MaxAge <= 0 {
		return 0, nil
	}
	b.mu.Lock()
	ev := b.current
	b.mu.Unlock()
	if ev != nil && b.Certifier.Now().Sub(ev.At) < b.KeepFreshEvery()*2 {
		return 0, nil
	}
	_, err := b.shared(ctx, 1)
	return 0, err
}

// KeepFreshEvery is how often KeepFresh should run: a quarter of the time
// after which views wait for a gathering.
func (b *TeamBoard) KeepFreshEvery() time.Duration { return Expire * b.MaxAge / 4 }

// shared gathers once for all who ask at the same time and keeps the
// result, with at most reads queries at a time (-1: all at once); a view
// that comes while a gathering runs waits for that one, however it reads.
// The gathering is not bound to the asker's request, which may end
// first: it serves the others and the views after them; a request that
// ends stops waiting for it.
func (b *TeamBoard) shared(ctx context.Context, reads int) (*TeamEvidence, error) {
	ch := b.flight.DoChan("", func() (any, error) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), gatherTimeout)
		defer cancel()
		ev, err := b.gather(ctx, reads)
		if err != nil {
			return nil, err
		}
		b.mu.Lock()
		b.current = ev
		b.mu.Unlock()
		return ev, nil
	})
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(*TeamEvidence), nil
	}
}

func (b *TeamBoard) gather(ctx context.Context, reads int) (*TeamEvidence, error) {
	sites, err := b.Sites.ListSites(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(sites))
	for i, s := range sites {
		ids[i] = s.ID
	}
	users, err := b.Users.ListUsersOn(ctx, ids, "")
	if err != nil {
		return nil, err
	}
	return b.Certifier.gatherTeam(ctx, users, reads)
}
