package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/content"
	"github.com/academy/academy/internal/markdown"
)

// contentFlags registers --content, shared by serve and import.
func contentFlags(fs *flagSet) *string {
	return fs.String("content", envOr("ACADEMY_CONTENT", "."), "directory holding courses/, quizzes/, scenarios/ (env ACADEMY_CONTENT)")
}

// files is the content read from a directory.
type files struct {
	courses   []*academy.Course
	quizzes   []*academy.Quiz
	scenarios []*academy.Scenario
	programs  []*academy.Program
}

// loadContent reads and checks the content directory; any problem means
// nothing may be imported.
func loadContent(dir string) (*files, content.Problems, error) {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, nil, fmt.Errorf("--content %s: not a directory", dir)
	}
	l := &content.Loader{Dir: dir, MD: markdown.New()}
	courses, problems := l.Courses()
	quizzes, qp := l.Quizzes(courses)
	scenarios, sp := l.Scenarios(courses)
	programs, pp := l.Programs(courses, quizzes, scenarios)
	problems = append(append(append(problems, qp...), sp...), pp...)
	return &files{courses, quizzes, scenarios, programs}, problems, nil
}

func cmdLint(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("academy lint", "Check the content in DIR (default: the working directory) without writing anything.\nUsage: academy lint [DIR]", stdout)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, errFlagHelp) {
			fs.printUsage()
			return err
		}
		return fmt.Errorf("lint: %v (see academy lint --help)", err)
	}
	dir := "."
	if fs.NArg() > 1 {
		return fmt.Errorf("lint: one directory at most, got %d", fs.NArg())
	} else if fs.NArg() == 1 {
		dir = fs.Arg(0)
	}
	fl, problems, err := loadContent(dir)
	if err != nil {
		return err
	}
	// Wording is lint's alone: import still loads content whose quotes or
	// terms are off, since a reader is not misled by them.
	lessons, nLessons := map[string][]string{}, 0
	for _, c := range fl.courses {
		for _, l := range c.Lessons {
			lessons[c.Title] = append(lessons[c.Title], l.Title)
		}
		nLessons += len(c.Lessons)
	}
	cl := &content.Loader{Dir: dir}
	problems = append(problems, cl.Wording()...)
	problems = append(problems, cl.References(lessons)...)
	problems = append(problems, cl.DeskRules(fl.scenarios)...)
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(stdout, p)
		}
		return fmt.Errorf("lint: %d problem(s)", len(problems))
	}
	questions := 0
	for _, q := range fl.quizzes {
		questions += len(q.Questions)
	}
	fmt.Fprintf(stdout, "ok: %d courses, %d lessons, %d quizzes, %d questions, %d scenarios, %d programs\n", len(fl.courses), nLessons, len(fl.quizzes), questions, len(fl.scenarios), len(fl.programs))
	return nil
}

func cmdImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("academy import", "Load the content directory into the database: validate everything first, write nothing if anything is invalid.", stdout)
	cfg, err := commonFlags(fs)
	if err != nil {
		return err
	}
	dir := contentFlags(fs)
	force := fs.Bool("force", false, "overwrite courses edited in the web since their last import")
	if err := parse(fs, args); err != nil {
		return err
	}
	st, err := openStore(ctx, cfg, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		return err
	}
	defer st.close()
	skipped, err := importContent(ctx, st, *dir, *force, stdout)
	if err != nil {
		return err
	}
	if len(skipped) > 0 {
		return fmt.Errorf("import: skipped %s", strings.Join(skipped, ", "))
	}
	return nil
}

// importContent validates and imports, printing the report; it returns the
// names of what was skipped.
//
// An import archives what its files no longer hold, so a kind whose
// directory is missing is left as it is, and a directory with none of them
// is refused: a server started from another working directory archived
// every course, quiz, scenario and program.
func importContent(ctx context.Context, st *store, dir string, force bool, out io.Writer) ([]string, error) {
	fl, problems, err := loadContent(dir)
	if err != nil {
		return nil, err
	}
	has := func(rel string) bool {
		fi, err := os.Stat(filepath.Join(dir, rel))
		return err == nil && fi.IsDir()
	}
	if !has("courses") && !has("quizzes") && !has("scenarios") {
		abs, _ := filepath.Abs(dir)
		return nil, fmt.Errorf("import: %s holds no courses/, quizzes/ or scenarios/; nothing was imported or archived (start from the content's directory, or set --content or ACADEMY_CONTENT; --no-import skips the import)", cmp.Or(abs, dir))
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(out, p)
		}
		return nil, fmt.Errorf("import: %d problem(s) in %s; nothing was imported (run academy lint)", len(problems), dir)
	}
	var skipped []string
	for _, kind := range []struct {
		name, dir string
		// edits: the kind is also edited in the web, and an import skips
		// what was edited there since (without --force).
		edits bool
		load  func() (*academy.ImportReport, error)
	}{
		{"courses", "courses", true, func() (*academy.ImportReport, error) { return st.library.Import(ctx, fl.courses, "import", force) }},
		{"quizzes", "quizzes", true, func() (*academy.ImportReport, error) {
			return st.library.ImportQuizzes(ctx, fl.quizzes, "import", force)
		}},
		{"scenarios", "scenarios", false, func() (*academy.ImportReport, error) {
			return st.library.ImportScenarios(ctx, fl.scenarios, st.scenarios)
		}},
		{"programs", filepath.Join("courses", content.ProgramsDir), false, func() (*academy.ImportReport, error) {
			return st.library.ImportPrograms(ctx, fl.programs, st.programs)
		}},
	} {
		if !has(kind.dir) {
			fmt.Fprintf(out, "%s: no %s/ in %s; left as they are\n", kind.name, filepath.ToSlash(kind.dir), dir)
			continue
		}
		rep, err := kind.load()
		if err != nil {
			return nil, err
		}
		printReport(out, kind.name, rep)
		if kind.edits {
			skipped = append(skipped, rep.Skipped...)
		}
	}
	return skipped, nil
}

func printReport(out io.Writer, what string, rep *academy.ImportReport) {
	fmt.Fprintf(out, "%s: %s\n", what, rep)
	for _, kind := range []struct {
		name  string
		slugs []string
	}{{"created", rep.Created}, {"updated", rep.Updated}, {"archived", rep.Archived}, {"skipped", rep.Skipped}} {
		if len(kind.slugs) > 0 {
			fmt.Fprintf(out, "  %s: %s\n", kind.name, strings.Join(kind.slugs, ", "))
		}
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(out, "  note: %s\n", n)
	}
}

func cmdExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("academy export", "Write a course from the database back into the file format, e.g. to commit web edits.", stdout)
	cfg, err := commonFlags(fs)
	if err != nil {
		return err
	}
	slug := fs.String("course", "", "course slug")
	out := fs.String("out", "courses", "directory to write <slug>/ into")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *slug == "" {
		return errors.New("export: --course is required")
	}
	st, err := openStore(ctx, cfg, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		return err
	}
	defer st.close()
	c, err := st.library.Courses.FindCourse(ctx, *slug)
	if err != nil {
		return describe(err)
	}
	if err := content.ExportCourse(c, *out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "exported %s (revision %d, %d lessons) to %s/%s\n", c.Slug, c.Revision, len(c.Lessons), *out, c.Slug)
	return nil
}
