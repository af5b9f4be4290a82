package http

import (
	"context"
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/deskrules"
)

func (s *Server) registerDeskRulesRoutes(get, post string) {
	rules := perm(academy.PermDeskRules)
	s.handle(get, "/admin/desk-rules", rules, s.deskRulesPage)
	s.handle(post, "/admin/desk-rules", rules, s.deskRulesSave)
	s.handle(get, "/admin/desk-rules/revisions/:rev", rules, s.deskRulesRevisionPage)
	s.handle(post, "/admin/desk-rules/revisions/:rev/restore", rules, s.deskRulesRestore)
	s.handle(get, "/api/v1/desk-rules", rules, s.apiDeskRules)
	s.handle(post, "/api/v1/desk-rules", rules, s.apiDeskRulesSave)
	s.handle(get, "/api/v1/desk-rules/revisions", rules, s.apiDeskRulesHistory)
	s.handle(get, "/api/v1/desk-rules/revisions/:rev", rules, s.apiDeskRulesRevision)
	s.handle(post, "/api/v1/desk-rules/revisions/:rev/restore", rules, s.apiDeskRulesRestore)
}

// rulesScope reads the ?site= (or form site) of a desk-rules request: ""
// for the company's rules, else a site that exists.
func (s *Server) rulesScope(c *fiber.Ctx) (string, error) {
	scope := strings.TrimSpace(c.Query("site", c.FormValue("site")))
	return scope, s.DeskRules.CheckScope(c.UserContext(), scope)
}

// deskRulesForm is the editor's state.
type deskRulesForm struct {
	Scope, ScopeName string
	Current          *deskrules.Revision
	// Base is the revision the text was started from, YAML the text.
	Base, YAML string
	Problems   []string
	// Diff is set on a checked text, before it is saved.
	Diff    []deskrules.DiffLine
	Checked bool
	History []*deskrules.Revision
	Names   map[string]string
	Sites   []*academy.Site
}

func (s *Server) deskRulesPage(c *fiber.Ctx) error {
	scope, err := s.rulesScope(c)
	if err != nil {
		return err
	}
	cur, err := s.DeskRules.Current(c.UserContext(), scope)
	if err != nil {
		return err
	}
	return s.deskRulesEditor(c, fiber.StatusOK, &deskRulesForm{Scope: scope, Current: cur, Base: cur.ID, YAML: cur.YAML})
}

// deskRulesEditor renders the editor with its history and the scopes.
func (s *Server) deskRulesEditor(c *fiber.Ctx, status int, f *deskRulesForm) error {
	ctx := c.UserContext()
	var err error
	if f.Current == nil {
		if f.Current, err = s.DeskRules.Current(ctx, f.Scope); err != nil {
			return err
		}
	}
	if f.History, err = s.DeskRules.History(ctx, f.Scope); err != nil {
		return err
	}
	if f.Sites, err = s.Accounts.Sites.ListSites(ctx); err != nil {
		return err
	}
	for _, site := range f.Sites {
		if site.ID == f.Scope {
			f.ScopeName = site.Name
		}
	}
	f.Names = map[string]string{}
	for _, r := range f.History {
		if err := s.addPeople(ctx, f.Names, r.Author); err != nil {
			return err
		}
	}
	lang := s.lang(c)
	for i, p := range f.Problems {
		f.Problems[i] = academy.MessageIn(lang, p)
	}
	pg := s.newPage(c, "desk_rules.title")
	pg.Data = f
	return s.renderStatus(c, status, "desk_rules", pg)
}

// deskRulesSave checks the text and shows what it changes ("check"), or
// saves it once checked ("save"). A text with problems comes back with
// them beside it, and nothing is saved.
func (s *Server) deskRulesSave(c *fiber.Ctx) error {
	scope, err := s.rulesScope(c)
	if err != nil {
		return err
	}
	f := &deskRulesForm{Scope: scope, Base: c.FormValue("base"), YAML: c.FormValue("yaml")}
	if _, problems := academy.ParseDeskRules("", []byte(f.YAML)); len(problems) > 0 {
		f.Problems = problems
		return s.deskRulesEditor(c, fiber.StatusBadRequest, f)
	}
	if c.FormValue("step") != "save" {
		cur, err := s.DeskRules.Current(c.UserContext(), scope)
		if err != nil {
			return err
		}
		f.Checked, f.Current, f.Diff = true, cur, deskrules.Diff(cur.YAML, f.YAML)
		return s.deskRulesEditor(c, fiber.StatusOK, f)
	}
	rev, err := s.DeskRules.Save(c.UserContext(), scope, f.Base, f.YAML, currentUser(c).ID)
	if err != nil {
		if academy.ErrorCode(err) == academy.ECONFLICT {
			f.Problems = []string{academy.ErrorMessage(err)}
			return s.deskRulesEditor(c, fiber.StatusConflict, f)
		}
		return err
	}
	if err := s.auditDeskRules(c, rev); err != nil {
		return err
	}
	return redirectFlash(c, deskRulesHref(scope), "desk_rules_saved")
}

func deskRulesHref(scope string) string {
	if scope == deskrules.Company {
		return "/admin/desk-rules"
	}
	return "/admin/desk-rules?site=" + scope
}

func (s *Server) auditDeskRules(c *fiber.Ctx, rev *deskrules.Revision) error {
	return s.Accounts.Audit.RecordAudit(c.UserContext(), &academy.AuditEvent{Actor: currentUser(c).ID, Action: academy.AuditDeskRulesSaved,
		Target: rev.Scope, IP: clientIP(c), Detail: rev.ID})
}

// revisionWithPrev reads a revision and the text it followed ("" for the
// first of its scope).
func (s *Server) revisionWithPrev(ctx context.Context, id string) (*deskrules.Revision, string, error) {
	rev, err := s.DeskRules.Store.FindRevision(ctx, id)
	if err != nil {
		return nil, "", err
	}
	if rev.Seq <= 1 {
		return rev, "", nil
	}
	prev, err := s.DeskRules.Store.FindRevision(ctx, deskrules.RevisionID(rev.Scope, rev.Seq-1))
	if err != nil {
		return nil, "", err
	}
	return rev, prev.YAML, nil
}

func (s *Server) deskRulesRevisionPage(c *fiber.Ctx) error {
	rev, prev, err := s.revisionWithPrev(c.UserContext(), c.Params("rev"))
	if err != nil {
		return err
	}
	head, _, err := s.DeskRules.Store.Head(c.UserContext(), rev.Scope)
	if err != nil {
		return err
	}
	names := map[string]string{}
	if err := s.addPeople(c.UserContext(), names, rev.Author); err != nil {
		return err
	}
	pg := s.newPage(c, "desk_rules.title")
	pg.Data = map[string]any{"Rev": rev, "Diff": deskrules.Diff(prev, rev.YAML), "InForce": head == rev.ID, "Names": names,
		"Back": deskRulesHref(rev.Scope)}
	return s.render(c, "desk_rules_revision", pg)
}

func (s *Server) deskRulesRestore(c *fiber.Ctx) error {
	back, err := s.restoreDeskRules(c)
	if err != nil {
		return err
	}
	return redirectFlash(c, deskRulesHref(back.Scope), "desk_rules_restored")
}

// restoreDeskRules saves the revision named in the path as the rules in
// force of its scope, audited, for the page and the API alike.
func (s *Server) restoreDeskRules(c *fiber.Ctx) (*deskrules.Revision, error) {
	rev, err := s.DeskRules.Store.FindRevision(c.UserContext(), c.Params("rev"))
	if err != nil {
		return nil, err
	}
	back, err := s.DeskRules.Restore(c.UserContext(), rev.Scope, rev.ID, currentUser(c).ID)
	if err != nil {
		return nil, err
	}
	return back, s.auditDeskRules(c, back)
}

func (s *Server) apiDeskRules(c *fiber.Ctx) error {
	scope, err := s.rulesScope(c)
	if err != nil {
		return err
	}
	cur, err := s.DeskRules.Current(c.UserContext(), scope)
	if err != nil {
		return err
	}
	return c.JSON(cur)
}

// apiDeskRulesSave saves {"yaml", "base"} as the scope's new revision;
// refused rules answer 400 with every problem in "problems".
func (s *Server) apiDeskRulesSave(c *fiber.Ctx) error {
	scope, err := s.rulesScope(c)
	if err != nil {
		return err
	}
	var in struct {
		YAML string `json:"yaml"`
		Base string `json:"base"`
	}
	if err := c.BodyParser(&in); err != nil {
		return academy.Errorf(academy.EINVALID, "body: 须为包含 yaml 和 base 的 JSON 对象 / a JSON object with yaml and base is expected")
	}
	rev, err := s.DeskRules.Save(c.UserContext(), scope, in.Base, in.YAML, currentUser(c).ID)
	var problems deskrules.Problems
	if errors.As(err, &problems) {
		lang := s.apiLang(c)
		list := make([]string, len(problems))
		for i, p := range problems {
			list[i] = academy.MessageIn(lang, p)
		}
		// The error's usual shape, with each problem on its own as well.
		var body apiError
		body.Error.Code, body.Error.Message = academy.EINVALID, strings.Join(list, "; ")
		return c.Status(fiber.StatusBadRequest).JSON(fiber.Map{"error": body.Error, "problems": list})
	}
	if err != nil {
		return err
	}
	if err := s.auditDeskRules(c, rev); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(rev)
}

func (s *Server) apiDeskRulesHistory(c *fiber.Ctx) error {
	scope, err := s.rulesScope(c)
	if err != nil {
		return err
	}
	list, err := s.DeskRules.History(c.UserContext(), scope)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"revisions": list})
}

func (s *Server) apiDeskRulesRevision(c *fiber.Ctx) error {
	rev, prev, err := s.revisionWithPrev(c.UserContext(), c.Params("rev"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"revision": rev, "diff": deskrules.Diff(prev, rev.YAML)})
}

func (s *Server) apiDeskRulesRestore(c *fiber.Ctx) error {
	back, err := s.restoreDeskRules(c)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(back)
}
