package main

import (
	"strings"
	"testing"
)

func TestOIDCFlags(t *testing.T) {
	full := func() *oidcFlags {
		return &oidcFlags{issuer: "https://login.example.com", clientID: "academy", field: "employee_no"}
	}
	bad := map[string]struct {
		edit   func(*oidcFlags)
		public string
		secret string
		want   string
	}{
		"no public url":     {func(*oidcFlags) {}, "", "s", "--public-url is required"},
		"no secret":         {func(*oidcFlags) {}, "https://academy.example.com", "", "ACADEMY_OIDC_CLIENT_SECRET"},
		"unknown field":     {func(o *oidcFlags) { o.field = "phone" }, "https://academy.example.com", "s", `--oidc-claim "phone"`},
		"site without role": {func(o *oidcFlags) { o.createSite = "s1" }, "https://academy.example.com", "s", "go together"},
		"admin by provider": {func(o *oidcFlags) { o.createSite, o.createRole = "s1", "admin" }, "https://academy.example.com", "s", `--oidc-create-role "admin"`},
	}
	for name, c := range bad {
		o := full()
		c.edit(o)
		if _, err := o.config(c.public, c.secret); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
	o := full()
	o.field, o.createSite, o.createRole, o.name = "email", "s1", "agent", " 企业微信 "
	cfg, err := o.config("https://academy.example.com", "s")
	if err != nil || cfg.Claim != "email" || cfg.Field != "email" || cfg.Name != "企业微信" || cfg.CreateRole != "agent" {
		t.Fatalf("%+v %v", cfg, err)
	}
	if cfg, err := (&oidcFlags{field: "employee_no"}).config("", ""); cfg != nil || err != nil {
		t.Fatalf("off: %+v %v", cfg, err)
	}
}
