package badge

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// verifierPackages are Digital Bazaar's Verifiable Credentials libraries,
// pinned by version, with the JSON-LD and canonicalization libraries they
// use pinned too so that the verifier does not drift between runs. To
// upgrade, change the versions: the cache folder follows them.
var verifierPackages = []string{
	"@digitalbazaar/vc@7.3.0",
	"@digitalbazaar/data-integrity@2.5.0",
	"@digitalbazaar/eddsa-rdfc-2022-cryptosuite@1.3.0",
	"@digitalbazaar/ed25519-multikey@1.3.1",
	"@digitalbazaar/vc-bitstring-status-list@2.0.1",
	"jsonld@9.0.0",
	"jsonld-signatures@11.6.0",
	"rdf-canonize@5.0.0",
}

// verifierDir returns a folder whose node_modules holds verifierPackages.
// It is cached per user, outside the repository, because Go modules cannot
// carry npm packages and the test must still run on a fresh machine: the
// first run installs them with npm, later runs reuse them offline.
func verifierDir(t *testing.T, npm string) string {
	t.Helper()
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir() // no HOME (some CI containers): still cache per machine
	}
	sum := sha256.Sum256([]byte(strings.Join(verifierPackages, "\n")))
	dir := filepath.Join(cache, "academy-test", "badge-verifier-"+hex.EncodeToString(sum[:6]))
	if installed(dir) {
		return dir
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		t.Fatal(err)
	}
	// Install beside the cache and rename into place, so that a run that
	// is stopped half-way, or two runs at once, never leave a broken cache.
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".badge-verifier-*")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	args := append([]string{"install", "--no-save", "--no-package-lock", "--no-audit", "--no-fund",
		"--ignore-scripts", "--prefix", tmp}, verifierPackages...)
	if out, err := exec.CommandContext(ctx, npm, args...).CombinedOutput(); err != nil {
		t.Fatalf("npm install of the reference verifier: %v\n%s", err, out)
	}
	if !installed(tmp) {
		t.Fatalf("npm install did not install %v", verifierPackages)
	}
	if err := os.Rename(tmp, dir); err != nil && !installed(dir) {
		t.Fatalf("cache the reference verifier: %v", err)
	}
	return dir
}

// installed reports whether dir/node_modules has every pinned package at
// its pinned version.
func installed(dir string) bool {
	for _, spec := range verifierPackages {
		at := strings.LastIndexByte(spec, '@')
		b, err := os.ReadFile(filepath.Join(dir, "node_modules", spec[:at], "package.json"))
		if err != nil {
			return false
		}
		var pkg struct{ Version string }
		if json.Unmarshal(b, &pkg) != nil || pkg.Version != spec[at+1:] {
			return false
		}
	}
	return true
}

type verifierCase struct {
	Name       string          `json:"name"`
	Credential json.RawMessage `json:"credential"`
}

type verifierScenario struct {
	Documents map[string]json.RawMessage `json:"documents"`
	Cases     []verifierCase             `json:"cases"`
}

type verifierResult struct {
	Name           string
	Verified       bool
	StatusVerified *bool
	Revoked        *bool
	Errors         []string
}

// referenceVerify runs testdata/verify.mjs on the scenarios and returns its
// results by case name.
func referenceVerify(t *testing.T, now time.Time, scenarios []verifierScenario) map[string]verifierResult {
	t.Helper()
	node, errNode := exec.LookPath("node")
	npm, errNpm := exec.LookPath("npm")
	if errNode != nil || errNpm != nil {
		t.Skip("reference verifier test skipped: node and npm are not on PATH (apt-get install npm; .ci/run does this)")
	}
	dir := verifierDir(t, npm)

	contexts := map[string]json.RawMessage{}
	for url := range contextPaths {
		contexts[url] = builtinLoader.docs[url]
	}
	input, err := json.Marshal(map[string]any{"now": timestamp(now), "contexts": contexts, "scenarios": scenarios})
	if err != nil {
		t.Fatal(err)
	}
	inputPath := filepath.Join(t.TempDir(), "input.json")
	if err := os.WriteFile(inputPath, input, 0o644); err != nil {
		t.Fatal(err)
	}
	// The script's imports resolve from where it lies, so it runs from the
	// verifier's folder, under a name of its own for runs in parallel.
	script, err := os.ReadFile(filepath.Join("testdata", "verify.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	scriptPath := filepath.Join(dir, "verify-"+rand.Text()+".mjs")
	if err := os.WriteFile(scriptPath, script, 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(scriptPath)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, node, scriptPath, inputPath)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node verify.mjs: %v\n%s", err, stderr.Bytes())
	}
	var results []verifierResult
	if err := json.Unmarshal(stdout.Bytes(), &results); err != nil {
		t.Fatalf("verify.mjs output: %v\n%s\n%s", err, stdout.Bytes(), stderr.Bytes())
	}
	byName := map[string]verifierResult{}
	for _, r := range results {
		byName[r.Name] = r
	}
	return byName
}

// Digital Bazaar's verifier, given only our issuer profile, our status list
// credential and the contexts, accepts our credentials, refuses them once
// any signed field changes, and reads their revocation status.
func TestReferenceVerifierAcceptsOurCredentials(t *testing.T) {
	iss := testIssuer(t)
	now := issuedAt.Add(24 * time.Hour)
	profile, err := json.Marshal(iss.Profile())
	if err != nil {
		t.Fatal(err)
	}
	issueAt := func(index int) []byte {
		a := award
		a.StatusListIndex = index
		a.Number = fmt.Sprintf("AC-2025-%04d", index)
		a.ID = "https://academy.example/credentials/" + a.Number
		out, err := iss.Issue(a, issuedAt.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	statusList := func(revoked ...int) json.RawMessage {
		out, err := iss.StatusList(statusListURL, revoked, now)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	mine, others := issueAt(7), issueAt(8)
	// Text that N-Quads must escape is escaped as other implementations do.
	escapes := award
	escapes.StatusListIndex = 9
	escapes.Criteria = "第一行：\"引号\" 与反斜杠 \\\n第二行\t制表\r\n第三行 <b>&amp;</b> 😀"
	awkward, err := iss.Issue(escapes, issuedAt)
	if err != nil {
		t.Fatal(err)
	}

	tamper := func(edit func(c map[string]any)) json.RawMessage {
		var c map[string]any
		mustUnmarshal(t, string(mine), &c)
		edit(c)
		return marshal(t, c)
	}
	achievement := func(c map[string]any) map[string]any {
		return path(c, "credentialSubject", "achievement").(map[string]any)
	}
	tampered := map[string]json.RawMessage{
		"holder name": tamper(func(c map[string]any) {
			path(c, "credentialSubject", "identifier").([]any)[0].(map[string]any)["identityHash"] = "李四"
		}),
		"validFrom":          tamper(func(c map[string]any) { c["validFrom"] = "2025-02-01T01:30:00Z" }),
		"achievement name":   tamper(func(c map[string]any) { achievement(c)["name"] = "物业经理岗位认证" }),
		"criteria narrative": tamper(func(c map[string]any) { achievement(c)["criteria"].(map[string]any)["narrative"] = "无需考试。" }),
		"status index":       tamper(func(c map[string]any) { c["credentialStatus"].(map[string]any)["statusListIndex"] = "8" }),
		"proof created": tamper(func(c map[string]any) {
			c["proof"].([]any)[0].(map[string]any)["created"] = "2025-03-01T01:31:01Z"
		}),
	}
	// Signed with another key, yet naming our key: the profile does not
	// vouch for it.
	impostor := *iss
	impostor.Key, _ = GenerateKey()
	forged, err := impostor.Issue(award, issuedAt)
	if err != nil {
		t.Fatal(err)
	}

	before := verifierScenario{
		Documents: map[string]json.RawMessage{iss.ID: profile, statusListURL: statusList()},
		Cases: []verifierCase{
			{"fresh", mine}, {"other", others}, {"another key", forged}, {"text with escapes", awkward},
		},
	}
	for name, c := range tampered {
		before.Cases = append(before.Cases, verifierCase{"tampered " + name, c})
	}
	after := verifierScenario{
		Documents: map[string]json.RawMessage{iss.ID: profile, statusListURL: statusList(7)},
		Cases:     []verifierCase{{"revoked", mine}, {"other after revocation", others}},
	}
	results := referenceVerify(t, now, []verifierScenario{before, after})

	accepted := func(name string, revoked bool) {
		t.Helper()
		r, ok := results[name]
		switch {
		case !ok:
			t.Errorf("%s: no result", name)
		case !r.Verified:
			t.Errorf("%s: not verified: %q", name, r.Errors)
		case r.StatusVerified == nil || !*r.StatusVerified || r.Revoked == nil:
			t.Errorf("%s: status not checked: %+v", name, r)
		case *r.Revoked != revoked:
			t.Errorf("%s: revoked = %v, want %v", name, *r.Revoked, revoked)
		}
	}
	accepted("fresh", false)
	accepted("other", false)
	accepted("text with escapes", false)
	accepted("revoked", true)
	accepted("other after revocation", false)

	refused := func(name string) {
		t.Helper()
		r, ok := results[name]
		switch {
		case !ok:
			t.Errorf("%s: no result", name)
		case r.Verified:
			t.Errorf("%s: verified", name)
		case !strings.Contains(strings.Join(r.Errors, "\n"), "Invalid signature"):
			// Refused for another reason (a context it could not load, a
			// date) would prove nothing about the signature.
			t.Errorf("%s: refused, but not for its signature: %q", name, r.Errors)
		default:
			t.Logf("%s: %q", name, r.Errors)
		}
	}
	refused("another key")
	for name := range tampered {
		refused("tampered " + name)
	}
	if t.Failed() {
		t.Logf("credential:\n%s\nprofile:\n%s", mine, profile)
	}
}

func TestInstalledNeedsEveryPackage(t *testing.T) {
	dir := t.TempDir()
	if installed(dir) {
		t.Fatal("empty folder counted as installed")
	}
	for i, spec := range verifierPackages {
		at := strings.LastIndexByte(spec, '@')
		pkg := filepath.Join(dir, "node_modules", spec[:at])
		if err := os.MkdirAll(pkg, 0o755); err != nil {
			t.Fatal(err)
		}
		version := spec[at+1:]
		if i == len(verifierPackages)-1 {
			version = "0.0.1" // one package at another version
		}
		if err := os.WriteFile(filepath.Join(pkg, "package.json"), []byte(`{"version":"`+version+`"}`), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if installed(dir) {
		t.Fatal("a package at the wrong version counted as installed")
	}
}
