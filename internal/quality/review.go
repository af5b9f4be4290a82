package quality

import (
	"context"
	"time"

	"github.com/academy/academy/internal/academy"
)

// Scores are a manual review's marks (质检评分), 1 to 5 each.
type Scores struct {
	Courtesy     int `json:"courtesy" bson:"courtesy"`         // 礼貌用语
	Completeness int `json:"completeness" bson:"completeness"` // 信息完整
	Procedure    int `json:"procedure" bson:"procedure"`       // 流程规范
	Resolution   int `json:"resolution" bson:"resolution"`     // 解决效果
}

// ScoreFields are the score fields in the order forms show them.
var ScoreFields = []string{"courtesy", "completeness", "procedure", "resolution"}

// Of is the score of a field of ScoreFields.
func (s Scores) Of(field string) int {
	return map[string]int{"courtesy": s.Courtesy, "completeness": s.Completeness, "procedure": s.Procedure, "resolution": s.Resolution}[field]
}

// MaxReviewComment bounds a review's comment, in characters.
const MaxReviewComment = 500

// maxFeedback is how many reviews an agent's feedback keeps, newest first:
// what the home page shows from.
const maxFeedback = 20

// Review is a manager's manual review of a closed live ticket, stored
// with its quality record and in the agent's feedback.
type Review struct {
	Ticket  string    `json:"ticket" bson:"ticket"`
	Number  string    `json:"number" bson:"number"`
	Title   string    `json:"title" bson:"title"`
	Site    string    `json:"site" bson:"site"`
	Agent   string    `json:"agent" bson:"agent"`
	Scores  Scores    `json:"scores" bson:"scores"`
	Comment string    `json:"comment,omitempty" bson:"comment,omitempty"`
	By      string    `json:"by" bson:"by"`
	At      time.Time `json:"at" bson:"at"`
}

// Check validates the marks and the comment.
func (r *Review) Check() error {
	for _, f := range ScoreFields {
		if n := r.Scores.Of(f); n < 1 || n > 5 {
			return academy.Errorf(academy.EINVALID, "scores.%s: 评分为 1 到 5 分，不是 %d / a score from 1 to 5, not %d", f, n, n)
		}
	}
	return academy.CheckText("comment", r.Comment, MaxReviewComment, true)
}

// Review stores a manager's review of the ticket whose record is id: on
// the record (a second review replaces the first) and at the head of the
// agent's feedback.
func (s *Service) Review(ctx context.Context, id string, scores Scores, comment, by string) (*Review, error) {
	rec, err := s.Store.FindRecord(ctx, id)
	if err != nil {
		return nil, err
	}
	rv := &Review{Ticket: rec.ID, Number: rec.Number, Title: rec.Title, Site: rec.Site, Agent: rec.Agent, Scores: scores, Comment: comment, By: by, At: s.Now()}
	if err := rv.Check(); err != nil {
		return nil, err
	}
	if err := s.Store.SetReview(ctx, rv); err != nil {
		return nil, err
	}
	if err := s.Store.AddFeedback(ctx, rv, maxFeedback); err != nil {
		return nil, err
	}
	return rv, nil
}

// Feedback is the reviews of an agent's tickets, newest first.
func (s *Service) Feedback(ctx context.Context, agent string) ([]Review, error) {
	return s.Store.FindFeedback(ctx, agent)
}
