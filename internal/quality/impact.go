package quality

import (
	"slices"

	"github.com/academy/academy/internal/academy"
)

// Impact is whether training shows in a site's live work: the figures of
// each hiring cohort, and of the agents' weeks before and after their
// latest certificate (a first certification or a refresher).
type Impact struct {
	Cohorts []Cohort // by hire month, oldest first
	// Before are the weeks before the week of an agent's latest
	// certificate; After the weeks from it on; Uncertified the weeks of
	// agents who hold none.
	Before, After, Uncertified Line
}

// Cohort is the agents hired in one month ("2026-03"; "" for those
// without a hire date).
type Cohort struct {
	Month  string
	Agents int
	Line   Line
}

// Impact groups the site's figures by the agents' hire months (hired:
// agent → "YYYY-MM") and splits each agent's weeks at the week of their
// latest certificate (certified: agent → that Monday; absent when none).
func (f *SiteFigures) Impact(weeks []academy.Date, hired map[string]string, certified map[string]academy.Date) Impact {
	var out Impact
	cohorts := map[string]*Cohort{}
	for _, a := range f.AgentNames() {
		m := hired[a]
		if cohorts[m] == nil {
			cohorts[m] = &Cohort{Month: m}
		}
		cohorts[m].Agents++
		cohorts[m].Line.Merge(f.Agents[a])
		cert, ok := certified[a]
		for i, w := range weeks {
			l := &f.AgentWeeks[a][i]
			switch {
			case !ok:
				out.Uncertified.Merge(l)
			case w < cert:
				out.Before.Merge(l)
			default:
				out.After.Merge(l)
			}
		}
	}
	for _, c := range cohorts {
		out.Cohorts = append(out.Cohorts, *c)
	}
	// Those without a hire date come last.
	slices.SortFunc(out.Cohorts, func(a, b Cohort) int {
		switch {
		case a.Month == b.Month:
			return 0
		case a.Month == "":
			return 1
		case b.Month == "":
			return -1
		case a.Month < b.Month:
			return -1
		}
		return 1
	})
	return out
}
