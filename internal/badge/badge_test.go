package badge

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func testIssuer(t testing.TB) *Issuer {
	t.Helper()
	key, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return &Issuer{ID: "https://academy.example/issuer", Name: "物业客服学院", Key: key}
}

const statusListURL = "https://academy.example/status/1"

var (
	issuedAt = time.Date(2025, 3, 1, 9, 30, 0, 0, time.FixedZone("CST", 8*3600))
	award    = Award{
		ID:                   "https://academy.example/credentials/AC-2025-0001",
		Number:               "AC-2025-0001",
		HolderName:           "张晓梅",
		AchievementID:        "https://academy.example/programs/front-desk",
		Achievement:          "物业前台客服岗位认证",
		Description:          "完成前台接待、报修受理与投诉处理的培训与考核。",
		Criteria:             "通过全部 12 个情景演练,理论考试成绩 ≥ 80 分。",
		ValidFrom:            issuedAt,
		ValidUntil:           issuedAt.AddDate(3, 0, 0),
		StatusListCredential: statusListURL,
		StatusListIndex:      7,
	}
)

func issue(t testing.TB, iss *Issuer) []byte {
	t.Helper()
	out, err := iss.Issue(award, issuedAt.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func pubKey(iss *Issuer) ed25519.PublicKey { return iss.Key.Public().(ed25519.PublicKey) }

func TestIssueVerify(t *testing.T) {
	iss := testIssuer(t)
	cred := issue(t, iss)
	pub := pubKey(iss)
	if err := Verify(cred, pub); err != nil {
		t.Fatalf("fresh credential: %v\n%s", err, cred)
	}
	if !bytes.Contains(cred, []byte("张晓梅")) || !bytes.Contains(cred, []byte("≥")) {
		t.Errorf("Chinese text should be written as UTF-8, not escaped:\n%s", cred)
	}

	// RDF canonicalization makes the proof independent of layout and
	// member order.
	var m map[string]any
	mustUnmarshal(t, string(cred), &m)
	compact, _ := json.Marshal(m)
	if err := Verify(compact, pub); err != nil {
		t.Errorf("re-serialized credential: %v", err)
	}

	// A proof set of one may also be written as the proof itself.
	single := clone(t, m)
	single["proof"] = single["proof"].([]any)[0]
	if err := Verify(marshal(t, single), pub); err != nil {
		t.Errorf("proof as an object: %v", err)
	}

	// What is signed is the meaning: OB 3.0 defines AchievementCredential
	// as the same IRI as OpenBadgeCredential, so the alias verifies.
	alias := clone(t, m)
	alias["type"] = []any{"VerifiableCredential", "AchievementCredential"}
	if err := Verify(marshal(t, alias), pub); err != nil {
		t.Errorf("type spelled with the OB alias: %v", err)
	}

	other, _ := GenerateKey()
	if err := Verify(cred, other.Public().(ed25519.PublicKey)); !errors.Is(err, ErrBadSignature) {
		t.Errorf("another key: got %v, want ErrBadSignature", err)
	}

	for name, proof := range map[string]any{"no proof": nil, "empty proof set": []any{}} {
		c := clone(t, m)
		if proof == nil {
			delete(c, "proof")
		} else {
			c["proof"] = proof
		}
		if err := Verify(marshal(t, c), pub); !errors.Is(err, ErrNoProof) {
			t.Errorf("%s: got %v, want ErrNoProof", name, err)
		}
	}
	for name, bad := range map[string]string{
		"duplicate member": strings.Replace(string(cred), `"name": "物业前台客服岗位认证",`, `"name": "物业前台客服岗位认证", "name": "别的认证",`, 1),
		"not an object":    `["a"]`,
		"not json":         `{"proof": [`,
	} {
		if err := Verify([]byte(bad), pub); err == nil {
			t.Errorf("%s: verified", name)
		}
	}
}

func TestTamperingFails(t *testing.T) {
	iss := testIssuer(t)
	cred := issue(t, iss)
	pub := pubKey(iss)

	achievement := func(c map[string]any) map[string]any {
		return path(c, "credentialSubject", "achievement").(map[string]any)
	}
	proof := func(c map[string]any) map[string]any { return c["proof"].([]any)[0].(map[string]any) }
	for _, tc := range []struct {
		name string
		edit func(c map[string]any)
		sig  bool // the change is well-formed, so only the signature can catch it
	}{
		{"validFrom", func(c map[string]any) { c["validFrom"] = "2025-02-01T01:30:00Z" }, true},
		{"validUntil", func(c map[string]any) { c["validUntil"] = "2099-01-01T00:00:00Z" }, true},
		{"validUntil removed", func(c map[string]any) { delete(c, "validUntil") }, true},
		{"holder name", func(c map[string]any) {
			path(c, "credentialSubject", "identifier").([]any)[0].(map[string]any)["identityHash"] = "李四"
		}, true},
		{"holder hashed", func(c map[string]any) {
			path(c, "credentialSubject", "identifier").([]any)[0].(map[string]any)["hashed"] = true
		}, true},
		{"licenseNumber", func(c map[string]any) {
			path(c, "credentialSubject").(map[string]any)["licenseNumber"] = "AC-2025-0002"
		}, true},
		{"achievement name", func(c map[string]any) { achievement(c)["name"] = "物业经理岗位认证" }, true},
		{"achievement id", func(c map[string]any) { achievement(c)["id"] = "https://academy.example/programs/manager" }, true},
		{"achievement description", func(c map[string]any) { achievement(c)["description"] = "无" }, true},
		{"criteria narrative", func(c map[string]any) { achievement(c)["criteria"].(map[string]any)["narrative"] = "无需考试。" }, true},
		{"credential name", func(c map[string]any) { c["name"] = "别的名字" }, true},
		{"credential id", func(c map[string]any) { c["id"] = "https://academy.example/credentials/AC-2025-0009" }, true},
		{"type added", func(c map[string]any) {
			c["type"] = []any{"VerifiableCredential", "OpenBadgeCredential", "EndorsementCredential"}
		}, true},
		{"issuer name", func(c map[string]any) { c["issuer"].(map[string]any)["name"] = "别的学院" }, true},
		{"issuer id", func(c map[string]any) { c["issuer"].(map[string]any)["id"] = "https://evil.example/issuer" }, true},
		{"status index", func(c map[string]any) { c["credentialStatus"].(map[string]any)["statusListIndex"] = "8" }, true},
		{"status list", func(c map[string]any) {
			c["credentialStatus"].(map[string]any)["statusListCredential"] = "https://academy.example/status/2"
		}, true},
		{"status removed", func(c map[string]any) { delete(c, "credentialStatus") }, true},
		{"added description", func(c map[string]any) { c["description"] = "extra" }, true},
		{"proofValue", func(c map[string]any) {
			p := proof(c)
			v := []byte(p["proofValue"].(string))
			v[10] = map[bool]byte{true: 'b', false: 'a'}[v[10] == 'a'] // one character differs
			p["proofValue"] = string(v)
		}, true},
		{"proof created", func(c map[string]any) { proof(c)["created"] = "2025-03-01T01:31:01Z" }, true},
		{"proof verificationMethod", func(c map[string]any) {
			proof(c)["verificationMethod"] = "https://evil.example/issuer#key-1"
		}, true},
		{"proof expires added", func(c map[string]any) { proof(c)["expires"] = "2030-01-01T00:00:00Z" }, true},
		{"undefined member added", func(c map[string]any) { c["favouriteColour"] = "blue" }, false},
		{"proof context", func(c map[string]any) { proof(c)["@context"] = []any{"https://example.org/other"} }, false},
		{"proof purpose", func(c map[string]any) { proof(c)["proofPurpose"] = "authentication" }, false},
		{"proof created not a date", func(c map[string]any) { proof(c)["created"] = "yesterday" }, false},
	} {
		var c map[string]any
		mustUnmarshal(t, string(cred), &c)
		tc.edit(c)
		err := Verify(marshal(t, c), pub)
		switch {
		case err == nil:
			t.Errorf("%s changed, yet Verify succeeded", tc.name)
		case tc.sig && !errors.Is(err, ErrBadSignature):
			t.Errorf("%s: got %v, want ErrBadSignature", tc.name, err)
		default:
			t.Logf("%s: %v", tc.name, err)
		}
	}
}

// A proof this package cannot check proves nothing, even beside one that
// it can: Verify refuses it rather than ignore it.
func TestVerifyRejectsOtherProofs(t *testing.T) {
	iss := testIssuer(t)
	cred := issue(t, iss)
	pub := pubKey(iss)
	var m map[string]any
	mustUnmarshal(t, string(cred), &m)
	good := m["proof"].([]any)[0].(map[string]any)

	with := func(edit func(p map[string]any)) map[string]any {
		p := clone(t, good)
		edit(p)
		return p
	}
	for name, proofs := range map[string]any{
		"eddsa-jcs-2022 proof":       []any{with(func(p map[string]any) { p["cryptosuite"] = "eddsa-jcs-2022" })},
		"ecdsa-rdfc-2019 proof":      []any{with(func(p map[string]any) { p["cryptosuite"] = "ecdsa-rdfc-2019" })},
		"Ed25519Signature2020 proof": []any{with(func(p map[string]any) { p["type"] = "Ed25519Signature2020"; delete(p, "cryptosuite") })},
		"good and jcs proof set":     []any{good, with(func(p map[string]any) { p["cryptosuite"] = "eddsa-jcs-2022" })},
		"chained proof":              []any{with(func(p map[string]any) { p["previousProof"] = "urn:uuid:1" })},
		"proof that is a string":     []any{"z3abc"},
	} {
		c := clone(t, m)
		c["proof"] = proofs
		if err := Verify(marshal(t, c), pub); err == nil {
			t.Errorf("%s: verified", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
	if err := Verify(cred, pub[:16]); err == nil {
		t.Error("a truncated key verified")
	}
}

// The JSON carries the Open Badges 3.0 fields the spec requires.
func TestOpenBadgeFields(t *testing.T) {
	iss := testIssuer(t)
	var c struct {
		Context    []string `json:"@context"`
		ID         string
		Type       []string
		Name       string
		ValidFrom  string
		ValidUntil string
		Issuer     struct {
			ID   string
			Type []string
			Name string
		}
		CredentialSubject struct {
			Type       []string
			Identifier []struct {
				Type         string
				IdentityType string
				Hashed       *bool
				IdentityHash string
			}
			LicenseNumber string
			Achievement   struct {
				ID          string
				Type        []string
				Name        string
				Description string
				Criteria    struct{ Narrative string }
			}
		}
		CredentialStatus map[string]any
		Proof            []map[string]any
	}
	mustUnmarshal(t, string(issue(t, iss)), &c)

	check := func(what string, got, want any) {
		t.Helper()
		if gs, ws := toJSON(got), toJSON(want); gs != ws {
			t.Errorf("%s = %s, want %s", what, gs, ws)
		}
	}
	check("@context", c.Context, []string{ContextVC, ContextOB})
	check("id", c.ID, award.ID)
	check("type", c.Type, []string{"VerifiableCredential", "OpenBadgeCredential"})
	check("name", c.Name, award.Achievement)
	check("validFrom", c.ValidFrom, "2025-03-01T01:30:00Z")
	check("validUntil", c.ValidUntil, "2028-03-01T01:30:00Z")
	check("issuer", []any{c.Issuer.ID, c.Issuer.Type, c.Issuer.Name}, []any{iss.ID, []string{"Profile"}, "物业客服学院"})
	check("subject type", c.CredentialSubject.Type, []string{"AchievementSubject"})
	if len(c.CredentialSubject.Identifier) != 1 || c.CredentialSubject.Identifier[0].Hashed == nil {
		t.Fatalf("identifier = %+v", c.CredentialSubject.Identifier)
	}
	id := c.CredentialSubject.Identifier[0]
	check("identifier", []any{id.Type, id.IdentityType, *id.Hashed, id.IdentityHash}, []any{"IdentityObject", "name", false, "张晓梅"})
	check("licenseNumber", c.CredentialSubject.LicenseNumber, "AC-2025-0001")
	a := c.CredentialSubject.Achievement
	check("achievement", []any{a.ID, a.Type, a.Name, a.Description, a.Criteria.Narrative},
		[]any{award.AchievementID, []string{"Achievement"}, award.Achievement, award.Description, award.Criteria})
	check("credentialStatus", c.CredentialStatus, map[string]any{
		"id": statusListURL + "#7", "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
		"statusListIndex": "7", "statusListCredential": statusListURL,
	})
	if len(c.Proof) != 1 {
		t.Fatalf("proof = %v, want a proof set of one", c.Proof)
	}
	p := c.Proof[0]
	check("proof", map[string]any{
		"@context": p["@context"], "type": p["type"], "cryptosuite": p["cryptosuite"], "proofPurpose": p["proofPurpose"],
		"verificationMethod": p["verificationMethod"], "created": p["created"],
	}, map[string]any{
		"@context": []string{ContextVC, ContextOB}, "type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
		"proofPurpose": "assertionMethod", "verificationMethod": "https://academy.example/issuer#key-1",
		"created": "2025-03-01T01:31:00Z",
	})
	if pv, _ := p["proofValue"].(string); !strings.HasPrefix(pv, "z") {
		t.Errorf("proofValue %q is not multibase base58btc", pv)
	}

	// Without a status list URL there is no credentialStatus, and without
	// an end no validUntil.
	plain := award
	plain.StatusListCredential, plain.ValidUntil = "", time.Time{}
	out, err := iss.Issue(plain, issuedAt)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	mustUnmarshal(t, string(out), &m)
	for _, k := range []string{"credentialStatus", "validUntil"} {
		if _, ok := m[k]; ok {
			t.Errorf("%s present: %v", k, m[k])
		}
	}
	if err := Verify(out, pubKey(iss)); err != nil {
		t.Error(err)
	}
}

func TestProfile(t *testing.T) {
	iss := testIssuer(t)
	p := iss.Profile()
	vm := p["verificationMethod"].([]any)[0].(map[string]any)
	if p["id"] != iss.ID || p["name"] != iss.Name || toJSON(p["type"]) != `["Profile"]` {
		t.Errorf("profile = %v", p)
	}
	if vm["id"] != iss.ID+"#key-1" || vm["type"] != "Multikey" || vm["controller"] != iss.ID {
		t.Errorf("verification method = %v", vm)
	}
	if toJSON(p["assertionMethod"]) != toJSON([]string{iss.ID + "#key-1"}) {
		t.Errorf("assertionMethod = %v", p["assertionMethod"])
	}
	// Every term is defined by the profile's contexts: a verifier that
	// frames it as JSON-LD in safe mode loses nothing.
	var decoded map[string]any
	mustUnmarshal(t, toJSON(p), &decoded)
	nquads, err := canonicalize(decoded, builtinLoader)
	if err != nil {
		t.Fatalf("profile as JSON-LD: %v", err)
	}
	for _, want := range []string{
		"<https://w3id.org/security#assertionMethod> <https://academy.example/issuer#key-1>",
		"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/security#Multikey>",
		"<https://w3id.org/security#controller> <https://academy.example/issuer>",
		"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#Profile>",
	} {
		if !strings.Contains(nquads, want) {
			t.Errorf("profile N-Quads lack %s:\n%s", want, nquads)
		}
	}
	// A verifier that only has the published profile can check a credential.
	pub, err := ParsePublicKeyMultibase(vm["publicKeyMultibase"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(issue(t, iss), pub); err != nil {
		t.Fatalf("with the profile's key: %v", err)
	}
}

func TestIssueRejectsIncompleteInput(t *testing.T) {
	iss := testIssuer(t)
	for name, edit := range map[string]func(a *Award){
		"no holder":                  func(a *Award) { a.HolderName = "" },
		"valid until before from":    func(a *Award) { a.ValidUntil = a.ValidFrom.Add(-time.Hour) },
		"no valid from":              func(a *Award) { a.ValidFrom = time.Time{} },
		"negative status index":      func(a *Award) { a.StatusListIndex = -1 },
		"status index past the list": func(a *Award) { a.StatusListIndex = StatusListSize },
		"status list with fragment":  func(a *Award) { a.StatusListCredential = statusListURL + "#x" },
		"relative status list":       func(a *Award) { a.StatusListCredential = "status/1" },
		"relative credential id":     func(a *Award) { a.ID = "AC-2025-0001" },
		"control character in text":  func(a *Award) { a.Criteria = "通过\f考试" },
	} {
		a := award
		edit(&a)
		if _, err := iss.Issue(a, issuedAt); err == nil {
			t.Errorf("%s: issued", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
	if _, err := (&Issuer{ID: iss.ID, Name: iss.Name}).Issue(award, issuedAt); err == nil {
		t.Error("issuer without key issued")
	}
	if _, err := (&Issuer{ID: iss.ID, Key: iss.Key}).Issue(award, issuedAt); err == nil {
		t.Error("issuer without name issued")
	}
}

// Signing runs once per certificate, when it is issued; this shows its cost.
func BenchmarkIssue(b *testing.B) {
	iss := testIssuer(b)
	for b.Loop() {
		if _, err := iss.Issue(award, issuedAt); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	iss := testIssuer(b)
	cred := issue(b, iss)
	pub := pubKey(iss)
	for b.Loop() {
		if err := Verify(cred, pub); err != nil {
			b.Fatal(err)
		}
	}
}

func path(m map[string]any, keys ...string) any {
	var v any = m
	for _, k := range keys {
		v = v.(map[string]any)[k]
	}
	return v
}

func clone(t testing.TB, m map[string]any) map[string]any {
	t.Helper()
	var c map[string]any
	mustUnmarshal(t, toJSON(m), &c)
	return c
}

func marshal(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
