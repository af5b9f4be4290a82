package authz

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
)

func user(roles, sites []string, status string) *academy.User {
	return &academy.User{Username: "u", Roles: roles, Sites: sites, Status: status}
}

func TestCan(t *testing.T) {
	a, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	active := academy.StatusActive
	admin := user([]string{"admin"}, nil, active)
	trainee := user([]string{"trainee"}, []string{"s1"}, active)
	manager := user([]string{"manager"}, []string{"s1"}, active)
	cases := []struct {
		name string
		u    *academy.User
		site string
		perm string
		want bool
	}{
		{"admin manages users", admin, "", academy.PermUsersManage, true},
		{"admin on any site", admin, "s9", academy.PermAuditRead, true},
		{"trainee cannot manage users", trainee, "", academy.PermUsersManage, false},
		{"manager cannot read audit", manager, "s1", academy.PermAuditRead, false},
		{"disabled admin", user([]string{"admin"}, nil, academy.StatusDisabled), "", academy.PermUsersManage, false},
		{"nil user", nil, "", academy.PermUsersManage, false},
	}
	for _, c := range cases {
		if got := a.Can(c.u, c.site, c.perm); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

func TestSiteScope(t *testing.T) {
	a, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	// A permission granted to a non-admin role must respect the site.
	if _, err := a.e.AddPolicy("manager", "team:read"); err != nil {
		t.Fatal(err)
	}
	m := user([]string{"manager"}, []string{"s1"}, academy.StatusActive)
	if !a.Can(m, "s1", "team:read") || !a.Can(m, "", "team:read") {
		t.Fatal("manager refused on own site")
	}
	if a.Can(m, "s2", "team:read") {
		t.Fatal("manager allowed on another site")
	}
}

// Can and CanEach answer from a per-(role, permission) table that casbin
// fills; for every user shape, site and permission they must agree with
// casbin evaluating the full request.
func TestCanAgreesWithTheEnforcer(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	a, err := New(func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	policy, err := a.Policy()
	if err != nil {
		t.Fatal(err)
	}
	perms := []string{academy.PermUsersManage, academy.PermAuditRead, academy.PermSitesManage, academy.PermLearn, academy.PermAuthor,
		academy.PermAssign, academy.PermTickets, academy.PermSandbox, academy.PermCases, academy.PermTrainees, academy.PermCerts,
		academy.PermPrograms, "no:such"}
	for _, p := range policy {
		perms = append(perms, p[1])
	}
	active := academy.StatusActive
	lapsed := academy.CertGrant{Role: academy.RoleAgent, Until: now.Add(-time.Hour)}
	current := academy.CertGrant{Role: academy.RoleAgent, Until: now.Add(time.Hour)}
	users := []*academy.User{
		user([]string{"admin"}, nil, active),
		user([]string{"trainee"}, []string{"s1"}, active),
		user([]string{"trainee", "trainer"}, []string{"s1", "s2"}, active),
		user([]string{"manager"}, []string{"s2"}, active),
		user([]string{"agent"}, []string{"s1"}, academy.StatusDisabled),
		user(nil, []string{"s1"}, active),
		{Username: "cert", Roles: []string{"trainee"}, Sites: []string{"s1"}, Status: active, CertGrants: []academy.CertGrant{current}},
		{Username: "lapsed", Roles: []string{"trainee"}, Sites: []string{"s1"}, Status: active, CertGrants: []academy.CertGrant{lapsed}},
	}
	for _, u := range users {
		for _, site := range []string{"", "s1", "s2", "s9"} {
			each := a.CanEach(u, site, perms...)
			for i, perm := range perms {
				want, err := a.e.Enforce(u, site, perm)
				if err != nil {
					t.Fatal(err)
				}
				want = want && u.Status == active
				// Twice: the first call fills the table, the second reads it.
				for range 2 {
					if got := a.Can(u, site, perm); got != want {
						t.Fatalf("Can(%s %v@%v, %q, %q) = %v, casbin says %v", u.Username, u.Roles, u.Sites, site, perm, got, want)
					}
				}
				if each[i] != want {
					t.Fatalf("CanEach(%s %v@%v, %q) answers %v for %q, casbin says %v", u.Username, u.Roles, u.Sites, site, each[i], perm, want)
				}
			}
		}
	}
}

// The table fills while pages are served: answers asked at once from many
// requests, each pair for the first time, agree with those asked one by one.
func TestCanFromManyRequestsAtOnce(t *testing.T) {
	seq, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	par, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	users := []*academy.User{
		user([]string{"admin"}, nil, academy.StatusActive),
		user([]string{"trainee", "trainer"}, []string{"s1"}, academy.StatusActive),
		user([]string{"manager", "agent"}, []string{"s2"}, academy.StatusActive),
	}
	perms := []string{academy.PermUsersManage, academy.PermLearn, academy.PermAuthor, academy.PermTickets, academy.PermCerts, academy.PermSandbox, "no:such"}
	var wg sync.WaitGroup
	got := make([][]bool, 16)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, u := range users {
				got[i] = append(got[i], par.CanEach(u, "", perms...)...)
			}
		}()
	}
	wg.Wait()
	var want []bool
	for _, u := range users {
		for _, p := range perms {
			want = append(want, seq.Can(u, "", p))
		}
	}
	for i := range got {
		if !slices.Equal(got[i], want) {
			t.Fatalf("request %d read %v, one by one %v", i, got[i], want)
		}
	}
}
