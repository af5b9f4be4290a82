// Package authz decides permissions with casbin from an embedded model and
// role → permission policy.
package authz

import (
	_ "embed"
	"fmt"
	"strings"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	stringadapter "github.com/casbin/casbin/v2/persist/string-adapter"

	"github.com/academy/academy/internal/academy"
)

//go:embed model.conf
var modelText string

//go:embed policy.csv
var policyText string

// Authorizer implements academy.Authorizer.
type Authorizer struct {
	e *casbin.Enforcer
	// now is the clock certificate grants are judged by; tests move it.
	now func() time.Time
}

var _ academy.Authorizer = (*Authorizer)(nil)

// New loads the embedded model and policy; now (nil: the wall clock) decides
// whether certificate grants still hold.
func New(now func() time.Time) (*Authorizer, error) {
	if now == nil {
		now = time.Now
	}
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, fmt.Errorf("authz model: %w", err)
	}
	e, err := casbin.NewEnforcer(m, stringadapter.NewAdapter(stripComments(policyText)))
	if err != nil {
		return nil, fmt.Errorf("authz policy: %w", err)
	}
	a := &Authorizer{e: e, now: now}
	e.AddFunction("hasRole", a.hasRole)
	return a, nil
}

// Can reports whether u may use perm on site ("" = on any of u's sites).
func (a *Authorizer) Can(u *academy.User, site, perm string) bool {
	if u == nil || u.Status != academy.StatusActive {
		return false
	}
	ok, err := a.e.Enforce(u, site, perm)
	return err == nil && ok
}

// Policy returns the (role, permission) pairs, for documentation and tests.
func (a *Authorizer) Policy() ([][]string, error) { return a.e.GetPolicy() }

func (a *Authorizer) hasRole(args ...any) (any, error) {
	if len(args) != 3 {
		return false, fmt.Errorf("hasRole wants 3 arguments, got %d", len(args))
	}
	u, _ := args[0].(*academy.User)
	role, _ := args[1].(string)
	site, _ := args[2].(string)
	for _, g := range u.GrantsAt(a.now()) {
		if g.Role == role && (g.Site == academy.AllSites || site == "" || g.Site == site) {
			return true, nil
		}
	}
	return false, nil
}

func stripComments(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if t := strings.TrimSpace(line); t != "" && !strings.HasPrefix(t, "#") {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}
