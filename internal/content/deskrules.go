package content

import (
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/academy/academy/internal/academy"
)

// DeskDir holds desk-rules files: the company's (company.yaml) and any
// site's (<site>.yaml), as `academy desk export` writes them.
const DeskDir = "desk"

// DeskRules checks every file under desk/ and, against each, the
// scenarios: a scenario whose checks name a type, state, action, field or
// department the rules lack could not be passed on that desk.
func (l *Loader) DeskRules(scenarios []*academy.Scenario) Problems {
	root := filepath.Join(l.Dir, DeskDir)
	entries, err := os.ReadDir(root)
	if os.IsNotExist(err) {
		return nil
	} else if err != nil {
		return Problems{{Path: DeskDir, Line: 1, Message: err.Error()}}
	}
	var ps Problems
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".yaml") {
			continue
		}
		rel := path.Join(DeskDir, name)
		src, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			ps = append(ps, Problem{rel, 1, err.Error()})
			continue
		}
		rules, problems := academy.ParseDeskRules("", src)
		for _, m := range problems {
			ps = append(ps, Problem{rel, 1, m})
		}
		if rules == nil {
			continue
		}
		for _, s := range scenarios {
			for _, p := range s.FitsRules(rules) {
				where := ""
				if p.Step != "" {
					where = "steps[" + p.Step + "]."
				}
				ps = append(ps, Problem{path.Join("scenarios", s.Slug+".yaml"), 1, where + p.Message + " (" + rel + ")"})
			}
		}
	}
	return ps
}
