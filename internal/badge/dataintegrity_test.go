package badge

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// specLoader serves the embedded contexts plus the VC examples context that
// the spec's test vectors use (and no credential of ours does).
func specLoader(t testing.TB) *contextLoader {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "credentials-examples-v2.jsonld"))
	if err != nil {
		t.Fatal(err)
	}
	l := &contextLoader{docs: maps.Clone(builtinLoader.docs)}
	l.docs["https://www.w3.org/ns/credentials/examples/v2"] = b
	return l
}

func readVector(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "vc-di-eddsa", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The eddsa-rdfc-2022 test vector of W3C "Data Integrity EdDSA Cryptosuites
// v1.0", Appendix B (files of the specification's TestVectors folder):
// key, canonical N-Quads, hashes, signature and the signed credential,
// reproduced end to end.
func TestSpecVectorEddsaRdfc2022(t *testing.T) {
	var keyPair struct{ PublicKeyMultibase, PrivateKeyMultibase string }
	mustUnmarshal(t, readVector(t, "keyPair.json"), &keyPair)
	secret, err := base58Decode(strings.TrimPrefix(keyPair.PrivateKeyMultibase, "z"))
	if err != nil || len(secret) != 34 || secret[0] != 0x80 || secret[1] != 0x26 { // ed25519-priv multicodec
		t.Fatalf("secretKeyMultibase: %x %v", secret, err)
	}
	priv := ed25519.NewKeyFromSeed(secret[2:])
	pub := priv.Public().(ed25519.PublicKey)
	if got := PublicKeyMultibase(pub); got != keyPair.PublicKeyMultibase {
		t.Fatalf("publicKeyMultibase = %s, want %s", got, keyPair.PublicKeyMultibase)
	}
	if back, err := ParsePublicKeyMultibase(keyPair.PublicKeyMultibase); err != nil || !back.Equal(pub) {
		t.Fatalf("ParsePublicKeyMultibase: %x %v", back, err)
	}

	loader := specLoader(t)
	var doc, config map[string]any
	mustUnmarshal(t, readVector(t, "unsigned.json"), &doc)
	mustUnmarshal(t, readVector(t, "proofConfigDataInt.json"), &config)

	canonDoc, err := canonicalize(doc, loader)
	if err != nil {
		t.Fatal(err)
	}
	if want := readVector(t, "canonDocDataInt.txt"); canonDoc != want {
		t.Fatalf("canonical credential:\n got %s\nwant %s", canonDoc, want)
	}
	if got, want := hexSHA256(canonDoc), readVector(t, "docHashDataInt.txt"); got != want {
		t.Fatalf("document hash %s, want %s", got, want)
	}
	canonConfig, err := canonicalize(config, loader)
	if err != nil {
		t.Fatal(err)
	}
	if want := readVector(t, "proofCanonDataInt.txt"); canonConfig != want {
		t.Fatalf("canonical proof configuration:\n got %s\nwant %s", canonConfig, want)
	}
	if got, want := hexSHA256(canonConfig), readVector(t, "proofHashDataInt.txt"); got != want {
		t.Fatalf("proof configuration hash %s, want %s", got, want)
	}

	hash, err := hashData(config, doc, loader)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := hex.EncodeToString(hash), readVector(t, "combinedHashDataInt.txt"); got != want {
		t.Fatalf("hash data:\n got %s\nwant %s", got, want)
	}
	sig := ed25519.Sign(priv, hash)
	if got, want := hex.EncodeToString(sig), readVector(t, "sigHexDataInt.txt"); got != want {
		t.Fatalf("signature:\n got %s\nwant %s", got, want)
	}
	if got, want := "z"+base58Encode(sig), readVector(t, "sigBTC58DataInt.txt"); got != want {
		t.Fatalf("proofValue: got %s, want %s", got, want)
	}

	// The signed credential as the spec prints it (a single proof object,
	// whose configuration takes the credential's @context) verifies, and
	// stops verifying when a word changes.
	signed := readVector(t, "signedDataInt.json")
	if err := verify([]byte(signed), pub, loader); err != nil {
		t.Fatalf("spec's signed credential: %v", err)
	}
	if err := verify([]byte(strings.Replace(signed, "School of Examples", "School of Exemples", 1)), pub, loader); err == nil {
		t.Fatal("spec's credential with a changed alumniOf verified")
	}
}

// JSON-LD processing must never drop what it does not understand: what is
// dropped is not signed, so it could be changed at will. Nor may it pass
// text that other RDFC-1.0 implementations would write differently.
func TestCanonicalizeRefusesUnsafeInput(t *testing.T) {
	base := func() map[string]any {
		return map[string]any{
			"@context":          []any{ContextVC, ContextOB},
			"id":                "https://academy.example/credentials/1",
			"type":              []any{"VerifiableCredential", "OpenBadgeCredential"},
			"issuer":            "https://academy.example/issuer",
			"credentialSubject": map[string]any{"type": []any{"AchievementSubject"}},
		}
	}
	if _, err := canonicalize(base(), builtinLoader); err != nil {
		t.Fatalf("well-formed document: %v", err)
	}
	for name, edit := range map[string]func(d map[string]any){
		"undefined property":        func(d map[string]any) { d["favouriteColour"] = "blue" },
		"undefined nested property": func(d map[string]any) { d["credentialSubject"].(map[string]any)["shoeSize"] = "42" },
		"undefined type":            func(d map[string]any) { d["type"] = []any{"VerifiableCredential", "MadeUpCredential"} },
		"relative id":               func(d map[string]any) { d["id"] = "credentials/1" },
		"relative issuer":           func(d map[string]any) { d["issuer"] = "issuer" },
		"unknown context":           func(d map[string]any) { d["@context"] = []any{ContextVC, "https://example.org/ctx"} },
		"iri with a space":          func(d map[string]any) { d["id"] = "https://academy.example/a b" },
		"control character in text": func(d map[string]any) { d["name"] = "证书\b" },
		"property outside a context": func(d map[string]any) {
			d["@context"] = []any{ContextVC}
			d["credentialSubject"].(map[string]any)["licenseNumber"] = "1"
		},
		"undefined type of a subject": func(d map[string]any) { d["credentialSubject"].(map[string]any)["type"] = []any{"Learner"} },
	} {
		d := base()
		edit(d)
		if _, err := canonicalize(d, builtinLoader); err == nil {
			t.Errorf("%s: canonicalized without error", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}

func TestLoaderRefusesOtherURLs(t *testing.T) {
	for _, u := range []string{ContextVC, ContextOB, ContextCID} {
		if _, err := builtinLoader.LoadDocument(u); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
	for _, u := range []string{"https://www.w3.org/2018/credentials/v1", "https://academy.example/issuer", "file:///etc/passwd"} {
		if _, err := builtinLoader.LoadDocument(u); err == nil {
			t.Errorf("%s was served", u)
		}
	}
}

// The embedded contexts are the published ones byte for byte (their
// sources are in contexts/README.md): an edited copy would make our proofs
// fail for every verifier that fetches the real one.
func TestEmbeddedContextsUnchanged(t *testing.T) {
	for url, want := range map[string]string{
		ContextVC:  "8a9f494a89ecc51db093e90e84713e07e84d6d9204364a9b3c7868b21751236f",
		ContextOB:  "ef2fa9c7846dce233cc166b43639027278be4ee44f00bb1d45c75de2dd0cd761",
		ContextCID: "ea216ecc1cb02cd39b693dba2250141e270ba0bf95890be107dd9a9e8e43de85",
	} {
		if got := hexSHA256(string(builtinLoader.docs[url])); got != want {
			t.Errorf("%s: SHA-256 %s, want %s", url, got, want)
		}
	}
}

func hexSHA256(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func mustUnmarshal(t testing.TB, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("%v in %s", err, s)
	}
}
