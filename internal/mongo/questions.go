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

// digestKey is what AttemptService.digests keeps a question's digest
// under: its bank, id and Version. Version is a digest of the same content
// (bank order of options, which canonical undoes), so equal keys mean
// equal content; without the memory every start and every close encoded
// and hashed all of an attempt's questions again, about a twentieth of an
// exam day's CPU. It is empty for a question without a version (attempts
// stored before versions), which is then always hashed.
func digestKey(source string, q *academy.Question, version string) string {
	if version == "" {
		return ""
	}
	return source + "\x00" + q.ID + "\x00" + version
}

// questionRefs stores the content of qs that is not stored yet and returns
// the references that replace them in an attempt.
func (s *AttemptService) questionRefs(ctx context.Context, qs []academy.AttemptQuestion) ([]questionRef, error) {
	out := make([]questionRef, len(qs))
	for i, q := range qs {
		key := digestKey(q.Source, &q.Question, q.Version)
		digest, known := s.digests.get(key)
		if !known { // never for an empty key, which is never set
			var err error
			if digest, err = s.frozen.put(ctx, canonical(q.Question)); err != nil {
				return nil, err
			}
			if key != "" {
				s.digests.set(key, digest)
			}
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
func (s *AttemptService) resolveQuestions(ctx context.Context, refs []questionRef) ([]academy.AttemptQuestion, error) {
	out := make([]academy.AttemptQuestion, len(refs))
	for i, r := range refs {
		c, err := s.frozen.get(ctx, r.Digest)
		if err != nil {
			return nil, err
		}
		// The reference was written with the digest of this version. Most
		// reads find it known, and take only the read lock.
		if key := digestKey(r.Source, c, r.Version); key != "" {
			if known, _ := s.digests.get(key); known != r.Digest {
				s.digests.set(key, r.Digest)
			}
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
