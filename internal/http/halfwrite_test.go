package http_test

import (
	"strings"
	"testing"

	"github.com/academy/academy/internal/academy"
)

// auditTotal counts the audit log, to show that a refused request left
// no trace of a change it did not make.
func (e *env) auditTotal(t *testing.T) int {
	t.Helper()
	_, n, err := e.deps.Accounts.Audit.ListAudit(t.Context(), academy.AuditFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// refusedWhole sends a request with one valid and one invalid part and
// checks that it is refused and that neither what read returns nor the
// audit log changed: nothing is half-written.
func (e *env) refusedWhole(t *testing.T, name string, send func() *response, read func() string) {
	t.Helper()
	before, audits := read(), e.auditTotal(t)
	res := send()
	if res.StatusCode/100 != 4 {
		t.Errorf("%s: %d %s, want a refusal", name, res.StatusCode, res.Body)
		return
	}
	if after := read(); after != before {
		t.Errorf("%s was refused (%d) but changed what is stored:\nbefore %s\nafter  %s", name, res.StatusCode, before, after)
	}
	if n := e.auditTotal(t); n != audits {
		t.Errorf("%s was refused (%d) but wrote %d audit events", name, res.StatusCode, n-audits)
	}
}

func TestPatchUserAllOrNothing(t *testing.T) {
	e := newEnv(t)
	read := func() string { return e.api("GET", "/api/v1/users/trainee", "admin", nil).Body }
	for name, body := range map[string]map[string]any{
		"roles and a bad status":     {"roles": []string{"trainee", "agent"}, "status": "gone"},
		"sites and a bad legal name": {"sites": []string{"s2"}, "legal_name": "李\x01娜"},
		"a status and a bad role":    {"status": "disabled", "roles": []string{"wizard"}},
		"a legal name and no site":   {"legal_name": "李娜", "sites": []string{"nowhere"}},
		"roles and a long name":      {"roles": []string{"trainee", "agent"}, "legal_name": strings.Repeat("名", 65)},
		"a name and no roles":        {"legal_name": "李娜", "roles": []string{}},
	} {
		e.refusedWhole(t, "PATCH "+name, func() *response { return e.api("PATCH", "/api/v1/users/trainee", "admin", body) }, read)
	}
	// The same parts, all valid, are taken together and audited each.
	audits := e.auditTotal(t)
	res := e.api("PATCH", "/api/v1/users/trainee", "admin", map[string]any{"roles": []string{"trainee", "agent"}, "status": "disabled", "legal_name": "李娜"})
	if res.StatusCode != 200 {
		t.Fatalf("a valid patch: %d %s", res.StatusCode, res.Body)
	}
	var u academy.User
	res.json(t, &u)
	if len(u.Roles) != 2 || u.Status != academy.StatusDisabled || u.LegalName != "李娜" {
		t.Fatalf("after a valid patch: %+v", u)
	}
	if n := e.auditTotal(t); n != audits+3 {
		t.Fatalf("a patch of three parts wrote %d audit events, want 3", n-audits)
	}
}
