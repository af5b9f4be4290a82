package mongo

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/academy/academy/internal/academy"
)

// QuizService stores quizzes, one document each with its questions.
type QuizService struct{ db *DB }

var _ academy.QuizService = (*QuizService)(nil)

// NewQuizService returns the quiz store.
func NewQuizService(db *DB) *QuizService { return &QuizService{db: db} }

// FindQuiz reads a quiz.
func (s *QuizService) FindQuiz(ctx context.Context, slug string) (*academy.Quiz, error) {
	var q academy.Quiz
	if err := s.db.c("quizzes").FindOne(ctx, bson.M{"_id": slug}).Decode(&q); err != nil {
		err = FormatError(err)
		if academy.ErrorCode(err) == academy.ENOTFOUND {
			return nil, academy.Errorf(academy.ENOTFOUND, "测验 %q 不存在 / quiz %q not found", slug, slug)
		}
		return nil, err
	}
	return &q, nil
}

// ListQuizzes reads every quiz.
func (s *QuizService) ListQuizzes(ctx context.Context) ([]*academy.Quiz, error) {
	cur, err := s.db.c("quizzes").Find(ctx, bson.M{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, FormatError(err)
	}
	var out []*academy.Quiz
	if err := cur.All(ctx, &out); err != nil {
		return nil, FormatError(err)
	}
	return out, nil
}

// SaveQuiz writes q if the stored quiz is at revision prev (0: absent). A
// marker with the unique _id "slug@revision" is the compare-and-swap: of two
// writers of the same revision only one inserts it.
func (s *QuizService) SaveQuiz(ctx context.Context, q *academy.Quiz, prev int) error {
	stale := academy.Errorf(academy.ECONFLICT, "测验 %q 已被他人修改 / quiz %q changed meanwhile", q.Slug, q.Slug)
	if q.Revision != prev {
		marker := bson.M{"_id": academy.RevisionID(q.Slug, q.Revision), "at": s.db.Now(), "by": q.UpdatedBy}
		if _, err := s.db.c("quiz_revisions").InsertOne(ctx, marker); err != nil {
			if academy.ErrorCode(FormatError(err)) == academy.ECONFLICT {
				return stale
			}
			return FormatError(err)
		}
	}
	if prev == 0 {
		if _, err := s.db.c("quizzes").InsertOne(ctx, q); err != nil {
			if academy.ErrorCode(FormatError(err)) == academy.ECONFLICT {
				return stale
			}
			return FormatError(err)
		}
		return nil
	}
	res, err := s.db.c("quizzes").ReplaceOne(ctx, bson.M{"_id": q.Slug}, q)
	if err != nil {
		return FormatError(err)
	}
	if res.MatchedCount == 0 {
		return stale
	}
	return nil
}

// SetQuizStatus archives or reactivates a quiz.
func (s *QuizService) SetQuizStatus(ctx context.Context, slug, status string) error {
	res, err := s.db.c("quizzes").UpdateOne(ctx, bson.M{"_id": slug}, bson.M{"$set": bson.M{"status": status, "updated_at": s.db.Now()}})
	if err != nil {
		return FormatError(err)
	}
	if res.MatchedCount == 0 {
		return academy.Errorf(academy.ENOTFOUND, "测验 %q 不存在 / quiz %q not found", slug, slug)
	}
	return nil
}
