package http

import (
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/academy/academy/internal/academy"
)

// homeData holds one panel per role the user holds, in a fixed order, so a
// person with several roles sees each of their jobs.
type homeData struct {
	Panels []string
	Sites  []*academy.Site
	People []*academy.User // trainer/manager: the people on their sites
	Total  int
	Audit  []*academy.AuditEvent
	// Assigned are the learner's assigned courses, soonest due first.
	Assigned []courseCard
	// Overdue are the open live tickets past their SLA on a manager's sites.
	Overdue []academy.TicketSummary
	// Certs are the learner's programs that need attention or just paid
	// off: newly issued, expiring, expired.
	Certs []academy.Standing
}

// certNoticeFor is how long a new certificate is announced on the home page.
const certNoticeFor = 14 * 24 * time.Hour

func (s *Server) home(c *fiber.Ctx) error {
	u := currentUser(c)
	ctx := c.UserContext()
	d := homeData{}
	for _, r := range []string{academy.RoleAdmin, academy.RoleManager, academy.RoleTrainer, academy.RoleAgent, academy.RoleTrainee} {
		if slices.Contains(u.Roles, r) {
			d.Panels = append(d.Panels, r)
		}
	}
	sites, err := s.Accounts.Sites.ListSites(ctx)
	if err != nil {
		return err
	}
	for _, site := range sites {
		if u.IsAdmin() || slices.Contains(u.Sites, site.ID) {
			d.Sites = append(d.Sites, site)
		}
	}
	if slices.Contains(u.Roles, academy.RoleManager) || slices.Contains(u.Roles, academy.RoleTrainer) {
		for _, site := range u.Sites {
			people, total, err := s.Accounts.Users.ListUsers(ctx, academy.UserFilter{Site: site, Role: academy.RoleTrainee, Limit: 20})
			if err != nil {
				return err
			}
			d.People = append(d.People, people...)
			d.Total += total
		}
	}
	if s.Authz.Can(u, "", academy.PermLearn) {
		p, err := s.Learning.Progress.FindProgress(ctx, u.ID)
		if err != nil {
			return err
		}
		cards, err := s.cards(c, u, s.Catalog.Snapshot(), p)
		if err != nil {
			return err
		}
		for _, card := range cards {
			if card.Due != nil {
				d.Assigned = append(d.Assigned, card)
			}
		}
		slices.SortFunc(d.Assigned, func(a, b courseCard) int { return a.Due.Compare(*b.Due) })
		standings, err := s.Certifier.Standings(ctx, u)
		if err != nil {
			return err
		}
		now := s.Certifier.Now()
		for _, st := range standings {
			fresh := st.Status == academy.CertValid && now.Sub(st.Current.IssuedAt) < certNoticeFor
			if fresh || st.Status == academy.CertExpiring || st.Status == academy.CertExpired || st.Status == academy.CertRevoked {
				d.Certs = append(d.Certs, st)
			}
		}
	}
	if slices.Contains(u.Roles, academy.RoleManager) {
		for _, site := range u.Sites {
			w, err := s.Desk.Open(ctx, site)
			if err != nil {
				return err
			}
			open, err := s.Desk.List(ctx, w, academy.TicketFilter{Open: true}, actor(c))
			if err != nil {
				return err
			}
			for _, t := range open {
				if t.Overdue(w.Now) {
					d.Overdue = append(d.Overdue, t)
				}
			}
		}
	}
	if s.Authz.Can(u, "", academy.PermAuditRead) {
		d.Audit, _, err = s.Accounts.Audit.ListAudit(ctx, academy.AuditFilter{Limit: 8})
		if err != nil {
			return err
		}
	}
	p := s.newPage(c, "home.title")
	p.Data = d
	return s.render(c, "home", p)
}
