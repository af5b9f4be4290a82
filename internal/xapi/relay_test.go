package xapi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"
)

// memOutbox is an in-memory Outbox: a test double of the interface.
type memOutbox struct {
	mu      sync.Mutex
	items   []*memItem // in the order enqueued
	sent    [][]string // ids of each MarkSent call
	failed  []failCall
	sentAt  []time.Time
	pending int // Pending calls
}

type memItem struct {
	q    Queued
	next time.Time
	sent bool
}

type failCall struct {
	ids      []string
	attempts int
	next     time.Time
	reason   string
}

func (o *memOutbox) add(s ...Statement) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, st := range s {
		o.items = append(o.items, &memItem{q: Queued{Statement: st}})
	}
}

func (o *memOutbox) find(id string) *memItem {
	for _, it := range o.items {
		if it.q.Statement.ID == id {
			return it
		}
	}
	return nil
}

func (o *memOutbox) Pending(_ context.Context, now time.Time, n int) ([]Queued, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.pending++
	var out []Queued
	for _, it := range o.items {
		if len(out) == n {
			break
		}
		if !it.sent && !it.next.After(now) {
			out = append(out, it.q)
		}
	}
	return out, nil
}

func (o *memOutbox) MarkSent(_ context.Context, ids []string, at time.Time) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent = append(o.sent, slices.Clone(ids))
	o.sentAt = append(o.sentAt, at)
	for _, id := range ids {
		o.find(id).sent = true
	}
	return nil
}

func (o *memOutbox) MarkFailed(_ context.Context, ids []string, attempts int, next time.Time, reason string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.failed = append(o.failed, failCall{slices.Clone(ids), attempts, next, reason})
	for _, id := range ids {
		it := o.find(id)
		it.q.Attempts = attempts
		it.next = next
	}
	return nil
}

func (o *memOutbox) unsent() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := 0
	for _, it := range o.items {
		if !it.sent {
			n++
		}
	}
	return n
}

// lrs is an httptest LRS whose answer to each request is chosen by answer.
type lrs struct {
	t        *testing.T
	mu       sync.Mutex
	requests int
	accepted []string // ids of statements in successful requests, in order
	answer   func(n int, batch []Statement) int
}

func (l *lrs) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-Experience-API-Version") != "1.0.3" {
		l.t.Errorf("no version header")
	}
	if u, p, ok := r.BasicAuth(); !ok || u != "relay" || p != "pw" {
		l.t.Errorf("basic auth %q %q %v", u, p, ok)
	}
	body, _ := io.ReadAll(r.Body)
	var batch []Statement
	if err := json.Unmarshal(body, &batch); err != nil {
		l.t.Errorf("body: %v", err)
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	l.mu.Lock()
	l.requests++
	code := l.answer(l.requests, batch)
	if code/100 == 2 {
		for _, s := range batch {
			l.accepted = append(l.accepted, s.ID)
		}
	}
	l.mu.Unlock()
	if code/100 != 2 {
		http.Error(w, http.StatusText(code), code)
		return
	}
	ids := make([]string, len(batch))
	for i, s := range batch {
		ids[i] = s.ID
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(ids)
}

type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

func newRelay(t *testing.T, answer func(n int, batch []Statement) int) (*Relay, *memOutbox, *lrs, *clock) {
	l := &lrs{t: t, answer: answer}
	srv := httptest.NewServer(l)
	t.Cleanup(srv.Close)
	ob := &memOutbox{}
	clk := &clock{t: time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
	r := &Relay{
		Outbox: ob,
		Client: &Client{Endpoint: srv.URL + "/xapi/", Username: "relay", Password: "pw", HTTP: srv.Client()},
		Now:    clk.Now,
		Base:   time.Minute,
	}
	return r, ob, l, clk
}

// within reports whether d is within ±10% of want.
func within(d, want time.Duration) bool {
	return d >= want*9/10 && d <= want*11/10
}

func TestRelayRetriesUntilAccepted(t *testing.T) {
	ctx := context.Background()
	r, ob, l, clk := newRelay(t, func(n int, _ []Statement) int {
		if n <= 2 {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	})
	var want []string
	for i, u := range []string{"ann", "bo", "cai", "dong", "er"} {
		s := QuizGraded(base, u, "", "safety", "安全测验", float64(10+i), 20, i%2 == 0, clk.t)
		ob.add(s)
		want = append(want, s.ID)
	}

	// First attempt: 503, the whole batch is marked failed once.
	n, err := r.Flush(ctx)
	if err == nil || n != 0 {
		t.Fatalf("first flush: %d, %v; want 0 and an error", n, err)
	}
	if len(ob.failed) != 1 {
		t.Fatalf("MarkFailed called %d times, want 1", len(ob.failed))
	}
	f := ob.failed[0]
	if !slices.Equal(f.ids, want) || f.attempts != 1 || !within(f.next.Sub(clk.t), r.Base) || f.reason == "" {
		t.Fatalf("first failure = %+v; want all ids, attempts 1, next ≈ now+%s", f, r.Base)
	}

	// Not due yet: nothing is sent.
	clk.t = f.next.Add(-time.Second)
	if n, err := r.Flush(ctx); n != 0 || err != nil || l.requests != 1 {
		t.Fatalf("early flush: %d, %v, %d requests; want nothing sent", n, err, l.requests)
	}

	// Due: second attempt, 503 again.
	clk.t = f.next.Add(time.Second)
	if n, err := r.Flush(ctx); n != 0 || err == nil {
		t.Fatalf("second flush: %d, %v; want 0 and an error", n, err)
	}
	if len(ob.failed) != 2 {
		t.Fatalf("MarkFailed called %d times, want 2", len(ob.failed))
	}
	f = ob.failed[1]
	if !slices.Equal(f.ids, want) || f.attempts != 2 || !within(f.next.Sub(clk.t), 2*r.Base) {
		t.Fatalf("second failure = %+v; want all ids, attempts 2, next ≈ now+%s", f, 2*r.Base)
	}

	clk.t = f.next.Add(-time.Second)
	if n, err := r.Flush(ctx); n != 0 || err != nil || l.requests != 2 {
		t.Fatalf("early flush: %d, %v, %d requests; want nothing sent", n, err, l.requests)
	}

	// Third attempt succeeds.
	clk.t = f.next.Add(time.Second)
	n, err = r.Flush(ctx)
	if n != len(want) || err != nil {
		t.Fatalf("third flush: %d, %v; want %d, nil", n, err, len(want))
	}
	if len(ob.sent) != 1 || !slices.Equal(ob.sent[0], want) || !ob.sentAt[0].Equal(clk.t) {
		t.Fatalf("MarkSent calls %v at %v; want one with %v at %v", ob.sent, ob.sentAt, want, clk.t)
	}
	// The LRS got each statement exactly once, in the successful request.
	got := slices.Clone(l.accepted)
	sort.Strings(got)
	wantSorted := slices.Clone(want)
	sort.Strings(wantSorted)
	if !slices.Equal(got, wantSorted) {
		t.Fatalf("LRS accepted %v, want each of %v once", l.accepted, want)
	}
	if ob.unsent() != 0 {
		t.Fatalf("%d statements still unsent", ob.unsent())
	}

	// Nothing left: no more requests.
	clk.t = clk.t.Add(24 * time.Hour)
	if n, err := r.Flush(ctx); n != 0 || err != nil || l.requests != 3 {
		t.Fatalf("final flush: %d, %v, %d requests", n, err, l.requests)
	}
}

func TestRelayBatches(t *testing.T) {
	r, ob, l, _ := newRelay(t, func(int, []Statement) int { return http.StatusOK })
	r.Batch = 3
	for i := range 8 {
		ob.add(CourseCompleted(base, "u", "", "c", "C", at.Add(time.Duration(i)*time.Second)))
	}
	n, err := r.Flush(context.Background())
	if n != 8 || err != nil {
		t.Fatalf("flush: %d, %v; want 8, nil", n, err)
	}
	if l.requests != 3 || len(ob.sent) != 3 || len(ob.sent[0]) != 3 || len(ob.sent[2]) != 2 {
		t.Fatalf("%d requests, MarkSent %v; want batches of 3, 3, 2", l.requests, ob.sent)
	}
	if len(l.accepted) != 8 || ob.unsent() != 0 {
		t.Fatalf("LRS accepted %d, %d unsent", len(l.accepted), ob.unsent())
	}
}

// A statement the LRS refuses (400) is retried on its own; the rest of its
// batch goes through. A statement the LRS already has (409) counts as sent.
func TestRelayRefusedStatement(t *testing.T) {
	var bad, dup string
	r, ob, l, clk := newRelay(t, func(_ int, batch []Statement) int {
		for _, s := range batch {
			if s.ID == bad {
				return http.StatusBadRequest
			}
		}
		for _, s := range batch {
			if s.ID == dup {
				return http.StatusConflict
			}
		}
		return http.StatusOK
	})
	var all []string
	for i := range 4 {
		s := CourseCompleted(base, "u", "", "c", "C", at)
		ob.add(s)
		all = append(all, s.ID)
		switch i {
		case 1:
			bad = s.ID
		case 2:
			dup = s.ID
		}
	}
	n, err := r.Flush(context.Background())
	if n != 3 || err == nil {
		t.Fatalf("flush: %d, %v; want 3 and an error", n, err)
	}
	if len(ob.failed) != 1 || !slices.Equal(ob.failed[0].ids, []string{bad}) || ob.failed[0].attempts != 1 ||
		!within(ob.failed[0].next.Sub(clk.t), r.Base) {
		t.Fatalf("MarkFailed %+v; want only %s, attempts 1", ob.failed, bad)
	}
	if len(ob.sent) != 1 || !slices.Equal(ob.sent[0], []string{all[0], all[2], all[3]}) {
		t.Fatalf("MarkSent %v", ob.sent)
	}
	// The LRS accepted the two good new ones, each once (the 409 one it had).
	if !slices.Equal(l.accepted, []string{all[0], all[3]}) {
		t.Fatalf("LRS accepted %v", l.accepted)
	}
	if ob.unsent() != 1 {
		t.Fatalf("%d unsent, want 1", ob.unsent())
	}
}

func TestRelayContextCancelled(t *testing.T) {
	r, ob, _, _ := newRelay(t, func(int, []Statement) int { return http.StatusOK })
	ob.add(CourseCompleted(base, "u", "", "c", "C", at))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if n, err := r.Flush(ctx); n != 0 || err == nil {
		t.Fatalf("flush: %d, %v", n, err)
	}
	if len(ob.failed) != 0 || ob.unsent() != 1 {
		t.Fatalf("a cancelled flush marked %v failed", ob.failed)
	}
}

func TestBackoff(t *testing.T) {
	r := &Relay{Base: 30 * time.Second, Max: time.Hour}
	for i := range 200 { // jitter is random: check the bounds many times
		_ = i
		want := 30 * time.Second
		for n := 1; n <= 12; n++ {
			d := r.Backoff(n)
			if d > time.Hour {
				t.Fatalf("Backoff(%d) = %s, above Max", n, d)
			}
			if want < time.Hour {
				if !within(d, want) {
					t.Fatalf("Backoff(%d) = %s, want %s ±10%%", n, d, want)
				}
			} else if d < time.Hour*9/10 {
				t.Fatalf("Backoff(%d) = %s, want about the cap", n, d)
			}
			want = min(2*want, time.Hour)
		}
	}
	for _, n := range []int{0, -1} {
		if d := r.Backoff(n); !within(d, 30*time.Second) {
			t.Errorf("Backoff(%d) = %s", n, d)
		}
	}
	for _, n := range []int{64, 1000, int(^uint(0) >> 1)} {
		if d := r.Backoff(n); d > time.Hour || d < time.Hour*9/10 {
			t.Errorf("Backoff(%d) = %s", n, d)
		}
	}
	var zero Relay
	if d := zero.Backoff(1); !within(d, DefaultBase) {
		t.Errorf("default Backoff(1) = %s", d)
	}
	if d := zero.Backoff(100); d > DefaultMax || d < DefaultMax*9/10 {
		t.Errorf("default Backoff(100) = %s", d)
	}
	// Jitter actually varies.
	seen := map[time.Duration]bool{}
	for range 50 {
		seen[r.Backoff(3)] = true
	}
	if len(seen) < 2 {
		t.Error("Backoff has no jitter")
	}
}
