package academy

import (
	"strings"
	"testing"
)

func ptr[T any](v T) *T { return &v }

func opts(ids ...string) []Option {
	var o []Option
	for _, id := range ids {
		o = append(o, Option{ID: id, Text: "选项" + id})
	}
	return o
}

func TestGradeEachType(t *testing.T) {
	single := Question{ID: "s", Type: QSingle, Points: 1, Options: opts("a", "b"), Key: Key{Choice: "b"}}
	multi := Question{ID: "m", Type: QMultiple, Points: 2, Options: opts("a", "b", "c", "d"), Key: Key{Choices: []string{"a", "c"}}}
	tf := Question{ID: "t", Type: QTrueFalse, Points: 1, Key: Key{Bool: false}}
	fill := Question{ID: "f", Type: QFill, Points: 1, Key: Key{Texts: []string{"24小时", "二十四小时"}}}
	fillABC := Question{ID: "f2", Type: QFill, Points: 1, Key: Key{Texts: []string{"abc"}}}
	order := Question{ID: "o", Type: QOrdering, Points: 3, Options: opts("1", "2", "3", "4"), Key: Key{Order: []string{"1", "2", "3", "4"}}}
	match := Question{ID: "x", Type: QMatching, Points: 2, Items: opts("p", "q", "r", "s"), Options: opts("eng", "sec"),
		Key: Key{Pairs: map[string]string{"p": "eng", "q": "sec", "r": "eng", "s": "sec"}}}
	num := Question{ID: "n", Type: QNumeric, Points: 1, Key: Key{Value: 2958, Tolerance: 0.5}}
	cases := []struct {
		name    string
		q       Question
		r       Response
		score   float64
		correct bool
	}{
		{"single right", single, Response{Choice: "b"}, 1, true},
		{"single wrong", single, Response{Choice: "a"}, 0, false},
		{"single blank", single, Response{}, 0, false},
		{"multiple all right", multi, Response{Choices: []string{"c", "a"}}, 2, true},
		{"multiple half", multi, Response{Choices: []string{"a"}}, 1, false},
		{"multiple one right one wrong", multi, Response{Choices: []string{"a", "b"}}, 0, false},
		{"multiple all chosen", multi, Response{Choices: []string{"a", "b", "c", "d"}}, 0, false},
		{"multiple never negative", multi, Response{Choices: []string{"b", "d"}}, 0, false},
		{"multiple duplicates count once", multi, Response{Choices: []string{"a", "a", "a"}}, 1, false},
		{"true/false right", tf, Response{Bool: ptr(false)}, 1, true},
		{"true/false wrong", tf, Response{Bool: ptr(true)}, 0, false},
		{"true/false blank", tf, Response{}, 0, false},
		{"fill exact", fill, Response{Text: "24小时"}, 1, true},
		{"fill spaces and full width", fill, Response{Text: " ２４ 小时 "}, 1, true},
		{"fill second accepted", fill, Response{Text: "二十四小时"}, 1, true},
		{"fill ended as a sentence", fill, Response{Text: "24小时。"}, 1, true},
		{"fill quoted", fill, Response{Text: "“二十四小时”！"}, 1, true},
		{"fill only punctuation never matches", fill, Response{Text: "。"}, 0, false},
		{"fill wrong", fill, Response{Text: "48小时"}, 0, false},
		{"fill punctuation inside counts", Question{ID: "f3", Type: QFill, Points: 1, Key: Key{Texts: []string{"1.5年"}}}, Response{Text: "15年"}, 0, false},
		{"fill empty never matches", fill, Response{Text: "  "}, 0, false},
		{"fill full-width letters and case", fillABC, Response{Text: "ＡＢＣ"}, 1, true},
		{"ordering right", order, Response{Order: []string{"1", "2", "3", "4"}}, 3, true},
		{"ordering one swap", order, Response{Order: []string{"2", "1", "3", "4"}}, 1, false},
		{"ordering reversed", order, Response{Order: []string{"4", "3", "2", "1"}}, 0, false},
		{"ordering block moved", order, Response{Order: []string{"3", "4", "1", "2"}}, 2, false},
		{"ordering incomplete", order, Response{Order: []string{"1", "2"}}, 0, false},
		{"ordering repeated ids", order, Response{Order: []string{"1", "1", "2", "3"}}, 0, false},
		{"matching all", match, Response{Pairs: map[string]string{"p": "eng", "q": "sec", "r": "eng", "s": "sec"}}, 2, true},
		{"matching three of four", match, Response{Pairs: map[string]string{"p": "eng", "q": "sec", "r": "eng", "s": "eng"}}, 1.5, false},
		{"matching none", match, Response{}, 0, false},
		{"numeric exact", num, Response{Number: ptr(2958.0)}, 1, true},
		{"numeric within tolerance", num, Response{Number: ptr(2958.5)}, 1, true},
		{"numeric outside", num, Response{Number: ptr(2959.0)}, 0, false},
		{"numeric blank", num, Response{}, 0, false},
	}
	for _, c := range cases {
		q := c.q
		if err := q.Validate(); err != nil && q.Explanation != "" {
			t.Fatalf("%s: fixture invalid: %v", c.name, err)
		}
		score, correct := Grade(&q, &c.r)
		if score != c.score || correct != c.correct {
			t.Errorf("%s: got %v/%v, want %v/%v", c.name, score, correct, c.score, c.correct)
		}
	}
}

func TestQuestionValidate(t *testing.T) {
	base := func() Question {
		return Question{ID: "q1", Type: QSingle, Points: 1, Prompt: "p", Explanation: "e", Options: opts("a", "b"), Key: Key{Choice: "a"}}
	}
	cases := map[string]struct {
		mod  func(*Question)
		want string
	}{
		"unknown type":         {func(q *Question) { q.Type = "essay" }, "type"},
		"answer not an option": {func(q *Question) { q.Key.Choice = "z" }, `"z" is not among the options`},
		"one option":           {func(q *Question) { q.Options = opts("a") }, "at least 2 options"},
		"duplicate option":     {func(q *Question) { q.Options = opts("a", "a") }, "duplicate id"},
		"no explanation":       {func(q *Question) { q.Explanation = " " }, "explanation"},
		"zero points":          {func(q *Question) { q.Points = 0 }, "points"},
		"ordering not a permutation": {func(q *Question) {
			q.Type, q.Options, q.Key = QOrdering, opts("a", "b", "c"), Key{Order: []string{"a", "b", "b"}}
		}, "exactly once"},
		"matching unknown option": {func(q *Question) {
			q.Type, q.Items, q.Key = QMatching, opts("x", "y"), Key{Pairs: map[string]string{"x": "a", "y": "zz"}}
		}, `matched to "zz"`},
		"matching missing item": {func(q *Question) {
			q.Type, q.Items, q.Key = QMatching, opts("x", "y"), Key{Pairs: map[string]string{"x": "a"}}
		}, `item "y" has no match`},
		"multiple wrong key":           {func(q *Question) { q.Type, q.Key = QMultiple, Key{Choices: []string{"a", "q"}} }, `"q" is not among`},
		"fill without answers":         {func(q *Question) { q.Type, q.Options, q.Key = QFill, nil, Key{} }, "accepted answers"},
		"fill answer only punctuation": {func(q *Question) { q.Type, q.Options, q.Key = QFill, nil, Key{Texts: []string{"24小时", "。"}} }, "only punctuation"},
		"numeric negative tol":         {func(q *Question) { q.Type, q.Options, q.Key = QNumeric, nil, Key{Value: 1, Tolerance: -1} }, "tolerance"},
		"bad id":                       {func(q *Question) { q.ID = "a.b" }, "id"},
	}
	for name, c := range cases {
		q := base()
		c.mod(&q)
		err := q.Validate()
		if ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), c.want) {
			t.Errorf("%s: %v", name, err)
		}
	}
	q := base()
	if err := q.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestQuizValidateAndDraws(t *testing.T) {
	q := &Quiz{Slug: "exam", Title: "考试", PassMark: 80, Layout: LayoutOnePage, Review: ReviewScore, Draw: []DrawRule{{Quiz: "bank", Tag: "核心", Count: 2}}}
	if err := q.Validate(); err != nil {
		t.Fatal(err)
	}
	bank := &Quiz{Slug: "bank", Questions: []Question{{ID: "a", Tags: []string{"核心"}}, {ID: "b"}}}
	err := CheckDraws(q, map[string]*Quiz{"bank": bank})
	if err == nil || !strings.Contains(ErrorMessage(err), "has 1 questions, fewer than the 2") {
		t.Fatalf("small pool: %v", err)
	}
	if err := CheckDraws(q, map[string]*Quiz{}); err == nil || !strings.Contains(ErrorMessage(err), "unknown quiz") {
		t.Fatalf("unknown pool: %v", err)
	}
	for _, pm := range []int{-1, 101} {
		q.PassMark = pm
		if err := q.Validate(); err == nil || !strings.HasPrefix(ErrorMessage(err), "pass_mark") {
			t.Errorf("pass mark %d: %v", pm, err)
		}
	}
}

func TestCheckResponse(t *testing.T) {
	q := Question{ID: "q", Type: QMatching, Items: opts("x"), Options: opts("a")}
	if err := CheckResponse(&q, &Response{Pairs: map[string]string{"x": "b"}}); err == nil || !strings.Contains(ErrorMessage(err), `answers.q: "b"`) {
		t.Fatalf("%v", err)
	}
	if err := CheckResponse(&q, &Response{Pairs: map[string]string{"zz": "a"}}); err == nil {
		t.Fatal("unknown item accepted")
	}
	s := Question{ID: "s", Type: QSingle, Options: opts("a")}
	if err := CheckResponse(&s, &Response{Choice: "nope"}); err == nil {
		t.Fatal("unknown option accepted")
	}
}

// Fill-in answers are compared as people write them: the same duration
// in other words or units is the same answer.
func TestNormalizeText(t *testing.T) {
	same := [][2]string{{"ＡＢＣ", "abc"}, {" 24 小时", "24小时"}, {"一天", "24小时"}, {"24h", "24小时"}, {"Ｅ-mail", "e-mail"}, {"（物业）", "(物业)"}, {"半小时", "30分钟"}}
	for _, c := range same {
		if a, b := NormalizeText(c[0]), NormalizeText(c[1]); a != b {
			t.Errorf("%q -> %q but %q -> %q", c[0], a, c[1], b)
		}
	}
	if NormalizeText("一天") == NormalizeText("一周") {
		t.Error("a day reads as a week")
	}
}

func TestItemAnalysis(t *testing.T) {
	mk := func(id string, pct float64, correct ...bool) *Attempt {
		a := &Attempt{ID: id, State: AttemptSubmitted, Percent: pct, Answers: map[string]Response{}}
		for i, c := range correct {
			qid := []string{"easy", "hard", "bad"}[i]
			a.Questions = append(a.Questions, AttemptQuestion{Question: Question{ID: qid, Type: QSingle, Points: 1}, Source: "bank"})
			score := 0.0
			if c {
				score = 1
			}
			a.Results = append(a.Results, QuestionResult{ID: qid, Score: score, Max: 1, Correct: c, Answered: true})
			a.Answers[qid] = Response{Choice: map[bool]string{true: "a", false: "b"}[c]}
		}
		return a
	}
	// Good scorers get "bad" wrong, weak scorers get it right.
	var atts []*Attempt
	for i := 0; i < 10; i++ {
		strong := i < 5
		atts = append(atts, mk(string(rune('a'+i)), float64(100-i*10), true, strong && i < 2, !strong))
	}
	atts = append(atts, &Attempt{ID: "open", State: AttemptInProgress})
	stats := AnalyzeItems(atts)
	by := map[string]ItemStats{}
	for _, s := range stats {
		by[s.ID] = s
	}
	if by["easy"].Facility != 1 || !strings.Contains(strings.Join(by["easy"].Flags, ","), "too_easy") {
		t.Errorf("easy: %+v", by["easy"])
	}
	if by["hard"].Facility != 0.2 || !strings.Contains(strings.Join(by["hard"].Flags, ","), "too_hard") || by["hard"].Discrimination <= 0 {
		t.Errorf("hard: %+v", by["hard"])
	}
	if by["bad"].Discrimination >= 0 || !strings.Contains(strings.Join(by["bad"].Flags, ","), "negative_discrimination") {
		t.Errorf("bad: %+v", by["bad"])
	}
	if by["easy"].Attempts != 10 || by["easy"].Choices["a"] != 10 {
		t.Errorf("counts: %+v", by["easy"])
	}
}

// A response carries only its question type's answer: SaveAnswers keeps
// whatever it is given, so a fill-in answer with a choice list beside it
// would be stored in full though never graded.
func TestCheckResponseOnlyItsTypesField(t *testing.T) {
	a := fuzzAttempt()
	yes := true
	for qid, r := range map[string]Response{
		"f":  {Text: "一天", Choices: []string{"a"}},
		"s":  {Choice: "a", Text: "x"},
		"tf": {Bool: &yes, Pairs: map[string]string{}},
		"n":  {Order: []string{}},
	} {
		err := CheckResponse(&a.Question(qid).Question, &r)
		if ErrorCode(err) != EINVALID || !strings.Contains(MessageIn(LangEN, ErrorMessage(err)), "answers."+qid+": only the answer of") {
			t.Errorf("%s with another type's field: %v", qid, err)
		}
	}
}
