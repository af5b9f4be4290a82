package academy

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Library is the content logic: importing courses from files, publishing
// web edits with optimistic concurrency, history and restore.
type Library struct {
	Courses CourseService
	Quizzes QuizService
	Now     func() time.Time
}

// ImportReport says what an import did (or would do) per course.
type ImportReport struct {
	Created, Updated, Unchanged, Archived, Skipped []string
	// Notes explain skipped courses.
	Notes []string
}

// Changed reports whether the import wrote anything.
func (r *ImportReport) Changed() bool {
	return len(r.Created)+len(r.Updated)+len(r.Archived) > 0
}

func (r *ImportReport) String() string {
	s := fmt.Sprintf("created %d, updated %d, unchanged %d, archived %d", len(r.Created), len(r.Updated), len(r.Unchanged), len(r.Archived))
	if len(r.Skipped) > 0 {
		s += fmt.Sprintf(", skipped %d", len(r.Skipped))
	}
	return s
}

// Import brings the stored courses in line with courses read from files.
// The caller has validated them (content lint), so a broken file never
// reaches here. A course edited in the web since its last import is not
// overwritten unless force is set: the web edit would be lost, so it is
// skipped with a note to export it first. Courses absent from the files are
// archived, never deleted.
func (l *Library) Import(ctx context.Context, files []*Course, actor string, force bool) (*ImportReport, error) {
	stored, err := l.Courses.ListCourses(ctx)
	if err != nil {
		return nil, err
	}
	byslug := map[string]*Course{}
	for _, c := range stored {
		byslug[c.Slug] = c
	}
	rep := &ImportReport{}
	now := l.Now()
	for _, f := range files {
		f.Hash = f.ContentHash()
		old := byslug[f.Slug]
		switch {
		case old == nil:
			f.Revision = 1
		case old.SourceHash == f.Hash && old.Status == CourseActive:
			rep.Unchanged = append(rep.Unchanged, f.Slug)
			continue
		case old.Hash == f.Hash:
			// Same content as stored (e.g. exported web edits now committed,
			// or a course coming back from the archive): record the new
			// source without a content revision unless it was archived.
			if old.Status == CourseActive {
				f.Revision = old.Revision
			} else {
				f.Revision = old.Revision + 1
			}
		case old.Hash != old.SourceHash && !force:
			rep.Skipped = append(rep.Skipped, f.Slug)
			rep.Notes = append(rep.Notes, fmt.Sprintf("%s: edited in the web since the last import (revision %d); export it and commit the files, or import with --force to overwrite", f.Slug, old.Revision))
			continue
		default:
			f.Revision = old.Revision + 1
		}
		f.Status, f.SourceHash, f.UpdatedAt, f.UpdatedBy = CourseActive, f.Hash, now, actor
		var rev *Revision
		if old == nil || f.Revision != old.Revision {
			rev = &Revision{Course: f.Slug, Number: f.Revision, Source: SourceImport, Author: actor, Message: ChangeImport, CreatedAt: now}
		}
		prev := 0
		if old != nil {
			prev = old.Revision
		}
		if err := l.Courses.SaveCourse(ctx, f, prev, rev); err != nil {
			return rep, fmt.Errorf("import %s: %w", f.Slug, err)
		}
		if old == nil {
			rep.Created = append(rep.Created, f.Slug)
		} else {
			rep.Updated = append(rep.Updated, f.Slug)
		}
	}
	inFiles, status := map[string]bool{}, map[string]string{}
	for _, f := range files {
		inFiles[f.Slug] = true
	}
	for _, c := range stored {
		status[c.Slug] = c.Status
	}
	return l.finishImport(ctx, rep, inFiles, status, l.Courses.SetCourseStatus)
}

// finishImport archives the stored documents whose file is gone (stored
// maps slug to status) and, if the import changed anything, moves the
// content version so that every instance reloads.
func (l *Library) finishImport(ctx context.Context, rep *ImportReport, inFiles map[string]bool, stored map[string]string, setStatus func(ctx context.Context, slug, status string) error) (*ImportReport, error) {
	gone := []string{}
	for slug, status := range stored {
		if !inFiles[slug] && status == CourseActive {
			gone = append(gone, slug)
		}
	}
	slices.Sort(gone)
	for _, slug := range gone {
		if err := setStatus(ctx, slug, CourseArchived); err != nil {
			return rep, err
		}
		rep.Archived = append(rep.Archived, slug)
	}
	if rep.Changed() {
		if _, err := l.Courses.BumpContentVersion(ctx); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// conflict is the message for a stale write.
func conflict(c *Course, base int) error {
	return Errorf(ECONFLICT, "课程《%s》已更新到第 %d 版(您编辑的是第 %d 版),请刷新后再保存 / The course is now at revision %d (you edited %d); reload and apply your change again.",
		c.Title, c.Revision, base, c.Revision, base)
}

// save writes c as the next revision after base, with a history entry.
func (l *Library) save(ctx context.Context, c *Course, base int, author, message string) (*Course, error) {
	c.Revision = base + 1
	c.Hash = c.ContentHash()
	c.UpdatedAt, c.UpdatedBy = l.Now(), author
	rev := &Revision{Course: c.Slug, Number: c.Revision, Source: SourceWeb, Author: author, Message: message, CreatedAt: c.UpdatedAt}
	if err := l.Courses.SaveCourse(ctx, c, base, rev); err != nil {
		if ErrorCode(err) == ECONFLICT {
			cur, ferr := l.Courses.FindCourse(ctx, c.Slug)
			if ferr != nil {
				return nil, ferr
			}
			return nil, conflict(cur, base)
		}
		return nil, err
	}
	if _, err := l.Courses.BumpContentVersion(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// CourseMeta is the editable metadata of a course.
type CourseMeta struct {
	Slug, Title, Summary, Audience string
	Minutes, Order                 int
	Prerequisites, Tags            []string
}

// CreateCourse starts a new course in the web, with one placeholder lesson
// so that it is never empty.
func (l *Library) CreateCourse(ctx context.Context, m CourseMeta, author string) (*Course, error) {
	c := &Course{Slug: strings.TrimSpace(m.Slug), Status: CourseActive}
	m.apply(c)
	c.Lessons = []Lesson{{Slug: "introduction", Title: "课程介绍", Minutes: 5, Objectives: []string{"了解本课程的内容和安排"}, Body: "本课程的介绍，请在这里编写。\n"}}
	if err := l.validateWithCatalog(ctx, c); err != nil {
		return nil, err
	}
	if old, err := l.Courses.FindCourse(ctx, c.Slug); err == nil {
		return nil, Errorf(ECONFLICT, "slug: 课程 %q 已存在（%s） / course %q exists (%s)", c.Slug, old.Title, c.Slug, old.Title)
	} else if ErrorCode(err) != ENOTFOUND {
		return nil, err
	}
	return l.save(ctx, c, 0, author, ChangeCreated)
}

func (m CourseMeta) apply(c *Course) {
	c.Title, c.Summary, c.Audience = strings.TrimSpace(m.Title), strings.TrimSpace(m.Summary), strings.TrimSpace(m.Audience)
	c.Minutes, c.Order = m.Minutes, m.Order
	c.Prerequisites, c.Tags = cleanList(m.Prerequisites), cleanList(m.Tags)
}

// validateWithCatalog checks c alone and its prerequisites against the
// stored courses.
func (l *Library) validateWithCatalog(ctx context.Context, c *Course) error {
	if err := c.Validate(); err != nil {
		return err
	}
	all, err := l.Courses.ListCourses(ctx)
	if err != nil {
		return err
	}
	all = slices.DeleteFunc(all, func(o *Course) bool { return o.Slug == c.Slug })
	if errs := CheckPrerequisites(append(all, c)); errs[c.Slug] != nil {
		return errs[c.Slug]
	}
	return nil
}

// UpdateCourseMeta changes a course's metadata if it is still at base.
func (l *Library) UpdateCourseMeta(ctx context.Context, slug string, base int, m CourseMeta, author string) (*Course, error) {
	c, err := l.Courses.FindCourse(ctx, slug)
	if err != nil {
		return nil, err
	}
	if c.Revision != base {
		return nil, conflict(c, base)
	}
	m.apply(c)
	if err := l.validateWithCatalog(ctx, c); err != nil {
		return nil, err
	}
	return l.save(ctx, c, base, author, ChangeMetadata)
}

// SaveDraft stores an edit of a lesson without publishing it. A lesson slug
// not yet in the course makes a new lesson when published.
func (l *Library) SaveDraft(ctx context.Context, course string, base int, lesson Lesson, author string) (*Draft, error) {
	c, err := l.Courses.FindCourse(ctx, course)
	if err != nil {
		return nil, err
	}
	if err := lesson.Validate(); err != nil {
		return nil, err
	}
	if base > c.Revision || base < 1 {
		return nil, Errorf(EINVALID, "revision: %d 不是本课程的版本 / %d is not a revision of this course", base, base)
	}
	d := &Draft{ID: DraftID(course, lesson.Slug), Course: course, Lesson: lesson, BaseRevision: base, Author: author, SavedAt: l.Now()}
	if err := l.Courses.SaveDraft(ctx, d); err != nil {
		return nil, err
	}
	return d, nil
}

// PublishLesson makes lesson part of the course as a new revision, if
// that lesson is as it was at base: saving over someone else's newer
// version of it is a conflict, never a silent overwrite, while another
// lesson published meanwhile is none (two trainers writing two lessons
// of one course both get their saves). A draft of the lesson is
// discarded.
func (l *Library) PublishLesson(ctx context.Context, course string, base int, lesson Lesson, author string) (*Course, error) {
	c, err := l.Courses.FindCourse(ctx, course)
	if err != nil {
		return nil, err
	}
	if c.Revision != base {
		if err := l.lessonUnchanged(ctx, c, base, lesson.Slug); err != nil {
			return nil, err
		}
		base = c.Revision
	}
	if err := lesson.Validate(); err != nil {
		return nil, err
	}
	verb := "updated"
	if old, i := c.Lesson(lesson.Slug); old != nil {
		c.Lessons[i] = lesson
	} else {
		c.Lessons = append(c.Lessons, lesson)
		verb = "added"
	}
	c, err = l.save(ctx, c, base, author, fmt.Sprintf("lesson %s %s", lesson.Slug, verb))
	if err != nil {
		return nil, err
	}
	if err := l.Courses.DeleteDraft(ctx, course, lesson.Slug); err != nil && ErrorCode(err) != ENOTFOUND {
		return nil, err
	}
	return c, nil
}

// lessonUnchanged is nil if lesson slug of c is the same as at revision
// base (or absent from both), and a conflict naming the lesson otherwise.
func (l *Library) lessonUnchanged(ctx context.Context, c *Course, base int, slug string) error {
	if base < 1 || base > c.Revision {
		return conflict(c, base)
	}
	rev, err := l.Courses.FindRevision(ctx, c.Slug, base)
	if ErrorCode(err) == ENOTFOUND {
		return conflict(c, base)
	} else if err != nil {
		return err
	}
	was, _ := rev.Snapshot.Lesson(slug)
	now, _ := c.Lesson(slug)
	if was == nil && now == nil || was != nil && now != nil && was.Same(now) {
		return nil
	}
	title := slug
	if now != nil {
		title = now.Title
	}
	return Errorf(ECONFLICT, "课时《%s》在您打开后已被修改,课程现为第 %d 版(您编辑的是第 %d 版);下面是现在的版本,您的修改附在后面,请合并后再保存 / Lesson %q was changed after you opened it: the course is now at revision %d (you edited %d). The form now shows the current version with your text below it; merge and save again.",
		title, c.Revision, base, title, c.Revision, base)
}

// RestoreRevision makes an old revision's content current again, as a new
// revision (history is never rewritten).
func (l *Library) RestoreRevision(ctx context.Context, course string, base, number int, author string) (*Course, error) {
	c, err := l.Courses.FindCourse(ctx, course)
	if err != nil {
		return nil, err
	}
	if c.Revision != base {
		return nil, conflict(c, base)
	}
	rev, err := l.Courses.FindRevision(ctx, course, number)
	if err != nil {
		return nil, err
	}
	restored := rev.Snapshot
	restored.Status, restored.SourceHash = c.Status, c.SourceHash
	return l.save(ctx, &restored, base, author, fmt.Sprintf("restored revision %d", number))
}
