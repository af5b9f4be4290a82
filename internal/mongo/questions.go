package mongo

import (
	"context"
	"slices"
	"strings"

	"github.com/academy/academy/internal/academy"
)

// questionRef is an attempt's question as stored in the attempt document:
// the digest of its content in frozen_questions, and what is particular to
// the attempt.
type questionRef struct {
	Digest  string   `bson:"digest"`
	Source  string   `bson:"source"`
	Version string   `bson:"version"`
	Order   []string `bson:"order,omitempty"` // option ids as shown to this learner
}

// canonical is q with its options in id order, so every shuffle of one
// question shares a digest and a stored copy.
func canonical(q academy.Question) academy.Question {
	q.Options = slices.Clone(q.Options)
	slices.SortFunc(q.Options, func(a, b academy.Option) int { return strings.Compare(a.ID, b.ID) })
	return q
}

// questionRefs stores the content of qs that is not stored yet and returns
// the references that replace them in an attempt.
func questionRefs(ctx context.Context, f *frozen[academy.Question], qs []academy.AttemptQuestion) ([]questionRef, error) {
	out := make([]questionRef, len(qs))
	for i, q := range qs {
		digest, err := f.put(ctx, canonical(q.Question))
		if err != nil {
			return nil, err
		}
		r := questionRef{Digest: digest, Source: q.Source, Version: q.Version}
		for _, o := range q.Options {
			r.Order = append(r.Order, o.ID)
		}
		out[i] = r
	}
	return out, nil
}

// resolveQuestions turns references back into the questions the learner saw.
func resolveQuestions(ctx context.Context, f *frozen[academy.Question], refs []questionRef) ([]academy.AttemptQuestion, error) {
	out := make([]academy.AttemptQuestion, len(refs))
	for i, r := range refs {
		c, err := f.get(ctx, r.Digest)
		if err != nil {
			return nil, err
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
