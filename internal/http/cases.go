package http

import (
	"github.com/gofiber/fiber/v2"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/content"
)

// closedTicket is a closed live ticket a trainer may turn into a case.
type closedTicket struct {
	Site string
	academy.TicketSummary
}

func (s *Server) casesPage(c *fiber.Ctx) error {
	u := currentUser(c)
	ctx := c.UserContext()
	all, err := s.Cases.ListCases(ctx)
	if err != nil {
		return err
	}
	// A trainer sees the cases of the sites they train on: a draft may
	// still hold what the scrubber missed.
	var cases []*academy.TrainingCase
	for _, tc := range all {
		if s.Authz.Can(u, tc.Site, academy.PermCases) {
			cases = append(cases, tc)
		}
	}
	sites, err := s.Accounts.Sites.ListSites(ctx)
	if err != nil {
		return err
	}
	var closed []closedTicket
	for _, site := range sites {
		if !s.Authz.Can(u, site.ID, academy.PermCases) {
			continue
		}
		list, err := s.Desk.Live.ListTickets(ctx, site.ID, academy.TicketFilter{})
		if err != nil {
			return err
		}
		for _, t := range list {
			if p := academy.ProcedureOf(t.Type); p != nil && p.State(t.State).Terminal && len(closed) < 50 {
				// Only the type, number and date show here: the title may
				// carry names, and a trainer sees the case once scrubbed.
				t.Title = ""
				closed = append(closed, closedTicket{site.ID, t})
			}
		}
	}
	pg := s.newPage(c, "cases.title")
	names := map[string]string{}
	for _, site := range sites {
		names[site.ID] = site.Name
	}
	pg.Data = map[string]any{"Cases": cases, "Closed": closed, "Sites": names}
	return s.render(c, "cases", pg)
}

func (s *Server) makeCase(c *fiber.Ctx, site, id string) (*academy.TrainingCase, error) {
	// Another site's ticket is answered like a missing one: a trainer
	// learns nothing about sites they do not train on.
	if !s.Authz.Can(currentUser(c), site, academy.PermCases) {
		return nil, academy.TicketNotFound(id, site)
	}
	t, err := s.Desk.Live.FindTicket(c.UserContext(), site, id)
	if err != nil {
		return nil, err
	}
	dir, err := s.Desk.Live.FindDirectory(c.UserContext(), site)
	if err != nil {
		return nil, err
	}
	tc, err := academy.Anonymize(t, dir, "case-"+academy.NewToken()[:10], currentUser(c).ID, s.Desk.Now())
	if err != nil {
		return nil, err
	}
	if err := s.Cases.InsertCase(c.UserContext(), tc); err != nil {
		return nil, err
	}
	return tc, nil
}

func (s *Server) caseCreate(c *fiber.Ctx) error {
	tc, err := s.makeCase(c, c.FormValue("site"), c.FormValue("ticket"))
	if err != nil {
		return err
	}
	return redirectFlash(c, "/author/cases/"+tc.ID, "case_created")
}

// findCase reads the case of the route, if the caller trains on its site;
// another site's case is answered like a missing one.
func (s *Server) findCase(c *fiber.Ctx) (*academy.TrainingCase, error) {
	tc, err := s.Cases.FindCase(c.UserContext(), c.Params("id"))
	if err != nil {
		return nil, err
	}
	if !s.Authz.Can(currentUser(c), tc.Site, academy.PermCases) {
		return nil, academy.CaseNotFound(c.Params("id"))
	}
	return tc, nil
}

func (s *Server) casePage(c *fiber.Ctx) error {
	tc, err := s.findCase(c)
	if err != nil {
		return err
	}
	pg := s.newPage(c, "cases.title")
	pg.Data = map[string]any{"Case": tc, "P": academy.ProcedureOf(tc.Type)}
	return s.render(c, "case", pg)
}

func (s *Server) apiCreateCase(c *fiber.Ctx) error {
	tc, err := s.makeCase(c, c.Params("ws"), c.Params("id"))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(tc)
}

// caseScenario downloads a scenario file drafted from a training case.
func (s *Server) caseScenario(c *fiber.Ctx) error {
	tc, err := s.findCase(c)
	if err != nil {
		return err
	}
	sc := academy.ScenarioFromCase(tc)
	b, err := content.ScenarioYAML(sc)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/yaml; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+sc.Slug+`.yaml"`)
	return c.Send(b)
}
