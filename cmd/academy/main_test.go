package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/content"
)

// cli runs the command in-process and returns its exit status and output.
func cli(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestUserCommands(t *testing.T) {
	onTestServer(t)
	data := t.TempDir()
	d := "--data=" + data
	if code, _, e := cli(t, "", "site", "add", d, "--id", "s1", "--name", "华苑一期"); code != 0 {
		t.Fatalf("site add: %d %s", code, e)
	}
	code, out, e := cli(t, "a long password\n", "user", "add", d, "--username", "Wang", "--roles", "trainee,agent", "--sites", "s1", "--password-stdin")
	if code != 0 || !strings.Contains(out, "created wang (trainee,agent on s1)") {
		t.Fatalf("user add: %d %q %q", code, out, e)
	}
	bad := []struct {
		stdin string
		args  []string
		want  string
	}{
		{"pw long enough\n", []string{"user", "add", d, "--username", "xx", "--roles", "boss", "--sites", "s1", "--password-stdin"}, `unknown role "boss"`},
		{"pw long enough\n", []string{"user", "add", d, "--username", "xx", "--roles", "trainee", "--sites", "nowhere", "--password-stdin"}, `unknown site "nowhere"`},
		{"short\n", []string{"user", "add", d, "--username", "xx", "--roles", "trainee", "--sites", "s1", "--password-stdin"}, "at least 10"},
		{"", []string{"user", "add", d, "--username", "xx", "--roles", "trainee", "--sites", "s1", "--password-stdin"}, "standard input is empty"},
		{"pw long enough\n", []string{"user", "add", d, "--username", "xx", "--roles", "trainee", "--sites", "s1"}, "--password-stdin is required"},
		{"pw long enough\n", []string{"user", "add", d, "--username", "WANG", "--roles", "trainee", "--sites", "s1", "--password-stdin"}, "taken"},
		{"", []string{"user", "add", d, "--bogus"}, "flag provided but not defined: -bogus"},
		{"", []string{"user", "frobnicate"}, `unknown command "frobnicate"`},
		{"", []string{"user", "disable", d}, "--username is required"},
		{"", []string{"serve", "--db", "a/b", d}, "--db"},
		{"", []string{"serve", "--addr", "nonsense"}, "--addr nonsense"},
		{"", []string{"serve", d, "--mongo-uri", "http://x"}, "--mongo-uri"},
		{"", []string{"serve", d, "--db-sync", "sometimes"}, `--db-sync: "sometimes" is not a sync mode`},
		{"", []string{"serve", d, "--dashboard-max-age", "soon"}, `--dashboard-max-age "soon"`},
		{"", []string{"serve", d, "--dashboard-max-age", "-1s"}, `--dashboard-max-age "-1s"`},
		{"", []string{"serve", "--addr", "127.0.0.1:0", "--pprof-addr", "nonsense", d}, "--pprof-addr nonsense"},
		{"", []string{"serve", d, "--oidc-issuer", "login.example.com"}, `--oidc-issuer "login.example.com"`},
		{"", []string{"serve", d, "--oidc-issuer", "https://login.example.com"}, "--oidc-client-id is required"},
		{"", []string{"serve", d, "--oidc-issuer", "https://login.example.com", "--oidc-client-id", "academy"}, "ACADEMY_OIDC_CLIENT_SECRET is required"},
		{"", []string{"serve", d, "--oidc-client-id", "academy"}, "--oidc-issuer is required"},
		{"", []string{"nope"}, `unknown command "nope"`},
		{"", []string{"site", "add", d, "--id", "Bad Id", "--name", "x"}, "id:"},
		{"", []string{"site", "add", d, "--id", "sb-lobby", "--name", "x"}, `reserved for practice sandboxes`},
		{"", []string{"site", "add", d, "--id", "xj", "--name", "x", "--tz", "Mars/Olympus"}, "tz: "},
		{"", []string{"serve", d, "--tz", "Mars/Olympus"}, `--tz / ACADEMY_TZ "Mars/Olympus": want a time zone name such as Asia/Shanghai`},
		{"", []string{"serve", d, "--tz", "Local"}, `--tz / ACADEMY_TZ "Local"`},
	}
	for _, c := range bad {
		code, out, e := cli(t, c.stdin, c.args...)
		if code == 0 || !strings.Contains(e, c.want) || strings.Count(strings.TrimSpace(e), "\n") != 0 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want non-zero with one line containing %q", c.args, code, out, e, c.want)
		}
	}
	if code, out, _ := cli(t, "", "user", "set-roles", d, "--username", "wang", "--roles", "manager", "--sites", "s1"); code != 0 || !strings.Contains(out, "manager on s1") {
		t.Fatalf("set-roles: %d %s", code, out)
	}
	if code, _, _ := cli(t, "", "user", "disable", d, "--username", "wang"); code != 0 {
		t.Fatal("disable")
	}
	code, out, _ = cli(t, "", "user", "list", d)
	if code != 0 || !regexp.MustCompile(`Wang\s+Wang\s+manager\s+s1\s+disabled`).MatchString(out) {
		t.Fatalf("list: %q", out)
	}
	if code, _, _ := cli(t, "new long password\n", "user", "reset-password", d, "--username", "wang", "--password-stdin"); code != 0 {
		t.Fatal("reset-password")
	}
	for _, help := range [][]string{{"serve", "--help"}, {"user", "add", "--help"}, {"user", "--help"}, {"site", "--help"}, {"--help"}} {
		if code, out, _ := cli(t, "", help...); code != 0 || !strings.Contains(out, "Usage") {
			t.Errorf("%v: %d %q", help, code, out)
		}
	}
	// create takes the people record; update changes only the flags given
	// and clears a field given empty.
	code, out, e = cli(t, "a long password\n", "user", "create", d, "--username", "zhao", "--roles", "trainee", "--sites", "s1", "--password-stdin",
		"--display-name", "赵敏", "--employee-no", "e-7", "--phone", "138 1234 5678", "--email", "zhao@example.com",
		"--department", "客服部", "--position", "专员", "--hire-date", "2026-03-02")
	if code != 0 || !strings.Contains(out, "created zhao") {
		t.Fatalf("user create: %d %q %q", code, out, e)
	}
	if code, out, e := cli(t, "", "user", "update", d, "--username", "zhao", "--department", "工程部", "--phone", ""); code != 0 || !strings.Contains(out, "updated zhao (active)") {
		t.Fatalf("user update: %d %q %q", code, out, e)
	}
	code, out, _ = cli(t, "", "user", "list", d)
	if code != 0 || !regexp.MustCompile(`zhao\s+赵敏\s+trainee\s+s1\s+active\s+E-7\s+工程部`).MatchString(out) {
		t.Fatalf("list after update: %q", out)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--employee-no", "E-7"}, "已由"},
		{[]string{"--phone", "12345"}, "phone:"},
		{[]string{"--email", "zhao@"}, "email:"},
		{[]string{"--hire-date", "2026-13-01"}, "hire_date:"},
		{[]string{"--leave-date", "2026-03-01"}, "leave_date:"},
		{[]string{"--roles", ""}, "roles:"},
	} {
		target := "zhao"
		if c.want == "已由" {
			target = "wang"
		}
		args := append([]string{"user", "update", d, "--username", target}, c.args...)
		if code, out, e := cli(t, "", args...); code == 0 || !strings.Contains(e, c.want) {
			t.Errorf("%v: exit %d, %q %q; want a refusal saying %q", c.args, code, out, e, c.want)
		}
	}

	// Environment variables mean the same as flags.
	t.Setenv("ACADEMY_DATA", data)
	if code, out, e := cli(t, "", "user", "list"); code != 0 || !strings.Contains(out, "Wang") {
		t.Fatalf("ACADEMY_DATA not honoured: %d %q %q", code, out, e)
	}
}

// server is a running `academy serve` process.
type server struct {
	cmd  *exec.Cmd
	base string
	out  *bufio.Scanner
	text strings.Builder
}

func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "academy")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

func startServer(t *testing.T, bin string, args ...string) *server {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	stdout, _ := cmd.StdoutPipe()
	// The JSON log goes to a file, read back only to explain a failed start.
	logPath := filepath.Join(t.TempDir(), "stderr")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logFile.Close() })
	cmd.Stderr = logFile
	lastLog := func() string {
		b, _ := os.ReadFile(logPath)
		return string(b[max(0, len(b)-2000):])
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, out: bufio.NewScanner(stdout)}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	re := regexp.MustCompile(`running at (http://\S+)`)
	lines := make(chan string)
	go func() {
		for s.out.Scan() {
			lines <- s.out.Text()
		}
		close(lines)
	}()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("server exited before it was ready:\n%s\nlog:\n%s", s.text.String(), lastLog())
			}
			s.text.WriteString(line + "\n")
			if m := re.FindStringSubmatch(line); m != nil {
				s.base = m[1]
				go func() {
					for range lines {
					}
				}()
				return s
			}
		case <-deadline:
			t.Fatalf("server not ready in 30s:\n%s\nlog:\n%s", s.text.String(), lastLog())
		}
	}
}

func login(t *testing.T, base, user, pw string) int {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"username": user, "password": pw})
	res, err := http.Post(base+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func TestServeLifecycle(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	data := t.TempDir()
	cli(t, "", "site", "add", "--data", data, "--id", "s1", "--name", "一期")
	if code, _, e := cli(t, "cli made password\n", "user", "add", "--data", data, "--username", "cliuser", "--roles", "trainee", "--sites", "s1", "--password-stdin"); code != 0 {
		t.Fatal(e)
	}

	s := startServer(t, bin, "--data", data, "--demo", "--content", "../..")
	m := regexp.MustCompile(`admin\s+username admin\s+password (\S+)`).FindStringSubmatch(s.text.String())
	if m == nil {
		t.Fatalf("demo accounts not printed:\n%s", s.text.String())
	}
	adminPW := m[1]
	if code := login(t, s.base, "admin", adminPW); code != 200 {
		t.Fatalf("demo admin login: %d", code)
	}
	if code := login(t, s.base, "cliuser", "cli made password"); code != 200 {
		t.Fatalf("login of the account made by the CLI: %d", code)
	}
	if code := login(t, s.base, "cliuser", "wrong password"); code != 401 {
		t.Fatalf("wrong password: %d", code)
	}
	res, err := http.Get(s.base + "/api/v1/me")
	if err != nil || res.StatusCode != 401 {
		t.Fatalf("me without token: %v %v", res.StatusCode, err)
	}
	res.Body.Close()

	// A second server, or the CLI, on the same data dir fails at once.
	second := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--data", data)
	out, err := second.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "in use by pid") {
		t.Fatalf("second server: err %v, output %q", err, out)
	}
	if code, _, e := cli(t, "", "user", "list", "--data", data); code == 0 || !strings.Contains(e, "in use by pid") {
		t.Fatalf("CLI while serving: %d %q", code, e)
	}

	// SIGTERM: graceful stop, exit 0.
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("server did not stop within 20s of SIGTERM")
	}
	// The demo's people come with employee numbers and hire dates, so
	// that the onboarding rule shows in the demo.
	if code, out, e := cli(t, "", "user", "list", "--data", data); code != 0 || !regexp.MustCompile(`(?m)^trainee\b.*E1005`).MatchString(out) {
		t.Fatalf("demo trainee in the list: %d %q %q", code, out, e)
	}

	// Restart on the same data: accounts are kept, passwords are not shown
	// again. This time with every commit forced to disk and profiles on.
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	profiles := free.Addr().String()
	free.Close()
	if code, _, e := cli(t, "", "serve", "--data", data, "--metrics-token", "short"); code == 0 || !strings.Contains(e, "--metrics-token") {
		t.Fatalf("short metrics token: %d %q", code, e)
	}
	const metricsToken = "scraper-token-0123456789"
	s2 := startServer(t, bin, "--data", data, "--demo", "--content", "../..", "--db-sync", "full", "--pprof-addr", profiles, "--metrics-token", metricsToken)
	if strings.Contains(s2.text.String(), adminPW) || !strings.Contains(s2.text.String(), "is ready") {
		t.Fatalf("second start output:\n%s", s2.text.String())
	}
	if code := login(t, s2.base, "admin", adminPW); code != 200 {
		t.Fatalf("admin after restart: %d", code)
	}
	for url, want := range map[string]int{"http://" + profiles + "/debug/pprof/": 200, s2.base + "/debug/pprof/": 404} {
		res, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want {
			t.Fatalf("GET %s: %d, want %d", url, res.StatusCode, want)
		}
	}
	// With a token, /metrics wants it even from this machine.
	for token, want := range map[string]int{"": 401, "wrong-token-0123456789": 401, metricsToken: 200} {
		req, _ := http.NewRequest("GET", s2.base+"/metrics", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want {
			t.Fatalf("/metrics with token %q: %d, want %d", token, res.StatusCode, want)
		}
	}
	_ = s2.cmd.Process.Signal(syscall.SIGINT)
	if err := s2.cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGINT: %v", err)
	}
	if _, err := os.Stat(filepath.Join(data, "db")); err != nil {
		t.Fatal(err)
	}
}

func TestLintAndImport(t *testing.T) {
	// The repository's content lints clean; the broken fixture does not and
	// says where.
	// The count of lessons grows with the content; what matters here is that
	// the shipped content passes its own lint.
	if code, out, e := cli(t, "", "lint", "../.."); code != 0 || !strings.Contains(out, "ok: 7 courses, ") {
		t.Fatalf("lint of the repository: %d %q %q", code, out, e)
	}
	code, out, e := cli(t, "", "lint", "../../internal/content/testdata/broken")
	if code != 1 || !strings.Contains(out, `courses/bad/course.yaml:3: minutes: 须为整数，不能是 "abc" / must be a whole number, not "abc"`) || !strings.Contains(e, "problem(s)") {
		t.Fatalf("lint of the broken fixture: %d %q %q", code, out, e)
	}
	if code, _, e := cli(t, "", "lint", "/no/such/dir"); code != 1 || !strings.Contains(e, "not a directory") {
		t.Fatalf("lint of a missing dir: %d %q", code, e)
	}

	onTestServer(t)
	data := "--data=" + t.TempDir()
	code, out, e = cli(t, "", "import", data, "--content", "../..")
	if code != 0 || !strings.Contains(out, "created 7, updated 0, unchanged 0, archived 0") {
		t.Fatalf("first import: %d %q %q", code, out, e)
	}
	code, out, _ = cli(t, "", "import", data, "--content", "../..")
	if code != 0 || !strings.Contains(out, "created 0, updated 0, unchanged 7, archived 0") {
		t.Fatalf("second import changed something: %q", out)
	}
	// A broken directory writes nothing.
	code, out, e = cli(t, "", "import", data, "--content", "../../internal/content/testdata/broken")
	if code != 1 || !strings.Contains(e, "nothing was imported") || !strings.Contains(out, "courses/bad/") {
		t.Fatalf("import of broken content: %d %q %q", code, out, e)
	}
	code, out, _ = cli(t, "", "import", data, "--content", "../..")
	if !strings.Contains(out, "unchanged 7") {
		t.Fatalf("a failed import changed the database: %q", out)
	}

	// A directory without content (a server started from another working
	// directory) is refused, and archives nothing.
	empty := t.TempDir()
	code, out, e = cli(t, "", "import", data, "--content", empty)
	if code != 1 || !strings.Contains(e, "holds no courses/, quizzes/ or scenarios/") || !strings.Contains(e, "nothing was imported or archived") {
		t.Fatalf("import of an empty directory: %d %q %q", code, out, e)
	}
	code, out, _ = cli(t, "", "import", data, "--content", "../..")
	if !strings.Contains(out, "courses: created 0, updated 0, unchanged 7, archived 0") || !strings.Contains(out, "programs: created 0, updated 0, unchanged 2, archived 0") {
		t.Fatalf("the empty directory changed the database: %q", out)
	}

	// Export then import is a no-op; the kinds the export does not hold
	// are left as they are.
	outDir := t.TempDir()
	if code, out, e := cli(t, "", "export", data, "--course", "ethics", "--out", filepath.Join(outDir, "courses")); code != 0 || !strings.Contains(out, "exported ethics") {
		t.Fatalf("export: %d %q %q", code, out, e)
	}
	if code, out, _ := cli(t, "", "import", data, "--content", outDir); code != 0 || !strings.Contains(out, "unchanged 1, archived 6") ||
		!strings.Contains(out, "quizzes: no quizzes/ in "+outDir+"; left as they are") || !strings.Contains(out, "programs: no courses/programs/ in") {
		t.Fatalf("import of the export: %q", out)
	}
	if code, out, _ := cli(t, "", "import", data, "--content", "../.."); code != 0 || !strings.Contains(out, "quizzes: created 0, updated 0, unchanged 8, archived 0") {
		t.Fatalf("quizzes after importing the export: %q", out)
	}
	if code, _, e := cli(t, "", "export", data, "--course", "nope"); code != 1 || !strings.Contains(e, "nope") {
		t.Fatalf("export of a missing course: %d %q", code, e)
	}
	if code, _, e := cli(t, "", "export", data); code != 1 || !strings.Contains(e, "--course is required") {
		t.Fatalf("export without --course: %d %q", code, e)
	}
}

func TestImportGIFT(t *testing.T) {
	dir := t.TempDir()
	gift := "../../internal/content/testdata/sample.gift"
	code, out, e := cli(t, "", "import-gift", gift, "--quiz", "moodle-bank", "--content", dir)
	if code != 1 || !strings.Contains(out, "wrote "+filepath.Join(dir, "quizzes", "moodle-bank.yaml")) || !strings.Contains(e, "3 item(s) not imported") {
		t.Fatalf("import-gift: %d %q %q", code, out, e)
	}
	if !strings.Contains(out, "sample.gift:49:") {
		t.Fatalf("unsupported constructs are not reported by line: %q", out)
	}
	// The written bank is a valid quiz file.
	q, ps := content.ReadQuizFile(filepath.Join(dir, "quizzes", "moodle-bank.yaml"))
	if len(ps) > 0 || len(q.Questions) != 13 {
		t.Fatalf("bank: %v %v", ps, q)
	}
	// Importing again adds nothing and says why.
	code, out, _ = cli(t, "", "import-gift", gift, "--quiz", "moodle-bank", "--content", dir)
	if code != 1 || !strings.Contains(out, "0 questions added, 13 in the bank") || !strings.Contains(out, "already in") {
		t.Fatalf("second import: %q", out)
	}
	if code, _, e := cli(t, "", "import-gift", "--quiz", "x1"); code != 1 || !strings.Contains(e, "FILE is required") {
		t.Fatalf("no file: %q", e)
	}
	if code, _, e := cli(t, "", "import-gift", gift, "--quiz", "Bad Slug"); code != 1 || !strings.Contains(e, "--quiz") {
		t.Fatalf("bad slug: %q", e)
	}
}

func TestSiteDirectory(t *testing.T) {
	onTestServer(t)
	d := "--data=" + t.TempDir()
	cli(t, "", "site", "add", d, "--id", "s1", "--name", "一期")
	// A site may keep its own zone; the others are on the company's.
	if code, out, e := cli(t, "", "site", "add", d, "--id", "xj", "--name", "乌鲁木齐", "--tz", "Asia/Urumqi"); code != 0 || !strings.Contains(out, "created site xj") {
		t.Fatalf("site add --tz: %d %q %q", code, out, e)
	}
	if code, out, _ := cli(t, "", "site", "list", d); code != 0 || !regexp.MustCompile(`xj\s+乌鲁木齐\s+Asia/Urumqi`).MatchString(out) || !regexp.MustCompile(`s1\s+一期\s+-`).MatchString(out) {
		t.Fatalf("site list: %q", out)
	}
	if code, out, e := cli(t, "", "site", "directory", d, "--id", "s1", "--file", "testdata/directory.yaml"); code != 0 || !strings.Contains(out, "2 units, 2 residents, 1 members") {
		t.Fatalf("directory: %d %q %q", code, out, e)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("residents:\n  - {id: r1, name: 张三, unit: nowhere, role: owner}\n"), 0o644)
	if code, _, e := cli(t, "", "site", "directory", d, "--id", "s1", "--file", bad); code != 1 || !strings.Contains(e, `unit "nowhere" is not in units`) {
		t.Fatalf("bad directory: %d %q", code, e)
	}
	if code, _, e := cli(t, "", "site", "directory", d, "--id", "ghost", "--file", "testdata/directory.yaml"); code != 1 || !strings.Contains(e, "ghost") {
		t.Fatalf("unknown site: %d %q", code, e)
	}
	// Every command checks the company zone it reads from the environment.
	t.Setenv("ACADEMY_TZ", "Mars/Olympus")
	if code, _, e := cli(t, "", "site", "list", d); code == 0 || !strings.Contains(e, `ACADEMY_TZ "Mars/Olympus"`) {
		t.Fatalf("bad ACADEMY_TZ: %d %q", code, e)
	}
}

// TestDeskRulesCLI: export writes the rules in force, import saves a
// checked file as a new revision and refuses a broken one, saving nothing.
func TestDeskRulesCLI(t *testing.T) {
	onTestServer(t)
	d := "--data=" + t.TempDir()
	cli(t, "", "site", "add", d, "--id", "s1", "--name", "一期")
	cli(t, "a long password\n", "user", "add", d, "--username", "boss", "--roles", "admin", "--password-stdin")
	code, shipped, e := cli(t, "", "desk", "export", d)
	if code != 0 || shipped != string(academy.ShippedDeskRulesYAML()) {
		t.Fatalf("export: %d %q", code, e)
	}
	file := filepath.Join(t.TempDir(), "company.yaml")
	os.WriteFile(file, []byte(strings.Replace(shipped, "resolution: 72h}", "resolution: 48h}", 1)), 0o644)
	if code, out, e := cli(t, "", "desk", "import", d, "--file", file, "--by", "boss"); code != 0 || !strings.Contains(out, "saved desk rules revision 1") {
		t.Fatalf("import: %d %q %q", code, out, e)
	}
	if _, out, _ := cli(t, "", "desk", "export", d, "--site", "s1"); !strings.Contains(out, "resolution: 48h}") {
		t.Fatal("a site without rules of its own does not export the company's")
	}
	os.WriteFile(file, []byte(strings.Replace(shipped, "initial: received", "initial: nowhere", 1)), 0o644)
	code, out, e := cli(t, "", "desk", "import", d, "--file", file, "--by", "boss")
	if code != 1 || !strings.Contains(out, `initial state "nowhere" is not in states`) || !strings.Contains(e, "nothing saved") {
		t.Fatalf("broken import: %d %q %q", code, out, e)
	}
	if _, out, _ := cli(t, "", "desk", "export", d); !strings.Contains(out, "resolution: 48h}") {
		t.Fatal("a refused import changed the rules")
	}
}

// TestLintDeskRules: lint checks the rules under desk/ and the scenarios
// against them, naming the scenario, the step and the missing state.
func TestLintDeskRules(t *testing.T) {
	dir := t.TempDir()
	for _, sub := range []string{"courses", "quizzes", "scenarios"} {
		abs, _ := filepath.Abs(filepath.Join("..", "..", sub))
		if err := os.Symlink(abs, filepath.Join(dir, sub)); err != nil {
			t.Fatal(err)
		}
	}
	os.Mkdir(filepath.Join(dir, "desk"), 0o755)
	rules := strings.NewReplacer("{id: responded, label: 答复}", "{id: answered, label: 答复}", "to: responded,", "to: answered,",
		"from: [responded, following]", "from: [answered, following]").Replace(string(academy.ShippedDeskRulesYAML()))
	os.WriteFile(filepath.Join(dir, "desk", "company.yaml"), []byte(rules), 0o644)
	code, out, _ := cli(t, "", "lint", dir)
	if code != 1 || !strings.Contains(out, `scenarios/angry-owner.yaml:1: steps[task].checks[0]: state: "responded" is not a state of complaint (desk/company.yaml)`) {
		t.Fatalf("lint: %d %q", code, out)
	}
	os.WriteFile(filepath.Join(dir, "desk", "company.yaml"), []byte(strings.Replace(rules, "label: 受理}", "label: received}", 1)), 0o644)
	if code, out, _ := cli(t, "", "lint", dir); code != 1 || !strings.Contains(out, "desk/company.yaml:1: 流程“报修”（repair）的状态“received”（received）：缺少中文名称（label）") {
		t.Fatalf("lint: %d %q", code, out)
	}
}
