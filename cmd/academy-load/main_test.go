package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary be the bare Fiber server's child process,
// as the program is when it runs.
func TestMain(m *testing.M) {
	if os.Getenv(bareServerEnv) != "" {
		os.Exit(serveBare(os.Stdin, os.Stdout))
	}
	os.Exit(m.Run())
}

// checkCPULine expects the CPU per unit of work with sane numbers: some
// CPU time, and more of it than one bare Fiber request costs.
func checkCPULine(t *testing.T, sum *summary, unit string) {
	t.Helper()
	line := sum.CPULine()
	m := regexp.MustCompile(`^CPU per ` + unit + `: ([\d.]+) (s|ms|µs) = ([\d,.]+) bare requests \(server .* for [\d,]+ ` + unit + `s?; bare Fiber ([\d.]+) µs CPU per request`).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("CPU line: %q", line)
	}
	if sum.Work.CPU <= 0 || sum.Bare.CPU <= 0 {
		t.Errorf("no CPU time measured: %q", line)
	}
	multiple, err := strconv.ParseFloat(strings.ReplaceAll(m[3], ",", ""), 64)
	if err != nil || multiple <= 1 || multiple > 1e6 {
		t.Errorf("a %s costs %s bare requests: %q", unit, m[3], line)
	}
	if bare, _ := strconv.ParseFloat(m[4], 64); bare <= 0 || bare > 10000 {
		t.Errorf("a bare request costs %s µs of CPU: %q", m[4], line)
	}
}

// demoServer builds the academy binary, starts it in demo mode on a free
// loopback port with its own data directory and the repository's content,
// and returns its base URL and the demo admin's password, which the server
// prints once at first start.
//
// The binary is built rather than started with "go run": go run does not
// pass a signal on to the program it runs, so the server could not be
// stopped gracefully and would outlive the test.
func demoServer(t *testing.T) (base, adminPassword string) {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "academy")
	if out, err := exec.Command("go", "build", "-o", bin, "../academy").CombinedOutput(); err != nil {
		t.Fatalf("go build ../academy: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // the server takes the port; a race with another process is unlikely on loopback

	cmd := exec.Command(bin, "serve", "--demo", "--data", filepath.Join(dir, "data"), "--addr", addr, "--content", "../..")
	cmd.Env = append(os.Environ(), "ACADEMY_DEMO=1", "MONGODB_URI=", "ACADEMY_NO_IMPORT=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr // one JSON line per request: kept for a failure, not printed
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGINT)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("server stderr (last 4 KB): %s", tail(stderr.String(), 4096))
		}
	})

	// Demo accounts are printed as "  admin     username admin     password XXXX".
	passwords := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`^\s*admin\s+username\s+admin\s+password\s+(\S+)`)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				passwords <- m[1]
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case adminPassword = <-passwords:
	case <-time.After(3 * time.Minute):
		t.Fatalf("the server printed no demo admin password; stderr: %s", tail(stderr.String(), 4096))
	}

	base = "http://" + addr
	deadline := time.Now().Add(time.Minute)
	for {
		res, err := http.Get(base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return base, adminPassword
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server not ready at %s: %v", base, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// TestLoadAgainstDemoServer runs each mix, small, against a real server and
// expects no failed request and the endpoints of each mix in the report.
func TestLoadAgainstDemoServer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real server and drives it for several seconds; skipped with -short")
	}
	base, password := demoServer(t)
	cfg := func(mix, prefix string) config {
		c := defaultConfig()
		c.BaseURL, c.Password, c.Mix, c.Prefix = base, password, mix, prefix
		c.Trainees, c.Managers = 5, 2
		c.Concurrency, c.BareDuration = 4, 500*time.Millisecond
		return c
	}
	check := func(t *testing.T, sum *summary, phase string, routes ...string) {
		t.Helper()
		if n := sum.Errors(); n != 0 {
			t.Errorf("%d requests failed", n)
		}
		p := sum.phase(phase)
		if p == nil {
			t.Fatalf("no %s phase in the summary", phase)
		}
		for _, r := range routes {
			if s := p.route(r); s == nil || s.Count == 0 {
				t.Errorf("%s phase: no requests to %s", phase, r)
			}
		}
		if sum.Bare == nil || sum.Bare.Requests == 0 {
			t.Errorf("bare Fiber baseline not measured")
		}
	}

	t.Run("exam", func(t *testing.T) {
		c := cfg(mixExam, "exam")
		c.Spread = time.Second
		var out bytes.Buffer
		sum, err := run(context.Background(), c, &out)
		t.Log("\n" + out.String())
		if err != nil {
			t.Fatal(err)
		}
		// The exam opens once its course is done: preparing finishes it.
		check(t, sum, "seed", "POST /api/v1/auth/login", "POST /api/v1/users", "POST /api/v1/courses/{slug}/lessons/{lesson}/complete")
		check(t, sum, mixExam, "POST /api/v1/quizzes/{slug}/attempts", "PUT /api/v1/attempts/{id}/answers", "POST /api/v1/attempts/{id}/submit")
		if !strings.Contains(out.String(), "exam: 5 attempts started, 5 submitted") {
			t.Errorf("summary does not report 5 submitted attempts")
		}
		checkCPULine(t, sum, "exam-taker")
		if !strings.Contains(out.String(), sum.CPULine()) {
			t.Errorf("the CPU line is not printed")
		}
	})

	t.Run("realistic", func(t *testing.T) {
		c := cfg(mixRealistic, "real")
		c.ThinkMin, c.ThinkMax, c.Duration = 10*time.Millisecond, 10*time.Millisecond, 3*time.Second
		var out bytes.Buffer
		sum, err := run(context.Background(), c, &out)
		t.Log("\n" + out.String())
		if err != nil {
			t.Fatal(err)
		}
		// Actions are drawn at random; these are the ones five trainees
		// all but surely reach in three seconds (reading is a third of
		// them, and managers do nothing else).
		check(t, sum, mixRealistic, "GET /api/v1/courses/{slug}/lessons/{lesson}", "GET /api/v1/quizzes", "GET /team")
		if p := sum.phase(mixRealistic); p != nil && len(p.Routes) < 10 {
			t.Errorf("only %d routes exercised: %v", len(p.Routes), p.Routes)
		}
	})

	t.Run("lesson", func(t *testing.T) {
		c := cfg(mixLesson, "lesson")
		c.Duration = time.Second
		var out bytes.Buffer
		sum, err := run(context.Background(), c, &out)
		t.Log("\n" + out.String())
		if err != nil {
			t.Fatal(err)
		}
		check(t, sum, mixLesson, "GET /courses/{slug}/lessons/{lesson}")
		if sum.Lesson == nil || !regexp.MustCompile(`lesson page [\d,]+ req/s = [\d.]+ × bare Fiber [\d,]+ req/s`).MatchString(sum.BaselineLine()) {
			t.Errorf("baseline line: %q", sum.BaselineLine())
		}
		checkCPULine(t, sum, "lesson page")
	})
}

func TestParseProcessCPU(t *testing.T) {
	text := "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 12.34\nprocess_max_fds 1024\n"
	if d, err := parseProcessCPU(strings.NewReader(text)); err != nil || d != 12340*time.Millisecond {
		t.Errorf("got %v, %v", d, err)
	}
	if _, err := parseProcessCPU(strings.NewReader("go_goroutines 7\n")); err == nil {
		t.Errorf("metrics without the CPU time accepted")
	}
	s := &summary{Bare: &throughput{Requests: 1000, CPU: 50 * time.Millisecond}, Work: &serverWork{Unit: "exam-taker", Count: 10, CPU: 200 * time.Millisecond}}
	if got, want := s.CPULine(), "CPU per exam-taker: 20.00 ms = 400 bare requests (server 200.00 ms for 10 exam-takers; bare Fiber 50.0 µs CPU per request, 1,000 requests)"; got != want {
		t.Errorf("CPU line\n got %q\nwant %q", got, want)
	}
}

func TestRouteOf(t *testing.T) {
	for path, want := range map[string]string{
		"/api/v1/courses/ethics/lessons/owner-privacy":          "/api/v1/courses/{slug}/lessons/{lesson}",
		"/api/v1/courses/ethics/lessons/owner-privacy/complete": "/api/v1/courses/{slug}/lessons/{lesson}/complete",
		"/api/v1/attempts/Hp1m7z5N5B/submit":                    "/api/v1/attempts/{id}/submit",
		"/api/v1/workspaces/sb-abc/tickets/sb-abc-000001":       "/api/v1/workspaces/{ws}/tickets/{id}",
		"/api/v1/workspaces/sb-abc/tickets?queue=all":           "/api/v1/workspaces/{ws}/tickets",
		"/api/v1/quizzes/ethics/attempts":                       "/api/v1/quizzes/{slug}/attempts",
		"/api/v1/me/attempts":                                   "/api/v1/me/attempts",
		"/api/v1/users/load1-t00001/password":                   "/api/v1/users/{username}/password",
		"/team/weak-spots":                                      "/team/weak-spots",
		"/":                                                     "/",
	} {
		if got := routeOf(path); got != want {
			t.Errorf("routeOf(%q) = %q, want %q", path, got, want)
		}
	}
}

func TestFlags(t *testing.T) {
	t.Setenv("ACADEMY_LOAD_PASSWORD", "")
	var stderr bytes.Buffer
	if _, err := parseFlags([]string{"-mix", "exam"}, &stderr); err == nil || !strings.Contains(err.Error(), "ACADEMY_LOAD_PASSWORD") {
		t.Errorf("no password: %v", err)
	}
	t.Setenv("ACADEMY_LOAD_PASSWORD", "secret password")
	for _, args := range [][]string{
		{"-mix", "burst"},
		{"-prefix", "has space"},
		{"-think-min", "2s", "-think-max", "1s"},
		{"-url", "127.0.0.1:8080"},
		{"-n", "0"},
		{"-password", "x"}, // there is no such flag, on purpose
	} {
		if _, err := parseFlags(args, &stderr); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
	cfg, err := parseFlags([]string{"-mix", "lesson", "-url", "http://h:1/"}, &stderr)
	if err != nil || cfg.Password != "secret password" || cfg.BaseURL != "http://h:1" {
		t.Errorf("got %+v, %v", cfg, err)
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i))
	}
	if percentile(d, 50) != 50 || percentile(d, 95) != 95 || percentile(d, 99) != 99 || percentile(d[:1], 99) != 1 || percentile(nil, 50) != 0 {
		t.Errorf("percentiles of 1..100: %v %v %v", percentile(d, 50), percentile(d, 95), percentile(d, 99))
	}
	if got := thousands(1234567.4); got != "1,234,567" {
		t.Errorf("thousands = %q", got)
	}
}
