package http_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
)

// BenchmarkTeamDashboard renders the manager's dashboard for a site of
// 1,000 trainees on the desk program (20 requirement columns), each with
// some progress and a graded attempt, on the embedded store.
func BenchmarkTeamDashboard(b *testing.B) { benchTeam(b, "/team") }

// BenchmarkTeamWeakSpots reads every graded attempt and run of that team.
func BenchmarkTeamWeakSpots(b *testing.B) { benchTeam(b, "/team/weak-spots") }

func benchTeam(b *testing.B, path string) {
	e := newEnv(b)
	ctx := context.Background()
	now := time.Now()
	for i := range 1000 {
		name := fmt.Sprintf("t%04d", i)
		u := &academy.User{Username: name, Roles: []string{academy.RoleTrainee}, Sites: []string{"s1"}, HiredAt: now.AddDate(0, 0, -i%90)}
		u.Normalize()
		if err := e.accounts.Users.CreateUser(ctx, u); err != nil {
			b.Fatal(err)
		}
		if _, err := e.deps.Learning.Progress.CompleteLesson(ctx, name, "ethics", "role-of-the-desk", now); err != nil {
			b.Fatal(err)
		}
		// A graded attempt with ten questions, for the weak-spot scan.
		a := &academy.Attempt{ID: name + "-a", Username: name, Quiz: "ethics", QuizTitle: "职业道德", Number: 1,
			State: academy.AttemptSubmitted, StartedAt: now, SubmittedAt: now, Percent: 85, Passed: true}
		for q := range 10 {
			a.Results = append(a.Results, academy.QuestionResult{ID: fmt.Sprintf("q%d", q), Max: 1, Correct: (i+q)%4 != 0})
		}
		if err := e.deps.Examiner.Attempts.InsertAttempt(ctx, a); err != nil {
			b.Fatal(err)
		}
		if err := e.deps.Examiner.Attempts.WriteFinal(ctx, a); err != nil {
			b.Fatal(err)
		}
		sum := academy.AttemptSummary{ID: name + "-q", Number: 1, State: academy.AttemptSubmitted, StartedAt: now, SubmittedAt: now, Percent: 85, Passed: true}
		if err := e.deps.Examiner.Attempts.SetSummary(ctx, name, "ethics", sum); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		res := e.api("GET", path, "manager", nil)
		if res.StatusCode != 200 {
			b.Fatalf("%s: %d", path, res.StatusCode)
		}
	}
}
