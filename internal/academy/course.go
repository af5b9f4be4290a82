package academy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Course statuses. A course removed from the content files is archived, not
// deleted, so that learners' progress and history stay.
const (
	CourseActive   = "active"
	CourseArchived = "archived"
)

// Revision sources.
const (
	SourceImport = "import"
	SourceWeb    = "web"
)

// Course is a training module: metadata and its ordered lessons. A course is
// one document (lessons are bounded and read together), keyed by its slug.
type Course struct {
	Slug          string    `json:"slug" bson:"_id"`
	Title         string    `json:"title" bson:"title"`
	Summary       string    `json:"summary" bson:"summary"`
	Audience      string    `json:"audience" bson:"audience"`
	Minutes       int       `json:"minutes" bson:"minutes"`
	Order         int       `json:"order" bson:"order"`
	Prerequisites []string  `json:"prerequisites" bson:"prerequisites"`
	Tags          []string  `json:"tags" bson:"tags"`
	Lessons       []Lesson  `json:"lessons" bson:"lessons"`
	Assets        []Asset   `json:"-" bson:"assets"`
	Status        string    `json:"status" bson:"status"`
	Revision      int       `json:"revision" bson:"revision"`
	Hash          string    `json:"-" bson:"hash"`        // ContentHash of the current content
	SourceHash    string    `json:"-" bson:"source_hash"` // ContentHash of the files at the last import
	UpdatedAt     time.Time `json:"updated_at" bson:"updated_at"`
	UpdatedBy     string    `json:"updated_by" bson:"updated_by"`
}

// Lesson is one Markdown page of a course.
type Lesson struct {
	Slug       string   `json:"slug" bson:"slug"`
	Title      string   `json:"title" bson:"title"`
	Minutes    int      `json:"minutes" bson:"minutes"`
	Objectives []string `json:"objectives" bson:"objectives"`
	Body       string   `json:"-" bson:"body"` // Markdown without front matter
}

// Same reports whether l and o have the same content.
func (l *Lesson) Same(o *Lesson) bool {
	return l.Slug == o.Slug && l.Title == o.Title && l.Minutes == o.Minutes && slices.Equal(l.Objectives, o.Objectives) && l.Body == o.Body
}

// Asset is an image or attachment that sits beside the lessons.
type Asset struct {
	Name        string `bson:"name"`
	ContentType string `bson:"content_type"`
	Data        []byte `bson:"data"`
}

// MaxAssetSize bounds one attachment: assets live inside the course document.
const MaxAssetSize = 2 << 20

// maxLessonBody bounds a lesson's Markdown, in bytes: lessons live inside
// the course document too.
const maxLessonBody = 512 << 10

// Lesson returns the lesson with slug and its index, or -1.
func (c *Course) Lesson(slug string) (*Lesson, int) {
	for i := range c.Lessons {
		if c.Lessons[i].Slug == slug {
			return &c.Lessons[i], i
		}
	}
	return nil, -1
}

// Asset returns the named asset or nil.
func (c *Course) Asset(name string) *Asset {
	for i := range c.Assets {
		if c.Assets[i].Name == name {
			return &c.Assets[i]
		}
	}
	return nil
}

// Validate checks the fields of a course that do not depend on other
// courses; each message starts with the field it is about.
func (c *Course) Validate() error {
	if !ValidSlug(c.Slug) {
		return Errorf(EINVALID, "slug: 标识 %q 须为 2–64 个小写字母、数字或“-” / %q must be 2–64 lowercase letters, digits or '-'", c.Slug, c.Slug)
	}
	if strings.TrimSpace(c.Title) == "" {
		return Errorf(EINVALID, "title: 请填写标题，最多 100 个字符 / required, at most 100 characters")
	}
	if strings.TrimSpace(c.Summary) == "" {
		return Errorf(EINVALID, "summary: 请填写简介 / required")
	}
	if strings.TrimSpace(c.Audience) == "" {
		return Errorf(EINVALID, "audience: 请填写适用对象 / required")
	}
	for _, f := range []struct {
		name, value string
		max         int
	}{{"title", c.Title, 100}, {"summary", c.Summary, 1000}, {"audience", c.Audience, 200}} {
		if err := CheckText(f.name, f.value, f.max, false); err != nil {
			return err
		}
	}
	if c.Minutes <= 0 || c.Minutes > 10000 {
		return Errorf(EINVALID, "minutes: 须为正的分钟数 / must be a positive number of minutes")
	}
	for _, p := range c.Prerequisites {
		if p == c.Slug {
			return Errorf(EINVALID, "prerequisites: 课程不能以自己为先修课程 / a course cannot require itself")
		}
	}
	seen := map[string]bool{}
	for i := range c.Lessons {
		l := &c.Lessons[i]
		if err := l.Validate(); err != nil {
			return err
		}
		if seen[l.Slug] {
			return Errorf(EINVALID, "lessons: 课时标识 %q 重复 / duplicate lesson slug %q", l.Slug, l.Slug)
		}
		seen[l.Slug] = true
	}
	return nil
}

// Validate checks a lesson's fields.
func (l *Lesson) Validate() error {
	if !ValidSlug(l.Slug) {
		return Errorf(EINVALID, "slug: 课时标识 %q 须为 2–64 个小写字母、数字或“-” / lesson slug %q must be 2–64 lowercase letters, digits or '-'", l.Slug, l.Slug)
	}
	if strings.TrimSpace(l.Title) == "" {
		return Errorf(EINVALID, "title: 请填写标题，最多 100 个字符 / required, at most 100 characters")
	}
	if err := CheckText("title", l.Title, 100, false); err != nil {
		return err
	}
	if l.Minutes <= 0 || l.Minutes > 600 {
		return Errorf(EINVALID, "minutes: 须为正的分钟数 / must be a positive number of minutes")
	}
	if len(l.Objectives) == 0 {
		return Errorf(EINVALID, "objectives: 至少写一条学习目标 / at least one learning objective")
	}
	for _, o := range l.Objectives {
		if strings.TrimSpace(o) == "" {
			return Errorf(EINVALID, "objectives: 有一条学习目标是空的 / an objective is empty")
		}
		if err := CheckText("objectives", o, 200, false); err != nil {
			return err
		}
	}
	if strings.TrimSpace(l.Body) == "" {
		return Errorf(EINVALID, "body: 课时没有正文 / the lesson has no text")
	}
	if len(l.Body) > maxLessonBody {
		return Errorf(EINVALID, "body: 正文超过 512 KiB，请拆分课时 / longer than 512 KiB; split the lesson")
	}
	// The byte bound above is the tighter one; the text check is for what
	// the body holds.
	if err := CheckText("body", l.Body, maxLessonBody, true); err != nil {
		return err
	}
	return nil
}

// ContentHash is a digest of what a course teaches — metadata, lessons and
// assets — and not of how its files are formatted, so that export followed
// by import is recognised as no change.
func (c *Course) ContentHash() string {
	type asset struct{ Name, Type, Sum string }
	v := struct {
		Title, Summary, Audience string
		Minutes, Order           int
		Prerequisites, Tags      []string
		Lessons                  []Lesson
		Assets                   []asset
	}{c.Title, c.Summary, c.Audience, c.Minutes, c.Order, c.Prerequisites, c.Tags, c.Lessons, nil}
	for _, a := range c.Assets {
		s := sha256.Sum256(a.Data)
		v.Assets = append(v.Assets, asset{a.Name, a.ContentType, hex.EncodeToString(s[:])})
	}
	b, _ := json.Marshal(v) // plain data: cannot fail
	lb, _ := json.Marshal(bodies(c.Lessons))
	sum := sha256.Sum256(append(b, lb...))
	return hex.EncodeToString(sum[:16])
}

// bodies is serialised separately because Lesson.Body is hidden from JSON.
func bodies(ls []Lesson) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.Body
	}
	return out
}

// CheckPrerequisites reports unknown and cyclic prerequisites across a set
// of courses, as one error per course slug.
func CheckPrerequisites(courses []*Course) map[string]error {
	bySlug := map[string]*Course{}
	for _, c := range courses {
		bySlug[c.Slug] = c
	}
	errs := map[string]error{}
	for _, c := range courses {
		for _, p := range c.Prerequisites {
			if bySlug[p] == nil {
				errs[c.Slug] = Errorf(EINVALID, "prerequisites: 没有课程 %q / unknown course %q", p, p)
			}
		}
	}
	// Depth-first search for cycles; a course on a cycle is reported once
	// with the cycle spelled out.
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	var stack []string
	var visit func(s string)
	visit = func(s string) {
		color[s] = grey
		stack = append(stack, s)
		for _, p := range bySlug[s].Prerequisites {
			if bySlug[p] == nil {
				continue
			}
			switch color[p] {
			case white:
				visit(p)
			case grey:
				i := slices.Index(stack, p)
				cycle := append(slices.Clone(stack[i:]), p)
				if errs[s] == nil {
					errs[s] = Errorf(EINVALID, "prerequisites: 先修课程形成循环：%s / cycle %s", strings.Join(cycle, " → "), strings.Join(cycle, " → "))
				}
			}
		}
		stack = stack[:len(stack)-1]
		color[s] = black
	}
	for _, c := range courses {
		if color[c.Slug] == white {
			visit(c.Slug)
		}
	}
	return errs
}

// RevisionChange is what a revision's Message records, read back so that
// a page can say it in words: Kind is one of the Change* values; Lesson
// names the lesson of ChangeLessonAdded/Updated, Number the revision that
// ChangeRestored brought back.
type RevisionChange struct {
	Kind   string
	Lesson string
	Number int
}

// Kinds of RevisionChange. ChangeOther is a message this code did not
// write (an older release's): pages show it as it is.
const (
	ChangeImport        = "import"
	ChangeCreated       = "created"
	ChangeMetadata      = "metadata"
	ChangeLessonAdded   = "lesson_added"
	ChangeLessonUpdated = "lesson_updated"
	ChangeRestored      = "restored"
	ChangeOther         = "other"
)

// Change reads the revision's Message, which Library writes as "import",
// "created", "metadata", "lesson <slug> added|updated" or "restored
// revision <n>".
func (r *Revision) Change() RevisionChange {
	switch r.Message {
	case ChangeImport, ChangeCreated, ChangeMetadata:
		return RevisionChange{Kind: r.Message}
	}
	if rest, ok := strings.CutPrefix(r.Message, "lesson "); ok {
		if slug, verb, _ := strings.Cut(rest, " "); verb == "added" || verb == "updated" {
			return RevisionChange{Kind: "lesson_" + verb, Lesson: slug}
		}
	}
	if n, err := strconv.Atoi(strings.TrimPrefix(r.Message, "restored revision ")); err == nil && strings.HasPrefix(r.Message, "restored revision ") {
		return RevisionChange{Kind: ChangeRestored, Number: n}
	}
	return RevisionChange{Kind: ChangeOther}
}

// Revision is a snapshot of a course after a change: the history that
// trainers browse, diff and restore.
type Revision struct {
	ID        string    `json:"id" bson:"_id"` // "<slug>@<n>"
	Course    string    `json:"course" bson:"course"`
	Number    int       `json:"number" bson:"number"`
	Source    string    `json:"source" bson:"source"` // import or web
	Author    string    `json:"author" bson:"author"`
	Message   string    `json:"message" bson:"message"`
	CreatedAt time.Time `json:"created_at" bson:"created_at"`
	Snapshot  Course    `json:"-" bson:"snapshot"`
}

// RevisionID is the storage key of revision n of a course.
func RevisionID(slug string, n int) string { return fmt.Sprintf("%s@%d", slug, n) }

// Draft is a lesson being edited in the web UI: saved, not yet published.
type Draft struct {
	ID           string    `json:"id" bson:"_id"` // "<course>/<lesson>"
	Course       string    `json:"course" bson:"course"`
	Lesson       Lesson    `json:"lesson" bson:"lesson"`
	BaseRevision int       `json:"base_revision" bson:"base_revision"`
	Author       string    `json:"author" bson:"author"`
	SavedAt      time.Time `json:"saved_at" bson:"saved_at"`
}

// DraftID is the storage key of the draft of a lesson.
func DraftID(course, lesson string) string { return course + "/" + lesson }

// CourseService stores courses, their revisions and drafts.
type CourseService interface {
	// FindCourse reads one course with lessons and assets.
	FindCourse(ctx context.Context, slug string) (*Course, error)
	// ListCourses reads every course, archived ones included.
	ListCourses(ctx context.Context) ([]*Course, error)
	// SaveCourse writes c if the stored course is at revision prev (0: no
	// course yet), and records rev (a snapshot of c) when it is not nil. A
	// course that moved on meanwhile is ECONFLICT and nothing is written.
	SaveCourse(ctx context.Context, c *Course, prev int, rev *Revision) error
	// SetCourseStatus archives or reactivates a course without a revision.
	SetCourseStatus(ctx context.Context, slug, status string) error
	ListRevisions(ctx context.Context, slug string) ([]*Revision, error)
	FindRevision(ctx context.Context, slug string, n int) (*Revision, error)
	SaveDraft(ctx context.Context, d *Draft) error
	FindDraft(ctx context.Context, course, lesson string) (*Draft, error)
	// ListDrafts returns the drafts of a course, or of every course
	// when course is "".
	ListDrafts(ctx context.Context, course string) ([]*Draft, error)
	DeleteDraft(ctx context.Context, course, lesson string) error
	// ContentVersion is a counter bumped by every content change, so that
	// every instance knows when to rebuild its in-memory catalog.
	ContentVersion(ctx context.Context) (int64, error)
	BumpContentVersion(ctx context.Context) (int64, error)
}
