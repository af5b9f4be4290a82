package xapi

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/academy/academy/internal/academy"
)

// Queue stores statements until the relay sends them.
type Queue interface {
	Enqueue(ctx context.Context, st Statement) error
}

// Recorder turns learning events into statements in the outbox.
type Recorder struct {
	Base  string // the site's public address; activity ids hang off it
	Queue Queue
}

var _ academy.EventSink = (*Recorder)(nil)

// Record queues the statement for e.
func (r *Recorder) Record(ctx context.Context, e academy.LearningEvent) error {
	var st Statement
	switch e.Kind {
	case academy.EventCourseCompleted:
		st = CourseCompleted(r.Base, e.Username, e.Name, e.Ref, e.Title, e.At)
	case academy.EventQuizGraded:
		st = QuizGraded(r.Base, e.Username, e.Name, e.Ref, e.Title, e.Percent, 100, e.Passed, e.At)
	case academy.EventScenarioCompleted:
		st = ScenarioCompleted(r.Base, e.Username, e.Name, e.Ref, e.Title, e.Percent, 100, e.Passed, e.At)
	case academy.EventCertificate:
		st = CertificateEarned(r.Base, e.Username, e.Name, e.Ref, e.Title, e.Number, e.At)
	default:
		return fmt.Errorf("xapi: no statement for event kind %q", e.Kind)
	}
	st.ID = EventID(st, e.Occurrence)
	return r.Queue.Enqueue(ctx, st)
}

// statementSpace is the UUID namespace of the statement ids of events.
var statementSpace = uuid.MustParse("8d1c4f3e-2b7a-4c59-9e0f-6a3b5d71c2e4")

// EventID is the statement id of an event: a name-based UUID (version 5)
// of who did what to which object, and which time of it (occurrence: the
// attempt, the run, the certificate; empty for what happens once, a
// course's completion). Two instances, or a retry, recording the same
// event make the same id, and the outbox and the LRS keep one statement
// per id.
func EventID(st Statement, occurrence string) string {
	name := strings.Join([]string{st.Actor.Account.HomePage, st.Actor.Account.Name, st.Verb.ID, st.Object.ID, occurrence}, "\x00")
	return uuid.NewSHA1(statementSpace, []byte(name)).String()
}

// Entry is a statement in the outbox, for the admin listing.
type Entry struct {
	ID        string    `bson:"_id" json:"id"`
	Statement string    `bson:"statement" json:"statement"`
	Verb      string    `bson:"verb" json:"verb"`
	Actor     string    `bson:"actor" json:"actor"`
	Object    string    `bson:"object" json:"object"`
	CreatedAt time.Time `bson:"created_at" json:"created_at"`
	Attempts  int       `bson:"attempts" json:"attempts"`
	NextAt    time.Time `bson:"next_at" json:"next_at"`
	Reason    string    `bson:"reason,omitempty" json:"reason,omitempty"`
	SentAt    time.Time `bson:"sent_at,omitempty" json:"sent_at,omitzero"`
}
