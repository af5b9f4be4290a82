package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/content"
	"github.com/academy/academy/internal/markdown"
)

// contentFlags registers --content, shared by serve and import.
func contentFlags(fs *flagSet) *string {
	return fs.String("content", envOr("ACADEMY_CONTENT", "."), "directory holding courses/, quizzes/, scenarios/ (env ACADEMY_CONTENT)")
}

// loadContent reads and checks the content directory; any problem means
// nothing may be imported.
func loadContent(dir string) ([]*academy.Course, content.Problems, error) {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, nil, fmt.Errorf("--content %s: not a directory", dir)
	}
	l := &content.Loader{Dir: dir, MD: markdown.New()}
	courses, problems := l.Courses()
	return courses, problems, nil
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
	courses, problems, err := loadContent(dir)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(stdout, p)
		}
		return fmt.Errorf("lint: %d problem(s)", len(problems))
	}
	lessons := 0
	for _, c := range courses {
		lessons += len(c.Lessons)
	}
	fmt.Fprintf(stdout, "ok: %d courses, %d lessons\n", len(courses), lessons)
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
	rep, err := importContent(ctx, st, *dir, *force, stdout)
	if err != nil {
		return err
	}
	if len(rep.Skipped) > 0 {
		return fmt.Errorf("import: %d course(s) skipped", len(rep.Skipped))
	}
	return nil
}

// importContent validates and imports, printing the report.
func importContent(ctx context.Context, st *store, dir string, force bool, out io.Writer) (*academy.ImportReport, error) {
	courses, problems, err := loadContent(dir)
	if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(out, p)
		}
		return nil, fmt.Errorf("import: %d problem(s) in %s; nothing was imported (run academy lint)", len(problems), dir)
	}
	rep, err := st.library.Import(ctx, courses, "import", force)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "courses: %s\n", rep)
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
	return rep, nil
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
