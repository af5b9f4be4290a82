package content

import (
	"cmp"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/academy/academy/internal/academy"
)

// This file imports Moodle GIFT question banks (docs.moodle.org, "GIFT
// format"). GIFT marks structure with a few ASCII characters; a backslash
// makes any of them literal. The scanner below never unescapes early: it
// finds the unescaped separators in the raw text first and unescapes each
// piece last, so "\=" or "\->" inside a text can never split it.

// giftEscapable are the characters a backslash makes literal.
const giftEscapable = "~=#{}:\\"

var (
	// giftFormatTag is the optional text format before a question text.
	giftFormatTag = regexp.MustCompile(`(?i)^\[(html|moodle|plain|markdown)\]`)
	// giftWeight is a percentage grade before an answer: %50%, %-100%, %33.3%.
	giftWeight = regexp.MustCompile(`^%\s*(-?[0-9]+(?:\.[0-9]+)?)\s*%`)
	// giftHTMLTag finds markup in [html] questions.
	giftHTMLTag = regexp.MustCompile(`<\s*/?\s*[A-Za-z][^<>]*>`)
)

// ParseGIFT converts Moodle GIFT text into questions. idPrefix starts the id of
// every question whose title gives no usable id. Malformed or unsupported
// questions are reported by line in Problems (path is used in them) and
// skipped; the others are returned, each passing academy.Question.Validate().
func ParseGIFT(src []byte, path, idPrefix string) ([]academy.Question, Problems) {
	p := &giftParser{path: path, prefix: giftPrefix(idPrefix), used: map[string]bool{}}
	text := strings.ToValidUTF8(string(src), "\uFFFD")
	text = strings.TrimPrefix(text, "\uFEFF")
	text = strings.ReplaceAll(text, "\r\n", "\n")

	// A question is a run of non-blank lines; comment lines are dropped but
	// do not end the run. nums keeps the file line of every kept line.
	var lines []string
	var nums []int
	for i, line := range strings.Split(text, "\n") {
		t := strings.TrimSpace(line)
		switch {
		case t == "":
			p.block(lines, nums)
			lines, nums = nil, nil
		case strings.HasPrefix(t, "//"):
		default:
			lines = append(lines, strings.TrimRightFunc(line, unicode.IsSpace))
			nums = append(nums, i+1)
		}
	}
	p.block(lines, nums)
	return p.questions, p.problems
}

type giftParser struct {
	path      string
	prefix    string
	category  string // tag for the questions that follow, "" for none
	n         int    // questions seen so far, imported or not
	used      map[string]bool
	questions []academy.Question
	problems  Problems
}

// problem reports why the question starting on line cannot be imported.
func (p *giftParser) problem(line int, format string, args ...any) *Problem {
	return &Problem{Path: p.path, Line: line, Message: fmt.Sprintf(format, args...)}
}

// block handles one blank-line separated block: a category, a question, or
// a category line followed by a question.
func (p *giftParser) block(lines []string, nums []int) {
	if len(lines) == 0 {
		return
	}
	first := strings.TrimSpace(lines[0])
	if len(first) >= 10 && strings.EqualFold(first[:10], "$CATEGORY:") {
		path := strings.TrimSpace(first[10:])
		p.category = strings.TrimSpace(path[strings.LastIndex(path, "/")+1:])
		if lines, nums = lines[1:], nums[1:]; len(lines) == 0 {
			return
		}
	}
	p.n++
	q, bad := p.question(strings.Join(lines, "\n"), nums)
	if bad != nil {
		p.problems = append(p.problems, *bad)
		return
	}
	p.questions = append(p.questions, *q)
}

// question parses one question; nums maps the lines of text to file lines.
func (p *giftParser) question(text string, nums []int) (*academy.Question, *Problem) {
	start := nums[0]
	// lineAt is the file line of a byte offset into s, a suffix of text.
	lineAt := func(s string, off int) int {
		return nums[strings.Count(text[:len(text)-len(s)+off], "\n")]
	}
	s := strings.TrimLeftFunc(text, unicode.IsSpace)

	title := ""
	if strings.HasPrefix(s, "::") {
		end := giftIndex(s[2:], "::")
		if end < 0 {
			return nil, p.problem(start, "the title opened with '::' is never closed with '::'")
		}
		title = giftUnescape(s[2 : 2+end])
		s = strings.TrimLeftFunc(s[2+end+2:], unicode.IsSpace)
	}
	if m := giftFormatTag.FindString(s); m != "" {
		s = strings.TrimLeftFunc(s[len(m):], unicode.IsSpace)
		if strings.EqualFold(m, "[html]") && giftHTMLTag.MatchString(s) {
			return nil, p.problem(start, "HTML question text is not supported; write Markdown")
		}
	}

	open := giftIndex(s, "{")
	if open < 0 {
		if i := giftIndex(s, "}"); i >= 0 {
			return nil, p.problem(start, "'}' on line %d has no opening '{' (write \\} for a literal brace)", lineAt(s, i))
		}
		return nil, p.problem(start, "description items (text without an answer block) are not supported: Academy grades automatically")
	}
	before, rest := s[:open], s[open+1:]
	if i := giftIndex(before, "}"); i >= 0 {
		return nil, p.problem(start, "'}' on line %d has no opening '{' (write \\} for a literal brace)", lineAt(s, i))
	}
	end := giftIndex(rest, "}")
	if inner := giftIndex(rest, "{"); inner >= 0 && (end < 0 || inner < end) {
		return nil, p.problem(start, "'{' on line %d opens a second answer block inside the one opened on line %d (write \\{ for a literal brace)",
			lineAt(rest, inner), lineAt(s, open))
	}
	if end < 0 {
		return nil, p.problem(start, "the answer block opened with '{' on line %d is never closed with '}'", lineAt(s, open))
	}
	body, after := rest[:end], rest[end+1:]
	if i := giftIndex(after, "{"); i >= 0 {
		return nil, p.problem(start, "a second answer block starts on line %d: questions with several blanks are not supported", lineAt(after, i))
	}
	if i := giftIndex(after, "}"); i >= 0 {
		return nil, p.problem(start, "'}' on line %d has no opening '{' (write \\} for a literal brace)", lineAt(after, i))
	}

	general := ""
	if i := giftIndex(body, "####"); i >= 0 {
		general, body = giftClean(body[i+4:]), body[:i]
	}
	if strings.TrimSpace(body) == "" {
		return nil, p.problem(start, "essay questions are not supported: Academy grades automatically")
	}
	prompt := giftUnescape(before)
	if strings.TrimSpace(after) != "" { // missing-word format: the block is the blank
		prompt += "____" + giftUnescape(after)
	}
	prompt = strings.TrimSpace(prompt)
	if prompt == "" {
		return nil, p.problem(start, "the question has no text: write the prompt before the answer block")
	}

	q, msg := giftAnswerBlock(body)
	if msg != "" {
		return nil, p.problem(start, "%s", msg)
	}
	q.Prompt, q.Points = prompt, 1
	// Explanation is required: general feedback, then per-answer feedback,
	// or else the right answer spelled out.
	var parts []string
	if general != "" {
		parts = append(parts, general)
	}
	if len(q.fb) > 0 {
		parts = append(parts, strings.Join(q.fb, "\n"))
	}
	if len(parts) == 0 {
		parts = append(parts, "正确答案："+q.answer+"。")
	}
	q.Explanation = strings.Join(parts, "\n\n")
	if p.category != "" {
		q.Tags = []string{p.category}
	}
	q.ID = p.id(title)
	if err := q.Validate(); err != nil { // a guard: the mapping above should not get here
		return nil, p.problem(start, "cannot import: %s", academy.ErrorMessage(err))
	}
	p.used[q.ID] = true
	return &q.Question, nil
}

// id derives the question id from the title, or numbers the question.
func (p *giftParser) id(title string) string {
	if id := giftSlug(title); id != "" && !p.used[id] {
		return id
	}
	id := fmt.Sprintf("%s-%d", p.prefix, p.n)
	for k := 2; p.used[id]; k++ { // a title may have taken the number already
		id = fmt.Sprintf("%s-%d-%d", p.prefix, p.n, k)
	}
	return id
}

// giftQuestion is a question being built, with what the explanation needs.
type giftQuestion struct {
	academy.Question
	fb     []string // per-answer feedback lines
	answer string   // the right answer in words, when there is no feedback
}

// giftAnswerBlock maps the inside of {...} (general feedback removed) to a
// question type, options and key; msg says why it cannot.
func giftAnswerBlock(body string) (q giftQuestion, msg string) {
	b := strings.TrimSpace(body)
	if strings.HasPrefix(b, "#") {
		return giftNumeric(b[1:])
	}
	head, fbs := giftSplit(b, '#')
	switch v := strings.ToUpper(strings.TrimSpace(head)); v {
	case "T", "TRUE", "F", "FALSE":
		return giftTrueFalse(v[0] == 'T', fbs)
	}

	answers, msg := giftAnswers(b)
	if msg != "" {
		return q, msg
	}
	tilde, arrows := false, 0
	for _, a := range answers {
		tilde = tilde || a.mark == '~'
		if a.mark == '=' && giftIndex(a.raw, "->") >= 0 {
			arrows++
		}
	}
	switch {
	case tilde:
		return giftChoices(answers)
	case arrows == len(answers):
		return giftMatching(answers)
	case arrows > 0:
		return q, fmt.Sprintf("the answer block mixes %d matching pairs (left -> right) with %d plain answers", arrows, len(answers)-arrows)
	default:
		return giftFill(answers)
	}
}

// giftAnswer is one "=..." or "~..." entry of an answer block.
type giftAnswer struct {
	mark     byte    // '=' or '~'
	weight   float64 // percent; '=' defaults to 100, '~' to 0
	weighted bool    // the weight was written as %n%
	raw      string  // the answer text, still escaped
	feedback string  // cleaned
}

// text is the cleaned answer text.
func (a giftAnswer) text() string { return giftClean(a.raw) }

// full tells whether the answer earns full credit.
func (a giftAnswer) full() bool { return a.mark == '=' && (!a.weighted || a.weight == 100) }

// giftAnswers splits an answer list at its unescaped '=' and '~'.
func giftAnswers(b string) ([]giftAnswer, string) {
	var starts []int
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '=', '~':
			starts = append(starts, i)
		}
	}
	if len(starts) == 0 {
		return nil, fmt.Sprintf("cannot read the answer block %q: answers start with '=' (right) or '~' (wrong)", giftShort(b))
	}
	if lead := strings.TrimSpace(b[:starts[0]]); lead != "" {
		return nil, fmt.Sprintf("unexpected text %q before the first answer: answers start with '=' (right) or '~' (wrong)", giftShort(lead))
	}
	answers := make([]giftAnswer, 0, len(starts))
	for k, i := range starts {
		j := len(b)
		if k+1 < len(starts) {
			j = starts[k+1]
		}
		a := giftAnswer{mark: b[i]}
		s := strings.TrimSpace(b[i+1 : j])
		if a.mark == '=' {
			a.weight = 100
		}
		if m := giftWeight.FindStringSubmatch(s); m != nil {
			w, err := strconv.ParseFloat(m[1], 64)
			if err != nil {
				return nil, fmt.Sprintf("answer weight %q is not a percentage", m[0])
			}
			a.weight, a.weighted, s = w, true, s[len(m[0]):]
		}
		text, fbs := giftSplit(s, '#')
		a.raw, a.feedback = text, giftClean(strings.Join(fbs, "#"))
		answers = append(answers, a)
	}
	return answers, ""
}

// giftChoices maps a list with wrong answers: one '=' makes a single-choice
// question; without '=', the answers with a positive weight are the right
// ones of a multiple-choice question (Moodle's rule). Partial credit of
// single-choice answers is dropped: Academy grades single choice all or
// nothing.
func giftChoices(answers []giftAnswer) (q giftQuestion, msg string) {
	if len(answers) < 2 {
		return q, "a choice question needs at least 2 answers"
	}
	var right, positive []string
	for i, a := range answers {
		id, text := giftOptionID(i), a.text()
		if text == "" {
			return q, fmt.Sprintf("answer %d of the choice list is empty", i+1)
		}
		q.Options = append(q.Options, academy.Option{ID: id, Text: text})
		if a.mark == '=' {
			right = append(right, id)
		}
		if a.weight > 0 {
			positive = append(positive, id)
		}
		if a.feedback != "" {
			q.fb = append(q.fb, "选项「"+text+"」："+a.feedback)
		}
	}
	words := func(ids []string) string {
		var ts []string
		for _, id := range ids {
			ts = append(ts, q.Option(id).Text)
		}
		return strings.Join(ts, "、")
	}
	switch {
	case len(right) > 1:
		return q, fmt.Sprintf("%d answers are marked right with '=' in a choice list; mark one, or give several right answers weights such as ~%%50%%", len(right))
	case len(right) == 1:
		q.Type, q.Key.Choice, q.answer = academy.QSingle, right[0], words(right)
	case len(positive) == 0:
		return q, "the choice list has no right answer: mark it with '=' or give right answers a positive weight such as ~%50%"
	default:
		q.Type, q.Key.Choices, q.answer = academy.QMultiple, positive, words(positive)
	}
	return q, ""
}

// giftFill maps a list of '=' answers (short answer): only answers with
// full credit are accepted.
func giftFill(answers []giftAnswer) (q giftQuestion, msg string) {
	q.Type = academy.QFill
	for i, a := range answers {
		text := a.text()
		if text == "" {
			return q, fmt.Sprintf("answer %d of the short answer is empty", i+1)
		}
		if a.full() {
			q.Key.Texts = append(q.Key.Texts, text)
		}
		if a.feedback != "" {
			q.fb = append(q.fb, "答案「"+text+"」："+a.feedback)
		}
	}
	if len(q.Key.Texts) == 0 {
		return q, "the short answer has no answer with full credit (= or =%100%); partial-credit answers are not supported"
	}
	q.answer = q.Key.Texts[0]
	if len(q.Key.Texts) > 1 {
		q.answer += "（也接受：" + strings.Join(q.Key.Texts[1:], "、") + "）"
	}
	return q, ""
}

// giftMatching maps "=left -> right" pairs. A pair with an empty left side
// is an extra, wrong right-hand option, as in Moodle.
func giftMatching(answers []giftAnswer) (q giftQuestion, msg string) {
	q.Type = academy.QMatching
	q.Key.Pairs = map[string]string{}
	optionOf := map[string]string{}
	var words []string
	for i, a := range answers {
		arrow := giftIndex(a.raw, "->")
		left, right := giftClean(a.raw[:arrow]), giftClean(a.raw[arrow+2:])
		if right == "" {
			return q, fmt.Sprintf("matching pair %d has nothing after '->'", i+1)
		}
		opt, ok := optionOf[right]
		if !ok {
			opt = fmt.Sprintf("m%d", len(q.Options)+1)
			optionOf[right] = opt
			q.Options = append(q.Options, academy.Option{ID: opt, Text: right})
		}
		if a.feedback != "" {
			q.fb = append(q.fb, "选项「"+cmp.Or(left, right)+"」："+a.feedback)
		}
		if left == "" {
			continue
		}
		item := fmt.Sprintf("i%d", len(q.Items)+1)
		q.Items = append(q.Items, academy.Option{ID: item, Text: left})
		q.Key.Pairs[item] = opt
		words = append(words, left+" → "+right)
	}
	if len(q.Items) < 2 {
		return q, fmt.Sprintf("a matching question needs at least 2 pairs (left -> right); found %d", len(q.Items))
	}
	if len(q.Options) < 2 {
		return q, "a matching question needs at least 2 different right-hand sides"
	}
	q.answer = strings.Join(words, "；")
	return q, ""
}

// giftTrueFalse maps {T} or {F}; the first feedback is for the wrong
// answer, the second for the right one.
func giftTrueFalse(value bool, fbs []string) (q giftQuestion, msg string) {
	if len(fbs) > 2 {
		return q, "a true/false answer takes at most two feedbacks (#for a wrong answer#for a right answer)"
	}
	label := map[bool]string{true: "正确", false: "错误"}
	byAnswer := map[bool]string{} // feedback shown for each answer
	for i, fb := range fbs {
		byAnswer[value != (i == 0)] = giftClean(fb)
	}
	for _, v := range []bool{true, false} {
		if byAnswer[v] != "" {
			q.fb = append(q.fb, "选项「"+label[v]+"」："+byAnswer[v])
		}
	}
	q.Type, q.Key.Bool, q.answer = academy.QTrueFalse, value, label[value]
	return q, ""
}

// giftNumeric maps the answers after "{#": "3.14:0.01", "1..5", "3", or a
// list "=3:0 =%50%3:0.5" of which the first full-credit answer is used.
func giftNumeric(b string) (q giftQuestion, msg string) {
	b = strings.TrimSpace(b)
	answers := []giftAnswer{{mark: '=', weight: 100}}
	if strings.HasPrefix(b, "=") || strings.HasPrefix(b, "~") {
		if answers, msg = giftAnswers(b); msg != "" {
			return q, msg
		}
	} else {
		text, fbs := giftSplit(b, '#')
		answers[0].raw, answers[0].feedback = text, giftClean(strings.Join(fbs, "#"))
	}
	found := false
	for _, a := range answers {
		spec := giftClean(a.raw)
		if a.feedback != "" {
			q.fb = append(q.fb, "答案「"+spec+"」："+a.feedback)
		}
		if found || !a.full() {
			continue
		}
		v, tol, err := giftNumber(spec)
		if err != "" {
			return q, err
		}
		q.Key.Value, q.Key.Tolerance, found = v, tol, true
	}
	if !found {
		return q, "the numeric answer has no value with full credit (= or =%100%)"
	}
	q.Type = academy.QNumeric
	q.answer = strconv.FormatFloat(q.Key.Value, 'g', -1, 64)
	if q.Key.Tolerance > 0 {
		q.answer += "（允许误差 ±" + strconv.FormatFloat(q.Key.Tolerance, 'g', -1, 64) + "）"
	}
	return q, ""
}

// giftNumber reads "value", "value:tolerance" or "low..high".
func giftNumber(spec string) (value, tol float64, msg string) {
	num := func(s string) (float64, bool) {
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
	}
	bad := fmt.Sprintf("numeric answer %q is not a number, number:tolerance or low..high", giftShort(spec))
	if lo, hi, ok := strings.Cut(spec, ".."); ok {
		l, ok1 := num(lo)
		h, ok2 := num(hi)
		if !ok1 || !ok2 {
			return 0, 0, bad
		}
		if l > h {
			return 0, 0, fmt.Sprintf("numeric range %q runs backwards: write low..high", spec)
		}
		value, tol = l/2+h/2, h/2-l/2 // halves first: no overflow near the float limits
		return value, tol, ""
	}
	v, t, hasTol := strings.Cut(spec, ":")
	value, ok := num(v)
	if !ok {
		return 0, 0, bad
	}
	if hasTol {
		if tol, ok = num(t); !ok {
			return 0, 0, bad
		}
		if tol < 0 {
			return 0, 0, fmt.Sprintf("numeric answer %q has a negative tolerance", spec)
		}
	}
	return value, tol, ""
}

// giftIndex is strings.Index ignoring backslash-escaped characters.
func giftIndex(s, sep string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			continue
		}
		if strings.HasPrefix(s[i:], sep) {
			return i
		}
	}
	return -1
}

// giftSplit splits s at its unescaped sep bytes: the part before the first
// one, and the parts after each.
func giftSplit(s string, sep byte) (head string, tail []string) {
	i := giftIndex(s, string(sep))
	if i < 0 {
		return s, nil
	}
	head, s = s[:i], s[i+1:]
	for {
		if i = giftIndex(s, string(sep)); i < 0 {
			return head, append(tail, s)
		}
		tail, s = append(tail, s[:i]), s[i+1:]
	}
}

// giftUnescape resolves \~ \= \# \{ \} \: \\, \n (a newline) and \-> (a
// literal arrow in matching answers). Other backslashes are kept: Markdown
// has its own escapes.
func giftUnescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			switch n := s[i+1]; {
			case n == 'n':
				b.WriteByte('\n')
				i++
				continue
			case strings.IndexByte(giftEscapable, n) >= 0, n == '-' && strings.HasPrefix(s[i+1:], "->"):
				b.WriteByte(n)
				i++
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// giftClean turns a raw answer or feedback into text: format tag removed,
// unescaped, trimmed.
func giftClean(s string) string {
	s = strings.TrimSpace(s)
	s = s[len(giftFormatTag.FindString(s)):]
	return strings.TrimSpace(giftUnescape(s))
}

// giftSlug makes an id of a title: lowercase ASCII letters and digits, '-'
// for anything else, at most 60 characters.
func giftSlug(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range title {
		switch {
		case r >= 'A' && r <= 'Z':
			r += 'a' - 'A'
			fallthrough
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
	}
	s := b.String()
	if len(s) > 60 {
		s = strings.TrimRight(s[:60], "-")
	}
	return s
}

// giftPrefix makes idPrefix safe for ids: Validate rejects spaces, '.', '$'
// and '/', and ids longer than 80 characters.
func giftPrefix(prefix string) string {
	prefix = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || strings.ContainsRune("./$", r) {
			return '-'
		}
		return r
	}, strings.TrimSpace(prefix))
	for len(prefix) > 60 {
		_, size := utf8.DecodeLastRuneInString(prefix)
		prefix = prefix[:len(prefix)-size]
	}
	if prefix == "" {
		return "gift"
	}
	return prefix
}

// giftOptionID numbers options a, b, … z, aa, ab, …
func giftOptionID(i int) string {
	id := ""
	for i++; i > 0; i = (i - 1) / 26 {
		id = string(rune('a'+(i-1)%26)) + id
	}
	return id
}

// giftShort shortens text quoted in a message.
func giftShort(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}
