package http

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/academy/academy/internal/academy"
)

type usersData struct {
	Users  []*academy.User
	Total  int
	Filter academy.UserFilter
	Sites  []*academy.Site
	Pager  pager
}

// pager describes the links of a paginated listing.
type pager struct {
	Offset, Limit, Total int
	PrevURL, NextURL     string
}

func newPager(base url.Values, path string, offset, limit, total int) pager {
	p := pager{Offset: offset, Limit: limit, Total: total}
	link := func(off int) string {
		q := url.Values{}
		for k, v := range base {
			if v[0] != "" {
				q[k] = v
			}
		}
		q.Set("offset", strconv.Itoa(off))
		return path + "?" + q.Encode()
	}
	if offset > 0 {
		p.PrevURL = link(max(0, offset-limit))
	}
	if offset+limit < total {
		p.NextURL = link(offset + limit)
	}
	return p
}

func userFilter(c *fiber.Ctx) academy.UserFilter {
	f := academy.UserFilter{Site: c.Query("site"), Role: c.Query("role"), Query: c.Query("q"),
		Offset: c.QueryInt("offset"), Limit: c.QueryInt("limit", 25)}
	f.Offset, f.Limit = academy.ClampPage(f.Offset, f.Limit)
	return f
}

func (s *Server) adminUsers(c *fiber.Ctx) error {
	f := userFilter(c)
	users, total, err := s.Accounts.Users.ListUsers(c.UserContext(), f)
	if err != nil {
		return err
	}
	sites, err := s.Accounts.Sites.ListSites(c.UserContext())
	if err != nil {
		return err
	}
	p := s.newPage(c, "users.title")
	p.Data = usersData{Users: maskedPhones(users), Total: total, Filter: f, Sites: sites,
		Pager: newPager(url.Values{"site": {f.Site}, "role": {f.Role}, "q": {f.Query}}, "/admin/users", f.Offset, f.Limit, total)}
	return s.render(c, "users", p)
}

type userFormData struct {
	Form  *academy.User
	Sites []*academy.Site
	Audit []auditRow
	// Errors holds the refusal beside the field it names.
	Errors map[string]string
}

// userFields are the form fields a refusal can be shown beside; a
// refusal naming another field is shown at the top of the page.
var userFields = []string{"username", "display_name", "legal_name", "employee_no", "phone", "email", "department",
	"position", "hire_date", "leave_date", "roles", "sites", "lang", "status", "password", "confirm_password"}

func (s *Server) userForm(c *fiber.Ctx, status int, tmpl string, u *academy.User, errMsg string) error {
	sites, err := s.Accounts.Sites.ListSites(c.UserContext())
	if err != nil {
		return err
	}
	d := userFormData{Form: u, Sites: sites, Errors: map[string]string{}}
	p := s.newPage(c, "users.title")
	if u.ID != "" && tmpl == "user" {
		events, _, err := s.Accounts.Audit.ListAudit(c.UserContext(), academy.AuditFilter{Target: u.ID, Limit: 20})
		if err != nil {
			return err
		}
		if d.Audit, err = s.auditRows(c.UserContext(), p.Lang, events); err != nil {
			return err
		}
	}
	// Beside its field the refusal needs no field name.
	if field, msg, ok := strings.Cut(errMsg, ": "); ok && slices.Contains(userFields, field) {
		d.Errors[field] = academy.MessageIn(p.Lang, msg)
	} else {
		p.Error = errMsg
	}
	p.Data = d
	return s.renderStatus(c, status, tmpl, p)
}

func (s *Server) adminUserNew(c *fiber.Ctx) error {
	return s.userForm(c, fiber.StatusOK, "user_new", &academy.User{Roles: []string{academy.RoleTrainee}}, "")
}

func formList(c *fiber.Ctx, key string) []string {
	var out []string
	for _, v := range c.Request().PostArgs().PeekMulti(key) {
		out = append(out, string(v))
	}
	if mf, err := c.MultipartForm(); err == nil {
		out = append(out, mf.Value[key]...)
	}
	return out
}

func (s *Server) adminUserCreate(c *fiber.Ctx) error {
	u := &academy.User{
		Username:    c.FormValue("username"),
		DisplayName: c.FormValue("display_name"),
		LegalName:   c.FormValue("legal_name"),
		EmployeeNo:  c.FormValue("employee_no"),
		Phone:       c.FormValue("phone"),
		Email:       c.FormValue("email"),
		Department:  c.FormValue("department"),
		Position:    c.FormValue("position"),
		HireDate:    academy.Date(c.FormValue("hire_date")),
		LeaveDate:   academy.Date(c.FormValue("leave_date")),
		Roles:       formList(c, "roles"),
		Sites:       formList(c, "sites"),
		Lang:        c.FormValue("lang"),
	}
	pw := c.FormValue("password")
	if pw != c.FormValue("confirm_password") {
		return s.userForm(c, fiber.StatusBadRequest, "user_new", u, "confirm_password: 两次输入的密码不一致 / the passwords do not match")
	}
	if err := s.Accounts.CreateUser(c.UserContext(), actor(c), u, pw); err != nil {
		if code := academy.ErrorCode(err); code == academy.EINVALID || code == academy.ECONFLICT {
			return s.userForm(c, codeStatus[code], "user_new", u, academy.ErrorMessage(err))
		}
		return err
	}
	return redirectFlash(c, "/admin/users/"+url.PathEscape(u.ID), "user_created")
}

func (s *Server) adminUser(c *fiber.Ctx) error {
	u, err := s.Accounts.Users.FindUser(c.UserContext(), c.Params("username"))
	if err != nil {
		return err
	}
	return s.userForm(c, fiber.StatusOK, "user", u, "")
}

// adminUserAction runs an admin change and shows the user page again, with
// the error in place when the input was refused.
func (s *Server) adminUserAction(c *fiber.Ctx, flash string, do func(username string) error) error {
	name := c.Params("username")
	u, err := s.Accounts.Users.FindUser(c.UserContext(), name)
	if err != nil {
		return err
	}
	if err := do(u.ID); err != nil {
		if academy.ErrorCode(err) == academy.EINVALID {
			return s.userForm(c, fiber.StatusBadRequest, "user", u, academy.ErrorMessage(err))
		}
		return err
	}
	return redirectFlash(c, "/admin/users/"+url.PathEscape(u.ID), flash)
}

// adminUserSave saves the person form: every field of the record at once.
// A refused form comes back as it was typed, the refusal beside its field.
func (s *Server) adminUserSave(c *fiber.Ctx) error {
	u, err := s.Accounts.Users.FindUser(c.UserContext(), c.Params("username"))
	if err != nil {
		return err
	}
	text := func(key string) *string { v := c.FormValue(key); return &v }
	// Unticking every box is a choice (no sites), not "keep".
	ch := academy.UserChange{Roles: nonNilList(formList(c, "roles")), Sites: nonNilList(formList(c, "sites")),
		DisplayName: text("display_name"), LegalName: text("legal_name"), EmployeeNo: text("employee_no"),
		Phone: text("phone"), Email: text("email"), Department: text("department"), Position: text("position"),
		HireDate: text("hire_date"), LeaveDate: text("leave_date"), Lang: text("lang")}
	if _, err := s.Accounts.ChangeUser(c.UserContext(), actor(c), u.ID, ch); err != nil {
		if code := academy.ErrorCode(err); code == academy.EINVALID || code == academy.ECONFLICT {
			return s.userForm(c, codeStatus[code], "user", ch.Apply(u), academy.ErrorMessage(err))
		}
		return err
	}
	return redirectFlash(c, "/admin/users/"+url.PathEscape(u.ID), "user_saved")
}

func nonNilList(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

func (s *Server) adminUserStatus(c *fiber.Ctx) error {
	return s.adminUserAction(c, "status_saved", func(id string) error {
		_, err := s.Accounts.SetStatus(c.UserContext(), actor(c), id, c.FormValue("status"))
		return err
	})
}

func (s *Server) adminUserPassword(c *fiber.Ctx) error {
	return s.adminUserAction(c, "password_reset", func(id string) error {
		if c.FormValue("password") != c.FormValue("confirm_password") {
			return academy.Errorf(academy.EINVALID, "confirm_password: 两次输入的密码不一致 / the passwords do not match")
		}
		return s.Accounts.ResetPassword(c.UserContext(), actor(c), id, c.FormValue("password"))
	})
}

type listResponse[T any] struct {
	Items  []T `json:"items"`
	Total  int `json:"total"`
	Offset int `json:"offset"`
	Limit  int `json:"limit"`
}

func (s *Server) apiListUsers(c *fiber.Ctx) error {
	f := userFilter(c)
	users, total, err := s.Accounts.Users.ListUsers(c.UserContext(), f)
	if err != nil {
		return err
	}
	return c.JSON(listResponse[*academy.User]{Items: maskedPhones(users), Total: total, Offset: f.Offset, Limit: f.Limit})
}

// maskedPhones copies users with their phone numbers masked: a list shows
// them so, and the full number is read one person at a time (personal
// data, seen only on purpose).
func maskedPhones(users []*academy.User) []*academy.User {
	out := make([]*academy.User, len(users))
	for i, u := range users {
		masked := *u
		masked.Phone = academy.MaskPhone(u.Phone)
		out[i] = &masked
	}
	return out
}

type createUserRequest struct {
	Username    string   `json:"username"`
	DisplayName string   `json:"display_name"`
	LegalName   string   `json:"legal_name"`
	EmployeeNo  string   `json:"employee_no"`
	Phone       string   `json:"phone"`
	Email       string   `json:"email"`
	Department  string   `json:"department"`
	Position    string   `json:"position"`
	HireDate    string   `json:"hire_date"`
	LeaveDate   string   `json:"leave_date"`
	Roles       []string `json:"roles"`
	Sites       []string `json:"sites"`
	Lang        string   `json:"lang"`
	Password    string   `json:"password"`
}

func (s *Server) apiCreateUser(c *fiber.Ctx) error {
	var req createUserRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u := &academy.User{Username: req.Username, DisplayName: req.DisplayName, LegalName: req.LegalName,
		EmployeeNo: req.EmployeeNo, Phone: req.Phone, Email: req.Email, Department: req.Department, Position: req.Position,
		HireDate: academy.Date(req.HireDate), LeaveDate: academy.Date(req.LeaveDate),
		Roles: req.Roles, Sites: req.Sites, Lang: req.Lang}
	if err := s.Accounts.CreateUser(c.UserContext(), actor(c), u, req.Password); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(u)
}

func (s *Server) apiGetUser(c *fiber.Ctx) error {
	u, err := s.Accounts.Users.FindUser(c.UserContext(), c.Params("username"))
	if err != nil {
		return err
	}
	return c.JSON(u)
}

// patchUserRequest is a change of an account: an absent or null field
// stays as it is, "" clears a text or date.
type patchUserRequest struct {
	Roles       []string `json:"roles"`
	Sites       []string `json:"sites"`
	Status      *string  `json:"status"`
	LegalName   *string  `json:"legal_name"`
	DisplayName *string  `json:"display_name"`
	EmployeeNo  *string  `json:"employee_no"`
	Phone       *string  `json:"phone"`
	Email       *string  `json:"email"`
	Department  *string  `json:"department"`
	Position    *string  `json:"position"`
	HireDate    *string  `json:"hire_date"`
	LeaveDate   *string  `json:"leave_date"`
	Lang        *string  `json:"lang"`
}

// apiPatchUser changes several things of an account at once; the domain
// checks them all before it writes any.
func (s *Server) apiPatchUser(c *fiber.Ctx) error {
	var req patchUserRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := s.Accounts.ChangeUser(c.UserContext(), actor(c), c.Params("username"), academy.UserChange{
		Roles: req.Roles, Sites: req.Sites, Status: req.Status, LegalName: req.LegalName, DisplayName: req.DisplayName,
		EmployeeNo: req.EmployeeNo, Phone: req.Phone, Email: req.Email, Department: req.Department, Position: req.Position,
		HireDate: req.HireDate, LeaveDate: req.LeaveDate, Lang: req.Lang})
	if err != nil {
		return err
	}
	return c.JSON(u)
}

func (s *Server) apiResetPassword(c *fiber.Ctx) error {
	var req struct {
		Password string `json:"password"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := s.Accounts.ResetPassword(c.UserContext(), actor(c), c.Params("username"), req.Password); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
