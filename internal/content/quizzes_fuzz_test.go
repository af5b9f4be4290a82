package content

import (
	"testing"

	"github.com/academy/academy/internal/academy"
)

// keyResponse answers a question exactly as its key says.
func keyResponse(q *academy.Question) academy.Response {
	k := q.Key
	r := academy.Response{Choice: k.Choice, Choices: k.Choices, Order: k.Order, Pairs: k.Pairs}
	switch q.Type {
	case academy.QTrueFalse:
		r.Bool = &k.Bool
	case academy.QFill:
		if len(k.Texts) > 0 {
			r.Text = k.Texts[0]
		}
	case academy.QNumeric:
		r.Number = &k.Value
	}
	return r
}

// checkQuestion holds an accepted question to what grading relies on: the
// key itself is a well-formed answer worth full marks, and no answer is
// worth nothing.
func checkQuestion(t *testing.T, q *academy.Question) {
	t.Helper()
	if err := q.Validate(); err != nil {
		t.Fatalf("accepted question %q does not validate: %v", q.ID, err)
	}
	r := keyResponse(q)
	if err := academy.CheckResponse(q, &r); err != nil {
		t.Fatalf("question %q: its own key is refused as an answer: %v", q.ID, err)
	}
	if score, ok := academy.Grade(q, &r); !ok || score != q.Points {
		t.Fatalf("question %q (%s, %v points): its own key scores %v (correct %v)", q.ID, q.Type, q.Points, score, ok)
	}
	if score, ok := academy.Grade(q, &academy.Response{}); ok || score != 0 {
		t.Fatalf("question %q: an empty answer scores %v (correct %v)", q.ID, score, ok)
	}
}

var quizSeeds = []string{
	"",
	"null",
	"[]",
	"title: t\npass_mark: 80\n",
	"title: 测验\ncourse: ethics\npass_mark: 80\ntime_limit: 20m\nmax_attempts: 3\ncooldown: 1h30m\n" +
		"shuffle_questions: true\nshuffle_options: false\nlayout: per_question\nreview: correctness\nquestions:\n" +
		"  - id: s1\n    type: single\n    points: 2\n    tags: [核心]\n    lesson: role\n    prompt: 问\n" +
		"    options: [{id: a, text: 甲}, {id: b, text: 乙}]\n    answer: b\n    explanation: 因为\n",
	"title: t\npass_mark: 60\nquestions:\n" +
		"  - {id: m, type: multiple, prompt: p, explanation: e, options: [{id: a, text: x}, {id: b, text: y}, {id: c, text: z}], answer: [a, c]}\n" +
		"  - {id: tf, type: truefalse, prompt: p, explanation: e, answer: false}\n" +
		"  - {id: f, type: fill, prompt: p, explanation: e, answer: [24小时, ２４ 小时]}\n" +
		"  - {id: o, type: ordering, prompt: p, explanation: e, options: [{id: a, text: x}, {id: b, text: y}], answer: [b, a]}\n" +
		"  - {id: mt, type: matching, prompt: p, explanation: e, options: [{id: a, text: x}, {id: b, text: y}], items: [{id: i1, text: u}, {id: i2, text: v}], answer: {i1: b, i2: a}}\n" +
		"  - {id: n, type: numeric, points: 0.5, prompt: p, explanation: e, answer: {value: 12.5, tolerance: 0.1}}\n",
	"title: t\npass_mark: 80\ndraw:\n  - {quiz: ethics, tag: 核心, count: 3}\n  - {count: 0}\n",
	"title: 结业考试\npass_mark: 80\ntime_limit: 45s\ncooldown: 1m45s\nmax_attempts: 0\nlayout: one_page\nreview: score\ndraw:\n  - {quiz: ethics, tag: 核心, count: 3}\n  - {tag: x, count: 1}\n",
	"title: t\npass_mark: 101\nlayout: grid\nreview: all\ntime_limit: soon\nquestions: {}\n",
	"title: t\npass_mark: 80\nquestions:\n  - {id: a.b, type: essay, points: 0, prompt: \"\", explanation: e, answer: x}\n" +
		"  - {id: d, type: single, prompt: p, explanation: e, options: [{id: a, text: x}, {id: a, text: y}], answer: c}\n",
	"title: t\npass_mark: 80\nquestions:\n  - {id: n, type: numeric, prompt: p, explanation: e, answer: {value: 1, tolerance: -1, extra: 2}}\n",
	"title: t\npass_mark: 80\nquestions:\n  - &q {id: x, type: truefalse, prompt: p, explanation: e, answer: yes}\n  - *q\n",
}

// FuzzReadQuiz feeds quiz files to the YAML quiz reader. An accepted quiz
// is one learners sit and trainers edit as exported YAML, so it must hold
// the grading invariants and read back from its export unchanged.
func FuzzReadQuiz(f *testing.F) {
	for _, s := range quizSeeds {
		f.Add(s)
	}
	const rel = "quizzes/fz.yaml"
	read := func(src []byte) (*academy.Quiz, int, []int, Problems) {
		var ps Problems
		q, drawLine, qlines := readQuiz("fz", src, reporter{ps: &ps, path: rel})
		return q, drawLine, qlines, ps
	}
	f.Fuzz(func(t *testing.T, src string) {
		q, drawLine, qlines, ps := read([]byte(src))
		checkProblems(t, ps, rel, []byte(src))
		if q == nil {
			if len(ps) == 0 {
				t.Fatal("quiz refused without a problem to say why")
			}
			return
		}
		if len(ps) > 0 {
			t.Fatalf("quiz accepted despite problems:\n%v", ps)
		}
		if err := q.Validate(); err != nil {
			t.Fatalf("accepted quiz does not validate: %v", err)
		}
		// Later problems (unknown lesson, duplicate id across banks) are
		// reported at these lines.
		if len(qlines) != len(q.Questions) || (len(q.Draw) > 0 && drawLine < 1) {
			t.Fatalf("%d question lines for %d questions, draw line %d", len(qlines), len(q.Questions), drawLine)
		}
		checkProblems(t, Problems{{Path: rel, Line: max(drawLine, 1), Message: "draw"}}, rel, []byte(src))
		for i := range q.Questions {
			checkProblems(t, Problems{{Path: rel, Line: qlines[i], Message: "question"}}, rel, []byte(src))
			checkQuestion(t, &q.Questions[i])
		}

		out, err := QuizYAML(q)
		if err != nil {
			t.Fatalf("export: %v", err)
		}
		again, _, _, ps := read(out)
		if again == nil {
			t.Fatalf("exported quiz does not read back:\n%v\n%s", ps, out)
		}
		if a, b := q.ContentHash(), again.ContentHash(); a != b {
			t.Fatalf("export changed the quiz:\nbefore %+v\nafter  %+v\nexport:\n%s", q, again, out)
		}
	})
}

// FuzzParseQuestion feeds the web editor's one-question YAML to its parser,
// with the same expectations as a question in a quiz file.
func FuzzParseQuestion(f *testing.F) {
	for _, s := range []string{
		"",
		"- a",
		"id: s1\ntype: single\nprompt: 问\noptions: [{id: a, text: 甲}, {id: b, text: 乙}]\nanswer: a\nexplanation: 因为\n",
		"id: mt\ntype: matching\npoints: 3\nprompt: p\nexplanation: e\noptions: [{id: a, text: x}, {id: b, text: y}]\n" +
			"items: [{id: i1, text: u}, {id: i2, text: v}]\nanswer: {i1: b, i2: a}\n",
		"id: n\ntype: numeric\nprompt: p\nexplanation: e\nanswer: 3.5\n",
		"id: o\ntype: ordering\nprompt: p\nexplanation: e\noptions: [{id: a, text: x}, {id: b, text: y}]\nanswer: [a, a]\n",
		"id: f\ntype: fill\nprompt: p\nexplanation: e\noptions: [{id: a, text: x}]\nanswer: \"  \"\n",
		"id: x\ntype: truefalse\nprompt: p\nexplanation: e\nanswer: {a: b}\nunknown: 1\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		q, ps := ParseQuestion([]byte(src))
		checkProblems(t, ps, "question", []byte(src))
		if q == nil {
			if len(ps) == 0 {
				t.Fatal("question refused without a problem to say why")
			}
			return
		}
		if len(ps) > 0 {
			t.Fatalf("question accepted despite problems:\n%v", ps)
		}
		checkQuestion(t, q)
		out, err := QuestionYAML(q)
		if err != nil {
			t.Fatalf("export: %v", err)
		}
		again, ps := ParseQuestion(out)
		if again == nil {
			t.Fatalf("exported question does not read back:\n%v\n%s", ps, out)
		}
		if a, b := q.Version(), again.Version(); a != b {
			t.Fatalf("export changed the question:\nbefore %+v\nafter  %+v\nexport:\n%s", q, again, out)
		}
	})
}
