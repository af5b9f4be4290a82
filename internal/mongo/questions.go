package mongo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/academy/academy/internal/academy"
)

// frozenQuestions stores the questions that attempts were started with,
// once per distinct content, keyed by a digest of that content. An attempt
// keeps references, not copies: a final-exam attempt with its questions
// inside was 42 KB, and the embedded store decodes the whole document on
// every read, which made the exam's start, autosave and submit CPU-bound
// under load. Content under a digest never changes, so each process keeps
// every version it has seen in memory without any invalidation.
type frozenQuestions struct {
	db *DB
	mu sync.RWMutex
	m  map[string]*academy.Question // digest -> content, options in id order
}

type frozenDoc struct {
	ID       string           `bson:"_id"`
	Question academy.Question `bson:"question"`
}

// questionRef is an attempt's question as stored in the attempt document.
type questionRef struct {
	Digest  string   `bson:"digest"`
	Source  string   `bson:"source"`
	Version string   `bson:"version"`
	Order   []string `bson:"order,omitempty"` // option ids as shown to this learner
}

// canonical is q with its options in id order, so every shuffle of one
// question shares a digest and a stored copy.
func canonical(q academy.Question) (academy.Question, string) {
	q.Options = slices.Clone(q.Options)
	slices.SortFunc(q.Options, func(a, b academy.Option) int { return strings.Compare(a.ID, b.ID) })
	b, _ := json.Marshal(q) // plain data: cannot fail
	sum := sha256.Sum256(b)
	return q, hex.EncodeToString(sum[:])
}

// refs stores the content of qs that is not stored yet and returns the
// references that replace them in an attempt.
func (f *frozenQuestions) refs(ctx context.Context, qs []academy.AttemptQuestion) ([]questionRef, error) {
	out := make([]questionRef, len(qs))
	for i, q := range qs {
		c, digest := canonical(q.Question)
		r := questionRef{Digest: digest, Source: q.Source, Version: q.Version}
		for _, o := range q.Options {
			r.Order = append(r.Order, o.ID)
		}
		out[i] = r
		f.mu.RLock()
		_, known := f.m[digest]
		f.mu.RUnlock()
		if known {
			continue
		}
		// A duplicate means another process stored the same content.
		_, err := f.db.c("frozen_questions").InsertOne(ctx, frozenDoc{ID: digest, Question: c})
		if err != nil && academy.ErrorCode(FormatError(err)) != academy.ECONFLICT {
			return nil, FormatError(err)
		}
		f.remember(digest, &c)
	}
	return out, nil
}

func (f *frozenQuestions) remember(digest string, q *academy.Question) {
	f.mu.Lock()
	if f.m == nil {
		f.m = map[string]*academy.Question{}
	}
	f.m[digest] = q
	f.mu.Unlock()
}

// resolve turns references back into the questions the learner saw.
func (f *frozenQuestions) resolve(ctx context.Context, refs []questionRef) ([]academy.AttemptQuestion, error) {
	out := make([]academy.AttemptQuestion, len(refs))
	for i, r := range refs {
		f.mu.RLock()
		c := f.m[r.Digest]
		f.mu.RUnlock()
		if c == nil {
			var d frozenDoc
			if err := f.db.c("frozen_questions").FindOne(ctx, bson.M{"_id": r.Digest}).Decode(&d); err != nil {
				if academy.ErrorCode(FormatError(err)) == academy.ENOTFOUND {
					return nil, academy.Errorf(academy.EINTERNAL, "question content %s of an attempt is missing", r.Digest)
				}
				return nil, FormatError(err)
			}
			c = &d.Question
			f.remember(r.Digest, c)
		}
		q := *c
		q.Options = nil
		for _, id := range r.Order {
			if o := c.Option(id); o != nil {
				q.Options = append(q.Options, *o)
			}
		}
		q.Items = slices.Clone(c.Items)
		out[i] = academy.AttemptQuestion{Question: q, Source: r.Source, Version: r.Version}
	}
	return out, nil
}
