package mongo

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/academy/academy/internal/academy"
)

// CourseService stores courses (one document each, lessons and assets
// inside), their revision snapshots and lesson drafts.
type CourseService struct{ db *DB }

var _ academy.CourseService = (*CourseService)(nil)

// NewCourseService returns the course store.
func NewCourseService(db *DB) *CourseService { return &CourseService{db: db} }

// FindCourse reads a course by slug.
func (s *CourseService) FindCourse(ctx context.Context, slug string) (*academy.Course, error) {
	var c academy.Course
	if err := s.db.c("courses").FindOne(ctx, bson.M{"_id": slug}).Decode(&c); err != nil {
		err = FormatError(err)
		if academy.ErrorCode(err) == academy.ENOTFOUND {
			return nil, academy.Errorf(academy.ENOTFOUND, "课程 %q 不存在 / course %q not found", slug, slug)
		}
		return nil, err
	}
	return &c, nil
}

// ListCourses reads every course in catalog order.
func (s *CourseService) ListCourses(ctx context.Context) ([]*academy.Course, error) {
	cur, err := s.db.c("courses").Find(ctx, bson.M{}, options.Find().SetSort(bson.D{{Key: "order", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, FormatError(err)
	}
	var out []*academy.Course
	if err := cur.All(ctx, &out); err != nil {
		return nil, FormatError(err)
	}
	return out, nil
}

// SaveCourse writes c if the stored revision is prev. The revision snapshot
// goes first: its _id ("slug@n") is unique, so of two racing writers of the
// same revision only one gets past it. Writes without a new revision (an
// import that only records its source) are the importer's alone.
func (s *CourseService) SaveCourse(ctx context.Context, c *academy.Course, prev int, rev *academy.Revision) error {
	stale := academy.Errorf(academy.ECONFLICT, "课程 %q 已被他人修改 / course %q changed meanwhile", c.Slug, c.Slug)
	if rev != nil {
		rev.ID, rev.Course, rev.Number, rev.Snapshot = academy.RevisionID(c.Slug, c.Revision), c.Slug, c.Revision, *c
		if _, err := s.db.c("course_revisions").InsertOne(ctx, rev); err != nil {
			if academy.ErrorCode(FormatError(err)) == academy.ECONFLICT {
				return stale
			}
			return FormatError(err)
		}
	}
	undo := func() {
		if rev != nil {
			_, _ = s.db.c("course_revisions").DeleteOne(context.WithoutCancel(ctx), bson.M{"_id": rev.ID})
		}
	}
	if prev == 0 {
		if _, err := s.db.c("courses").InsertOne(ctx, c); err != nil {
			undo()
			if academy.ErrorCode(FormatError(err)) == academy.ECONFLICT {
				return stale
			}
			return FormatError(err)
		}
		return nil
	}
	// The revision insert above was the compare-and-swap; a filter on the
	// revision field here would make the embedded store scan every course.
	if rev == nil {
		cur, err := s.FindCourse(ctx, c.Slug)
		if err != nil {
			return err
		}
		if cur.Revision != prev {
			return stale
		}
	}
	res, err := s.db.c("courses").ReplaceOne(ctx, bson.M{"_id": c.Slug}, c)
	if err != nil {
		undo()
		return FormatError(err)
	}
	if res.MatchedCount == 0 {
		undo()
		return stale
	}
	return nil
}

// SetCourseStatus archives or reactivates a course.
func (s *CourseService) SetCourseStatus(ctx context.Context, slug, status string) error {
	res, err := s.db.c("courses").UpdateOne(ctx, bson.M{"_id": slug}, bson.M{"$set": bson.M{"status": status, "updated_at": s.db.Now()}})
	if err != nil {
		return FormatError(err)
	}
	if res.MatchedCount == 0 {
		return academy.Errorf(academy.ENOTFOUND, "课程 %q 不存在 / course %q not found", slug, slug)
	}
	return nil
}

// ListRevisions returns a course's revisions, newest first, without their
// snapshots.
func (s *CourseService) ListRevisions(ctx context.Context, slug string) ([]*academy.Revision, error) {
	cur, err := s.db.c("course_revisions").Find(ctx, bson.M{"course": slug},
		options.Find().SetSort(bson.D{{Key: "number", Value: -1}}).SetProjection(bson.M{"snapshot": 0}))
	if err != nil {
		return nil, FormatError(err)
	}
	var out []*academy.Revision
	if err := cur.All(ctx, &out); err != nil {
		return nil, FormatError(err)
	}
	return out, nil
}

// FindRevision reads one revision with its snapshot.
func (s *CourseService) FindRevision(ctx context.Context, slug string, n int) (*academy.Revision, error) {
	var r academy.Revision
	if err := s.db.c("course_revisions").FindOne(ctx, bson.M{"_id": academy.RevisionID(slug, n)}).Decode(&r); err != nil {
		err = FormatError(err)
		if academy.ErrorCode(err) == academy.ENOTFOUND {
			return nil, academy.Errorf(academy.ENOTFOUND, "课程 %q 没有第 %d 版 / course %q has no revision %d", slug, n, slug, n)
		}
		return nil, err
	}
	return &r, nil
}

// SaveDraft creates or replaces the draft of a lesson.
func (s *CourseService) SaveDraft(ctx context.Context, d *academy.Draft) error {
	_, err := s.db.c("drafts").ReplaceOne(ctx, bson.M{"_id": d.ID}, d, options.Replace().SetUpsert(true))
	return FormatError(err)
}

// FindDraft reads the draft of a lesson.
func (s *CourseService) FindDraft(ctx context.Context, course, lesson string) (*academy.Draft, error) {
	var d academy.Draft
	if err := s.db.c("drafts").FindOne(ctx, bson.M{"_id": academy.DraftID(course, lesson)}).Decode(&d); err != nil {
		return nil, FormatError(err)
	}
	return &d, nil
}

// ListDrafts returns the drafts of a course, or of every course when
// course is "".
func (s *CourseService) ListDrafts(ctx context.Context, course string) ([]*academy.Draft, error) {
	filter := bson.M{"course": course}
	if course == "" {
		filter = bson.M{}
	}
	cur, err := s.db.c("drafts").Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, FormatError(err)
	}
	var out []*academy.Draft
	if err := cur.All(ctx, &out); err != nil {
		return nil, FormatError(err)
	}
	return out, nil
}

// DeleteDraft removes the draft of a lesson.
func (s *CourseService) DeleteDraft(ctx context.Context, course, lesson string) error {
	res, err := s.db.c("drafts").DeleteOne(ctx, bson.M{"_id": academy.DraftID(course, lesson)})
	if err != nil {
		return FormatError(err)
	}
	if res.DeletedCount == 0 {
		return academy.Errorf(academy.ENOTFOUND, "没有草稿 / no draft")
	}
	return nil
}

// ContentVersion reads the content counter (0 before any content).
func (s *CourseService) ContentVersion(ctx context.Context) (int64, error) {
	var v struct {
		V int64 `bson:"v"`
	}
	err := s.db.c("meta").FindOne(ctx, bson.M{"_id": "content_version"}).Decode(&v)
	if err != nil && academy.ErrorCode(FormatError(err)) != academy.ENOTFOUND {
		return 0, FormatError(err)
	}
	return v.V, nil
}

// BumpContentVersion increments the content counter atomically.
func (s *CourseService) BumpContentVersion(ctx context.Context) (int64, error) {
	var v struct {
		V int64 `bson:"v"`
	}
	err := upsert(func() error {
		return s.db.c("meta").FindOneAndUpdate(ctx, bson.M{"_id": "content_version"}, bson.M{"$inc": bson.M{"v": 1}},
			options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&v)
	})
	return v.V, FormatError(err)
}
