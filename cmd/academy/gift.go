package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/content"
)

func cmdImportGIFT(args []string, stdout io.Writer) error {
	fs := newFlagSet("academy import-gift", "Convert a Moodle GIFT file into a quiz bank file (quizzes/SLUG.yaml): a new bank, or questions added to an existing one.\nUsage: academy import-gift FILE --quiz SLUG", stdout)
	slug := fs.String("quiz", "", "quiz slug: the bank file quizzes/<slug>.yaml")
	course := fs.String("course", "", "course the quiz belongs to (new banks)")
	dir := contentFlags(fs)
	// FILE comes first by convention; flags may follow it.
	var file string
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		file, args = args[0], args[1:]
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if file == "" {
		return errors.New("import-gift: FILE is required (academy import-gift FILE --quiz SLUG)")
	}
	if !academy.ValidSlug(*slug) {
		return fmt.Errorf("import-gift: --quiz %q must be 2–64 lowercase letters, digits or '-'", *slug)
	}
	src, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("import-gift: %v", err)
	}
	questions, problems := content.ParseGIFT(src, file, *slug)
	target := filepath.Join(*dir, "quizzes", *slug+".yaml")
	q := &academy.Quiz{Slug: *slug, Title: *slug, Course: *course, PassMark: 80, Layout: academy.LayoutOnePage,
		Review: academy.ReviewExplanations, ShuffleQuestions: true, ShuffleOptions: true}
	if _, err := os.Stat(target); err == nil {
		existing, ps := content.ReadQuizFile(target)
		if len(ps) > 0 {
			return fmt.Errorf("import-gift: the existing bank has problems; fix them first:\n%s", ps.Error())
		}
		q = existing
	}
	have := map[string]bool{}
	for _, e := range q.Questions {
		have[e.ID] = true
	}
	added := 0
	for _, qq := range questions {
		if have[qq.ID] {
			problems = append(problems, content.Problem{Path: file, Line: 1, Message: fmt.Sprintf("question id %q is already in %s; not added", qq.ID, target)})
			continue
		}
		q.Questions = append(q.Questions, qq)
		added++
	}
	if err := q.Validate(); err != nil {
		return fmt.Errorf("import-gift: %s", academy.ErrorMessage(err))
	}
	b, err := content.QuizYAML(q)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(target, b, 0o644); err != nil {
		return err
	}
	for _, p := range problems {
		fmt.Fprintln(stdout, p)
	}
	fmt.Fprintf(stdout, "wrote %s: %d questions added, %d in the bank\n", target, added, len(q.Questions))
	if len(problems) > 0 {
		return fmt.Errorf("import-gift: %d item(s) not imported (listed above)", len(problems))
	}
	return nil
}
