package http_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/badge"
)

// certify makes username a holder of the desk program and returns the
// certificate.
func (e *env) certify(username string) *academy.Certificate {
	e.t.Helper()
	last := e.earnAllBut(username)
	if res := e.api("POST", last, username, nil); res.StatusCode != 200 {
		e.t.Fatalf("last lesson: %d %s", res.StatusCode, res.Body)
	}
	as := e.awards(username)
	if len(as) != 1 {
		e.t.Fatalf("%d awards after earning the program", len(as))
	}
	return as[0]
}

// A revoked certificate stays revoked: neither the certificates page nor
// the check after each lesson issues it again from the evidence the
// revocation judged, not even evidence dated at the revocation's instant.
// Evidence dated after it earns a new one.
func TestRevocationHolds(t *testing.T) {
	e := newEnv(t)
	e.createUser("newbie", []string{academy.RoleTrainee}, []string{"s1"})
	e.tokens["newbie"] = e.login("newbie", testPassword)
	cert := e.certify("newbie")

	e.clock.Advance(time.Hour)
	if res := e.form("/certificates/"+cert.Number+"/revoke", "manager", url.Values{"reason": {"考试作弊"}}); res.StatusCode != 303 {
		t.Fatalf("revoke: %d %s", res.StatusCode, res.Body)
	}
	prog := e.deps.Catalog.Snapshot().Programs["desk"]
	again := prog.AfterRevocationRequirements()
	// Evidence at the very instant of the revocation predates it.
	revokedAt := e.awards("newbie")[0].RevokedAt
	e.passQuizzes("newbie", again.Quizzes, revokedAt)
	e.passScenarios("newbie", again.Scenarios, revokedAt)
	for _, visit := range []string{"/certificates", "/home"} {
		if res := e.api("GET", visit, "newbie", nil); res.StatusCode != 200 {
			t.Fatalf("%s: %d", visit, res.StatusCode)
		}
	}
	if err := e.deps.Certifier.Outcome(context.Background(), academy.LearningEvent{Kind: academy.EventQuizGraded,
		Username: "newbie", Ref: "final-exam", Percent: 95, Passed: true, At: e.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	if as := e.awards("newbie"); len(as) != 1 {
		t.Fatalf("revoked certificate issued again from old evidence: %d awards", len(as))
	}
	page := e.api("GET", "/certificates", "newbie", nil).Body
	if !strings.Contains(page, `id="after-revocation"`) || !strings.Contains(page, `data-status="revoked"`) {
		t.Fatal("the page does not say that only new evidence counts")
	}
	if res := e.api("GET", "/desk/s1", "newbie", nil); res.StatusCode != 403 {
		t.Fatalf("live desk after revocation: %d", res.StatusCode)
	}

	// New evidence after the revocation: the final exam and the scenarios
	// again. Half of it is not enough.
	e.clock.Advance(time.Hour)
	e.passQuizzes("newbie", again.Quizzes, e.clock.Now())
	e.passScenarios("newbie", again.Scenarios[:1], e.clock.Now())
	e.api("GET", "/certificates", "newbie", nil)
	if as := e.awards("newbie"); len(as) != 1 {
		t.Fatalf("issued with %d of %d scenarios", 1, again.MinScenarios)
	}
	e.passScenarios("newbie", again.Scenarios, e.clock.Now())
	e.api("GET", "/certificates", "newbie", nil)
	as := e.awards("newbie")
	if len(as) != 2 || as[1].Seq != 2 || !as[1].RevokedAt.IsZero() {
		t.Fatalf("after new evidence: %d awards", len(as))
	}
	if res := e.api("GET", "/desk/s1", "newbie", nil); res.StatusCode != 200 {
		t.Fatalf("live desk after earning it again: %d", res.StatusCode)
	}
}

// A manager may undo a revocation with a reason; the certificate is valid
// again with its roles, the revocation stays on record, and the status
// list says not revoked.
func TestReinstatement(t *testing.T) {
	e := newEnv(t)
	e.createUser("newbie", []string{academy.RoleTrainee}, []string{"s1"})
	e.tokens["newbie"] = e.login("newbie", testPassword)
	cert := e.certify("newbie")
	path := "/certificates/" + cert.Number + "/reinstate"
	if res := e.form(path, "manager", url.Values{"reason": {"已核实"}}); res.StatusCode != 409 {
		t.Fatalf("reinstating a valid certificate: %d", res.StatusCode)
	}
	e.form("/certificates/"+cert.Number+"/revoke", "manager", url.Values{"reason": {"误撤销前的原因"}})
	if revoked := statusBit(t, e, cert); !revoked {
		t.Fatal("the status list does not say revoked")
	}
	for _, c := range []struct {
		who, reason string
		want        int
	}{
		{"manager", "  ", 400},
		{"manager", strings.Repeat("长", 501), 400},
		{"othermanager", "x", 404},
		{"newbie", "x", 403},
	} {
		if res := e.form(path, c.who, url.Values{"reason": {c.reason}}); res.StatusCode != c.want {
			t.Errorf("reinstate as %s with %q: %d, want %d", c.who, c.reason, res.StatusCode, c.want)
		}
	}
	if res := e.form(path, "manager", url.Values{"reason": {"复核后确认撤销有误"}}); res.StatusCode != 303 {
		t.Fatalf("reinstate: %d %s", res.StatusCode, res.Body)
	}
	back := e.awards("newbie")[0]
	if !back.RevokedAt.IsZero() || len(back.Reinstatements) != 1 || back.Reinstatements[0].RevokeReason != "误撤销前的原因" {
		t.Fatalf("reinstated certificate %+v", back)
	}
	if res := e.api("GET", "/desk/s1", "newbie", nil); res.StatusCode != 200 {
		t.Fatalf("live desk after reinstatement: %d", res.StatusCode)
	}
	if statusBit(t, e, cert) {
		t.Fatal("the status list still says revoked")
	}
	audit, _, err := e.accounts.Audit.ListAudit(context.Background(), academy.AuditFilter{Action: academy.AuditCertReinstated, Limit: 10})
	if err != nil || len(audit) != 1 || audit[0].Actor != "manager" || audit[0].Detail != "复核后确认撤销有误" {
		t.Fatalf("reinstatement audit: %v %+v", err, audit)
	}
}

// statusBit reads the certificate's bit in the published status list, as
// an outside verifier would: from the URL its credential names.
func statusBit(t *testing.T, e *env, cert *academy.Certificate) bool {
	t.Helper()
	var cred struct {
		CredentialStatus struct {
			StatusListCredential, StatusListIndex string
		} `json:"credentialStatus"`
	}
	e.api("GET", "/certificates/"+cert.Number+"/credential", "newbie", nil).json(t, &cred)
	list := strings.TrimPrefix(cred.CredentialStatus.StatusListCredential, e.deps.PublicURL)
	res := e.api("GET", list, "", nil)
	if res.StatusCode != 200 {
		t.Fatalf("status list %s: %d", list, res.StatusCode)
	}
	if err := badge.Verify([]byte(res.Body), e.deps.Issuer.Key.Public().(ed25519.PublicKey)); err != nil {
		t.Fatalf("status list signature: %v", err)
	}
	var sl struct {
		CredentialSubject struct{ EncodedList string } `json:"credentialSubject"`
	}
	res.json(t, &sl)
	bits := decodeBits(t, sl.CredentialSubject.EncodedList)
	i := 0
	for _, ch := range cred.CredentialStatus.StatusListIndex {
		i = i*10 + int(ch-'0')
	}
	return bits[i/8]&(0x80>>(i%8)) != 0
}

// The credential is signed once: every download is the same bytes, it
// verifies with the published key, carries the legal name and what the
// program required, and the ids it names resolve for people and machines.
func TestCredentialKeptAndResolvable(t *testing.T) {
	e := newEnv(t)
	e.createUser("newbie", []string{academy.RoleTrainee}, []string{"s1"})
	e.tokens["newbie"] = e.login("newbie", testPassword)
	cert := e.certify("newbie")
	first := e.api("GET", "/certificates/"+cert.Number+"/credential", "newbie", nil)
	e.clock.Advance(time.Hour)
	second := e.api("GET", "/certificates/"+cert.Number+"/credential", "manager", nil)
	if first.StatusCode != 200 || first.Body != second.Body {
		t.Fatalf("downloads differ or fail: %d", first.StatusCode)
	}
	if err := badge.Verify([]byte(first.Body), e.deps.Issuer.Key.Public().(ed25519.PublicKey)); err != nil {
		t.Fatal(err)
	}
	var c struct {
		Issuer            struct{ ID string }
		CredentialSubject struct {
			Achievement struct {
				ID       string
				Criteria struct{ Narrative string }
			}
		} `json:"credentialSubject"`
	}
	first.json(t, &c)
	req := e.deps.Catalog.Snapshot().Programs["desk"].Requirements
	calls := fmt.Sprintf("Practice calls (%d of %d passed)", req.MinScenarios, len(req.Scenarios))
	for _, want := range []string{"结业考试", "80 分以上", calls} {
		if !strings.Contains(c.CredentialSubject.Achievement.Criteria.Narrative, want) {
			t.Errorf("criteria lack %q: %s", want, c.CredentialSubject.Achievement.Criteria.Narrative)
		}
	}
	for _, id := range []string{c.Issuer.ID, c.CredentialSubject.Achievement.ID} {
		path := strings.TrimPrefix(id, e.deps.PublicURL)
		for accept, want := range map[string]string{"application/ld+json": `"id":"` + id + `"`, "text/html,application/xhtml+xml": "<html"} {
			req := httptest.NewRequest("GET", path, nil)
			req.Header.Set("Accept", accept)
			res := e.do(req)
			if res.StatusCode != 200 || !strings.Contains(res.Body, want) {
				t.Errorf("%s as %s: %d, lacks %q", path, accept, res.StatusCode, want)
			}
		}
	}
	if res := e.api("GET", "/credentials/status/9", "", nil); res.StatusCode != 404 {
		t.Errorf("a list beyond the places handed out: %d", res.StatusCode)
	}
	if res := e.api("GET", "/credentials/status/x", "", nil); res.StatusCode != 404 {
		t.Errorf("a list that is not a number: %d", res.StatusCode)
	}
	// The PDF says what the program required.
	if res := e.api("GET", "/certificates/"+cert.Number+"/pdf", "newbie", nil); res.StatusCode != 200 {
		t.Fatalf("pdf: %d", res.StatusCode)
	}
}

// A certificate carries the legal name an admin recorded, never the name
// its holder typed; without one nothing is issued and the learner is told
// whom to ask. Only admins set it, every change is audited, and a request
// with one bad field changes nothing.
func TestCertificatesCarryTheLegalName(t *testing.T) {
	e := newEnv(t)
	u := &academy.User{Username: "newbie", DisplayName: "张主管", Roles: []string{academy.RoleTrainee}, Sites: []string{"s1"}}
	if err := e.accounts.CreateUser(context.Background(), academy.Actor{}, u, testPassword); err != nil {
		t.Fatal(err)
	}
	e.tokens["newbie"] = e.login("newbie", testPassword)
	last := e.earnAllBut("newbie")
	e.api("POST", last, "newbie", nil)
	if as := e.awards("newbie"); len(as) != 0 {
		t.Fatal("a certificate was issued without a legal name")
	}
	page := e.api("GET", "/certificates", "newbie", nil).Body
	if !strings.Contains(page, `id="needs-legal-name"`) || !strings.Contains(page, "admin") {
		t.Fatalf("the page does not say whom to ask for the legal name: %s", page)
	}

	// Refused: bad input, and anyone but an admin.
	for _, c := range []struct {
		who  string
		body map[string]any
		want int
	}{
		{"admin", map[string]any{"legal_name": "王\x00五"}, 400},
		{"admin", map[string]any{"legal_name": strings.Repeat("王", 65)}, 400},
		{"admin", map[string]any{"legal_name": "王五", "status": "gone"}, 400},
		{"admin", map[string]any{"legal_name": "王五", "roles": []string{"wizard"}}, 400},
		{"newbie", map[string]any{"legal_name": "王五"}, 403},
		{"manager", map[string]any{"legal_name": "王五"}, 403},
	} {
		if res := e.api("PATCH", "/api/v1/users/newbie", c.who, c.body); res.StatusCode != c.want {
			t.Errorf("PATCH %v as %s: %d, want %d", c.body, c.who, res.StatusCode, c.want)
		}
	}
	if got, _ := e.accounts.Users.FindUser(context.Background(), "newbie"); got.LegalName != "" || got.Status != academy.StatusActive {
		t.Fatalf("a refused request wrote: %+v", got)
	}
	// Nothing of a refused request reaches the audit log either.
	audit, _, _ := e.accounts.Audit.ListAudit(context.Background(), academy.AuditFilter{Target: "newbie", Limit: 50})
	for _, a := range audit {
		if a.Action == academy.AuditLegalName || a.Action == academy.AuditRolesChanged {
			t.Fatalf("a refused request was audited: %+v", a)
		}
	}
	// The holder cannot name themselves on the certificate: their profile
	// changes the display name only.
	e.form("/account/profile", "newbie", url.Values{"display_name": {"李四"}, "lang": {"zh"}})

	// The admin's person form carries the whole record; only the legal
	// name changes.
	if res := e.form("/admin/users/newbie", "admin", url.Values{"legal_name": {" 王五 "}, "display_name": {"李四"},
		"roles": {"trainee"}, "sites": {"s1"}, "lang": {"zh"}}); res.StatusCode != 303 {
		t.Fatalf("set legal name: %d %s", res.StatusCode, res.Body)
	}
	audit, _, _ = e.accounts.Audit.ListAudit(context.Background(), academy.AuditFilter{Action: academy.AuditLegalName, Limit: 10})
	if len(audit) != 1 || audit[0].Actor != "admin" || audit[0].Detail != `"" -> "王五"` {
		t.Fatalf("legal name audit %+v", audit)
	}
	e.api("GET", "/certificates", "newbie", nil)
	as := e.awards("newbie")
	if len(as) != 1 || as[0].Holder != "王五" {
		t.Fatalf("certificate holder: %+v", as)
	}
	var cred map[string]any
	e.api("GET", "/certificates/"+as[0].Number+"/credential", "newbie", nil).json(t, &cred)
	b, _ := json.Marshal(cred)
	if !strings.Contains(string(b), `"identityHash":"王五"`) || strings.Contains(string(b), "李四") || strings.Contains(string(b), "张主管") {
		t.Fatalf("credential names: %s", b)
	}
	if v := e.api("GET", "/verify/"+as[0].Number, "", nil); !strings.Contains(v.Body, "王五") {
		t.Fatal("verify page lacks the legal name")
	}
}

// decodeBits reads an encodedList: multibase base64url ('u') of a GZIP of
// the bits.
func decodeBits(t *testing.T, encoded string) []byte {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(encoded, "u"))
	if err != nil || !strings.HasPrefix(encoded, "u") {
		t.Fatalf("encodedList %q: %v", encoded, err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	bits, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return bits
}
