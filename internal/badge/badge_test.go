package badge

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"
)

// The eddsa-jcs-2022 test vector of W3C "Data Integrity EdDSA Cryptosuites
// v1.0", Appendix B.3: key, canonical forms, hashes, signature and the
// signed credential, reproduced end to end.
func TestSpecVectorEddsaJcs2022(t *testing.T) {
	secret, err := base58Decode(strings.TrimPrefix("z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq", "z"))
	if err != nil || len(secret) != 34 || secret[0] != 0x80 || secret[1] != 0x26 { // ed25519-priv multicodec
		t.Fatalf("secretKeyMultibase: %x %v", secret, err)
	}
	priv := ed25519.NewKeyFromSeed(secret[2:])
	pub := priv.Public().(ed25519.PublicKey)
	if got := PublicKeyMultibase(pub); got != "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2" {
		t.Fatalf("publicKeyMultibase = %s", got)
	}
	if back, err := ParsePublicKeyMultibase("z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"); err != nil || !back.Equal(pub) {
		t.Fatalf("ParsePublicKeyMultibase: %x %v", back, err)
	}

	const unsecured = `{
    "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
    "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
    "type": ["VerifiableCredential", "AlumniCredential"],
    "name": "Alumni Credential",
    "description": "A minimum viable example of an Alumni Credential.",
    "issuer": "https://vc.example/issuers/5678",
    "validFrom": "2023-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"}
}`
	const vm = "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
	const options = `{
  "type": "DataIntegrityProof", "cryptosuite": "eddsa-jcs-2022", "created": "2023-02-24T23:36:38Z",
  "verificationMethod": "` + vm + `", "proofPurpose": "assertionMethod",
  "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"]
}`
	canonDoc, err := CanonicalizeJSON([]byte(unsecured))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/examples/v2"],"credentialSubject":{"alumniOf":"The School of Examples","id":"did:example:abcdefgh"},"description":"A minimum viable example of an Alumni Credential.","id":"urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33","issuer":"https://vc.example/issuers/5678","name":"Alumni Credential","type":["VerifiableCredential","AlumniCredential"],"validFrom":"2023-01-01T00:00:00Z"}`; string(canonDoc) != want {
		t.Fatalf("canonical credential:\n got %s\nwant %s", canonDoc, want)
	}
	canonOpts, err := CanonicalizeJSON([]byte(options))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/examples/v2"],"created":"2023-02-24T23:36:38Z","cryptosuite":"eddsa-jcs-2022","proofPurpose":"assertionMethod","type":"DataIntegrityProof","verificationMethod":"` + vm + `"}`; string(canonOpts) != want {
		t.Fatalf("canonical proof options:\n got %s\nwant %s", canonOpts, want)
	}

	var doc, opts map[string]any
	mustUnmarshal(t, unsecured, &doc)
	mustUnmarshal(t, options, &opts)
	hash, err := hashData(opts, doc)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := hex.EncodeToString(hash), "66ab154f5c2890a140cb8388a22a160454f80575f6eae09e5a097cabe539a1db"+
		"59b7cb6251b8991add1ce0bc83107e3db9dbbab5bd2c28f687db1a03abc92f19"; got != want {
		t.Fatalf("hash data:\n got %s\nwant %s", got, want)
	}
	sig := ed25519.Sign(priv, hash)
	if got, want := hex.EncodeToString(sig), "407cd12654b33d718ecbb99179a1506daaa849450bf3fc523cce3e1c96f8b80351da3f253d725c6f00b07c9e5448d50b3ef78012b9ab54255116d069c6dd2808"; got != want {
		t.Fatalf("signature:\n got %s\nwant %s", got, want)
	}
	if got, want := "z"+base58Encode(sig), "z2HnFSSPPBzR36zdDgK8PbEHeXbR56YF24jwMpt3R1eHXQzJDMWS93FCzpvJpwTWd3GAVFuUfjoJdcnTMuVor51aX"; got != want {
		t.Fatalf("proofValue: got %s, want %s", got, want)
	}

	// The signed credential as the spec prints it verifies.
	signed := strings.TrimSuffix(unsecured, "}") + `, "proof": ` +
		strings.TrimSuffix(options, "}") + `, "proofValue": "z2HnFSSPPBzR36zdDgK8PbEHeXbR56YF24jwMpt3R1eHXQzJDMWS93FCzpvJpwTWd3GAVFuUfjoJdcnTMuVor51aX"}}`
	if err := Verify([]byte(signed), pub); err != nil {
		t.Fatalf("spec's signed credential: %v", err)
	}
}

func testIssuer(t *testing.T) *Issuer {
	t.Helper()
	key, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return &Issuer{ID: "https://academy.example/issuer", Name: "物业客服学院", Key: key}
}

var (
	issuedAt = time.Date(2025, 3, 1, 9, 30, 0, 0, time.FixedZone("CST", 8*3600))
	award    = Award{
		ID:            "https://academy.example/credentials/AC-2025-0001",
		Number:        "AC-2025-0001",
		HolderName:    "张晓梅",
		AchievementID: "https://academy.example/programs/front-desk",
		Achievement:   "物业前台客服岗位认证",
		Description:   "完成前台接待、报修受理与投诉处理的培训与考核。",
		Criteria:      "通过全部 12 个情景演练,理论考试成绩 ≥ 80 分。",
		ValidFrom:     issuedAt,
		ValidUntil:    issuedAt.AddDate(3, 0, 0),
		StatusURL:     "https://academy.example/credentials/AC-2025-0001/status",
	}
)

func issue(t *testing.T, iss *Issuer) []byte {
	t.Helper()
	out, err := iss.Issue(award, issuedAt.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestIssueVerify(t *testing.T) {
	iss := testIssuer(t)
	cred := issue(t, iss)
	pub := iss.Key.Public().(ed25519.PublicKey)
	if err := Verify(cred, pub); err != nil {
		t.Fatalf("fresh credential: %v\n%s", err, cred)
	}
	if !bytes.Contains(cred, []byte("张晓梅")) || !bytes.Contains(cred, []byte("≥")) {
		t.Errorf("Chinese text should be written as UTF-8, not escaped:\n%s", cred)
	}

	// JCS makes the proof independent of layout and member order.
	var m map[string]any
	mustUnmarshal(t, string(cred), &m)
	compact, _ := json.Marshal(m)
	if err := Verify(compact, pub); err != nil {
		t.Errorf("re-serialized credential: %v", err)
	}

	other, _ := GenerateKey()
	if err := Verify(cred, other.Public().(ed25519.PublicKey)); !errors.Is(err, ErrBadSignature) {
		t.Errorf("another key: got %v, want ErrBadSignature", err)
	}

	delete(m, "proof")
	noProof, _ := json.Marshal(m)
	if err := Verify(noProof, pub); !errors.Is(err, ErrNoProof) {
		t.Errorf("no proof: got %v, want ErrNoProof", err)
	}
}

func TestTamperingFails(t *testing.T) {
	iss := testIssuer(t)
	cred := issue(t, iss)
	pub := iss.Key.Public().(ed25519.PublicKey)

	for name, edit := range map[string]func(c map[string]any){
		"validUntil": func(c map[string]any) { c["validUntil"] = "2099-01-01T00:00:00Z" },
		"holder name": func(c map[string]any) {
			path(c, "credentialSubject", "identifier").([]any)[0].(map[string]any)["identityHash"] = "李四"
		},
		"achievement name": func(c map[string]any) {
			path(c, "credentialSubject", "achievement").(map[string]any)["name"] = "物业经理岗位认证"
		},
		"achievement id": func(c map[string]any) {
			path(c, "credentialSubject", "achievement").(map[string]any)["id"] = "https://academy.example/programs/manager"
		},
		"proofValue": func(c map[string]any) {
			p := c["proof"].(map[string]any)
			v := []byte(p["proofValue"].(string))
			v[10] = map[bool]byte{true: 'b', false: 'a'}[v[10] == 'a'] // one character differs
			p["proofValue"] = string(v)
		},
		"proof created": func(c map[string]any) { c["proof"].(map[string]any)["created"] = "2025-03-01T01:31:01Z" },
		"proof verificationMethod": func(c map[string]any) {
			c["proof"].(map[string]any)["verificationMethod"] = "https://evil.example/issuer#key-1"
		},
		"added member": func(c map[string]any) { c["description"] = "extra" },
		"issuer":       func(c map[string]any) { c["issuer"].(map[string]any)["name"] = "别的学院" },
		"proof context": func(c map[string]any) {
			c["proof"].(map[string]any)["@context"] = []any{"https://example.org/other"}
		},
	} {
		var c map[string]any
		mustUnmarshal(t, string(cred), &c)
		edit(c)
		tampered, _ := json.Marshal(c)
		err := Verify(tampered, pub)
		if err == nil {
			t.Errorf("%s changed, yet Verify succeeded", name)
			continue
		}
		t.Logf("%s: %v", name, err)
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
		CredentialStatus struct{ ID, Type string }
		Proof            map[string]any
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
	check("credentialStatus", c.CredentialStatus, map[string]string{"ID": award.StatusURL, "Type": "1EdTechRevocationList"})
	check("proof", map[string]any{
		"type": c.Proof["type"], "cryptosuite": c.Proof["cryptosuite"], "proofPurpose": c.Proof["proofPurpose"],
		"verificationMethod": c.Proof["verificationMethod"], "created": c.Proof["created"],
	}, map[string]any{
		"type": "DataIntegrityProof", "cryptosuite": "eddsa-jcs-2022", "proofPurpose": "assertionMethod",
		"verificationMethod": "https://academy.example/issuer#key-1", "created": "2025-03-01T01:31:00Z",
	})
	if pv, _ := c.Proof["proofValue"].(string); !strings.HasPrefix(pv, "z") {
		t.Errorf("proofValue %q is not multibase base58btc", pv)
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
	bad := award
	bad.HolderName = ""
	if _, err := iss.Issue(bad, issuedAt); err == nil {
		t.Error("award without holder issued")
	}
	bad = award
	bad.ValidUntil = award.ValidFrom.Add(-time.Hour)
	if _, err := iss.Issue(bad, issuedAt); err == nil {
		t.Error("award valid until before valid from issued")
	}
	if _, err := (&Issuer{ID: iss.ID, Name: iss.Name}).Issue(award, issuedAt); err == nil {
		t.Error("issuer without key issued")
	}
}

// A third party following the spec's Verify Proof steps with nothing but
// encoding/json, crypto/sha256, crypto/ed25519, math/big for base58 and a
// JCS function over decoded maps.
func TestThirdPartyVerification(t *testing.T) {
	iss := testIssuer(t)
	cred := issue(t, iss)
	var vm map[string]any = iss.Profile()["verificationMethod"].([]any)[0].(map[string]any)

	thirdPartyVerify := func(raw []byte) bool {
		var secured map[string]any
		if err := json.Unmarshal(raw, &secured); err != nil {
			t.Fatal(err)
		}
		// 1. unsecuredDocument = securedDocument without proof.
		unsecured := map[string]any{}
		for k, v := range secured {
			if k != "proof" {
				unsecured[k] = v
			}
		}
		// 2. proofOptions = proof without proofValue; 3. proofBytes.
		proof := secured["proof"].(map[string]any)
		options := map[string]any{}
		for k, v := range proof {
			if k != "proofValue" {
				options[k] = v
			}
		}
		proofBytes := decodeBase58ForTest(t, strings.TrimPrefix(proof["proofValue"].(string), "z"))
		// 4. The proof's @context must prefix the document's; use it.
		if toJSON(options["@context"]) != toJSON(secured["@context"]) {
			t.Fatal("proof @context differs from the credential's")
		}
		unsecured["@context"] = options["@context"]
		// 5-7. hashData = SHA-256(JCS(proofConfig)) || SHA-256(JCS(document)).
		cfg, err := Canonicalize(options)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := Canonicalize(unsecured)
		if err != nil {
			t.Fatal(err)
		}
		h1, h2 := sha256.Sum256(cfg), sha256.Sum256(doc)
		// Public key from the profile's Multikey: strip 0xed01.
		key := decodeBase58ForTest(t, strings.TrimPrefix(vm["publicKeyMultibase"].(string), "z"))
		if !bytes.Equal(key[:2], []byte{0xed, 0x01}) {
			t.Fatalf("multikey prefix %x", key[:2])
		}
		return ed25519.Verify(ed25519.PublicKey(key[2:]), append(h1[:], h2[:]...), proofBytes)
	}

	if !thirdPartyVerify(cred) {
		t.Fatal("third party could not verify a fresh credential")
	}
	tampered := bytes.Replace(cred, []byte("张晓梅"), []byte("张晓海"), 1)
	if thirdPartyVerify(tampered) {
		t.Fatal("third party verified a tampered credential")
	}
}

// decodeBase58ForTest is deliberately a different algorithm from the
// package's (big-integer arithmetic).
func decodeBase58ForTest(t *testing.T, s string) []byte {
	t.Helper()
	n := new(big.Int)
	for _, r := range s {
		i := strings.IndexRune(base58btc, r)
		if i < 0 {
			t.Fatalf("bad base58 %q", s)
		}
		n.Mul(n, big.NewInt(58)).Add(n, big.NewInt(int64(i)))
	}
	lead := len(s) - len(strings.TrimLeft(s, "1"))
	return append(make([]byte, lead), n.Bytes()...)
}

func path(m map[string]any, keys ...string) any {
	var v any = m
	for _, k := range keys {
		v = v.(map[string]any)[k]
	}
	return v
}

func mustUnmarshal(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("%v in %s", err, s)
	}
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
