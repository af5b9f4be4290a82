package http

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"log/slog"
	nethttp "net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/gofiber/fiber/v2"
	"golang.org/x/oauth2"

	"github.com/academy/academy/internal/academy"
)

// OIDC configures company sign-in: the authorisation code flow with PKCE
// against an OpenID Connect provider, whose ID token names the person by
// employee number or email.
type OIDC struct {
	Issuer, ClientID, ClientSecret string
	// Field is the account field matched (academy.ClaimEmployeeNo or
	// academy.ClaimEmail); Claim is the ID token claim that holds it.
	Field, Claim string
	// CreateSite and CreateRole, both set, open an account for a person
	// the provider knows and no account matches.
	CreateSite, CreateRole string
	// Name is the provider's name on the sign-in button; empty says
	// "company account".
	Name string
	// States keeps each sign-in's nonce and PKCE verifier until the
	// provider sends the person back, where every instance finds it, and
	// gives each out once.
	States StateStore
	// Client makes the calls to the provider; nil uses one with a timeout.
	Client *nethttp.Client

	mu       sync.Mutex
	provider *oidc.Provider
}

// StateStore keeps short-lived single-use values (mongo.Counters).
type StateStore interface {
	Set(key string, val []byte, exp time.Duration) error
	Take(key string) ([]byte, error)
}

const (
	// oidcStateTTL bounds the time between leaving for the provider and
	// coming back.
	oidcStateTTL = 10 * time.Minute
	// oidcStateCookie ties the answer to the browser that asked: a
	// callback carrying someone else's state (login CSRF) is refused.
	oidcStateCookie = "academy_oidc_state"
	oidcCallback    = "/login/oidc/callback"
)

// oidcState is what a sign-in keeps server-side while the person is away.
type oidcState struct {
	Nonce    string `json:"nonce"`
	Verifier string `json:"verifier"`
	Next     string `json:"next"`
}

// context carries the HTTP client the oidc and oauth2 packages use.
func (o *OIDC) context(ctx context.Context) context.Context {
	client := o.Client
	if client == nil {
		client = &nethttp.Client{Timeout: 10 * time.Second}
	}
	return oidc.ClientContext(ctx, client)
}

// discover reads the provider's configuration once it answers: a provider
// that is down at start must not stop the server, and password login goes
// on meanwhile. The provider keeps the context for fetching its keys
// later, so it is not a request's.
func (o *OIDC) discover(logger *slog.Logger) (*oidc.Provider, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.provider != nil {
		return o.provider, nil
	}
	p, err := oidc.NewProvider(o.context(context.Background()), o.Issuer)
	if err != nil {
		logger.Warn("company sign-in: provider discovery failed", "issuer", o.Issuer, "err", err)
		return nil, academy.Errorf(academy.EUNAVAILABLE, "暂时无法连接企业账号登录服务,请稍后再试或使用密码登录 / The company sign-in service cannot be reached; try again later or log in with your password.")
	}
	o.provider = p
	return p, nil
}

func (s *Server) oauth2Config(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{
		ClientID: s.OIDC.ClientID, ClientSecret: s.OIDC.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: strings.TrimRight(s.PublicURL, "/") + oidcCallback,
		Scopes:      []string{oidc.ScopeOpenID, "profile", "email"},
	}
}

func oidcNotSetUp() error {
	return academy.Errorf(academy.ENOTFOUND, "本站未启用企业账号登录 / Company sign-in is not set up on this site.")
}

// oidcStart sends the person to the provider.
func (s *Server) oidcStart(c *fiber.Ctx) error {
	if s.OIDC == nil {
		return oidcNotSetUp()
	}
	p, err := s.OIDC.discover(s.Logger)
	if err != nil {
		return err
	}
	state, verifier := academy.NewToken(), oauth2.GenerateVerifier()
	st := oidcState{Nonce: academy.NewToken(), Verifier: verifier, Next: safeNext(c.Query("next"))}
	b, _ := json.Marshal(st)
	if err := s.OIDC.States.Set(oidcStateKey(state), b, oidcStateTTL); err != nil {
		s.Logger.Warn("company sign-in: state not stored", "err", err)
		return academy.Errorf(academy.EUNAVAILABLE, "暂时无法开始企业账号登录,请稍后再试 / Company sign-in cannot start right now; try again shortly.")
	}
	c.Cookie(&fiber.Cookie{
		Name: oidcStateCookie, Value: state, Path: "/login/oidc", MaxAge: int(oidcStateTTL / time.Second),
		// Lax: the provider's redirect back is a top-level GET from
		// another site, which must carry it.
		HTTPOnly: true, Secure: c.Protocol() == "https", SameSite: fiber.CookieSameSiteLaxMode,
	})
	url := s.oauth2Config(p).AuthCodeURL(state, oidc.Nonce(st.Nonce), oauth2.S256ChallengeOption(verifier))
	return c.Redirect(url, fiber.StatusSeeOther)
}

// oidcStateKey is where a state's values are kept: under its hash, so
// that the store holds nothing a callback could be forged from.
func oidcStateKey(state string) string { return "oidc:" + academy.HashToken(state) }

// oidcCallbackPage takes the provider's answer, verifies the ID token and
// opens a session for the account it names.
func (s *Server) oidcCallbackPage(c *fiber.Ctx) error {
	if s.OIDC == nil {
		return oidcNotSetUp()
	}
	ctx, ip := c.UserContext(), clientIP(c)
	// The state cookie serves one answer, whatever it is.
	cookie := c.Cookies(oidcStateCookie)
	c.Cookie(&fiber.Cookie{Name: oidcStateCookie, Value: "", Path: "/login/oidc", Expires: time.Unix(0, 0), MaxAge: -1,
		HTTPOnly: true, Secure: c.Protocol() == "https", SameSite: fiber.CookieSameSiteLaxMode})
	fail := func(why string, err error) error {
		if aerr := s.Accounts.SignInFailed(ctx, ip, why); aerr != nil {
			s.Logger.Warn("audit of a failed company sign-in", "err", aerr)
		}
		return s.oidcFailed(c, err)
	}
	expired := academy.Errorf(academy.EINVALID, "这次企业账号登录已失效或不是从本站发起的,请重新登录 / This company sign-in has expired or was not started here; please log in again.")
	state := c.Query("state")
	if state == "" || len(state) > 128 || cookie == "" || subtle.ConstantTimeCompare([]byte(state), []byte(cookie)) != 1 {
		return fail("state missing or not this browser's", expired)
	}
	b, err := s.OIDC.States.Take(oidcStateKey(state))
	if err != nil {
		s.Logger.Warn("company sign-in: state not read", "err", err)
		return academy.Errorf(academy.EUNAVAILABLE, "暂时无法完成企业账号登录,请稍后再试 / Company sign-in cannot finish right now; try again shortly.")
	}
	var st oidcState
	if b == nil || json.Unmarshal(b, &st) != nil {
		return fail("state unknown, used or expired", expired)
	}
	if e := c.Query("error"); e != "" {
		msg := academy.Errorf(academy.EUNAUTHORIZED, "企业账号登录服务拒绝了这次登录,请重试或使用密码登录 / The company sign-in service refused this sign-in; try again or log in with your password.")
		if e == "access_denied" {
			msg = academy.Errorf(academy.EUNAUTHORIZED, "您在企业账号登录页取消了登录 / You cancelled the company sign-in.")
		}
		return fail("provider answered "+clip(e, 64), msg)
	}
	refused := academy.Errorf(academy.EUNAUTHORIZED, "企业账号登录失败:无法确认登录凭证,请重试 / Company sign-in failed: the sign-in could not be confirmed; please try again.")
	code := c.Query("code")
	if code == "" || len(code) > 2048 {
		return fail("no code in the answer", refused)
	}
	p, err := s.OIDC.discover(s.Logger)
	if err != nil {
		return s.oidcFailed(c, err)
	}
	pctx := s.OIDC.context(ctx)
	tok, err := s.oauth2Config(p).Exchange(pctx, code, oauth2.VerifierOption(st.Verifier))
	if err != nil {
		return fail("token exchange failed", refused)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return fail("no ID token in the answer", refused)
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: s.OIDC.ClientID}).Verify(pctx, raw)
	if err != nil {
		// The verifier's errors name the failed check, never the token.
		return fail("ID token not verified: "+clip(err.Error(), 200), refused)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(st.Nonce)) != 1 {
		return fail("ID token nonce mismatch", refused)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return fail("ID token claims unreadable", refused)
	}
	// An address typed at the provider and never confirmed could be
	// anyone's: it names no account. Providers that do not say are
	// trusted, as company directories often leave the claim out.
	if s.OIDC.Field == academy.ClaimEmail && claims["email_verified"] == false {
		return fail("email not verified by the provider", academy.Errorf(academy.EUNAUTHORIZED,
			"您企业账号的邮箱尚未验证,不能用它登录;请先在企业账号中验证邮箱,或使用密码登录 / Your company account's email is not verified, so it cannot sign you in; verify it there or log in with your password."))
	}
	sess, token, _, err := s.Accounts.LoginByClaim(ctx, academy.ClaimLogin{
		Field: s.OIDC.Field, Value: claimString(claims[s.OIDC.Claim]),
		Name: claimString(claims["name"]), Username: claimString(claims["preferred_username"]), Email: claimString(claims["email"]),
		Kind: academy.SessionWeb, IP: ip, CreateSite: s.OIDC.CreateSite, CreateRole: s.OIDC.CreateRole,
	})
	if err != nil {
		return s.oidcFailed(c, err)
	}
	s.setSessionCookie(c, token, sess)
	return c.Redirect(st.Next, fiber.StatusSeeOther)
}

// claimString reads a claim that should be text; providers send some
// employee numbers as JSON numbers.
func claimString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return fmt.Sprintf("%.0f", v)
	}
	return ""
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// oidcFailed shows the login page with the reason, so the person can try
// again or use a password; an outage goes to the error middleware (503).
func (s *Server) oidcFailed(c *fiber.Ctx, err error) error {
	code := academy.ErrorCode(err)
	if code == academy.EUNAVAILABLE || code == academy.EINTERNAL {
		return err
	}
	p := s.newPage(c, "login.title")
	p.Error = academy.ErrorMessage(err)
	p.Data = map[string]any{"Next": "/home", "OIDC": s.oidcButton(p.Lang)}
	return s.renderStatus(c, codeStatus[code], "login", p)
}

// oidcButton is the label of the company sign-in button, "" when company
// sign-in is off.
func (s *Server) oidcButton(lang string) string {
	switch {
	case s.OIDC == nil:
		return ""
	case s.OIDC.Name != "":
		return s.locales.T(lang, "login.oidc_named", s.OIDC.Name)
	}
	return s.locales.T(lang, "login.oidc")
}
