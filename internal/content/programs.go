package content

import (
	"bytes"
	"errors"
	"os"
	"path"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/academy/academy/internal/academy"
)

// ProgramsDir is where certification programs live, under courses/ so that
// a program is reviewed next to the modules it asks for.
const ProgramsDir = "programs"

// Programs reads every courses/programs/<slug>.yaml and checks that what it
// asks for exists.
func (l *Loader) Programs(courses []*academy.Course, quizzes []*academy.Quiz, scenarios []*academy.Scenario) ([]*academy.Program, Problems) {
	root := filepath.Join(l.Dir, "courses", ProgramsDir)
	entries, err := os.ReadDir(root)
	if os.IsNotExist(err) {
		return nil, nil
	} else if err != nil {
		return nil, Problems{{Path: "courses/" + ProgramsDir, Line: 1, Message: err.Error()}}
	}
	have := func(slugs []string) map[string]bool {
		m := map[string]bool{}
		for _, s := range slugs {
			m[s] = true
		}
		return m
	}
	var cs, qs, ss []string
	for _, c := range courses {
		cs = append(cs, c.Slug)
	}
	for _, q := range quizzes {
		qs = append(qs, q.Slug)
	}
	for _, s := range scenarios {
		ss = append(ss, s.Slug)
	}
	cm, qm, sm := have(cs), have(qs), have(ss)
	var ps Problems
	var out []*academy.Program
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".yaml") {
			continue
		}
		rel := path.Join("courses", ProgramsDir, name)
		src, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			ps = append(ps, Problem{rel, 1, err.Error()})
			continue
		}
		p, pp := ReadProgram(strings.TrimSuffix(name, ".yaml"), src, rel)
		if len(pp) == 0 {
			for _, msg := range p.Validate(cm, qm, sm) {
				key, _, _ := strings.Cut(msg, ".")
				key, _, _ = strings.Cut(key, ":")
				pp = append(pp, Problem{rel, fieldLine(src, key), msg})
			}
		}
		if len(pp) > 0 {
			ps = append(ps, pp...)
			continue
		}
		out = append(out, p)
	}
	ps.sort()
	return out, ps
}

// ReadProgram decodes one program file (also used for edits in the web).
func ReadProgram(slug string, src []byte, rel string) (*academy.Program, Problems) {
	p := &academy.Program{Slug: slug, Status: academy.CourseActive}
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(p); err != nil {
		var te *yaml.TypeError
		var ps Problems
		if errors.As(err, &te) {
			for _, msg := range te.Errors {
				ps = append(ps, yamlProblem(rel, msg))
			}
		} else {
			ps = append(ps, yamlProblem(rel, err.Error()))
		}
		return p, ps
	}
	return p, nil
}

// ProgramYAML writes a program back as its file.
func ProgramYAML(p *academy.Program) ([]byte, error) { return yaml.Marshal(p) }

// fieldLine finds the line of a top-level key in YAML source (1 if absent).
func fieldLine(src []byte, key string) int {
	for i, line := range strings.Split(string(src), "\n") {
		if strings.HasPrefix(line, key+":") {
			return i + 1
		}
	}
	return 1
}
