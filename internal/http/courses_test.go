package http_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
)

type apiCourse struct {
	Slug     string
	Title    string
	Locked   bool
	LockedBy []string `json:"locked_by"`
	Done     int      `json:"lessons_done"`
	Total    int      `json:"lessons_total"`
	Complete bool
	Due      *time.Time
	Overdue  bool
	Revision int
	Lessons  []struct {
		Slug      string
		Completed bool
	}
}

func TestCourseCatalogAndPrerequisites(t *testing.T) {
	e := newEnv(t)
	var list struct{ Items []apiCourse }
	e.api("GET", "/api/v1/courses", "trainee", nil).json(t, &list)
	if len(list.Items) != 7 || list.Items[0].Slug != "ethics" {
		t.Fatalf("catalog: %+v", list.Items)
	}
	locked := map[string][]string{}
	for _, c := range list.Items {
		if c.Locked {
			locked[c.Slug] = c.LockedBy
		}
	}
	if strings.Join(locked["etiquette"], ",") != "ethics" || locked["ethics"] != nil {
		t.Fatalf("locks: %v", locked)
	}
	res := e.api("GET", "/api/v1/courses/etiquette/lessons/telephone", "trainee", nil)
	if res.StatusCode != 403 || !strings.Contains(res.Body, "Complete “职业道德与服务意识” first.") {
		t.Fatalf("locked lesson: %d %s", res.StatusCode, res.Body)
	}
	if res := e.api("POST", "/api/v1/courses/etiquette/lessons/telephone/complete", "trainee", nil); res.StatusCode != 403 {
		t.Fatalf("completing a locked lesson: %d", res.StatusCode)
	}

	var ethics apiCourse
	e.api("GET", "/api/v1/courses/ethics", "trainee", nil).json(t, &ethics)
	for i, l := range ethics.Lessons {
		res := e.api("POST", "/api/v1/courses/ethics/lessons/"+l.Slug+"/complete", "trainee", nil)
		var out struct {
			Done     int  `json:"lessons_done"`
			Complete bool `json:"course_complete"`
		}
		res.json(t, &out)
		if res.StatusCode != 200 || out.Done != i+1 || out.Complete != (i == len(ethics.Lessons)-1) {
			t.Fatalf("complete %s: %d %s", l.Slug, res.StatusCode, res.Body)
		}
	}
	// Completing again changes nothing.
	e.api("POST", "/api/v1/courses/ethics/lessons/"+ethics.Lessons[0].Slug+"/complete", "trainee", nil)
	var progress struct {
		Overall int `json:"overall_percent"`
		Courses []apiCourse
	}
	e.api("GET", "/api/v1/me/progress", "trainee", nil).json(t, &progress)
	if progress.Courses[0].Done != len(ethics.Lessons) || !progress.Courses[0].Complete || progress.Overall == 0 {
		t.Fatalf("progress: %+v", progress)
	}
	if progress.Courses[1].Locked {
		t.Fatal("etiquette still locked after ethics")
	}
	if res := e.api("GET", "/api/v1/courses/etiquette/lessons/telephone", "trainee", nil); res.StatusCode != 200 {
		t.Fatalf("unlocked lesson: %d", res.StatusCode)
	}
	// Another learner's progress is their own.
	var other apiCourse
	e.api("GET", "/api/v1/courses/ethics", "agent", nil).json(t, &other)
	if other.Done != 0 {
		t.Fatal("progress leaked between users")
	}
}

func TestLessonAPIAndBadInput(t *testing.T) {
	e := newEnv(t)
	res := e.api("GET", "/api/v1/courses/ethics/lessons/owner-privacy", "trainee", nil)
	var l struct {
		Title, HTML string
		TOC         []struct {
			Level    int
			ID, Text string
		}
		Prev, Next *struct{ Slug string }
		Completed  bool
		Position   float64
	}
	res.json(t, &l)
	if res.StatusCode != 200 || l.Title == "" || !strings.Contains(l.HTML, "<h2 id=") || len(l.TOC) == 0 || l.Prev == nil || l.Next == nil {
		t.Fatalf("lesson: %d %+v", res.StatusCode, l)
	}
	if !strings.Contains(l.HTML, `class="callout`) {
		t.Error("lesson has no rendered callout")
	}
	for _, c := range []struct {
		method, path, body string
		status             int
		msg                string
	}{
		{"GET", "/api/v1/courses/nope", "", 404, "nope"},
		{"GET", "/api/v1/courses/ethics/lessons/nope", "", 404, "nope"},
		{"POST", "/api/v1/courses/ethics/lessons/nope/complete", "", 404, "nope"},
		{"PUT", "/api/v1/courses/ethics/lessons/owner-privacy/position", `{"position":2}`, 400, "position"},
		{"PUT", "/api/v1/courses/ethics/lessons/owner-privacy/position", `{"position":"half"}`, 400, "position"},
		{"PUT", "/api/v1/courses/ethics/lessons/owner-privacy/position", `{}`, 400, "position"},
		{"PUT", "/api/v1/courses/ethics/lessons/owner-privacy/position", `{"position":0.5`, 400, "JSON"},
	} {
		var body any
		if c.body != "" {
			body = c.body
		}
		res := e.api(c.method, c.path, "trainee", body)
		if res.StatusCode != c.status || !strings.Contains(res.Body, c.msg) {
			t.Errorf("%s %s %s: %d %s", c.method, c.path, c.body, res.StatusCode, res.Body)
		}
	}
	if res := e.api("PUT", "/api/v1/courses/ethics/lessons/owner-privacy/position", "trainee", `{"position":0.42}`); res.StatusCode != 204 {
		t.Fatalf("position: %d %s", res.StatusCode, res.Body)
	}
	e.api("GET", "/api/v1/courses/ethics/lessons/owner-privacy", "trainee", nil).json(t, &l)
	if l.Position != 0.42 {
		t.Fatalf("position not kept: %v", l.Position)
	}
}

func TestWebLearningPages(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.loginAs("trainee")
	page := b.get("/courses")
	if page.StatusCode != 200 || !strings.Contains(page.Body, "职业道德与服务意识") || !strings.Contains(page.Body, "完成以下课程后解锁") {
		t.Fatalf("catalog page: %d", page.StatusCode)
	}
	locked := b.get("/courses/etiquette")
	if !strings.Contains(locked.Body, `id="locked"`) || !strings.Contains(locked.Body, "《职业道德与服务意识》") {
		t.Fatal("locked course page does not say what unlocks it")
	}
	if res := b.get("/courses/etiquette/lessons/telephone"); res.StatusCode != 403 || !strings.Contains(res.Body, "请先完成") {
		t.Fatalf("locked lesson page: %d", res.StatusCode)
	}
	lesson := b.get("/courses/ethics/lessons/role-of-the-desk")
	if lesson.StatusCode != 200 || !strings.Contains(lesson.Body, `id="mark-complete"`) || !strings.Contains(lesson.Body, `class="toc card"`) {
		t.Fatalf("lesson page: %d", lesson.StatusCode)
	}
	token := csrfRE.FindStringSubmatch(lesson.Body)[1]
	res := b.post("/courses/ethics/lessons/role-of-the-desk/complete", url.Values{"_csrf": {token}})
	if res.StatusCode != 303 {
		t.Fatalf("mark complete: %d", res.StatusCode)
	}
	if again := b.get(res.Header.Get("Location")); !strings.Contains(again.Body, `id="lesson-done"`) || !strings.Contains(again.Body, "本课已标记为完成") {
		t.Fatal("lesson not shown as done")
	}
	done := fmt.Sprintf("已完成 1/%d 课时", len(e.deps.Catalog.Courses()["ethics"].Lessons))
	if course := b.get("/courses/ethics"); !strings.Contains(course.Body, done) {
		t.Fatal("course page progress")
	}
	search := b.get("/courses?q=" + url.QueryEscape("红包"))
	if !strings.Contains(search.Body, `id="search-results"`) || !strings.Contains(search.Body, "/courses/ethics/lessons/") {
		t.Fatal("search did not find the lesson about gifts")
	}
	if none := b.get("/courses?q=" + url.QueryEscape("量子力学")); !strings.Contains(none.Body, "没有找到") {
		t.Fatal("empty search result")
	}
	asset := b.get("/courses/ethics/assets/flow.svg")
	if asset.StatusCode != 200 || asset.Header.Get("Content-Type") != "image/svg+xml" || !strings.Contains(asset.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Fatalf("asset: %d %s", asset.StatusCode, asset.Header.Get("Content-Type"))
	}
	if res := b.get("/courses/ethics/assets/../course.yaml"); res.StatusCode != 404 {
		t.Fatalf("asset path escape: %d", res.StatusCode)
	}
}

func TestAssignments(t *testing.T) {
	e := newEnv(t)
	due := time.Now().AddDate(0, 0, 7).Format("2006-01-02")
	res := e.api("POST", "/api/v1/assignments", "manager", map[string]any{"kind": "course", "ref": "ethics", "target": map[string]any{"role": "trainee", "site": "s1"}, "due": map[string]any{"date": due}})
	if res.StatusCode != 201 {
		t.Fatalf("assign: %d %s", res.StatusCode, res.Body)
	}
	past := time.Now().AddDate(0, 0, -1).Format("2006-01-02")
	if res := e.api("POST", "/api/v1/assignments", "trainer", map[string]any{"kind": "course", "ref": "law", "target": map[string]any{"people": []string{"trainee"}}, "due": map[string]any{"date": past}}); res.StatusCode != 201 {
		t.Fatalf("assign to user: %d %s", res.StatusCode, res.Body)
	}
	for _, c := range []struct {
		who  string
		body map[string]any
		code string
	}{
		{"othermanager", map[string]any{"kind": "course", "ref": "ethics", "target": map[string]any{"role": "trainee", "site": "s1"}, "due": map[string]any{"date": due}}, academy.EINVALID},
		{"othermanager", map[string]any{"kind": "course", "ref": "ethics", "target": map[string]any{"people": []string{"trainee"}}, "due": map[string]any{"date": due}}, academy.EINVALID},
		{"manager", map[string]any{"kind": "course", "ref": "ghost", "target": map[string]any{"role": "trainee", "site": "s1"}, "due": map[string]any{"date": due}}, academy.EINVALID},
		{"manager", map[string]any{"kind": "course", "ref": "ethics", "target": map[string]any{"role": "trainee", "site": "s1"}, "due": map[string]any{"date": "next week"}}, academy.EINVALID},
		{"manager", map[string]any{"kind": "course", "ref": "ethics", "target": map[string]any{"people": []string{"trainee"}, "role": "trainee", "site": "s1"}, "due": map[string]any{"date": due}}, academy.EINVALID},
		{"manager", map[string]any{"kind": "course", "ref": "ethics", "due": map[string]any{"date": due}}, academy.EINVALID},
		{"manager", map[string]any{"kind": "course", "ref": "ethics", "target": map[string]any{"people": []string{"nobody"}}, "due": map[string]any{"date": due}}, academy.EINVALID},
		{"manager", map[string]any{"kind": "course", "ref": "ethics", "target": map[string]any{"role": "wizard", "site": "s1"}, "due": map[string]any{"date": due}}, academy.EINVALID},
	} {
		if res := e.api("POST", "/api/v1/assignments", c.who, c.body); res.errCode(t) != c.code {
			t.Errorf("%s %v: %d %s", c.who, c.body, res.StatusCode, res.Body)
		}
	}
	var list struct{ Items []academy.Assignment }
	e.api("GET", "/api/v1/assignments", "othermanager", nil).json(t, &list)
	if len(list.Items) != 0 {
		t.Fatalf("another site's manager sees %d assignments", len(list.Items))
	}
	e.api("GET", "/api/v1/assignments", "manager", nil).json(t, &list)
	if len(list.Items) != 2 {
		t.Fatalf("manager sees %d assignments", len(list.Items))
	}

	var courses struct{ Items []apiCourse }
	e.api("GET", "/api/v1/courses", "trainee", nil).json(t, &courses)
	dues := map[string]apiCourse{}
	for _, c := range courses.Items {
		if c.Due != nil {
			dues[c.Slug] = c
		}
	}
	if len(dues) != 2 || dues["ethics"].Overdue || !dues["law"].Overdue {
		t.Fatalf("trainee's assigned courses: %+v", dues)
	}
	b := e.browser()
	b.loginAs("trainee")
	home := b.get("/home")
	if !strings.Contains(home.Body, "分配给我的任务") || !strings.Contains(home.Body, "已逾期") || !strings.Contains(home.Body, due) {
		t.Fatal("trainee home lacks the assigned work with due dates")
	}
	if res := e.api("DELETE", "/api/v1/assignments/"+list.Items[0].ID, "othermanager", nil); res.StatusCode != 404 {
		t.Fatalf("other site's manager deletes: %d", res.StatusCode)
	}
	if res := e.api("DELETE", "/api/v1/assignments/"+list.Items[0].ID, "manager", nil); res.StatusCode != 204 {
		t.Fatalf("delete: %d", res.StatusCode)
	}
}

func TestAuthoringPublishConflictAndExport(t *testing.T) {
	e := newEnv(t)
	tr := e.browser()
	tr.loginAs("trainer")
	// The learner's lesson page is rendered (and its parts kept) before
	// the edit; what they see next must be the published text.
	learner := e.browser()
	learner.loginAs("trainee")
	lessonPage := func() string { return learner.get("/courses/ethics/lessons/role-of-the-desk").Body }
	if strings.Contains(lessonPage(), "培训师刚刚写的新正文") {
		t.Fatal("the new text is on the page before it was written")
	}
	editor := tr.get("/author/courses/ethics/lessons/role-of-the-desk")
	if editor.StatusCode != 200 || !strings.Contains(editor.Body, `id="preview"`) {
		t.Fatalf("editor: %d", editor.StatusCode)
	}
	token := csrfRE.FindStringSubmatch(editor.Body)[1]
	form := url.Values{"_csrf": {token}, "revision": {"1"}, "slug": {"role-of-the-desk"}, "title": {"客服岗位的角色"},
		"minutes": {"20"}, "objectives": {"说出三种角色\n知道为什么重要"}, "body": {"## 新的开头\n\n这是培训师刚刚写的新正文。\n"}}

	form.Set("action", "draft")
	if res := tr.post("/author/courses/ethics/lessons", form); res.StatusCode != 303 {
		t.Fatalf("draft: %d %s", res.StatusCode, res.Body)
	}
	var l struct{ HTML string }
	e.api("GET", "/api/v1/courses/ethics/lessons/role-of-the-desk", "trainee", nil).json(t, &l)
	if strings.Contains(l.HTML, "培训师刚刚写的新正文") {
		t.Fatal("a draft reached learners")
	}
	if page := tr.get("/author/courses/ethics/lessons/role-of-the-desk"); !strings.Contains(page.Body, "培训师刚刚写的新正文") || !strings.Contains(page.Body, "草稿") {
		t.Fatal("editor does not reopen the draft")
	}

	form.Set("action", "publish")
	if res := tr.post("/author/courses/ethics/lessons", form); res.StatusCode != 303 {
		t.Fatalf("publish: %d %s", res.StatusCode, res.Body)
	}
	e.api("GET", "/api/v1/courses/ethics/lessons/role-of-the-desk", "trainee", nil).json(t, &l)
	if !strings.Contains(l.HTML, "培训师刚刚写的新正文") {
		t.Fatal("learners do not see the published text")
	}
	if page := lessonPage(); !strings.Contains(page, "培训师刚刚写的新正文") || !strings.Contains(page, "知道为什么重要") {
		t.Fatal("the lesson page still shows the text from before publishing")
	}
	// Saving over the newer revision with the old base is refused.
	form.Set("body", "## 过时的修改\n\n基于第 1 版。\n")
	res := tr.post("/author/courses/ethics/lessons", form)
	if res.StatusCode != 409 || !strings.Contains(res.Body, "课程现为第 2 版") || strings.Contains(res.Body, "revision 2") || !strings.Contains(res.Body, "过时的修改") {
		t.Fatalf("stale publish: %d %s", res.StatusCode, res.Body)
	}
	if res := e.api("PUT", "/api/v1/courses/ethics/lessons/role-of-the-desk", "trainer", map[string]any{"title": "t", "minutes": 5, "objectives": []string{"o"}, "body": "x", "revision": 1}); res.errCode(t) != academy.ECONFLICT {
		t.Fatalf("stale API publish: %s", res.Body)
	}
	for _, bad := range []map[string]any{
		{"title": "", "minutes": 5, "objectives": []string{"o"}, "body": "x", "revision": 2},
		{"title": "t", "minutes": 0, "objectives": []string{"o"}, "body": "x", "revision": 2},
		{"title": "t", "minutes": 5, "objectives": []string{}, "body": "x", "revision": 2},
		{"title": "t", "minutes": 5, "objectives": []string{"o"}, "body": " ", "revision": 2},
	} {
		if res := e.api("PUT", "/api/v1/courses/ethics/lessons/role-of-the-desk", "trainer", bad); res.errCode(t) != academy.EINVALID {
			t.Errorf("%v: %s", bad, res.Body)
		}
	}
	if res := e.api("PUT", "/api/v1/courses/nope/lessons/x1", "trainer", map[string]any{"title": "t", "minutes": 5, "objectives": []string{"o"}, "body": "x", "revision": 1}); res.StatusCode != 404 {
		t.Fatalf("unknown course: %d", res.StatusCode)
	}

	// History shows both revisions with a readable diff; restore goes back.
	// Each change is a sentence naming who and the lesson by its title.
	if h := tr.get("/author/courses/ethics/revisions"); !strings.Contains(h.Body, "第 2 版") || !strings.Contains(h.Body, "trainer 修改了课时《客服岗位的角色》") ||
		!strings.Contains(h.Body, "从内容文件导入") || strings.Contains(h.Body, "role-of-the-desk updated") || strings.Contains(h.Body, "web ·") {
		t.Fatalf("history: %s", h.Body)
	}
	if d := tr.get("/author/courses/ethics/revisions/2"); !strings.Contains(d.Body, `class="diff-add">&#43;这是培训师刚刚写的新正文。`) || !strings.Contains(d.Body, `class="diff-del">-`) {
		t.Fatalf("diff: %s", d.Body[strings.Index(d.Body, "<main"):])
	}
	if res := tr.post("/author/courses/ethics/revisions/1/restore", url.Values{"_csrf": {token}, "revision": {"2"}}); res.StatusCode != 303 {
		t.Fatalf("restore: %d", res.StatusCode)
	}
	e.api("GET", "/api/v1/courses/ethics/lessons/role-of-the-desk", "trainee", nil).json(t, &l)
	if strings.Contains(l.HTML, "培训师刚刚写的新正文") || strings.Contains(lessonPage(), "培训师刚刚写的新正文") {
		t.Fatal("restore did not bring back revision 1")
	}
	if h := tr.get("/author/courses/ethics/revisions/3"); !strings.Contains(h.Body, "第 3 版 · trainer 恢复了第 1 版") {
		t.Fatalf("restored revision: %s", h.Body)
	}

	// Export download: a zip of the file format.
	zipRes := tr.get("/author/courses/ethics/export")
	zr, err := zip.NewReader(bytes.NewReader([]byte(zipRes.Body)), int64(len(zipRes.Body)))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, f := range zr.File {
		names[f.Name] = true
	}
	if !names["ethics/course.yaml"] || !names["ethics/01-role-of-the-desk.md"] || !names["ethics/flow.svg"] {
		t.Fatalf("export zip: %v", names)
	}

	// Preview renders with the real renderer and drops raw HTML.
	var pv struct{ HTML string }
	e.api("POST", "/api/v1/markdown/preview", "trainer", map[string]string{"markdown": "## 标题\n\n<script>alert(1)</script>\n\n> [!TIP]\n> 提示", "course": "ethics"}).json(t, &pv)
	if strings.Contains(pv.HTML, "<script") || !strings.Contains(pv.HTML, "callout-tip") || !strings.Contains(pv.HTML, `id="标题"`) {
		t.Fatalf("preview: %s", pv.HTML)
	}
	if res := e.api("POST", "/api/v1/markdown/preview", "trainer", map[string]any{"markdown": 5}); res.StatusCode != 400 {
		t.Fatalf("preview bad input: %d", res.StatusCode)
	}
}

func TestAuthoringNewCourseAndLesson(t *testing.T) {
	e := newEnv(t)
	tr := e.browser()
	tr.loginAs("trainer")
	token := tr.csrf("/author")
	meta := url.Values{"_csrf": {token}, "slug": {"parking"}, "title": {"停车管理"}, "summary": {"车位与访客车辆"}, "audience": {"客服"},
		"minutes": {"30"}, "order": {"20"}, "prerequisites": {"ethics"}}
	if res := tr.post("/author/courses", meta); res.StatusCode != 303 {
		t.Fatalf("create course: %d %s", res.StatusCode, res.Body)
	}
	if res := tr.post("/author/courses", meta); res.StatusCode != 409 {
		t.Fatalf("duplicate course: %d", res.StatusCode)
	}
	meta.Set("slug", "Bad Slug")
	if res := tr.post("/author/courses", meta); res.StatusCode != 400 || !strings.Contains(res.Body, "slug") {
		t.Fatalf("bad slug: %d", res.StatusCode)
	}
	form := url.Values{"_csrf": {token}, "revision": {"1"}, "slug": {"visitor-cars"}, "title": {"访客车辆"}, "minutes": {"10"},
		"objectives": {"登记访客车辆"}, "body": {"## 登记\n\n访客车辆需要登记车牌。\n"}, "action": {"publish"}}
	if res := tr.post("/author/courses/parking/lessons", form); res.StatusCode != 303 {
		t.Fatalf("new lesson: %d %s", res.StatusCode, res.Body)
	}
	var c apiCourse
	e.api("GET", "/api/v1/courses/parking", "trainee", nil).json(t, &c)
	if len(c.Lessons) != 2 || c.Lessons[1].Slug != "visitor-cars" || !c.Locked {
		t.Fatalf("new course as a learner sees it: %+v", c)
	}
	upd := url.Values{"_csrf": {token}, "revision": {"2"}, "title": {"停车与车辆管理"}, "summary": {"s"}, "audience": {"a"}, "minutes": {"40"}, "order": {"20"}}
	if res := tr.post("/author/courses/parking", upd); res.StatusCode != 303 {
		t.Fatalf("update meta: %d %s", res.StatusCode, res.Body)
	}
	if res := tr.post("/author/courses/parking", upd); res.StatusCode != 409 {
		t.Fatalf("stale meta: %d", res.StatusCode)
	}
	upd.Set("revision", "x")
	if res := tr.post("/author/courses/parking", upd); res.StatusCode != 400 {
		t.Fatalf("bad revision: %d", res.StatusCode)
	}
}

// editorForm reads the lesson editor's form as a browser would submit it.
func editorForm(t *testing.T, page *response) url.Values {
	t.Helper()
	field := func(re string) string {
		m := regexp.MustCompile(re).FindStringSubmatch(page.Body)
		if m == nil {
			t.Fatalf("editor lacks %s", re)
		}
		return html.UnescapeString(m[1])
	}
	return url.Values{"_csrf": {csrfRE.FindStringSubmatch(page.Body)[1]},
		"revision":   {field(`name="revision" value="(\d+)"`)},
		"slug":       {field(`id="l-slug" name="slug" value="([^"]*)"`)},
		"title":      {field(`id="l-title" name="title" value="([^"]*)"`)},
		"minutes":    {field(`id="l-minutes" name="minutes" type="number" min="1" value="(\d+)"`)},
		"objectives": {field(`(?s)id="l-objectives"[^>]*>(.*?)</textarea>`)},
		"body":       {field(`(?s)id="l-body"[^>]*>(.*?)</textarea>`)},
		"action":     {"publish"}}
}

// TestLessonConflictsPerLesson: a form is stale only if its own lesson
// changed since it was loaded; after a real conflict the form shows the
// current version, so the next save succeeds.
func TestLessonConflictsPerLesson(t *testing.T) {
	e := newEnv(t)
	tr := e.browser()
	tr.loginAs("trainer")
	lesson := func(slug string) string {
		var l struct{ HTML string }
		e.api("GET", "/api/v1/courses/ethics/lessons/"+slug, "trainer", nil).json(t, &l)
		return l.HTML
	}
	a := editorForm(t, tr.get("/author/courses/ethics/lessons/role-of-the-desk"))
	b := editorForm(t, tr.get("/author/courses/ethics/lessons/honesty-and-ownership"))
	a2 := editorForm(t, tr.get("/author/courses/ethics/lessons/role-of-the-desk"))
	if a.Get("revision") != b.Get("revision") {
		t.Fatalf("revisions %s and %s", a.Get("revision"), b.Get("revision"))
	}

	a.Set("body", a.Get("body")+"\n甲培训师补充的一段。\n")
	if res := tr.post("/author/courses/ethics/lessons", a); res.StatusCode != 303 {
		t.Fatalf("publish A: %d", res.StatusCode)
	}
	// B's form was loaded before A was published, but B did not change.
	b.Set("body", b.Get("body")+"\n乙培训师补充的一段。\n")
	if res := tr.post("/author/courses/ethics/lessons", b); res.StatusCode != 303 {
		t.Fatalf("publish B after A: %d %s", res.StatusCode, res.Body)
	}
	if !strings.Contains(lesson("role-of-the-desk"), "甲培训师补充的一段") || !strings.Contains(lesson("honesty-and-ownership"), "乙培训师补充的一段") {
		t.Fatal("one of the two edits was lost")
	}

	// A second form of A, loaded before A's change, is a real conflict.
	a2.Set("body", a2.Get("body")+"\n丙培训师的修改。\n")
	res := tr.post("/author/courses/ethics/lessons", a2)
	if res.StatusCode != 409 || !strings.Contains(res.Body, "丙培训师的修改") || !strings.Contains(res.Body, "role-of-the-desk") && !strings.Contains(res.Body, "客服岗位") {
		t.Fatalf("stale A: %d", res.StatusCode)
	}
	if strings.Contains(lesson("role-of-the-desk"), "丙培训师的修改") {
		t.Fatal("the stale save was stored")
	}
	// The form now holds the current version at the current revision;
	// saving it with the change merged in succeeds.
	merged := editorForm(t, res)
	if !strings.Contains(merged.Get("body"), "甲培训师补充的一段") || strings.Contains(merged.Get("body"), "丙培训师的修改") {
		t.Fatalf("conflict form body: %q", merged.Get("body"))
	}
	if merged.Get("revision") == a2.Get("revision") {
		t.Fatal("conflict form keeps the stale revision")
	}
	merged.Set("body", merged.Get("body")+"\n丙培训师的修改。\n")
	if res := tr.post("/author/courses/ethics/lessons", merged); res.StatusCode != 303 {
		t.Fatalf("save after conflict: %d %s", res.StatusCode, res.Body)
	}
	if got := lesson("role-of-the-desk"); !strings.Contains(got, "甲培训师补充的一段") || !strings.Contains(got, "丙培训师的修改") {
		t.Fatal("the merged save is not what learners see")
	}
}
