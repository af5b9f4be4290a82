package main

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/academy/academy/internal/ferret"
)

// This file cuts the server off from its database and reconnects it: the
// binary runs against an embedded FerretDB started by the test, through a
// TCP proxy the test can take down (every connection dropped, the port
// closed, so reconnects are refused) and bring back on the same port.

// tcpProxy forwards connections from addr to target (on network) until
// down.
type tcpProxy struct {
	addr, network, target string

	mu    sync.Mutex
	ln    net.Listener // nil while down
	conns map[net.Conn]bool
}

func newTCPProxy(t *testing.T, network, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{addr: ln.Addr().String(), network: network, target: target, conns: map[net.Conn]bool{}}
	p.serve(ln)
	t.Cleanup(p.down)
	return p
}

// up listens on the same address again. The port was ours a moment ago,
// but a brief retry covers a slow release.
func (p *tcpProxy) up(t *testing.T) {
	t.Helper()
	var ln net.Listener
	var err error
	for range 50 {
		if ln, err = net.Listen("tcp", p.addr); err == nil || !errors.Is(err, syscall.EADDRINUSE) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("proxy back on %s: %v", p.addr, err)
	}
	p.serve(ln)
}

func (p *tcpProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return // closed by down
			}
			go p.forward(ln, c)
		}
	}()
}

// forward pipes c to a new connection to the target. Connections accepted
// by a listener that down has closed meanwhile are dropped, so none
// outlives an outage.
func (p *tcpProxy) forward(ln net.Listener, c net.Conn) {
	s, err := net.Dial(p.network, p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	if p.ln != ln {
		p.mu.Unlock()
		c.Close()
		s.Close()
		return
	}
	p.conns[c], p.conns[s] = true, true
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		done <- struct{}{}
	}
	go pipe(s, c)
	go pipe(c, s)
	<-done
	c.Close()
	s.Close()
	<-done
	p.mu.Lock()
	delete(p.conns, c)
	delete(p.conns, s)
	p.mu.Unlock()
}

// down closes the port and every connection through it.
func (p *tcpProxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

// probe is one request's outcome, timed.
type probe struct {
	status int
	body   []byte
	header http.Header
	took   time.Duration
	err    error
}

// outageClient waits longer than any database timeout of the server (15 s
// per operation), so a hang shows as a slow answer, not as a client error.
var outageClient = &http.Client{Timeout: 40 * time.Second}

func send(base, method, path, token, body string) probe {
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		return probe{err: err}
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	start := time.Now()
	res, err := outageClient.Do(req)
	if err != nil {
		return probe{err: err, took: time.Since(start)}
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return probe{status: res.StatusCode, body: b, header: res.Header, took: time.Since(start), err: err}
}

// unavailable checks an API error answer for the outage: 503, the
// unavailable code, a message that says what is wrong, and a Retry-After
// for clients that back off, within the server's own timeouts.
func unavailable(t *testing.T, what string, r probe) {
	t.Helper()
	var e struct {
		Error struct{ Code, Message string }
	}
	if r.err != nil || r.status != 503 || json.Unmarshal(r.body, &e) != nil || e.Error.Code != "unavailable" ||
		!strings.Contains(e.Error.Message, "database is unavailable") || r.header.Get("Retry-After") == "" {
		t.Errorf("%s during the outage: status %d after %v, err %v, Retry-After %q, body %s; want 503 unavailable with a message",
			what, r.status, r.took.Round(time.Millisecond), r.err, r.header.Get("Retry-After"), r.body)
	}
	if r.took > 20*time.Second {
		t.Errorf("%s took %v to fail during the outage", what, r.took.Round(time.Millisecond))
	}
}

func TestDatabaseOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs it against a database that goes away")
	}
	bin := buildBinary(t)
	db, err := ferret.Start(t.TempDir(), ferret.SyncNormal, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Stop() })
	// The embedded server listens on a Unix socket, which the driver
	// names by its escaped path in the URI's host.
	host := strings.TrimSuffix(strings.TrimPrefix(db.URI(), "mongodb://"), "/")
	network := "tcp"
	if strings.HasPrefix(host, "%2F") {
		network = "unix"
		if host, err = url.PathUnescape(host); err != nil {
			t.Fatal(err)
		}
	}
	proxy := newTCPProxy(t, network, host)
	p := startAcademy(t, bin, "--mongo-uri", "mongodb://"+proxy.addr+"/", "--public-url", "https://academy.example.com", "--demo", "--content", "../..")
	pw := map[string]string{}
	for _, m := range regexp.MustCompile(`username (\S+)\s+password (\S+)`).FindAllStringSubmatch(p.stdout.String(), -1) {
		pw[m[1]] = m[2]
	}
	if pw["admin"] == "" || pw["trainee"] == "" {
		t.Fatalf("demo accounts not printed:\n%s", p.stdout)
	}
	token := apiLogin(t, p.base, "trainee", pw["trainee"])
	loginBody := func(user string) string {
		b, _ := json.Marshal(map[string]string{"username": user, "password": pw[user]})
		return string(b)
	}
	var before struct{ Total int }
	mustCall(t, p.base, "GET", "/api/v1/courses", token, 200, nil, &before)
	var ethics wireCourse
	mustCall(t, p.base, "GET", "/api/v1/courses/ethics", token, 200, nil, &ethics)
	if len(ethics.Lessons) == 0 {
		t.Fatal("course ethics has no lessons")
	}
	complete := "/api/v1/courses/ethics/lessons/" + ethics.Lessons[0].Slug + "/complete"

	// Outage.
	proxy.down()
	cut := time.Now()

	r := send(p.base, "GET", "/readyz", "", "")
	var ready struct{ Status, Message string }
	if r.err != nil || r.status != 503 || json.Unmarshal(r.body, &ready) != nil || ready.Status != "unavailable" ||
		!strings.Contains(ready.Message, "database unreachable") || r.header.Get("Retry-After") == "" {
		t.Errorf("readyz during the outage: status %d after %v, err %v, body %s; want 503 unavailable with a message",
			r.status, r.took.Round(time.Millisecond), r.err, r.body)
	}
	if r.took > 10*time.Second {
		t.Errorf("readyz took %v during the outage; a probe needs a quick answer", r.took.Round(time.Millisecond))
	}
	// A read with a valid session, a write, and a login: each needs the
	// database at a different step (session lookup, progress, account).
	// They run side by side, as requests would.
	var wg sync.WaitGroup
	var read, write, login probe
	wg.Go(func() { read = send(p.base, "GET", "/api/v1/courses", token, "") })
	wg.Go(func() { write = send(p.base, "POST", complete, token, "") })
	wg.Go(func() { login = send(p.base, "POST", "/api/v1/auth/login", "", loginBody("admin")) })
	wg.Wait()
	// More logins than the throttle allows failures (sent after the probe,
	// since logins in flight count against the limit until they answer):
	// an outage must not count as failed logins and lock the account once
	// it is over; the login after recovery below proves it.
	for range 11 {
		wg.Go(func() { send(p.base, "POST", "/api/v1/auth/login", "", loginBody("admin")) })
	}
	wg.Wait()
	unavailable(t, "GET /api/v1/courses", read)
	unavailable(t, "POST …/complete", write)
	unavailable(t, "POST /api/v1/auth/login", login)
	select {
	case <-p.exited:
		t.Fatalf("the server exited during the outage: %v\n%s", p.waitErr, tail(p.stderr.String(), 4000))
	default:
	}
	t.Logf("outage answers: readyz %v, read %v, write %v, login %v (outage %v so far)", r.took.Round(time.Millisecond),
		read.took.Round(time.Millisecond), write.took.Round(time.Millisecond), login.took.Round(time.Millisecond), time.Since(cut).Round(time.Millisecond))

	// Recovery: the same port comes back; the server must find it alone.
	proxy.up(t)
	back := time.Now()
	for {
		r := send(p.base, "GET", "/readyz", "", "")
		if r.status == 200 {
			break
		}
		if time.Since(back) > 30*time.Second {
			t.Fatalf("readyz not 200 within 30s of the database coming back: %d %s %v", r.status, r.body, r.err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("ready again %v after the database came back", time.Since(back).Round(time.Millisecond))
	var after struct{ Total int }
	mustCall(t, p.base, "GET", "/api/v1/courses", token, 200, nil, &after)
	if after.Total != before.Total || before.Total == 0 {
		t.Errorf("courses after the outage: %d, before: %d", after.Total, before.Total)
	}
	var done struct{ Completed bool }
	mustCall(t, p.base, "POST", complete, token, 200, nil, &done)
	if !done.Completed {
		t.Errorf("lesson completion after the outage: %+v", done)
	}
	apiLogin(t, p.base, "admin", pw["admin"])
	if strings.Contains(p.stderr.String(), "panic") {
		t.Errorf("panic in the server log:\n%s", tail(p.stderr.String(), 8000))
	}
	p.stop(t)
}
