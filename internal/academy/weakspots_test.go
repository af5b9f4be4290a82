package academy

import "testing"

func TestWeakSpots(t *testing.T) {
	bankQ := func(id, lesson string) Question { return Question{ID: id, Prompt: "prompt " + id, Lesson: lesson} }
	quizzes := map[string]*Quiz{
		"ethics": {Slug: "ethics", Course: "ethics", Questions: []Question{bankQ("a", "honesty"), bankQ("b", "privacy"), bankQ("c", "")}},
		"final":  {Slug: "final", Title: "结业考试"},
	}
	q := func(id, lesson string) AttemptQuestion {
		return AttemptQuestion{Question: Question{ID: id, Prompt: "prompt " + id, Lesson: lesson}, Source: "ethics"}
	}
	n := 0
	attempt := func(state string, correct map[string]bool) *Attempt {
		n++
		a := &Attempt{ID: string(rune('0' + n)), Number: n, Quiz: "final", QuizTitle: "结业考试", State: state, Questions: []AttemptQuestion{q("a", "honesty"), q("b", "privacy"), q("c", "")}}
		for _, id := range []string{"a", "b", "c"} {
			a.Results = append(a.Results, QuestionResult{ID: id, Correct: correct[id]})
		}
		return a
	}
	attempts := []*Attempt{
		attempt(AttemptSubmitted, map[string]bool{"a": false, "b": true, "c": true}),
		attempt(AttemptSubmitted, map[string]bool{"a": false, "b": false, "c": true}),
		attempt(AttemptExpired, map[string]bool{"a": false, "b": true, "c": true}),
		attempt(AttemptAbandoned, map[string]bool{}), // never graded: does not count
	}
	// Each learner's record lists their attempts' summaries; the last
	// learner also took a quiz that is left out of the count.
	records := func(as ...*Attempt) []*QuizRecord {
		var out []*QuizRecord
		for _, a := range as {
			sum := a.Summary()
			out = append(out, &QuizRecord{Username: "u" + a.ID, Quizzes: map[string]*QuizHistory{
				"final": {Count: 1, Attempts: map[string]AttemptSummary{"1": sum}},
				"other": {Count: 1, Attempts: map[string]AttemptSummary{"1": {State: AttemptSubmitted, Wrong: []string{"other/x", "other/y"}}}},
			}})
		}
		return out
	}
	only := map[string]bool{"final": true}
	check := func(msg string, passed bool) CheckResult {
		return CheckResult{Message: msg, Passed: passed, Lesson: "complaints/six-steps"}
	}
	run := func(state string, checks ...CheckResult) *Run {
		return &Run{Scenario: "water-leak", ScenarioTitle: "楼上漏水", State: state, Log: []RunEntry{{Kind: "task", Checks: checks}}}
	}
	var runs []RunChecks
	for _, r := range []*Run{
		run(RunFinished, check("没有派单", false), check("超时", true)),
		run(RunFinished, check("没有派单", false), check("超时", false)),
		run(RunFinished, check("没有派单", true), check("超时", true)),
		run(RunActive, check("没有派单", false)), // unfinished: its checks do not count
	} {
		if rc, ok := r.Checks(); ok {
			runs = append(runs, rc)
		}
	}
	if len(runs) != 3 {
		t.Fatalf("checks of %d runs, want the 3 finished", len(runs))
	}
	qs, cs := WeakSpots(records(attempts...), runs, quizzes, only, 10)
	if len(qs) != 2 || qs[0].Ref != "a" || qs[0].Rate != 100 || qs[0].Failed != 3 || qs[0].Lesson != "ethics/honesty" ||
		qs[0].Text != "prompt a" || qs[0].Title != "结业考试" || qs[0].Source != "final" {
		t.Fatalf("questions %+v", qs)
	}
	if qs[1].Ref != "b" || qs[1].Rate != 33 {
		t.Fatalf("second question %+v", qs[1])
	}
	if len(cs) != 2 || cs[0].Text != "没有派单" || cs[0].Failed != 2 || cs[0].Total != 3 || cs[0].Lesson != "complaints/six-steps" || cs[0].Title != "楼上漏水" {
		t.Fatalf("checks %+v", cs)
	}
	// Too few results say nothing.
	if qs, cs := WeakSpots(records(attempts[:2]...), runs[:2], quizzes, only, 10); len(qs) != 0 || len(cs) != 0 {
		t.Fatalf("weak spots from two results: %v %v", qs, cs)
	}
	if qs, _ := WeakSpots(records(attempts...), runs, quizzes, only, 1); len(qs) != 1 {
		t.Fatal("limit ignored")
	}
	// Without a filter the other quiz counts too; a question whose bank
	// is gone is still listed, by its id.
	qs, _ = WeakSpots(records(attempts...), runs, quizzes, nil, 10)
	if len(qs) != 4 || qs[0].Source != "other" || qs[0].Text != "x" {
		t.Fatalf("unfiltered %+v", qs)
	}
}
