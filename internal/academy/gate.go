package academy

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Prerequisite is something a learner must finish before a quiz opens.
type Prerequisite struct {
	Kind string `json:"kind"` // course, quiz
	Ref  string `json:"slug"`
}

// QuizPrerequisites lists what keeps q closed to a learner with ev. A
// module quiz opens when its course is complete: its questions are about
// lessons the learner could not yet read. A quiz a program requires
// without a course of its own (a final exam) opens when that program's
// courses are complete and its module quizzes passed at the marks it
// asks; when several programs require it, the one closest to done
// counts. A quiz that neither a course nor a program ties to is open.
//
// Only module quizzes gate an exam, so two exams a program both requires
// never wait for each other.
func QuizPrerequisites(q *Quiz, programs []*Program, quizzes map[string]*Quiz, courses map[string]*Course, ev Evidence) []Prerequisite {
	if q.Course != "" {
		c := courses[q.Course]
		if c == nil || c.Status != CourseActive || ev.Progress.Status(c, courses).Complete {
			return nil
		}
		return []Prerequisite{{Kind: "course", Ref: q.Course}}
	}
	var best []Prerequisite
	gated := false
	for _, p := range programs {
		if !requiresQuiz(p.Requirements, q.Slug) {
			continue
		}
		var before Requirements
		for _, c := range p.Requirements.Courses {
			if course := courses[c]; course != nil && course.Status == CourseActive {
				before.Courses = append(before.Courses, c)
			}
		}
		for _, r := range p.Requirements.Quizzes {
			if m := quizzes[r.Quiz]; m != nil && m.Course != "" && m.Status == CourseActive && r.Quiz != q.Slug {
				before.Quizzes = append(before.Quizzes, r)
			}
		}
		var missing []Prerequisite
		for _, s := range before.Status(ev, courses, time.Time{}) {
			if !s.Done {
				missing = append(missing, Prerequisite{Kind: s.Kind, Ref: s.Ref})
			}
		}
		if !gated || len(missing) < len(best) {
			best, gated = missing, true
		}
	}
	return best
}

func requiresQuiz(r Requirements, quiz string) bool {
	for _, q := range r.Quizzes {
		if q.Quiz == quiz {
			return true
		}
	}
	return false
}

// Prerequisites lists what u must finish before starting q, reading
// their progress (one _id read) only for a quiz something gates.
func (x *Examiner) Prerequisites(ctx context.Context, u *User, q *Quiz, rec *QuizRecord, all map[string]*Quiz) ([]Prerequisite, error) {
	if x.Programs == nil || x.Progress == nil {
		return nil, nil
	}
	programs := x.Programs.ActivePrograms()
	if q.Course == "" && !slices.ContainsFunc(programs, func(p *Program) bool { return requiresQuiz(p.Requirements, q.Slug) }) {
		return nil, nil
	}
	progress, err := x.Progress.FindProgress(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	return QuizPrerequisites(q, programs, all, x.Programs.Courses(), Evidence{Progress: progress, Quizzes: rec}), nil
}

// PrerequisiteError refuses a start with what the learner must finish
// first, by title.
func PrerequisiteError(missing []Prerequisite, title Titles) error {
	zh, en := make([]string, len(missing)), make([]string, len(missing))
	for i, m := range missing {
		t := title(m.Kind, m.Ref)
		if t == "" {
			t = m.Ref
		}
		if m.Kind == "quiz" {
			zh[i], en[i] = fmt.Sprintf("通过测验《%s》", t), fmt.Sprintf("pass the quiz “%s”", t)
		} else {
			zh[i], en[i] = fmt.Sprintf("学完课程《%s》", t), fmt.Sprintf("finish the course “%s”", t)
		}
	}
	return Errorf(EFORBIDDEN, "请先%s，再开始本测验 / First %s.", strings.Join(zh, "、"), strings.Join(en, "; "))
}

// Kinds of attempt grant.
const (
	GrantExtraAttempt = "extra_attempt"
	GrantCooldown     = "cooldown_reset"
)

// AttemptGrant is an exception a trainer or manager made to a quiz's
// rules for one learner: one more attempt than the quiz allows, or the
// cooldown after the last attempt lifted.
type AttemptGrant struct {
	Kind   string    `json:"kind" bson:"kind"`
	At     time.Time `json:"at" bson:"at"`
	By     string    `json:"by" bson:"by"`
	Reason string    `json:"reason" bson:"reason"`
}

// GrantAttempt gives learner an extra attempt at q or lifts the cooldown
// running after their last attempt, with a reason, audited. The caller has
// established that actor follows learner's training.
func (x *Examiner) GrantAttempt(ctx context.Context, actor, learner *User, q *Quiz, kind, reason, ip string) (*AttemptGrant, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, Errorf(EINVALID, "reason: 请填写原因 / Give a reason.")
	}
	if err := CheckText("reason", reason, 500, false); err != nil {
		return nil, err
	}
	rec, err := x.Attempts.FindRecord(ctx, learner.ID)
	if err != nil {
		return nil, err
	}
	h := rec.History(q.Slug)
	now := x.Now()
	switch kind {
	case GrantExtraAttempt:
		if q.MaxAttempts == 0 {
			return nil, Errorf(ECONFLICT, "《%s》不限答题次数，无需增加 / %s has no attempt limit.", q.Title, q.Title)
		}
	case GrantCooldown:
		if !now.Before(h.NextStart(q)) {
			return nil, Errorf(ECONFLICT, "%s 目前不在《%s》的冷却期内 / %s can start %s now: there is no cooldown to lift.", learner.DisplayName, q.Title, learner.DisplayName, q.Title)
		}
	default:
		return nil, Errorf(EINVALID, "kind: 应为 %s 或 %s / Must be %s or %s.", GrantExtraAttempt, GrantCooldown, GrantExtraAttempt, GrantCooldown)
	}
	g := &AttemptGrant{Kind: kind, At: now, By: actor.ID, Reason: reason}
	if err := x.Attempts.AddGrant(ctx, learner.ID, q.Slug, *g); err != nil {
		return nil, err
	}
	action := AuditExtraAttempt
	if kind == GrantCooldown {
		action = AuditCooldownReset
	}
	return g, x.Audit.RecordAudit(ctx, &AuditEvent{Time: now, Actor: actor.ID, Action: action,
		Target: learner.ID + "/" + q.Slug, IP: ip, Detail: reason})
}
