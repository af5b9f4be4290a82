package notify_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/notify"
)

// records are quiz records by username; a name in broken fails to read.
type records struct {
	by     map[string]*academy.QuizRecord
	broken map[string]bool
}

func (r records) FindRecord(_ context.Context, username string) (*academy.QuizRecord, error) {
	if r.broken[username] {
		return nil, errors.New("record unreadable")
	}
	if rec := r.by[username]; rec != nil {
		return rec, nil
	}
	return &academy.QuizRecord{Username: username, Quizzes: map[string]*academy.QuizHistory{}}, nil
}

// The catch-up resolves markers past the grace only; it tells the
// grants made under a marker (by its granter, at or after it), not an
// earlier grant nor another granter's; a marker it cannot resolve stays
// and holds up no other.
func TestCatchUpGrants(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	begin := func(learner string) notify.PendingGrant {
		t.Helper()
		p, err := w.svc.BeginGrant(ctx, notify.PendingGrant{Learner: learner, Quiz: "fire", Title: "消防", By: "zhang", ByName: "张老师", At: w.now()})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	if _, err := w.svc.BeginGrant(ctx, notify.PendingGrant{Learner: "li", Quiz: "fire"}); academy.ErrorCode(err) != academy.EINVALID {
		t.Fatalf("a marker without a granter or time: %v", err)
	}
	earlier := academy.AttemptGrant{Kind: academy.GrantExtraAttempt, At: w.now().Add(-time.Hour), By: "zhang", Reason: "旧的"}
	begin("li")
	begin("wang")
	made := academy.AttemptGrant{Kind: academy.GrantExtraAttempt, At: w.now().Add(time.Second), By: "zhang", Reason: "断网"}
	other := academy.AttemptGrant{Kind: academy.GrantExtraAttempt, At: w.now().Add(time.Second), By: "zhou", Reason: "断网"}
	recs := records{by: map[string]*academy.QuizRecord{
		"li": {Username: "li", Quizzes: map[string]*academy.QuizHistory{"fire": {Grants: []academy.AttemptGrant{earlier, made, other}}}},
	}, broken: map[string]bool{"wang": true}}

	if n, err := w.svc.CatchUpGrants(ctx, recs, w.now().Add(time.Minute)); n != 0 || err != nil {
		t.Fatalf("within the grace: %d told, %v", n, err)
	}
	w.advance(3 * time.Minute)
	n, err := w.svc.CatchUpGrants(ctx, recs, w.now())
	if n != 1 || err == nil {
		t.Fatalf("after the grace: %d told, %v; want li's one grant and wang's error", n, err)
	}
	left, err := w.st.PendingGrantsBefore(ctx, w.now(), 10)
	if err != nil || len(left) != 1 || left[0].Learner != "wang" {
		t.Fatalf("markers left: %+v, %v; want wang's", left, err)
	}
	ms, err := w.st.NewMessages(ctx, 10)
	if err != nil || len(ms) != 1 || ms[0].Key != notify.AttemptGranted("li", "fire", "消防", "张老师", &made).Key || ms[0].Params["by"] != "张老师" {
		t.Fatalf("enqueued %+v, %v", ms, err)
	}
	// Once wang's record reads, the marker goes, with no grant to tell.
	recs.broken = nil
	if n, err := w.svc.CatchUpGrants(ctx, recs, w.now()); n != 0 || err != nil {
		t.Fatalf("wang's marker: %d told, %v", n, err)
	}
	if left, _ := w.st.PendingGrantsBefore(ctx, w.now(), 10); len(left) != 0 {
		t.Fatalf("markers left: %+v", left)
	}
}
