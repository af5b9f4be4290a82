package academy

import (
	"context"
	"slices"
	"sync"
	"time"
)

// CachedAttempts is an AttemptService that keeps attempts in progress in
// memory, for an instance that is the store's only writer (the embedded
// store, whose data directory admits one process).
//
// An attempt's document changes twice: at its start and at its close.
// In between, every autosave and the submit read it again to check
// answers against its questions, and on the embedded store each read is a
// command and the decoding of every question: a third of an autosave's
// cost, and autosaves are most of an exam's requests. Since this instance
// writes every attempt, it knows when one closes and forgets it first.
//
// The saved answers are always read from the store; the answers-first
// order of FindAttempt is kept, so a close that finishes between the two
// reads is seen as it is without the cache.
//
// With several instances, another one's close would leave an attempt open
// here: do not use it there.
type CachedAttempts struct {
	AttemptService
	ttl time.Duration
	now func() time.Time

	mu   sync.Mutex
	open map[string]cachedAttempt
	// gone holds attempts closed or deleted here lately, with when. A read
	// of the store that began before the close may still bring back the
	// open document; put refuses it while the id is here, and a read lasts
	// far less than goneFor (the driver gives up after 15 s).
	gone      map[string]time.Time
	goneSwept time.Time
}

type cachedAttempt struct {
	a     *Attempt // without answers
	until time.Time
}

// goneFor is how long a closed attempt stays barred from the cache.
const goneFor = time.Minute

// openCacheLimit bounds the attempts kept: about 12 KB each (the
// questions' texts are shared with the frozen copies), so 60 MB at most,
// for five exam days of a thousand learners at once. Past it the cache
// starts over.
const openCacheLimit = 5_000

// NewCachedAttempts wraps store; entries live for ttl after their last
// read.
func NewCachedAttempts(store AttemptService, ttl time.Duration, now func() time.Time) *CachedAttempts {
	return &CachedAttempts{AttemptService: store, ttl: ttl, now: now,
		open: map[string]cachedAttempt{}, gone: map[string]time.Time{}}
}

// InsertAttempt stores a and remembers it.
func (s *CachedAttempts) InsertAttempt(ctx context.Context, a *Attempt) error {
	if err := s.AttemptService.InsertAttempt(ctx, a); err != nil {
		return err
	}
	s.put(a)
	return nil
}

// FindAttemptDoc answers an attempt in progress from memory.
func (s *CachedAttempts) FindAttemptDoc(ctx context.Context, id string) (*Attempt, error) {
	if a := s.get(id); a != nil {
		return a, nil
	}
	a, err := s.AttemptService.FindAttemptDoc(ctx, id)
	if err != nil {
		return nil, err
	}
	s.put(a)
	return a, nil
}

// FindAttempt reads the saved answers, then the attempt as FindAttemptDoc
// does.
func (s *CachedAttempts) FindAttempt(ctx context.Context, id string) (*Attempt, error) {
	return ReadAttempt(ctx, s, id)
}

// WriteFinal forgets the attempt before the store replaces it, and again
// after: a read that missed in between and found the open document
// cannot put it back (see gone).
func (s *CachedAttempts) WriteFinal(ctx context.Context, a *Attempt, at time.Time) error {
	s.forget(a.ID)
	defer s.forget(a.ID)
	return s.AttemptService.WriteFinal(ctx, a, at)
}

// DeleteAttempt forgets the attempt as WriteFinal does.
func (s *CachedAttempts) DeleteAttempt(ctx context.Context, id string) error {
	s.forget(id)
	defer s.forget(id)
	return s.AttemptService.DeleteAttempt(ctx, id)
}

// get returns a copy of the cached attempt, or nil.
func (s *CachedAttempts) get(id string) *Attempt {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.open[id]
	now := s.now()
	if !ok || !now.Before(e.until) {
		return nil
	}
	e.until = now.Add(s.ttl)
	s.open[id] = e
	return copyOpen(e.a)
}

// put remembers a copy of a, if it is in progress and was not closed here
// lately.
func (s *CachedAttempts) put(a *Attempt) {
	if a.Finished() {
		return
	}
	c := copyOpen(a)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, closed := s.gone[a.ID]; closed {
		return
	}
	if len(s.open) >= openCacheLimit {
		s.open = map[string]cachedAttempt{}
	}
	s.open[a.ID] = cachedAttempt{c, s.now().Add(s.ttl)}
}

func (s *CachedAttempts) forget(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.open, id)
	now := s.now()
	s.gone[id] = now
	if now.Sub(s.goneSwept) < goneFor {
		return
	}
	s.goneSwept = now
	for k, at := range s.gone {
		if now.Sub(at) >= goneFor {
			delete(s.gone, k)
		}
	}
}

// copyOpen copies an attempt in progress, without its answers, as a read
// of the store would give it: callers change what they get (answers,
// state, grades, transitions), and the options of its questions are their
// own, as resolving stored questions makes them.
func copyOpen(a *Attempt) *Attempt {
	c := *a
	c.Questions = slices.Clone(a.Questions)
	for i := range c.Questions {
		q := &c.Questions[i]
		q.Options, q.Items = slices.Clone(q.Options), slices.Clone(q.Items)
	}
	c.Transitions = slices.Clone(a.Transitions)
	c.Answers, c.Results = map[string]Response{}, nil
	return &c
}
