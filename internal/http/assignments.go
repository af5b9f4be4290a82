package http

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/academy/academy/internal/academy"
)

// outOfReach returns what of a u may not assign: its site for a role or
// rule assignment, or the first named person on none of u's sites; ""
// when u may manage a. A person who does not exist is out of reach like
// one of another site, so that the answer tells a manager nothing about
// other sites.
func (s *Server) outOfReach(c *fiber.Ctx, u *academy.User, a *academy.Assignment) (string, error) {
	if len(a.Target.People) == 0 {
		if !s.Authz.Can(u, a.Target.Site, academy.PermAssign) {
			return a.Target.Site, nil
		}
		return "", nil
	}
	for _, name := range a.Target.People {
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

// assignmentInput is the JSON of a new assignment. Numbers are pointers so
// that a 0 sent is told apart from one left out.
type assignmentInput struct {
	Kind   string `json:"kind"`
	Ref    string `json:"ref"`
	Target struct {
		People  []string `json:"people"`
		Role    string   `json:"role"`
		Site    string   `json:"site"`
		Rule    string   `json:"rule"`
		Days    *int     `json:"days"`
		Program string   `json:"program"`
	} `json:"target"`
	Due struct {
		Date          string `json:"date"` // YYYY-MM-DD, the end of that day counts
		DaysAfterHire *int   `json:"days_after_hire"`
	} `json:"due"`
	RecurMonths *int `json:"recur_months"`
}

// assignment turns the input into an assignment and checks its shape.
func (in assignmentInput) assignment() (*academy.Assignment, error) {
	a := &academy.Assignment{Kind: strings.TrimSpace(in.Kind), Ref: strings.TrimSpace(in.Ref),
		Target: academy.AssignTarget{Role: strings.TrimSpace(in.Target.Role), Site: strings.TrimSpace(in.Target.Site),
			Rule: strings.TrimSpace(in.Target.Rule), Program: strings.TrimSpace(in.Target.Program)}}
	for _, n := range academy.SplitList(strings.Join(in.Target.People, ",")) {
		if err := academy.CheckIdent(academy.IdentUsername, "target.people", n); err != nil {
			return nil, err
		}
		if id := academy.UserID(n); !slices.Contains(a.Target.People, id) {
			a.Target.People = append(a.Target.People, id)
		}
	}
	if in.Target.Days != nil {
		if a.Target.Days = *in.Target.Days; a.Target.Days < 1 {
			return nil, academy.Errorf(academy.EINVALID, "target.days: 须在 1 到 %d 天之间 / must be between 1 and %d days", academy.MaxAssignDays, academy.MaxAssignDays)
		}
	}
	if in.Due.DaysAfterHire != nil {
		if in.Due.Date != "" {
			return nil, academy.Errorf(academy.EINVALID, "due: 固定日期与入职后天数只能选一种 / give a date or days after hire, not both")
		}
		if a.Due.DaysAfterHire = *in.Due.DaysAfterHire; a.Due.DaysAfterHire < 1 {
			return nil, academy.Errorf(academy.EINVALID, "due.days_after_hire: 须在 1 到 %d 天之间 / must be between 1 and %d days", academy.MaxAssignDays, academy.MaxAssignDays)
		}
	}
	d, err := academy.ParseDate("due.date", in.Due.Date)
	if err != nil {
		return nil, err
	}
	a.Due.Date = d
	if in.RecurMonths != nil {
		a.RecurMonths = *in.RecurMonths
	}
	return a, a.Check()
}

// assignable reports whether the catalog offers kind ref to learners now.
func (s *Server) assignable(kind, ref string) bool {
	snap := s.Catalog.Snapshot()
	switch kind {
	case academy.AssignCourse:
		cc := snap.Course(ref)
		return cc != nil && cc.Status == academy.CourseActive
	case academy.AssignQuiz:
		return slices.ContainsFunc(snap.ActiveQuizzes, func(q *academy.Quiz) bool { return q.Slug == ref })
	case academy.AssignScenario:
		return slices.ContainsFunc(snap.ActiveScenarios, func(sc *academy.Scenario) bool { return sc.Slug == ref })
	case academy.AssignProgram:
		return slices.ContainsFunc(snap.ActivePrograms, func(p *academy.Program) bool { return p.Slug == ref })
	}
	return false
}

func (s *Server) createAssignment(c *fiber.Ctx, in assignmentInput) (*academy.Assignment, error) {
	u := currentUser(c)
	a, err := in.assignment()
	if err != nil {
		return nil, err
	}
	if !s.assignable(a.Kind, a.Ref) {
		zh := map[string]string{academy.AssignCourse: "课程", academy.AssignQuiz: "测验", academy.AssignScenario: "情景演练", academy.AssignProgram: "认证项目"}[a.Kind]
		return nil, academy.Errorf(academy.EINVALID, "ref: 没有可指派的%s %q / no %s %q open to assign", zh, a.Ref, a.Kind, a.Ref)
	}
	if p := a.Target.Program; p != "" && !s.assignable(academy.AssignProgram, p) {
		return nil, academy.Errorf(academy.EINVALID, "target.program: 没有认证项目 %q / no program %q", p, p)
	}
	a.CreatedBy, a.CreatedAt = u.ID, s.Library.Now()
	// A site or person that does not exist and one outside the caller's
	// sites get the same answer: the status and message must not tell a
	// manager what exists elsewhere.
	far, err := s.outOfReach(c, u, a)
	if err != nil {
		return nil, err
	}
	site := a.Target.Site
	if far == "" && site != "" {
		if _, err := s.Accounts.Sites.FindSite(c.UserContext(), site); academy.ErrorCode(err) == academy.ENOTFOUND {
			far = site
		} else if err != nil {
			return nil, err
		}
	}
	switch {
	case far != "" && site != "":
		return nil, academy.Errorf(academy.EINVALID, "target.site: 您负责的项目中没有 %q / No site %q among the sites you manage.", far, far)
	case far != "":
		return nil, academy.Errorf(academy.EINVALID, "target.people: 您负责的项目中没有用户 %q / No user %q on the sites you manage.", far, far)
	}
	if err := s.Assignments.CreateAssignment(c.UserContext(), a); err != nil {
		return nil, err
	}
	s.notifyAssigned(c.UserContext(), a)
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

// assignedTo returns u's standing on every assignment for u, the work not
// done first: overdue, then by due date.
func (s *Server) assignedTo(c *fiber.Ctx, u *academy.User) ([]academy.Assigned, error) {
	all, err := s.Assignments.ListAssignments(c.UserContext())
	if err != nil || len(all) == 0 {
		return nil, err
	}
	r, err := s.Certifier.Record(c.UserContext(), u.ID, academy.Programs(all))
	if err != nil {
		return nil, err
	}
	now, courses, loc := s.Certifier.Now(), s.Catalog.Courses(), s.Accounts.ZoneOf(c.UserContext(), u)
	var out []academy.Assigned
	for _, a := range all {
		if a.Targets(u, r, now, s.Certifier.Window, loc) {
			out = append(out, a.Assess(u, r, courses, now, s.Certifier.Window, loc))
		}
	}
	slices.SortStableFunc(out, dueOrder)
	return out, nil
}

// dueOrder puts work not done first, overdue before due, then the
// soonest due.
func dueOrder(a, b academy.Assigned) int {
	rank := func(x academy.Assigned) int {
		switch {
		case x.Overdue:
			return 0
		case !x.Done:
			return 1
		}
		return 2
	}
	return cmp.Or(cmp.Compare(rank(a), rank(b)), a.Due.Compare(b.Due))
}

// assignmentCounts is how the people of one assignment stand.
type assignmentCounts struct {
	Assignment           *academy.Assignment
	Done, Due, Overdue   int
	People               []academy.Assigned // in due order
	TargetSite, WorkName string
}

// overview assesses the people within u's reach on each of list.
func (s *Server) overview(c *fiber.Ctx, list []*academy.Assignment) ([]assignmentCounts, error) {
	u := currentUser(c)
	people, err := s.Accounts.Users.ListUsersOn(c.UserContext(), s.sitesWith(c, u, academy.PermAssign), "")
	if err != nil {
		return nil, err
	}
	ev, err := s.Certifier.GatherTeam(c.UserContext(), people)
	if err != nil {
		return nil, err
	}
	now, courses, window := s.Certifier.Now(), s.Catalog.Courses(), s.Certifier.Window
	records := make(map[string]academy.Record, len(people))
	for _, p := range people {
		records[p.ID] = ev.Record(p)
	}
	out := make([]assignmentCounts, len(list))
	for i, a := range list {
		k := assignmentCounts{Assignment: a, WorkName: s.Catalog.Title(a.Kind, a.Ref)}
		for _, p := range people {
			loc := s.Accounts.ZoneOf(c.UserContext(), p)
			if !a.Targets(p, records[p.ID], now, window, loc) {
				continue
			}
			st := a.Assess(p, records[p.ID], courses, now, window, loc)
			switch {
			case st.Overdue:
				k.Overdue++
			case st.Done:
				k.Done++
			default:
				k.Due++
			}
			k.People = append(k.People, st)
		}
		slices.SortStableFunc(k.People, dueOrder)
		out[i] = k
	}
	return out, nil
}

// assignmentForm is what the form last held, to show it again with an
// error.
type assignmentForm struct {
	Work, Target, Role, Site, Program, DueForm, DueDate string
	People                                              []string
	Days, DueDays, Recur                                string
}

func (s *Server) assignmentsPage(c *fiber.Ctx) error {
	return s.assignmentsForm(c, fiber.StatusOK, assignmentForm{Target: "people", DueForm: "date"}, "")
}

func (s *Server) assignmentsForm(c *fiber.Ctx, status int, f assignmentForm, errMsg string) error {
	list, err := s.visibleAssignments(c)
	if err != nil {
		return err
	}
	counts, err := s.overview(c, list)
	if err != nil {
		return err
	}
	sites, err := s.Accounts.Sites.ListSites(c.UserContext())
	if err != nil {
		return err
	}
	u := currentUser(c)
	sites = slices.DeleteFunc(sites, func(site *academy.Site) bool { return !s.Authz.Can(u, site.ID, academy.PermAssign) })
	ids := make([]string, len(sites))
	for i, site := range sites {
		ids[i] = site.ID
	}
	people, err := s.Accounts.Users.ListUsersOn(c.UserContext(), ids, "")
	if err != nil {
		return err
	}
	people = slices.DeleteFunc(people, func(p *academy.User) bool { return p.Status != academy.StatusActive })
	slices.SortFunc(people, func(a, b *academy.User) int { return cmp.Compare(a.DisplayName, b.DisplayName) })
	pg := s.newPage(c, "assign.title")
	pg.Error = errMsg
	// The list names work, people and sites, not their ids.
	names, err := s.siteNames(c.UserContext())
	if err != nil {
		return err
	}
	for _, a := range list {
		if err := s.addPeople(c.UserContext(), names, a.Target.People...); err != nil {
			return err
		}
	}
	snap := s.Catalog.Snapshot()
	pg.Data = map[string]any{"Counts": counts, "Snap": snap, "Sites": sites, "People": people, "Form": f, "Names": names}
	return s.renderStatus(c, status, "assignments", pg)
}

// formAssignment reads the web form into the API's input.
func formAssignment(c *fiber.Ctx) (assignmentForm, assignmentInput, error) {
	f := assignmentForm{Work: c.FormValue("work"), Target: c.FormValue("target"), Role: c.FormValue("role"), Site: c.FormValue("site"),
		Program: c.FormValue("program"), DueForm: c.FormValue("due_form"), DueDate: c.FormValue("due_date"),
		People: formList(c, "people"), Days: c.FormValue("days"), DueDays: c.FormValue("due_days"), Recur: c.FormValue("recur_months")}
	var in assignmentInput
	in.Kind, in.Ref, _ = strings.Cut(f.Work, ":")
	number := func(field, v string) (*int, error) {
		if v = strings.TrimSpace(v); v == "" {
			return nil, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, academy.Errorf(academy.EINVALID, "%s: 请填写整数 / %q is not a whole number", field, v)
		}
		return &n, nil
	}
	var err error
	switch f.Target {
	case "people":
		in.Target.People = f.People
	case "role":
		in.Target.Role, in.Target.Site = f.Role, f.Site
	case academy.RuleHiredWithin:
		in.Target.Rule, in.Target.Site = f.Target, f.Site
		if in.Target.Days, err = number("target.days", f.Days); err != nil {
			return f, in, err
		}
	case academy.RuleWithoutCert:
		in.Target.Rule, in.Target.Site, in.Target.Program = f.Target, f.Site, f.Program
	}
	if f.DueForm == "after_hire" {
		if in.Due.DaysAfterHire, err = number("due.days_after_hire", f.DueDays); err != nil {
			return f, in, err
		}
	} else {
		in.Due.Date = f.DueDate
	}
	in.RecurMonths, err = number("recur_months", f.Recur)
	return f, in, err
}

func (s *Server) assignmentCreate(c *fiber.Ctx) error {
	f, in, err := formAssignment(c)
	if err == nil {
		_, err = s.createAssignment(c, in)
	}
	if err != nil {
		if code := academy.ErrorCode(err); code == academy.EINVALID || code == academy.EFORBIDDEN {
			return s.assignmentsForm(c, codeStatus[code], f, academy.ErrorMessage(err))
		}
		return err
	}
	return redirectFlash(c, "/assignments", "assignment_created")
}

// findVisible returns the assignment of the id in the path if the user
// may manage it.
func (s *Server) findVisible(c *fiber.Ctx) (*academy.Assignment, error) {
	list, err := s.visibleAssignments(c)
	if err != nil {
		return nil, err
	}
	id := c.Params("id")
	if i := slices.IndexFunc(list, func(a *academy.Assignment) bool { return a.ID == id }); i >= 0 {
		return list[i], nil
	}
	return nil, academy.Errorf(academy.ENOTFOUND, "指派 %q 不存在 / assignment %q not found", id, id)
}

// assignmentPage lists who an assignment is for and how each stands.
func (s *Server) assignmentPage(c *fiber.Ctx) error {
	a, err := s.findVisible(c)
	if err != nil {
		return err
	}
	counts, err := s.overview(c, []*academy.Assignment{a})
	if err != nil {
		return err
	}
	names, err := s.siteNames(c.UserContext())
	if err != nil {
		return err
	}
	if err := s.addPeople(c.UserContext(), names, a.Target.People...); err != nil {
		return err
	}
	pg := s.newPage(c, "assign.people")
	pg.Data = map[string]any{"C": counts[0], "Names": names, "Now": s.Certifier.Now()}
	return s.render(c, "assignment", pg)
}

func (s *Server) deleteAssignment(c *fiber.Ctx) error {
	a, err := s.findVisible(c)
	if err != nil {
		return err
	}
	return s.Assignments.DeleteAssignment(c.UserContext(), a.ID)
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
