package quality

import (
	"strings"

	"github.com/academy/academy/internal/academy"
)

// practiceCheck finds the scenario check a practice reference
// ("scenario/check-id") names, nil if the scenario or check is gone.
func practiceCheck(ref string, scenarios map[string]*academy.Scenario) (*academy.Scenario, *academy.Check) {
	slug, id, _ := strings.Cut(ref, "/")
	sc := scenarios[slug]
	if sc == nil {
		return nil, nil
	}
	for _, st := range sc.Steps {
		for i := range st.Checks {
			if st.Checks[i].ID == id {
				return sc, &st.Checks[i]
			}
		}
	}
	return nil, nil
}

// PracticeRate is how often runs passed the scenario checks that grade
// the same conduct as live check c in practice. Runs keep each check by
// its message, as weak spots count them.
func PracticeRate(c academy.QualityCheck, scenarios map[string]*academy.Scenario, runs []academy.RunChecks) Rate {
	pass, n := 0, 0
	for _, ref := range c.Practice {
		sc, ck := practiceCheck(ref, scenarios)
		if ck == nil {
			continue
		}
		for _, r := range runs {
			if r.Scenario != sc.Slug {
				continue
			}
			for _, m := range r.Checks {
				if m.Message == ck.Message {
					n++
					if m.Passed {
						pass++
					}
				}
			}
		}
	}
	return rate(pass, n)
}

// Teaching is the scenario and lesson ("course/lesson") that teach live
// check c: those of the first of its practice checks that still exists,
// the mapping weak spots use. ok is false for a check no scenario teaches.
func Teaching(c academy.QualityCheck, scenarios map[string]*academy.Scenario) (scenario, lesson string, ok bool) {
	for _, ref := range c.Practice {
		if sc, ck := practiceCheck(ref, scenarios); ck != nil {
			lesson = ck.Lesson
			if lesson == "" && len(sc.Lessons) > 0 {
				lesson = sc.Lessons[0]
			}
			return sc.Slug, lesson, true
		}
	}
	return "", "", false
}
