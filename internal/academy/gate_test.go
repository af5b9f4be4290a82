package academy

import (
	"testing"
	"time"
)

// TestExamGateChoosesTheClosestProgram: an exam two programs require opens
// by the program the learner is closest to finishing, and a second exam
// of the same program never waits for the first.
func TestExamGateChoosesTheClosestProgram(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	courses := map[string]*Course{
		"ethics": {Slug: "ethics", Status: CourseActive, Lessons: []Lesson{{Slug: "a"}}},
		"fees":   {Slug: "fees", Status: CourseActive, Lessons: []Lesson{{Slug: "a"}}},
		"old":    {Slug: "old", Status: CourseArchived, Lessons: []Lesson{{Slug: "a"}}},
	}
	quizzes := map[string]*Quiz{
		"ethics": {Slug: "ethics", Course: "ethics", Status: CourseActive},
		"fees":   {Slug: "fees", Course: "fees", Status: CourseActive},
		"exam":   {Slug: "exam", Status: CourseActive},
		"oral":   {Slug: "oral", Status: CourseActive},
		"free":   {Slug: "free", Status: CourseActive},
	}
	wide := &Program{Slug: "wide", Requirements: Requirements{Courses: []string{"ethics", "fees", "old"},
		Quizzes: []QuizRequirement{{Quiz: "ethics", MinPercent: 80}, {Quiz: "fees", MinPercent: 80}, {Quiz: "exam"}, {Quiz: "oral"}}}}
	narrow := &Program{Slug: "narrow", Requirements: Requirements{Courses: []string{"ethics"},
		Quizzes: []QuizRequirement{{Quiz: "ethics", MinPercent: 90}, {Quiz: "exam"}}}}
	ev := Evidence{
		Progress: &Progress{Username: "u", Courses: map[string]*CourseProgress{"ethics": {Completed: map[string]time.Time{"a": t0}, CompletedAt: t0}}},
		Quizzes: &QuizRecord{Username: "u", Quizzes: map[string]*QuizHistory{"ethics": {Count: 1, Attempts: map[string]AttemptSummary{
			"1": {Number: 1, State: AttemptSubmitted, SubmittedAt: t0, Percent: 85, Passed: true},
		}}}},
	}
	programs := []*Program{wide, narrow}
	got := QuizPrerequisites(quizzes["exam"], programs, quizzes, courses, ev)
	// narrow misses the ethics pass at 90 %; wide misses fees (course and
	// quiz): narrow is closer. The archived course gates nothing.
	if len(got) != 1 || got[0] != (Prerequisite{Kind: "quiz", Ref: "ethics"}) {
		t.Fatalf("exam waits for %+v, want only the ethics quiz at narrow's mark", got)
	}
	if got := QuizPrerequisites(quizzes["fees"], programs, quizzes, courses, ev); len(got) != 1 || got[0].Ref != "fees" {
		t.Fatalf("fees quiz waits for %+v, want its course", got)
	}
	if got := QuizPrerequisites(quizzes["free"], programs, quizzes, courses, ev); got != nil {
		t.Fatalf("a quiz nothing ties to waits for %+v", got)
	}
	ev.Quizzes.Quizzes["ethics"].Attempts["1"] = AttemptSummary{Number: 1, State: AttemptSubmitted, SubmittedAt: t0, Percent: 95, Passed: true}
	if got := QuizPrerequisites(quizzes["exam"], programs, quizzes, courses, ev); got != nil {
		t.Fatalf("exam still waits for %+v after narrow is done", got)
	}
	// oral is only in wide, which still misses fees; the exam it also
	// requires is not among them.
	got = QuizPrerequisites(quizzes["oral"], programs, quizzes, courses, ev)
	if len(got) != 2 || got[0] != (Prerequisite{Kind: "course", Ref: "fees"}) || got[1] != (Prerequisite{Kind: "quiz", Ref: "fees"}) {
		t.Fatalf("oral waits for %+v, want the fees course and quiz", got)
	}
}

// TestGrantsChangeTheAttemptRules: an extra attempt adds to the limit and
// a cooldown reset frees only attempts submitted before it.
func TestGrantsChangeTheAttemptRules(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	q := &Quiz{MaxAttempts: 2, Cooldown: 24 * time.Hour}
	h := &QuizHistory{Count: 2, Attempts: map[string]AttemptSummary{
		"1": {Number: 1, State: AttemptSubmitted, SubmittedAt: t0},
		"2": {Number: 2, State: AttemptSubmitted, SubmittedAt: t0.Add(time.Hour)},
	}}
	if h.AttemptsLeft(q) != 0 || !h.NextStart(q).Equal(t0.Add(25*time.Hour)) {
		t.Fatalf("before grants: %d left, next %v", h.AttemptsLeft(q), h.NextStart(q))
	}
	h.Extra, h.CooldownReset = 1, t0.Add(time.Hour)
	if h.AttemptsLeft(q) != 1 || !h.NextStart(q).IsZero() {
		t.Fatalf("after grants: %d left, next %v", h.AttemptsLeft(q), h.NextStart(q))
	}
	h.Count++
	h.Attempts["3"] = AttemptSummary{Number: 3, State: AttemptSubmitted, SubmittedAt: t0.Add(2 * time.Hour)}
	if h.AttemptsLeft(q) != 0 || !h.NextStart(q).Equal(t0.Add(26*time.Hour)) {
		t.Fatalf("after using the extra attempt: %d left, next %v", h.AttemptsLeft(q), h.NextStart(q))
	}
	if (&QuizHistory{Extra: 3}).AttemptsLeft(&Quiz{}) != -1 {
		t.Fatal("a quiz without a limit has a limit")
	}
}
