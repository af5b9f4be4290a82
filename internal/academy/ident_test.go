package academy

import (
	"strings"
	"testing"
)

func TestIdentShapes(t *testing.T) {
	long := strings.Repeat("a", 10<<10)
	cases := []struct {
		kind      Ident
		good, bad []string
	}{
		{IdentUsername, []string{"ab", "Wang.Fang_2", "thr1"}, []string{"", "a", "-ab", "a b", "a\x00b", long, "王芳"}},
		{IdentSite, []string{"s1", "a", "green-park"}, []string{"", "S1", "a_b", "a\nb", long}},
		{IdentWorkspace, []string{"s1", SandboxPrefix + "ab_c-9"}, []string{"", "s1/x", "a\tb", SandboxPrefix + "A", long}},
		{IdentSlug, []string{"ethics", "role-of-the-desk", "new"}, []string{"", "e", "Ethics", "a.b", long}},
		{IdentRecord, []string{"000000000000000000000000", "run-abc_d", "s1-000042", "r1"}, []string{"", "a/b", "a\x7fb", "a.b", long}},
		{IdentQuestion, []string{"q1", "问题-1", "new"}, []string{"", " ", "a.b", "a$b", "a b", "a\x01b", strings.Repeat("q", 81)}},
		{IdentCertificate, []string{"AC-7K2M-9QXD-4HPW-T3NB"}, []string{"", "AC-7K2M-9QXD-4HPW-T3N", "AC-7K2M-9QXD-4HPW-T3NI", long}},
		{IdentNumber, []string{"0", "12"}, []string{"", "-1", "1e3", "1234567890", long}},
	}
	for _, c := range cases {
		for _, s := range c.good {
			if err := CheckIdent(c.kind, "f", s); err != nil {
				t.Errorf("kind %d: %q refused: %v", c.kind, s, err)
			}
		}
		for _, s := range c.bad {
			err := CheckIdent(c.kind, "f", s)
			if ErrorCode(err) != EINVALID || !strings.HasPrefix(ErrorMessage(err), "f: ") {
				t.Errorf("kind %d: %.40q accepted or badly refused: %v", c.kind, s, err)
			}
			// The message never carries the value back.
			if len(ErrorMessage(err)) > 200 {
				t.Errorf("kind %d: message of %d bytes", c.kind, len(ErrorMessage(err)))
			}
		}
	}
}

// TestIdentRulesAreTheCreationRules: what validation of a new user, site
// or question accepts is what the edge accepts, and the reverse.
func TestIdentRulesAreTheCreationRules(t *testing.T) {
	for _, name := range []string{"ab", "a", "a b", strings.Repeat("x", 33)} {
		u := &User{Username: name, Roles: []string{RoleAdmin}}
		u.Normalize()
		if (u.Validate() == nil) != ValidUsername(name) {
			t.Errorf("username %q: Validate and ValidUsername disagree", name)
		}
	}
	for _, id := range []string{"s1", "S1", "a_b"} {
		if ((&Site{ID: id, Name: "x"}).Validate() == nil) != ValidSiteID(id) {
			t.Errorf("site %q: Validate and ValidSiteID disagree", id)
		}
	}
}
