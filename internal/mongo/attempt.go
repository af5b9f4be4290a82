package mongo

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/academy/academy/internal/academy"
)

// AttemptService stores attempts (one document each, questions and answers
// inside), the list of open attempts for the expiry sweep, and one quiz
// record per learner.
type AttemptService struct{ db *DB }

var _ academy.AttemptService = (*AttemptService)(nil)

// NewAttemptService returns the attempt store.
func NewAttemptService(db *DB) *AttemptService { return &AttemptService{db: db} }

// InsertAttempt stores a and lists it as open. The open list is small (only
// attempts in progress), so the sweep never scans finished attempts.
func (s *AttemptService) InsertAttempt(ctx context.Context, a *academy.Attempt) error {
	if _, err := s.db.c("attempts").InsertOne(ctx, a); err != nil {
		return FormatError(err)
	}
	_, err := s.db.c("open_attempts").InsertOne(ctx, academy.OpenAttempt{ID: a.ID, Deadline: a.Deadline, LastActivity: a.LastActivity})
	return FormatError(err)
}

// FindAttempt reads an attempt.
func (s *AttemptService) FindAttempt(ctx context.Context, id string) (*academy.Attempt, error) {
	var a academy.Attempt
	if err := s.db.c("attempts").FindOne(ctx, bson.M{"_id": id}).Decode(&a); err != nil {
		return nil, FormatError(err)
	}
	if a.Answers == nil {
		a.Answers = map[string]academy.Response{}
	}
	return &a, nil
}

// DeleteAttempt removes an attempt that lost a start race.
func (s *AttemptService) DeleteAttempt(ctx context.Context, id string) error {
	if _, err := s.db.c("open_attempts").DeleteOne(ctx, bson.M{"_id": id}); err != nil {
		return FormatError(err)
	}
	_, err := s.db.c("attempts").DeleteOne(ctx, bson.M{"_id": id})
	return FormatError(err)
}

// SaveAnswers replaces the answers if the attempt is still in progress at
// answers version from.
func (s *AttemptService) SaveAnswers(ctx context.Context, id string, from int, answers map[string]academy.Response, at time.Time) error {
	res, err := s.db.c("attempts").UpdateOne(ctx,
		bson.M{"_id": id, "state": academy.AttemptInProgress, "answers_version": from},
		bson.M{"$set": bson.M{"answers": answers, "answers_version": from + 1, "last_activity": at}})
	if err != nil {
		return FormatError(err)
	}
	if res.MatchedCount == 0 {
		return academy.Errorf(academy.ECONFLICT, "attempt %s changed meanwhile", id)
	}
	_, err = s.db.c("open_attempts").UpdateOne(ctx, bson.M{"_id": id}, bson.M{"$set": bson.M{"last_activity": at}})
	return FormatError(err)
}

// FinishAttempt writes the final state with a single conditional update,
// which is what makes a double submit grade once.
func (s *AttemptService) FinishAttempt(ctx context.Context, a *academy.Attempt, from int) error {
	res, err := s.db.c("attempts").UpdateOne(ctx,
		bson.M{"_id": a.ID, "state": academy.AttemptInProgress, "answers_version": from},
		bson.M{"$set": bson.M{"state": a.State, "submitted_at": a.SubmittedAt, "score": a.Score, "max": a.Max,
			"percent": a.Percent, "passed": a.Passed, "results": a.Results, "transitions": a.Transitions}})
	if err != nil {
		return FormatError(err)
	}
	if res.MatchedCount == 0 {
		return academy.Errorf(academy.ECONFLICT, "attempt %s is no longer in progress", a.ID)
	}
	_, err = s.db.c("open_attempts").DeleteOne(ctx, bson.M{"_id": a.ID})
	return FormatError(err)
}

// FindRecord reads a learner's quiz record; none yet is an empty one.
func (s *AttemptService) FindRecord(ctx context.Context, username string) (*academy.QuizRecord, error) {
	r := &academy.QuizRecord{Username: academy.UserID(username)}
	err := s.db.c("quiz_records").FindOne(ctx, bson.M{"_id": r.Username}).Decode(r)
	if err != nil && academy.ErrorCode(FormatError(err)) != academy.ENOTFOUND {
		return nil, FormatError(err)
	}
	if r.Quizzes == nil {
		r.Quizzes = map[string]*academy.QuizHistory{}
	}
	return r, nil
}

func quizPath(quiz string) (string, error) {
	if !academy.ValidSlug(quiz) {
		return "", academy.Errorf(academy.EINVALID, "quiz: %q is not a valid slug", quiz)
	}
	return "quizzes." + quiz, nil
}

// ReserveAttempt appends an attempt summary if the history still has count
// attempts. For the first attempt the filter asks for a missing counter;
// when the record does not exist yet the upsert creates it, and when
// another start got there first the upsert's insert hits the existing _id:
// both losing cases surface as ECONFLICT.
func (s *AttemptService) ReserveAttempt(ctx context.Context, username, quiz string, count int, sum academy.AttemptSummary) error {
	p, err := quizPath(quiz)
	if err != nil {
		return err
	}
	filter := bson.M{"_id": academy.UserID(username), p + ".count": count}
	if count == 0 {
		filter[p+".count"] = bson.M{"$exists": false}
	}
	res, err := s.db.c("quiz_records").UpdateOne(ctx, filter,
		bson.M{"$inc": bson.M{p + ".count": 1}, "$push": bson.M{p + ".attempts": sum}}, options.UpdateOne().SetUpsert(true))
	if err != nil {
		err = FormatError(err)
		if academy.ErrorCode(err) == academy.ECONFLICT {
			return academy.Errorf(academy.ECONFLICT, "another attempt started meanwhile")
		}
		return err
	}
	if res.MatchedCount == 0 && res.UpsertedCount == 0 {
		return academy.Errorf(academy.ECONFLICT, "another attempt started meanwhile")
	}
	return nil
}

// UpdateSummary replaces the summary of attempt number s.Number.
func (s *AttemptService) UpdateSummary(ctx context.Context, username, quiz string, sum academy.AttemptSummary) error {
	p, err := quizPath(quiz)
	if err != nil {
		return err
	}
	_, err = s.db.c("quiz_records").UpdateOne(ctx, bson.M{"_id": academy.UserID(username)},
		bson.M{"$set": bson.M{fmt.Sprintf("%s.attempts.%d", p, sum.Number-1): sum}})
	return FormatError(err)
}

// ListOpenAttempts returns the attempts in progress.
func (s *AttemptService) ListOpenAttempts(ctx context.Context) ([]academy.OpenAttempt, error) {
	cur, err := s.db.c("open_attempts").Find(ctx, bson.M{})
	if err != nil {
		return nil, FormatError(err)
	}
	var out []academy.OpenAttempt
	if err := cur.All(ctx, &out); err != nil {
		return nil, FormatError(err)
	}
	return out, nil
}

// ListFinishedAttempts returns the graded attempts of a quiz.
func (s *AttemptService) ListFinishedAttempts(ctx context.Context, quiz string) ([]*academy.Attempt, error) {
	cur, err := s.db.c("attempts").Find(ctx, bson.M{"quiz": quiz, "state": bson.M{"$in": bson.A{academy.AttemptSubmitted, academy.AttemptExpired}}})
	if err != nil {
		return nil, FormatError(err)
	}
	var out []*academy.Attempt
	if err := cur.All(ctx, &out); err != nil {
		return nil, FormatError(err)
	}
	return out, nil
}
