package http_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
	ahttp "github.com/academy/academy/internal/http"
)

// BenchmarkTeamDashboard renders the manager's dashboard for a site of
// 1,000 trainees on the desk program (20 requirement columns), each with
// some progress and a graded attempt, on the embedded store, gathering the
// evidence for every view (--dashboard-max-age 0).
func BenchmarkTeamDashboard(b *testing.B) { benchTeam(b, "/team", 0) }

// BenchmarkTeamWeakSpots reads every graded attempt and run of that team.
func BenchmarkTeamWeakSpots(b *testing.B) { benchTeam(b, "/team/weak-spots", 0) }

// BenchmarkTeamDashboardReused is the dashboard from evidence gathered
// before, as views within --dashboard-max-age are served.
func BenchmarkTeamDashboardReused(b *testing.B) { benchTeam(b, "/team", time.Hour) }

// BenchmarkTeamWeakSpotsReused is the weak spots from evidence gathered before.
func BenchmarkTeamWeakSpotsReused(b *testing.B) { benchTeam(b, "/team/weak-spots", time.Hour) }

func benchTeam(b *testing.B, path string, maxAge time.Duration) {
	e := newEnv(b, func(d *ahttp.Deps) { d.TeamBoard = &academy.TeamBoard{MaxAge: maxAge} })
	ctx := context.Background()
	now := time.Now()
	for i := range 1000 {
		name := fmt.Sprintf("t%04d", i)
		u := &academy.User{Username: name, Roles: []string{academy.RoleTrainee}, Sites: []string{"s1"}, HireDate: academy.DateOf(now.AddDate(0, 0, -i%90), beijing)}
		u.Normalize()
		if err := e.accounts.Users.CreateUser(ctx, u); err != nil {
			b.Fatal(err)
		}
		if _, err := e.deps.Learning.Progress.CompleteLesson(ctx, name, "ethics", "role-of-the-desk", now); err != nil {
			b.Fatal(err)
		}
		// A graded attempt with ten questions, for the weak spots of quizzes.
		a := &academy.Attempt{ID: name + "-a", Username: name, Quiz: "ethics", QuizTitle: "职业道德", Number: 1,
			State: academy.AttemptSubmitted, StartedAt: now, SubmittedAt: now, Percent: 85, Passed: true}
		for q := range 10 {
			a.Results = append(a.Results, academy.QuestionResult{ID: fmt.Sprintf("q%d", q), Max: 1, Correct: (i+q)%4 != 0})
		}
		if err := e.deps.Examiner.Attempts.InsertAttempt(ctx, a); err != nil {
			b.Fatal(err)
		}
		if err := e.deps.Examiner.Attempts.WriteFinal(ctx, a, now); err != nil {
			b.Fatal(err)
		}
		if err := e.deps.Examiner.Attempts.DropOpen(ctx, a.ID); err != nil {
			b.Fatal(err)
		}
		if err := e.deps.Examiner.Attempts.SetSummary(ctx, name, "ethics", a.Summary()); err != nil {
			b.Fatal(err)
		}
		// A finished run with five checks, for the weak spots of procedure.
		r := &academy.Run{ID: name + "-r", Username: name, Scenario: "water-leak", ScenarioTitle: "楼上漏水", State: academy.RunFinished, Version: 1}
		for k := range 5 {
			r.Log = append(r.Log, academy.RunEntry{Kind: "task", Checks: []academy.CheckResult{{Message: fmt.Sprintf("检查 %d", k), Passed: (i+k)%3 != 0}}})
		}
		if err := e.deps.Coach.Runs.InsertRun(ctx, r); err != nil {
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
