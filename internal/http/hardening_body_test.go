package http_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"log/slog"
	"net"
	nethttp "net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	ahttp "github.com/academy/academy/internal/http"
)

func gzipped(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// gzipBomb is a JSON object whose one string field inflates to size bytes,
// sent as a body far under the body limit.
func gzipBomb(t testing.TB, field string, size int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write([]byte(`{"` + field + `":"`))
	chunk := bytes.Repeat([]byte("a"), 1<<20)
	for n := 0; n < size; n += len(chunk) {
		zw.Write(chunk)
	}
	zw.Write([]byte(`"}`))
	zw.Close()
	return buf.Bytes()
}

// encoded sends body with the given Content-Encoding header lines.
func (e *env) encoded(method, path, who, contentType string, body []byte, encodings ...string) *response {
	e.t.Helper()
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	for _, enc := range encodings {
		req.Header.Add("Content-Encoding", enc)
	}
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[who])
	}
	return e.do(req)
}

func refused415(t *testing.T, what string, res *response) {
	t.Helper()
	if res.StatusCode != 415 {
		t.Fatalf("%s: status %d, want 415: %.300s", what, res.StatusCode, res.Body)
	}
	if !strings.Contains(res.Body, "Content-Encoding") {
		t.Errorf("%s: the error does not name Content-Encoding: %.300s", what, res.Body)
	}
}

func (e *env) sandboxCount(who string) int {
	e.t.Helper()
	var list struct{ Total int }
	e.api("GET", "/api/v1/sandboxes", who, nil).json(e.t, &list)
	return list.Total
}

func TestCompressedBodiesAreRefused(t *testing.T) {
	e := newEnv(t)
	const jsonType = "application/json"
	// 64 MiB of JSON in about 64 KiB: under the body limit, far over it
	// once inflated.
	for _, c := range []struct{ name, path, who, field string }{
		{"login, no session", "/api/v1/auth/login", "", "username"},
		{"JSON route with a session", "/api/v1/sandboxes", "trainee", "name"},
	} {
		bomb := gzipBomb(t, c.field, 64<<20)
		if len(bomb) > 1<<20 {
			t.Fatalf("bomb of %d bytes is over the body limit", len(bomb))
		}
		start := time.Now()
		res := e.encoded("POST", c.path, c.who, jsonType, bomb, "gzip")
		refused415(t, c.name, res)
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s: refusing took %v; was the body inflated?", c.name, d)
		}
		if code := res.errCode(t); code != "invalid" {
			t.Errorf("%s: code %q", c.name, code)
		}
	}
	if n := e.sandboxCount("trainee"); n != 0 {
		t.Fatalf("a refused body opened %d sandboxes", n)
	}

	// A small body behind two stacked encodings named a sandbox of 10 MiB.
	twice := gzipped(t, gzipped(t, []byte(`{"name":"`+strings.Repeat("x", 10<<20)+`"}`)))
	refused415(t, "gzip, gzip", e.encoded("POST", "/api/v1/sandboxes", "trainee", jsonType, twice, "gzip, gzip"))
	refused415(t, "gzip on two header lines", e.encoded("POST", "/api/v1/sandboxes", "trainee", jsonType, twice, "gzip", "gzip"))
	small := gzipped(t, []byte(`{"name":"练习"}`))
	for _, enc := range []string{"gzip", "GZIP", "x-gzip", "br", "deflate", "compress", "zstd", "identity, gzip", "gzip, identity", "Gzip ,"} {
		refused415(t, enc, e.encoded("POST", "/api/v1/sandboxes", "trainee", jsonType, small, enc))
	}
	refused415(t, "identity then gzip lines", e.encoded("POST", "/api/v1/sandboxes", "trainee", jsonType, small, "identity", "gzip"))
	if n := e.sandboxCount("trainee"); n != 0 {
		t.Fatalf("refused bodies opened %d sandboxes", n)
	}

	// Plain bodies, and the identity coding, still work.
	plain := []byte(`{"name":"练习"}`)
	for _, enc := range [][]string{nil, {"identity"}, {"IDENTITY"}, {""}} {
		if res := e.encoded("POST", "/api/v1/sandboxes", "trainee", jsonType, plain, enc...); res.StatusCode != 201 {
			t.Fatalf("Content-Encoding %q: status %d: %s", enc, res.StatusCode, res.Body)
		}
	}
	if res := e.encoded("POST", "/api/v1/auth/login", "", jsonType,
		[]byte(`{"username":"trainee","password":"`+testPassword+`"}`), "identity"); res.StatusCode != 200 {
		t.Fatalf("plain login: %d %s", res.StatusCode, res.Body)
	}

	// A web form: the normal error page, and a multipart body (which
	// fasthttp would gunzip) is refused before it is parsed.
	res := e.encoded("POST", "/login", "", "multipart/form-data; boundary=x",
		gzipped(t, []byte("--x\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\ntrainee\r\n--x--\r\n")), "gzip")
	refused415(t, "web login", res)
	if !strings.Contains(res.Header.Get("Content-Type"), "text/html") {
		t.Errorf("web login: Content-Type %q, want the error page", res.Header.Get("Content-Type"))
	}
}

// Every route that takes a body refuses a compressed one, whoever calls,
// before it reads anything.
func TestCompressedBodiesAreRefusedOnEveryRoute(t *testing.T) {
	e := newEnv(t)
	n := 0
	for _, r := range e.srv.Routes() {
		if r.Method == "GET" {
			continue
		}
		n++
		path := params.Replace(r.Path)
		ct, body := "application/x-www-form-urlencoded", gzipped(t, []byte("name=x&_csrf=x"))
		if strings.HasPrefix(path, "/api/") {
			ct, body = "application/json", gzipped(t, []byte(`{"name":"x"}`))
		}
		for _, who := range []string{"", "admin"} {
			res := e.encoded(r.Method, path, who, ct, body, "gzip")
			refused415(t, r.Method+" "+r.Path+" as "+who, res)
			if api := strings.HasPrefix(path, "/api/"); api != strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
				t.Errorf("%s %s: Content-Type %q", r.Method, r.Path, res.Header.Get("Content-Type"))
			}
		}
	}
	if n < 20 {
		t.Fatalf("only %d routes take a body; is the route table read?", n)
	}
}

// The login body is decoded once, and the per-user limiter sees that same
// decoding: a body the handler refuses never tested a password, so it does
// not count against the user it seems to name.
func TestLoginBodyIsReadOnce(t *testing.T) {
	e := newEnv(t)
	for i := 0; i < 10; i++ {
		res := e.api("POST", "/api/v1/auth/login", "", `{"username":"trainee","password":"x","extra":1}`)
		if res.StatusCode != 400 || !strings.Contains(res.Body, "extra: unknown field") {
			t.Fatalf("attempt %d: %d %s", i, res.StatusCode, res.Body)
		}
	}
	if res := e.api("POST", "/api/v1/auth/login", "", map[string]string{"username": "trainee", "password": testPassword}); res.StatusCode != 200 {
		t.Fatalf("refused bodies locked the account out: %d %s", res.StatusCode, res.Body)
	}
}

// logBuffer collects the server's log lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func logTo(b *logBuffer) func(*ahttp.Deps) {
	return func(d *ahttp.Deps) { d.Logger = slog.New(slog.NewTextHandler(b, nil)) }
}

// rawRequest writes raw to a fresh connection: requests that fasthttp
// refuses while reading them never reach app.Test's handler path.
func rawRequest(t *testing.T, base, raw string) (*nethttp.Response, string) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatal(err)
	}
	res, err := nethttp.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res, string(body)
}

// Requests that fasthttp refuses before routing are answered like any
// other error and appear in the request log.
func TestRefusedBeforeRoutingAreAnsweredAndLogged(t *testing.T) {
	var logs logBuffer
	e := newEnv(t, logTo(&logs))
	base := e.listen()

	over := fmt.Sprintf("Content-Type: application/json\r\nContent-Length: %d\r\n\r\n", 2<<20)
	res, body := rawRequest(t, base, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n"+over)
	if res.StatusCode != 413 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") ||
		!strings.Contains(body, `"code":"invalid"`) || !strings.Contains(body, "at most 1 MiB") {
		t.Fatalf("oversized API body: %d %q %s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	id := res.Header.Get("X-Request-Id")
	if id == "" {
		t.Error("413 without a request id")
	}
	res, body = rawRequest(t, base, "POST /login HTTP/1.1\r\nHost: x\r\n"+over)
	if res.StatusCode != 413 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, "1 MiB") {
		t.Fatalf("oversized form: %d %q %s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}

	// Headers over the read buffer: fasthttp drops the request line with
	// them, so the path (and whether it was the API) is unknown and the
	// answer is the error page.
	res, body = rawRequest(t, base, "GET /api/v1/me HTTP/1.1\r\nHost: x\r\nX-Big: "+strings.Repeat("a", 8<<10)+"\r\n\r\n")
	if res.StatusCode != 431 || !strings.Contains(body, "请求头过大") || !strings.Contains(body, "4 KiB") {
		t.Fatalf("huge header: %d %s", res.StatusCode, body)
	}

	log := logs.String()
	for _, want := range []string{
		"request_id=" + id + " method=POST path=/api/v1/auth/login status=413",
		"method=POST path=/login status=413",
		`method="" path="" status=431`,
	} {
		if !strings.Contains(log, want) {
			t.Errorf("no log line with %s:\n%s", want, log)
		}
	}
	res, m := rawRequest(t, base, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
	if !strings.Contains(m, `academy_http_requests_total{method="POST",route="unmatched",status="413"} 2`) {
		t.Errorf("refused requests are not counted:\n%s", m)
	}
}

// A verifier asking for JSON gets JSON, also when the number is unknown.
func TestVerifyAnswersJSONWhenAskedFor(t *testing.T) {
	e := newEnv(t)
	get := func(path, accept string) *response {
		req := httptest.NewRequest("GET", path, nil)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		return e.do(req)
	}
	for _, c := range []struct{ path, accept string }{
		{"/verify/AC-0000-0000-0000-0000?format=json", ""},
		{"/verify/not-a-number?format=json", "text/html"},
		{"/verify/AC-0000-0000-0000-0000", "application/json"},
		{"/verify/AC-0000-0000-0000-0000/status", ""},
		{"/verify/not-a-number/status", "text/html"},
	} {
		res := get(c.path, c.accept)
		if res.StatusCode != 404 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("%s (Accept %q): %d %q %.200s", c.path, c.accept, res.StatusCode, res.Header.Get("Content-Type"), res.Body)
		}
		if code := res.errCode(t); code != "not_found" {
			t.Errorf("%s: code %q", c.path, code)
		}
	}
	// People get the page.
	for _, accept := range []string{"", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "*/*"} {
		res := get("/verify/AC-0000-0000-0000-0000", accept)
		if res.StatusCode != 404 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("Accept %q: %d %q", accept, res.StatusCode, res.Header.Get("Content-Type"))
		}
	}
}

func TestMetricsNeedTheTokenOrThisMachine(t *testing.T) {
	scrape := func(e *env, auth string) *response {
		req := httptest.NewRequest("GET", "/metrics", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		return e.do(req) // from 0.0.0.0: not this machine
	}
	loopback := func(e *env, base, auth string) int {
		raw := "GET /metrics HTTP/1.1\r\nHost: x\r\n"
		if auth != "" {
			raw += "Authorization: " + auth + "\r\n"
		}
		res, _ := rawRequest(t, base, raw+"\r\n")
		return res.StatusCode
	}

	// No token: this machine only, whatever the headers say.
	e := newEnv(t)
	for _, h := range []string{"", "Bearer " + e.tokens["admin"]} {
		res := scrape(e, h)
		if res.StatusCode != 403 || res.errCode(t) != "forbidden" || !strings.Contains(res.Body, "--metrics-token") {
			t.Fatalf("remote scrape without a token set (Authorization %q): %d %s", h, res.StatusCode, res.Body)
		}
	}
	req := httptest.NewRequest("GET", "/metrics", nil)
	req.Header.Set("X-Forwarded-For", "127.0.0.1")
	if res := e.do(req); res.StatusCode != 403 {
		t.Fatalf("X-Forwarded-For passed for this machine: %d", res.StatusCode)
	}
	if code := loopback(e, e.listen(), ""); code != 200 {
		t.Fatalf("loopback scrape: %d", code)
	}

	// A token: the bearer token, from anywhere, and nothing else.
	const token = "scraper-token-0123456789"
	e = newEnv(t, func(d *ahttp.Deps) { d.MetricsToken = token })
	for _, h := range []string{"", "Bearer", "Bearer wrong", "Bearer " + token + "x", "Basic " + token, "Bearer " + e.tokens["admin"]} {
		res := scrape(e, h)
		if res.StatusCode != 401 || res.errCode(t) != "unauthorized" || res.Header.Get("WWW-Authenticate") == "" {
			t.Fatalf("Authorization %q: %d %s", h, res.StatusCode, res.Body)
		}
	}
	if res := scrape(e, "Bearer "+token); res.StatusCode != 200 || !strings.Contains(res.Body, "academy_http_requests_total") {
		t.Fatalf("scrape with the token: %d %.200s", res.StatusCode, res.Body)
	}
	base := e.listen()
	if code := loopback(e, base, ""); code != 401 {
		t.Fatalf("loopback scrape without the token: %d", code)
	}
	if code := loopback(e, base, "Bearer "+token); code != 200 {
		t.Fatalf("loopback scrape with the token: %d", code)
	}
}
