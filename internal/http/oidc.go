package http

import (
	"context"
	"crypto/subtle"
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

const oidcCallback = "/login/oidc/callback"

// way is OpenID Connect among the ways of company sign-in.
// A nil one is company sign-in not set up.
func (o *OIDC) way() signInWay {
	w := signInWay{key: "oidc", zh: "企业账号", en: "company"}
	if o != nil {
		w.states = o.States
	}
	return w
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

// oidcStart sends the person to the provider.
func (s *Server) oidcStart(c *fiber.Ctx) error {
	if s.OIDC == nil {
		return s.OIDC.way().notSetUp()
	}
	p, err := s.OIDC.discover(s.Logger)
	if err != nil {
		return err
	}
	verifier := oauth2.GenerateVerifier()
	st := signInState{Nonce: academy.NewToken(), Verifier: verifier, Next: safeNext(c.Query("next"))}
	return s.leaveForSignIn(c, s.OIDC.way(), st, func(state string) string {
		return s.oauth2Config(p).AuthCodeURL(state, oidc.Nonce(st.Nonce), oauth2.S256ChallengeOption(verifier))
	})
}

// oidcCallbackPage takes the provider's answer, verifies the ID token and
// opens a session for the account it names.
func (s *Server) oidcCallbackPage(c *fiber.Ctx) error {
	if s.OIDC == nil {
		return s.OIDC.way().notSetUp()
	}
	return s.backFromSignIn(c, s.OIDC.way(), func(st signInState, code string) error { return s.oidcFinish(c, st, code) })
}

// oidcFinish exchanges the code for an ID token, verifies it and signs in
// the account its claim names.
func (s *Server) oidcFinish(c *fiber.Ctx, st signInState, code string) error {
	w := s.OIDC.way()
	fail := func(why string, err error) error { return s.signInRefused(c, w, why, err) }
	refused := w.refused()
	p, err := s.OIDC.discover(s.Logger)
	if err != nil {
		return s.signInFailed(c, err)
	}
	pctx := s.OIDC.context(c.UserContext())
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
	return s.signInAs(c, w, academy.ClaimLogin{
		Field: s.OIDC.Field, Value: claimString(claims[s.OIDC.Claim]),
		Name: claimString(claims["name"]), Username: claimString(claims["preferred_username"]), Email: claimString(claims["email"]),
		CreateSite: s.OIDC.CreateSite, CreateRole: s.OIDC.CreateRole,
	}, st.Next)
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
