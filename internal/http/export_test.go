package http

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/academy/academy/internal/academy"
)

// LessonByTemplate renders a lesson page through its template alone, with
// the values a test set up, for tests that hold the kept pages of
// lessonpage.go to the template.
func (s *Server) LessonByTemplate(u *academy.User, csrf, lang, flash, course, lesson string, done bool, position float64, doneCount int) (string, error) {
	snap := s.Catalog.Snapshot()
	cc := snap.Course(course)
	if cc == nil || cc.Lesson(lesson) == nil {
		return "", fmt.Errorf("no lesson %s/%s", course, lesson)
	}
	path := "/courses/" + course + "/lessons/" + lesson
	pg := &page{Lang: lang, TitleKey: "courses.title", User: u, CSRF: csrf, Active: path,
		Data: lessonView{Course: cc, Lesson: cc.Lesson(lesson), Quiz: courseQuiz(snap, course), Done: done,
			Position: strconv.FormatFloat(position, 'f', 3, 64), DoneCount: doneCount, Total: len(cc.Lessons)}}
	pg.NavHTML, _ = s.navHTML(lang, s.nav(u), path)
	if flash != "" {
		pg.Flash = "flash." + flash
	}
	var b bytes.Buffer
	err := s.pages["lesson"].ExecuteTemplate(&b, "layout", pg)
	return b.String(), err
}

// KeepLessonPages sets how many lesson pages are kept, and returns how many
// are kept now.
func (s *Server) KeepLessonPages(max int) int {
	s.lessonPages.mu.Lock()
	defer s.lessonPages.mu.Unlock()
	if max > 0 {
		s.lessonPages.max = max
	}
	return len(s.lessonPages.m)
}
