package authz

import (
	"testing"

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
