package http

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/academy/academy/internal/academy"
)

const (
	sessionCookie = "academy_session"
	langCookie    = "academy_lang"

	localUser      = "user"
	localSession   = "session"
	localViaCookie = "via_cookie"
	localAuthErr   = "auth_err"
)

func currentUser(c *fiber.Ctx) *academy.User {
	u, _ := c.Locals(localUser).(*academy.User)
	return u
}

func currentSession(c *fiber.Ctx) *academy.Session {
	s, _ := c.Locals(localSession).(*academy.Session)
	return s
}

func actor(c *fiber.Ctx) academy.Actor {
	a := academy.Actor{IP: clientIP(c)}
	if u := currentUser(c); u != nil {
		a.Username = u.ID
	}
	return a
}

// authenticate resolves the bearer token or session cookie to a user. It
// never refuses by itself: routes decide through require, so that public
// pages work with a stale cookie.
func (s *Server) authenticate(c *fiber.Ctx) error {
	token, viaCookie := "", false
	if h := c.Get(fiber.HeaderAuthorization); h != "" {
		scheme, t, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(t) == "" {
			c.Locals(localAuthErr, academy.Errorf(academy.EUNAUTHORIZED, "Authorization 请求头须为“Bearer <令牌>” / Authorization header must be \"Bearer <token>\""))
			return c.Next()
		}
		token = strings.TrimSpace(t)
	} else if v := c.Cookies(sessionCookie); v != "" {
		token, viaCookie = v, true
	}
	if token == "" {
		return c.Next()
	}
	sess, u, err := s.Accounts.Authenticate(c.UserContext(), token)
	switch academy.ErrorCode(err) {
	case "":
		c.Locals(localUser, u)
		c.Locals(localSession, sess)
		c.Locals(localViaCookie, viaCookie)
	case academy.EUNAUTHORIZED:
		c.Locals(localAuthErr, err)
		if viaCookie {
			s.clearSessionCookie(c)
		}
	default:
		return err
	}
	return c.Next()
}

func (s *Server) setSessionCookie(c *fiber.Ctx, token string, sess *academy.Session) {
	c.Cookie(&fiber.Cookie{
		Name:     sessionCookie,
		Value:    token,
		Path:     "/",
		Expires:  sess.ExpiresAt,
		HTTPOnly: true,
		Secure:   c.Protocol() == "https",
		SameSite: fiber.CookieSameSiteLaxMode,
	})
}

func (s *Server) clearSessionCookie(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{
		Name: sessionCookie, Value: "", Path: "/", Expires: time.Unix(0, 0), MaxAge: -1,
		HTTPOnly: true, Secure: c.Protocol() == "https", SameSite: fiber.CookieSameSiteLaxMode,
	})
}
