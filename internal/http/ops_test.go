package http_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	nethttp "net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/academy/academy/internal/academy"
	ahttp "github.com/academy/academy/internal/http"
)

// panicky stands in for the authorizer to make a handler panic.
type panicky struct{}

func (panicky) Can(*academy.User, string, string) bool { panic("boom") }

func (panicky) CanEach(*academy.User, string, ...string) []bool { panic("boom") }

func TestPanicBecomes500WithRequestID(t *testing.T) {
	e := newEnv(t, func(d *ahttp.Deps) { d.Authz = panicky{} })
	res := e.api("GET", "/api/v1/users", "admin", nil)
	if res.StatusCode != 500 || !strings.Contains(res.Body, `"request_id"`) || strings.Contains(res.Body, "boom") {
		t.Fatalf("panic: %d %s", res.StatusCode, res.Body)
	}
	// The server keeps serving.
	if res := e.api("GET", "/healthz", "", nil); res.StatusCode != 200 {
		t.Fatalf("after panic: %d", res.StatusCode)
	}
}

func TestReadinessFollowsTheDatabase(t *testing.T) {
	e := newEnv(t)
	if res := e.api("GET", "/readyz", "", nil); res.StatusCode != 200 {
		t.Fatalf("ready: %d", res.StatusCode)
	}
	_ = e.db.Close(context.Background())
	res := e.api("GET", "/readyz", "", nil)
	if res.StatusCode != 503 || !strings.Contains(res.Body, "database") || res.Header.Get("Retry-After") == "" {
		t.Fatalf("db down: %d %s", res.StatusCode, res.Body)
	}
	if res := e.api("GET", "/api/v1/me", "trainee", nil); res.StatusCode != 503 || res.errCode(t) != academy.EUNAVAILABLE {
		t.Fatalf("request with db down: %d %s", res.StatusCode, res.Body)
	}
	if res := e.api("GET", "/healthz", "", nil); res.StatusCode != 200 {
		t.Fatalf("healthz with db down: %d", res.StatusCode)
	}
}

func TestHeadersLimitsAndMetrics(t *testing.T) {
	e := newEnv(t)
	res := e.api("GET", "/login", "", nil)
	for h, want := range map[string]string{
		"Content-Security-Policy": "script-src 'self'",
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
		"X-Request-Id":            "-",
		"Cache-Control":           "no-store",
	} {
		if !strings.Contains(res.Header.Get(h), want) {
			t.Errorf("header %s = %q, want %q", h, res.Header.Get(h), want)
		}
	}
	if strings.Contains(res.Header.Get("Content-Security-Policy"), "unsafe-inline") {
		t.Error("CSP allows inline script")
	}
	page := res.Body
	i := strings.Index(page, "/static/app.css?v=")
	if i < 0 {
		t.Fatal("no versioned stylesheet link")
	}
	link := page[i : i+strings.Index(page[i:], `"`)]
	req := httptest.NewRequest("GET", link, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	css := e.do(req)
	if css.StatusCode != 200 || !strings.Contains(css.Header.Get("Cache-Control"), "max-age=31536000") || css.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("static asset: %d cache %q encoding %q", css.StatusCode, css.Header.Get("Cache-Control"), css.Header.Get("Content-Encoding"))
	}

	// Oversized bodies are refused from their Content-Length before any
	// handler runs; that path needs a real connection.
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.listen(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", 2<<20)
	hres, err := nethttp.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(hres.Body)
	if hres.StatusCode != 413 || !strings.Contains(string(body), "too large") {
		t.Fatalf("oversized body: %d %s", hres.StatusCode, body)
	}

	// /metrics answers this machine (the socket's address) when no metrics
	// token is set.
	mres, err := nethttp.Get(e.listen() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	mbody, _ := io.ReadAll(mres.Body)
	mres.Body.Close()
	m := response{Response: mres, Body: string(mbody)}
	for _, want := range []string{`academy_http_requests_total{method="GET",route="/login",status="200"}`, "academy_db_pool_open_connections", "academy_http_request_duration_seconds_bucket"} {
		if !strings.Contains(m.Body, want) {
			t.Errorf("metrics lack %s:\n%s", want, m.Body[:min(len(m.Body), 3000)])
		}
	}
}
