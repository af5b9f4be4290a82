package academy

import (
	"testing"
	"time"
)

func TestRequirementsMet(t *testing.T) {
	t0 := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
	course := &Course{Slug: "ethics", Status: CourseActive, Lessons: []Lesson{{Slug: "a"}, {Slug: "b"}}}
	courses := map[string]*Course{"ethics": course}
	r := Requirements{Courses: []string{"ethics"}, Quizzes: []QuizRequirement{{Quiz: "ethics", MinPercent: 80}},
		Scenarios: []string{"s1", "s2", "s3"}, MinScenarios: 2}
	ev := Evidence{
		Progress: &Progress{Username: "u", Courses: map[string]*CourseProgress{"ethics": {Completed: map[string]time.Time{"a": t0, "b": t0}, CompletedAt: t0}}},
		Quizzes: &QuizRecord{Username: "u", Quizzes: map[string]*QuizHistory{"ethics": {Count: 2, Attempts: map[string]AttemptSummary{
			"1": {Number: 1, State: AttemptSubmitted, SubmittedAt: t0.Add(time.Hour), Percent: 70, Passed: false},
			"2": {Number: 2, State: AttemptSubmitted, SubmittedAt: t0.Add(2 * time.Hour), Percent: 80, Passed: true},
		}}}},
		Runs: []RunSummary{{Scenario: "s1", Passed: true, FinishedAt: t0.Add(3 * time.Hour)}, {Scenario: "s2", Passed: false, FinishedAt: t0.Add(4 * time.Hour)}},
	}
	if ok, _ := r.Met(r.Status(ev, courses, time.Time{})); ok {
		t.Fatal("met with one of two scenarios")
	}
	ev.Runs = append(ev.Runs, RunSummary{Scenario: "s3", Passed: true, FinishedAt: t0.Add(5 * time.Hour)})
	ok, at := r.Met(r.Status(ev, courses, time.Time{}))
	if !ok || !at.Equal(t0.Add(5*time.Hour)) {
		t.Fatalf("met %v at %v, want at the second passed scenario", ok, at)
	}
	// A pass below the program's bar does not count even if the quiz's own
	// pass mark was lower.
	r.Quizzes[0].MinPercent = 90
	if ok, _ := r.Met(r.Status(ev, courses, time.Time{})); ok {
		t.Fatal("an 80% pass meets a 90% requirement")
	}
	r.Quizzes[0].MinPercent = 80
	// Renewal counts quizzes and scenarios from the window on; courses
	// stay done.
	if ok, _ := r.Met(r.Status(ev, courses, t0.Add(150*time.Minute))); ok {
		t.Fatal("old quiz results count for renewal")
	}
	// An unfinished course fails the requirement.
	delete(ev.Progress.Courses["ethics"].Completed, "b")
	if ok, _ := r.Met(r.Status(ev, courses, time.Time{})); ok {
		t.Fatal("met with a lesson missing")
	}
}

func TestCertificateStatusOverTime(t *testing.T) {
	issued := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := &Certificate{IssuedAt: issued, ExpiresAt: issued.AddDate(1, 0, 0)}
	w := DefaultExpiringWindow
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{issued, CertValid},
		{c.ExpiresAt.Add(-w - time.Hour), CertValid},
		{c.ExpiresAt.Add(-w + time.Hour), CertExpiring},
		{c.ExpiresAt.Add(-time.Second), CertExpiring},
		{c.ExpiresAt, CertExpired},
	} {
		if got := c.StatusAt(tc.at, w); got != tc.want {
			t.Errorf("at %v: %s, want %s", tc.at, got, tc.want)
		}
	}
	c.RevokedAt = issued.Add(time.Hour)
	if got := c.StatusAt(issued.Add(2*time.Hour), w); got != CertRevoked {
		t.Errorf("revoked: %s", got)
	}
}

func TestCertificateNumbers(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		n := NewCertificateNumber()
		if !ValidCertificateNumber(n) || seen[n] {
			t.Fatalf("number %q invalid or repeated", n)
		}
		seen[n] = true
	}
	for _, bad := range []string{"", "AC-0000-0000-0000-000", "AC-IIII-0000-0000-0000", "XX-0000-0000-0000-0000", "AC-0000_0000-0000-0000"} {
		if ValidCertificateNumber(bad) {
			t.Errorf("%q passes as a number", bad)
		}
	}
}

func TestProgramValidate(t *testing.T) {
	p := &Program{Slug: "desk", Name: " ", ValidityMonths: 0, Grants: []string{"admin"},
		Requirements: Requirements{Courses: []string{"nope"}, Quizzes: []QuizRequirement{{Quiz: "q", MinPercent: 120}}, Scenarios: []string{"s"}, MinScenarios: 3}}
	got := p.Validate(map[string]bool{}, map[string]bool{"q": true}, map[string]bool{"s": true})
	want := []string{"name: required", "validity_months: 1 to 120", `grants: "admin" is not a role a certificate can grant`,
		`requirements.courses: no course "nope"`, "requirements.quizzes: min_percent 120 is not 0–100", "requirements.min_scenarios: 3 of 1 scenarios"}
	if len(got) != len(want) {
		t.Fatalf("got %q", got)
	}
	for i := range want {
		if en := MessageIn(LangEN, got[i]); en != want[i] || !hasHan(MessageIn(LangZH, got[i])) {
			t.Errorf("problem %d: %q, want %q and its Chinese half", i, got[i], want[i])
		}
	}
}

// A refresher limited to what the holder fails needs something besides
// its scenarios: one who fails nothing would otherwise show nothing.
func TestDeltaRecertNeedsAQuizOrCourse(t *testing.T) {
	p := &Program{Slug: "desk", Name: "上岗", ValidityMonths: 12, DeltaRecert: true,
		Requirements: Requirements{Quizzes: []QuizRequirement{{Quiz: "q", MinPercent: 80}}},
		Recert:       Requirements{Scenarios: []string{"s"}}}
	known := map[string]bool{"q": true, "s": true}
	if got := p.Validate(known, known, known); len(got) != 1 || MessageIn(LangEN, got[0]) != "delta_recert: the refresher needs a course or quiz besides its scenarios" {
		t.Fatalf("problems %q", got)
	}
	p.Recert.Quizzes = p.Requirements.Quizzes
	if got := p.Validate(known, known, known); len(got) != 0 {
		t.Fatalf("problems %q", got)
	}
}
