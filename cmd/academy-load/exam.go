package main

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"
)

// runExam is the synchronised start: every trainee starts the same quiz at
// a random moment within cfg.Spread of one shared start, as a class does
// when the invigilator says "begin", then answers and submits at once.
// Answering at once makes the submits a burst too, the worst case for the
// grading path.
func runExam(ctx context.Context, c *client, rec *recorder, cfg config, trainees []account) examOutcome {
	var (
		mu      sync.Mutex
		out     examOutcome
		lastEnd time.Time
		wg      sync.WaitGroup
	)
	begin := time.Now()
	for _, t := range trainees {
		wg.Go(func() {
			if !sleepUntil(ctx, begin.Add(randDuration(0, cfg.Spread))) {
				return
			}
			// A failure is in the recorder already; here count how far
			// each attempt got.
			res, _ := takeQuiz(ctx, c, rec, t.Token, cfg.Quiz)
			end := time.Now()
			mu.Lock()
			defer mu.Unlock()
			if res.Started {
				out.Started++
			}
			if res.Submitted {
				out.Submitted++
				if end.After(lastEnd) {
					lastEnd = end
				}
			}
			if res.Passed {
				out.Passed++
			}
		})
	}
	wg.Wait()
	if !lastEnd.IsZero() {
		out.Span = lastEnd.Sub(begin)
	}
	return out
}

// randDuration is uniform in [lo, hi].
func randDuration(lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + rand.N(hi-lo+1)
}

// sleepUntil waits for t; it reports false when ctx ends first.
func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}
