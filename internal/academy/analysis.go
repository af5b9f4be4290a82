package academy

import (
	"slices"
	"sort"
)

// ItemStats describes how one question performed across graded attempts.
type ItemStats struct {
	ID       string
	Source   string // the bank the question came from
	Attempts int    // graded attempts that included it
	// Facility is the share of attempts that got it fully right.
	Facility float64
	// MeanScore is the average share of its points earned.
	MeanScore float64
	// Discrimination is the facility among the top 27% of scorers minus
	// that among the bottom 27%: good questions are answered right more
	// often by people who did well overall.
	Discrimination float64
	// Choices counts how often each option was chosen (choice questions).
	Choices map[string]int
	// Flags: too_easy, too_hard, negative_discrimination.
	Flags []string
}

// Flag thresholds, the usual ones in classical test theory.
const (
	tooEasy = 0.9
	tooHard = 0.3
	// minForFlags avoids flagging a question on the strength of a handful
	// of attempts.
	minForFlags = 5
)

// AnalyzeItems computes item statistics from graded attempts.
func AnalyzeItems(attempts []*Attempt) []ItemStats {
	graded := slices.DeleteFunc(slices.Clone(attempts), func(a *Attempt) bool {
		return a.State != AttemptSubmitted && a.State != AttemptExpired
	})
	sort.SliceStable(graded, func(i, j int) bool { return graded[i].Percent > graded[j].Percent })
	n := len(graded)
	k := (n*27 + 99) / 100 // 27%, rounded up, so small groups are not empty
	upper, lower := map[string]bool{}, map[string]bool{}
	for i, a := range graded {
		if i < k {
			upper[a.ID] = true
		}
		if i >= n-k {
			lower[a.ID] = true
		}
	}
	type acc struct {
		ItemStats
		right, score               float64
		upN, upRight, loN, loRight float64
	}
	byID := map[string]*acc{}
	var order []string
	for _, a := range graded {
		for _, q := range a.Questions {
			r := a.Result(q.ID)
			if r == nil {
				continue
			}
			s := byID[q.ID]
			if s == nil {
				s = &acc{ItemStats: ItemStats{ID: q.ID, Source: q.Source, Choices: map[string]int{}}}
				byID[q.ID] = s
				order = append(order, q.ID)
			}
			s.Attempts++
			if r.Correct {
				s.right++
			}
			if r.Max > 0 {
				s.score += r.Score / r.Max
			}
			if upper[a.ID] {
				s.upN++
				if r.Correct {
					s.upRight++
				}
			}
			if lower[a.ID] {
				s.loN++
				if r.Correct {
					s.loRight++
				}
			}
			resp := a.Answers[q.ID]
			switch q.Type {
			case QSingle:
				if resp.Choice != "" {
					s.Choices[resp.Choice]++
				}
			case QMultiple:
				for _, c := range resp.Choices {
					s.Choices[c]++
				}
			}
		}
	}
	out := make([]ItemStats, 0, len(order))
	for _, id := range order {
		s := byID[id]
		st := s.ItemStats
		st.Facility = round2(s.right / float64(st.Attempts))
		st.MeanScore = round2(s.score / float64(st.Attempts))
		if s.upN > 0 && s.loN > 0 {
			st.Discrimination = round2(s.upRight/s.upN - s.loRight/s.loN)
		}
		if st.Attempts >= minForFlags {
			if st.Facility > tooEasy {
				st.Flags = append(st.Flags, "too_easy")
			}
			if st.Facility < tooHard {
				st.Flags = append(st.Flags, "too_hard")
			}
			if st.Discrimination < 0 {
				st.Flags = append(st.Flags, "negative_discrimination")
			}
		}
		out = append(out, st)
	}
	return out
}
