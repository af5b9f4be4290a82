package academy

import (
	"encoding/json"
	"math"
	"testing"
)

// fuzzAttempt is a small attempt with one question of every type, as
// frozen when it starts.
func fuzzAttempt() *Attempt {
	ab := []Option{{ID: "a", Text: "甲"}, {ID: "b", Text: "乙"}, {ID: "c", Text: "丙"}}
	qs := []Question{
		{ID: "s", Type: QSingle, Points: 2, Options: ab, Key: Key{Choice: "b"}},
		{ID: "m", Type: QMultiple, Points: 3, Options: ab, Key: Key{Choices: []string{"a", "c"}}},
		{ID: "tf", Type: QTrueFalse, Points: 1, Key: Key{Bool: true}},
		{ID: "f", Type: QFill, Points: 1, Key: Key{Texts: []string{"24小时", "一天"}}},
		{ID: "o", Type: QOrdering, Points: 4, Options: ab, Key: Key{Order: []string{"c", "a", "b"}}},
		{ID: "mt", Type: QMatching, Points: 2, Options: ab, Items: []Option{{ID: "i1", Text: "一"}, {ID: "i2", Text: "二"}},
			Key: Key{Pairs: map[string]string{"i1": "c", "i2": "a"}}},
		{ID: "n", Type: QNumeric, Points: 1.5, Key: Key{Value: 12.5, Tolerance: 0.1}},
	}
	a := &Attempt{ID: "fz", State: AttemptInProgress, PassMark: 70, Answers: map[string]Response{}}
	for _, q := range qs {
		q.Prompt, q.Explanation = "问", "因为"
		a.Questions = append(a.Questions, AttemptQuestion{Question: q, Source: "fz"})
	}
	return a
}

// checkGrade fails t unless a graded attempt is within its bounds: what
// learners, managers and certification read from it.
func checkGrade(t *testing.T, a *Attempt) {
	t.Helper()
	total := 0.0
	for _, q := range a.Questions {
		total += q.Points
	}
	if len(a.Results) != len(a.Questions) {
		t.Fatalf("%d results for %d questions", len(a.Results), len(a.Questions))
	}
	allCorrect := true
	for i, r := range a.Results {
		q := &a.Questions[i]
		allCorrect = allCorrect && r.Correct
		if r.ID != q.ID || r.Max != q.Points {
			t.Fatalf("result %+v for question %q worth %v", r, q.ID, q.Points)
		}
		if !(r.Score >= 0 && r.Score <= r.Max) {
			t.Fatalf("question %q scores %v of %v", r.ID, r.Score, r.Max)
		}
		if r.Correct && r.Score != r.Max {
			t.Fatalf("question %q correct with %v of %v", r.ID, r.Score, r.Max)
		}
		if !r.Answered && (r.Score != 0 || r.Correct) {
			t.Fatalf("unanswered question %q scores %v (correct %v)", r.ID, r.Score, r.Correct)
		}
	}
	if a.Max != total || !(a.Score >= 0 && a.Score <= a.Max) {
		t.Fatalf("score %v of %v, questions worth %v", a.Score, a.Max, total)
	}
	if !(a.Percent >= 0 && a.Percent <= 100) || math.Abs(a.Percent-a.Score*100/a.Max) > 0.01 {
		t.Fatalf("percent %v for %v of %v", a.Percent, a.Score, a.Max)
	}
	if allCorrect && (a.Score != a.Max || a.Percent != 100) {
		t.Fatalf("every answer correct, yet %v of %v (%v%%)", a.Score, a.Max, a.Percent)
	}
	if a.Passed != (a.Percent >= float64(a.PassMark)) {
		t.Fatalf("passed %v at %v%% with pass mark %d", a.Passed, a.Percent, a.PassMark)
	}
}

// FuzzGradeAttempt decodes answer payloads into the answers map an attempt
// keeps and grades them against a fixed quiz. Answers are saved only when
// every one passes CheckResponse, as SaveAnswers does; whatever was saved,
// the grade must stay within the quiz's points.
func FuzzGradeAttempt(f *testing.F) {
	for _, s := range []string{
		`{}`,
		`null`,
		`{"s":{"choice":"b"},"m":{"choices":["a","c"]},"tf":{"bool":true},"f":{"text":"２４ 小时"},` +
			`"o":{"order":["c","a","b"]},"mt":{"pairs":{"i1":"c","i2":"a"}},"n":{"number":12.55}}`,
		`{"s":{"choice":"z"},"m":{"choices":["a","a","b","c","c"]},"tf":{"bool":false},"f":{"text":"  "},` +
			`"o":{"order":["c","c","a"]},"mt":{"pairs":{"i1":"c","i3":"a"}},"n":{"number":-1e308}}`,
		`{"m":{"choices":["b"]},"o":{"order":["c","","b"]},"mt":{"pairs":{"i1":""}},"n":{"number":1e400}}`,
		`{"o":{"order":["a","b","c","d"]},"f":{"text":"一天","choice":"b","pairs":{"x":"y"}}}`,
		`{"ghost":{"choice":"a"},"s":{"choice":"b"}}`,
		`{"s":null,"tf":{"bool":null},"n":{"number":null}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var answers map[string]Response
		if err := json.Unmarshal(body, &answers); err != nil {
			return
		}
		a := fuzzAttempt()
		saved := true
		for qid, r := range answers {
			q := a.Question(qid)
			if q == nil {
				saved = false
				continue
			}
			if err := CheckResponse(&q.Question, &r); err != nil {
				e, ok := err.(*Error)
				if !ok || e.Code != EINVALID || e.Message == "" {
					t.Fatalf("answer %q refused with %#v", qid, err)
				}
				saved = false
			}
		}
		if saved {
			a.Answers = answers
		}
		a.grade()
		checkGrade(t, a)

		// Grade is exported and documented for any response, so the bounds
		// must not depend on the shape checks above.
		a = fuzzAttempt()
		a.Answers = answers
		a.grade()
		checkGrade(t, a)
	})
}
