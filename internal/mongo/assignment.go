package mongo

import (
	"context"
	"time"

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

// assignmentDoc reads the stored form, including the fields of the first
// version, which assigned only courses, by a due instant.
type assignmentDoc struct {
	academy.Assignment `bson:",inline"`
	Course             string    `bson:"course,omitempty"`
	DueAt              time.Time `bson:"due,omitempty"`
}

// current turns a first-version document into a course assignment due on
// the day of its due instant.
func (d *assignmentDoc) current() *academy.Assignment {
	a := d.Assignment
	if a.Kind == "" {
		a.Kind, a.Ref = academy.AssignCourse, d.Course
	}
	if a.Due.Date == "" && a.Due.DaysAfterHire == 0 && !d.DueAt.IsZero() {
		// The first version computed the due instant in the server's
		// zone, so the server's zone gives its day back.
		a.Due.Date = academy.DateOf(d.DueAt, time.Local)
	}
	return &a
}

// CreateAssignment inserts a, giving it an id.
func (s *AssignmentService) CreateAssignment(ctx context.Context, a *academy.Assignment) error {
	if a.ID == "" {
		a.ID = bson.NewObjectID().Hex()
	}
	_, err := s.db.c("assignments").InsertOne(ctx, a)
	return FormatError(err)
}

// ListAssignments returns every assignment, oldest first.
func (s *AssignmentService) ListAssignments(ctx context.Context) ([]*academy.Assignment, error) {
	cur, err := s.db.c("assignments").Find(ctx, bson.M{}, options.Find().SetSort(bson.D{{Key: "created_at", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, FormatError(err)
	}
	var docs []*assignmentDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, FormatError(err)
	}
	out := make([]*academy.Assignment, len(docs))
	for i, d := range docs {
		out[i] = d.current()
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
		return academy.Errorf(academy.ENOTFOUND, "指派 %q 不存在 / assignment %q not found", id, id)
	}
	return nil
}
