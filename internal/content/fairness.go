package content

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/academy/academy/internal/academy"
)

// A bank is only a test of the course if a learner who has not read it
// cannot pass it. Option lengths are the classic tell: writers polish the
// right answer and leave the wrong ones short, so "tick the longest" scores
// well. The rule allows that by chance (with four options the key is the
// longest about a quarter of the time) but not as a habit.

// TextLength is an option's length as a reader sees it: runes, without
// whitespace and Markdown emphasis marks, which are not on the page.
func TextLength(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsSpace(r) || strings.ContainsRune("*_`~", r) {
			continue
		}
		n++
	}
	return n
}

// KeyIsLongest reports whether texts[key] is strictly longer (by
// TextLength) than every other text. Exported for the scenario lint,
// whose choices show the same tell.
func KeyIsLongest(texts []string, key int) bool {
	if key < 0 || key >= len(texts) || len(texts) < 2 {
		return false
	}
	k := TextLength(texts[key])
	for i, t := range texts {
		if i != key && TextLength(t) >= k {
			return false
		}
	}
	return true
}

// KeysAreLongest reports whether the keyed texts are exactly the longest
// ones: each is strictly longer than every text that is not keyed. When
// every option is keyed there is nothing to tell apart.
func KeysAreLongest(texts []string, keyed []bool) bool {
	shortestKey, longestOther := -1, -1
	for i, t := range texts {
		n := TextLength(t)
		if i < len(keyed) && keyed[i] {
			if shortestKey < 0 || n < shortestKey {
				shortestKey = n
			}
		} else if n > longestOther {
			longestOther = n
		}
	}
	return shortestKey >= 0 && longestOther >= 0 && shortestKey > longestOther
}

// tooOften is the bank rule: more than a third, and at least two, since a
// single question is not yet a habit.
func tooOften(hits, of int) bool { return hits >= 2 && hits*3 > of }

// lengthTells reports the length tells of a set of questions; what names
// the set in the message ("ethics", "final-exam's draws").
func lengthTells(what string, qs []academy.Question) []string {
	var single, multiple int
	var longest, longestSet []string
	for _, q := range qs {
		texts := make([]string, len(q.Options))
		for i, o := range q.Options {
			texts[i] = o.Text
		}
		switch q.Type {
		case academy.QSingle:
			single++
			for i, o := range q.Options {
				if o.ID == q.Key.Choice && KeyIsLongest(texts, i) {
					longest = append(longest, q.ID)
				}
			}
		case academy.QMultiple:
			multiple++
			keyed := make([]bool, len(q.Options))
			for i, o := range q.Options {
				for _, c := range q.Key.Choices {
					keyed[i] = keyed[i] || o.ID == c
				}
			}
			if KeysAreLongest(texts, keyed) {
				longestSet = append(longestSet, q.ID)
			}
		}
	}
	var out []string
	if tooOften(len(longest), single) {
		out = append(out, fmt.Sprintf("%s: key is the longest option in %d of %d single-choice questions (more than a third): vary lengths (%s)",
			what, len(longest), single, strings.Join(longest, ", ")))
	}
	if tooOften(len(longestSet), multiple) {
		out = append(out, fmt.Sprintf("%s: the keyed options are exactly the longest ones in %d of %d multiple-choice questions (more than a third): vary lengths (%s)",
			what, len(longestSet), multiple, strings.Join(longestSet, ", ")))
	}
	return out
}

// drawnQuestions is every question the quiz's draw rules can pick, once.
func drawnQuestions(q *academy.Quiz, all map[string]*academy.Quiz) []academy.Question {
	var out []academy.Question
	seen := map[string]bool{}
	for _, d := range q.Draw {
		for _, qq := range d.Pool(q, all) {
			if !seen[qq.ID] {
				seen[qq.ID] = true
				out = append(out, qq)
			}
		}
	}
	return out
}

// Options are shuffled and shown without letters, so "选项 b" or "the
// second option" points at nothing the learner saw, and "以上都对" stops
// meaning anything once it is not last.

type refPattern struct {
	re    *regexp.Regexp
	group int                                 // the submatch that is the phrase
	keep  func(s string, start, end int) bool // nil: every match counts
}

// nextRune is the first rune at or after i that is not a space.
func nextRune(s string, i int) rune {
	for _, r := range s[i:] {
		if r != ' ' && r != '\t' {
			return r
		}
	}
	return 0
}

func isASCIIAlnum(r rune) bool {
	return r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// notAUnit keeps a letter that is not the start of a building, zone or
// grade name ("A栋", "B 区", "C座", "B1层") nor of a longer ASCII word.
func notAUnit(s string, _, end int) bool {
	r := nextRune(s, end)
	return !isASCIIAlnum(r) && !strings.ContainsRune("栋幢座区楼号门口单元层户室级类型期证照", r)
}

// yiWords are words that start with 一 after 选项 ("这个选项一般……").
const yiWords = "般样定些直旦起切时律致方面再向共"

var refPatterns = []refPattern{
	// 选项a, 选项 B, 选项（c）, 选项2
	{re: regexp.MustCompile(`选项\s*[（(]?\s*[A-Fa-f1-9]\s*[)）]?`), keep: notAUnit},
	// 选项三; not 选项一般
	{re: regexp.MustCompile(`选项[一二三四五六七八九十]`), keep: func(s string, start, end int) bool {
		return !strings.HasSuffix(s[start:end], "一") || !strings.ContainsRune(yiWords, nextRune(s, end))
	}},
	// A项, B 选项; not 项目
	{re: regexp.MustCompile(`(?:^|[^A-Za-z0-9_])([A-Fa-f]\s*选?项)`), group: 1, keep: func(s string, _, end int) bool {
		return nextRune(s, end) != '目'
	}},
	// 第二个选项, 第三种做法; not 第二步, 第三方, 第二百七十一条
	{re: regexp.MustCompile(`第\s*[一二三四五六七八九十1-9]\s*(?:个|种)?\s*(?:选项|答案|选择)|第\s*[一二三四五六七八九十1-9]\s*种\s*(?:做法|说法|答法|回答|回应)`)},
	// 第2项; not 第二项目, nor "五项信息的第一项", which counts a list of its own
	{re: regexp.MustCompile(`第\s*[一二三四五六七八九十1-9]\s*项`), keep: func(s string, start, end int) bool {
		before, _ := utf8.DecodeLastRuneInString(s[:start])
		return nextRune(s, end) != '目' && before != '的'
	}},
	// 前两个选项, 后两项, 最后一项, 最后一个选项, 上一个选项
	{re: regexp.MustCompile(`(?:前|后|最后)\s*[一两二三四五六七八九十1-9]\s*(?:个|种)?\s*(?:选项|项)|最后\s*(?:个|一个)?\s*选项|[上下]\s*一\s*个?\s*选项`),
		keep: func(s string, _, end int) bool { return nextRune(s, end) != '目' }},
	// 以上都对, 以上皆非, 上述说法都不正确; not 以上都是个人信息, 以上都非常重要
	{re: regexp.MustCompile(`(?:以上|上述)(?:说法|做法|选项|答案|各项|几项)?\s*(?:都|皆|均|全)\s*(?:不)?\s*(?:对|是|非|正确|错误|错|成立)`),
		keep: func(s string, _, end int) bool { return !unicode.Is(unicode.Han, nextRune(s, end)) }},
	// 所以 b、d 都不成立; c 和 d 看似……
	{re: regexp.MustCompile(`(?:^|[^A-Za-z0-9_])([A-Fa-f](?:\s*[、，,和与或及/]\s*[A-Fa-f])*)\s*(?:都|也|均|皆|是|不|错|对|说|成立|正确|属于|违反|看似|虽然|听起来|即使|出于)`), group: 1},
	// 选 C, 答案是B
	{re: regexp.MustCompile(`(?:选|答案\s*(?:是|为)?)\s*([A-Fa-f])`), group: 1, keep: notAUnit},
	// (b), （C）
	{re: regexp.MustCompile(`[（(]\s*[A-Fa-f]\s*[)）]`)},
	// option c, choice B, answer (d); not "answer a question"
	{re: regexp.MustCompile(`(?i)\b(?:option|choice|answer)s?\s*(?:\(\s*[a-f]\s*\)|[a-f]\b)`), keep: func(s string, start, end int) bool {
		m := strings.TrimRight(s[start:end], ") ")
		return !(strings.HasSuffix(m, " a") && isASCIIAlnum(nextRune(s, end)))
	}},
	// option 2; not "answer 3 questions"
	{re: regexp.MustCompile(`(?i)\b(?:option|choice)s?\s*#?\s*[1-9]\b`)},
	// the first option, the last two answers
	{re: regexp.MustCompile(`(?i)\bthe\s+(?:first|second|third|fourth|fifth|sixth|last|previous|next)\s+(?:two\s+|three\s+)?(?:options?|answers?|choices?)\b`)},
	// all of the above, none of the above, both a and c
	{re: regexp.MustCompile(`(?i)\b(?:all|none|both|neither)\s+of\s+the\s+(?:above|previous|options)\b|\b(?:both|either|neither)\s+(?:\([a-f]\)|[a-f])\s+(?:and|or|nor)\s+(?:\([a-f]\)|[a-f]\b)`)},
}

// OptionReference returns the first phrase in text that points at an
// option by letter or position ("选项 b", "第二个选项", "the first option")
// or by the options around it ("以上都对"), or "" when there is none.
// Exported for the scenario lint, whose choices are shown the same way.
func OptionReference(text string) string {
	best, bestAt := "", -1
	for _, p := range refPatterns {
		for _, m := range p.re.FindAllStringSubmatchIndex(text, -1) {
			start, end := m[2*p.group], m[2*p.group+1]
			if start < 0 || (p.keep != nil && !p.keep(text, start, end)) {
				continue
			}
			if bestAt < 0 || start < bestAt {
				best, bestAt = strings.TrimSpace(text[start:end]), start
			}
			break
		}
	}
	return best
}

// lintOptionReferences reports explanations and option texts that name
// an option by letter or position. The phrase is looked up in the
// question's lines of the file (first..last) so the problem points at it
// rather than at the question's start.
func lintOptionReferences(q *academy.Question, src []string, first, last int, r reporter) {
	at := func(phrase string) int {
		for i := first; i <= last && i-1 < len(src); i++ {
			if i >= 1 && strings.Contains(src[i-1], phrase) {
				return i
			}
		}
		return first
	}
	if p := OptionReference(q.Explanation); p != "" {
		r.at(at(p), "questions[%s]: explanation points at an option by letter or position (%q); options are shuffled and shown without letters: name the option by what it says", q.ID, p)
	}
	for _, o := range q.Options {
		if p := OptionReference(o.Text); p != "" {
			r.at(at(p), "questions[%s]: options[%s] points at other options (%q), which shuffling breaks: say what it means in full", q.ID, o.ID, p)
		}
	}
}

// lintFairness applies the fairness rules to one bank read from src.
func lintFairness(q *academy.Quiz, src []byte, qlines []int, r reporter) {
	lines := strings.Split(string(src), "\n")
	for i := range q.Questions {
		last := len(lines)
		if i+1 < len(qlines) {
			last = qlines[i+1] - 1
		}
		lintOptionReferences(&q.Questions[i], lines, qlines[i], last, r)
	}
	at := 1 // a bank-wide problem belongs to the questions field
	for i, l := range lines {
		if strings.HasPrefix(l, "questions:") {
			at = i + 1
		}
	}
	for _, m := range lengthTells(q.Slug, q.Questions) {
		r.at(at, "%s", m)
	}
}
