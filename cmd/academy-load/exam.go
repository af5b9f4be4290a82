package main

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
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

// prepareExam brings every trainee to where the exam opens: a quiz is
// gated on its course (and an exam on its program's quizzes), so a class
// sits a module quiz after finishing the module. The tool finishes the
// courses the server names as missing; it cannot pass a quiz for them, so
// a quiz gated on other quizzes is refused with the reason.
func prepareExam(ctx context.Context, c *client, rec *recorder, cfg config, trainees []account) error {
	jobs := make(chan account)
	errs := make(chan error, len(trainees))
	var wg sync.WaitGroup
	for range min(cfg.SeedConcurrency, len(trainees)) {
		wg.Go(func() {
			for t := range jobs {
				errs <- openQuiz(ctx, c, rec, t.Token, cfg.Quiz)
			}
		})
	}
	for _, t := range trainees {
		jobs <- t
	}
	close(jobs)
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	// Every trainee fails the same way when the quiz can't be opened; one
	// reason is enough.
	return cmp.Or(all...)
}

// openQuiz finishes the courses quiz still waits for, for one trainee.
func openQuiz(ctx context.Context, c *client, rec *recorder, token, quiz string) error {
	var list struct {
		Items []quizCard `json:"items"`
	}
	if _, err := c.do(ctx, rec, http.MethodGet, "/api/v1/quizzes", token, nil, &list); err != nil {
		return err
	}
	i := slices.IndexFunc(list.Items, func(q quizCard) bool { return q.Slug == quiz })
	if i < 0 {
		return fmt.Errorf("-quiz %s: no such quiz on the server", quiz)
	}
	for _, m := range list.Items[i].Missing {
		if m.Kind != "course" {
			return fmt.Errorf("-quiz %s opens only after passing quiz %s, which the load tool cannot answer; pick a module quiz such as ethics", quiz, m.Slug)
		}
		var course courseCard
		if _, err := c.do(ctx, rec, http.MethodGet, "/api/v1/courses/"+url.PathEscape(m.Slug), token, nil, &course); err != nil {
			return err
		}
		for _, l := range course.Lessons {
			l.Course = m.Slug
			if _, err := c.do(ctx, rec, http.MethodPost, lessonPath(&l)+"/complete", token, nil, nil); err != nil {
				return err
			}
		}
	}
	return nil
}
