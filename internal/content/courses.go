// Package content reads the training content kept as files (courses/,
// quizzes/, scenarios/) into domain types, checks it (lint) and writes it
// back (export).
package content

import (
	"bytes"
	"fmt"
	"io/fs"
	"mime"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/markdown"
)

// Problem is one finding of lint, at a place in a file.
type Problem struct {
	Path    string
	Line    int
	Message string
}

func (p Problem) String() string { return fmt.Sprintf("%s:%d: %s", p.Path, p.Line, p.Message) }

// Problems is a list of findings, sorted by place.
type Problems []Problem

func (ps Problems) Error() string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.String())
	}
	return b.String()
}

func (ps Problems) sort() {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Path != ps[j].Path {
			return ps[i].Path < ps[j].Path
		}
		return ps[i].Line < ps[j].Line
	})
}

// reporter collects problems for one file; lines are shifted by offset so
// that front matter and bodies report lines of the whole file.
type reporter struct {
	ps     *Problems
	path   string
	offset int
}

func (r reporter) at(line int, format string, args ...any) {
	*r.ps = append(*r.ps, Problem{Path: r.path, Line: line + r.offset, Message: fmt.Sprintf(format, args...)})
}

var courseFields = []field{
	{"title", kString, true}, {"summary", kString, true}, {"audience", kString, true},
	{"minutes", kInt, true}, {"order", kInt, true}, {"prerequisites", kStringList, false}, {"tags", kStringList, false},
}

var lessonFields = []field{{"title", kString, true}, {"minutes", kInt, true}, {"objectives", kStringList, true}}

var lessonFile = regexp.MustCompile(`^(\d{2,3})-([a-z0-9][a-z0-9-]{1,63})\.md$`)

// assetTypes are the attachments a course may carry, by extension.
var assetTypes = map[string]bool{".svg": true, ".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".webp": true, ".pdf": true}

// Loader reads content from a directory. Paths in problems are relative to
// the directory, so messages read the same on every machine.
type Loader struct {
	Dir string
	MD  *markdown.Renderer
}

// Courses reads every course under Dir/courses and checks it: fields,
// lesson files, Markdown structure, relative links and prerequisites. When
// anything is wrong it returns the problems and no courses may be trusted.
func (l *Loader) Courses() ([]*academy.Course, Problems) {
	var ps Problems
	root := filepath.Join(l.Dir, "courses")
	entries, err := os.ReadDir(root)
	if os.IsNotExist(err) {
		return nil, nil
	} else if err != nil {
		return nil, Problems{{Path: "courses", Line: 1, Message: err.Error()}}
	}
	var courses []*academy.Course
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") || e.Name() == ProgramsDir {
			continue
		}
		if c := l.course(e.Name(), &ps); c != nil {
			courses = append(courses, c)
		}
	}
	prereqErrs := academy.CheckPrerequisites(courses)
	for _, c := range courses {
		if err := prereqErrs[c.Slug]; err != nil {
			rel := path.Join("courses", c.Slug, "course.yaml")
			ps = append(ps, Problem{Path: rel, Line: l.fieldLine(rel, "prerequisites"), Message: academy.ErrorMessage(err)})
		}
	}
	ps.sort()
	return courses, ps
}

// fieldLine finds the line of a top-level key in a YAML file (1 if absent).
func (l *Loader) fieldLine(rel, key string) int {
	b, err := os.ReadFile(filepath.Join(l.Dir, rel))
	if err != nil {
		return 1
	}
	return fieldLine(b, key)
}

func (l *Loader) course(slug string, ps *Problems) *academy.Course {
	dir := filepath.Join(l.Dir, "courses", slug)
	metaPath := path.Join("courses", slug, "course.yaml")
	r := reporter{ps: ps, path: metaPath}
	before := len(*ps)
	if !academy.ValidSlug(slug) {
		r.at(1, "course folder %q: a slug is 2–64 lowercase letters, digits or '-'", slug)
	}
	src, err := os.ReadFile(filepath.Join(dir, "course.yaml"))
	if err != nil {
		r.at(1, "missing course.yaml (title, summary, audience, minutes, order)")
		return nil
	}
	c := &academy.Course{Slug: slug, Status: academy.CourseActive}
	if doc := parseYAML(src, r.at); doc != nil {
		v := fields(doc, courseFields, r.at)
		c.Title, c.Summary, c.Audience = str(v, "title"), str(v, "summary"), str(v, "audience")
		c.Minutes, c.Order = num(v, "minutes"), num(v, "order")
		c.Prerequisites, c.Tags = list(v, "prerequisites"), list(v, "tags")
		if _, ok := v["minutes"]; ok && c.Minutes <= 0 {
			r.at(l.fieldLine(metaPath, "minutes"), "minutes: must be positive")
		}
		if slices.Contains(c.Prerequisites, slug) {
			r.at(l.fieldLine(metaPath, "prerequisites"), "prerequisites: a course cannot require itself")
		}
	}

	files := map[string]bool{}
	var lessonNames []string
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() || rel == "course.yaml" || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		files[rel] = true
		if strings.HasSuffix(rel, ".md") && !strings.Contains(rel, "/") {
			lessonNames = append(lessonNames, rel)
		}
		return nil
	})
	if err != nil {
		r.at(1, "read course folder: %v", err)
		return nil
	}
	sort.Strings(lessonNames)
	numbers := map[string]string{}
	for _, name := range lessonNames {
		lp := path.Join("courses", slug, name)
		m := lessonFile.FindStringSubmatch(name)
		if m == nil {
			*ps = append(*ps, Problem{lp, 1, "lesson file names look like 01-lesson-slug.md (number, '-', lowercase slug)"})
			continue
		}
		if prev, dup := numbers[m[1]]; dup {
			*ps = append(*ps, Problem{lp, 1, fmt.Sprintf("two lessons are numbered %s (%s and %s)", m[1], prev, name)})
		}
		numbers[m[1]] = name
		if ls, _ := c.Lesson(m[2]); ls != nil {
			*ps = append(*ps, Problem{lp, 1, fmt.Sprintf("duplicate lesson slug %q", m[2])})
			continue
		}
		if lesson := l.lesson(dir, lp, m[2], name, files, ps); lesson != nil {
			c.Lessons = append(c.Lessons, *lesson)
		}
	}
	if len(lessonNames) == 0 {
		r.at(1, "the course has no lessons (files named 01-slug.md beside course.yaml)")
	}
	for rel := range files {
		if strings.HasSuffix(rel, ".md") && !strings.Contains(rel, "/") {
			continue
		}
		ext := strings.ToLower(path.Ext(rel))
		ap := path.Join("courses", slug, rel)
		if !assetTypes[ext] {
			*ps = append(*ps, Problem{ap, 1, fmt.Sprintf("unsupported attachment type %q (allowed: svg, png, jpg, gif, webp, pdf)", ext)})
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			*ps = append(*ps, Problem{ap, 1, err.Error()})
			continue
		}
		if len(data) > academy.MaxAssetSize {
			*ps = append(*ps, Problem{ap, 1, fmt.Sprintf("attachment is %d KiB; at most %d KiB", len(data)>>10, academy.MaxAssetSize>>10)})
			continue
		}
		c.Assets = append(c.Assets, academy.Asset{Name: rel, ContentType: mime.TypeByExtension(ext), Data: data})
	}
	sort.Slice(c.Assets, func(i, j int) bool { return c.Assets[i].Name < c.Assets[j].Name })
	if len(*ps) > before {
		return c // still returned, so prerequisites of others can be checked
	}
	if err := c.Validate(); err != nil {
		r.at(1, "%s", academy.ErrorMessage(err))
	}
	return c
}

// splitFrontMatter returns the YAML between the leading "---" lines, the
// body after them, and the file line where the body starts.
func splitFrontMatter(src []byte) (front, body []byte, bodyLine int, ok bool) {
	if !bytes.HasPrefix(src, []byte("---\n")) && !bytes.HasPrefix(src, []byte("---\r\n")) {
		return nil, src, 1, false
	}
	lines := bytes.SplitAfter(src, []byte("\n"))
	for i := 1; i < len(lines); i++ {
		if t := bytes.TrimRight(lines[i], "\r\n"); string(t) == "---" {
			start := 0
			for _, l := range lines[:i+1] {
				start += len(l)
			}
			return bytes.Join(lines[1:i], nil), src[start:], i + 2, true
		}
	}
	return nil, src, 1, false
}

func (l *Loader) lesson(dir, lp, slug, name string, files map[string]bool, ps *Problems) *academy.Lesson {
	src, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		*ps = append(*ps, Problem{lp, 1, err.Error()})
		return nil
	}
	front, body, bodyLine, ok := splitFrontMatter(src)
	if !ok {
		*ps = append(*ps, Problem{lp, 1, "a lesson starts with front matter between two '---' lines (title, minutes, objectives)"})
		return nil
	}
	fr := reporter{ps: ps, path: lp, offset: 1}
	lesson := &academy.Lesson{Slug: slug, Body: string(body)}
	if doc := parseYAML(front, fr.at); doc != nil {
		v := fields(doc, lessonFields, fr.at)
		lesson.Title, lesson.Minutes, lesson.Objectives = str(v, "title"), num(v, "minutes"), list(v, "objectives")
		if _, ok := v["minutes"]; ok && lesson.Minutes <= 0 {
			fr.at(1, "minutes: must be positive")
		}
		if _, ok := v["objectives"]; ok && len(lesson.Objectives) == 0 {
			fr.at(1, "objectives: list at least one learning objective")
		}
	}
	br := reporter{ps: ps, path: lp, offset: bodyLine - 1}
	if len(bytes.TrimSpace(body)) == 0 {
		br.at(1, "the lesson is empty: write its text below the front matter")
		return lesson
	}
	l.checkBody(body, files, br)
	return lesson
}

// checkBody checks the Markdown structure and relative links of a lesson.
func (l *Loader) checkBody(body []byte, files map[string]bool, r reporter) {
	doc, err := l.MD.Render(body, markdown.Options{})
	if err != nil {
		r.at(1, "Markdown: %v", err)
		return
	}
	prev := 1 // the title is the page's h1
	for _, h := range doc.Headings {
		switch {
		case h.Level == 1:
			r.at(h.Line, "heading %q is a level-1 heading (#); the lesson title is the h1, so start at ##", h.Text)
		case h.Level > prev+1:
			r.at(h.Line, "heading %q skips a level (%s after %s)", h.Text, strings.Repeat("#", h.Level), strings.Repeat("#", prev))
		}
		prev = h.Level
	}
	for _, link := range doc.Links {
		target, _, _ := strings.Cut(link.Dest, "#")
		target, _, _ = strings.Cut(target, "?")
		what := "link"
		if link.Image {
			what = "image"
		}
		if target == "" {
			continue
		}
		clean := path.Clean(target)
		if strings.HasPrefix(clean, "../") || clean == ".." || path.IsAbs(clean) {
			r.at(link.Line, "%s %q points outside the course folder", what, link.Dest)
			continue
		}
		if strings.HasSuffix(clean, ".md") {
			if !files[clean] || !lessonFile.MatchString(clean) {
				r.at(link.Line, "%s %q: no lesson file %s in this course", what, link.Dest, clean)
			}
			continue
		}
		if !files[clean] {
			r.at(link.Line, "broken %s %q: no file %s beside the lessons", what, link.Dest, clean)
		}
	}
}
