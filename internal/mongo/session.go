package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/academy/academy/internal/academy"
)

// SessionService stores sessions keyed by the hash of their token.
type SessionService struct{ db *DB }

var _ academy.SessionService = (*SessionService)(nil)

// NewSessionService returns the session store.
func NewSessionService(db *DB) *SessionService { return &SessionService{db: db} }

// CreateSession inserts s.
func (s *SessionService) CreateSession(ctx context.Context, sess *academy.Session) error {
	_, err := s.db.c("sessions").InsertOne(ctx, sess)
	return FormatError(err)
}

// FindSession reads a session by ID.
func (s *SessionService) FindSession(ctx context.Context, id string) (*academy.Session, error) {
	var sess academy.Session
	if err := s.db.c("sessions").FindOne(ctx, bson.M{"_id": id}).Decode(&sess); err != nil {
		return nil, FormatError(err)
	}
	return &sess, nil
}

// TouchSession records activity, extending the idle expiry.
func (s *SessionService) TouchSession(ctx context.Context, id string, at time.Time) error {
	_, err := s.db.c("sessions").UpdateOne(ctx, bson.M{"_id": id}, bson.M{"$set": bson.M{"last_seen": at}})
	return FormatError(err)
}

// DeleteSession removes one session.
func (s *SessionService) DeleteSession(ctx context.Context, id string) error {
	_, err := s.db.c("sessions").DeleteOne(ctx, bson.M{"_id": id})
	return FormatError(err)
}

// DeleteUserSessions removes every session of a user.
func (s *SessionService) DeleteUserSessions(ctx context.Context, username string) error {
	_, err := s.db.c("sessions").DeleteMany(ctx, bson.M{"username": academy.UserID(username)})
	return FormatError(err)
}

// DeleteExpiredSessions removes sessions past their absolute or idle expiry.
func (s *SessionService) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	res, err := s.db.c("sessions").DeleteMany(ctx, bson.M{"$or": bson.A{
		bson.M{"expires_at": bson.M{"$lte": now}},
		bson.M{"last_seen": bson.M{"$lte": now.Add(-academy.SessionIdleTimeout)}},
	}})
	if err != nil {
		return 0, FormatError(err)
	}
	return int(res.DeletedCount), nil
}
