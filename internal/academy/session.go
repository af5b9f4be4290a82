package academy

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"
)

// Session lifetimes. Idle expiry ends forgotten sessions; absolute expiry
// bounds the damage of a stolen token.
const (
	SessionIdleTimeout = 2 * time.Hour
	SessionMaxLifetime = 12 * time.Hour
	// SessionTouchEvery throttles idle-time updates so that a page view is not
	// also a database write.
	SessionTouchEvery = time.Minute
)

// Session kinds.
const (
	SessionWeb = "web"
	SessionAPI = "api"
)

// Session is a logged-in client. Only the SHA-256 of the token is stored (ID),
// so a leaked sessions collection does not leak usable tokens.
type Session struct {
	ID        string    `json:"-" bson:"_id"`
	Username  string    `json:"username" bson:"username"`
	Kind      string    `json:"kind" bson:"kind"`
	CSRF      string    `json:"-" bson:"csrf"`
	IP        string    `json:"ip" bson:"ip"`
	CreatedAt time.Time `json:"created_at" bson:"created_at"`
	LastSeen  time.Time `json:"last_seen" bson:"last_seen"`
	ExpiresAt time.Time `json:"expires_at" bson:"expires_at"` // absolute expiry
}

// NewToken returns a random URL-safe secret of 32 bytes.
func NewToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashToken maps a token to its stored session ID.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewSession creates a session for username and returns it with its token.
func NewSession(username, kind, ip string, now time.Time) (*Session, string) {
	token := NewToken()
	return &Session{
		ID:        HashToken(token),
		Username:  UserID(username),
		Kind:      kind,
		CSRF:      NewToken(),
		IP:        ip,
		CreatedAt: now,
		LastSeen:  now,
		ExpiresAt: now.Add(SessionMaxLifetime),
	}, token
}

// Expired reports whether s is past its idle or absolute expiry at now.
func (s *Session) Expired(now time.Time) bool {
	return !now.Before(s.ExpiresAt) || !now.Before(s.LastSeen.Add(SessionIdleTimeout))
}

// IdleExpiry is when s expires if unused.
func (s *Session) IdleExpiry() time.Time {
	t := s.LastSeen.Add(SessionIdleTimeout)
	if t.After(s.ExpiresAt) {
		return s.ExpiresAt
	}
	return t
}

// SessionService stores sessions by hashed token.
type SessionService interface {
	CreateSession(ctx context.Context, s *Session) error
	FindSession(ctx context.Context, id string) (*Session, error)
	TouchSession(ctx context.Context, id string, at time.Time) error
	DeleteSession(ctx context.Context, id string) error
	DeleteUserSessions(ctx context.Context, username string) error
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error)
}
