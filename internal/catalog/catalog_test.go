package catalog_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/catalog"
	"github.com/academy/academy/internal/markdown"
	"github.com/academy/academy/internal/mongo"
	"github.com/academy/academy/internal/mongo/mongotest"
)

func TestMain(m *testing.M) { os.Exit(mongotest.Main(m)) }

func course(slug, body string) *academy.Course {
	return &academy.Course{Slug: slug, Title: "课程" + slug, Summary: "s", Audience: "a", Minutes: 10, Order: 1,
		Lessons: []academy.Lesson{
			{Slug: "first", Title: "第一课", Minutes: 5, Objectives: []string{"o"}, Body: "## 开始\n\n" + body + "\n\n见[下一课](02-second.md)。"},
			{Slug: "second", Title: "第二课", Minutes: 5, Objectives: []string{"o"}, Body: "业主来电报修漏水。"},
		}}
}

func TestRefreshFollowsTheContentVersion(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	lib := &academy.Library{Courses: mongo.NewCourseService(db), Now: time.Now}
	if _, err := lib.Import(ctx, []*academy.Course{course("alpha", "回访要在二十四小时内完成。")}, "t", false); err != nil {
		t.Fatal(err)
	}
	// Two catalogs stand for two instances behind a load balancer.
	a := catalog.New(lib.Courses, mongo.NewQuizService(db), mongo.NewScenarioService(db), mongo.NewProgramService(db), markdown.New(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	b := catalog.New(lib.Courses, mongo.NewQuizService(db), mongo.NewScenarioService(db), mongo.NewProgramService(db), markdown.New(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	for _, c := range []*catalog.Catalog{a, b} {
		if err := c.Refresh(ctx, false); err != nil {
			t.Fatal(err)
		}
	}
	c := a.Snapshot().Course("alpha")
	if c == nil || len(c.Lessons) != 2 || c.Lessons[0].Next != c.Lessons[1] || c.Lessons[1].Prev != c.Lessons[0] {
		t.Fatalf("snapshot: %+v", c)
	}
	if !strings.Contains(string(c.Lessons[0].HTML), `href="/courses/alpha/lessons/second"`) {
		t.Fatalf("lesson link not resolved: %s", c.Lessons[0].HTML)
	}
	hits := a.Snapshot().Search("二十四小时", 10)
	if len(hits) != 1 || hits[0].Lesson.Slug != "first" || !strings.Contains(hits[0].Snippet, "二十四小时") {
		t.Fatalf("search: %+v", hits)
	}
	if len(a.Snapshot().Search("", 10)) != 0 {
		t.Fatal("empty query matched")
	}

	// A publish on instance a reaches instance b at its next refresh.
	l := course("alpha", "")
	l.Lessons[0].Body = "## 新\n\n改过的正文。"
	if _, err := lib.PublishLesson(ctx, "alpha", 1, l.Lessons[0], "t"); err != nil {
		t.Fatal(err)
	}
	before := b.Snapshot()
	if err := b.Refresh(ctx, false); err != nil {
		t.Fatal(err)
	}
	after := b.Snapshot()
	if after == before || !strings.Contains(string(after.Course("alpha").Lessons[0].HTML), "改过的正文") {
		t.Fatal("instance b did not pick up the change")
	}
	// An unchanged version keeps the same snapshot: no reload work.
	if err := b.Refresh(ctx, false); err != nil {
		t.Fatal(err)
	}
	if b.Snapshot() != after {
		t.Fatal("refresh without a version change rebuilt the snapshot")
	}
	// Archived courses stay reachable by slug but leave the catalog.
	if _, err := lib.Import(ctx, nil, "t", false); err != nil {
		t.Fatal(err)
	}
	_ = b.Refresh(ctx, false)
	if len(b.Snapshot().Active) != 0 || b.Snapshot().Course("alpha") == nil {
		t.Fatal("archived course")
	}
}
