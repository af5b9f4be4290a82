package http

import (
	"crypto/subtle"
	"encoding/json"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/academy/academy/internal/academy"
)

// This file is the part of company sign-in that every way of it shares
// (OpenID Connect, 企业微信, 钉钉, 飞书): the person leaves for the
// provider with a single-use state tied to their browser, comes back with
// an answer that must carry that state, and is signed in as the account
// the provider's word names, or refused with a reason that is audited.

// signInWay is one way of company sign-in. Its key names its routes
// (/login/KEY, /login/KEY/callback), its state cookie and its records in
// the audit log.
type signInWay struct {
	key string
	// zh and en name the way in messages: "企业微信" / "WeCom".
	zh, en string
	states StateStore
}

const (
	// signInStateTTL bounds the time between leaving for the provider and
	// coming back.
	signInStateTTL = 10 * time.Minute
	// maxState and maxCode bound what a callback may carry; providers'
	// values are far shorter.
	maxState = 128
	maxCode  = 2048
)

func (w signInWay) path() string         { return "/login/" + w.key }
func (w signInWay) callbackPath() string { return w.path() + "/callback" }

// cookie ties the answer to the browser that asked: a callback carrying
// someone else's state (login CSRF) is refused.
func (w signInWay) cookie() string { return "academy_" + w.key + "_state" }

// stateKey is where a state's values are kept: under its hash, so that
// the store holds nothing a callback could be forged from.
func (w signInWay) stateKey(state string) string { return w.key + ":" + academy.HashToken(state) }

// enTitle is the English name at the start of a sentence.
func (w signInWay) enTitle() string { return strings.ToUpper(w.en[:1]) + w.en[1:] }

func (w signInWay) notSetUp() error {
	return academy.Errorf(academy.ENOTFOUND, "本站未启用%s登录 / %s sign-in is not set up on this site.", w.zh, w.enTitle())
}

func (w signInWay) unreachable() error {
	return academy.Errorf(academy.EUNAVAILABLE, "暂时无法连接%s登录服务,请稍后再试或使用密码登录 / The %s sign-in service cannot be reached; try again later or log in with your password.", w.zh, w.en)
}

// refused is the answer to an answer that does not hold: a bad code, a
// token that does not verify, a platform's error.
func (w signInWay) refused() error {
	return academy.Errorf(academy.EUNAUTHORIZED, "%s登录失败:无法确认登录凭证,请重试 / %s sign-in failed: the sign-in could not be confirmed; please try again.", w.zh, w.enTitle())
}

// signInState is what a sign-in keeps server-side while the person is
// away; Nonce and Verifier are OpenID Connect's.
type signInState struct {
	Nonce    string `json:"nonce,omitempty"`
	Verifier string `json:"verifier,omitempty"`
	Next     string `json:"next"`
}

// leaveForSignIn keeps st under a new state, ties that state to this
// browser and sends the person to the provider's address for it.
func (s *Server) leaveForSignIn(c *fiber.Ctx, w signInWay, st signInState, to func(state string) string) error {
	state := academy.NewToken()
	b, _ := json.Marshal(st)
	if err := w.states.Set(w.stateKey(state), b, signInStateTTL); err != nil {
		s.Logger.Warn("company sign-in: state not stored", "via", w.key, "err", err)
		return academy.Errorf(academy.EUNAVAILABLE, "暂时无法开始%s登录,请稍后再试 / %s sign-in cannot start right now; try again shortly.", w.zh, w.enTitle())
	}
	c.Cookie(&fiber.Cookie{
		Name: w.cookie(), Value: state, Path: w.path(), MaxAge: int(signInStateTTL / time.Second),
		// Lax: the provider's redirect back is a top-level GET from
		// another site, which must carry it.
		HTTPOnly: true, Secure: c.Protocol() == "https", SameSite: fiber.CookieSameSiteLaxMode,
	})
	return c.Redirect(to(state), fiber.StatusSeeOther)
}

// backFromSignIn checks that the provider's answer is to a sign-in this
// browser started and hands that sign-in's state (once) and the code the
// provider sent to finish; an answer that does not hold is refused and
// audited.
func (s *Server) backFromSignIn(c *fiber.Ctx, w signInWay, finish func(st signInState, code string) error) error {
	// Every refused answer costs an audit entry and may cost a call to the
	// platform: an address that keeps sending bad ones is stopped before
	// either, on the same count as failed password logins.
	if n, until := (loginThrottle{s.Throttle}).count("ip:"+clientIP(c), time.Now()); n >= loginFailuresPerIP {
		return s.tooManyLogins(c, time.Until(until))
	}
	// The state cookie serves one answer, whatever it is.
	cookie := c.Cookies(w.cookie())
	c.Cookie(&fiber.Cookie{Name: w.cookie(), Value: "", Path: w.path(), Expires: time.Unix(0, 0), MaxAge: -1,
		HTTPOnly: true, Secure: c.Protocol() == "https", SameSite: fiber.CookieSameSiteLaxMode})
	var st signInState
	expired := academy.Errorf(academy.EINVALID, "这次%s登录已失效或不是从本站发起的,请重新登录 / This %s sign-in has expired or was not started here; please log in again.", w.zh, w.en)
	state := c.Query("state")
	if state == "" || len(state) > maxState || cookie == "" || subtle.ConstantTimeCompare([]byte(state), []byte(cookie)) != 1 {
		return s.signInRefused(c, w, "state missing or not this browser's", expired)
	}
	b, err := w.states.Take(w.stateKey(state))
	if err != nil {
		s.Logger.Warn("company sign-in: state not read", "via", w.key, "err", err)
		return academy.Errorf(academy.EUNAVAILABLE, "暂时无法完成%s登录,请稍后再试 / %s sign-in cannot finish right now; try again shortly.", w.zh, w.enTitle())
	}
	if b == nil || json.Unmarshal(b, &st) != nil {
		return s.signInRefused(c, w, "state unknown, used or expired", expired)
	}
	if e := c.Query("error"); e != "" {
		msg := academy.Errorf(academy.EUNAUTHORIZED, "%s登录服务拒绝了这次登录,请重试或使用密码登录 / The %s sign-in service refused this sign-in; try again or log in with your password.", w.zh, w.en)
		if e == "access_denied" {
			msg = academy.Errorf(academy.EUNAUTHORIZED, "您在%s登录页取消了登录 / You cancelled the %s sign-in.", w.zh, w.en)
		}
		return s.signInRefused(c, w, "provider answered "+clip(e, 64), msg)
	}
	// 钉钉 names the code authCode; the others, as OAuth does, code.
	code := c.Query("code")
	if code == "" {
		code = c.Query("authCode")
	}
	if code == "" || len(code) > maxCode {
		return s.signInRefused(c, w, "no code in the answer", w.refused())
	}
	return finish(st, code)
}

// signInRefused records why a company sign-in failed before any account
// was in question and shows the login page with err.
func (s *Server) signInRefused(c *fiber.Ctx, w signInWay, why string, err error) error {
	if aerr := s.Accounts.SignInFailed(c.UserContext(), clientIP(c), w.key, why); aerr != nil {
		s.Logger.Warn("audit of a failed company sign-in", "via", w.key, "err", aerr)
	}
	return s.signInFailed(c, err)
}

// signInAs opens a session for the account the provider's word names and
// sends the person on; LoginByClaim audits a refusal.
func (s *Server) signInAs(c *fiber.Ctx, w signInWay, cl academy.ClaimLogin, next string) error {
	cl.Kind, cl.IP, cl.Via = academy.SessionWeb, clientIP(c), w.key
	sess, token, _, err := s.Accounts.LoginByClaim(c.UserContext(), cl)
	if err != nil {
		return s.signInFailed(c, err)
	}
	s.setSessionCookie(c, token, sess)
	return c.Redirect(next, fiber.StatusSeeOther)
}

// signInFailed shows the login page with the reason, so the person can
// try again or use a password; an outage goes to the error middleware
// (503).
func (s *Server) signInFailed(c *fiber.Ctx, err error) error {
	code := academy.ErrorCode(err)
	if code == academy.EUNAVAILABLE || code == academy.EINTERNAL {
		return err
	}
	(loginThrottle{s.Throttle}).fail("ip:"+clientIP(c), time.Now())
	p := s.newPage(c, "login.title")
	p.Error = academy.ErrorMessage(err)
	p.Data = map[string]any{"Next": "/home", "SignIns": s.signInButtons(p.Lang)}
	return s.renderStatus(c, codeStatus[code], "login", p)
}

// signInButton is a way of company sign-in offered on the login page.
type signInButton struct{ Key, Label string }

// signInButtons are the ways of company sign-in this site offers, in the
// order of the login page.
func (s *Server) signInButtons(lang string) []signInButton {
	var out []signInButton
	switch {
	case s.OIDC == nil:
	case s.OIDC.Name != "":
		out = append(out, signInButton{"oidc", s.locales.T(lang, "login.oidc_named", s.OIDC.Name)})
	default:
		out = append(out, signInButton{"oidc", s.locales.T(lang, "login.oidc")})
	}
	for _, w := range workPlatforms {
		if wl, _ := s.workLogin(w); wl != nil {
			out = append(out, signInButton{w.key, s.locales.T(lang, "login."+w.key)})
		}
	}
	return out
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
