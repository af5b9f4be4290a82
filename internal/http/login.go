package http

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/academy/academy/internal/academy"
)

// Login throttling: failed logins (answered 401) are counted per client
// address, per account, and per account and address, within a window.
// Other answers do not count: a success, or a 400 for a username that no
// account can have. The counts live in Deps.Throttle, the database, so that
// instances behind a load balancer share them; a count that cannot be read
// is taken as none (an outage must not lock everyone out), and counts from
// instances that fail at the same moment may overwrite each other, so the
// limits hold approximately.
//
// An address is stopped after loginFailuresPerIP failures. An account is
// never locked for everyone, which would let anyone lock out anyone
// (the admin included) with wrong passwords: once it has had
// loginFailuresPerUser failures, each address may fail on it only
// loginFailuresOnBusyAccount times, so its owner, from an address that has
// not been guessing, still gets in.
const (
	loginWindow                = 15 * time.Minute
	loginFailuresPerIP         = 30
	loginFailuresPerUser       = 10
	loginFailuresOnBusyAccount = 3
)

// loginThrottle keeps the counts. A value is "<count> <expiry, Unix
// seconds>": the window runs from the first failure, and the expiry goes
// with the count so that each increment keeps it.
type loginThrottle struct{ store fiber.Storage }

// count returns the failures under key and when they lapse.
func (t loginThrottle) count(key string, now time.Time) (int, time.Time) {
	v, err := t.store.Get(key)
	if err != nil || v == nil {
		return 0, time.Time{}
	}
	var n int
	var exp int64
	if _, err := fmt.Sscanf(string(v), "%d %d", &n, &exp); err != nil || !now.Before(time.Unix(exp, 0)) {
		return 0, time.Time{}
	}
	return n, time.Unix(exp, 0)
}

// fail counts one failure under key.
func (t loginThrottle) fail(key string, now time.Time) {
	n, exp := t.count(key, now)
	if n == 0 {
		exp = now.Add(loginWindow).Truncate(time.Second)
	}
	_ = t.store.Set(key, []byte(fmt.Sprintf("%d %d", n+1, exp.Unix())), exp.Sub(now))
}

// throttleLogins refuses a login from an address, or on a busy account from
// an address, that has failed too often, and counts the failures.
func (s *Server) throttleLogins(c *fiber.Ctx) error {
	t, now, ip := loginThrottle{s.Throttle}, time.Now(), clientIP(c)
	keys := []string{"ip:" + ip}
	if n, until := t.count(keys[0], now); n >= loginFailuresPerIP {
		return s.tooManyLogins(c, until.Sub(now))
	}
	// A name that cannot be a username is refused by the handler with
	// 400 and is never counted: no key is made of it.
	if name := strings.TrimSpace(loginUsername(c)); academy.ValidUsername(name) {
		user := academy.UserID(name)
		pair := "user:" + user + "@" + ip
		keys = append(keys, "user:"+user, pair)
		if n, _ := t.count("user:"+user, now); n >= loginFailuresPerUser {
			if m, until := t.count(pair, now); m >= loginFailuresOnBusyAccount {
				return s.tooManyLogins(c, until.Sub(now))
			}
		}
	}
	err := c.Next()
	if c.Response().StatusCode() == fiber.StatusUnauthorized {
		for _, k := range keys {
			t.fail(k, now)
		}
	}
	return err
}

func (s *Server) tooManyLogins(c *fiber.Ctx, wait time.Duration) error {
	if wait < time.Second {
		wait = time.Second
	}
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(wait.Round(time.Second)/time.Second)))
	wait = max(wait.Round(time.Minute), time.Minute)
	return s.loginFailed(c, academy.Errorf(academy.ETOOMANY,
		"登录失败次数过多,请 %s后再试 / Too many failed logins; try again in %s.", s.locales.Duration("zh", wait), s.locales.Duration("en", wait)))
}

// loginUsername reads the username from a form or JSON login body.
func loginUsername(c *fiber.Ctx) string {
	if strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEApplicationJSON) {
		// A body the handler refuses names nobody: it never reaches a
		// password check.
		if req, err := decodeLogin(c); err == nil {
			return req.Username
		}
		return ""
	}
	return c.FormValue("username")
}

const localLogin = "login_request"

type decodedLogin struct {
	req loginRequest
	err error
}

// decodeLogin decodes a JSON login body once per request: the throttle
// needs the username before the handler runs, and reading it again there
// doubled the work of every login body and let the throttle read it more
// leniently than the handler does.
func decodeLogin(c *fiber.Ctx) (loginRequest, error) {
	if d, ok := c.Locals(localLogin).(*decodedLogin); ok {
		return d.req, d.err
	}
	d := &decodedLogin{}
	d.err = decodeJSON(c, &d.req)
	c.Locals(localLogin, d)
	return d.req, d.err
}

// loginFailed renders the error at once: the throttle looks at the response
// status to tell failures from the rest, so it must be set before it sees
// it.
//
// A database outage is not a failed login: returned unrendered, the error
// passes the throttle with the status still unset (not counted) and the
// outer error middleware answers 503, so an outage does not lock everyone
// out once it is over.
func (s *Server) loginFailed(c *fiber.Ctx, err error) error {
	if academy.ErrorCode(err) == academy.EUNAVAILABLE {
		return err
	}
	if isAPI(c) {
		return s.handleError(c, err)
	}
	p := s.newPage(c, "login.title")
	p.Error = academy.ErrorMessage(err)
	p.Data = map[string]any{"Username": c.FormValue("username"), "Next": safeNext(c.FormValue("next")), "SignIns": s.signInButtons(p.Lang)}
	return s.renderStatus(c, codeStatus[academy.ErrorCode(err)], "login", p)
}

func (s *Server) loginPage(c *fiber.Ctx) error {
	if currentUser(c) != nil {
		return c.Redirect(safeNext(c.Query("next")), fiber.StatusSeeOther)
	}
	p := s.newPage(c, "login.title")
	p.Data = map[string]any{"Next": safeNext(c.Query("next")), "SignIns": s.signInButtons(p.Lang)}
	return s.render(c, "login", p)
}

func (s *Server) loginSubmit(c *fiber.Ctx) error {
	sess, token, _, err := s.Accounts.Login(c.UserContext(), c.FormValue("username"), c.FormValue("password"), academy.SessionWeb, clientIP(c))
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
		if err := s.Accounts.Logout(c.UserContext(), sess, clientIP(c)); err != nil {
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
	req, err := decodeLogin(c)
	if err != nil {
		return s.loginFailed(c, err)
	}
	if strings.TrimSpace(req.Username) == "" {
		return s.loginFailed(c, academy.Errorf(academy.EINVALID, "username: 请填写用户名 / required"))
	}
	if req.Password == "" {
		return s.loginFailed(c, academy.Errorf(academy.EINVALID, "password: 请填写密码 / required"))
	}
	if err := academy.CheckIdent(academy.IdentUsername, "username", strings.TrimSpace(req.Username)); err != nil {
		return s.loginFailed(c, err)
	}
	sess, token, u, err := s.Accounts.Login(c.UserContext(), req.Username, req.Password, academy.SessionAPI, clientIP(c))
	if err != nil {
		return s.loginFailed(c, err)
	}
	return c.JSON(loginResponse{Token: token, ExpiresAt: sess.ExpiresAt, User: u})
}

func (s *Server) apiLogout(c *fiber.Ctx) error {
	if err := s.Accounts.Logout(c.UserContext(), currentSession(c), clientIP(c)); err != nil {
		return err
	}
	if via, _ := c.Locals(localViaCookie).(bool); via {
		s.clearSessionCookie(c)
	}
	return c.SendStatus(fiber.StatusNoContent)
}
