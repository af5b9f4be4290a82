package http

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/academy/academy/internal/academy"
)

// Access is what a route requires. Every route declares one when it is
// registered; the access matrix test reads them back through Routes.
type Access struct {
	Public    bool   // anyone, no session needed
	Perm      string // "" with Public false: any logged-in user
	SiteParam string // route parameter naming the site the permission applies to
	// Workspace routes act on the desk named by the :ws parameter: a live
	// site needs PermTickets there; a sandbox needs PermSandbox and must be
	// the caller's own (anyone else's is reported as not found).
	Workspace bool
	// Oversee lets a manager of the live site in too, as DeskManager:
	// the routes that read its tickets or act on one.
	Oversee bool
}

var (
	public    = Access{Public: true}
	loggedIn  = Access{}
	workspace = Access{Workspace: true}
	oversee   = Access{Workspace: true, Oversee: true}
)

func perm(p string) Access { return Access{Perm: p} }

// Route is one registered route with its declared access.
type Route struct {
	Method string
	Path   string
	Access Access
}

// Routes lists every registered route.
func (s *Server) Routes() []Route { return s.routes }

func (s *Server) handle(method, path string, acc Access, h fiber.Handler) {
	s.routes = append(s.routes, Route{Method: method, Path: path, Access: acc})
	s.app.Add(method, path, checkParams(path), s.require(acc), h)
}

// paramIdents gives the shape of every route parameter; a route with a
// parameter missing here does not start, so none goes unchecked.
var paramIdents = map[string]paramRule{
	"username": {ident: academy.IdentUsername},
	"ws":       {ident: academy.IdentWorkspace},
	"site":     {ident: academy.IdentSite},
	"slug":     {ident: academy.IdentSlug},
	"lesson":   {ident: academy.IdentSlug},
	"format":   {ident: academy.IdentSlug},
	"id":       {ident: academy.IdentRecord},
	"rid":      {ident: academy.IdentRecord},
	"qid":      {ident: academy.IdentQuestion},
	"n":        {ident: academy.IdentNumber},
	"rev":      {ident: academy.IdentRecord},
	// Certificate numbers and status lists are looked up in public by
	// people and verifiers, whose answer for a number that names nothing
	// is "not found", whatever its shape.
	"number": {ident: academy.IdentCertificate, notFound: "没有这个编号的证书 / No certificate has this number."},
	"list":   {ident: academy.IdentNumber, notFound: "没有这份撤销清单 / No such revocation list."},
	// A set-password link's token: a malformed one is as dead as a used one.
	"token": {ident: academy.IdentRecord, notFound: "链接无效、已用过或已过期，请向管理员索取新链接 / This link is invalid, used or expired; ask an admin for a new one."},
}

type paramRule struct {
	ident    academy.Ident
	notFound string // the 404 message, for a parameter answered "not found"
}

// checkParams refuses, before access is decided or anything is read, a
// request whose path parameters cannot name anything: 400 naming the
// parameter (404 where noted above), whoever asks. A well-formed id that
// names nothing stays the handler's 404. (The asset wildcard is a file
// name looked up in memory.)
func checkParams(path string) fiber.Handler {
	var names []string
	for _, seg := range strings.Split(path, "/") {
		if name, ok := strings.CutPrefix(seg, ":"); ok {
			if _, known := paramIdents[name]; !known {
				panic("route " + path + ": no shape for parameter :" + name)
			}
			names = append(names, name)
		}
	}
	return func(c *fiber.Ctx) error {
		for _, name := range names {
			// Judged as decoded, so that "%01" is the control character
			// it stands for.
			v, err := url.PathUnescape(c.Params(name))
			if err != nil {
				return academy.Errorf(academy.EINVALID, "%s: 须经过 URL 编码（%% 后跟两位十六进制数字） / must be URL-encoded (a %% followed by two hex digits)", name)
			}
			rule := paramIdents[name]
			if err := academy.CheckIdent(rule.ident, name, v); err != nil {
				if rule.notFound != "" {
					return academy.Errorf(academy.ENOTFOUND, "%s", rule.notFound)
				}
				return err
			}
		}
		return c.Next()
	}
}

// require is the single place where access is decided.
func (s *Server) require(acc Access) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if acc.Public {
			return c.Next()
		}
		u := currentUser(c)
		if u == nil {
			if err, ok := c.Locals(localAuthErr).(error); ok {
				return err
			}
			return academy.Errorf(academy.EUNAUTHORIZED, "请先登录 / Please log in.")
		}
		if acc.Workspace {
			return s.requireWorkspace(c, u, acc.Oversee)
		}
		if acc.Perm == "" {
			return c.Next()
		}
		site := ""
		if acc.SiteParam != "" {
			site = c.Params(acc.SiteParam)
		}
		if !s.Authz.Can(u, site, acc.Perm) {
			return academy.Errorf(academy.EFORBIDDEN, "您没有权限执行此操作 / You do not have permission to do this.")
		}
		return c.Next()
	}
}

const localWorkspace = "workspace"

// requireWorkspace decides access to a desk and loads it once for the
// handler. A manager of the site gets in where the route allows
// overseeing, and the domain then limits what they may do there.
func (s *Server) requireWorkspace(c *fiber.Ctx, u *academy.User, oversee bool) error {
	ws := c.Params("ws")
	role := academy.DeskAgent
	if academy.IsSandbox(ws) {
		if !s.Authz.Can(u, "", academy.PermSandbox) {
			return academy.Errorf(academy.EFORBIDDEN, "您没有权限使用演练环境 / You may not use sandboxes.")
		}
	} else if oversee && !s.Authz.Can(u, ws, academy.PermTickets) && s.Authz.Can(u, ws, academy.PermOversee) {
		role = academy.DeskManager
	} else if !s.Authz.Can(u, ws, academy.PermTickets) {
		if why := academy.RefusalReason(u, academy.RoleAgent, s.Certifier.Now(), s.zone(c)); why != "" {
			return academy.Errorf(academy.EFORBIDDEN, "%s", why)
		}
		return academy.Errorf(academy.EFORBIDDEN, "只有本项目的客服专员可以处理真实工单 / Only agents of this site may work its live tickets.")
	}
	w, err := s.Desk.Open(c.UserContext(), ws)
	if err != nil {
		return err
	}
	if w.Sandbox != nil && w.Sandbox.Owner != u.ID {
		return academy.Errorf(academy.ENOTFOUND, "演练环境不存在 / Sandbox %q not found.", ws)
	}
	w.Role = role
	c.Locals(localWorkspace, w)
	return c.Next()
}

func currentWorkspace(c *fiber.Ctx) *academy.Workspace {
	w, _ := c.Locals(localWorkspace).(*academy.Workspace)
	return w
}
