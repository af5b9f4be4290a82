package content

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/markdown"
)

// FuzzLesson feeds whole lesson files (front matter and Markdown body) to
// the loader's per-lesson parser. A lesson that lint accepts is published
// to every learner, so its HTML must not carry script, and exporting it must
// give back the same lesson.
func FuzzLesson(f *testing.F) {
	for _, s := range []string{
		"",
		"---\n",
		"---\n---\n",
		"---\r\ntitle: 电话礼仪\r\nminutes: 30\r\nobjectives: [接听]\r\n---\r\n正文\r\n",
		"---\ntitle: 电话礼仪\nminutes: 30\nobjectives:\n  - 三声以内接起\n---\n\n## 接起\n\n正文，见[下一课](02-next.md#开场白)与![流程](flow.svg)。\n",
		"---\ntitle: x\nminutes: 0\nobjectives: []\n---\n# 一级\n#### 跳级\n",
		"---\ntitle: [a]\nminutes: abc\nobjectives: x\ncolour: red\ntitle: again\n---\n正文\n",
		"---\ntitle: x\nminutes: 5\nobjectives: [a]\n---\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n",
		"---\ntitle: x\nminutes: 5\nobjectives: [a]\n---\n[点我](javascript:alert(1)) [b](JaVa&#x53;cript:alert(1)) <javascript:alert(1)>\n",
		"---\ntitle: x\nminutes: 5\nobjectives: [a]\n---\n[x]: javascript:alert(1)\n\n[x]\n\n> [!WARNING]\n> <svg onload=alert(1)>\n",
		"---\ntitle: x\nminutes: 5\nobjectives: [a]\n---\n[上级](../other/01-x.md) [绝对](/etc/passwd) ![缺](nowhere.png)\n",
		"---\ntitle: \"\"\nminutes: 5\nobjectives: [\" \"]\n---\n正文\n",
		"---\n: [\n---\n正文\n",
		"---\ntitle: x\nminutes: 5\nobjectives: [a]\n---\n   \n\t\n",
		"---\ntitle: |\n  多行\n  标题\nminutes: 5\nobjectives: [\"- a\", \"---\", \"#b\"]\n---\n---\n正文\n",
	} {
		f.Add(s)
	}
	dir := f.TempDir()
	const name, rel = "01-intro.md", "courses/c/01-intro.md"
	file := filepath.Join(dir, name)
	l := &Loader{Dir: dir, MD: markdown.New()}
	// What lives beside the lesson, so that relative links can be right.
	files := map[string]bool{name: true, "02-next.md": true, "flow.svg": true, "call-flow.svg": true}
	read := func(t *testing.T, src []byte) (*academy.Lesson, Problems) {
		t.Helper()
		if err := os.WriteFile(file, src, 0o644); err != nil {
			t.Fatal(err)
		}
		var ps Problems
		return l.lesson(dir, rel, "intro", name, files, &ps), ps
	}
	f.Fuzz(func(t *testing.T, src string) {
		lesson, ps := read(t, []byte(src))
		checkProblems(t, ps, rel, []byte(src))
		if len(ps) > 0 {
			return
		}
		if lesson == nil {
			t.Fatal("no lesson and no problem to say why")
		}
		// The course-level check is the last gate before publishing.
		if err := lesson.Validate(); err != nil {
			return
		}
		doc, err := l.MD.Render([]byte(lesson.Body), markdown.Options{Base: "/courses/c"})
		if err != nil {
			t.Fatalf("accepted lesson does not render: %v", err)
		}
		if reason := unsafeHTML(doc.HTML); reason != "" {
			t.Fatalf("accepted lesson renders unsafe HTML: %s\n%s", reason, doc.HTML)
		}

		out, err := CourseFiles(&academy.Course{Slug: "c", Lessons: []academy.Lesson{*lesson}})
		if err != nil {
			t.Fatalf("export: %v", err)
		}
		again, ps := read(t, out[name])
		if len(ps) > 0 || again == nil {
			t.Fatalf("exported lesson does not read back:\n%v\n%s", ps, out[name])
		}
		if again.Title != lesson.Title || again.Minutes != lesson.Minutes ||
			!slices.Equal(again.Objectives, lesson.Objectives) || again.Body != lesson.Body {
			t.Fatalf("export changed the lesson:\nbefore %#v\nafter  %#v\nfile:\n%s", lesson, again, out[name])
		}
	})
}
