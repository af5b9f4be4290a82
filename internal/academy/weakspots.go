package academy

import (
	"cmp"
	"slices"
	"strings"
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
// failed (by share, then count) first, at most limit of each kind. Questions
// are counted from the graded attempts in records, of the quizzes in only
// (nil: all); quizzes give their text and the lesson that teaches them,
// which is named within its bank's course.
func WeakSpots(records []*QuizRecord, runs []RunChecks, quizzes map[string]*Quiz, only map[string]bool, limit int) (questions, checks []WeakSpot) {
	type key struct{ source, ref string }
	q := map[key]*WeakSpot{}
	tally := func(quiz, item string, failed bool) {
		bank, id, ok := strings.Cut(item, "/")
		if !ok {
			return
		}
		k := key{quiz, id}
		w := q[k]
		if w == nil {
			w = &WeakSpot{Kind: "question", Source: quiz, Title: quiz, Ref: id, Text: id}
			if qz := quizzes[quiz]; qz != nil {
				w.Title = qz.Title
			}
			if b := quizzes[bank]; b != nil {
				if qq := b.Question(id); qq != nil {
					w.Text = qq.Prompt
					if b.Course != "" && qq.Lesson != "" {
						w.Lesson = b.Course + "/" + qq.Lesson
					}
				}
			}
			q[k] = w
		}
		w.Total++
		if failed {
			w.Failed++
		}
	}
	for _, r := range records {
		for quiz, h := range r.Quizzes {
			if h == nil || (only != nil && !only[quiz]) {
				continue
			}
			for _, a := range h.Attempts {
				if !a.Graded() {
					continue
				}
				for _, item := range a.Right {
					tally(quiz, item, false)
				}
				for _, item := range a.Wrong {
					tally(quiz, item, true)
				}
			}
		}
	}
	c := map[key]*WeakSpot{}
	for _, r := range runs {
		for _, ck := range r.Checks {
			k := key{r.Scenario, ck.Message}
			w := c[k]
			if w == nil {
				w = &WeakSpot{Kind: "check", Source: r.Scenario, Title: r.Title, Ref: ck.Message, Text: ck.Message, Lesson: ck.Lesson}
				c[k] = w
			}
			w.Total++
			if !ck.Passed {
				w.Failed++
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
