package http_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/notify"
)

// outboxTrouble is the server's notification store with the writes of a
// grant's news made to fail, as a crash at that point leaves them.
type outboxTrouble struct {
	notify.Store
	enqueue, drop bool
}

func (o *outboxTrouble) AddMessages(ctx context.Context, ms []notify.Message) error {
	if o.enqueue {
		return errors.New("outbox: connection reset")
	}
	return o.Store.AddMessages(ctx, ms)
}

func (o *outboxTrouble) DropPendingGrant(ctx context.Context, id string) error {
	if o.drop {
		return errors.New("outbox: connection reset")
	}
	return o.Store.DropPendingGrant(ctx, id)
}

// A grant whose news was not enqueued is told by the scheduler's
// catch-up, once: a crash after the grant was stored, an enqueue that
// failed, and a crash after the news but before its marker went each
// end with exactly one notification per grant. A refused grant's marker
// goes without a word.
func TestGrantToldAfterCatchUp(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	// The grant's clock is the simulated one, as the scheduler's is.
	e.deps.Examiner.Now = e.clock.Now
	learner := e.createUser("learner1", []string{academy.RoleTrainee}, []string{"s1"})
	trainer, err := e.accounts.Users.FindUser(ctx, "trainer")
	if err != nil {
		t.Fatal(err)
	}
	r := newReminders(e)
	r.scan()
	quiz := func(slug string) *academy.Quiz {
		q := e.deps.Catalog.Snapshot().Quizzes[slug]
		if q == nil {
			t.Fatalf("no quiz %s", slug)
		}
		return q
	}
	grant := func(slug, reason string) *response {
		return e.api("POST", "/api/v1/users/learner1/quizzes/"+slug+"/grants", "trainer", map[string]string{"kind": academy.GrantExtraAttempt, "reason": reason})
	}
	server := e.deps.Notify.Store
	trouble := &outboxTrouble{Store: server}
	e.deps.Notify.Store = trouble

	// ethics: the process died between storing the grant and its news;
	// only the marker written before it and the grant are there.
	if _, err := e.deps.Notify.BeginGrant(ctx, notify.PendingGrant{Learner: learner.ID, Quiz: "ethics", Title: quiz("ethics").Title,
		By: trainer.ID, ByName: trainer.DisplayName, At: e.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.deps.Examiner.GrantAttempt(ctx, trainer, learner, quiz("ethics"), academy.GrantExtraAttempt, "系统故障", "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	// etiquette: the enqueue failed; the grant is made all the same.
	trouble.enqueue = true
	if res := grant("etiquette", "网络中断"); res.StatusCode != 201 {
		t.Fatalf("grant with the outbox down: %d %s", res.StatusCode, res.Body)
	}
	trouble.enqueue = false
	// law: the news went out, the process died before the marker went.
	trouble.drop = true
	if res := grant("law", "考场停电"); res.StatusCode != 201 {
		t.Fatalf("grant: %d %s", res.StatusCode, res.Body)
	}
	trouble.drop = false
	// fees: refused (no reason), so no grant is made and nobody hears.
	if res := grant("fees", " "); res.StatusCode != 400 {
		t.Fatalf("grant without a reason: %d %s", res.StatusCode, res.Body)
	}
	e.deps.Notify.Store = server

	granted := func() []string {
		t.Helper()
		var out []string
		for _, n := range r.inbox(learner.ID) {
			if !strings.HasPrefix(n, string(notify.KindAttemptGranted)+": ") {
				t.Errorf("learner1 heard %q", n)
			}
			out = append(out, n)
		}
		slices.Sort(out)
		return out
	}
	pending := func() int {
		t.Helper()
		ps, err := e.notes.PendingGrantsBefore(ctx, e.clock.Now().Add(time.Hour), 100)
		if err != nil {
			t.Fatal(err)
		}
		return len(ps)
	}
	// Within the grace a marker may be a request still under way: the
	// catch-up leaves them all.
	r.scan()
	if got := granted(); len(got) != 1 || !strings.Contains(got[0], quiz("law").Title) {
		t.Fatalf("before the catch-up, learner1 heard %q, want the law grant told in its request", got)
	}
	if n := pending(); n != 4 {
		t.Fatalf("%d markers before the catch-up, want 4", n)
	}

	e.clock.Advance(3 * time.Minute)
	r.scan()
	var want []string
	for _, slug := range []string{"ethics", "etiquette", "law"} {
		want = append(want, "attempt_granted: trainer 为你增加了一次“"+quiz(slug).Title+"”的作答机会。")
	}
	slices.Sort(want)
	if got := granted(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("after the catch-up, learner1 heard:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if n := pending(); n != 0 {
		t.Fatalf("%d markers left after the catch-up", n)
	}
	// Nothing more the next day: each grant's key holds its news once.
	e.clock.Advance(24 * time.Hour)
	r.scan()
	if got := granted(); len(got) != len(want) {
		t.Fatalf("the next day, learner1 heard %d: %q", len(got), got)
	}
}
