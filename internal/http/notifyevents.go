package http

import (
	"context"
	"net/url"
	"time"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/notify"
)

// The immediate notifications are enqueued here, in the request that made
// the change, after it is stored: the core (internal/academy) knows
// nothing of notify. A failure to enqueue is logged, not answered: the
// change is made and the person asking cannot fix the outbox; the keys let
// a catch-up enqueue again (CatchUpAssigned at start; for grants, the
// scheduler's, from the marker written before the grant).

// notifyAssigned tells each person a new assignment is for now.
func (s *Server) notifyAssigned(ctx context.Context, a *academy.Assignment) {
	if err := s.enqueueAssigned(ctx, a); err != nil {
		s.Logger.Warn("notify: new assignment", "assignment", a.ID, "err", err)
	}
}

func (s *Server) enqueueAssigned(ctx context.Context, a *academy.Assignment) error {
	var people []*academy.User
	if len(a.Target.People) > 0 {
		for _, name := range a.Target.People {
			u, err := s.Accounts.Users.FindUser(ctx, name)
			if academy.ErrorCode(err) == academy.ENOTFOUND {
				continue
			} else if err != nil {
				return err
			}
			people = append(people, u)
		}
	} else {
		var err error
		if people, err = s.Accounts.Users.ListUsersOn(ctx, []string{a.Target.Site}, ""); err != nil {
			return err
		}
	}
	ev, err := s.Certifier.GatherTeam(ctx, people)
	if err != nil {
		return err
	}
	now, courses, window := s.Certifier.Now(), s.Catalog.Courses(), s.Certifier.Window
	title, link := s.Catalog.Title(a.Kind, a.Ref), workLink(a.Kind, a.Ref)
	var ms []notify.Message
	for _, p := range people {
		r, loc := ev.Record(p), s.Accounts.ZoneOf(ctx, p)
		if !a.Targets(p, r, now, window, loc) {
			continue
		}
		st := a.Assess(p, r, courses, now, window, loc)
		if st.Done {
			continue // nothing to do: no news
		}
		ms = append(ms, notify.Assigned(a, p, title, st.Due, link))
	}
	if len(a.Target.People) == 0 {
		var due time.Time
		if a.Due.Date != "" {
			// The end of the day, as each person's due is (Assess).
			due = a.Due.Date.Start(s.Accounts.SiteZone(ctx, a.Target.Site)).AddDate(0, 0, 1).Add(-time.Second)
		}
		ms = append(ms, notify.AssignedToSite(a, title, len(ms), due, link))
	}
	return s.Notify.Enqueue(ctx, ms...)
}

// workLink is the page of assigned work.
func workLink(kind, ref string) string {
	switch kind {
	case academy.AssignCourse:
		return "/courses/" + url.PathEscape(ref)
	case academy.AssignQuiz:
		return "/quizzes/" + url.PathEscape(ref)
	case academy.AssignScenario:
		return "/scenarios/" + url.PathEscape(ref)
	case academy.AssignProgram:
		return "/programs/" + url.PathEscape(ref)
	}
	return "/home"
}

// beginGrant stores the marker of a grant by by to learner at q about to
// be made (notify.PendingGrant), on the grant's own clock.
func (s *Server) beginGrant(ctx context.Context, by, learner *academy.User, q *academy.Quiz) (notify.PendingGrant, error) {
	return s.Notify.BeginGrant(ctx, notify.PendingGrant{Learner: learner.ID, Quiz: q.Slug, Title: q.Title,
		By: by.ID, ByName: by.DisplayName, At: s.Examiner.Now()})
}

// notifyGranted tells a learner of the attempt granted under the marker
// p; if that fails, the marker stays and the scheduler's catch-up tells.
func (s *Server) notifyGranted(ctx context.Context, p notify.PendingGrant, g *academy.AttemptGrant) {
	if err := s.Notify.Granted(ctx, p, g); err != nil {
		s.Logger.Warn("notify: attempt granted", "learner", p.Learner, "err", err)
	}
}

// CatchUpAssigned enqueues again the news of assignments made since
// since: after a crash between storing an assignment and enqueuing its
// messages, the keys make this a no-op for those enqueued.
func (s *Server) CatchUpAssigned(ctx context.Context) (int, error) {
	all, err := s.Assignments.ListAssignments(ctx)
	if err != nil {
		return 0, err
	}
	since := s.Library.Now().Add(-catchUpWithin)
	n := 0
	for _, a := range all {
		if a.CreatedAt.Before(since) {
			continue
		}
		if err := s.enqueueAssigned(ctx, a); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// catchUpWithin is how far back CatchUpAssigned looks: a crash is noticed
// by the restart that follows it.
const catchUpWithin = 24 * time.Hour
