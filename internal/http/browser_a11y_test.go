package http_test

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// axe-core is pinned by version and by the SHA-256 of its axe.min.js, so a
// changed or tampered package fails the test instead of silently changing
// what "accessible" means. To upgrade: npm pack axe-core@<new>, take the
// sha256sum of package/axe.min.js, and change both constants.
const (
	axeVersion = "4.14.1"
	axeSHA256  = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
)

// axeSource returns the pinned axe.min.js. It is cached per user, outside
// the repository, because Go modules cannot carry an npm package and the
// test must still run on a fresh machine: the first run fetches it with npm.
func axeSource(t *testing.T) string {
	t.Helper()
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir() // no HOME (some CI containers): still cache per machine
	}
	path := filepath.Join(dir, "academy-test", "axe-core-"+axeVersion, "axe.min.js")
	if b, err := os.ReadFile(path); err == nil && sha256Hex(b) == axeSHA256 {
		return string(b)
	}
	// Only a missing (or damaged) cache needs npm, so a machine that has the
	// file runs the test without it.
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Skip("accessibility test skipped: no npm on PATH to fetch axe-core@" + axeVersion + " (apt-get install npm; .ci/run does this)")
	}
	b, err := npmPackFile(t, npm, "axe-core@"+axeVersion, "package/axe.min.js")
	if err != nil {
		t.Fatalf("fetch axe-core@%s with npm: %v", axeVersion, err)
	}
	if got := sha256Hex(b); got != axeSHA256 {
		t.Fatalf("axe-core@%s axe.min.js has SHA-256 %s, want %s: the registry served a different file", axeVersion, got, axeSHA256)
	}
	if err := writeAtomic(path, b); err != nil {
		// The test can go on with the bytes in hand; the next run fetches again.
		t.Logf("cache axe-core: %v", err)
	}
	return string(b)
}

// npmPackFile downloads a package tarball with `npm pack` (the registry's
// own client, honouring the user's npm config and proxy) and returns one
// file from it.
func npmPackFile(t *testing.T, npm, spec, name string) ([]byte, error) {
	tmp := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "pack", spec, "--silent")
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "NPM_CONFIG_UPDATE_NOTIFIER=false", "NPM_CONFIG_FUND=false")
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("npm pack %s: %v\n%s", spec, err, out)
	}
	tgzs, _ := filepath.Glob(filepath.Join(tmp, "*.tgz"))
	if len(tgzs) != 1 {
		return nil, fmt.Errorf("npm pack %s: expected one .tgz, found %v", spec, tgzs)
	}
	f, err := os.Open(tgzs[0])
	if err != nil {
		return nil, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s has no %s", filepath.Base(tgzs[0]), name)
		}
		if err != nil {
			return nil, err
		}
		if h.Name == name && h.Typeflag == tar.TypeReg {
			// axe.min.js is well under a megabyte; the cap guards against a
			// broken archive filling memory.
			return io.ReadAll(io.LimitReader(tr, 32<<20))
		}
	}
}

// writeAtomic writes via a temporary file and a rename so that a test run
// interrupted mid-write, or a parallel one, never leaves a half file.
func writeAtomic(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".axe-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // no-op after a successful rename
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// axeViolation is the part of an axe result that a person needs to find and
// fix the problem.
type axeViolation struct {
	ID      string `json:"id"`
	Impact  string `json:"impact"`
	Help    string `json:"help"`
	HelpURL string `json:"helpUrl"`
	Nodes   []struct {
		Target  string `json:"target"`
		HTML    string `json:"html"`
		Summary string `json:"summary"`
	} `json:"nodes"`
}

// axeRun flattens the result in the page so that only what the report
// prints crosses the protocol (full axe results are large).
const axeRun = `axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({
	id: v.id, impact: v.impact || '', help: v.help, helpUrl: v.helpUrl,
	nodes: v.nodes.map(n => ({target: n.target.flat(Infinity).join(' '), html: n.html, summary: n.failureSummary || ''})),
})))`

// audit runs axe on the page the browser shows now. Serious and critical
// violations fail the test (all of them are reported, not only the first);
// moderate and minor ones are logged for whoever runs with -v.
func audit(t *testing.T, ctx context.Context, axe, page string) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	// Injected on every page: a navigation drops the previous page's scripts.
	if err := chromedp.Do(sctx, chromedp.Evaluate[chromedp.Void](axe)); err != nil {
		t.Fatalf("%s: inject axe: %v", page, err)
	}
	vs, err := chromedp.Run(sctx, chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: run axe: %v", page, err)
	}
	for _, v := range vs {
		var b strings.Builder
		fmt.Fprintf(&b, "%s: [%s] %s: %s (%s)", page, v.Impact, v.ID, v.Help, v.HelpURL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "\n    %s\n      %s", n.Target, n.HTML)
			if n.Summary != "" {
				fmt.Fprintf(&b, "\n      %s", strings.ReplaceAll(n.Summary, "\n", "\n      "))
			}
		}
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Error(b.String())
		} else {
			t.Log(b.String())
		}
	}
}

// TestBrowserAccessibility runs axe-core on the main pages of every role, as
// the browser renders them (so colour contrast is judged on real CSS).
func TestBrowserAccessibility(t *testing.T) {
	ctx := chrome(t)
	axe := axeSource(t)
	e := newEnv(t)
	e.finishCourses("trainee", "ethics") // the quiz attempt page needs an open quiz
	base := e.listen()

	// visit opens a page, waits for an element that proves it rendered, and
	// audits it.
	visit := func(t *testing.T, ctx context.Context, path, ready string) {
		t.Helper()
		step(t, ctx, "open "+path, chromedp.Navigate(base+path), chromedp.WaitVisible(ready))
		audit(t, ctx, axe, path)
	}

	t.Run("anonymous", func(t *testing.T) {
		visit(t, ctx, "/login", "#login-form")
		// An unknown certificate number: the public 404 page.
		visit(t, ctx, "/verify/000000000000", "main")
	})

	// Each role gets its own browser: loginChrome needs a fresh cookie jar.
	roles := []struct {
		user  string
		pages [][2]string // path, selector that shows it rendered
	}{
		{"trainee", [][2]string{
			{"/home", "#panel-trainee"},
			{"/courses", "main"},
			{"/courses/ethics/lessons/role-of-the-desk", "#lesson"},
			{"/quizzes", "main"},
			{"/scenarios", "main"},
			{"/certificates", "main"},
		}},
		{"trainer", [][2]string{{"/home", "#panel-trainer"}, {"/author", "main"}}},
		{"manager", [][2]string{{"/home", "#panel-manager"}, {"/assignments", "main"}, {"/team", "#matrix"}}},
		{"agent", [][2]string{{"/home", "#panel-agent"}, {"/desk/s1", "#new-ticket"}}},
		{"admin", [][2]string{{"/home", "#panel-admin"}, {"/admin/users", "#new-user"}, {"/admin/users/new", "#user-form"}, {"/admin/users/trainee", "#user-form"}}},
	}
	for _, r := range roles {
		t.Run(r.user, func(t *testing.T) {
			ctx := chrome(t)
			loginChrome(t, ctx, base, r.user)
			for _, p := range r.pages {
				visit(t, ctx, p[0], p[1])
			}
			if r.user == "trainee" {
				// A running attempt: the page a learner spends the most time on.
				step(t, ctx, "start a quiz", chromedp.Navigate(base+"/quizzes/ethics"), chromedp.WaitVisible("#start"),
					confirmYes(), chromedp.Click("#start"), chromedp.WaitVisible("#attempt-form"))
				audit(t, ctx, axe, "quiz attempt")
			}
		})
	}
}
