package mongo

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/academy/academy/internal/academy"
)

// AttemptService stores attempts (one document each, questions by reference),
// the answers of open attempts, the open list for the expiry sweep, the
// slot and closing markers, and one quiz record per learner. The embedded
// store pushes only a bare _id filter down to SQLite, so every read and
// write here is by _id; conditions are marker inserts, never filters.
type AttemptService struct {
	db      *DB
	frozen  *frozen[academy.Question]
	digests memo[string] // by digestKey
}

var _ academy.AttemptService = (*AttemptService)(nil)

// NewAttemptService returns the attempt store.
func NewAttemptService(db *DB) *AttemptService {
	return &AttemptService{db: db, frozen: &frozen[academy.Question]{db: db, coll: "frozen_questions"}}
}

// attemptDoc is an attempt as stored: its questions are references to
// frozen_questions, and the references, the answers and the grades are
// packed into one binary field (the BSON of packedAttempt). The embedded
// store writes the type of every field of every nested document beside
// it and decodes it all on each read, which made a closed attempt of 24
// questions 20 KB and its reads and its close the dearest commands of an
// exam; packed, they are one opaque value. The fields that queries and
// indexes use (username, quiz, state) stay plain. Attempts stored before
// packing keep their references, or before those their questions, in
// fields of their own, and read as they are.
type attemptDoc struct {
	academy.Attempt `bson:",inline"`
	Refs            []questionRef `bson:"refs,omitempty"`
	Packed          []byte        `bson:"packed,omitempty"`
}

// packedAttempt is what attemptDoc.Packed holds.
type packedAttempt struct {
	Refs    []questionRef               `bson:"refs"`
	Answers map[string]academy.Response `bson:"answers,omitempty"`
	Results []academy.QuestionResult    `bson:"results,omitempty"`
}

func (s *AttemptService) doc(ctx context.Context, a *academy.Attempt) (*attemptDoc, error) {
	refs, err := s.questionRefs(ctx, a.Questions)
	if err != nil {
		return nil, err
	}
	packed, err := bson.Marshal(packedAttempt{Refs: refs, Answers: a.Answers, Results: a.Results})
	if err != nil {
		return nil, academy.Errorf(academy.EINTERNAL, "attempt %s: %v", a.ID, err)
	}
	d := &attemptDoc{Attempt: *a, Packed: packed}
	d.Questions, d.Answers, d.Results = nil, nil, nil
	return d, nil
}

func (s *AttemptService) attempt(ctx context.Context, d *attemptDoc) (*academy.Attempt, error) {
	if len(d.Packed) > 0 {
		var p packedAttempt
		if err := bson.Unmarshal(d.Packed, &p); err != nil {
			return nil, fmt.Errorf("attempt %s: %w", d.ID, err)
		}
		d.Refs, d.Answers, d.Results = p.Refs, p.Answers, p.Results
	}
	if len(d.Refs) > 0 {
		qs, err := s.resolveQuestions(ctx, d.Refs)
		if err != nil {
			return nil, fmt.Errorf("attempt %s: %w", d.ID, err)
		}
		d.Questions = qs
	}
	return &d.Attempt, nil
}

func (s *AttemptService) attempts(ctx context.Context, filter bson.M) ([]*academy.Attempt, error) {
	cur, err := s.db.c("attempts").Find(ctx, filter)
	if err != nil {
		return nil, FormatError(err)
	}
	var docs []*attemptDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, FormatError(err)
	}
	out := make([]*academy.Attempt, len(docs))
	for i, d := range docs {
		if out[i], err = s.attempt(ctx, d); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// InsertAttempt stores a and lists it as open. The open list is small (only
// attempts in progress), so the sweep never scans finished attempts.
func (s *AttemptService) InsertAttempt(ctx context.Context, a *academy.Attempt) error {
	d, err := s.doc(ctx, a)
	if err != nil {
		return err
	}
	if err := s.db.c("attempts").write(ctx, mongo.NewInsertOneModel().SetDocument(d)); err != nil {
		return FormatError(err)
	}
	err = s.db.c("open_attempts").write(ctx, mongo.NewInsertOneModel().SetDocument(academy.OpenAttempt{ID: a.ID, Deadline: a.Deadline, LastActivity: a.LastActivity}))
	return FormatError(err)
}

// FindAttempt reads an attempt and, while it is open, its saved answers.
func (s *AttemptService) FindAttempt(ctx context.Context, id string) (*academy.Attempt, error) {
	return academy.ReadAttempt(ctx, s, id)
}

// FindAnswers reads the answers saved for an attempt in progress.
func (s *AttemptService) FindAnswers(ctx context.Context, id string) (map[string]academy.Response, error) {
	var ans answersDoc
	err := s.db.c("attempt_answers").FindOne(ctx, bson.M{"_id": id}).Decode(&ans)
	if err != nil && academy.ErrorCode(FormatError(err)) != academy.ENOTFOUND {
		return nil, FormatError(err)
	}
	return ans.Answers, nil
}

// FindAttemptDoc reads an attempt without the answers of an attempt in
// progress, which are stored apart.
func (s *AttemptService) FindAttemptDoc(ctx context.Context, id string) (*academy.Attempt, error) {
	var d attemptDoc
	if err := s.db.c("attempts").FindOne(ctx, bson.M{"_id": id}).Decode(&d); err != nil {
		return nil, FormatError(err)
	}
	a, err := s.attempt(ctx, &d)
	if err != nil {
		return nil, err
	}
	if a.Answers == nil {
		a.Answers = map[string]academy.Response{}
	}
	return a, nil
}

// DeleteAttempt removes an attempt that lost a start race.
func (s *AttemptService) DeleteAttempt(ctx context.Context, id string) error {
	if _, err := s.db.c("open_attempts").DeleteOne(ctx, bson.M{"_id": id}); err != nil {
		return FormatError(err)
	}
	_, err := s.db.c("attempts").DeleteOne(ctx, bson.M{"_id": id})
	return FormatError(err)
}

// answersDoc holds the answers of an attempt in progress. They live apart
// from the attempt so that saving them never rewrites the attempt document,
// which only its start and its close write.
type answersDoc struct {
	ID      string                      `bson:"_id"`
	Answers map[string]academy.Response `bson:"answers"`
	At      time.Time                   `bson:"at"`
}

// SaveAnswers replaces the saved answers of an attempt.
func (s *AttemptService) SaveAnswers(ctx context.Context, id string, answers map[string]academy.Response, at time.Time, touch bool) error {
	err := s.db.c("attempt_answers").write(ctx, mongo.NewReplaceOneModel().SetFilter(bson.M{"_id": id}).
		SetReplacement(answersDoc{ID: id, Answers: answers, At: at}).SetUpsert(true))
	if err != nil || !touch {
		return FormatError(err)
	}
	err = s.db.c("open_attempts").write(ctx, mongo.NewUpdateOneModel().SetFilter(bson.M{"_id": id}).SetUpdate(bson.M{"$set": bson.M{"last_activity": at}}))
	return FormatError(err)
}

// FindSlot reads who holds attempt number n.
func (s *AttemptService) FindSlot(ctx context.Context, username, quiz string, n int) (string, error) {
	var held slotDoc
	err := s.db.c("attempt_slots").FindOne(ctx, bson.M{"_id": slotID(username, quiz, n)}).Decode(&held)
	return held.Attempt, FormatError(err)
}

func slotID(username, quiz string, n int) string {
	return fmt.Sprintf("%s/%s/%d", academy.UserID(username), quiz, n)
}

type slotDoc struct {
	ID      string `bson:"_id"` // "<user>/<quiz>/<n>"
	Attempt string `bson:"attempt"`
}

// ClaimSlot inserts the slot marker; its unique _id admits one attempt
// per number.
func (s *AttemptService) ClaimSlot(ctx context.Context, username, quiz string, n int, attemptID string) (string, error) {
	id := slotID(username, quiz, n)
	err := s.db.c("attempt_slots").write(ctx, mongo.NewInsertOneModel().SetDocument(slotDoc{ID: id, Attempt: attemptID}))
	if err == nil {
		return attemptID, nil
	}
	if academy.ErrorCode(FormatError(err)) != academy.ECONFLICT {
		return "", FormatError(err)
	}
	var held slotDoc
	if err := s.db.c("attempt_slots").FindOne(ctx, bson.M{"_id": id}).Decode(&held); err != nil {
		return "", FormatError(err)
	}
	return held.Attempt, academy.Errorf(academy.ECONFLICT, "第 %d 次答卷已存在 / attempt %d is taken", n, n)
}

// MarkFinal inserts the closing mark; when one exists, that one wins.
func (s *AttemptService) MarkFinal(ctx context.Context, m academy.FinalMark) (academy.FinalMark, error) {
	err := s.db.c("attempt_final").write(ctx, mongo.NewInsertOneModel().SetDocument(m))
	if err == nil {
		return m, nil
	}
	if academy.ErrorCode(FormatError(err)) != academy.ECONFLICT {
		return m, FormatError(err)
	}
	return s.FindFinal(ctx, m.ID)
}

// FindFinal reads the closing mark of an attempt.
func (s *AttemptService) FindFinal(ctx context.Context, id string) (academy.FinalMark, error) {
	var m academy.FinalMark
	err := s.db.c("attempt_final").FindOne(ctx, bson.M{"_id": id}).Decode(&m)
	return m, FormatError(err)
}

// WriteFinal replaces the attempt with its closed form, marks it closed on
// the open list unless at is zero, and drops its separate answers.
func (s *AttemptService) WriteFinal(ctx context.Context, a *academy.Attempt, at time.Time) error {
	d, err := s.doc(ctx, a)
	if err != nil {
		return err
	}
	if err := s.db.c("attempts").write(ctx, mongo.NewReplaceOneModel().SetFilter(bson.M{"_id": a.ID}).SetReplacement(d)); err != nil {
		return FormatError(err)
	}
	if !at.IsZero() {
		if err := s.db.c("open_attempts").write(ctx, mongo.NewUpdateOneModel().SetFilter(bson.M{"_id": a.ID}).SetUpdate(bson.M{"$set": bson.M{"closed": at}})); err != nil {
			return FormatError(err)
		}
	}
	err = s.db.c("attempt_answers").write(ctx, mongo.NewDeleteOneModel().SetFilter(bson.M{"_id": a.ID}))
	return FormatError(err)
}

// DropOpen removes an attempt from the open list.
func (s *AttemptService) DropOpen(ctx context.Context, id string) error {
	err := s.db.c("open_attempts").write(ctx, mongo.NewDeleteOneModel().SetFilter(bson.M{"_id": id}))
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

// ListRecords reads the quiz records of many learners in one query.
func (s *AttemptService) ListRecords(ctx context.Context, usernames []string) ([]*academy.QuizRecord, error) {
	return findIDs(ctx, s.db.c("quiz_records"), usernames, func(r *academy.QuizRecord) string { return r.Username })
}

// SetSummary writes one attempt summary and raises the count to its number.
// Both are plain $set/$max by _id, so repeating it is harmless.
func (s *AttemptService) SetSummary(ctx context.Context, username, quiz string, sum academy.AttemptSummary) error {
	if !academy.ValidSlug(quiz) {
		return academy.Errorf(academy.EINVALID, "quiz: %q 不是有效的标识 / %q is not a valid slug", quiz, quiz)
	}
	p := "quizzes." + quiz
	err := upsert(func() error {
		return s.db.c("quiz_records").write(ctx, mongo.NewUpdateOneModel().SetFilter(bson.M{"_id": academy.UserID(username)}).
			SetUpdate(bson.M{"$set": bson.M{fmt.Sprintf("%s.attempts.%d", p, sum.Number): sum}, "$max": bson.M{p + ".count": sum.Number}}).
			SetUpsert(true))
	})
	return FormatError(err)
}

// AddGrant records a grant and its effect in one update of the learner's
// record, so the count and the list never disagree.
func (s *AttemptService) AddGrant(ctx context.Context, username, quiz string, g academy.AttemptGrant) error {
	if !academy.ValidSlug(quiz) {
		return academy.Errorf(academy.EINVALID, "quiz: %q 不是有效的标识 / %q is not a valid slug", quiz, quiz)
	}
	p := "quizzes." + quiz
	update := bson.M{"$push": bson.M{p + ".grants": g}}
	switch g.Kind {
	case academy.GrantExtraAttempt:
		update["$inc"] = bson.M{p + ".extra": 1}
	case academy.GrantCooldown:
		update["$max"] = bson.M{p + ".cooldown_reset": g.At}
	default:
		return academy.Errorf(academy.EINVALID, "kind: %q 不是可授予的类型 / %q is not a grant", g.Kind, g.Kind)
	}
	err := upsert(func() error {
		_, err := s.db.c("quiz_records").UpdateOne(ctx, bson.M{"_id": academy.UserID(username)}, update, options.UpdateOne().SetUpsert(true))
		return err
	})
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
	return s.attempts(ctx, bson.M{"quiz": quiz, "state": bson.M{"$in": bson.A{academy.AttemptSubmitted, academy.AttemptExpired}}})
}

// backfillSummaries gives the summaries of graded attempts written before
// summaries listed right and wrong questions those lists, from the
// attempts themselves, so that weak spots count every attempt.
func backfillSummaries(ctx context.Context, db *DB) error {
	s := NewAttemptService(db)
	cur, err := db.c("quiz_records").Find(ctx, bson.M{})
	if err != nil {
		return FormatError(err)
	}
	var records []*academy.QuizRecord
	if err := cur.All(ctx, &records); err != nil {
		return FormatError(err)
	}
	for _, r := range records {
		for quiz, h := range r.Quizzes {
			if h == nil {
				continue
			}
			for _, sum := range h.Attempts {
				if !sum.Graded() || len(sum.Right)+len(sum.Wrong) > 0 {
					continue
				}
				a, err := s.FindAttempt(ctx, sum.ID)
				if academy.ErrorCode(err) == academy.ENOTFOUND {
					continue
				} else if err != nil {
					return err
				}
				if err := s.SetSummary(ctx, r.Username, quiz, a.Summary()); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
