package http_test

import (
	"net/url"
	"strings"
	"testing"
)

// english is a browser session of who, switched to English.
func english(e *env, who string) *browser {
	e.t.Helper()
	b := e.browser()
	b.loginAs(who)
	if res := b.post("/lang", url.Values{"_csrf": {b.csrf("/account")}, "lang": {"en"}, "next": {"/home"}}); res.StatusCode != 303 {
		e.t.Fatalf("switch to English: %d", res.StatusCode)
	}
	return b
}

// TestLabelsInOneLanguage: a form's labels are in the viewer's language,
// not "标题 / Title"; durations read as words.
func TestLabelsInOneLanguage(t *testing.T) {
	e := newEnv(t)
	// The Chinese pages first: switching to English is the user's setting.
	zh := e.browser()
	zh.loginAs("trainer")
	zhPages := []string{zh.get("/author/courses/ethics").Body, zh.get("/author/courses/ethics/lessons/role-of-the-desk").Body, zh.get("/author/quizzes/ethics").Body}
	if !strings.Contains(zhPages[0], `<label for="c-title">标题</label>`) {
		t.Error("Chinese course form lacks its title label")
	}
	if q := zh.get("/quizzes/ethics").Body; !strings.Contains(q, "限时 20 分钟") || !strings.Contains(q, "两次之间需间隔 10 分钟") {
		t.Errorf("Chinese quiz page does not say its times in words:\n%s", q)
	}
	en := english(e, "trainer")
	page := en.get("/author/courses/ethics").Body
	for _, want := range []string{`<label for="c-title">Title</label>`, `<label for="c-tags">Tags</label>`} {
		if !strings.Contains(page, want) {
			t.Errorf("English course form lacks %s", want)
		}
	}
	for _, p := range append(zhPages, page) {
		if strings.Contains(p, " / Title") || strings.Contains(p, " / Minutes") {
			t.Errorf("a label in two languages:\n%s", p)
		}
	}
	if q := en.get("/quizzes/ethics").Body; !strings.Contains(q, "Time limit: 20 minutes") || !strings.Contains(q, "10 minutes between attempts") {
		t.Errorf("English quiz page does not say its times in words:\n%s", q)
	}
}
