package notify

import (
	"context"
	"net/url"
	"strconv"
	"time"

	"github.com/academy/academy/internal/academy"
)

// Builders of the immediate kinds' messages. Their keys are fixed by the
// event, so a producer (or a catch-up after a crash) may enqueue them again.

// Assigned is the message of a new assignment for one of its people.
func Assigned(a *academy.Assignment, u *academy.User, title string, due time.Time, link string) Message {
	p := map[string]string{"title": title}
	if !due.IsZero() {
		p["due_at"] = due.UTC().Format(time.RFC3339)
	}
	return Message{Key: "assigned/" + a.ID + "/" + u.ID, Kind: KindAssigned, To: u.ID, Site: a.Target.Site, Params: p, Link: link, At: a.CreatedAt}
}

// AssignedToSite is the message for a site's group of an assignment to
// people of the site (by role or rule): what, by when, and to how many.
// A zero due (a due date per person's hire) is left out.
func AssignedToSite(a *academy.Assignment, title string, people int, due time.Time, link string) Message {
	p := map[string]string{"title": title, "people": strconv.Itoa(people)}
	if !due.IsZero() {
		p["due_at"] = due.UTC().Format(time.RFC3339)
	}
	return Message{Key: "assigned/" + a.ID + "/site", Kind: KindAssigned, Site: a.Target.Site, Params: p, Link: link, At: a.CreatedAt}
}

// AttemptGranted is the message of an extra attempt (or a lifted waiting
// time) granted to learner (a username) at a quiz. The key's time is the
// grant's to the millisecond, as the store keeps it: the catch-up, which
// reads the grant back, must make the key its producer made.
func AttemptGranted(learner, quiz, title, by string, g *academy.AttemptGrant) Message {
	at := g.At.UTC().Truncate(time.Millisecond)
	return Message{Key: "granted/" + quiz + "/" + learner + "/" + at.Format(time.RFC3339Nano), Kind: KindAttemptGranted, To: learner,
		Params: map[string]string{"title": title, "by": by}, Link: "/quizzes/" + url.PathEscape(quiz), At: g.At}
}

// Escalated are the messages of a ticket escalated to its site's
// managers: one each, and one for the site's robot.
func Escalated(t academy.TicketSummary, siteName string, managers []*academy.User) []Message {
	link := "/desk/" + url.PathEscape(t.Workspace) + "/tickets/" + url.PathEscape(t.ID)
	params := map[string]string{"ticket": t.Number, "subject": t.Title, "site_name": siteName}
	key := "escalated/" + t.Workspace + "/" + t.ID
	out := []Message{{Key: key + "/site", Kind: KindEscalated, Site: t.Workspace, Params: params, Link: link, At: t.Escalated}}
	for _, m := range managers {
		out = append(out, Message{Key: key + "/" + m.ID, Kind: KindEscalated, To: m.ID, Site: t.Workspace, Params: params, Link: link, At: t.Escalated})
	}
	return out
}

// Escalations tells managers of tickets escalated by the desk's sweep.
type Escalations struct {
	Service *Service
	Tickets interface {
		ListOpenTickets(ctx context.Context) ([]academy.TicketSummary, error)
	}
	Accounts *academy.Accounts
	// Within is how far back an escalation is told again: each run
	// enqueues every open ticket escalated this recently, which the keys
	// make a no-op for those told already, so a crash between the
	// escalation and its messages is healed by the next run.
	Within time.Duration
}

// Notify enqueues the messages of tickets escalated within e.Within; it
// returns how many tickets it looked at.
func (e *Escalations) Notify(ctx context.Context) (int, error) {
	open, err := e.Tickets.ListOpenTickets(ctx)
	if err != nil {
		return 0, err
	}
	since := e.Service.now().Add(-e.Within)
	n := 0
	for _, t := range open {
		if t.Escalated.IsZero() || t.Escalated.Before(since) {
			continue
		}
		managers, err := e.Accounts.Users.ListUsersOn(ctx, []string{t.Workspace}, academy.RoleManager)
		if err != nil {
			return n, err
		}
		name := t.Workspace
		if site, err := e.Accounts.Sites.FindSite(ctx, t.Workspace); err == nil {
			name = site.Name
		}
		if err := e.Service.Enqueue(ctx, Escalated(t, name, managers)...); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
