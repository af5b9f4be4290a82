package content

import (
	"cmp"
	"fmt"
	"path"
	"unicode"

	"github.com/academy/academy/internal/academy"
)

// An exam that draws from several banks can put two questions that test
// the same point into one attempt: the candidate answers it twice and some
// other point goes untested. Each bank's writer sees only their own bank,
// so such a pair is noticed only by looking across banks.
//
// Two questions "read alike" when their texts share many character pairs:
// the Jaccard index of their sets of adjacent letter/digit pairs (bigrams,
// the natural unit of Chinese words; spaces, punctuation and Markdown
// marks are not counted). The text is the whole question: prompt,
// options, items and explanation. Prompts alone cannot tell the pairs
// apart, since unrelated prompts share boilerplate (“请把……按正确顺序排列”,
// “你应该怎么做”), while the explanation states the rule being tested in
// the lesson's words, so two questions on one rule share it there.

// duplicateLimit was calibrated on the shipped banks (issue 18). The three
// pairs that used to meet in the final exam (no cutting water over arrears,
// the arrears list in the owners' group, an owner asking to see CCTV)
// scored 0.13 to 0.21; after the fix, the closest pair of core questions
// that test different points scores 0.09.
const duplicateLimit = 0.11

// charPairs is the set of adjacent letter/digit pairs of s, lower-cased.
func charPairs(s string) map[[2]rune]bool {
	set := map[[2]rune]bool{}
	var prev rune = -1
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			continue // "不停水、停电" and "不停水停电" say the same
		}
		r = unicode.ToLower(r)
		if prev >= 0 {
			set[[2]rune{prev, r}] = true
		}
		prev = r
	}
	return set
}

// jaccard is |a∩b| / |a∪b|, 0 when both are empty.
func jaccard(a, b map[[2]rune]bool) float64 {
	if len(a) > len(b) {
		a, b = b, a
	}
	both := 0
	for p := range a {
		if b[p] {
			both++
		}
	}
	if union := len(a) + len(b) - both; union > 0 {
		return float64(both) / float64(union)
	}
	return 0
}

// questionText is everything a question says, in one string.
func questionText(q *academy.Question) string {
	s := q.Prompt + "\n"
	for _, o := range q.Items {
		s += o.Text + "\n"
	}
	for _, o := range q.Options {
		s += o.Text + "\n"
	}
	return s + q.Explanation
}

// nearDuplicates reports the pairs of questions from different banks that
// q's draw rules can put into one attempt and that read alike; what names
// the exam in the message ("final-exam's draws").
func nearDuplicates(what string, q *academy.Quiz, all map[string]*academy.Quiz) []string {
	type drawn struct {
		q     academy.Question
		pairs map[[2]rune]bool
	}
	pools := make([][]drawn, len(q.Draw))
	banks := make([]string, len(q.Draw))
	for i, d := range q.Draw {
		banks[i] = cmp.Or(d.Quiz, q.Slug)
		for _, qq := range d.Pool(q, all) {
			pools[i] = append(pools[i], drawn{qq, charPairs(questionText(&qq))})
		}
	}
	var out []string
	for i := range pools {
		for j := i + 1; j < len(pools); j++ {
			// Within one bank a writer sees both questions and may mean
			// them as variants; an attempt draws only a few of them.
			if banks[i] == banks[j] {
				continue
			}
			for _, a := range pools[i] {
				for _, b := range pools[j] {
					if s := jaccard(a.pairs, b.pairs); s >= duplicateLimit {
						out = append(out, fmt.Sprintf("%s: %s (%s) and %s (%s) can be drawn into one attempt and read alike (%.0f%% of their character pairs shared, limit %.0f%%): make one of them test a different point, or take it out of the draw",
							what, a.q.ID, path.Join("quizzes", banks[i]+".yaml"), b.q.ID, path.Join("quizzes", banks[j]+".yaml"), s*100, duplicateLimit*100))
					}
				}
			}
		}
	}
	return out
}
