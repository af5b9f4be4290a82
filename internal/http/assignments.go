package http

import (
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/academy/academy/internal/academy"
)

// outOfReach returns what of a u may not assign: its site for a role
// assignment, or the first named user on none of u's sites; "" when u may
// manage a. A user who does not exist is out of reach like one of another
// site, so that the answer tells a manager nothing about other sites.
func (s *Server) outOfReach(c *fiber.Ctx, u *academy.User, a *academy.Assignment) (string, error) {
	if a.Site != "" {
		if !s.Authz.Can(u, a.Site, academy.PermAssign) {
			return a.Site, nil
		}
		return "", nil
	}
	for _, name := range a.Users {
		target, err := s.Accounts.Users.FindUser(c.UserContext(), name)
		if academy.ErrorCode(err) == academy.ENOTFOUND {
			return name, nil
		} else if err != nil {
			return "", err
		}
		if !slices.ContainsFunc(target.Sites, func(site string) bool { return s.Authz.Can(u, site, academy.PermAssign) }) && !u.IsAdmin() {
			return name, nil
		}
	}
	return "", nil
}

// assignmentInput is the form or JSON of a new assignment.
type assignmentInput struct {
	Course string   `json:"course"`
	Users  []string `json:"users"`
	Role   string   `json:"role"`
	Site   string   `json:"site"`
	Due    string   `json:"due"` // YYYY-MM-DD, end of that day counts
}

func (s *Server) createAssignment(c *fiber.Ctx, in assignmentInput) (*academy.Assignment, error) {
	u := currentUser(c)
	if err := academy.CheckIdent(academy.IdentSlug, "course", in.Course); err != nil {
		return nil, err
	}
	if cc := s.Catalog.Snapshot().Course(in.Course); cc == nil || cc.Status != academy.CourseActive {
		return nil, academy.Errorf(academy.EINVALID, "course: no course %q", in.Course)
	}
	// The due day ends at midnight where the work is done: on the site
	// assigned, else in the assigner's calendar.
	loc := s.zone(c)
	if site := strings.TrimSpace(in.Site); site != "" {
		loc = s.Accounts.SiteZone(c.UserContext(), site)
	}
	due, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(in.Due), loc)
	if err != nil {
		return nil, academy.Errorf(academy.EINVALID, "due: a date like 2026-12-31 is required")
	}
	a := &academy.Assignment{Course: in.Course, Users: academy.SplitList(strings.Join(in.Users, ",")),
		Role: strings.TrimSpace(in.Role), Site: strings.TrimSpace(in.Site),
		Due: due.Add(24*time.Hour - time.Second), CreatedBy: u.ID, CreatedAt: s.Library.Now()}
	for i, n := range a.Users {
		if err := academy.CheckIdent(academy.IdentUsername, "users", n); err != nil {
			return nil, err
		}
		a.Users[i] = academy.UserID(n)
	}
	switch {
	case len(a.Users) > 0 && (a.Role != "" || a.Site != ""):
		return nil, academy.Errorf(academy.EINVALID, "users: assign either to named users or to a role on a site, not both")
	case len(a.Users) == 0 && (a.Role == "" || a.Site == ""):
		return nil, academy.Errorf(academy.EINVALID, "role: name users, or choose both a role and a site")
	case a.Role != "" && !slices.Contains(academy.Roles, a.Role):
		return nil, academy.Errorf(academy.EINVALID, "role: unknown role %q", a.Role)
	}
	if a.Site != "" {
		if err := academy.CheckIdent(academy.IdentSite, "site", a.Site); err != nil {
			return nil, err
		}
	}
	// A site or user that does not exist and one outside the caller's
	// sites get the same answer: the status and message must not tell a
	// manager what exists elsewhere.
	far, err := s.outOfReach(c, u, a)
	if err != nil {
		return nil, err
	}
	if far == "" && a.Site != "" {
		if _, err := s.Accounts.Sites.FindSite(c.UserContext(), a.Site); academy.ErrorCode(err) == academy.ENOTFOUND {
			far = a.Site
		} else if err != nil {
			return nil, err
		}
	}
	switch {
	case far != "" && a.Site != "":
		return nil, academy.Errorf(academy.EINVALID, "site: 您负责的项目中没有 %q / No site %q among the sites you manage.", far, far)
	case far != "":
		return nil, academy.Errorf(academy.EINVALID, "users: 您负责的项目中没有用户 %q / No user %q on the sites you manage.", far, far)
	}
	if err := s.Assignments.CreateAssignment(c.UserContext(), a); err != nil {
		return nil, err
	}
	return a, nil
}

// visibleAssignments are those the user may manage.
func (s *Server) visibleAssignments(c *fiber.Ctx) ([]*academy.Assignment, error) {
	all, err := s.Assignments.ListAssignments(c.UserContext())
	if err != nil {
		return nil, err
	}
	u := currentUser(c)
	var out []*academy.Assignment
	for _, a := range all {
		if far, err := s.outOfReach(c, u, a); err == nil && far == "" {
			out = append(out, a)
		}
	}
	return out, nil
}

func (s *Server) assignmentsPage(c *fiber.Ctx) error {
	return s.assignmentsForm(c, fiber.StatusOK, assignmentInput{}, "")
}

func (s *Server) assignmentsForm(c *fiber.Ctx, status int, in assignmentInput, errMsg string) error {
	list, err := s.visibleAssignments(c)
	if err != nil {
		return err
	}
	sites, err := s.Accounts.Sites.ListSites(c.UserContext())
	if err != nil {
		return err
	}
	u := currentUser(c)
	sites = slices.DeleteFunc(sites, func(site *academy.Site) bool { return !s.Authz.Can(u, site.ID, academy.PermAssign) })
	pg := s.newPage(c, "assign.title")
	pg.Error = errMsg
	// The list names courses, people and sites, not their ids.
	names, err := s.siteNames(c.UserContext())
	if err != nil {
		return err
	}
	for _, a := range list {
		if err := s.addPeople(c.UserContext(), names, a.Users...); err != nil {
			return err
		}
	}
	pg.Data = map[string]any{"Assignments": list, "Courses": s.Catalog.Snapshot().Active, "Sites": sites, "Form": in,
		"Now": s.Library.Now(), "Names": names}
	return s.renderStatus(c, status, "assignments", pg)
}

func (s *Server) assignmentCreate(c *fiber.Ctx) error {
	in := assignmentInput{Course: c.FormValue("course"), Users: []string{c.FormValue("users")}, Role: c.FormValue("role"),
		Site: c.FormValue("site"), Due: c.FormValue("due")}
	if c.FormValue("target") == "users" {
		in.Role, in.Site = "", ""
	} else {
		in.Users = nil
	}
	if _, err := s.createAssignment(c, in); err != nil {
		if code := academy.ErrorCode(err); code == academy.EINVALID || code == academy.EFORBIDDEN {
			return s.assignmentsForm(c, codeStatus[code], in, academy.ErrorMessage(err))
		}
		return err
	}
	return redirectFlash(c, "/assignments", "assignment_created")
}

func (s *Server) deleteAssignment(c *fiber.Ctx) error {
	list, err := s.visibleAssignments(c)
	if err != nil {
		return err
	}
	id := c.Params("id")
	if !slices.ContainsFunc(list, func(a *academy.Assignment) bool { return a.ID == id }) {
		return academy.Errorf(academy.ENOTFOUND, "assignment %q not found", id)
	}
	return s.Assignments.DeleteAssignment(c.UserContext(), id)
}

func (s *Server) assignmentDelete(c *fiber.Ctx) error {
	if err := s.deleteAssignment(c); err != nil {
		return err
	}
	return redirectFlash(c, "/assignments", "assignment_deleted")
}

func (s *Server) apiAssignments(c *fiber.Ctx) error {
	list, err := s.visibleAssignments(c)
	if err != nil {
		return err
	}
	if list == nil {
		list = []*academy.Assignment{}
	}
	return c.JSON(fiber.Map{"items": list, "total": len(list)})
}

func (s *Server) apiCreateAssignment(c *fiber.Ctx) error {
	var in assignmentInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	a, err := s.createAssignment(c, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(a)
}

func (s *Server) apiDeleteAssignment(c *fiber.Ctx) error {
	if err := s.deleteAssignment(c); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
