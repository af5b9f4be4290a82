package http

import (
	"net/url"

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
	p.Data = map[string]any{"Events": events, "Total": total, "Filter": f,
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
