package content

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// variant is a wording the terminology table (docs/content-format.md,
// 用语规范) replaces; allowed says where an occurrence at i in line is
// still right.
type variant struct {
	bad, good string
	allowed   func(line string, i int) bool
}

// variants are the mechanical part of the terminology table: one name for
// each department, utility and sound, the names the desk shows.
var variants = []variant{
	{bad: "噪音", good: "噪声"},
	// Some projects call security 秩序维护部; a lesson may say so once,
	// inside the parenthesis after 安保: 安保（有的项目叫秩序维护部）. The
	// service itself keeps its legal name (公共秩序维护, a line of the fee).
	{bad: "秩序维护部", good: "安保", allowed: func(line string, i int) bool {
		before := line[:i]
		open := strings.LastIndex(before, "安保（")
		return open >= 0 && !strings.Contains(before[open:], "）")
	}},
	{bad: "秩序维护员", good: "安保人员"},
	{bad: "秩序维护人员", good: "安保人员"},
	{bad: "保安部", good: "安保"},
	{bad: "客服部", good: "客服中心"},
	// Government bodies keep their names (社区服务中心, 政务服务中心).
	{bad: "服务中心", good: "客服中心", allowed: func(line string, i int) bool {
		for _, p := range []string{"社区", "政务", "便民", "党群", "街道", "市民"} {
			if strings.HasSuffix(line[:i], p) {
				return true
			}
		}
		return false
	}},
	{bad: "供电局", good: "供电公司"},
	{bad: "电力公司", good: "供电公司"},
	{bad: "自来水公司", good: "供水公司"},
	{bad: "煤气公司", good: "燃气公司"},
	{bad: "天然气公司", good: "燃气公司"},
}

// learnerText are YAML keys whose values are what learners type, not what
// they read (fill-in answers, reply phrases, synonyms): a learner who
// writes 噪音 is still right, so those values are not checked.
var learnerText = map[string]bool{"answer": true, "required": true, "forbidden": true, "synonyms": true}

// Wording checks the text learners read — lessons, course descriptions,
// the text of SVG figures, quiz and scenario text — against the
// terminology table: ASCII quotes around or inside Chinese text, and the
// variants the table replaces. Import does not refuse content for its
// wording; lint reports it.
func (l *Loader) Wording() Problems { return l.eachLine(wordingLine, true) }

// References checks that every reference to a lesson by title,
// 《course title》“lesson title” (also with 中的 or 的 between), names a
// lesson that course has: lessons refer to each other by title rather than
// repeat a rule, and a renamed lesson must not leave readers looking for
// one that is gone. lessons maps each course title to its lesson titles;
// a title in 《》 that is no course of ours (a law, a book) is not checked.
func (l *Loader) References(lessons map[string][]string) Problems {
	return l.eachLine(func(line string, at int, r reporter) {
		for _, m := range lessonRef.FindAllStringSubmatch(line, -1) {
			titles, ours := lessons[m[1]]
			if ours && !slices.Contains(titles, m[2]) {
				r.at(at, "reference: 《%s》 has no lesson “%s” (lessons: %s)", m[1], m[2], strings.Join(titles, "、"))
			}
		}
	}, false)
}

var lessonRef = regexp.MustCompile(`《([^》]+)》(?:中的|的)?“([^”]+)”`)

// eachLine runs check on every line of text learners read: lessons (front
// matter and body, without code), course descriptions, the text of SVG
// figures, quiz and scenario text except what learners type. unreadable
// also reports an SVG figure that is not XML; only one caller asks, so
// that lint says it once.
func (l *Loader) eachLine(check func(line string, at int, r reporter), unreadable bool) Problems {
	var ps Problems
	walk := func(dir string, file func(rel string, src []byte)) {
		_ = filepath.WalkDir(filepath.Join(l.Dir, dir), func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			rel, err := filepath.Rel(l.Dir, p)
			if err != nil {
				return nil
			}
			if src, err := os.ReadFile(p); err == nil {
				file(filepath.ToSlash(rel), src)
			}
			return nil
		})
	}
	walk("courses", func(rel string, src []byte) {
		r := reporter{ps: &ps, path: rel}
		switch {
		case strings.HasSuffix(rel, ".md"):
			front, body, bodyLine, ok := splitFrontMatter(src)
			if ok {
				yamlLines(front, reporter{ps: &ps, path: rel, offset: 1}, check)
			}
			markdownLines(body, reporter{ps: &ps, path: rel, offset: bodyLine - 1}, check)
		case strings.HasSuffix(rel, ".yaml"):
			yamlLines(src, r, check)
		case strings.HasSuffix(rel, ".svg"):
			if line, err := svgLines(src, r, check); err != nil && unreadable {
				r.at(line, "figure: not well-formed SVG (%v): browsers show nothing of it, and its text could not be checked", err)
			}
		}
	})
	for _, dir := range []string{"quizzes", "scenarios"} {
		walk(dir, func(rel string, src []byte) {
			if path.Ext(rel) == ".yaml" {
				yamlLines(src, reporter{ps: &ps, path: rel}, check)
			}
		})
	}
	ps.sort()
	return ps
}

// markdownLines checks a lesson body line by line, leaving out code.
func markdownLines(body []byte, r reporter, check func(line string, at int, r reporter)) {
	fence := false
	for i, line := range strings.Split(string(body), "\n") {
		if t := strings.TrimSpace(line); strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			fence = !fence
			continue
		}
		if !fence {
			check(dropCodeSpans(line), i+1, r)
		}
	}
}

// dropCodeSpans blanks `code` in a line: code is quoted as written.
func dropCodeSpans(line string) string {
	parts := strings.Split(line, "`")
	for i := 1; i < len(parts); i += 2 {
		if i+1 < len(parts) { // an unclosed backtick is text
			parts[i] = strings.Repeat(" ", len(parts[i]))
		}
	}
	return strings.Join(parts, "`")
}

// yamlLines checks every scalar value of a YAML file except learners'
// text. Syntax errors are the other lints' business.
func yamlLines(src []byte, r reporter, check func(line string, at int, r reporter)) {
	var doc yaml.Node
	if yaml.NewDecoder(bytes.NewReader(src)).Decode(&doc) != nil {
		return
	}
	var visit func(n *yaml.Node)
	visit = func(n *yaml.Node) {
		switch n.Kind {
		case yaml.DocumentNode, yaml.SequenceNode:
			for _, c := range n.Content {
				visit(c)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if !learnerText[n.Content[i].Value] {
					visit(n.Content[i+1])
				}
			}
		case yaml.ScalarNode:
			first := n.Line
			if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
				first++ // the text starts below the | or >
			}
			for i, line := range strings.Split(n.Value, "\n") {
				check(line, first+i, r)
			}
		}
	}
	visit(&doc)
}

// svgShown are the SVG elements whose text a reader meets: text (with its
// tspans) on the figure, title and desc as its tooltip and what screen
// readers say. Styles, scripts and comments are not read.
var svgShown = map[string]bool{"text": true, "title": true, "desc": true}

// svgLines checks the text an SVG figure shows, at its lines in the file.
// On malformed XML it returns the error and the line where reading stopped;
// the text before it has been checked.
func svgLines(src []byte, r reporter, check func(line string, at int, r reporter)) (int, error) {
	d := xml.NewDecoder(bytes.NewReader(src))
	depth := 0 // > 0 inside a shown element, counting its children
	for {
		// Where the next token starts: the end of the one before it.
		line, _ := d.InputPos()
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return 0, nil
		} else if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return se.Line, errors.New(se.Msg)
			}
			return line, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth > 0 || svgShown[t.Name.Local] {
				depth++
			}
		case xml.EndElement:
			if depth > 0 {
				depth--
			}
		case xml.CharData:
			if depth > 0 {
				for i, l := range strings.Split(string(t), "\n") {
					check(l, line+i, r)
				}
			}
		}
	}
}

// wordingLine reports the wording problems of one line of text.
func wordingLine(line string, at int, r reporter) {
	if q := asciiQuoted(line); q != "" {
		r.at(at, "wording: ASCII quotes in Chinese text (%s): write %s — Chinese text takes “…” and ‘…’ (用语规范)", q, chineseQuotes(q))
	}
	for _, v := range variants {
		for from := 0; ; {
			i := strings.Index(line[from:], v.bad)
			if i < 0 {
				break
			}
			i += from
			if v.allowed == nil || !v.allowed(line, i) {
				msg := fmt.Sprintf("wording: %q is not our term: write %q", v.bad, v.good)
				if v.bad == "秩序维护部" {
					msg += `; name it once as "安保（有的项目叫秩序维护部）" if needed`
				}
				r.at(at, "%s (用语规范)", msg)
				break
			}
			from = i + len(v.bad)
		}
	}
}

// chineseLike reports runes that make a quote Chinese text: Han
// characters and full-width punctuation.
func chineseLike(r rune) bool {
	return unicode.Is(unicode.Han, r) || (r >= 0x3000 && r <= 0x303f) || (r >= 0xff00 && r <= 0xffef)
}

// asciiQuoted returns the first ASCII-quoted stretch of Chinese in line:
// a pair of " around Chinese text, or a " or ' touching a Chinese
// character. English apostrophes (don't) and quotes in English pass.
func asciiQuoted(line string) string {
	touches := func(i int) bool {
		before, _ := utf8.DecodeLastRuneInString(line[:i])
		after, _ := utf8.DecodeRuneInString(line[i+1:])
		return chineseLike(before) || chineseLike(after)
	}
	var open = -1
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '"':
			if open < 0 {
				open = i
				continue
			}
			inner := line[open+1 : i]
			if strings.IndexFunc(inner, chineseLike) >= 0 || touches(open) || touches(i) {
				return line[open : i+1]
			}
			open = -1
		case '\'':
			if !touches(i) {
				continue
			}
			if j := strings.IndexByte(line[i+1:], '\''); j >= 0 {
				return line[i : i+j+2]
			}
			return excerpt(line, i)
		}
	}
	if open >= 0 && touches(open) {
		return excerpt(line, open)
	}
	return ""
}

// excerpt is a few characters of line around byte i, for a message.
func excerpt(line string, i int) string {
	start, end := i, i+1
	for n := 0; n < 4 && start > 0; n++ {
		_, size := utf8.DecodeLastRuneInString(line[:start])
		start -= size
	}
	for n := 0; n < 4 && end < len(line); n++ {
		_, size := utf8.DecodeRuneInString(line[end:])
		end += size
	}
	return line[start:end]
}

// chineseQuotes turns the ASCII quotes of s into Chinese ones, opening and
// closing in turn, to show the fix.
func chineseQuotes(s string) string {
	var b strings.Builder
	double, single := false, false
	for _, r := range s {
		switch r {
		case '"':
			if double {
				b.WriteRune('”')
			} else {
				b.WriteRune('“')
			}
			double = !double
		case '\'':
			if single {
				b.WriteRune('’')
			} else {
				b.WriteRune('‘')
			}
			single = !single
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
