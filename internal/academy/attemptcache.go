package academy

import (
	"context"
	"fmt"
	"maps"
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
// An attempt started here also keeps the answers last saved and the fact
// that nothing has closed it yet, which an autosave and the submit read
// besides the attempt. Only writes fill them in, never reads: a read that
// began before a write could bring back what the write replaced. The
// order that makes a racing save and close agree is kept: a save writes
// its answers, then looks for the closing mark; a close puts its mark,
// then reads the answers. A save's answers are in memory before it looks,
// and a close's mark before it reads.
//
// The markers (who holds an attempt number, the mark that closed an
// attempt) are written once and never change, so any one read or written
// here is kept, for attempts of earlier runs too.
//
// With several instances, another one's close would leave an attempt open
// here: do not use it there.
type CachedAttempts struct {
	AttemptService
	ttl time.Duration
	now func() time.Time

	mu   sync.Mutex
	open map[string]*cachedAttempt
	// gone holds attempts closed or deleted here lately, with when. A read
	// of the store that began before the close may still bring back the
	// open document; put refuses it while the id is here, and a read lasts
	// far less than goneFor (the driver gives up after 15 s).
	gone      map[string]time.Time
	goneSwept time.Time
	slots     map[string]string    // slotKey -> holder
	finals    map[string]FinalMark // by attempt id
}

type cachedAttempt struct {
	a     *Attempt // without answers
	until time.Time
	// saving orders the saves of one attempt, so that memory ends with
	// the answers the store ends with.
	saving sync.Mutex
	// answers are the answers last saved, when a write here says what
	// they are; nil when unknown.
	answers map[string]Response
	// unclosed: started here, and no close has begun here since.
	unclosed bool
}

// goneFor is how long a closed attempt stays barred from the cache.
const goneFor = time.Minute

// openCacheLimit bounds the attempts kept: about 12 KB each (the
// questions' texts are shared with the frozen copies), so 60 MB at most,
// for five exam days of a thousand learners at once. Past it the cache
// starts over.
const openCacheLimit = 5_000

// markerCacheLimit bounds the markers kept, about 100 bytes each.
const markerCacheLimit = 50_000

// NewCachedAttempts wraps store; entries live for ttl after their last
// read.
func NewCachedAttempts(store AttemptService, ttl time.Duration, now func() time.Time) *CachedAttempts {
	return &CachedAttempts{AttemptService: store, ttl: ttl, now: now,
		open: map[string]*cachedAttempt{}, gone: map[string]time.Time{},
		slots: map[string]string{}, finals: map[string]FinalMark{}}
}

// InsertAttempt stores a and remembers it, with no answers saved and no
// close begun.
func (s *CachedAttempts) InsertAttempt(ctx context.Context, a *Attempt) error {
	if err := s.AttemptService.InsertAttempt(ctx, a); err != nil {
		return err
	}
	if e := s.put(a); e != nil {
		s.mu.Lock()
		e.answers, e.unclosed = map[string]Response{}, true
		s.mu.Unlock()
	}
	return nil
}

// FindAnswers answers from memory when a write here says what they are.
func (s *CachedAttempts) FindAnswers(ctx context.Context, id string) (map[string]Response, error) {
	s.mu.Lock()
	e := s.entry(id)
	if e != nil && e.answers != nil {
		answers := maps.Clone(e.answers)
		s.mu.Unlock()
		return answers, nil
	}
	s.mu.Unlock()
	return s.AttemptService.FindAnswers(ctx, id)
}

// SaveAnswers writes through and keeps what it wrote; after a failed
// write, which may or may not have reached the store, the answers are
// read from the store again.
func (s *CachedAttempts) SaveAnswers(ctx context.Context, id string, answers map[string]Response, at time.Time, touch bool) error {
	s.mu.Lock()
	e := s.entry(id)
	s.mu.Unlock()
	if e == nil {
		return s.AttemptService.SaveAnswers(ctx, id, answers, at, touch)
	}
	e.saving.Lock()
	defer e.saving.Unlock()
	err := s.AttemptService.SaveAnswers(ctx, id, answers, at, touch)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		e.answers = nil
		return err
	}
	e.answers = maps.Clone(answers)
	return nil
}

// ClaimSlot keeps the holder the store reports, taken or not.
func (s *CachedAttempts) ClaimSlot(ctx context.Context, username, quiz string, n int, attemptID string) (string, error) {
	holder, err := s.AttemptService.ClaimSlot(ctx, username, quiz, n, attemptID)
	if err == nil || (ErrorCode(err) == ECONFLICT && holder != "") {
		s.keepSlot(slotKey(username, quiz, n), holder)
	}
	return holder, err
}

// FindSlot answers a holder known here from memory.
func (s *CachedAttempts) FindSlot(ctx context.Context, username, quiz string, n int) (string, error) {
	key := slotKey(username, quiz, n)
	s.mu.Lock()
	holder, ok := s.slots[key]
	s.mu.Unlock()
	if ok {
		return holder, nil
	}
	holder, err := s.AttemptService.FindSlot(ctx, username, quiz, n)
	if err == nil {
		s.keepSlot(key, holder)
	}
	return holder, err
}

func slotKey(username, quiz string, n int) string {
	return fmt.Sprintf("%s/%s/%d", UserID(username), quiz, n)
}

func (s *CachedAttempts) keepSlot(key, holder string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.slots) >= markerCacheLimit {
		s.slots = map[string]string{}
	}
	s.slots[key] = holder
}

// MarkFinal stops answering "not closed" from memory before it writes the
// mark, since a write that reports a failure may still have landed, and
// keeps the mark that won before the close reads the answers.
func (s *CachedAttempts) MarkFinal(ctx context.Context, m FinalMark) (FinalMark, error) {
	s.mu.Lock()
	if e := s.entry(m.ID); e != nil {
		e.unclosed = false
	}
	s.mu.Unlock()
	won, err := s.AttemptService.MarkFinal(ctx, m)
	if err == nil {
		s.keepFinal(won)
	}
	return won, err
}

// FindFinal answers from memory: a mark kept, or none for an attempt
// started here that no close has begun on.
func (s *CachedAttempts) FindFinal(ctx context.Context, id string) (FinalMark, error) {
	s.mu.Lock()
	m, ok := s.finals[id]
	e := s.entry(id)
	unclosed := e != nil && e.unclosed
	s.mu.Unlock()
	if ok {
		return m, nil
	}
	if unclosed {
		return FinalMark{}, Errorf(ENOTFOUND, "答卷 %s 尚未结束 / attempt %s is not closed", id, id)
	}
	m, err := s.AttemptService.FindFinal(ctx, id)
	if err == nil {
		s.keepFinal(m)
	}
	return m, err
}

func (s *CachedAttempts) keepFinal(m FinalMark) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.finals) >= markerCacheLimit {
		s.finals = map[string]FinalMark{}
	}
	s.finals[m.ID] = m
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
	e := s.entry(id)
	if e == nil {
		return nil
	}
	e.until = s.now().Add(s.ttl)
	return copyOpen(e.a)
}

// entry is id's live entry, or nil; call with mu held.
func (s *CachedAttempts) entry(id string) *cachedAttempt {
	e, ok := s.open[id]
	if !ok || !s.now().Before(e.until) {
		return nil
	}
	return e
}

// put remembers a copy of a, if it is in progress and was not closed here
// lately, and returns its entry (nil if not kept). The entry starts over:
// knows nothing of answers or of a close.
func (s *CachedAttempts) put(a *Attempt) *cachedAttempt {
	if a.Finished() {
		return nil
	}
	c := copyOpen(a)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, closed := s.gone[a.ID]; closed {
		return nil
	}
	if len(s.open) >= openCacheLimit {
		s.open = map[string]*cachedAttempt{}
	}
	e := &cachedAttempt{a: c, until: s.now().Add(s.ttl)}
	s.open[a.ID] = e
	return e
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
