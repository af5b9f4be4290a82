package http

import (
	"crypto/subtle"
	nethttp "net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/academy/academy/internal/academy"
)

// csrfField is the form field and csrfHeader the header that carry the
// session's CSRF token.
const (
	csrfField  = "_csrf"
	csrfHeader = "X-CSRF-Token"
)

var crossOrigin = nethttp.NewCrossOriginProtection()

// checkCSRF refuses state-changing requests that a browser sent from another
// origin (Go's CrossOriginProtection reads Sec-Fetch-Site and Origin, which
// covers the login form too), and, for requests authenticated by the session
// cookie, requires the session's token in the form or a header. Bearer-token
// API clients carry no ambient credentials and need no token.
func (s *Server) checkCSRF(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	req := &nethttp.Request{Method: c.Method(), Host: c.Hostname(), Header: nethttp.Header{}}
	for _, h := range []string{"Sec-Fetch-Site", "Origin"} {
		if v := c.Get(h); v != "" {
			req.Header.Set(h, v)
		}
	}
	if err := crossOrigin.Check(req); err != nil {
		return academy.Errorf(academy.EFORBIDDEN, "跨站请求已被拒绝 / Cross-site request refused.")
	}
	if via, _ := c.Locals(localViaCookie).(bool); via {
		sess := currentSession(c)
		got := c.Get(csrfHeader)
		if got == "" {
			got = c.FormValue(csrfField)
		}
		if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(sess.CSRF)) != 1 {
			return academy.Errorf(academy.EFORBIDDEN, "页面已过期,请刷新后重试 / The form has expired; reload the page and try again.")
		}
	}
	return c.Next()
}
