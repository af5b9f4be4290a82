package content

import (
	"slices"
	"testing"

	"github.com/academy/academy/internal/academy"
)

// FuzzReadProgram feeds certification program files to ReadProgram and
// Program.Validate. Admins edit a program as the YAML that ProgramYAML
// writes, so what it writes must read back to the same program, judged the
// same way.
func FuzzReadProgram(f *testing.F) {
	for _, s := range []string{
		"",
		"[]",
		"name: 客服上岗认证\ndescription: 完成全部模块\nvalidity_months: 12\ngrants: [agent]\n" +
			"requirements:\n  courses: [ethics, fees]\n  quizzes:\n    - {quiz: ethics, min_percent: 80}\n    - {quiz: final-exam, min_percent: 80.5}\n" +
			"  scenarios: [angry-owner, water-leak]\n  min_scenarios: 1\n" +
			"recert:\n  quizzes:\n    - {quiz: final-exam, min_percent: 80}\n  scenarios: [water-leak]\n",
		"name: n\nvalidity_months: 1\nrequirements: {courses: [ethics]}\n",
		"name: \" \"\nvalidity_months: 121\ngrants: [admin, wizard]\nrequirements: {quizzes: [{quiz: ghost, min_percent: -1}], scenarios: [x], min_scenarios: 2}\n",
		"name: n\nvalidity_months: 12\nrequirements: {}\nextra: 1\n",
		"name: [n]\nvalidity_months: twelve\n",
		"name: n\nvalidity_months: 12\nrequirements: {quizzes: [{quiz: ethics, min_percent: 1e2}]}\n",
	} {
		f.Add(s)
	}
	have := func(slugs ...string) map[string]bool {
		m := map[string]bool{}
		for _, s := range slugs {
			m[s] = true
		}
		return m
	}
	courses := have("ethics", "fees", "complaints")
	quizzes := have("ethics", "final-exam")
	scenarios := have("angry-owner", "water-leak")
	const rel = "courses/programs/fz.yaml"
	f.Fuzz(func(t *testing.T, src string) {
		p, ps := ReadProgram("fz", []byte(src), rel)
		if p == nil {
			t.Fatal("nil program")
		}
		checkProblems(t, ps, rel, []byte(src))
		if len(ps) > 0 {
			return
		}
		problems := p.Validate(courses, quizzes, scenarios)
		for _, msg := range problems {
			if msg == "" {
				t.Fatal("empty validation message")
			}
		}
		if len(problems) > 0 {
			return // only accepted programs are ever stored and exported
		}
		// An accepted program must be one a learner can complete.
		for _, r := range []academy.Requirements{p.Requirements, p.Recert} {
			for _, q := range r.Quizzes {
				if !(q.MinPercent >= 0 && q.MinPercent <= 100) {
					t.Fatalf("accepted program asks for %v%% in quiz %q", q.MinPercent, q.Quiz)
				}
			}
		}

		out, err := ProgramYAML(p)
		if err != nil {
			t.Fatalf("export: %v", err)
		}
		again, ps := ReadProgram("fz", out, rel)
		if len(ps) > 0 {
			t.Fatalf("exported program does not read back:\n%v\n%s", ps, out)
		}
		if !sameContent(p, again) {
			t.Fatalf("export changed the program:\nbefore %+v\nafter  %+v\nexport:\n%s", p, again, out)
		}
		if !slices.Equal(problems, again.Validate(courses, quizzes, scenarios)) {
			t.Fatalf("export changed the verdict: %v, then %v", problems, again.Validate(courses, quizzes, scenarios))
		}
	})
}
