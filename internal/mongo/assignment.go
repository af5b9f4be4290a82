package mongo

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/academy/academy/internal/academy"
)

// AssignmentService stores assignments. There are few (one per course and
// cohort), so listing all of them is the access path.
type AssignmentService struct{ db *DB }

var _ academy.AssignmentService = (*AssignmentService)(nil)

// NewAssignmentService returns the assignment store.
func NewAssignmentService(db *DB) *AssignmentService { return &AssignmentService{db: db} }

// CreateAssignment inserts a, giving it an id.
func (s *AssignmentService) CreateAssignment(ctx context.Context, a *academy.Assignment) error {
	if a.ID == "" {
		a.ID = bson.NewObjectID().Hex()
	}
	_, err := s.db.c("assignments").InsertOne(ctx, a)
	return FormatError(err)
}

// ListAssignments returns every assignment by due date.
func (s *AssignmentService) ListAssignments(ctx context.Context) ([]*academy.Assignment, error) {
	cur, err := s.db.c("assignments").Find(ctx, bson.M{}, options.Find().SetSort(bson.D{{Key: "due", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, FormatError(err)
	}
	var out []*academy.Assignment
	if err := cur.All(ctx, &out); err != nil {
		return nil, FormatError(err)
	}
	return out, nil
}

// DeleteAssignment removes an assignment.
func (s *AssignmentService) DeleteAssignment(ctx context.Context, id string) error {
	res, err := s.db.c("assignments").DeleteOne(ctx, bson.M{"_id": id})
	if err != nil {
		return FormatError(err)
	}
	if res.DeletedCount == 0 {
		return academy.Errorf(academy.ENOTFOUND, "assignment %q not found", id)
	}
	return nil
}
