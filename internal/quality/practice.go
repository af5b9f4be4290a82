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
