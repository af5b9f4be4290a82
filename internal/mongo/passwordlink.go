package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/academy/academy/internal/academy"
)

// PasswordLinkService stores set-password links keyed by their token's hash.
type PasswordLinkService struct{ db *DB }

var _ academy.PasswordLinkService = (*PasswordLinkService)(nil)

// NewPasswordLinkService returns the set-password link store.
func NewPasswordLinkService(db *DB) *PasswordLinkService { return &PasswordLinkService{db: db} }

// CreatePasswordLink inserts l.
func (s *PasswordLinkService) CreatePasswordLink(ctx context.Context, l *academy.PasswordLink) error {
	_, err := s.db.c("password_links").InsertOne(ctx, l)
	return FormatError(err)
}

// FindPasswordLink reads a link by ID.
func (s *PasswordLinkService) FindPasswordLink(ctx context.Context, id string) (*academy.PasswordLink, error) {
	var l academy.PasswordLink
	if err := s.db.c("password_links").FindOne(ctx, bson.M{"_id": id}).Decode(&l); err != nil {
		return nil, FormatError(err)
	}
	return &l, nil
}

// TakePasswordLink deletes a link and returns it: the delete is the
// single-use guard, one document and atomic on both stores.
func (s *PasswordLinkService) TakePasswordLink(ctx context.Context, id string) (*academy.PasswordLink, error) {
	var l academy.PasswordLink
	if err := s.db.c("password_links").FindOneAndDelete(ctx, bson.M{"_id": id}).Decode(&l); err != nil {
		return nil, FormatError(err)
	}
	return &l, nil
}

// DeleteExpiredPasswordLinks removes links past their expiry: a link
// handed out and never used would otherwise stay for good (a used one is
// deleted when taken).
func (s *PasswordLinkService) DeleteExpiredPasswordLinks(ctx context.Context, now time.Time) (int, error) {
	res, err := s.db.c("password_links").DeleteMany(ctx, bson.M{"expires_at": bson.M{"$lte": now}})
	if err != nil {
		return 0, FormatError(err)
	}
	return int(res.DeletedCount), nil
}
