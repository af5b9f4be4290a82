package mongo

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/deskrules"
)

// DeskRulesStore keeps desk-rules revisions ("desk_rule_revisions", one
// immutable document each) and the revision in force per scope
// ("desk_rules", read by _id whenever a desk opens).
type DeskRulesStore struct{ db *DB }

var _ deskrules.Store = (*DeskRulesStore)(nil)

// NewDeskRulesStore returns the desk-rules store.
func NewDeskRulesStore(db *DB) *DeskRulesStore { return &DeskRulesStore{db: db} }

type deskRulesHead struct {
	ID  string `bson:"_id"`
	Rev string `bson:"rev"`
	Seq int    `bson:"seq"`
}

// headKey keeps the company's head apart from any site's.
func headKey(scope string) string {
	if scope == deskrules.Company {
		return "company"
	}
	return "site:" + scope
}

// Head returns the revision in force for scope.
func (s *DeskRulesStore) Head(ctx context.Context, scope string) (string, int, error) {
	var h deskRulesHead
	err := s.db.c("desk_rules").FindOne(ctx, bson.M{"_id": headKey(scope)}).Decode(&h)
	if err = FormatError(err); err != nil {
		if academy.ErrorCode(err) == academy.ENOTFOUND {
			return "", 0, nil
		}
		return "", 0, err
	}
	return h.Rev, h.Seq, nil
}

// Publish inserts r, whose id is unique per scope and number, so that of
// two saves from the same head one fails; then moves the head forward.
func (s *DeskRulesStore) Publish(ctx context.Context, r *deskrules.Revision) error {
	if _, err := s.db.c("desk_rule_revisions").InsertOne(ctx, r); err != nil {
		return FormatError(err)
	}
	_, err := s.db.c("desk_rules").ReplaceOne(ctx, bson.M{"_id": headKey(r.Scope), "seq": bson.M{"$lt": r.Seq}},
		deskRulesHead{ID: headKey(r.Scope), Rev: r.ID, Seq: r.Seq}, options.Replace().SetUpsert(true))
	return FormatError(err)
}

// FindRevision reads a revision.
func (s *DeskRulesStore) FindRevision(ctx context.Context, id string) (*deskrules.Revision, error) {
	var r deskrules.Revision
	if err := s.db.c("desk_rule_revisions").FindOne(ctx, bson.M{"_id": id}).Decode(&r); err != nil {
		if err = FormatError(err); academy.ErrorCode(err) == academy.ENOTFOUND {
			return nil, academy.Errorf(academy.ENOTFOUND, "工单规则版本 %q 不存在 / desk rules revision %q not found", id, id)
		}
		return nil, err
	}
	return &r, nil
}

// ListRevisions lists a scope's revisions, newest first, without text.
func (s *DeskRulesStore) ListRevisions(ctx context.Context, scope string) ([]*deskrules.Revision, error) {
	cur, err := s.db.c("desk_rule_revisions").Find(ctx, bson.M{"scope": scope},
		options.Find().SetSort(bson.D{{Key: "seq", Value: -1}}).SetProjection(bson.M{"yaml": 0}))
	if err != nil {
		return nil, FormatError(err)
	}
	var out []*deskrules.Revision
	return out, FormatError(cur.All(ctx, &out))
}
