package main

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// runLesson is the closed loop: cfg.Concurrency workers request one lesson
// page as the same logged-in trainee, each sending the next request as soon
// as the previous one is answered, for cfg.Duration.
func runLesson(ctx context.Context, c *client, rec *recorder, cfg config, token string) throughput {
	return closedLoop(ctx, cfg.Concurrency, cfg.Duration, func(ctx context.Context) {
		_, _ = c.do(ctx, rec, http.MethodGet, cfg.LessonPath, token, nil, nil) // failures are in rec
	})
}

// measureBareFiber starts a Fiber app with one handler that returns a small
// string, in a child process on a loopback port, and drives it with the
// same HTTP client and number of workers as the lesson mix. It is the
// ceiling of this machine, client and framework, against which the lesson
// page's rate means something: the ratio holds across machines where
// absolute numbers do not. The child's CPU time per request, read from its
// metrics as the server's is, is the unit of the CPU a server request
// costs, which shared cores disturb far less than rates.
func measureBareFiber(ctx context.Context, hc *http.Client, workers int, d time.Duration) (throughput, phaseReport, error) {
	bare, err := startBare()
	if err != nil {
		return throughput{}, phaseReport{}, err
	}
	c := &client{base: bare.base, hc: hc}
	rec := newRecorder("bare-fiber")
	cpu := startCPU(ctx, hc, bare.base, "")
	t := closedLoop(ctx, workers, d, func(ctx context.Context) {
		_, _ = c.do(ctx, rec, http.MethodGet, "/", "", nil, nil)
	})
	t.CPU, err = cpu.used(ctx)
	report := rec.report()
	// The child's shutdown waits for open connections, and the client
	// keeps its idle ones: close them first.
	hc.CloseIdleConnections()
	if stopErr := bare.stop(); err == nil {
		err = stopErr
	}
	return t, report, err
}

// closedLoop runs workers that each call do again as soon as it returns,
// until d has passed, and counts the calls. Calls in flight at the end
// finish and count, so the elapsed time is measured to the last of them.
func closedLoop(ctx context.Context, workers int, d time.Duration, do func(context.Context)) throughput {
	var n atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	until := start.Add(d)
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil && time.Now().Before(until) {
				do(ctx)
				n.Add(1)
			}
		})
	}
	wg.Wait()
	return throughput{Requests: int(n.Load()), Elapsed: time.Since(start)}
}
