// Package authz decides permissions with casbin from an embedded model and
// role → permission policy.
package authz

import (
	_ "embed"
	"fmt"
	"maps"
	"strings"
	"sync"
	"sync/atomic"
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
	// decided holds casbin's answer per role and permission; see allows.
	// It is replaced, never changed, so reading it takes no lock and a
	// lookup allocates nothing (a sync.Map boxed each joined key).
	decided atomic.Pointer[map[rolePerm]bool]
	mu      sync.Mutex // serialises additions to decided
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
	return a.granted(u.GrantsAt(a.now()), site, perm)
}

// CanEach implements academy.Authorizer.
func (a *Authorizer) CanEach(u *academy.User, site string, perms ...string) []bool {
	out := make([]bool, len(perms))
	if u == nil || u.Status != academy.StatusActive {
		return out
	}
	gs := u.GrantsAt(a.now())
	for i, p := range perms {
		out[i] = a.granted(gs, site, p)
	}
	return out
}

func (a *Authorizer) granted(gs []academy.Grant, site, perm string) bool {
	for _, g := range gs {
		if covers(g, site) && a.allows(g.Role, perm) {
			return true
		}
	}
	return false
}

// allows asks casbin whether role holds perm, once per pair. The matcher
// is hasRole(user, role, site) && keyMatch(perm, policy): the site part is
// answered by covers for each of the user's grants, and the policy part
// depends on nothing else, so it is asked of a user holding only role.
// The policy is fixed at start; evaluating the matcher for each of the
// dozen checks a page makes was a fifth of a lesson page's CPU.
func (a *Authorizer) allows(role, perm string) bool {
	k := rolePerm{role, perm}
	if m := a.decided.Load(); m != nil {
		if v, ok := (*m)[k]; ok {
			return v
		}
	}
	probe := &academy.User{Status: academy.StatusActive, Roles: []string{role}, Sites: []string{"probe"}}
	ok, err := a.e.Enforce(probe, "", perm)
	ok = err == nil && ok
	a.mu.Lock()
	defer a.mu.Unlock()
	next := map[rolePerm]bool{}
	if m := a.decided.Load(); m != nil {
		maps.Copy(next, *m)
	}
	next[k] = ok
	a.decided.Store(&next)
	return ok
}

type rolePerm struct{ role, perm string }

// covers reports whether grant g applies on site ("" = any of the user's).
func covers(g academy.Grant, site string) bool {
	return g.Site == academy.AllSites || site == "" || g.Site == site
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
		if g.Role == role && covers(g, site) {
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
