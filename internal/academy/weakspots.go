package academy

import (
	"cmp"
	"slices"
)

// WeakSpot is a question or a procedure check a team gets wrong often.
type WeakSpot struct {
	Kind   string // "question" or "check"
	Source string // quiz or scenario slug
	Title  string // quiz or scenario title
	Ref    string // question id, or the check's message
	Text   string // question prompt, or the check's message
	Lesson string // course/lesson that teaches it, if known
	Failed int
	Total  int
	Rate   int // percent failed
}

// minWeakSample keeps one unlucky attempt from topping the list.
const minWeakSample = 3

// WeakSpots ranks the questions and procedure checks people fail, most
// failed (by share, then count) first, at most limit of each kind. quizzes
// resolve a question's lesson, which is named within its bank's course.
func WeakSpots(attempts []*Attempt, runs []*Run, quizzes map[string]*Quiz, limit int) (questions, checks []WeakSpot) {
	type key struct{ source, ref string }
	q := map[key]*WeakSpot{}
	for _, a := range attempts {
		if a.State != AttemptSubmitted && a.State != AttemptExpired {
			continue
		}
		for _, r := range a.Results {
			k := key{a.Quiz, r.ID}
			w := q[k]
			if w == nil {
				w = &WeakSpot{Kind: "question", Source: a.Quiz, Title: a.QuizTitle, Ref: r.ID}
				if i := slices.IndexFunc(a.Questions, func(x AttemptQuestion) bool { return x.ID == r.ID }); i >= 0 {
					aq := a.Questions[i]
					w.Text = aq.Prompt
					if bank := quizzes[cmp.Or(aq.Source, a.Quiz)]; bank != nil && bank.Course != "" && aq.Lesson != "" {
						w.Lesson = bank.Course + "/" + aq.Lesson
					}
				}
				q[k] = w
			}
			w.Total++
			if !r.Correct {
				w.Failed++
			}
		}
	}
	c := map[key]*WeakSpot{}
	for _, r := range runs {
		if r.State != RunFinished {
			continue
		}
		for _, e := range r.Log {
			for _, ck := range e.Checks {
				k := key{r.Scenario, ck.Message}
				w := c[k]
				if w == nil {
					w = &WeakSpot{Kind: "check", Source: r.Scenario, Title: r.ScenarioTitle, Ref: ck.Message, Text: ck.Message, Lesson: ck.Lesson}
					c[k] = w
				}
				w.Total++
				if !ck.Passed {
					w.Failed++
				}
			}
		}
	}
	return rank(q, limit), rank(c, limit)
}

func rank[K comparable](m map[K]*WeakSpot, limit int) []WeakSpot {
	var out []WeakSpot
	for _, w := range m {
		if w.Failed == 0 || w.Total < minWeakSample {
			continue
		}
		w.Rate = w.Failed * 100 / w.Total
		out = append(out, *w)
	}
	slices.SortFunc(out, func(a, b WeakSpot) int {
		return cmp.Or(b.Rate-a.Rate, b.Failed-a.Failed, cmp.Compare(a.Source, b.Source), cmp.Compare(a.Ref, b.Ref))
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}
