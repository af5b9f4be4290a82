package mongo

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/academy/academy/internal/academy"
)

// CaseStore stores training cases; there are few, made by trainers.
type CaseStore struct{ db *DB }

var _ academy.CaseStore = (*CaseStore)(nil)

// NewCaseStore returns the training case store.
func NewCaseStore(db *DB) *CaseStore { return &CaseStore{db: db} }

// InsertCase stores a case.
func (s *CaseStore) InsertCase(ctx context.Context, c *academy.TrainingCase) error {
	_, err := s.db.c("training_cases").InsertOne(ctx, c)
	return FormatError(err)
}

// FindCase reads a case.
func (s *CaseStore) FindCase(ctx context.Context, id string) (*academy.TrainingCase, error) {
	var c academy.TrainingCase
	if err := s.db.c("training_cases").FindOne(ctx, bson.M{"_id": id}).Decode(&c); err != nil {
		err = FormatError(err)
		if academy.ErrorCode(err) == academy.ENOTFOUND {
			return nil, academy.CaseNotFound(id)
		}
		return nil, err
	}
	return &c, nil
}

// ListCases returns every case, newest first.
func (s *CaseStore) ListCases(ctx context.Context) ([]*academy.TrainingCase, error) {
	cur, err := s.db.c("training_cases").Find(ctx, bson.M{}, options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}}))
	if err != nil {
		return nil, FormatError(err)
	}
	var out []*academy.TrainingCase
	if err := cur.All(ctx, &out); err != nil {
		return nil, FormatError(err)
	}
	return out, nil
}
