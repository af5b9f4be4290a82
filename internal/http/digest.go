package http

import (
	"context"
	"net/url"

	"github.com/academy/academy/internal/notify"
)

var _ notify.ItemFlags = (*Server)(nil)

// FlaggedQuestions are the questions the trainer home lists as flagged by
// item analysis, for the trainers' weekly digest.
func (s *Server) FlaggedQuestions(ctx context.Context) ([]notify.FlaggedQuestion, error) {
	items, err := s.itemFlags.get(ctx, s)
	if err != nil {
		return nil, err
	}
	out := make([]notify.FlaggedQuestion, len(items))
	for i, f := range items {
		out[i] = notify.FlaggedQuestion{Quiz: f.Quiz.Title, Prompt: f.Prompt, Flags: f.Stats.Flags, Percent: f.Percent, Attempts: f.Stats.Attempts,
			Path: "/author/quizzes/" + url.PathEscape(f.Bank) + "/questions/" + url.PathEscape(f.Stats.ID)}
	}
	return out, nil
}
