package http

import (
	"context"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/content"
)

// programTemplate starts a new program's form.
const programTemplate = `name: 
description: 
validity_months: 12
grants: []
requirements:
  courses: []
  quizzes: []
  scenarios: []
recert:
  quizzes: []
`

func (s *Server) registerProgramRoutes(get, post string) {
	progs := perm(academy.PermPrograms)
	s.handle(get, "/admin/programs", progs, s.adminPrograms)
	s.handle(get, "/admin/programs/:slug", progs, s.adminProgram)
	s.handle(post, "/admin/programs", progs, s.adminProgramSave)
}

func (s *Server) adminPrograms(c *fiber.Ctx) error {
	snap := s.Catalog.Snapshot()
	var list []*academy.Program
	for _, p := range snap.Programs {
		list = append(list, p)
	}
	slices.SortFunc(list, func(a, b *academy.Program) int { return strings.Compare(a.Slug, b.Slug) })
	pg := s.newPage(c, "programs.title")
	pg.Data = map[string]any{"Programs": list}
	return s.render(c, "programs", pg)
}

// programForm is the edit page's state.
type programForm struct {
	Slug  string
	YAML  string
	IsNew bool
}

func (s *Server) adminProgram(c *fiber.Ctx) error {
	slug := c.Params("slug")
	f := programForm{IsNew: slug == "new", YAML: programTemplate}
	if !f.IsNew {
		f.Slug = slug
		p := s.Catalog.Snapshot().Programs[slug]
		if p == nil {
			return academy.Errorf(academy.ENOTFOUND, "认证项目 %q 不存在 / program %q not found", slug, slug)
		}
		b, err := content.ProgramYAML(p)
		if err != nil {
			return err
		}
		f.YAML = string(b)
	}
	return s.programPage(c, fiber.StatusOK, f, "")
}

func (s *Server) programPage(c *fiber.Ctx, status int, f programForm, problem string) error {
	pg := s.newPage(c, "programs.edit")
	pg.Error = problem
	pg.Data = f
	return s.renderStatus(c, status, "program", pg)
}

// adminProgramSave checks the YAML against the content in force and saves
// it; any problem comes back on the form with the text as typed.
func (s *Server) adminProgramSave(c *fiber.Ctx) error {
	f := programForm{Slug: strings.TrimSpace(c.FormValue("slug")), YAML: c.FormValue("yaml"), IsNew: c.FormValue("new") == "1"}
	snap := s.Catalog.Snapshot()
	if f.IsNew && snap.Programs[f.Slug] != nil {
		return s.programPage(c, fiber.StatusConflict, f, "slug: 已有同名认证项目 / A program "+f.Slug+" already exists.")
	}
	if !f.IsNew && snap.Programs[f.Slug] == nil {
		return academy.Errorf(academy.ENOTFOUND, "认证项目 %q 不存在 / program %q not found", f.Slug, f.Slug)
	}
	if len(f.YAML) > 64<<10 {
		return s.programPage(c, fiber.StatusBadRequest, f, "yaml: 最多 64 KB / At most 64 KB.")
	}
	p, problems := content.ReadProgram(f.Slug, []byte(f.YAML), "yaml")
	if len(problems) > 0 {
		msgs := make([]string, len(problems))
		for i, pr := range problems {
			// Each problem is bilingual: pick the half before joining.
			msgs[i] = academy.MessageIn(s.lang(c), pr.String())
		}
		return s.programPage(c, fiber.StatusBadRequest, f, strings.Join(msgs, "；"))
	}
	courses, quizzes, scenarios := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, cc := range snap.Active {
		courses[cc.Slug] = true
	}
	for _, q := range snap.ActiveQuizzes {
		quizzes[q.Slug] = true
	}
	for _, sc := range snap.ActiveScenarios {
		scenarios[sc.Slug] = true
	}
	if err := s.Library.SaveProgram(c.UserContext(), p, s.Programs, courses, quizzes, scenarios); err != nil {
		if academy.ErrorCode(err) == academy.EINVALID {
			return s.programPage(c, fiber.StatusBadRequest, f, academy.ErrorMessage(err))
		}
		return err
	}
	u := currentUser(c)
	if err := s.Accounts.Audit.RecordAudit(c.UserContext(), &academy.AuditEvent{Actor: u.ID, Action: academy.AuditProgramSaved,
		Target: p.Slug, IP: clientIP(c), Detail: p.Hash}); err != nil {
		return err
	}
	// Show the saved program at once rather than after the next refresh.
	if err := s.Catalog.Refresh(context.WithoutCancel(c.UserContext()), false); err != nil {
		return err
	}
	return redirectFlash(c, "/admin/programs", "program_saved")
}
