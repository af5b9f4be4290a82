package academy

import (
	"strconv"
	"testing"
	"time"
)

// The rules and due dates read each person's own dates: hired within N
// days counts from today, due after hire from each hire date (or the
// account's creation without one), and a refresher's next round counts
// only what was done after the last.
func TestAssignmentPerPerson(t *testing.T) {
	now := time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC)
	a := &Assignment{Kind: AssignQuiz, Ref: "qz", Target: AssignTarget{Rule: RuleHiredWithin, Days: 30, Site: "s1"},
		Due: AssignDue{DaysAfterHire: 10}, RecurMonths: 6}
	if err := a.Check(); err != nil {
		t.Fatal(err)
	}
	person := func(hired Date) *User {
		return &User{ID: "p" + string(hired), Status: StatusActive, Sites: []string{"s1"}, HireDate: hired, CreatedAt: now.AddDate(0, 0, -3)}
	}
	empty := Record{Evidence: Evidence{Progress: &Progress{}, Quizzes: &QuizRecord{}}}
	for hired, want := range map[Date]bool{"2026-06-15": true, "2026-05-16": true, "2026-05-15": false, "2026-06-16": false, "": false} {
		if got := a.Targets(person(hired), empty, now, 0, time.UTC); got != want {
			t.Errorf("hired %q: targeted %v, want %v", hired, got, want)
		}
	}
	if got := a.Assess(person("2026-06-01"), empty, nil, now, 0, time.UTC); !got.Overdue || DateOf(got.Due, time.UTC) != "2026-06-11" {
		t.Errorf("hired 06-01 is late on 06-15: %+v", got)
	}
	if got := a.Assess(person(""), empty, nil, now, 0, time.UTC); got.Overdue || DateOf(got.Due, time.UTC) != "2026-06-22" {
		t.Errorf("without a hire date, from the account's day: %+v", got)
	}
	passed := func(at ...time.Time) Record {
		h := &QuizHistory{Count: len(at), Attempts: map[string]AttemptSummary{}}
		for i, t := range at {
			h.Attempts[strconv.Itoa(i+1)] = AttemptSummary{ID: strconv.Itoa(i + 1), Number: i + 1, State: AttemptSubmitted, SubmittedAt: t, Passed: true, Percent: 90}
		}
		return Record{Evidence: Evidence{Progress: &Progress{}, Quizzes: &QuizRecord{Quizzes: map[string]*QuizHistory{"qz": h}}}}
	}
	first := now.AddDate(0, -7, 0)
	if got := a.Assess(person("2026-06-01"), passed(first), nil, now, 0, time.UTC); got.Done || !got.Overdue || !got.Due.Equal(first.AddDate(0, 6, 0)) {
		t.Errorf("seven months after a pass, the refresher is late: %+v", got)
	}
	if got := a.Assess(person("2026-06-01"), passed(first, now.AddDate(0, 0, -1)), nil, now, 0, time.UTC); !got.Done || !got.Due.Equal(now.AddDate(0, 6, -1)) {
		t.Errorf("passed again: %+v", got)
	}
}

// A due day ends at midnight in the person's own calendar: the same
// assignment is due at different instants in Beijing and Urumqi.
func TestAssignmentDueInTheirZone(t *testing.T) {
	a := &Assignment{Kind: AssignCourse, Ref: "c", Target: AssignTarget{Role: RoleTrainee, Site: "s1"}, Due: AssignDue{Date: "2026-12-31"}}
	u := &User{ID: "p", Status: StatusActive, Roles: []string{RoleTrainee}, Sites: []string{"s1"}}
	empty := Record{Evidence: Evidence{Progress: &Progress{}, Quizzes: &QuizRecord{}}}
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for _, zone := range []string{"Asia/Shanghai", "Asia/Urumqi"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		want := time.Date(2026, 12, 31, 23, 59, 59, 0, loc)
		if got := a.Assess(u, empty, nil, now, 0, loc); !got.Due.Equal(want) {
			t.Errorf("%s: due %s, want %s", zone, got.Due.UTC(), want.UTC())
		}
	}
}
