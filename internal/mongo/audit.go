package mongo

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/academy/academy/internal/academy"
)

// AuditService appends audit events; they are never updated or deleted.
type AuditService struct{ db *DB }

var _ academy.AuditService = (*AuditService)(nil)

// NewAuditService returns the audit store.
func NewAuditService(db *DB) *AuditService { return &AuditService{db: db} }

// RecordAudit appends e, giving it a time-ordered ID.
func (s *AuditService) RecordAudit(ctx context.Context, e *academy.AuditEvent) error {
	if e.ID == "" {
		e.ID = bson.NewObjectID().Hex()
	}
	if e.Time.IsZero() {
		e.Time = s.db.Now()
	}
	_, err := s.db.c("audit").InsertOne(ctx, e)
	return FormatError(err)
}

// ListAudit returns one page of events, newest first, and the total.
func (s *AuditService) ListAudit(ctx context.Context, f academy.AuditFilter) ([]*academy.AuditEvent, int, error) {
	filter := bson.M{}
	if f.Action != "" {
		filter["action"] = f.Action
	}
	if f.Actor != "" {
		filter["actor"] = f.Actor
	}
	if f.Target != "" {
		filter["target"] = f.Target
	}
	total, err := s.db.c("audit").CountDocuments(ctx, filter)
	if err != nil {
		return nil, 0, FormatError(err)
	}
	off, lim := academy.ClampPage(f.Offset, f.Limit)
	cur, err := s.db.c("audit").Find(ctx, filter, options.Find().
		SetSort(bson.D{{Key: "time", Value: -1}, {Key: "_id", Value: -1}}).SetSkip(int64(off)).SetLimit(int64(lim)))
	if err != nil {
		return nil, 0, FormatError(err)
	}
	var out []*academy.AuditEvent
	if err := cur.All(ctx, &out); err != nil {
		return nil, 0, FormatError(err)
	}
	return out, int(total), nil
}
