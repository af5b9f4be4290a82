package http

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/worklogin"
)

// WorkLogin is company sign-in through the web login of a company chat
// platform (企业微信, 钉钉, 飞书): the employee number (工号) the platform
// holds for the person finds their account.
type WorkLogin struct {
	Provider worklogin.Provider
	// CreateSite and CreateRole, both set, open an account for a person
	// the platform knows and no account matches.
	CreateSite, CreateRole string
	// States keeps each sign-in's state until the platform sends the
	// person back, where every instance finds it, and gives it out once.
	States StateStore
}

// workPlatforms are the platforms a WorkLogin may be for, in the order
// of the login page, with their names in messages; their routes are there
// whether set up or not, answering "not set up" when not.
var workPlatforms = []signInWay{
	{key: "wecom", zh: "企业微信", en: "WeCom"},
	{key: "dingtalk", zh: "钉钉", en: "DingTalk"},
	{key: "feishu", zh: "飞书", en: "Feishu"},
}

// workLogin is the sign-in set up for platform w, nil when there is none,
// and w with its state store.
func (s *Server) workLogin(w signInWay) (*WorkLogin, signInWay) {
	for _, wl := range s.WorkLogins {
		if wl.Provider.Key() == w.key {
			w.states = wl.States
			return wl, w
		}
	}
	return nil, w
}

// callbackURL is where the platform sends the person back: it must be
// registered with the platform.
func (s *Server) callbackURL(w signInWay) string {
	return strings.TrimRight(s.PublicURL, "/") + w.callbackPath()
}

// workStart sends the person to the platform's login page.
func (s *Server) workStart(platform signInWay) fiber.Handler {
	return func(c *fiber.Ctx) error {
		wl, w := s.workLogin(platform)
		if wl == nil {
			return w.notSetUp()
		}
		return s.leaveForSignIn(c, w, signInState{Next: safeNext(c.Query("next"))}, func(state string) string {
			return wl.Provider.AuthURL(s.callbackURL(w), state)
		})
	}
}

// workCallback asks the platform whom its code names and signs in the
// account with their employee number.
func (s *Server) workCallback(platform signInWay) fiber.Handler {
	return func(c *fiber.Ctx) error {
		wl, w := s.workLogin(platform)
		if wl == nil {
			return w.notSetUp()
		}
		return s.backFromSignIn(c, w, func(st signInState, code string) error {
			p, err := wl.Provider.Identify(c.UserContext(), code, s.callbackURL(w))
			if err != nil {
				msg := w.refused()
				if e := (*worklogin.Error)(nil); errors.As(err, &e) && e.Down {
					msg = w.unreachable()
				}
				// The platform's errors name the call and its code, never
				// a secret or token.
				return s.signInRefused(c, w, clip(err.Error(), 300), msg)
			}
			return s.signInAs(c, w, academy.ClaimLogin{Field: academy.ClaimEmployeeNo, Value: p.EmployeeNo, Name: p.Name, Email: p.Email,
				CreateSite: wl.CreateSite, CreateRole: wl.CreateRole}, st.Next)
		})
	}
}
