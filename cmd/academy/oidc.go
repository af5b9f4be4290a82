package main

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/http"
)

// oidcFlags are the settings of company sign-in; without an issuer it is
// off and the login page offers passwords only.
type oidcFlags struct {
	issuer, clientID, field, claim, createSite, createRole, name string
}

func newOIDCFlags(fs *flagSet) *oidcFlags {
	o := &oidcFlags{}
	fs.StringVar(&o.issuer, "oidc-issuer", envOr("ACADEMY_OIDC_ISSUER", ""), "OpenID Connect issuer URL for company sign-in, e.g. https://login.example.com; empty turns company sign-in off. The provider must allow the redirect URL PUBLIC-URL/login/oidc/callback (env ACADEMY_OIDC_ISSUER)")
	fs.StringVar(&o.clientID, "oidc-client-id", envOr("ACADEMY_OIDC_CLIENT_ID", ""), "client id registered with the provider; the client secret comes from the environment only, ACADEMY_OIDC_CLIENT_SECRET (env ACADEMY_OIDC_CLIENT_ID)")
	fs.StringVar(&o.field, "oidc-claim", envOr("ACADEMY_OIDC_CLAIM", academy.ClaimEmployeeNo), "account field the ID token is matched on: employee_no or email (env ACADEMY_OIDC_CLAIM)")
	fs.StringVar(&o.claim, "oidc-claim-name", envOr("ACADEMY_OIDC_CLAIM_NAME", ""), "name of the ID token claim holding that value; default the field's name (env ACADEMY_OIDC_CLAIM_NAME)")
	fs.StringVar(&o.createSite, "oidc-create-site", envOr("ACADEMY_OIDC_CREATE_SITE", ""), "with --oidc-create-role: open an account on this site for a person no account matches; empty refuses them (env ACADEMY_OIDC_CREATE_SITE)")
	fs.StringVar(&o.createRole, "oidc-create-role", envOr("ACADEMY_OIDC_CREATE_ROLE", ""), "role of an account opened at first company sign-in: trainee, trainer, manager or agent (env ACADEMY_OIDC_CREATE_ROLE)")
	fs.StringVar(&o.name, "oidc-name", envOr("ACADEMY_OIDC_NAME", ""), "provider name on the login button (\"Sign in with NAME\"); empty says \"company account\" (env ACADEMY_OIDC_NAME)")
	return o
}

// config checks the settings; nil when company sign-in is off. publicURL
// must be the one people reach: the provider sends them back there.
func (o *oidcFlags) config(publicURL, secret string) (*http.OIDC, error) {
	if o.issuer == "" {
		if o.clientID != "" || o.createSite != "" || o.createRole != "" {
			return nil, fmt.Errorf("--oidc-issuer is required with the other --oidc- settings")
		}
		return nil, nil
	}
	if u, err := url.Parse(o.issuer); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("--oidc-issuer %q: want the provider's URL, such as https://login.example.com", o.issuer)
	}
	if o.clientID == "" {
		return nil, fmt.Errorf("--oidc-client-id is required with --oidc-issuer")
	}
	if secret == "" {
		return nil, fmt.Errorf("ACADEMY_OIDC_CLIENT_SECRET is required with --oidc-issuer (the environment only: flags show in process lists)")
	}
	if publicURL == "" {
		return nil, fmt.Errorf("--public-url is required with --oidc-issuer: the provider sends people back to PUBLIC-URL/login/oidc/callback")
	}
	if o.field != academy.ClaimEmployeeNo && o.field != academy.ClaimEmail {
		return nil, fmt.Errorf("--oidc-claim %q: want %s or %s", o.field, academy.ClaimEmployeeNo, academy.ClaimEmail)
	}
	if o.claim == "" {
		o.claim = o.field
	}
	if err := checkCreate("--oidc", o.createSite, o.createRole); err != nil {
		return nil, err
	}
	return &http.OIDC{Issuer: o.issuer, ClientID: o.clientID, ClientSecret: secret, Field: o.field, Claim: o.claim,
		CreateSite: o.createSite, CreateRole: o.createRole, Name: strings.TrimSpace(o.name)}, nil
}
