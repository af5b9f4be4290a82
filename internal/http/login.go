package http

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"

	"github.com/academy/academy/internal/academy"
)

// Login throttling: failed attempts per address and per username within a
// window. Successful logins do not count. The counts live in Deps.Throttle,
// the database, so that instances behind a load balancer share them; the
// limiter counts afresh when it cannot read them (an outage must not lock
// everyone out), and counts from instances that fail at the same moment
// may overwrite each other, so the limit holds approximately.
const (
	loginWindow          = 15 * time.Minute
	loginFailuresPerIP   = 30
	loginFailuresPerUser = 10
)

func (s *Server) loginLimiters() []fiber.Handler {
	reached := func(c *fiber.Ctx) error {
		wait := loginWindow
		if sec, err := strconv.Atoi(string(c.Response().Header.Peek(fiber.HeaderRetryAfter))); err == nil {
			wait = time.Duration(sec) * time.Second
		}
		mins := int(wait.Round(time.Minute) / time.Minute)
		if mins < 1 {
			mins = 1
		}
		return s.loginFailed(c, academy.Errorf(academy.ETOOMANY,
			"登录失败次数过多,请 %d 分钟后再试 / Too many failed logins; try again in %d minutes.", mins, mins))
	}
	return []fiber.Handler{
		limiter.New(limiter.Config{
			Max: loginFailuresPerIP, Expiration: loginWindow, SkipSuccessfulRequests: true, Storage: s.Throttle,
			KeyGenerator: func(c *fiber.Ctx) string { return "ip:" + c.IP() },
			LimitReached: reached,
		}),
		limiter.New(limiter.Config{
			Max: loginFailuresPerUser, Expiration: loginWindow, SkipSuccessfulRequests: true, Storage: s.Throttle,
			KeyGenerator: func(c *fiber.Ctx) string { return "user:" + academy.UserID(loginUsername(c)) },
			LimitReached: reached,
		}),
	}
}

// loginUsername reads the username from a form or JSON login body.
func loginUsername(c *fiber.Ctx) string {
	if strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEApplicationJSON) {
		var body struct {
			Username string `json:"username"`
		}
		_ = json.Unmarshal(c.Body(), &body)
		return body.Username
	}
	return c.FormValue("username")
}

// loginFailed renders the error at once: the limiters look at the response
// status to tell failures from successes, so it must be set before they see
// it.
//
// A database outage is not a failed login: returned unrendered, the error
// passes the limiters with the status still unset (counted as a success)
// and the outer error middleware answers 503, so an outage does not lock
// everyone out once it is over.
func (s *Server) loginFailed(c *fiber.Ctx, err error) error {
	if academy.ErrorCode(err) == academy.EUNAVAILABLE {
		return err
	}
	if isAPI(c) {
		return s.handleError(c, err)
	}
	p := s.newPage(c, "login.title")
	p.Error = academy.ErrorMessage(err)
	p.Data = map[string]any{"Username": c.FormValue("username"), "Next": safeNext(c.FormValue("next"))}
	return s.renderStatus(c, codeStatus[academy.ErrorCode(err)], "login", p)
}

func (s *Server) loginPage(c *fiber.Ctx) error {
	if currentUser(c) != nil {
		return c.Redirect(safeNext(c.Query("next")), fiber.StatusSeeOther)
	}
	p := s.newPage(c, "login.title")
	p.Data = map[string]any{"Next": safeNext(c.Query("next"))}
	return s.render(c, "login", p)
}

func (s *Server) loginSubmit(c *fiber.Ctx) error {
	sess, token, _, err := s.Accounts.Login(c.UserContext(), c.FormValue("username"), c.FormValue("password"), academy.SessionWeb, c.IP())
	if err != nil {
		return s.loginFailed(c, err)
	}
	// A new token on every login: a session id planted before login is
	// never promoted (no session fixation).
	s.setSessionCookie(c, token, sess)
	return c.Redirect(safeNext(c.FormValue("next")), fiber.StatusSeeOther)
}

func (s *Server) logoutSubmit(c *fiber.Ctx) error {
	if sess := currentSession(c); sess != nil {
		if err := s.Accounts.Logout(c.UserContext(), sess, c.IP()); err != nil {
			return err
		}
	}
	s.clearSessionCookie(c)
	return c.Redirect("/login", fiber.StatusSeeOther)
}

// safeNext keeps post-login redirects on this site.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if next == "" || err != nil || u.IsAbs() || u.Host != "" || !strings.HasPrefix(u.Path, "/") ||
		strings.HasPrefix(next, "//") || strings.Contains(next, `\`) || strings.HasPrefix(u.Path, "/login") {
		return "/home"
	}
	return next
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type loginResponse struct {
	Token     string        `json:"token"`
	ExpiresAt time.Time     `json:"expires_at"`
	User      *academy.User `json:"user"`
}

func (s *Server) apiLogin(c *fiber.Ctx) error {
	var req loginRequest
	if err := decodeJSON(c, &req); err != nil {
		return s.loginFailed(c, err)
	}
	if strings.TrimSpace(req.Username) == "" {
		return s.loginFailed(c, academy.Errorf(academy.EINVALID, "username: required"))
	}
	if req.Password == "" {
		return s.loginFailed(c, academy.Errorf(academy.EINVALID, "password: required"))
	}
	if err := academy.CheckIdent(academy.IdentUsername, "username", strings.TrimSpace(req.Username)); err != nil {
		return s.loginFailed(c, err)
	}
	sess, token, u, err := s.Accounts.Login(c.UserContext(), req.Username, req.Password, academy.SessionAPI, c.IP())
	if err != nil {
		return s.loginFailed(c, err)
	}
	return c.JSON(loginResponse{Token: token, ExpiresAt: sess.ExpiresAt, User: u})
}

func (s *Server) apiLogout(c *fiber.Ctx) error {
	if err := s.Accounts.Logout(c.UserContext(), currentSession(c), c.IP()); err != nil {
		return err
	}
	if via, _ := c.Locals(localViaCookie).(bool); via {
		s.clearSessionCookie(c)
	}
	return c.SendStatus(fiber.StatusNoContent)
}
