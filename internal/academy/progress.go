package academy

import (
	"context"
	"strings"
	"time"
)

// Progress is everything one learner has done in courses, in one document
// keyed by username: a lesson page needs one _id read, and so does the
// learner's home page.
type Progress struct {
	Username string                     `json:"username" bson:"_id"`
	Courses  map[string]*CourseProgress `json:"courses" bson:"courses"`
}

// CourseProgress is one learner's state in one course.
type CourseProgress struct {
	Completed map[string]time.Time `json:"completed" bson:"completed"` // lesson slug -> when
	Last      string               `json:"last_lesson,omitempty" bson:"last"`
	Position  map[string]float64   `json:"position,omitempty" bson:"position"` // lesson slug -> scroll share 0..1
	// CompletedAt is set when every lesson of the course is complete.
	CompletedAt time.Time `json:"completed_at,omitzero" bson:"completed_at,omitempty"`
}

// Course returns the progress in a course, never nil.
func (p *Progress) Course(slug string) *CourseProgress {
	if p != nil && p.Courses[slug] != nil {
		return p.Courses[slug]
	}
	return &CourseProgress{}
}

// Done reports whether lesson is complete.
func (cp *CourseProgress) Done(lesson string) bool {
	_, ok := cp.Completed[lesson]
	return ok
}

// CourseStatus summarises a learner's standing in a course.
type CourseStatus struct {
	Done, Total int
	Complete    bool
	// Missing lists the prerequisite courses still to complete; a course
	// with missing prerequisites is locked.
	Missing []string
}

// Percent is the share of lessons done, 0–100.
func (s CourseStatus) Percent() int {
	if s.Total == 0 {
		return 0
	}
	return s.Done * 100 / s.Total
}

// Locked reports whether prerequisites keep the course closed.
func (s CourseStatus) Locked() bool { return len(s.Missing) > 0 }

// Status computes a learner's standing in c. A course counts as complete
// when every current lesson is done: lessons added later reopen it.
func (p *Progress) Status(c *Course, bySlug map[string]*Course) CourseStatus {
	cp := p.Course(c.Slug)
	st := CourseStatus{Total: len(c.Lessons)}
	for _, l := range c.Lessons {
		if cp.Done(l.Slug) {
			st.Done++
		}
	}
	st.Complete = st.Total > 0 && st.Done == st.Total
	for _, pre := range c.Prerequisites {
		if pc := bySlug[pre]; pc != nil && pc.Status == CourseActive && !p.Status(pc, bySlug).Complete {
			st.Missing = append(st.Missing, pre)
		}
	}
	return st
}

// ProgressService stores learners' progress.
type ProgressService interface {
	// FindProgress returns the learner's progress; none yet is an empty one.
	FindProgress(ctx context.Context, username string) (*Progress, error)
	// CompleteLesson marks a lesson done (idempotent: the first time stays)
	// and returns the new progress.
	CompleteLesson(ctx context.Context, username, course, lesson string, at time.Time) (*Progress, error)
	// SetCourseCompleted records when a course became complete, once.
	SetCourseCompleted(ctx context.Context, username, course string, at time.Time) error
	// SavePosition records the reading position in a lesson.
	SavePosition(ctx context.Context, username, course, lesson string, share float64) error
	// ListProgress returns the progress of the given users.
	ListProgress(ctx context.Context, usernames []string) ([]*Progress, error)
}

// Learning records what learners do in courses.
type Learning struct {
	Progress ProgressService
	Now      func() time.Time
	Outcomes OutcomeRecorder // optional
}

// CompleteLesson marks a lesson of c done for u, refusing archived courses,
// unknown lessons and courses whose prerequisites are missing, and records
// the course's completion when this was its last open lesson.
func (l *Learning) CompleteLesson(ctx context.Context, u *User, c *Course, lesson string, all map[string]*Course) (*Progress, error) {
	if c.Status != CourseActive {
		return nil, Errorf(EINVALID, "课程 %q 已归档 / course %q is archived", c.Slug, c.Slug)
	}
	if ls, _ := c.Lesson(lesson); ls == nil {
		return nil, Errorf(ENOTFOUND, "课程 %q 中没有课时 %q / lesson %q not found in course %q", c.Slug, lesson, lesson, c.Slug)
	}
	p, err := l.Progress.FindProgress(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	if st := p.Status(c, all); st.Locked() {
		return nil, LockedError(st.Missing, all)
	}
	now := l.Now()
	p, err = l.Progress.CompleteLesson(ctx, u.ID, c.Slug, lesson, now)
	if err != nil {
		return nil, err
	}
	if cp := p.Course(c.Slug); p.Status(c, all).Complete && cp.CompletedAt.IsZero() {
		if err := l.Progress.SetCourseCompleted(ctx, u.ID, c.Slug, now); err != nil {
			return nil, err
		}
		cp.CompletedAt = now
		if l.Outcomes != nil {
			err := l.Outcomes.Outcome(ctx, LearningEvent{Kind: EventCourseCompleted, Username: u.ID,
				Ref: c.Slug, Title: c.Title, Passed: true, At: now})
			if err != nil {
				return p, err
			}
		}
	}
	return p, nil
}

// LockedError explains which courses unlock a course.
func LockedError(missing []string, all map[string]*Course) error {
	var zh, en []string
	for _, m := range missing {
		title := m
		if c := all[m]; c != nil {
			title = c.Title
		}
		zh, en = append(zh, "《"+title+"》"), append(en, "“"+title+"”")
	}
	return Errorf(EFORBIDDEN, "请先完成%s / Complete %s first.", strings.Join(zh, "、"), strings.Join(en, ", "))
}
