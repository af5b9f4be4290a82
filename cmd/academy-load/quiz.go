package main

import (
	"context"
	"math/rand/v2"
	"net/http"
	"net/url"
)

// The parts of the attempt JSON (internal/http/quizzes.go apiAttempt) that
// a test taker needs: the frozen questions without their keys.
type attempt struct {
	ID        string     `json:"id"`
	State     string     `json:"state"`
	Questions []question `json:"questions"`
	Passed    *bool      `json:"passed"`
}

type question struct {
	ID      string   `json:"id"`
	Type    string   `json:"type"`
	Options []option `json:"options"`
	Items   []option `json:"items"`
}

type option struct {
	ID string `json:"id"`
}

// quizResult is how far one attempt got.
type quizResult struct {
	Started, Submitted, Passed bool
}

// takeQuiz starts (or resumes) an attempt, saves an answer to every
// question and submits.
func takeQuiz(ctx context.Context, c *client, rec *recorder, token, slug string) (quizResult, error) {
	var res quizResult
	var a attempt
	if _, err := c.do(ctx, rec, http.MethodPost, "/api/v1/quizzes/"+url.PathEscape(slug)+"/attempts", token, nil, &a); err != nil {
		return res, err
	}
	res.Started = true
	answers := map[string]any{}
	for _, q := range a.Questions {
		if v, ok := answerFor(q); ok {
			answers[q.ID] = v
		}
	}
	base := "/api/v1/attempts/" + url.PathEscape(a.ID)
	// The server refuses an empty answers object; an attempt without an
	// answerable question goes straight to submit.
	if len(answers) > 0 {
		if _, err := c.do(ctx, rec, http.MethodPut, base+"/answers", token, map[string]any{"answers": answers}, nil); err != nil {
			return res, err
		}
	}
	var done attempt
	if _, err := c.do(ctx, rec, http.MethodPost, base+"/submit", token, nil, &done); err != nil {
		return res, err
	}
	res.Submitted, res.Passed = true, done.Passed != nil && *done.Passed
	return res, nil
}

// answerFor picks a random answer in the shape the question type takes
// (README: "q1":"b", "q2":["a","c"], "q3":true, "q4":"text",
// "q5":["x","y"], "q6":{"item":"opt"}, "q7":12.5). Random answers make a
// realistic spread of right and wrong ones for grading and item analysis.
func answerFor(q question) (any, bool) {
	ids := func(opts []option) []string {
		out := make([]string, len(opts))
		for i, o := range opts {
			out[i] = o.ID
		}
		return out
	}
	switch q.Type {
	case "single":
		if len(q.Options) == 0 {
			return nil, false
		}
		return q.Options[rand.IntN(len(q.Options))].ID, true
	case "multiple":
		var pick []string
		for _, o := range q.Options {
			if rand.IntN(2) == 0 {
				pick = append(pick, o.ID)
			}
		}
		if len(pick) == 0 && len(q.Options) > 0 {
			pick = append(pick, q.Options[0].ID)
		}
		return pick, len(pick) > 0
	case "truefalse":
		return rand.IntN(2) == 0, true
	case "fill":
		return "业主", true
	case "ordering":
		order := ids(q.Options)
		rand.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		return order, len(order) > 0
	case "matching":
		if len(q.Options) == 0 || len(q.Items) == 0 {
			return nil, false
		}
		pairs := map[string]string{}
		for _, it := range q.Items {
			pairs[it.ID] = q.Options[rand.IntN(len(q.Options))].ID
		}
		return pairs, true
	case "numeric":
		return float64(rand.IntN(100) + 1), true
	}
	return nil, false // a type this tool does not know: leave it unanswered
}
