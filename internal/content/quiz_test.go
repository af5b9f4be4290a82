package content

import (
	"testing"

	"github.com/academy/academy/internal/markdown"
)

func TestRepositoryQuizzesLintClean(t *testing.T) {
	l := &Loader{Dir: "../..", MD: markdown.New()}
	courses, ps := l.Courses()
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	quizzes, ps := l.Quizzes(courses)
	if len(ps) > 0 {
		t.Fatalf("quizzes have problems:\n%v", ps)
	}
	t.Logf("%d quizzes", len(quizzes))
}
