package http

import (
	"archive/zip"
	"bytes"
	"fmt"
	"html/template"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/pmezard/go-difflib/difflib"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/content"
	"github.com/academy/academy/internal/markdown"
)

func (s *Server) authorPage(c *fiber.Ctx) error {
	return s.authorList(c, fiber.StatusOK, academy.CourseMeta{Minutes: 60, Order: 100}, "")
}

func (s *Server) authorList(c *fiber.Ctx, status int, form academy.CourseMeta, errMsg string) error {
	courses, err := s.Library.Courses.ListCourses(c.UserContext())
	if err != nil {
		return err
	}
	pg := s.newPage(c, "author.title")
	pg.Error = errMsg
	pg.Data = map[string]any{"Courses": courses, "Form": form}
	return s.renderStatus(c, status, "author", pg)
}

// formInt reads a whole number from a form field, blank being 0. A value
// that does not read is refused rather than taken as 0, so that a typo in
// one field does not save the rest of the form with that field zeroed.
func formInt(c *fiber.Ctx, key string) (int, error) {
	v := strings.TrimSpace(c.FormValue(key))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, academy.Errorf(academy.EINVALID, "%s: %q 不是整数 / %q is not a whole number", key, v, v)
	}
	return n, nil
}

func metaFromForm(c *fiber.Ctx) (academy.CourseMeta, error) {
	m := academy.CourseMeta{Slug: strings.TrimSpace(c.FormValue("slug")), Title: c.FormValue("title"), Summary: c.FormValue("summary"),
		Audience: c.FormValue("audience"), Prerequisites: academy.SplitList(c.FormValue("prerequisites")), Tags: academy.SplitList(c.FormValue("tags"))}
	var err error
	if m.Minutes, err = formInt(c, "minutes"); err != nil {
		return m, err
	}
	m.Order, err = formInt(c, "order")
	return m, err
}

// refreshed makes this instance's catalog show a change at once; other
// instances follow at their next poll.
func (s *Server) refreshed(c *fiber.Ctx) error { return s.Catalog.Refresh(c.UserContext(), false) }

func (s *Server) authorCreate(c *fiber.Ctx) error {
	var course *academy.Course
	m, err := metaFromForm(c)
	if err == nil {
		course, err = s.Library.CreateCourse(c.UserContext(), m, currentUser(c).ID)
	}
	if err != nil {
		if code := academy.ErrorCode(err); code == academy.EINVALID || code == academy.ECONFLICT {
			return s.authorList(c, codeStatus[code], m, academy.ErrorMessage(err))
		}
		return err
	}
	if err := s.refreshed(c); err != nil {
		return err
	}
	return redirectFlash(c, "/author/courses/"+course.Slug, "course_created")
}

func (s *Server) authorCourse(c *fiber.Ctx) error {
	return s.authorCourseForm(c, fiber.StatusOK, "")
}

func (s *Server) authorCourseForm(c *fiber.Ctx, status int, errMsg string) error {
	ctx := c.UserContext()
	course, err := s.Library.Courses.FindCourse(ctx, c.Params("slug"))
	if err != nil {
		return err
	}
	drafts, err := s.Library.Courses.ListDrafts(ctx, course.Slug)
	if err != nil {
		return err
	}
	drafted := map[string]*academy.Draft{}
	for _, d := range drafts {
		drafted[d.Lesson.Slug] = d
	}
	var newDrafts []*academy.Draft
	for _, d := range drafts {
		if l, _ := course.Lesson(d.Lesson.Slug); l == nil {
			newDrafts = append(newDrafts, d)
		}
	}
	pg := s.newPage(c, "author.title")
	pg.Error = errMsg
	pg.Data = map[string]any{"Course": course, "Drafts": drafted, "NewDrafts": newDrafts,
		"Prereqs": strings.Join(course.Prerequisites, ", "), "Tags": strings.Join(course.Tags, ", ")}
	return s.renderStatus(c, status, "author_course", pg)
}

func formRevision(c *fiber.Ctx) (int, error) {
	n, err := strconv.Atoi(c.FormValue("revision"))
	if err != nil || n < 0 {
		return 0, academy.Errorf(academy.EINVALID, "revision: 请给出编辑所基于的版本 / the revision the edit is based on is required")
	}
	return n, nil
}

func (s *Server) authorUpdate(c *fiber.Ctx) error {
	base, err := formRevision(c)
	if err != nil {
		return err
	}
	m, err := metaFromForm(c)
	if err == nil {
		_, err = s.Library.UpdateCourseMeta(c.UserContext(), c.Params("slug"), base, m, currentUser(c).ID)
	}
	if err != nil {
		if code := academy.ErrorCode(err); code == academy.EINVALID || code == academy.ECONFLICT {
			return s.authorCourseForm(c, codeStatus[code], academy.ErrorMessage(err))
		}
		return err
	}
	if err := s.refreshed(c); err != nil {
		return err
	}
	return redirectFlash(c, "/author/courses/"+c.Params("slug"), "course_saved")
}

// editorData is what the lesson editor shows.
type editorData struct {
	Course     *academy.Course
	Lesson     academy.Lesson
	Objectives string
	New        bool
	Draft      *academy.Draft
	Base       int
	// Yours is the author's text that a conflict refused.
	Yours *academy.Lesson
	// PreviewHTML comes from our Markdown renderer, which drops raw HTML.
	PreviewHTML template.HTML
}

func (s *Server) authorLesson(c *fiber.Ctx) error {
	ctx := c.UserContext()
	course, err := s.Library.Courses.FindCourse(ctx, c.Params("slug"))
	if err != nil {
		return err
	}
	d := editorData{Course: course, Base: course.Revision}
	if slug := c.Params("lesson"); slug == "new" {
		d.New = true
		d.Lesson = academy.Lesson{Minutes: 15}
	} else {
		l, _ := course.Lesson(slug)
		draft, derr := s.Library.Courses.FindDraft(ctx, course.Slug, slug)
		switch {
		case derr == nil:
			d.Draft, d.Lesson, d.Base, d.New = draft, draft.Lesson, draft.BaseRevision, l == nil
		case academy.ErrorCode(derr) != academy.ENOTFOUND:
			return derr
		case l == nil:
			return academy.Errorf(academy.ENOTFOUND, "课程 %q 中没有课时 %q / lesson %q not found in course %q", course.Slug, slug, slug, course.Slug)
		default:
			d.Lesson = *l
		}
	}
	return s.renderEditor(c, fiber.StatusOK, d, "")
}

func (s *Server) renderEditor(c *fiber.Ctx, status int, d editorData, errMsg string) error {
	d.Objectives = strings.Join(d.Lesson.Objectives, "\n")
	if strings.TrimSpace(d.Lesson.Body) != "" {
		doc, err := s.Markdown.Render([]byte(d.Lesson.Body), markdown.Options{Base: "/courses/" + d.Course.Slug})
		if err != nil {
			return err
		}
		d.PreviewHTML = template.HTML(doc.HTML)
	}
	pg := s.newPage(c, "author.title")
	pg.Error = errMsg
	pg.Data = d
	return s.renderStatus(c, status, "author_lesson", pg)
}

func lessonFromForm(c *fiber.Ctx) academy.Lesson {
	minutes, _ := strconv.Atoi(c.FormValue("minutes"))
	var objectives []string
	for _, o := range strings.Split(c.FormValue("objectives"), "\n") {
		if o = strings.TrimSpace(o); o != "" {
			objectives = append(objectives, o)
		}
	}
	return academy.Lesson{Slug: strings.TrimSpace(c.FormValue("slug")), Title: strings.TrimSpace(c.FormValue("title")),
		Minutes: minutes, Objectives: objectives, Body: strings.ReplaceAll(c.FormValue("body"), "\r\n", "\n")}
}

func (s *Server) authorSaveLesson(c *fiber.Ctx) error {
	ctx := c.UserContext()
	course, err := s.Library.Courses.FindCourse(ctx, c.Params("slug"))
	if err != nil {
		return err
	}
	base, err := formRevision(c)
	if err != nil {
		return err
	}
	l := lessonFromForm(c)
	author := currentUser(c).ID
	existing, _ := course.Lesson(l.Slug)
	d := editorData{Course: course, Lesson: l, Base: base, New: existing == nil}
	if c.FormValue("action") == "draft" {
		if _, err := s.Library.SaveDraft(ctx, course.Slug, base, l, author); err != nil {
			if academy.ErrorCode(err) == academy.EINVALID {
				return s.renderEditor(c, fiber.StatusBadRequest, d, academy.ErrorMessage(err))
			}
			return err
		}
		return redirectFlash(c, "/author/courses/"+course.Slug+"/lessons/"+l.Slug, "draft_saved")
	}
	if _, err := s.Library.PublishLesson(ctx, course.Slug, base, l, author); err != nil {
		switch academy.ErrorCode(err) {
		case academy.EINVALID:
			return s.renderEditor(c, fiber.StatusBadRequest, d, academy.ErrorMessage(err))
		case academy.ECONFLICT:
			return s.conflictEditor(c, d, academy.ErrorMessage(err))
		}
		return err
	}
	if err := s.refreshed(c); err != nil {
		return err
	}
	return redirectFlash(c, "/author/courses/"+course.Slug, "lesson_published")
}

// conflictEditor answers a publish that lost to someone else's change of
// the lesson: the form holds the current version at the current revision,
// so that the next save is judged against what the author now sees, and
// the refused text is shown beside it to merge from.
func (s *Server) conflictEditor(c *fiber.Ctx, d editorData, errMsg string) error {
	course, err := s.Library.Courses.FindCourse(c.UserContext(), d.Course.Slug)
	if err != nil {
		return err
	}
	yours := d.Lesson
	d.Course, d.Base, d.Yours = course, course.Revision, &yours
	if cur, _ := course.Lesson(yours.Slug); cur != nil {
		d.Lesson, d.New = *cur, false
	}
	return s.renderEditor(c, fiber.StatusConflict, d, errMsg)
}

func (s *Server) authorRevisions(c *fiber.Ctx) error {
	ctx := c.UserContext()
	course, err := s.Library.Courses.FindCourse(ctx, c.Params("slug"))
	if err != nil {
		return err
	}
	revs, err := s.Library.Courses.ListRevisions(ctx, course.Slug)
	if err != nil {
		return err
	}
	pg := s.newPage(c, "author.title")
	names := map[string]string{}
	for _, r := range revs {
		if err := s.addPeople(ctx, names, r.Author); err != nil {
			return err
		}
	}
	rows := make([]revisionRow, len(revs))
	for i, r := range revs {
		rows[i] = revisionRow{r, names[r.Author], s.revisionText(pg.Lang, course, r, names)}
	}
	pg.Data = map[string]any{"Course": course, "Revisions": rows}
	return s.render(c, "author_revisions", pg)
}

// revisionRow is a revision as the history shows it: by whom, and what
// changed in a sentence.
type revisionRow struct {
	*academy.Revision
	By, Text string
}

// revisionText says what rev changed ("田老师修改了课时《廉洁自律》"),
// naming a lesson by its title in course as it is now (or its slug, for a
// lesson since removed) and the author by names.
func (s *Server) revisionText(lang string, course *academy.Course, rev *academy.Revision, names map[string]string) string {
	ch := rev.Change()
	who := names[rev.Author]
	if who == "" {
		who = rev.Author
	}
	switch ch.Kind {
	case academy.ChangeImport:
		return s.locales.T(lang, "author.change.import")
	case academy.ChangeLessonAdded, academy.ChangeLessonUpdated:
		title := ch.Lesson
		if l, _ := course.Lesson(ch.Lesson); l != nil {
			title = l.Title
		}
		return s.locales.T(lang, "author.change."+ch.Kind, who, title)
	case academy.ChangeCreated, academy.ChangeMetadata, academy.ChangeRestored:
		return s.locales.T(lang, "author.change."+ch.Kind, who, ch.Number)
	}
	return rev.Message
}

// diffLine is one line of a rendered unified diff.
type diffLine struct {
	Kind string // add, del, ctx, hunk
	Text string
}

// lessonDiff is the change to one lesson between two revisions.
type lessonDiff struct {
	Slug, Title string
	Lines       []diffLine
}

func lessonText(l *academy.Lesson) string {
	if l == nil {
		return ""
	}
	return fmt.Sprintf("# %s\n(%d 分钟)\n%s\n\n%s", l.Title, l.Minutes, strings.Join(l.Objectives, "\n"), l.Body)
}

// diffCourses lists the lessons that differ between two snapshots.
func diffCourses(from, to *academy.Course) ([]lessonDiff, error) {
	var slugs []string
	for _, c := range []*academy.Course{from, to} {
		for _, l := range c.Lessons {
			if !slices.Contains(slugs, l.Slug) {
				slugs = append(slugs, l.Slug)
			}
		}
	}
	var out []lessonDiff
	for _, slug := range slugs {
		a, _ := from.Lesson(slug)
		b, _ := to.Lesson(slug)
		ta, tb := lessonText(a), lessonText(b)
		if ta == tb {
			continue
		}
		text, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
			A: difflib.SplitLines(ta), B: difflib.SplitLines(tb), Context: 2,
		})
		if err != nil {
			return nil, err
		}
		d := lessonDiff{Slug: slug}
		if b != nil {
			d.Title = b.Title
		} else {
			d.Title = a.Title
		}
		for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
			kind := "ctx"
			switch {
			case strings.HasPrefix(line, "@@"):
				kind = "hunk"
			case strings.HasPrefix(line, "+"):
				kind = "add"
			case strings.HasPrefix(line, "-"):
				kind = "del"
			}
			d.Lines = append(d.Lines, diffLine{kind, line})
		}
		out = append(out, d)
	}
	return out, nil
}

func (s *Server) authorRevision(c *fiber.Ctx) error {
	ctx := c.UserContext()
	course, err := s.Library.Courses.FindCourse(ctx, c.Params("slug"))
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(c.Params("n"))
	if err != nil {
		return academy.Errorf(academy.EINVALID, "revision: %q 不是数字 / %q is not a number", c.Params("n"), c.Params("n"))
	}
	rev, err := s.Library.Courses.FindRevision(ctx, course.Slug, n)
	if err != nil {
		return err
	}
	prev := &academy.Course{}
	if n > 1 {
		p, err := s.Library.Courses.FindRevision(ctx, course.Slug, n-1)
		if err != nil && academy.ErrorCode(err) != academy.ENOTFOUND {
			return err
		}
		if p != nil {
			prev = &p.Snapshot
		}
	}
	diffs, err := diffCourses(prev, &rev.Snapshot)
	if err != nil {
		return err
	}
	metaChanged := prev.Title != rev.Snapshot.Title || prev.Summary != rev.Snapshot.Summary || prev.Minutes != rev.Snapshot.Minutes ||
		strings.Join(prev.Prerequisites, ",") != strings.Join(rev.Snapshot.Prerequisites, ",")
	pg := s.newPage(c, "author.title")
	names := map[string]string{}
	if err := s.addPeople(ctx, names, rev.Author); err != nil {
		return err
	}
	pg.Data = map[string]any{"Course": course, "Revision": revisionRow{rev, names[rev.Author], s.revisionText(pg.Lang, course, rev, names)},
		"Diffs": diffs, "MetaChanged": metaChanged && n > 1}
	return s.render(c, "author_revision", pg)
}

func (s *Server) authorRestore(c *fiber.Ctx) error {
	base, err := formRevision(c)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(c.Params("n"))
	if err != nil {
		return academy.Errorf(academy.EINVALID, "revision: %q 不是数字 / %q is not a number", c.Params("n"), c.Params("n"))
	}
	if _, err := s.Library.RestoreRevision(c.UserContext(), c.Params("slug"), base, n, currentUser(c).ID); err != nil {
		return err
	}
	if err := s.refreshed(c); err != nil {
		return err
	}
	return redirectFlash(c, "/author/courses/"+c.Params("slug")+"/revisions", "revision_restored")
}

func (s *Server) authorExport(c *fiber.Ctx) error {
	course, err := s.Library.Courses.FindCourse(c.UserContext(), c.Params("slug"))
	if err != nil {
		return err
	}
	files, err := content.CourseFiles(course)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, err := zw.Create(course.Slug + "/" + n)
		if err != nil {
			return err
		}
		if _, err := w.Write(files[n]); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/zip")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s-r%d.zip"`, course.Slug, course.Revision))
	return c.Send(buf.Bytes())
}

// API.

func (s *Server) apiPreview(c *fiber.Ctx) error {
	var req struct {
		Markdown string `json:"markdown"`
		Course   string `json:"course"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if len(req.Markdown) > 512<<10 {
		return academy.Errorf(academy.EINVALID, "markdown: 超过 512 KiB / longer than 512 KiB")
	}
	opts := markdown.Options{}
	if req.Course != "" {
		if !academy.ValidSlug(req.Course) {
			return academy.Errorf(academy.EINVALID, "course: %q 不是课程标识 / %q is not a course slug", req.Course, req.Course)
		}
		opts.Base = "/courses/" + req.Course
	}
	doc, err := s.Markdown.Render([]byte(req.Markdown), opts)
	if err != nil {
		return err
	}
	toc := []apiTOCEntry{}
	for _, h := range doc.TOC {
		toc = append(toc, apiTOCEntry{h.Level, h.ID, h.Text})
	}
	return c.JSON(fiber.Map{"html": doc.HTML, "toc": toc})
}

type lessonEdit struct {
	Title      string   `json:"title"`
	Minutes    int      `json:"minutes"`
	Objectives []string `json:"objectives"`
	Body       string   `json:"body"`
	Revision   int      `json:"revision"`
	Draft      bool     `json:"draft"`
}

func (s *Server) apiPutLesson(c *fiber.Ctx) error {
	var req lessonEdit
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	l := academy.Lesson{Slug: c.Params("lesson"), Title: req.Title, Minutes: req.Minutes, Objectives: req.Objectives, Body: req.Body}
	author := currentUser(c).ID
	if req.Draft {
		d, err := s.Library.SaveDraft(c.UserContext(), c.Params("slug"), req.Revision, l, author)
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"draft": true, "base_revision": d.BaseRevision})
	}
	course, err := s.Library.PublishLesson(c.UserContext(), c.Params("slug"), req.Revision, l, author)
	if err != nil {
		return err
	}
	if err := s.refreshed(c); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"draft": false, "revision": course.Revision})
}
