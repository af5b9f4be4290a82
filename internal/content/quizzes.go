package content

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/academy/academy/internal/academy"
)

var quizFields = []field{
	{"title", kString, true}, {"course", kString, false}, {"pass_mark", kInt, true},
	{"time_limit", kDuration, false}, {"max_attempts", kInt, false}, {"cooldown", kDuration, false},
	{"shuffle_questions", kBool, false}, {"shuffle_options", kBool, false},
	{"layout", kString, false}, {"review", kString, false},
	{"draw", kNode, false}, {"questions", kNode, false},
}

var drawFields = []field{{"quiz", kString, false}, {"tag", kString, false}, {"count", kInt, true}}

var questionFields = []field{
	{"id", kString, true}, {"type", kString, true}, {"points", kFloat, false}, {"tags", kStringList, false},
	{"lesson", kString, false}, {"prompt", kString, true}, {"explanation", kString, true},
	{"options", kNode, false}, {"items", kNode, false}, {"answer", kNode, true},
}

var optionFields = []field{{"id", kString, true}, {"text", kString, true}}

// Quizzes reads every quizzes/<slug>.yaml and checks it, including its
// links to courses and lessons (courses as read by Courses) and its draw
// rules against the other quizzes.
func (l *Loader) Quizzes(courses []*academy.Course) ([]*academy.Quiz, Problems) {
	var ps Problems
	root := filepath.Join(l.Dir, "quizzes")
	entries, err := os.ReadDir(root)
	if os.IsNotExist(err) {
		return nil, nil
	} else if err != nil {
		return nil, Problems{{Path: "quizzes", Line: 1, Message: err.Error()}}
	}
	bySlug := map[string]*academy.Course{}
	for _, c := range courses {
		bySlug[c.Slug] = c
	}
	var quizzes []*academy.Quiz
	lines := map[*academy.Quiz]int{} // line of "draw", for pool problems
	owner := map[string]string{}     // question id -> quiz file, ids must be unique everywhere
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, ".") || !strings.HasSuffix(name, ".yaml") {
			continue
		}
		rel := path.Join("quizzes", name)
		r := reporter{ps: &ps, path: rel}
		src, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			r.at(1, "%v", err)
			continue
		}
		q, drawLine, qlines := readQuiz(strings.TrimSuffix(name, ".yaml"), src, r)
		if q == nil {
			continue
		}
		lintFairness(q, src, qlines, r)
		if q.Course != "" {
			c := bySlug[q.Course]
			if c == nil {
				r.at(1, "course: unknown course %q", q.Course)
			}
			for i, qq := range q.Questions {
				if qq.Lesson != "" && c != nil {
					if l, _ := c.Lesson(qq.Lesson); l == nil {
						r.at(qlines[i], "questions[%s]: lesson: course %q has no lesson %q", qq.ID, q.Course, qq.Lesson)
					}
				}
			}
		}
		for i, qq := range q.Questions {
			if other, dup := owner[qq.ID]; dup {
				r.at(qlines[i], "questions[%s]: id is also used in %s; question ids must be unique across banks (exams draw from several)", qq.ID, other)
			}
			owner[qq.ID] = rel
		}
		lines[q] = drawLine
		quizzes = append(quizzes, q)
	}
	all := map[string]*academy.Quiz{}
	for _, q := range quizzes {
		all[q.Slug] = q
	}
	for _, q := range quizzes {
		if err := academy.CheckDraws(q, all); err != nil {
			ps = append(ps, Problem{Path: path.Join("quizzes", q.Slug+".yaml"), Line: lines[q], Message: academy.ErrorMessage(err)})
		} else if len(q.Draw) > 0 {
			// An exam has no questions of its own: what a learner meets is
			// whatever its draws can pick, so that is what must be fair.
			for _, m := range lengthTells(q.Slug+"'s draws", drawnQuestions(q, all)) {
				ps = append(ps, Problem{Path: path.Join("quizzes", q.Slug+".yaml"), Line: lines[q], Message: m})
			}
			for _, m := range nearDuplicates(q.Slug+"'s draws", q, all) {
				ps = append(ps, Problem{Path: path.Join("quizzes", q.Slug+".yaml"), Line: lines[q], Message: m})
			}
		}
	}
	ps.sort()
	return quizzes, ps
}

// readQuiz parses one quiz file. It returns the line of the draw field and
// the line of each question, for later problems.
func readQuiz(slug string, src []byte, r reporter) (*academy.Quiz, int, []int) {
	before := len(*r.ps)
	if !academy.ValidSlug(slug) {
		r.at(1, "file name: %q is not a slug (2–64 lowercase letters, digits or '-')", slug)
	}
	doc := parseYAML(src, r.at)
	if doc == nil {
		return nil, 0, nil
	}
	v := fields(doc, quizFields, r.at)
	q := &academy.Quiz{Slug: slug, Title: str(v, "title"), Course: str(v, "course"), PassMark: num(v, "pass_mark"),
		MaxAttempts: num(v, "max_attempts"), Layout: str(v, "layout"), Review: str(v, "review"), Status: academy.CourseActive}
	if q.Layout == "" {
		q.Layout = academy.LayoutOnePage
	}
	if q.Review == "" {
		q.Review = academy.ReviewExplanations
	}
	q.TimeLimit, _ = v["time_limit"].(time.Duration)
	q.Cooldown, _ = v["cooldown"].(time.Duration)
	q.ShuffleQuestions, _ = v["shuffle_questions"].(bool)
	q.ShuffleOptions, _ = v["shuffle_options"].(bool)
	top := doc.Content[0]
	tl := keyLines(top)

	drawLine := tl["draw"]
	if dn, ok := v["draw"].(*yaml.Node); ok {
		if dn.Kind != yaml.SequenceNode {
			r.at(dn.Line, "draw: must be a list of rules {quiz, tag, count}")
		} else {
			for _, item := range dn.Content {
				dv := fields(item, drawFields, r.at)
				q.Draw = append(q.Draw, academy.DrawRule{Quiz: str(dv, "quiz"), Tag: str(dv, "tag"), Count: num(dv, "count")})
			}
		}
	}
	var qlines []int
	if qn, ok := v["questions"].(*yaml.Node); ok {
		if qn.Kind != yaml.SequenceNode {
			r.at(qn.Line, "questions: must be a list")
		} else {
			for _, item := range qn.Content {
				if qq := readQuestion(item, r); qq != nil {
					q.Questions = append(q.Questions, *qq)
					qlines = append(qlines, item.Line)
				}
			}
		}
	}
	if len(*r.ps) > before {
		return nil, 0, nil
	}
	// Per-question problems were reported where they are; what is left is
	// the quiz as a whole.
	if err := q.Validate(); err != nil {
		line := 1
		msg := academy.ErrorMessage(err)
		for _, k := range []string{"pass_mark", "layout", "review", "draw", "questions", "title"} {
			if strings.HasPrefix(msg, k) {
				line = max(tl[k], 1)
			}
		}
		r.at(line, "%s", msg)
		return nil, 0, nil
	}
	return q, drawLine, qlines
}

func readOptions(n *yaml.Node, what string, r reporter) []academy.Option {
	if n == nil {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		r.at(n.Line, "%s: 须为 {id, text} 的列表 / must be a list of {id, text}", what)
		return nil
	}
	var out []academy.Option
	for _, item := range n.Content {
		ov := fields(item, optionFields, r.at)
		out = append(out, academy.Option{ID: str(ov, "id"), Text: str(ov, "text")})
	}
	return out
}

func readQuestion(n *yaml.Node, r reporter) *academy.Question {
	before := len(*r.ps)
	v := fields(n, questionFields, r.at)
	q := &academy.Question{ID: str(v, "id"), Type: str(v, "type"), Points: 1, Tags: list(v, "tags"), Lesson: str(v, "lesson"),
		Prompt: str(v, "prompt"), Explanation: str(v, "explanation")}
	if p, ok := v["points"].(float64); ok {
		q.Points = p
	}
	on, _ := v["options"].(*yaml.Node)
	in, _ := v["items"].(*yaml.Node)
	q.Options = readOptions(on, "options", r)
	q.Items = readOptions(in, "items", r)
	lines := keyLines(n)
	if an, ok := v["answer"].(*yaml.Node); ok {
		if err := readKey(q, an); err != nil {
			r.at(an.Line, "questions[%s]: answer: %s", q.ID, err)
		}
	}
	if len(*r.ps) > before {
		return nil
	}
	if err := q.Validate(); err != nil {
		msg := academy.ErrorMessage(err)
		field, _, _ := strings.Cut(msg, ":")
		line := n.Line
		if l, ok := lines[field]; ok {
			line = l
		}
		if field == "answer" {
			line = lines["answer"]
		}
		r.at(line, "questions[%s]: %s", q.ID, msg)
		return nil
	}
	return q
}

// readKey decodes the answer key, whose shape depends on the type.
func readKey(q *academy.Question, n *yaml.Node) error {
	strs := func() ([]string, error) {
		if n.Kind == yaml.ScalarNode {
			return []string{n.Value}, nil
		}
		if n.Kind != yaml.SequenceNode {
			return nil, fmt.Errorf("须为列表 / must be a list")
		}
		var out []string
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("每一项都须为文字 / every entry must be text")
			}
			out = append(out, c.Value)
		}
		return out, nil
	}
	var err error
	switch q.Type {
	case academy.QSingle:
		if n.Kind != yaml.ScalarNode {
			return fmt.Errorf("单选题的答案是一个选项编号 / a single-choice answer is one option id")
		}
		q.Key.Choice = n.Value
	case academy.QMultiple:
		if n.Kind != yaml.SequenceNode {
			return fmt.Errorf("多选题的答案是选项编号的列表 / a multiple-choice answer is a list of option ids")
		}
		q.Key.Choices, err = strs()
	case academy.QOrdering:
		if n.Kind != yaml.SequenceNode {
			return fmt.Errorf("排序题的答案是按顺序排列的选项编号列表 / an ordering answer is the list of option ids in order")
		}
		q.Key.Order, err = strs()
	case academy.QFill:
		q.Key.Texts, err = strs()
	case academy.QTrueFalse:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
			return fmt.Errorf("判断题的答案是 true 或 false / a true/false answer is true or false")
		}
		q.Key.Bool = n.Value == "true"
	case academy.QMatching:
		if n.Kind != yaml.MappingNode {
			return fmt.Errorf("配对题的答案把每个项编号对应到选项编号 / a matching answer maps item ids to option ids")
		}
		q.Key.Pairs = map[string]string{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			q.Key.Pairs[n.Content[i].Value] = n.Content[i+1].Value
		}
	case academy.QNumeric:
		switch n.Kind {
		case yaml.ScalarNode:
			q.Key.Value, err = strconv.ParseFloat(n.Value, 64)
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content) && err == nil; i += 2 {
				f, ferr := strconv.ParseFloat(n.Content[i+1].Value, 64)
				switch n.Content[i].Value {
				case "value":
					q.Key.Value, err = f, ferr
				case "tolerance":
					q.Key.Tolerance, err = f, ferr
				default:
					err = fmt.Errorf("未知字段 %q（可用 value、tolerance） / unknown field %q (value, tolerance)", n.Content[i].Value, n.Content[i].Value)
				}
			}
		default:
			err = fmt.Errorf("a numeric answer is {value: 12.5, tolerance: 0.1}")
		}
		if err != nil {
			return fmt.Errorf("a numeric answer is {value: 12.5, tolerance: 0.1}: %v", err)
		}
	}
	return err
}

// quizFile is a quiz in the file format, in the order trainers read it.
type quizFile struct {
	Title            string             `yaml:"title"`
	Course           string             `yaml:"course,omitempty"`
	PassMark         int                `yaml:"pass_mark"`
	TimeLimit        string             `yaml:"time_limit,omitempty"`
	MaxAttempts      int                `yaml:"max_attempts,omitempty"`
	Cooldown         string             `yaml:"cooldown,omitempty"`
	ShuffleQuestions bool               `yaml:"shuffle_questions"`
	ShuffleOptions   bool               `yaml:"shuffle_options"`
	Layout           string             `yaml:"layout"`
	Review           string             `yaml:"review"`
	Draw             []academy.DrawRule `yaml:"draw,omitempty"`
	Questions        []questionFile     `yaml:"questions,omitempty"`
}

type questionFile struct {
	ID          string           `yaml:"id"`
	Type        string           `yaml:"type"`
	Points      float64          `yaml:"points"`
	Tags        []string         `yaml:"tags,omitempty,flow"`
	Lesson      string           `yaml:"lesson,omitempty"`
	Prompt      string           `yaml:"prompt"`
	Options     []academy.Option `yaml:"options,omitempty"`
	Items       []academy.Option `yaml:"items,omitempty"`
	Answer      any              `yaml:"answer"`
	Explanation string           `yaml:"explanation"`
}

func duration(d time.Duration) string {
	if d == 0 {
		return ""
	}
	// "1h0m0s" reads better as "1h"; only whole zero units are dropped
	// ("90s" must not become "1m3").
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// QuestionYAML renders one question in the file format, for the web
// editor, which edits a question as YAML.
func QuestionYAML(q *academy.Question) ([]byte, error) { return yaml.Marshal(questionFileOf(q)) }

func questionFileOf(q *academy.Question) questionFile {
	var answer any
	switch q.Type {
	case academy.QSingle:
		answer = q.Key.Choice
	case academy.QMultiple:
		answer = q.Key.Choices
	case academy.QTrueFalse:
		answer = q.Key.Bool
	case academy.QFill:
		answer = q.Key.Texts
	case academy.QOrdering:
		answer = q.Key.Order
	case academy.QMatching:
		answer = q.Key.Pairs
	case academy.QNumeric:
		answer = map[string]float64{"value": q.Key.Value, "tolerance": q.Key.Tolerance}
	}
	return questionFile{q.ID, q.Type, q.Points, q.Tags, q.Lesson, q.Prompt, q.Options, q.Items, answer, q.Explanation}
}

// QuizYAML renders a quiz in the file format; reading it back gives a quiz
// with the same ContentHash.
func QuizYAML(q *academy.Quiz) ([]byte, error) {
	f := quizFile{Title: q.Title, Course: q.Course, PassMark: q.PassMark, TimeLimit: duration(q.TimeLimit), MaxAttempts: q.MaxAttempts,
		Cooldown: duration(q.Cooldown), ShuffleQuestions: q.ShuffleQuestions, ShuffleOptions: q.ShuffleOptions,
		Layout: q.Layout, Review: q.Review, Draw: q.Draw}
	for i := range q.Questions {
		f.Questions = append(f.Questions, questionFileOf(&q.Questions[i]))
	}
	return yaml.Marshal(f)
}

// ParseQuestion reads one question in the file format (the web editor's
// YAML), checked like a question in a file.
func ParseQuestion(src []byte) (*academy.Question, Problems) {
	var ps Problems
	r := reporter{ps: &ps, path: "question"}
	doc := parseYAML(src, r.at)
	if doc == nil {
		return nil, ps
	}
	q := readQuestion(doc.Content[0], r)
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Line < ps[j].Line })
	return q, ps
}

// ReadQuizFile reads one quiz file on its own (without the checks that need
// the other content), for tools that add to a bank.
func ReadQuizFile(file string) (*academy.Quiz, Problems) {
	var ps Problems
	r := reporter{ps: &ps, path: file}
	src, err := os.ReadFile(file)
	if err != nil {
		r.at(1, "%v", err)
		return nil, ps
	}
	q, _, _ := readQuiz(strings.TrimSuffix(filepath.Base(file), ".yaml"), src, r)
	return q, ps
}
