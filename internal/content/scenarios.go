package content

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/academy/academy/internal/academy"
)

var yamlLineRE = regexp.MustCompile(`line (\d+): (.*)`)

// Scenarios reads every scenarios/<slug>.yaml and checks it: fields, the
// step graph, and task checks against the procedures and the lessons of
// courses.
func (l *Loader) Scenarios(courses []*academy.Course) ([]*academy.Scenario, Problems) {
	var ps Problems
	root := filepath.Join(l.Dir, "scenarios")
	entries, err := os.ReadDir(root)
	if os.IsNotExist(err) {
		return nil, nil
	} else if err != nil {
		return nil, Problems{{Path: "scenarios", Line: 1, Message: err.Error()}}
	}
	bySlug := map[string]*academy.Course{}
	for _, c := range courses {
		bySlug[c.Slug] = c
	}
	lessonExists := func(ref string) bool {
		course, lesson, ok := strings.Cut(ref, "/")
		c := bySlug[course]
		if !ok || c == nil {
			return false
		}
		found, _ := c.Lesson(lesson)
		return found != nil
	}
	var out []*academy.Scenario
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".yaml") {
			continue
		}
		rel := path.Join("scenarios", name)
		src, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			ps = append(ps, Problem{rel, 1, err.Error()})
			continue
		}
		s, sp := readScenario(strings.TrimSuffix(name, ".yaml"), src, rel, lessonExists)
		for _, m := range s.Modules {
			if bySlug[m] == nil {
				sp = append(sp, Problem{rel, 1, "modules: no course " + strconv.Quote(m)})
			}
		}
		if len(sp) > 0 {
			ps = append(ps, sp...)
			continue
		}
		out = append(out, s)
	}
	ps.sort()
	return out, ps
}

// readScenario decodes and checks one scenario file.
func readScenario(slug string, src []byte, rel string, lessonExists func(string) bool) (*academy.Scenario, Problems) {
	var ps Problems
	s := &academy.Scenario{Slug: slug, Status: academy.CourseActive}
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(s); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			for _, msg := range te.Errors {
				ps = append(ps, yamlProblem(rel, msg))
			}
		} else {
			ps = append(ps, yamlProblem(rel, err.Error()))
		}
		return s, ps
	}
	lines := stepLines(src)
	for _, p := range academy.ValidateScenario(s, lessonExists) {
		line := 1
		msg := p.Message
		if p.Step != "" {
			line = max(lines[p.Step], 1)
			msg = "steps[" + p.Step + "]: " + msg
		}
		ps = append(ps, Problem{rel, line, msg})
	}
	longest, shortest, of := bestReplyLengths(s)
	if len(longest)*3 > of {
		ps = append(ps, Problem{rel, max(lines[stepsKey], 1), fmt.Sprintf(
			"best reply is the longest choice in %d of %d steps (more than a third): vary lengths (%s)",
			len(longest), of, strings.Join(longest, ", "))})
	}
	if len(shortest) >= 3 && len(shortest)*3 > of*2 {
		ps = append(ps, Problem{rel, max(lines[stepsKey], 1), fmt.Sprintf(
			"best reply is the shortest choice in %d of %d steps (more than two thirds): vary lengths (%s)",
			len(shortest), of, strings.Join(shortest, ", "))})
	}
	return s, ps
}

// A trainee who has not learnt the procedure should not be able to pass a
// call by picking the longest reply each time. Writers tend to spell the
// good answer out in full and leave the mistakes curt; real mistakes are as
// often long-winded (over-explaining, reciting rules, promising too much).
// The bar is the quiz banks': the best reply may be the longest now and
// then, as chance would have it, but not as a habit. Writers who know the
// rule then tend the other way, the right answer curt and the mistakes
// wordy, so the shortest is a tell too. Its bar is looser, more than two
// thirds: where a step offers two replies the best is either the longest
// or the shortest, so holding the longest to a third leaves the shortest
// the rest of those steps.

// bestReplyLengths returns the choice steps whose best choice (the highest
// total score) is strictly the longest text and those where it is
// strictly the shortest, and how many choice steps have a single best
// choice to judge. A step whose best total is shared has no one right
// answer to give away, so it is left out.
func bestReplyLengths(s *academy.Scenario) (longest, shortest []string, of int) {
	for _, st := range s.Steps {
		if len(st.Choices) < 2 {
			continue
		}
		texts := make([]string, len(st.Choices))
		best, bestTotal, tied := -1, 0, false
		for i, c := range st.Choices {
			texts[i] = c.Text
			total := 0
			for _, v := range c.Scores {
				total += v
			}
			switch {
			case best < 0 || total > bestTotal:
				best, bestTotal, tied = i, total, false
			case total == bestTotal:
				tied = true
			}
		}
		if tied {
			continue
		}
		of++
		if KeyIsLongest(texts, best) {
			longest = append(longest, st.ID)
		}
		if keyIsShortest(texts, best) {
			shortest = append(shortest, st.ID)
		}
	}
	return longest, shortest, of
}

// keyIsShortest reports whether texts[key] is strictly shorter (by
// TextLength) than every other text.
func keyIsShortest(texts []string, key int) bool {
	if key < 0 || key >= len(texts) || len(texts) < 2 {
		return false
	}
	k := TextLength(texts[key])
	for i, t := range texts {
		if i != key && TextLength(t) <= k {
			return false
		}
	}
	return true
}

func yamlProblem(rel, msg string) Problem {
	msg, n := strings.TrimPrefix(msg, "yaml: "), 1
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		n, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	// The parser's words are English: the Chinese half says what they are about.
	return Problem{rel, n, "YAML 格式有误：" + msg + " / YAML: " + msg}
}

// stepsKey is the key under which stepLines gives the line of the steps
// field itself; it cannot clash with a step id, which is a slug.
const stepsKey = "steps:"

// stepLines maps step ids to the line where each step starts, and stepsKey
// to the line of the steps field, where scenario-wide step problems go.
func stepLines(src []byte) map[string]int {
	lines := map[string]int{}
	var doc yaml.Node
	if yaml.Unmarshal(src, &doc) != nil || len(doc.Content) == 0 {
		return lines
	}
	top := doc.Content[0]
	for i := 0; i+1 < len(top.Content); i += 2 {
		if top.Content[i].Value != "steps" {
			continue
		}
		lines[stepsKey] = top.Content[i].Line
		for _, st := range top.Content[i+1].Content {
			for j := 0; j+1 < len(st.Content); j += 2 {
				if st.Content[j].Value == "id" {
					lines[st.Content[j+1].Value] = st.Line
				}
			}
		}
	}
	return lines
}

// ScenarioYAML renders a scenario in the file format.
func ScenarioYAML(s *academy.Scenario) ([]byte, error) { return yaml.Marshal(s) }
