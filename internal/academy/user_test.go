package academy

import (
	"strings"
	"testing"
	"time"
)

func TestUserValidate(t *testing.T) {
	ok := User{Username: "Li.Na", Roles: []string{RoleTrainee}, Sites: []string{"s1"}}
	ok.Normalize()
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	if ok.ID != "li.na" || ok.DisplayName != "Li.Na" || ok.Lang != LangZH || ok.Status != StatusActive {
		t.Fatalf("normalize: %+v", ok)
	}
	for name, c := range map[string]struct {
		u     User
		field string
	}{
		"short username": {User{Username: "a", Roles: []string{RoleTrainee}, Sites: []string{"s1"}}, "username"},
		"space":          {User{Username: "a b", Roles: []string{RoleTrainee}, Sites: []string{"s1"}}, "username"},
		"no roles":       {User{Username: "ab", Sites: []string{"s1"}}, "roles"},
		"unknown role":   {User{Username: "ab", Roles: []string{"root"}, Sites: []string{"s1"}}, "roles"},
		"no sites":       {User{Username: "ab", Roles: []string{RoleTrainee}}, "sites"},
		"bad site":       {User{Username: "ab", Roles: []string{RoleTrainee}, Sites: []string{"S 1"}}, "sites"},
		"bad status":     {User{Username: "ab", Roles: []string{RoleTrainee}, Sites: []string{"s1"}, Status: "gone"}, "status"},
		"bad lang":       {User{Username: "ab", Roles: []string{RoleTrainee}, Sites: []string{"s1"}, Lang: "de"}, "lang"},
		"long name":      {User{Username: "ab", DisplayName: strings.Repeat("名", 65), Roles: []string{RoleTrainee}, Sites: []string{"s1"}}, "display_name"},
	} {
		u := c.u
		u.Normalize()
		err := u.Validate()
		if ErrorCode(err) != EINVALID || !strings.HasPrefix(ErrorMessage(err), c.field) {
			t.Errorf("%s: %v", name, err)
		}
	}
	admin := User{Username: "root", Roles: []string{RoleAdmin}}
	admin.Normalize()
	if err := admin.Validate(); err != nil {
		t.Fatalf("admin without sites: %v", err)
	}
}

func TestRolesAndGrants(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	holds := func(u *User, role, site string, at time.Time) bool {
		for _, g := range u.GrantsAt(at) {
			if g.Role == role && (g.Site == site || g.Site == AllSites) {
				return true
			}
		}
		return false
	}
	u := &User{Roles: []string{RoleTrainee, RoleAgent}, Sites: []string{"s1", "s2"}, Status: StatusActive}
	if !holds(u, RoleAgent, "s2", now) || holds(u, RoleAgent, "s3", now) || holds(u, RoleManager, "s1", now) {
		t.Fatal("grants by role and site")
	}
	if g := u.GrantsAt(now); len(g) != 4 {
		t.Fatalf("grants %v", g)
	}
	u.Status = StatusDisabled
	if len(u.GrantsAt(now)) != 0 {
		t.Fatal("a disabled user holds roles")
	}
	a := &User{Roles: []string{RoleAdmin}, Status: StatusActive}
	if a.GrantsAt(now)[0].Site != AllSites {
		t.Fatal("admin")
	}

	// A certificate grant counts on every site of the holder until it
	// lapses, and a lapsed one is reported for the refusal message.
	c := &User{Roles: []string{RoleTrainee}, Sites: []string{"s1"}, Status: StatusActive,
		CertGrants: []CertGrant{{Role: RoleAgent, Program: "desk", Number: "AC-1", Until: now.Add(time.Hour)}}}
	if !holds(c, RoleAgent, "s1", now) || c.LapsedGrant(RoleAgent, now) != nil {
		t.Fatal("a valid certificate grant is not held")
	}
	if later := now.Add(time.Hour); holds(c, RoleAgent, "s1", later) || c.LapsedGrant(RoleAgent, later) == nil {
		t.Fatal("a certificate grant is still held at its expiry")
	}
	c.CertGrants[0].Revoked = true
	if holds(c, RoleAgent, "s1", now) {
		t.Fatal("a revoked grant is held")
	}
}

func TestPasswordPolicy(t *testing.T) {
	if ValidatePassword("123456789") == nil || ValidatePassword(strings.Repeat("x", 300)) == nil {
		t.Fatal("weak or huge password accepted")
	}
	if err := ValidatePassword("十个汉字也可以做密码吧"); err != nil {
		t.Fatalf("length counts characters, not bytes: %v", err)
	}
}

func TestSessionExpiry(t *testing.T) {
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	s, tok := NewSession("Wang", SessionWeb, "ip", now)
	if s.ID != HashToken(tok) || s.ID == tok || s.Username != "wang" || len(tok) < 40 {
		t.Fatalf("session %+v", s)
	}
	if s.Expired(now.Add(SessionIdleTimeout - time.Second)) {
		t.Fatal("expired while fresh")
	}
	if !s.Expired(now.Add(SessionIdleTimeout)) {
		t.Fatal("idle session alive")
	}
	s.LastSeen = now.Add(SessionMaxLifetime - time.Minute)
	if !s.Expired(now.Add(SessionMaxLifetime)) {
		t.Fatal("session alive past its absolute expiry")
	}
	if !s.IdleExpiry().Equal(s.ExpiresAt) {
		t.Fatal("idle expiry beyond absolute expiry")
	}
}

func TestSplitListAndPages(t *testing.T) {
	if got := SplitList(" a, b,,a ,c"); strings.Join(got, "|") != "a|b|c" {
		t.Fatal(got)
	}
	if o, l := ClampPage(-5, 0); o != 0 || l != DefaultPageSize {
		t.Fatal(o, l)
	}
	if _, l := ClampPage(0, 10_000); l != MaxPageSize {
		t.Fatal(l)
	}
}
