package content

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/markdown"
)

func TestRepositoryContentLintsClean(t *testing.T) {
	courses, ps := (&Loader{Dir: "../..", MD: markdown.New()}).Courses()
	if len(ps) > 0 {
		t.Fatalf("the repository's content has problems:\n%v", ps)
	}
	if len(courses) < 7 {
		t.Fatalf("%d courses, want the seven modules", len(courses))
	}
	for _, c := range courses {
		if len(c.Lessons) < 4 {
			t.Errorf("%s has %d lessons, want at least 4", c.Slug, len(c.Lessons))
		}
		for _, l := range c.Lessons {
			han := 0
			for _, r := range l.Body {
				if r >= 0x4e00 && r <= 0x9fff {
					han++
				}
			}
			// A lesson is a course, not a job aid: the second edition set
			// every lesson at 3,000 characters or more of cases, scripts
			// and sources, where the first ran 1,300–1,700.
			if han < 3000 {
				t.Errorf("%s/%s has %d Chinese characters, want at least 3,000", c.Slug, l.Slug, han)
			}
		}
	}
}

// english is the English half of each problem, one a line: problems
// are bilingual, and tests match the English words with path and line.
func english(ps Problems) string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = academy.MessageIn(academy.LangEN, p.String())
	}
	return strings.Join(lines, "\n")
}

func TestLintReportsPathAndLine(t *testing.T) {
	_, ps := (&Loader{Dir: "testdata/broken", MD: markdown.New()}).Courses()
	got := english(ps)
	want := []string{
		"courses/bad/course.yaml:1: audience: required field is missing",
		`courses/bad/course.yaml:3: minutes: must be a whole number, not "abc"`,
		`courses/bad/course.yaml:5: prerequisites: unknown course "ghost"`,
		"courses/bad/course.yaml:6: colour: unknown field",
		"courses/bad/01-one.md:4: objectives: must be a list",
		`courses/bad/01-one.md:7: heading "一级标题" is a level-1 heading`,
		`courses/bad/01-one.md:9: heading "跳级标题" skips a level (#### after #)`,
		"courses/bad/02-empty.md:6: the lesson is empty",
		`courses/bad/03-one.md:1: duplicate lesson slug "one"`,
		"courses/bad/Lesson.md:1: lesson file names look like 01-lesson-slug.md",
		`courses/bad/notes.txt:1: unsupported attachment type ".txt"`,
		`courses/good/01-start.md:12: link "02-missing.md": no lesson file 02-missing.md in this course`,
		`courses/good/01-start.md:12: broken image "nowhere.svg"`,
		"courses/loop-b/course.yaml:6: prerequisites: cycle loop-a → loop-b → loop-a",
	}
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("missing problem %q", w)
		}
	}
	if t.Failed() {
		t.Logf("got:\n%s", got)
	}
	for _, p := range ps {
		if p.Line < 1 || strings.HasPrefix(p.Path, "/") {
			t.Errorf("problem without a relative path and line: %v", p)
		}
	}
}

func TestExportThenLoadIsTheSameContent(t *testing.T) {
	md := markdown.New()
	courses, ps := (&Loader{Dir: "../..", MD: md}).Courses()
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	out := t.TempDir()
	for _, c := range courses {
		if err := ExportCourse(c, filepath.Join(out, "courses")); err != nil {
			t.Fatal(err)
		}
	}
	again, ps := (&Loader{Dir: out, MD: md}).Courses()
	if len(ps) > 0 {
		t.Fatalf("exported content does not lint:\n%v", ps)
	}
	if len(again) != len(courses) {
		t.Fatalf("%d courses after export, want %d", len(again), len(courses))
	}
	for i := range courses {
		if a, b := courses[i].ContentHash(), again[i].ContentHash(); a != b {
			t.Errorf("%s: hash %s after export, %s before", courses[i].Slug, b, a)
		}
	}
	// Export replaces lesson files: a renamed lesson does not linger.
	c := courses[0]
	c.Lessons[0].Slug = "renamed-first"
	if err := ExportCourse(c, filepath.Join(out, "courses")); err != nil {
		t.Fatal(err)
	}
	mds, _ := filepath.Glob(filepath.Join(out, "courses", c.Slug, "*.md"))
	if len(mds) != len(c.Lessons) {
		t.Fatalf("%d lesson files after re-export, want %d", len(mds), len(c.Lessons))
	}
	if _, err := os.Stat(filepath.Join(out, "courses", c.Slug, "01-renamed-first.md")); err != nil {
		t.Fatal(err)
	}
}

func TestScenarioLint(t *testing.T) {
	l := &Loader{Dir: "../..", MD: markdown.New()}
	courses, _ := l.Courses()
	scenarios, ps := l.Scenarios(courses)
	if len(ps) > 0 {
		t.Fatalf("repository scenarios have problems:\n%v", ps)
	}
	if len(scenarios) < 8 {
		t.Fatalf("%d scenarios, want at least 8", len(scenarios))
	}
	for _, s := range scenarios {
		tasks := 0
		for _, st := range s.Steps {
			if st.Kind == "task" {
				tasks++
			}
		}
		if tasks == 0 {
			t.Errorf("%s has no task step", s.Slug)
		}
	}
	_, ps = (&Loader{Dir: "testdata/broken", MD: markdown.New()}).Scenarios(courses)
	got := english(ps)
	for _, want := range []string{
		`scenarios/bad-scenario.yaml:9: steps[hello]: next: no step "missing"`,
		"scenarios/bad-scenario.yaml:9: steps[hello]: choices[0].scores: empathy 9 is outside -5..5",
		`scenarios/bad-scenario.yaml:17: steps[task]: checks[0]: actions: "fly" is not an action of repair`,
		"scenarios/typo.yaml:8: YAML: field stepz not found",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
}
