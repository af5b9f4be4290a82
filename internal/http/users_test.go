package http_test

import (
	"strings"
	"testing"

	"github.com/academy/academy/internal/academy"
)

func TestAdminCreatesAndManagesUsers(t *testing.T) {
	e := newEnv(t)
	res := e.api("POST", "/api/v1/users", "admin", map[string]any{
		"username": "Li.Na", "display_name": "李娜", "roles": []string{"trainee"}, "sites": []string{"s1"}, "password": "a long enough pw",
	})
	if res.StatusCode != 201 || !strings.Contains(res.Body, `"id":"li.na"`) {
		t.Fatalf("create: %d %s", res.StatusCode, res.Body)
	}
	e.tokens["li"] = e.login("LI.NA", "a long enough pw")

	bad := []struct {
		name  string
		body  map[string]any
		code  string
		field string
	}{
		{"duplicate in other case", map[string]any{"username": "li.NA", "roles": []string{"trainee"}, "sites": []string{"s1"}, "password": "a long enough pw"}, academy.ECONFLICT, "username"},
		{"short password", map[string]any{"username": "x1", "roles": []string{"trainee"}, "sites": []string{"s1"}, "password": "short"}, academy.EINVALID, "password"},
		{"unknown role", map[string]any{"username": "x2", "roles": []string{"boss"}, "sites": []string{"s1"}, "password": "a long enough pw"}, academy.EINVALID, "roles"},
		{"no roles", map[string]any{"username": "x3", "sites": []string{"s1"}, "password": "a long enough pw"}, academy.EINVALID, "roles"},
		{"unknown site", map[string]any{"username": "x4", "roles": []string{"trainee"}, "sites": []string{"nowhere"}, "password": "a long enough pw"}, academy.EINVALID, "sites"},
		{"no site", map[string]any{"username": "x5", "roles": []string{"trainee"}, "password": "a long enough pw"}, academy.EINVALID, "sites"},
		{"bad username", map[string]any{"username": "a b", "roles": []string{"trainee"}, "sites": []string{"s1"}, "password": "a long enough pw"}, academy.EINVALID, "username"},
		{"bad language", map[string]any{"username": "x6", "roles": []string{"trainee"}, "sites": []string{"s1"}, "lang": "fr", "password": "a long enough pw"}, academy.EINVALID, "lang"},
	}
	for _, c := range bad {
		res := e.api("POST", "/api/v1/users", "admin", c.body)
		if res.errCode(t) != c.code || !strings.Contains(res.Body, c.field) {
			t.Errorf("%s: %d %s", c.name, res.StatusCode, res.Body)
		}
	}
	// Nothing half-written: none of the refused users exist.
	var list struct {
		Items []academy.User
		Total int
	}
	e.api("GET", "/api/v1/users?limit=3", "admin", nil).json(t, &list)
	if list.Total != len(personas)+1 || len(list.Items) != 3 {
		t.Fatalf("list: total %d, %d items", list.Total, len(list.Items))
	}
	e.api("GET", "/api/v1/users?offset=6&limit=3", "admin", nil).json(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != "trainer" {
		t.Fatalf("last page: %+v", list.Items)
	}
	e.api("GET", "/api/v1/users?site=s2", "admin", nil).json(t, &list)
	if list.Total != 1 || list.Items[0].ID != "othermanager" {
		t.Fatalf("site filter: %+v", list.Items)
	}

	// Roles change; disabling ends sessions at once.
	res = e.api("PATCH", "/api/v1/users/li.na", "admin", map[string]any{"roles": []string{"trainee", "agent"}})
	if res.StatusCode != 200 || !strings.Contains(res.Body, `"roles":["trainee","agent"]`) {
		t.Fatalf("patch roles: %d %s", res.StatusCode, res.Body)
	}
	if res := e.api("PATCH", "/api/v1/users/li.na", "admin", map[string]any{"status": "gone"}); res.errCode(t) != academy.EINVALID {
		t.Fatalf("bad status: %s", res.Body)
	}
	if res := e.api("PATCH", "/api/v1/users/li.na", "admin", map[string]any{"status": "disabled"}); res.StatusCode != 200 {
		t.Fatalf("disable: %d %s", res.StatusCode, res.Body)
	}
	if res := e.api("GET", "/api/v1/me", "li", nil); res.StatusCode != 401 {
		t.Fatalf("disabled user's session survives: %d", res.StatusCode)
	}
	if res := e.api("PATCH", "/api/v1/users/admin", "admin", map[string]any{"status": "disabled"}); res.errCode(t) != academy.EINVALID {
		t.Fatalf("admin disables self: %s", res.Body)
	}
	if res := e.api("PATCH", "/api/v1/users/admin", "admin", map[string]any{"roles": []string{"trainee"}, "sites": []string{"s1"}}); res.errCode(t) != academy.EINVALID {
		t.Fatalf("admin drops own admin role: %s", res.Body)
	}
	if res := e.api("GET", "/api/v1/users/nobody", "admin", nil); res.StatusCode != 404 {
		t.Fatalf("missing user: %d", res.StatusCode)
	}

	// Password reset: old password stops working, new one works.
	if res := e.api("POST", "/api/v1/users/trainee/password", "admin", map[string]any{"password": "brand new password"}); res.StatusCode != 204 {
		t.Fatalf("reset: %d %s", res.StatusCode, res.Body)
	}
	if res := e.api("GET", "/api/v1/me", "trainee", nil); res.StatusCode != 401 {
		t.Fatal("session survives a password reset")
	}
	e.login("trainee", "brand new password")
	if res := e.api("POST", "/api/v1/users/trainee/password", "admin", map[string]any{"password": 12}); res.StatusCode != 400 {
		t.Fatalf("password of wrong type: %d", res.StatusCode)
	}
}

func TestChangeOwnPassword(t *testing.T) {
	e := newEnv(t)
	if res := e.api("POST", "/api/v1/me/password", "trainee", map[string]string{"current_password": "nope", "new_password": "another long one"}); res.errCode(t) != academy.EINVALID || !strings.Contains(res.Body, "current_password") {
		t.Fatalf("wrong current password: %s", res.Body)
	}
	if res := e.api("POST", "/api/v1/me/password", "trainee", map[string]string{"current_password": testPassword, "new_password": "short"}); res.errCode(t) != academy.EINVALID {
		t.Fatalf("short new password: %s", res.Body)
	}
	if res := e.api("POST", "/api/v1/me/password", "trainee", map[string]string{"current_password": testPassword, "new_password": "another long one"}); res.StatusCode != 204 {
		t.Fatalf("change: %d %s", res.StatusCode, res.Body)
	}
	e.login("trainee", "another long one")
}

func TestSites(t *testing.T) {
	e := newEnv(t)
	if res := e.api("POST", "/api/v1/sites", "admin", map[string]string{"id": "huayuan-1", "name": "华苑一期"}); res.StatusCode != 201 {
		t.Fatalf("create site: %d %s", res.StatusCode, res.Body)
	}
	for _, c := range []struct{ body, field string }{
		{`{"id":"Bad Id","name":"x"}`, "id"},
		{`{"id":"ok-id","name":""}`, "name"},
		{`{"id":"huayuan-1","name":"again"}`, "exists"},
		{`{"id":5}`, "id: must be a string"},
	} {
		if res := e.api("POST", "/api/v1/sites", "admin", c.body); res.StatusCode/100 != 4 || !strings.Contains(res.Body, c.field) {
			t.Errorf("%s: %d %s", c.body, res.StatusCode, res.Body)
		}
	}
	var out struct{ Items []academy.Site }
	e.api("GET", "/api/v1/sites", "admin", nil).json(t, &out)
	if len(out.Items) != 3 || out.Items[0].ID != "huayuan-1" {
		t.Fatalf("sites: %+v", out.Items)
	}
	// The new site can be granted at once.
	if res := e.api("PATCH", "/api/v1/users/trainee", "admin", map[string]any{"sites": []string{"huayuan-1"}}); res.StatusCode != 200 {
		t.Fatalf("grant new site: %d %s", res.StatusCode, res.Body)
	}
}
