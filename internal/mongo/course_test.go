package mongo_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/mongo"
	"github.com/academy/academy/internal/mongo/mongotest"
)

func course(slug string, prereq ...string) *academy.Course {
	return &academy.Course{Slug: slug, Title: "课程" + slug, Summary: "s", Audience: "新人", Minutes: 30, Order: 1, Prerequisites: prereq,
		Lessons: []academy.Lesson{
			{Slug: "one", Title: "第一课", Minutes: 10, Objectives: []string{"o"}, Body: "正文一"},
			{Slug: "two", Title: "第二课", Minutes: 20, Objectives: []string{"o"}, Body: "正文二"},
		},
		Assets: []academy.Asset{{Name: "a.svg", ContentType: "image/svg+xml", Data: []byte("<svg/>")}},
	}
}

func newLibrary(db *mongo.DB) *academy.Library {
	return &academy.Library{Courses: mongo.NewCourseService(db), Now: time.Now}
}

func TestImportIsIdempotentAndArchives(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	lib := newLibrary(db)
	rep, err := lib.Import(ctx, []*academy.Course{course("alpha"), course("beta", "alpha")}, "ci", false)
	if err != nil || len(rep.Created) != 2 {
		t.Fatalf("first import: %v %v", rep, err)
	}
	v1, _ := lib.Courses.ContentVersion(ctx)
	rep, err = lib.Import(ctx, []*academy.Course{course("alpha"), course("beta", "alpha")}, "ci", false)
	if err != nil || rep.Changed() || len(rep.Unchanged) != 2 {
		t.Fatalf("second import changed something: %v %v", rep, err)
	}
	if v2, _ := lib.Courses.ContentVersion(ctx); v2 != v1 {
		t.Fatal("an import without changes bumped the content version")
	}
	changed := course("alpha")
	changed.Lessons[0].Body = "新的正文"
	rep, _ = lib.Import(ctx, []*academy.Course{changed}, "ci", false)
	if strings.Join(rep.Updated, ",") != "alpha" || strings.Join(rep.Archived, ",") != "beta" {
		t.Fatalf("update/archive: %v", rep)
	}
	a, _ := lib.Courses.FindCourse(ctx, "alpha")
	b, _ := lib.Courses.FindCourse(ctx, "beta")
	if a.Revision != 2 || a.Lessons[0].Body != "新的正文" || b.Status != academy.CourseArchived {
		t.Fatalf("after import: alpha r%d, beta %s", a.Revision, b.Status)
	}
	if string(a.Asset("a.svg").Data) != "<svg/>" {
		t.Fatal("asset lost")
	}
	revs, _ := lib.Courses.ListRevisions(ctx, "alpha")
	if len(revs) != 2 || revs[0].Number != 2 || revs[0].Source != academy.SourceImport {
		t.Fatalf("revisions: %+v", revs)
	}
	// A course coming back from the archive is active again.
	rep, _ = lib.Import(ctx, []*academy.Course{changed, course("beta", "alpha")}, "ci", false)
	b, _ = lib.Courses.FindCourse(ctx, "beta")
	if b.Status != academy.CourseActive || len(rep.Updated) != 1 {
		t.Fatalf("unarchive: %v, %s", rep, b.Status)
	}
}

func TestWebEditsAreNotOverwrittenByImport(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	lib := newLibrary(db)
	if _, err := lib.Import(ctx, []*academy.Course{course("alpha")}, "ci", false); err != nil {
		t.Fatal(err)
	}
	l := academy.Lesson{Slug: "one", Title: "第一课", Minutes: 10, Objectives: []string{"o"}, Body: "网页上改过的正文"}
	c, err := lib.PublishLesson(ctx, "alpha", 1, l, "trainer")
	if err != nil || c.Revision != 2 {
		t.Fatalf("publish: %v", err)
	}
	// The files did not change: nothing to do, the web edit stays.
	rep, _ := lib.Import(ctx, []*academy.Course{course("alpha")}, "ci", false)
	if rep.Changed() {
		t.Fatalf("import over a web edit with unchanged files: %v", rep)
	}
	// The files changed too: skipped with a note, unless forced.
	f := course("alpha")
	f.Title = "新标题"
	rep, _ = lib.Import(ctx, []*academy.Course{f}, "ci", false)
	if len(rep.Skipped) != 1 || !strings.Contains(rep.Notes[0], "export") {
		t.Fatalf("conflicting import: %v", rep)
	}
	got, _ := lib.Courses.FindCourse(ctx, "alpha")
	if got.Lessons[0].Body != "网页上改过的正文" {
		t.Fatal("web edit overwritten")
	}
	// Exported web content committed to the files: same content, no change
	// to the text, and the course is in step with its files again.
	rep, _ = lib.Import(ctx, []*academy.Course{got}, "ci", false)
	if len(rep.Skipped) != 0 {
		t.Fatalf("import of exported content: %v", rep)
	}
	if rep, _ := lib.Import(ctx, []*academy.Course{f}, "ci", true); len(rep.Updated) != 1 {
		t.Fatalf("forced import: %v", rep)
	}
}

func TestPublishConflictsAndRestore(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	lib := newLibrary(db)
	if _, err := lib.Import(ctx, []*academy.Course{course("alpha")}, "ci", false); err != nil {
		t.Fatal(err)
	}
	l := academy.Lesson{Slug: "one", Title: "第一课", Minutes: 10, Objectives: []string{"o"}, Body: "甲的修改"}
	if _, err := lib.PublishLesson(ctx, "alpha", 1, l, "a"); err != nil {
		t.Fatal(err)
	}
	l.Body = "乙基于旧版本的修改"
	_, err := lib.PublishLesson(ctx, "alpha", 1, l, "b")
	if academy.ErrorCode(err) != academy.ECONFLICT || !strings.Contains(academy.ErrorMessage(err), "revision 2") {
		t.Fatalf("stale publish: %v", err)
	}
	// Racing publishers on the same base: exactly one wins.
	var wg sync.WaitGroup
	wins := make(chan int, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			ll := l
			ll.Body = strings.Repeat("并发", i+1)
			if _, err := lib.PublishLesson(ctx, "alpha", 2, ll, "racer"); err == nil {
				wins <- i
			} else if academy.ErrorCode(err) != academy.ECONFLICT {
				t.Errorf("racer %d: %v", i, err)
			}
		}(i)
	}
	wg.Wait()
	close(wins)
	if n := len(wins); n != 1 {
		t.Fatalf("%d racers won, want 1", n)
	}
	c, _ := lib.Courses.FindCourse(ctx, "alpha")
	revs, _ := lib.Courses.ListRevisions(ctx, "alpha")
	if c.Revision != 3 || len(revs) != 3 {
		t.Fatalf("after race: course r%d, %d revisions", c.Revision, len(revs))
	}
	// Restore revision 1 as revision 4.
	c, err = lib.RestoreRevision(ctx, "alpha", 3, 1, "trainer")
	if err != nil || c.Revision != 4 || c.Lessons[0].Body != "正文一" {
		t.Fatalf("restore: %v %+v", err, c)
	}
	if _, err := lib.RestoreRevision(ctx, "alpha", 4, 99, "trainer"); academy.ErrorCode(err) != academy.ENOTFOUND {
		t.Fatalf("restore of a missing revision: %v", err)
	}
	// A new lesson is appended; an invalid one is refused with the field.
	nl := academy.Lesson{Slug: "three", Title: "第三课", Minutes: 5, Objectives: []string{"o"}, Body: "三"}
	if c, err = lib.PublishLesson(ctx, "alpha", 4, nl, "t"); err != nil || len(c.Lessons) != 3 {
		t.Fatalf("add lesson: %v", err)
	}
	nl.Body = "  "
	if _, err := lib.PublishLesson(ctx, "alpha", 5, nl, "t"); academy.ErrorCode(err) != academy.EINVALID || !strings.HasPrefix(academy.ErrorMessage(err), "body") {
		t.Fatalf("empty lesson: %v", err)
	}
}

func TestDraftsAndMeta(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	lib := newLibrary(db)
	c, err := lib.CreateCourse(ctx, academy.CourseMeta{Slug: "new-one", Title: "新课", Summary: "s", Audience: "a", Minutes: 10, Order: 9}, "t")
	if err != nil || c.Revision != 1 || len(c.Lessons) != 1 {
		t.Fatalf("create: %v", err)
	}
	if _, err := lib.CreateCourse(ctx, academy.CourseMeta{Slug: "new-one", Title: "x", Summary: "s", Audience: "a", Minutes: 10}, "t"); academy.ErrorCode(err) != academy.ECONFLICT {
		t.Fatalf("duplicate: %v", err)
	}
	if _, err := lib.CreateCourse(ctx, academy.CourseMeta{Slug: "other", Title: "x", Summary: "s", Audience: "a", Minutes: 10, Prerequisites: []string{"ghost"}}, "t"); academy.ErrorCode(err) != academy.EINVALID {
		t.Fatalf("unknown prerequisite: %v", err)
	}
	if _, err := lib.UpdateCourseMeta(ctx, "new-one", 1, academy.CourseMeta{Title: "改名", Summary: "s", Audience: "a", Minutes: 10, Prerequisites: []string{"new-one"}}, "t"); academy.ErrorCode(err) != academy.EINVALID {
		t.Fatalf("self prerequisite: %v", err)
	}
	l := academy.Lesson{Slug: "introduction", Title: "介绍", Minutes: 5, Objectives: []string{"o"}, Body: "草稿正文"}
	if _, err := lib.SaveDraft(ctx, "new-one", 1, l, "t"); err != nil {
		t.Fatal(err)
	}
	d, err := lib.Courses.FindDraft(ctx, "new-one", "introduction")
	if err != nil || d.Lesson.Body != "草稿正文" || d.BaseRevision != 1 {
		t.Fatalf("draft: %+v %v", d, err)
	}
	got, _ := lib.Courses.FindCourse(ctx, "new-one")
	if got.Lessons[0].Body == "草稿正文" {
		t.Fatal("a draft changed the published course")
	}
	if _, err := lib.PublishLesson(ctx, "new-one", 1, d.Lesson, "t"); err != nil {
		t.Fatal(err)
	}
	if _, err := lib.Courses.FindDraft(ctx, "new-one", "introduction"); academy.ErrorCode(err) != academy.ENOTFOUND {
		t.Fatal("draft survived publishing")
	}
}

func TestProgressAndAssignments(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	ps := mongo.NewProgressService(db)
	t0 := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	p, err := ps.FindProgress(ctx, "nobody")
	if err != nil || len(p.Courses) != 0 {
		t.Fatalf("empty progress: %v", err)
	}
	if _, err := ps.CompleteLesson(ctx, "Wang", "ethics", "privacy", t0); err != nil {
		t.Fatal(err)
	}
	p, _ = ps.CompleteLesson(ctx, "wang", "ethics", "privacy", t0.Add(time.Hour))
	if got := p.Course("ethics").Completed["privacy"]; !got.Equal(t0) {
		t.Fatalf("second completion moved the time to %v", got)
	}
	if err := ps.SavePosition(ctx, "wang", "ethics", "role", 0.4); err != nil {
		t.Fatal(err)
	}
	if err := ps.SetCourseCompleted(ctx, "wang", "ethics", t0); err != nil {
		t.Fatal(err)
	}
	p, _ = ps.FindProgress(ctx, "WANG")
	cp := p.Course("ethics")
	if cp.Position["role"] != 0.4 || cp.Last != "role" || !cp.CompletedAt.Equal(t0) || !cp.Done("privacy") {
		t.Fatalf("progress: %+v", cp)
	}
	if _, err := ps.CompleteLesson(ctx, "wang", "ethics", "a.b", t0); academy.ErrorCode(err) != academy.EINVALID {
		t.Fatalf("dotted slug reached the update path: %v", err)
	}
	list, _ := ps.ListProgress(ctx, []string{"wang", "ghost"})
	if len(list) != 1 {
		t.Fatalf("list progress: %d", len(list))
	}

	as := mongo.NewAssignmentService(db)
	a := &academy.Assignment{Kind: academy.AssignQuiz, Ref: "ethics", Target: academy.AssignTarget{Role: "trainee", Site: "s1"},
		Due: academy.AssignDue{DaysAfterHire: 30}, RecurMonths: 12, CreatedBy: "m", CreatedAt: t0}
	if err := as.CreateAssignment(ctx, a); err != nil || a.ID == "" {
		t.Fatal(err)
	}
	// A document of the first version, which assigned courses by a due
	// instant, reads as a course assignment due that day.
	if _, err := raw(t, db).Collection("assignments").InsertOne(ctx, bson.M{"_id": "old", "course": "law", "users": bson.A{"wang"},
		"due": t0.Add(48 * time.Hour), "created_by": "m", "created_at": t0.Add(time.Second)}); err != nil {
		t.Fatal(err)
	}
	all, _ := as.ListAssignments(ctx)
	if len(all) != 2 || all[0].Target.Role != "trainee" || all[0].Kind != academy.AssignQuiz || all[0].Due.DaysAfterHire != 30 || all[0].RecurMonths != 12 {
		t.Fatalf("assignments: %+v", all)
	}
	if old := all[1]; old.Kind != academy.AssignCourse || old.Ref != "law" || old.Target.People[0] != "wang" || old.Due.Date != academy.DateOf(t0.Add(48*time.Hour), time.Local) {
		t.Fatalf("first-version assignment: %+v", old)
	}
	if err := as.DeleteAssignment(ctx, "old"); err != nil {
		t.Fatal(err)
	}
	if err := as.DeleteAssignment(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := as.DeleteAssignment(ctx, a.ID); academy.ErrorCode(err) != academy.ENOTFOUND {
		t.Fatal(err)
	}
}
