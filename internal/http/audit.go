package http

import (
	"cmp"
	"context"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/academy/academy/internal/academy"
)

func auditFilter(c *fiber.Ctx) academy.AuditFilter {
	f := academy.AuditFilter{Action: c.Query("action"), Actor: c.Query("actor"), Target: c.Query("target"),
		Offset: c.QueryInt("offset"), Limit: c.QueryInt("limit", 50)}
	f.Offset, f.Limit = academy.ClampPage(f.Offset, f.Limit)
	return f
}

func (s *Server) adminAudit(c *fiber.Ctx) error {
	f := auditFilter(c)
	events, total, err := s.Accounts.Audit.ListAudit(c.UserContext(), f)
	if err != nil {
		return err
	}
	p := s.newPage(c, "audit.title")
	rows, err := s.auditRows(c.UserContext(), p.Lang, events)
	if err != nil {
		return err
	}
	p.Data = map[string]any{"Events": rows, "Actions": academy.AuditActions, "Total": total, "Filter": f,
		"Pager": newPager(url.Values{"action": {f.Action}, "actor": {f.Actor}, "target": {f.Target}}, "/admin/audit", f.Offset, f.Limit, total)}
	return s.render(c, "audit", p)
}

func (s *Server) apiListAudit(c *fiber.Ctx) error {
	f := auditFilter(c)
	events, total, err := s.Accounts.Audit.ListAudit(c.UserContext(), f)
	if err != nil {
		return err
	}
	if events == nil {
		events = []*academy.AuditEvent{}
	}
	return c.JSON(listResponse[*academy.AuditEvent]{Items: events, Total: total, Offset: f.Offset, Limit: f.Limit})
}

// auditRow is an audit event as people read it: the action by its label,
// the actor and the people, sites, quizzes and programs it touched by
// their names. The raw event stays in the API and in the filters.
type auditRow struct {
	*academy.AuditEvent
	Label, Who, What, Note string
}

func (s *Server) auditRows(ctx context.Context, lang string, events []*academy.AuditEvent) ([]auditRow, error) {
	sites, err := s.siteNames(ctx)
	if err != nil {
		return nil, err
	}
	people := map[string]string{"": s.locales.T(lang, "audit.nobody")}
	snap := s.Catalog.Snapshot()
	rows := make([]auditRow, len(events))
	for i, ev := range events {
		if err := s.addPeople(ctx, people, ev.Actor); err != nil {
			return nil, err
		}
		r := auditRow{AuditEvent: ev, Label: ev.Action, Who: people[ev.Actor], What: ev.Target, Note: ev.Detail}
		if key := "audit.act." + ev.Action; s.locales.Defined(key) {
			r.Label = s.locales.T(lang, key)
		}
		// The fixed details (why a login failed, a session's kind) have
		// words; free ones (a reason typed, a name) are shown as written.
		if key := "audit.detail." + ev.Detail; s.locales.Defined(key) {
			r.Note = s.locales.T(lang, key)
		}
		site := func(id string) string {
			if n := sites[id]; n != "" {
				return n
			}
			return id
		}
		switch ev.Action {
		case academy.AuditSiteCreated, academy.AuditPhoneSearched:
			r.What = site(ev.Target)
		case academy.AuditPhoneRevealed:
			// The target is "<site>/<resident>"; the resident's name is the
			// event's detail.
			ws, _, _ := strings.Cut(ev.Target, "/")
			r.What = site(ws)
			if ev.Ticket != "" {
				r.What += " · " + s.locales.T(lang, "audit.ticket", ev.Ticket)
			}
		case academy.AuditExtraAttempt, academy.AuditCooldownReset:
			user, quiz, _ := strings.Cut(ev.Target, "/")
			if err := s.addPeople(ctx, people, user); err != nil {
				return nil, err
			}
			r.What = people[user]
			if q := snap.Quizzes[quiz]; q != nil {
				r.What += " · " + q.Title
			}
		case academy.AuditProgramSaved:
			if p := snap.Programs[ev.Target]; p != nil {
				r.What = p.Name
			}
		case academy.AuditCertIssued:
			// A certificate number is what people quote; the detail is
			// "<program> #<n>".
			if prog, n, ok := strings.Cut(ev.Detail, " #"); ok {
				r.Note = s.locales.T(lang, "audit.note.cert", cmp.Or(s.Catalog.Title("program", prog), prog), n)
			}
		case academy.AuditCertRevoked, academy.AuditCertReinstated:
		case academy.AuditUserCreated:
			// "roles=a,b sites=x,y", then the person's fields.
			if err := s.addPeople(ctx, people, ev.Target); err != nil {
				return nil, err
			}
			r.What = people[ev.Target]
			head, rest, _ := strings.Cut(ev.Detail, "; ")
			roles, siteList, ok := strings.Cut(strings.TrimPrefix(head, "roles="), " sites=")
			if ok {
				r.Note = s.locales.T(lang, "audit.note.created", s.roleWords(lang, roles), s.siteWords(lang, siteList, site))
				if rest != "" {
					r.Note += "; " + rest
				}
			}
		case academy.AuditRolesChanged:
			// "a,b@x,y -> c@z": roles on sites, before and after.
			if err := s.addPeople(ctx, people, ev.Target); err != nil {
				return nil, err
			}
			r.What = people[ev.Target]
			if before, after, ok := strings.Cut(ev.Detail, " -> "); ok {
				side := func(v string) string {
					roles, siteList, _ := strings.Cut(v, "@")
					return s.locales.T(lang, "audit.note.access", s.roleWords(lang, roles), s.siteWords(lang, siteList, site))
				}
				r.Note = side(before) + " → " + side(after)
			}
		default:
			// The other events are about an account.
			if err := s.addPeople(ctx, people, ev.Target); err != nil {
				return nil, err
			}
			r.What = people[ev.Target]
		}
		rows[i] = r
	}
	return rows, nil
}

// roleWords names a stored "a,b" list of roles in lang.
func (s *Server) roleWords(lang, list string) string {
	var out []string
	for _, r := range strings.Split(list, ",") {
		if r != "" {
			out = append(out, s.locales.T(lang, "role."+r))
		}
	}
	if len(out) == 0 {
		return "—"
	}
	return strings.Join(out, s.locales.T(lang, "list.sep"))
}

// siteWords names a stored "x,y" list of sites in lang; none is every site.
func (s *Server) siteWords(lang, list string, name func(string) string) string {
	var out []string
	for _, id := range strings.Split(list, ",") {
		if id != "" {
			out = append(out, name(id))
		}
	}
	if len(out) == 0 {
		return s.locales.T(lang, "sites.all")
	}
	return strings.Join(out, s.locales.T(lang, "list.sep"))
}
