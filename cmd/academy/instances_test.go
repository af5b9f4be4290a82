package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/academy/academy/internal/content"
	"github.com/academy/academy/internal/markdown"
	"github.com/academy/academy/internal/mongo"
	"github.com/academy/academy/internal/mongo/mongotest"
)

// TestMain gives the tests a database server: the embedded FerretDB, or
// the one of ACADEMY_TEST_MONGODB_URI.
func TestMain(m *testing.M) { os.Exit(mongotest.Main(m)) }

// onTestServer points the commands of a test at a database of its own on
// the server of ACADEMY_TEST_MONGODB_URI, when that is set (the variables
// win over the --data the test gives); without it they keep to --data.
func onTestServer(t *testing.T) {
	if mongotest.External() {
		t.Setenv("MONGODB_URI", mongotest.URI())
		t.Setenv("ACADEMY_DB", mongotest.Name(t))
	}
}

// TestPublicURL: the first address given is recorded; another one is
// refused unless the site moves; with --mongo-uri one is required.
func TestPublicURL(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	logger := slog.New(slog.DiscardHandler)
	embedded, shared := &Config{}, &Config{MongoURI: mongotest.URI()}
	if u, err := canonicalURL(ctx, db, shared, "", false, "127.0.0.1:8080", logger); err == nil || !strings.Contains(err.Error(), "--public-url (env ACADEMY_PUBLIC_URL) is required with --mongo-uri") {
		t.Fatalf("none given with --mongo-uri: %q %v", u, err)
	}
	if u, err := canonicalURL(ctx, db, embedded, "", false, "127.0.0.1:8080", logger); err != nil || u != "http://127.0.0.1:8080" {
		t.Fatalf("none given, embedded: %q %v", u, err)
	}
	if u, err := canonicalURL(ctx, db, shared, "https://a.example.com", false, "127.0.0.1:8080", logger); err != nil || u != "https://a.example.com" {
		t.Fatalf("first given: %q %v", u, err)
	}
	if u, err := canonicalURL(ctx, db, shared, "", false, "127.0.0.1:8081", logger); err != nil || u != "https://a.example.com" {
		t.Fatalf("none given after one was recorded: %q %v", u, err)
	}
	if _, err := canonicalURL(ctx, db, shared, "https://b.example.com", false, "127.0.0.1:8080", logger); err == nil ||
		!strings.Contains(err.Error(), "--public-url https://b.example.com differs from https://a.example.com") {
		t.Fatalf("another given: %v", err)
	}
	if u, err := canonicalURL(ctx, db, shared, "https://b.example.com", true, "127.0.0.1:8080", logger); err != nil || u != "https://b.example.com" {
		t.Fatalf("moved: %q %v", u, err)
	}
	for _, bad := range []string{"academy.example.com", "ftp://a.example.com", "https://", "https://a.example.com/?x=1", "https://u:p@a.example.com"} {
		if _, err := checkPublicURL(bad); err == nil {
			t.Errorf("--public-url %q accepted", bad)
		}
	}
	if u, err := checkPublicURL("https://a.example.com/academy/"); err != nil || u != "https://a.example.com/academy" {
		t.Errorf("with a path: %q %v", u, err)
	}
}

// instance is an `academy serve` process that may refuse to start.
type instance struct {
	cmd    *exec.Cmd
	base   string // set once it runs
	stderr bytes.Buffer
	stdout bytes.Buffer
	exited chan error
}

// launch starts serve with args and waits until it runs or exits.
func launch(t *testing.T, bin string, args ...string) *instance {
	t.Helper()
	in := &instance{exited: make(chan error, 1)}
	in.cmd = exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	out, err := in.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	in.cmd.Stderr = &in.stderr
	if err := in.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = in.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-in.exited:
		case <-time.After(20 * time.Second):
			_ = in.cmd.Process.Kill()
		}
	})
	ready := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`running at (http://\S+)`)
		buf := make([]byte, 4096)
		for {
			n, err := out.Read(buf)
			in.stdout.Write(buf[:n])
			if m := re.FindStringSubmatch(in.stdout.String()); m != nil {
				select {
				case ready <- m[1]:
				default:
				}
			}
			if err != nil {
				in.exited <- in.cmd.Wait()
				close(in.exited)
				return
			}
		}
	}()
	select {
	case in.base = <-ready:
	case <-in.exited:
	case <-time.After(90 * time.Second):
		t.Fatalf("serve %v neither ran nor exited in 90s:\n%s", args, in.stderr.String())
	}
	return in
}

// TestTwoInstances starts two instances on one database at once. On
// MongoDB both run, and the same ticket transition, lessons and the
// course completion raced across them have one winner, lose nothing and
// record one xAPI statement per event. On a server that is not MongoDB
// (the embedded store's FerretDB, or FerretDB on PostgreSQL in CI) the
// second refuses to start, saying why, unless --allow-lost-updates.
func TestTwoInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	ctx := context.Background()
	probe, err := mongo.Open(ctx, mongotest.URI(), mongotest.Name(t))
	if err != nil {
		t.Fatal(err)
	}
	server, err := probe.Server(ctx)
	probe.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("server: %v", server)
	bin := buildBinary(t)
	const site = "https://academy.example.com"
	on := func(db string, more ...string) []string {
		return append([]string{"--mongo-uri", mongotest.URI(), "--db", db, "--public-url", site, "--content", "../.."}, more...)
	}
	// Both start at once on an empty database.
	together := func(a, b []string) (*instance, *instance) {
		var wg sync.WaitGroup
		var x, y *instance
		wg.Add(2)
		go func() { defer wg.Done(); x = launch(t, bin, a...) }()
		go func() { defer wg.Done(); y = launch(t, bin, b...) }()
		wg.Wait()
		return x, y
	}

	if !server.Atomic() {
		db := mongotest.Name(t)
		x, y := together(on(db, "--no-import"), on(db, "--no-import"))
		running, refused := x, y
		if x.base == "" {
			running, refused = y, x
		}
		if running.base == "" || refused.base != "" {
			t.Fatalf("on %v, want one instance running and one refused; got %q and %q:\n%s\n%s", server, x.base, y.base, x.stderr.String(), y.stderr.String())
		}
		msg := refused.stderr.String()
		for _, want := range []string{"is FerretDB", "not MongoDB", "does not update a document atomically", "one write is lost", "--allow-lost-updates"} {
			if !strings.Contains(msg, want) {
				t.Errorf("the refusal does not say %q:\n%s", want, msg)
			}
		}
		if !strings.Contains(running.stderr.String(), "this instance is its only writer") {
			t.Errorf("the writer's log does not say it is the only one:\n%s", running.stderr.String())
		}
		// Told the risk is accepted, both start at once on an empty
		// database; another address is refused all the same.
		fresh := mongotest.Name(t)
		x, y = together(on(fresh, "--no-import", "--allow-lost-updates"), on(fresh, "--no-import", "--allow-lost-updates"))
		if x.base == "" || y.base == "" {
			t.Fatalf("with --allow-lost-updates: %q and %q:\n%s\n%s", x.base, y.base, x.stderr.String(), y.stderr.String())
		}
		other := launch(t, bin, "--mongo-uri", mongotest.URI(), "--db", fresh, "--public-url", "https://other.example.com", "--no-import", "--allow-lost-updates")
		if other.base != "" || !strings.Contains(other.stderr.String(), "differs from "+site) {
			t.Errorf("an instance with another --public-url: %q\n%s", other.base, other.stderr.String())
		}
		return
	}

	db := mongotest.Name(t)
	x, y := together(on(db, "--no-import"), on(db, "--no-import"))
	if x.base == "" || y.base == "" {
		t.Fatalf("simultaneous first start on %v: %q and %q:\n%s\n%s", server, x.base, y.base, x.stderr.String(), y.stderr.String())
	}
	other := launch(t, bin, "--mongo-uri", mongotest.URI(), "--db", db, "--public-url", "https://other.example.com", "--no-import")
	if other.base != "" || !strings.Contains(other.stderr.String(), "differs from "+site) {
		t.Errorf("an instance with another --public-url: %q\n%s", other.base, other.stderr.String())
	}
	// Restarted, the first with the content and the demo (its accounts
	// and tickets), the second next to it.
	for _, in := range []*instance{x, y} {
		_ = in.cmd.Process.Signal(syscall.SIGTERM)
		<-in.exited
	}
	a := launch(t, bin, on(db, "--demo")...)
	b := launch(t, bin, on(db, "--no-import")...)
	if a.base == "" || b.base == "" {
		t.Fatalf("restart: %q and %q:\n%s\n%s", a.base, b.base, a.stderr.String(), b.stderr.String())
	}
	pw := map[string]string{}
	for _, m := range regexp.MustCompile(`(\w+)\s+username (\w+)\s+password (\S+)`).FindAllStringSubmatch(a.stdout.String(), -1) {
		pw[m[2]] = m[3]
	}
	token := func(base, user string) string {
		var r struct{ Token string }
		if code := apiCall(t, base, "", "POST", "/api/v1/auth/login", map[string]string{"username": user, "password": pw[user]}, &r); code != 200 {
			t.Fatalf("login %s: %d", user, code)
		}
		return r.Token
	}

	// The same transition of a ticket at one version, on both at once:
	// one wins, the other is told of the conflict, one event is added.
	agentA, agentB := token(a.base, "agent"), token(b.base, "agent")
	var queue struct{ Items []struct{ ID string } }
	apiCall(t, a.base, agentA, "GET", "/api/v1/workspaces/demo/tickets?queue=open", nil, &queue)
	raced := 0
	type ticket struct {
		Version int
		Events  []json.RawMessage
		Allowed []struct {
			Action string
			Fields []struct{ Required bool }
		}
	}
	for _, it := range queue.Items {
		var tk ticket
		apiCall(t, a.base, agentA, "GET", "/api/v1/workspaces/demo/tickets/"+it.ID, nil, &tk)
		action := ""
		for _, al := range tk.Allowed {
			required := false
			for _, f := range al.Fields {
				required = required || f.Required
			}
			if !required {
				action = al.Action
				break
			}
		}
		if action == "" {
			continue
		}
		body := map[string]any{"action": action, "version": tk.Version, "fields": map[string]string{}}
		codes := race(func() int {
			return apiCall(t, a.base, agentA, "POST", "/api/v1/workspaces/demo/tickets/"+it.ID+"/transitions", body, nil)
		}, func() int {
			return apiCall(t, b.base, agentB, "POST", "/api/v1/workspaces/demo/tickets/"+it.ID+"/transitions", body, nil)
		})
		var after ticket
		apiCall(t, b.base, agentB, "GET", "/api/v1/workspaces/demo/tickets/"+it.ID, nil, &after)
		if !(codes[0] == 200) == !(codes[1] == 200) || codes[0]+codes[1] != 200+409 || after.Version != tk.Version+1 || len(after.Events) != len(tk.Events)+1 {
			t.Errorf("ticket %s, %s at version %d on both: statuses %v, then version %d with %d events (from %d)", it.ID, action, tk.Version, codes, after.Version, len(after.Events), len(tk.Events))
		}
		raced++
	}
	if raced == 0 {
		t.Error("no demo ticket had a transition without fields to race")
	}

	// A course's lessons, the last two on different instances at once,
	// then its last lesson again on both: every lesson stays done, and
	// the course's completion is one statement.
	loader := &content.Loader{Dir: "../..", MD: markdown.New()}
	courses, _ := loader.Courses()
	slug, lessons := "", []string(nil)
	for _, c := range courses {
		if len(c.Prerequisites) == 0 && len(c.Lessons) >= 2 {
			slug = c.Slug
			for _, l := range c.Lessons {
				lessons = append(lessons, l.Slug)
			}
			break
		}
	}
	learnerA, learnerB := token(a.base, "trainee"), token(b.base, "trainee")
	complete := func(base, tok, lesson string) func() int {
		return func() int {
			return apiCall(t, base, tok, "POST", "/api/v1/courses/"+slug+"/lessons/"+lesson+"/complete", nil, nil)
		}
	}
	for _, l := range lessons[:len(lessons)-2] {
		if code := complete(a.base, learnerA, l)(); code != 200 {
			t.Fatalf("complete %s/%s: %d", slug, l, code)
		}
	}
	n := len(lessons)
	if codes := race(complete(a.base, learnerA, lessons[n-2]), complete(b.base, learnerB, lessons[n-1])); codes != [2]int{200, 200} {
		t.Fatalf("the last two lessons at once: %v", codes)
	}
	if codes := race(complete(a.base, learnerA, lessons[n-1]), complete(b.base, learnerB, lessons[n-1])); codes != [2]int{200, 200} {
		t.Fatalf("the last lesson again on both: %v", codes)
	}
	var course struct {
		Done     int  `json:"lessons_done"`
		Complete bool `json:"complete"`
	}
	apiCall(t, b.base, learnerB, "GET", "/api/v1/courses/"+slug, nil, &course)
	if course.Done != n || !course.Complete {
		t.Errorf("course %s after the races: %+v, want all %d lessons done", slug, course, n)
	}
	var outbox struct {
		Statements []struct{ Verb, Actor, Object string }
	}
	apiCall(t, a.base, token(a.base, "admin"), "GET", "/admin/xapi?format=json", nil, &outbox)
	completed := 0
	for _, s := range outbox.Statements {
		if s.Actor == "trainee" && strings.HasSuffix(s.Object, "/courses/"+slug) {
			completed++
		}
	}
	if completed != 1 {
		t.Errorf("%d statements of the course's completion, want 1: %+v", completed, outbox.Statements)
	}
}

// race runs both at once and returns their results.
func race(f, g func() int) [2]int {
	var out [2]int
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, h := range []func() int{f, g} {
		wg.Add(1)
		go func() { defer wg.Done(); <-start; out[i] = h() }()
	}
	close(start)
	wg.Wait()
	return out
}

// apiCall sends a JSON request with a bearer token and decodes a JSON answer
// into v; it returns the status.
func apiCall(t *testing.T, base, token, method, path string, body, v any) int {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, base+path, r)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if v != nil && res.StatusCode < 300 {
		if err := json.NewDecoder(res.Body).Decode(v); err != nil {
			t.Fatalf("%s %s: %v", method, path, fmt.Errorf("decode: %w", err))
		}
	}
	return res.StatusCode
}
