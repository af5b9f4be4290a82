package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/academy/academy/internal/academy"
)

// ProgressService stores one progress document per learner. Course and
// lesson slugs are safe as field names (lowercase letters, digits, '-').
type ProgressService struct{ db *DB }

var _ academy.ProgressService = (*ProgressService)(nil)

// NewProgressService returns the progress store.
func NewProgressService(db *DB) *ProgressService { return &ProgressService{db: db} }

// FindProgress reads a learner's progress; a learner without any gets an
// empty document.
func (s *ProgressService) FindProgress(ctx context.Context, username string) (*academy.Progress, error) {
	p := &academy.Progress{Username: academy.UserID(username)}
	err := s.db.c("progress").FindOne(ctx, bson.M{"_id": p.Username}).Decode(p)
	if err != nil && academy.ErrorCode(FormatError(err)) != academy.ENOTFOUND {
		return nil, FormatError(err)
	}
	if p.Courses == nil {
		p.Courses = map[string]*academy.CourseProgress{}
	}
	return p, nil
}

func slugPath(parts ...string) (string, error) {
	path := "courses"
	for _, p := range parts {
		if !academy.ValidSlug(p) {
			return "", academy.Errorf(academy.EINVALID, "slug: %q 不是有效的标识 / %q is not a valid slug", p, p)
		}
		path += "." + p
	}
	return path, nil
}

// CompleteLesson marks a lesson done. $min keeps the first completion time,
// so repeating the call changes nothing.
func (s *ProgressService) CompleteLesson(ctx context.Context, username, course, lesson string, at time.Time) (*academy.Progress, error) {
	base, err := slugPath(course)
	if err != nil {
		return nil, err
	}
	if !academy.ValidSlug(lesson) {
		return nil, academy.Errorf(academy.EINVALID, "lesson: %q 不是有效的标识 / %q is not a valid slug", lesson, lesson)
	}
	p := &academy.Progress{}
	err = upsert(func() error {
		return s.db.c("progress").FindOneAndUpdate(ctx, bson.M{"_id": academy.UserID(username)},
			bson.M{"$min": bson.M{base + ".completed." + lesson: at}, "$set": bson.M{base + ".last": lesson}},
			options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(p)
	})
	if err != nil {
		return nil, FormatError(err)
	}
	return p, nil
}

// SetCourseCompleted records the completion time of a course, keeping the
// first one.
func (s *ProgressService) SetCourseCompleted(ctx context.Context, username, course string, at time.Time) error {
	base, err := slugPath(course)
	if err != nil {
		return err
	}
	err = upsert(func() error {
		_, err := s.db.c("progress").UpdateOne(ctx, bson.M{"_id": academy.UserID(username)},
			bson.M{"$min": bson.M{base + ".completed_at": at}}, options.UpdateOne().SetUpsert(true))
		return err
	})
	return FormatError(err)
}

// SavePosition records how far down a lesson the learner has read.
func (s *ProgressService) SavePosition(ctx context.Context, username, course, lesson string, share float64) error {
	base, err := slugPath(course)
	if err != nil {
		return err
	}
	if !academy.ValidSlug(lesson) {
		return academy.Errorf(academy.EINVALID, "lesson: %q 不是有效的标识 / %q is not a valid slug", lesson, lesson)
	}
	err = upsert(func() error {
		_, err := s.db.c("progress").UpdateOne(ctx, bson.M{"_id": academy.UserID(username)},
			bson.M{"$set": bson.M{base + ".position." + lesson: share, base + ".last": lesson}}, options.UpdateOne().SetUpsert(true))
		return err
	})
	return FormatError(err)
}

// ListProgress reads the progress of several learners.
func (s *ProgressService) ListProgress(ctx context.Context, usernames []string) ([]*academy.Progress, error) {
	return findIDs(ctx, s.db.c("progress"), usernames, func(p *academy.Progress) string { return p.Username })
}
