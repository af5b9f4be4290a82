package http_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/academy/academy/internal/academy"
)

// The lesson page is served from pieces kept per lesson and menu, with the
// learner's values filled in (lessonpage.go). Whatever the learner's name,
// language, role, place in the lesson and progress, the bytes must be what
// the template gives, gzipped or not.
func TestLessonPageIsTheTemplate(t *testing.T) {
	e := newEnv(t)
	course := "ethics"
	cc := e.deps.Catalog.Snapshot().Course(course)
	lesson := cc.Lessons[0].Slug
	path := "/courses/" + course + "/lessons/" + lesson

	people := []struct {
		name, display, lang, role string
	}{
		{"hostile", `<script>alert('x')</script> & "李+四" {{.}} %s`, "zh", academy.RoleTrainee}, // a NUL is refused (academy.CheckText)
		{"english", "Ann O'Neil", "en", academy.RoleTrainee},
		{"coach", "培训师 王", "zh", academy.RoleTrainer},
	}
	for _, p := range people {
		t.Run(p.name, func(t *testing.T) {
			u := &academy.User{Username: p.name, DisplayName: p.display, Lang: p.lang, Roles: []string{p.role}, Sites: []string{"s1"}}
			if err := e.accounts.CreateUser(context.Background(), academy.Actor{}, u, testPassword); err != nil {
				t.Fatal(err)
			}
			b := e.browser()
			b.loginAs(p.name)
			token := b.csrf("/home")
			// The name as stored, after the account service's own cleaning.
			stored, err := e.accounts.Users.FindUser(context.Background(), p.name)
			if err != nil {
				t.Fatal(err)
			}

			check := func(step, flash string, done bool, position float64, doneCount int) {
				t.Helper()
				want, err := e.srv.LessonByTemplate(stored, token, p.lang, flash, course, lesson, done, position, doneCount)
				if err != nil {
					t.Fatal(err)
				}
				target := path
				if flash != "" {
					target += "?flash=" + flash
				}
				for _, enc := range []string{"gzip", "identity", "gzip, deflate, br"} {
					req := httptest.NewRequest("GET", target, nil)
					req.Header.Set("Accept-Encoding", enc)
					res := b.send(req)
					body := res.Body
					if strings.Contains(enc, "gzip") {
						if got := res.Header.Get("Content-Encoding"); got != "gzip" {
							t.Fatalf("%s, %s: Content-Encoding %q", step, enc, got)
						}
						body = gunzip(t, res.Body)
					} else if got := res.Header.Get("Content-Encoding"); got != "" {
						t.Fatalf("%s, %s: Content-Encoding %q", step, enc, got)
					}
					if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "no-store" || !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
						t.Fatalf("%s, %s: %d, Cache-Control %q, Vary %q", step, enc, res.StatusCode, res.Header.Get("Cache-Control"), res.Header.Get("Vary"))
					}
					if body != want {
						t.Fatalf("%s, %s: the page differs from the template at byte %d:\n got %q\nwant %q",
							step, enc, diffAt(body, want), around(body, diffAt(body, want)), around(want, diffAt(body, want)))
					}
				}
			}

			check("first visit", "", false, 0, 0)
			if strings.Contains(p.display, "<script>") {
				page := b.get(path).Body
				if strings.Contains(page, "<script>alert") || !strings.Contains(page, "&lt;script&gt;alert(&#39;x&#39;)") {
					t.Fatal("the display name is not escaped")
				}
			}
			req := httptest.NewRequest("PUT", "/api/v1/courses/"+course+"/lessons/"+lesson+"/position", strings.NewReader(`{"position":0.425}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-CSRF-Token", token)
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			if res := b.send(req); res.StatusCode != 204 {
				t.Fatalf("position: %d %s", res.StatusCode, res.Body)
			}
			check("halfway", "", false, 0.425, 0)
			res := b.post(path+"/complete", url.Values{"_csrf": {token}, "then": {"stay"}})
			if res.StatusCode != 303 || !strings.Contains(res.Header.Get("Location"), "flash=lesson_done") {
				t.Fatalf("complete: %d %s", res.StatusCode, res.Header.Get("Location"))
			}
			check("done, with the notice", "lesson_done", true, 0.425, 1)
			check("done", "", true, 0.425, 1)
		})
	}
}

func gunzip(t *testing.T, s string) string {
	t.Helper()
	r, err := gzip.NewReader(bytes.NewReader([]byte(s)))
	if err != nil {
		t.Fatal(err)
	}
	r.Multistream(false)
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("gzip body: %v", err)
	}
	return string(b)
}

func diffAt(a, b string) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return i
}

func around(s string, i int) string {
	return s[max(0, i-60):min(len(s), i+60)]
}

// Every notice in a link is a kept page of its own; links with all of them
// must not grow the kept pages without end, and the pages stay right.
func TestLessonPagesKeptAreBounded(t *testing.T) {
	e := newEnv(t)
	e.srv.KeepLessonPages(3)
	b := e.browser()
	b.loginAs("trainee")
	cc := e.deps.Catalog.Snapshot().Course("ethics")
	path := "/courses/ethics/lessons/" + cc.Lessons[0].Slug
	for i, flash := range []string{"", "lesson_done", "assignment_created", "case_created", "cert_revoked", "clock_advanced", "course_saved"} {
		res := b.get(path + "?flash=" + flash)
		if res.StatusCode != 200 || !strings.Contains(res.Body, `id="mark-complete"`) {
			t.Fatalf("visit %d (%q): %d", i+1, flash, res.StatusCode)
		}
		if kept := e.srv.KeepLessonPages(0); kept > 3 || kept < 1 {
			t.Fatalf("after visit %d, %d pages kept; want 1 to 3", i+1, kept)
		}
	}
}

// TestLessonPageFitsTheWriteBuffer: the server's write buffer holds a
// whole gzipped lesson page with its headers, so that the page leaves in
// one write to the socket (with fasthttp's default of 4 KB it took two,
// a tenth of the page's CPU). A longer lesson or a heavier header that
// outgrows it shows here.
func TestLessonPageFitsTheWriteBuffer(t *testing.T) {
	e := newEnv(t)
	limit := e.srv.App().Config().WriteBufferSize
	pages := 0
	for _, c := range e.deps.Catalog.Snapshot().Active {
		for _, l := range c.Lessons {
			req := httptest.NewRequest("GET", "/courses/"+c.Slug+"/lessons/"+l.Slug, nil)
			req.Header.Set("Accept-Encoding", "gzip")
			req.Header.Set("Authorization", "Bearer "+e.tokens["trainee"])
			res := e.do(req)
			if res.StatusCode == 403 {
				continue // a course still locked for the trainee
			}
			pages++
			var head bytes.Buffer
			_ = res.Header.Write(&head)
			if res.StatusCode != 200 || head.Len()+len(res.Body)+64 > limit {
				t.Errorf("lesson %s/%s: %d, %d bytes of headers and %d of body, over the write buffer of %d", c.Slug, l.Slug, res.StatusCode, head.Len(), len(res.Body), limit)
			}
		}
	}
	if pages < 5 {
		t.Errorf("only %d lesson pages open to a new trainee", pages)
	}
}
