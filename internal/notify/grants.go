package notify

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/academy/academy/internal/academy"
)

// A grant of an extra attempt is stored by the core (Examiner.GrantAttempt)
// and told by its producer after it, in the same request: a process that
// dies between the two would lose the news, and the grant leaves nothing
// a scan could find cheaply (it is one entry in the learner's quiz
// record). So the producer first writes a PendingGrant, the news without
// its time; once the news is enqueued the marker goes. A marker left
// behind (a crash, a failed enqueue) is resolved by the scheduler's
// catch-up, which reads the learner's record for the grants made since
// the marker and enqueues their news: the key of each is fixed by the
// grant, so news enqueued already is not enqueued again.

// PendingGrant is the news of a grant being made to Learner at Quiz by By.
type PendingGrant struct {
	ID      string `json:"id" bson:"_id"`
	Learner string `json:"learner" bson:"learner"`
	Quiz    string `json:"quiz" bson:"quiz"`
	Title   string `json:"title" bson:"title"`
	By      string `json:"by" bson:"by"`
	ByName  string `json:"by_name" bson:"by_name"`
	// At is taken from the grant's own clock before the grant is made,
	// so every grant the request makes is at or after it.
	At time.Time `json:"at" bson:"at"`
}

// PendingGrants keeps the markers of grants being told.
type PendingGrants interface {
	AddPendingGrant(ctx context.Context, p PendingGrant) error
	// PendingGrantsBefore returns up to n markers written before t, oldest first.
	PendingGrantsBefore(ctx context.Context, t time.Time, n int) ([]PendingGrant, error)
	// DropPendingGrant removes a marker; one already gone is no error.
	DropPendingGrant(ctx context.Context, id string) error
}

// grantGrace is how old a marker must be before the catch-up resolves
// it: younger, its request may still be between the grant and its news.
// A request is bounded by the server's timeouts, far below this.
const grantGrace = 2 * time.Minute

// maxPendingGrants bounds one catch-up's work; the rest wait for the next scan.
const maxPendingGrants = 100

// BeginGrant stores the marker of a grant about to be made (p.ID is set
// here). A producer that cannot store it should not make the grant: its
// news could then be lost.
func (s *Service) BeginGrant(ctx context.Context, p PendingGrant) (PendingGrant, error) {
	if p.Learner == "" || p.Quiz == "" || p.By == "" || p.At.IsZero() {
		return p, academy.Errorf(academy.EINVALID, "notify: 待通知的补考授权缺少学员、测验、授权人或时间 / pending grant %+v: want a learner, a quiz, who grants and a time", p)
	}
	p.ID = rand.Text()
	return p, s.Store.AddPendingGrant(ctx, p)
}

// Granted enqueues the news of g, made under the marker p, and removes
// the marker. On an error the marker stays for the catch-up.
func (s *Service) Granted(ctx context.Context, p PendingGrant, g *academy.AttemptGrant) error {
	if err := s.Enqueue(ctx, AttemptGranted(p.Learner, p.Quiz, p.Title, p.ByName, g)); err != nil {
		return err
	}
	return s.Store.DropPendingGrant(ctx, p.ID)
}

// GrantRecords reads a learner's quiz record (academy.AttemptService).
type GrantRecords interface {
	FindRecord(ctx context.Context, username string) (*academy.QuizRecord, error)
}

// CatchUpGrants tells the grants made under markers older than the
// grace at now: each grant of the marker's quiz by its granter at or
// after its time. A marker whose grant was never made (the request
// failed, or died before) finds none and goes. It returns how many
// messages it enqueued (some may have been there already).
func (s *Service) CatchUpGrants(ctx context.Context, records GrantRecords, now time.Time) (int, error) {
	pending, err := s.Store.PendingGrantsBefore(ctx, now.Add(-grantGrace), maxPendingGrants)
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, p := range pending {
		told, err := s.catchUpGrant(ctx, records, p)
		n += told
		if err != nil {
			// One marker that fails keeps its place; the others go on.
			errs = append(errs, fmt.Errorf("notify: grant of %s at %s: %w", p.Learner, p.Quiz, err))
		}
	}
	return n, errors.Join(errs...)
}

func (s *Service) catchUpGrant(ctx context.Context, records GrantRecords, p PendingGrant) (int, error) {
	rec, err := records.FindRecord(ctx, p.Learner)
	if err != nil {
		return 0, err
	}
	var ms []Message
	for _, g := range rec.History(p.Quiz).Grants {
		if g.By == p.By && !g.At.Before(p.At) {
			ms = append(ms, AttemptGranted(p.Learner, p.Quiz, p.Title, p.ByName, &g))
		}
	}
	if err := s.Enqueue(ctx, ms...); err != nil {
		return 0, err
	}
	return len(ms), s.Store.DropPendingGrant(ctx, p.ID)
}
