package http

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/roster"
)

// Content types a roster may be posted as, raw.
var rosterTypes = []string{"text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/octet-stream"}

// rosterFile reads the roster of a request: the multipart field "file",
// the web form's carried copy "data" (base64, from the plan page), or the
// raw body of an API request.
func rosterFile(c *fiber.Ctx) ([]byte, error) {
	if fh, err := c.FormFile("file"); err == nil {
		f, err := fh.Open()
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return io.ReadAll(io.LimitReader(f, bodyLimit+1))
	}
	if v := c.FormValue("data"); v != "" {
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return nil, academy.Errorf(academy.EINVALID, "file: 请重新选择文件 / choose the file again")
		}
		return b, nil
	}
	if isAPI(c) {
		mt, _, _ := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
		if !strings.HasPrefix(mt, "multipart/") && len(c.Body()) > 0 {
			for _, t := range rosterTypes {
				if mt == t {
					return bytes.Clone(c.Body()), nil
				}
			}
			return nil, academy.Errorf(academy.EINVALID, "file: 请以 multipart 的 file 字段，或以 text/csv、XLSX 类型的请求体上传 / send the roster as the multipart field \"file\" or as a body of type text/csv or %s", rosterTypes[1])
		}
	}
	return nil, academy.Errorf(academy.EINVALID, "file: 请选择花名册文件（CSV 或 XLSX）/ choose the roster file (CSV or XLSX)")
}

// queryFlag reads a yes/no query parameter.
func queryFlag(c *fiber.Ctx, name string, def bool) (bool, error) {
	switch c.Query(name) {
	case "":
		return def, nil
	case "1", "true":
		return true, nil
	case "0", "false":
		return false, nil
	}
	return false, academy.Errorf(academy.EINVALID, "%s: 应为 1 或 0 / must be 1 or 0", name)
}

type rosterResponse struct {
	Applied bool         `json:"applied"`
	Plan    *roster.Plan `json:"plan"`
	Error   *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

// apiImportUsers plans a roster (?dry_run=1, the default) or applies it
// (?apply=1 or ?dry_run=0); ?sync=1 disables the people it leaves out.
func (s *Server) apiImportUsers(c *fiber.Ctx) error {
	dry, err := queryFlag(c, "dry_run", true)
	if err != nil {
		return err
	}
	apply, err := queryFlag(c, "apply", false)
	if err != nil {
		return err
	}
	sync, err := queryFlag(c, "sync", false)
	if err != nil {
		return err
	}
	if apply && c.Query("dry_run") != "" && dry {
		return academy.Errorf(academy.EINVALID, "apply: 不能同时要求 dry_run=1 和 apply=1 / dry_run=1 and apply=1 contradict each other")
	}
	write := apply || !dry
	data, err := rosterFile(c)
	if err != nil {
		return err
	}
	f, err := roster.Read(data)
	if err != nil {
		return err
	}
	r := &roster.Roster{Accounts: s.Accounts}
	do := r.Plan
	if write {
		do = r.Apply
	}
	p, err := do(c.UserContext(), f, roster.Options{Sync: sync, Actor: actor(c)})
	if p == nil {
		return err
	}
	lang := s.apiLang(c)
	for _, it := range p.Items {
		for i := range it.Problems {
			it.Problems[i].Message = academy.MessageIn(lang, it.Problems[i].Message)
		}
		for i := range it.Notes {
			it.Notes[i] = academy.MessageIn(lang, it.Notes[i])
		}
	}
	res := rosterResponse{Applied: write && err == nil, Plan: p}
	if err != nil {
		code := academy.ErrorCode(err)
		if code == academy.EINTERNAL || code == academy.EUNAVAILABLE {
			return err
		}
		res.Error = &struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		}{code, academy.MessageIn(lang, academy.ErrorMessage(err))}
		return c.Status(codeStatus[code]).JSON(res)
	}
	return c.JSON(res)
}

// rosterView is the import page: the form, then the plan or the result.
type rosterView struct {
	Sync    bool
	Data    string // the file, carried from the plan to the confirmation
	Plan    *roster.Plan
	Rows    []rosterRow
	Applied bool
	Links   []rosterLink
}

type rosterRow struct {
	Line    int
	Action  string
	Name    string
	Account string
	Details []string
}

type rosterLink struct {
	Name, Username, URL string
}

func (s *Server) adminUserImportPage(c *fiber.Ctx) error {
	p := s.newPage(c, "roster.title")
	p.Data = rosterView{}
	return s.render(c, "user_import", p)
}

// adminUserImport shows the plan of an uploaded roster, or, confirmed
// (step=apply), applies it and lists the set-password links.
func (s *Server) adminUserImport(c *fiber.Ctx) error {
	p := s.newPage(c, "roster.title")
	v := rosterView{Sync: c.FormValue("sync") == "1"}
	p.Data = v
	data, err := rosterFile(c)
	if err != nil {
		p.Error = academy.ErrorMessage(err)
		return s.renderStatus(c, fiber.StatusBadRequest, "user_import", p)
	}
	f, err := roster.Read(data)
	if err != nil {
		p.Error = academy.ErrorMessage(err)
		return s.renderStatus(c, fiber.StatusBadRequest, "user_import", p)
	}
	r := &roster.Roster{Accounts: s.Accounts}
	do := r.Plan
	apply := c.FormValue("step") == "apply"
	if apply {
		do = r.Apply
	}
	plan, err := do(c.UserContext(), f, roster.Options{Sync: v.Sync, Actor: actor(c)})
	if plan == nil || (err != nil && academy.ErrorCode(err) != academy.EINVALID && academy.ErrorCode(err) != academy.ECONFLICT) {
		return err
	}
	status := fiber.StatusOK
	if err != nil {
		p.Error, status = academy.ErrorMessage(err), codeStatus[academy.ErrorCode(err)]
	}
	v.Plan, v.Applied, v.Data = plan, apply && err == nil, base64.StdEncoding.EncodeToString(data)
	if v.Rows, err = s.rosterRows(c, p.Lang, plan); err != nil {
		return err
	}
	for _, it := range plan.Items {
		if it.Link != "" {
			v.Links = append(v.Links, rosterLink{Name: it.Name, Username: it.Username, URL: c.BaseURL() + "/set-password/" + it.Link})
		}
	}
	if v.Applied {
		p.Flash = "flash.roster_applied"
	}
	p.Data = v
	return s.renderStatus(c, status, "user_import", p)
}

// rosterRows says each item in the reader's words: field labels, role
// and site names, refusals in the reader's language.
func (s *Server) rosterRows(c *fiber.Ctx, lang string, plan *roster.Plan) ([]rosterRow, error) {
	sites, err := s.Accounts.Sites.ListSites(c.UserContext())
	if err != nil {
		return nil, err
	}
	siteName := map[string]string{}
	for _, st := range sites {
		siteName[st.ID] = st.Name
	}
	names := func(field, v string) string {
		if v == "" {
			return "—"
		}
		var out []string
		for _, x := range strings.Split(v, ",") {
			switch field {
			case roster.FieldRoles, "status":
				key := "role." + x
				if field == "status" {
					key = "status." + x
				}
				out = append(out, s.locales.T(lang, key))
			case roster.FieldSites:
				if n := siteName[x]; n != "" {
					x = n
				}
				out = append(out, x)
			default:
				out = append(out, x)
			}
		}
		return strings.Join(out, "、")
	}
	var rows []rosterRow
	for _, it := range plan.Items {
		row := rosterRow{Line: it.Line, Action: it.Action, Name: it.Name, Account: it.Username}
		for _, d := range it.Changes {
			row.Details = append(row.Details, s.locales.T(lang, "field."+d.Field)+"："+names(d.Field, d.Old)+" → "+names(d.Field, d.New))
		}
		for _, pr := range it.Problems {
			row.Details = append(row.Details, pr.Column+"："+academy.MessageIn(lang, pr.Message))
		}
		for _, n := range it.Notes {
			row.Details = append(row.Details, academy.MessageIn(lang, n))
		}
		rows = append(rows, row)
	}
	return rows, nil
}

type setPasswordView struct {
	Token string
	Name  string
}

// setPasswordPage asks the holder of a set-password link for a password.
func (s *Server) setPasswordPage(c *fiber.Ctx) error {
	u, err := s.Accounts.PasswordLinkUser(c.UserContext(), c.Params("token"))
	if err != nil {
		return err
	}
	p := s.newPage(c, "setpw.title")
	p.Data = setPasswordView{Token: c.Params("token"), Name: u.DisplayName}
	return s.render(c, "set_password", p)
}

func (s *Server) setPasswordSubmit(c *fiber.Ctx) error {
	token := c.Params("token")
	u, err := s.Accounts.PasswordLinkUser(c.UserContext(), token)
	if err != nil {
		return err
	}
	p := s.newPage(c, "setpw.title")
	p.Data = setPasswordView{Token: token, Name: u.DisplayName}
	// Said here in both languages and without field names: the page has
	// two fields and the refusal stands above them.
	pw := c.FormValue("password")
	switch {
	case utf8.RuneCountInString(pw) < academy.MinPasswordLength:
		p.Error = fmt.Sprintf("密码至少 %d 个字符 / The password needs at least %d characters.", academy.MinPasswordLength, academy.MinPasswordLength)
	case pw != c.FormValue("confirm_password"):
		p.Error = "两次输入的密码不一致 / The two passwords differ."
	}
	if p.Error != "" {
		return s.renderStatus(c, fiber.StatusBadRequest, "set_password", p)
	}
	if _, err := s.Accounts.SetPasswordByLink(c.UserContext(), token, c.FormValue("password"), c.IP()); err != nil {
		if academy.ErrorCode(err) != academy.EINVALID {
			return err
		}
		_, p.Error, _ = strings.Cut(academy.ErrorMessage(err), ": ")
		return s.renderStatus(c, fiber.StatusBadRequest, "set_password", p)
	}
	return redirectFlash(c, "/login", "password_set")
}
