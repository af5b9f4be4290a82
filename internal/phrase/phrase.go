// Package phrase matches what desk staff type against the phrases a
// scenario or a quiz expects, the way a trainer reading it would: the same
// whatever the width, case or spacing, whatever the numerals (三十分钟 is
// 30分钟), whatever the unit a duration is given in (半小时 is 30 分钟, 一天
// is 24 小时), with the words a scenario lists as synonyms counted as one,
// and a forbidden phrase not counted where it is denied ("不会产生违约金"
// does not promise a 违约金).
//
// Matching is deterministic and explains itself: every match says which of
// the writer's words it found and what they were read as, so a debrief can
// show why a reply passed or failed.
package phrase

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// Matcher matches texts against phrases with a set of synonym groups.
// The zero value has no synonyms.
type Matcher struct {
	// canon maps each normalised synonym to its group's first member,
	// tried longest first so that a longer word wins over a word inside it.
	canon [][2]string
}

// New returns a Matcher where the words of each group count as the same
// word. Groups are normalised like texts.
func New(groups [][]string) *Matcher {
	m := &Matcher{}
	for _, g := range groups {
		if len(g) < 2 {
			continue
		}
		first := normalize(g[0]).String()
		// The group's own name maps to itself, so that a shorter synonym
		// inside it (维保 in 维保单位) is not rewritten within it.
		m.canon = append(m.canon, [2]string{first, first})
		for _, w := range g[1:] {
			if n := normalize(w).String(); n != "" && n != first {
				m.canon = append(m.canon, [2]string{n, first})
			}
		}
	}
	slices.SortStableFunc(m.canon, func(a, b [2]string) int { return len(b[0]) - len(a[0]) })
	return m
}

// Normalize returns the form texts are compared in.
func (m *Matcher) Normalize(s string) string { return m.read(s).String() }

// Match is one phrase found in a text.
type Match struct {
	Phrase string // the phrase as the author wrote it
	Said   string // the writer's own words that matched it
	Read   string // what those words were read as, when it differs from Said
}

// Find looks for phrase in text and returns where the writer said it.
func (m *Matcher) Find(text, phrase string) (Match, bool) {
	t, p := m.read(text), m.read(phrase).String()
	if p == "" {
		return Match{}, false
	}
	i := strings.Index(t.String(), p)
	if i < 0 {
		return Match{}, false
	}
	return m.explain(t.match(text, phrase, i, len(p))), true
}

// explain says what the matched words were read as, when that is not
// what they say.
func (m *Matcher) explain(f Match) Match {
	if read := m.Normalize(f.Said); read != strings.Join(strings.Fields(strings.ToLower(f.Said)), "") {
		f.Read = read
	}
	return f
}

// FindAffirmed is Find for a forbidden phrase: an occurrence that the
// writer denies in the same clause ("不会产生违约金", "没有违约金") does not
// count, so only an affirmed occurrence is returned.
func (m *Matcher) FindAffirmed(text, phrase string) (Match, bool) {
	t, p := m.read(text), m.read(phrase).String()
	if p == "" {
		return Match{}, false
	}
	s := t.String()
	for from := 0; from <= len(s); {
		i := strings.Index(s[from:], p)
		if i < 0 {
			return Match{}, false
		}
		i += from
		if !denied(s[:i]) {
			return m.explain(t.match(text, phrase, i, len(p))), true
		}
		from = i + len(p)
	}
	return Match{}, false
}

// negators deny what follows them in the same clause.
var negators = []string{"不", "没", "无", "免", "别", "未", "勿", "非"}

// conditionals between a negator and the phrase turn the denial into a
// condition: "不交就有违约金" threatens the 违约金 rather than denying it.
var conditionals = []string{"就", "则", "才", "否则", "要是", "的话"}

// denied reports whether the clause that ends before is denied: a negator
// within the last four characters, with no conditional after it.
func denied(before string) bool {
	r := []rune(before)
	start := len(r)
	for start > 0 && len(r)-start < 4 && !clauseBreak(r[start-1]) {
		start--
	}
	window := string(r[start:])
	for i := len(window) - 1; i >= 0; i-- {
		rest := window[i:]
		if !slices.ContainsFunc(negators, func(n string) bool { return strings.HasPrefix(rest, n) }) ||
			slices.ContainsFunc(notNegations, func(w string) bool { return strings.HasPrefix(rest, w) }) {
			continue
		}
		return !slices.ContainsFunc(conditionals, func(c string) bool { return strings.Contains(rest, c) })
	}
	return false
}

// notNegations start with a negator but deny nothing.
var notNegations = []string{"无论", "不管", "不论", "不得不", "非常", "别人", "别的", "未来", "不仅", "无非", "非得"}

func clauseBreak(r rune) bool {
	return strings.ContainsRune(",.;:!?，。；：！？、", r) || unicode.IsSpace(r)
}

// text is a normalised text that remembers, for each of its bytes, which
// runes of the original produced it.
type text struct {
	b    strings.Builder
	from []int // per output byte: first source rune index
	to   []int // per output byte: source rune index after the last
}

func (t *text) String() string { return t.b.String() }

func (t *text) add(s string, from, to int) {
	t.b.WriteString(s)
	for range len(s) {
		t.from = append(t.from, from)
		t.to = append(t.to, to)
	}
}

// match names the source words that produced output bytes [i, i+n).
func (t *text) match(src, phrase string, i, n int) Match {
	r := []rune(src)
	from, to := t.from[i], t.to[i+n-1]
	return Match{Phrase: phrase, Said: strings.TrimSpace(string(r[from:to]))}
}

// read normalises s and then puts each synonym's group name in its place.
func (m *Matcher) read(s string) *text {
	t := normalize(s)
	if len(m.canon) == 0 {
		return t
	}
	out := &text{}
	str := t.String()
	for i := 0; i < len(str); {
		replaced := false
		for _, c := range m.canon {
			if strings.HasPrefix(str[i:], c[0]) {
				out.add(c[1], t.from[i], t.to[i+len(c[0])-1])
				i += len(c[0])
				replaced = true
				break
			}
		}
		if !replaced {
			_, size := utf8.DecodeRuneInString(str[i:])
			out.add(str[i:i+size], t.from[i], t.to[i])
			i += size
		}
	}
	return out
}

// normalize folds width and case, drops white space, reads numerals and
// writes every duration in minutes.
func normalize(s string) *text {
	src := []rune(width.Narrow.String(strings.ToLower(s)))
	// width.Narrow keeps one rune per rune, so indexes into src are
	// indexes into s's runes.
	out := &text{}
	for i := 0; i < len(src); {
		if unicode.IsSpace(src[i]) {
			i++
			continue
		}
		if n, end, ok := number(src, i); ok {
			if mins, uend, ok := duration(src, end, n); ok {
				out.add(strconv.FormatFloat(mins, 'f', -1, 64)+"分钟", i, uend)
				i = uend
				continue
			}
			if isChineseNumeral(src[i]) && !followedByMeasure(src, end) && !(digitsOnly(src[i:end]) && end-i > 1) {
				// A lone Chinese numeral in a word (一定, 万一, 十分) is a word.
				out.add(string(src[i:end]), i, end)
				i = end
				continue
			}
			out.add(formatNumber(src[i:end], n), i, end)
			i = end
			continue
		}
		if src[i] == '半' {
			if mins, end, ok := duration(src, i, 1); ok { // 半小时, 半个钟头
				out.add(strconv.FormatFloat(mins, 'f', -1, 64)+"分钟", i, end)
				i = end
				continue
			}
		}
		if end, ok := bareUnit(src, i); ok {
			// A unit without a number ("几分钟", "小时") still says that a
			// time was given; every duration unit reads the same.
			out.add("分钟", i, end)
			i = end
			continue
		}
		out.add(string(src[i]), i, i+1)
		i++
	}
	return out
}

// formatNumber writes a number read from src: digit strings keep their
// digits (a room number's leading zero, 0571), Chinese numerals become
// Arabic.
func formatNumber(src []rune, n float64) string {
	if !slices.ContainsFunc(src, isChineseNumeral) {
		return string(src)
	}
	if digitsOnly(src) {
		var b strings.Builder
		for _, r := range src {
			b.WriteByte(byte('0' + chineseDigit(r)))
		}
		return b.String()
	}
	return strconv.FormatFloat(n, 'f', -1, 64)
}

// number reads an Arabic or Chinese number at src[i:], returning its value
// and where it ends.
func number(src []rune, i int) (float64, int, bool) {
	if i >= len(src) {
		return 0, i, false
	}
	if src[i] >= '0' && src[i] <= '9' {
		j := i
		for j < len(src) && src[j] >= '0' && src[j] <= '9' {
			j++
		}
		if j+1 < len(src) && src[j] == '.' && src[j+1] >= '0' && src[j+1] <= '9' {
			j++
			for j < len(src) && src[j] >= '0' && src[j] <= '9' {
				j++
			}
		}
		v, err := strconv.ParseFloat(string(src[i:j]), 64)
		return v, j, err == nil
	}
	j := i
	for j < len(src) && isChineseNumeral(src[j]) {
		j++
	}
	if j == i {
		return 0, i, false
	}
	run := src[i:j]
	if digitsOnly(run) && len(run) > 1 {
		v := 0.0
		for _, r := range run {
			v = v*10 + float64(chineseDigit(r))
		}
		return v, j, true
	}
	v, ok := chineseValue(run)
	return v, j, ok
}

// chineseValue reads a positional Chinese numeral: 十五, 二十, 一百零五,
// 三千二百, 两万.
func chineseValue(run []rune) (float64, bool) {
	total, section, digit := 0.0, 0.0, -1.0
	for _, r := range run {
		switch r {
		case '十', '百', '千':
			unit := map[rune]float64{'十': 10, '百': 100, '千': 1000}[r]
			if digit < 0 {
				digit = 1 // 十五: the ten has no digit before it
			}
			section += digit * unit
			digit = -1
		case '万':
			if digit > 0 {
				section += digit
			}
			total += section * 10000
			section, digit = 0, -1
		default:
			d := chineseDigit(r)
			if d < 0 {
				return 0, false
			}
			digit = float64(d)
		}
	}
	if digit > 0 {
		section += digit
	}
	return total + section, true
}

func isChineseNumeral(r rune) bool {
	return chineseDigit(r) >= 0 || r == '十' || r == '百' || r == '千' || r == '万'
}

func chineseDigit(r rune) int {
	switch r {
	case '零', '〇':
		return 0
	case '一', '幺':
		return 1
	case '二', '两':
		return 2
	}
	if i := strings.IndexRune("三四五六七八九", r); i >= 0 {
		return 3 + i/len("三")
	}
	return -1
}

func digitsOnly(run []rune) bool {
	return !slices.ContainsFunc(run, func(r rune) bool { return chineseDigit(r) < 0 && !(r >= '0' && r <= '9') })
}

// measures are the words that make a Chinese numeral before them a number
// rather than part of a word.
var measures = []string{"个", "位", "名", "人", "次", "遍", "栋", "幢", "号", "单元", "室", "户", "楼", "层", "元", "块", "年", "月", "岁", "点", "米", "周", "星期", "件", "份", "张", "辆", "套", "%"}

func followedByMeasure(src []rune, i int) bool {
	rest := string(src[i:min(len(src), i+2)])
	return slices.ContainsFunc(measures, func(m string) bool { return strings.HasPrefix(rest, m) })
}

// units are the ways a duration is said, with their length in minutes.
var units = []struct {
	word string
	mins float64
}{
	{"个半小时", -90}, {"个半钟头", -90}, // "一个半小时": n + ½ hours
	{"个小时", 60}, {"个钟头", 60}, {"小时", 60}, {"钟头", 60}, {"hours", 60}, {"hour", 60}, {"hrs", 60}, {"hr", 60}, {"h", 60},
	{"分钟", 1}, {"minutes", 1}, {"minute", 1}, {"mins", 1}, {"min", 1},
	{"刻钟", 15},
	{"天", 1440}, {"日", 1440}, {"days", 1440}, {"day", 1440},
}

// duration reads a unit at src[i:] after the number n and returns the
// duration in minutes. "半小时" is read with n = 1 and the 半 in front.
func duration(src []rune, i int, n float64) (float64, int, bool) {
	start := i
	for i < len(src) && unicode.IsSpace(src[i]) {
		i++ // "30 分钟"
	}
	rest := string(src[i:min(len(src), i+8)])
	half := strings.HasPrefix(rest, "半")
	if half {
		rest = strings.TrimPrefix(rest, "半")
	}
	for _, u := range units {
		if !strings.HasPrefix(rest, u.word) {
			continue
		}
		end := i + len([]rune(u.word))
		if half {
			end++
		}
		if isLatin(u.word) && end < len(src) && unicode.IsLetter(src[end]) && src[end] < unicode.MaxASCII {
			continue // "24hours" yes, "2house" no
		}
		switch {
		case u.mins < 0: // n个半小时
			return n*60 + 30, end, true
		case half && (u.mins == 60 || u.mins == 1440):
			if u.mins == 1440 {
				return 0, start, false // 半天 means "ages" as often as 12 hours
			}
			return n * 30, end, true
		case half:
			return 0, start, false
		}
		return n * u.mins, end, true
	}
	return 0, start, false
}

// bareUnit reads a unit that stands on its own as a duration word (小时,
// 分钟, 钟头), rather than a letter or a character that is a word by
// itself (天, 日, h), and returns where it ends.
func bareUnit(src []rune, i int) (int, bool) {
	rest := string(src[i:min(len(src), i+3)])
	for _, w := range []string{"个小时", "个钟头", "小时", "钟头", "分钟"} {
		if strings.HasPrefix(rest, w) {
			return i + len([]rune(w)), true
		}
	}
	return i, false
}

func isLatin(s string) bool { return s != "" && s[0] < unicode.MaxASCII }
