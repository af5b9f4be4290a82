package academy

import (
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

// Every request reads its session and its user; on the embedded store each
// read costs about a millisecond, which caps page throughput. The caches
// below keep them for a short TTL. Writes through this instance invalidate
// at once (logout, password, roles, certificate grants); another instance
// behind the same load balancer sees a change within the TTL.

// DefaultCacheTTL bounds how stale another instance's view may be.
const DefaultCacheTTL = 2 * time.Second

// SoleCacheTTL is the TTL when this instance is the only one: on the
// embedded store the data directory's lock keeps out every other process,
// so all writes of sessions, users and progress pass through the caches
// below and forget at once. The TTL then only bounds memory; a short one
// would make a learner who reads for a minute between pages pay three
// reads on every page.
const SoleCacheTTL = 10 * time.Minute

// cacheLimit bounds memory: past it the cache starts over.
const cacheLimit = 100_000

type ttlCache[V any] struct {
	ttl time.Duration
	now func() time.Time
	mu  sync.Mutex
	m   map[string]ttlEntry[V]
	// gen counts invalidations. A read from the store that started before
	// an invalidation may return what the write replaced; put refuses it,
	// so a stale value cannot come back after a write dropped it.
	gen uint64
}

type ttlEntry[V any] struct {
	v     V
	until time.Time
}

func newTTLCache[V any](ttl time.Duration, now func() time.Time) *ttlCache[V] {
	return &ttlCache[V]{ttl: ttl, now: now, m: map[string]ttlEntry[V]{}}
}

// get returns the cached value, or the generation to pass to put after
// reading the store.
func (c *ttlCache[V]) get(k string) (V, uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if !ok || !c.now().Before(e.until) {
		var zero V
		return zero, c.gen, false
	}
	return e.v, c.gen, true
}

// put caches v read at generation gen, unless something was invalidated
// since.
func (c *ttlCache[V]) put(k string, v V, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if len(c.m) >= cacheLimit {
		c.m = map[string]ttlEntry[V]{}
	}
	c.m[k] = ttlEntry[V]{v, c.now().Add(c.ttl)}
}

// forget drops key k, and (as drop) whatever was read before.
func (c *ttlCache[V]) forget(k string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.m, k)
}

// TTLCache is this file's cache for the stores of packages beside the
// core, with the same TTL rule: a write through this instance forgets
// at once, another instance's within the TTL.
type TTLCache[V any] struct{ c *ttlCache[V] }

// NewTTLCache returns an empty cache whose entries live for ttl.
func NewTTLCache[V any](ttl time.Duration, now func() time.Time) *TTLCache[V] {
	return &TTLCache[V]{c: newTTLCache[V](ttl, now)}
}

// Get returns the cached value of k, or the generation to pass to Put
// with the value read from the store.
func (t *TTLCache[V]) Get(k string) (V, uint64, bool) { return t.c.get(k) }

// Put caches v for k unless something was forgotten since gen.
func (t *TTLCache[V]) Put(k string, v V, gen uint64) { t.c.put(k, v, gen) }

// Forget drops k; a value read before cannot be put back.
func (t *TTLCache[V]) Forget(k string) { t.c.forget(k) }

func (c *ttlCache[V]) drop(match func(k string, v V) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for k, e := range c.m {
		if match(k, e.v) {
			delete(c.m, k)
		}
	}
}

// CachedSessions is a SessionService that remembers sessions briefly.
type CachedSessions struct {
	SessionService
	c *ttlCache[Session]
}

// NewCachedSessions wraps store.
func NewCachedSessions(store SessionService, ttl time.Duration, now func() time.Time) *CachedSessions {
	return &CachedSessions{SessionService: store, c: newTTLCache[Session](ttl, now)}
}

// FindSession returns a copy, so callers may change what they got.
func (s *CachedSessions) FindSession(ctx context.Context, id string) (*Session, error) {
	v, gen, ok := s.c.get(id)
	if ok {
		return &v, nil
	}
	sess, err := s.SessionService.FindSession(ctx, id)
	if err != nil {
		return nil, err
	}
	s.c.put(id, *sess, gen)
	return sess, nil
}

// TouchSession writes through and keeps the cached copy in step.
func (s *CachedSessions) TouchSession(ctx context.Context, id string, at time.Time) error {
	if err := s.SessionService.TouchSession(ctx, id, at); err != nil {
		return err
	}
	if v, gen, ok := s.c.get(id); ok {
		v.LastSeen = at
		s.c.put(id, v, gen)
	}
	return nil
}

// DeleteSession deletes the session and then forgets it, so a logout
// takes effect on this instance at once: a read racing the delete cannot
// cache it again, since forgetting refuses puts of reads begun before.
func (s *CachedSessions) DeleteSession(ctx context.Context, id string) error {
	defer s.c.drop(func(k string, _ Session) bool { return k == id })
	return s.SessionService.DeleteSession(ctx, id)
}

// DeleteUserSessions deletes and then forgets every session of username.
func (s *CachedSessions) DeleteUserSessions(ctx context.Context, username string) error {
	defer s.c.drop(func(_ string, v Session) bool { return v.Username == UserID(username) })
	return s.SessionService.DeleteUserSessions(ctx, username)
}

// CachedUsers is a UserService that remembers users briefly, and the
// holders of a role on given sites: the managers whom the escalation and
// SLA jobs tell, every minute. The embedded store answers that filter by
// reading every account, and with thousands of trainees those reads made
// the whole server wait a second or two each minute. Lists of everyone on
// given sites are kept too: the team evidence reads everyone on every
// site at each gathering (every --dashboard-max-age while managers look),
// the largest of its reads (400 ms for 5,000 accounts).
type CachedUsers struct {
	UserService
	c *ttlCache[User]
	// lists are the lists by role ("" for everyone) and sites. Any write
	// of any user drops them all, since it may change who is where.
	lists *ttlCache[[]User]
}

// NewCachedUsers wraps store.
func NewCachedUsers(store UserService, ttl time.Duration, now func() time.Time) *CachedUsers {
	return &CachedUsers{UserService: store, c: newTTLCache[User](ttl, now), lists: newTTLCache[[]User](ttl, now)}
}

// ListUsersOn returns copies from the cache or the store.
func (s *CachedUsers) ListUsersOn(ctx context.Context, sites []string, role string) ([]*User, error) {
	key := role + "\x00" + strings.Join(slices.Sorted(slices.Values(sites)), "\x00")
	list, gen, ok := s.lists.get(key)
	if !ok {
		got, err := s.UserService.ListUsersOn(ctx, sites, role)
		if err != nil {
			return nil, err
		}
		list = make([]User, len(got))
		for i, u := range got {
			list[i] = *clone(*u)
		}
		s.lists.put(key, list, gen)
	}
	out := make([]*User, len(list))
	for i, u := range list {
		out[i] = clone(u)
	}
	return out, nil
}

// CreateUser writes through and drops the kept lists: the new account may
// belong on any of them.
func (s *CachedUsers) CreateUser(ctx context.Context, u *User) error {
	defer s.dropLists()
	return s.UserService.CreateUser(ctx, u)
}

func (s *CachedUsers) dropLists() { s.lists.drop(func(string, []User) bool { return true }) }

// clone copies u deeply enough that callers may change the copy.
func clone(u User) *User {
	u.Roles, u.Sites, u.CertGrants = slices.Clone(u.Roles), slices.Clone(u.Sites), slices.Clone(u.CertGrants)
	return &u
}

// FindUser returns a copy from the cache or the store.
func (s *CachedUsers) FindUser(ctx context.Context, username string) (*User, error) {
	id := UserID(username)
	v, gen, ok := s.c.get(id)
	if ok {
		return clone(v), nil
	}
	u, err := s.UserService.FindUser(ctx, username)
	if err != nil {
		return nil, err
	}
	s.c.put(id, *clone(*u), gen)
	return u, nil
}

func (s *CachedUsers) forget(username string) {
	id := UserID(username)
	s.c.drop(func(k string, _ User) bool { return k == id })
	s.dropLists()
}

// UpdateUser writes through and forgets the old copy.
func (s *CachedUsers) UpdateUser(ctx context.Context, username string, upd UserUpdate) (*User, error) {
	defer s.forget(username)
	return s.UserService.UpdateUser(ctx, username, upd)
}

// SetPasswordHash writes through and forgets the old copy.
func (s *CachedUsers) SetPasswordHash(ctx context.Context, username, hash string) error {
	defer s.forget(username)
	return s.UserService.SetPasswordHash(ctx, username, hash)
}

// SetCertGrants writes through and forgets the old copy, so a revoked
// certificate stops granting on the next request.
func (s *CachedUsers) SetCertGrants(ctx context.Context, username string, grants []CertGrant) error {
	defer s.forget(username)
	return s.UserService.SetCertGrants(ctx, username, grants)
}

// CachedProgress is a ProgressService that remembers each learner's
// progress briefly: every lesson page shows it, and only the learner's own
// actions change it.
type CachedProgress struct {
	ProgressService
	c *ttlCache[*Progress]
}

// NewCachedProgress wraps store.
func NewCachedProgress(store ProgressService, ttl time.Duration, now func() time.Time) *CachedProgress {
	return &CachedProgress{ProgressService: store, c: newTTLCache[*Progress](ttl, now)}
}

// FindProgress returns a copy from the cache or the store.
func (s *CachedProgress) FindProgress(ctx context.Context, username string) (*Progress, error) {
	id := UserID(username)
	p, gen, ok := s.c.get(id)
	if ok {
		return p.clone(), nil
	}
	p, err := s.ProgressService.FindProgress(ctx, username)
	if err != nil {
		return nil, err
	}
	s.c.put(id, p.clone(), gen)
	return p, nil
}

func (s *CachedProgress) forget(username string) {
	id := UserID(username)
	s.c.drop(func(k string, _ *Progress) bool { return k == id })
}

// CompleteLesson writes through and forgets the old copy.
func (s *CachedProgress) CompleteLesson(ctx context.Context, username, course, lesson string, at time.Time) (*Progress, error) {
	defer s.forget(username)
	return s.ProgressService.CompleteLesson(ctx, username, course, lesson, at)
}

// SetCourseCompleted writes through and forgets the old copy.
func (s *CachedProgress) SetCourseCompleted(ctx context.Context, username, course string, at time.Time) error {
	defer s.forget(username)
	return s.ProgressService.SetCourseCompleted(ctx, username, course, at)
}

// SavePosition writes through and forgets the old copy.
func (s *CachedProgress) SavePosition(ctx context.Context, username, course, lesson string, share float64) error {
	defer s.forget(username)
	return s.ProgressService.SavePosition(ctx, username, course, lesson, share)
}

// clone copies p deeply, so that a cached progress is never changed by a
// caller of the copy.
func (p *Progress) clone() *Progress {
	out := &Progress{Username: p.Username, Courses: make(map[string]*CourseProgress, len(p.Courses))}
	for k, cp := range p.Courses {
		c := *cp
		c.Completed, c.Position = maps.Clone(cp.Completed), maps.Clone(cp.Position)
		out.Courses[k] = &c
	}
	return out
}
