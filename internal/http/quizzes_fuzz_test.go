package http

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/academy/academy/internal/academy"
)

// fuzzQuestions are the frozen questions of the attempt the answers are
// for: one of every type.
func fuzzQuestions() []academy.AttemptQuestion {
	ab := []academy.Option{{ID: "a", Text: "甲"}, {ID: "b", Text: "乙"}, {ID: "c", Text: "丙"}}
	qs := []academy.Question{
		{ID: "s", Type: academy.QSingle, Points: 2, Options: ab, Key: academy.Key{Choice: "b"}},
		{ID: "m", Type: academy.QMultiple, Points: 3, Options: ab, Key: academy.Key{Choices: []string{"a", "c"}}},
		{ID: "tf", Type: academy.QTrueFalse, Points: 1, Key: academy.Key{Bool: true}},
		{ID: "f", Type: academy.QFill, Points: 1, Key: academy.Key{Texts: []string{"24小时", "一天"}}},
		{ID: "o", Type: academy.QOrdering, Points: 4, Options: ab, Key: academy.Key{Order: []string{"c", "a", "b"}}},
		{ID: "mt", Type: academy.QMatching, Points: 2, Options: ab, Items: []academy.Option{{ID: "i1", Text: "一"}, {ID: "i2", Text: "二"}},
			Key: academy.Key{Pairs: map[string]string{"i1": "c", "i2": "a"}}},
		{ID: "n", Type: academy.QNumeric, Points: 1.5, Key: academy.Key{Value: 12.5, Tolerance: 0.1}},
	}
	var out []academy.AttemptQuestion
	for _, q := range qs {
		q.Prompt, q.Explanation = "问", "因为"
		out = append(out, academy.AttemptQuestion{Question: q, Source: "fz"})
	}
	return out
}

// mustBeInvalid fails t unless err is what bad input must give: a 400 that
// names the problem, never a 500.
func mustBeInvalid(t *testing.T, err error) {
	t.Helper()
	if academy.ErrorCode(err) != academy.EINVALID || academy.ErrorMessage(err) == "" {
		t.Fatalf("bad input gave %#v, want an %s error with a message", err, academy.EINVALID)
	}
}

// FuzzDecodeAnswers sends request bodies through what
// PUT /api/v1/attempts/:id/answers does with them before storing: the JSON
// body decoder, the per-type decodeAnswer and academy.CheckResponse, and
// then grades what would be saved. Bad bodies must be refused as invalid
// input; saved answers must grade within the question's points and read
// back unchanged from the shape the API shows them in.
func FuzzDecodeAnswers(f *testing.F) {
	for _, s := range []string{
		``,
		`[]`,
		`{}`,
		`{"answers":{}}`,
		`{"answers":null}`,
		`{"answers":{"s":"b","m":["a","c"],"tf":true,"f":"２４ 小时","o":["c","a","b"],"mt":{"i1":"c","i2":"a"},"n":12.55}}`,
		`{"answers":{"s":"z","m":["a","a","b"],"tf":"yes","f":7,"o":["c","","a"],"mt":{"i3":"a"},"n":"12"}}`,
		`{"answers":{"s":null,"m":null,"tf":null,"f":null,"o":null,"mt":null,"n":null}}`,
		`{"answers":{"n":1e400}}`,
		`{"answers":{"n":-0,"m":[],"mt":{"i1":""}}}`,
		`{"answers":{"ghost":"a"}}`,
		`{"answers":{"s":"b"},"extra":1}`,
		`{"answers":{"s":"b"}} {}`,
		`{"answers":{"f":"\ud800\u0000<script>"}}`,
	} {
		f.Add([]byte(s))
	}
	app := fiber.New()
	f.Fuzz(func(t *testing.T, body []byte) {
		var fctx fasthttp.RequestCtx
		fctx.Request.Header.SetMethod(fiber.MethodPut)
		fctx.Request.Header.SetContentType(fiber.MIMEApplicationJSON)
		fctx.Request.SetBody(body)
		c := app.AcquireCtx(&fctx)
		defer app.ReleaseCtx(c)

		// The request type of apiSaveAnswers, which declares it inline.
		var req struct {
			Answers map[string]json.RawMessage `json:"answers"`
		}
		if err := decodeJSON(c, &req); err != nil {
			mustBeInvalid(t, err)
			return
		}
		a := &academy.Attempt{Questions: fuzzQuestions()}
		score, max := 0.0, 0.0
		for _, q := range a.Questions {
			max += q.Points
		}
		for qid, raw := range req.Answers {
			q := a.Question(qid)
			if q == nil {
				continue // refused by the handler before decoding
			}
			r, err := decodeAnswer(&q.Question, raw)
			if err != nil {
				mustBeInvalid(t, err)
				continue
			}
			if err := academy.CheckResponse(&q.Question, &r); err != nil {
				mustBeInvalid(t, err)
				continue
			}
			got, correct := academy.Grade(&q.Question, &r)
			if !(got >= 0 && got <= q.Points) || (correct && got != q.Points) {
				t.Fatalf("answer %s to %q (%v points) grades %v (correct %v)", raw, qid, q.Points, got, correct)
			}
			score += got
			shown := responseJSON(q.Type, &r)
			back, err := decodeAnswer(&q.Question, shown)
			if err != nil || !reflect.DeepEqual(back, r) {
				t.Fatalf("answer %s to %q is shown as %s, which reads back as %+v (%v), not %+v", raw, qid, shown, back, err, r)
			}
		}
		if percent := score * 100 / max; !(percent >= 0 && percent <= 100) {
			t.Fatalf("%v of %v points", score, max)
		}
	})
}
