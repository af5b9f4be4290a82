package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// newHTTPClient returns the client shared by every simulated user.
func newHTTPClient(timeout time.Duration) *http.Client {
	tr := &http.Transport{
		DialContext: (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		// Each simulated user keeps its connection through its think
		// time, as a browser does; the default of two idle connections
		// per host would turn most requests into new connections and
		// measure TCP setup instead of the server.
		MaxIdleConns:        0, // no limit
		MaxIdleConnsPerHost: 100000,
		// Below the server's 120 s keep-alive, so that the client, not the
		// server, closes an idle connection: a POST on a connection the
		// server is closing fails and is not retried.
		IdleConnTimeout:     100 * time.Second,
		TLSHandshakeTimeout: 10 * time.Second,
		// do asks for gzip itself and inflates only the bodies it decodes.
		// A browser inflates pages on its own machine; here the client
		// shares the server's cores, and inflating every page (which the
		// bare Fiber baseline's short answer never needs) would be
		// charged to the server. wrk and hey do not inflate either.
		DisableCompression: true,
		// A lesson page (10 KB gzipped, 17 headers) then arrives in one
		// read instead of three through the default 4 KB buffer. Each
		// connection keeps its buffer, and the realistic mix holds one
		// connection per simulated user: 16 KB is 80 MB for 5,000.
		ReadBufferSize: 16 << 10,
	}
	return &http.Client{
		Transport: tr,
		Timeout:   timeout,
		// A redirect is an answer in its own right (the web pages answer
		// 303); following it would record two requests as one.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// client sends requests to the server under test and records each one.
type client struct {
	base string
	hc   *http.Client
	// bodies are the buffers responses are read into. The lesson mix
	// reads thousands of 10 KB pages a second on the cores the server
	// uses; growing a new slice for each (io.ReadAll) cost the client
	// more CPU than the server spent making the page, and counted
	// against the page's rate.
	bodies sync.Pool
}

// do sends one request with an optional JSON body and bearer token,
// decodes a 2xx JSON answer into out (when not nil), and records the
// request under its route. A status listed in accept is an answer the
// caller expects and handles (such as 409 for an account left by an
// earlier run); any other status from 400 up, a transport error or a body
// that does not decode count as errors of the run and are returned.
func (c *client) do(ctx context.Context, rec *recorder, method, path, token string, body, out any, accept ...int) (int, error) {
	route := method + " " + routeOf(path)
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Accept-Encoding", "gzip")
	start := time.Now()
	res, err := c.hc.Do(req)
	if err != nil {
		rec.add(route, time.Since(start), transportKind(err), err.Error())
		return 0, fmt.Errorf("%s: %w", route, err)
	}
	buf, _ := c.bodies.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	defer c.bodies.Put(buf)
	buf.Reset()
	if res.ContentLength > 0 {
		buf.Grow(int(res.ContentLength))
	}
	_, err = buf.ReadFrom(res.Body)
	res.Body.Close()
	data := buf.Bytes()
	if err == nil && res.Header.Get("Content-Encoding") == "gzip" && (out != nil || res.StatusCode >= 400) {
		data, err = gunzip(data)
	}
	took := time.Since(start)
	kind, problem := "", ""
	switch {
	case err != nil:
		kind, problem = transportKind(err), "reading the body: "+err.Error()
	case res.StatusCode >= 400 && !slices.Contains(accept, res.StatusCode):
		kind, problem = strconv.Itoa(res.StatusCode), fmt.Sprintf("status %d: %s", res.StatusCode, snippet(data))
	case out != nil && res.StatusCode < 300:
		// A 2xx body that is not the documented shape is as much a
		// failure as a 500.
		if err := json.Unmarshal(data, out); err != nil {
			kind, problem = "bad body", fmt.Sprintf("status %d but the body does not decode: %v: %s", res.StatusCode, err, snippet(data))
		}
	}
	rec.add(route, took, kind, problem)
	if problem != "" {
		return res.StatusCode, fmt.Errorf("%s %s: %s", method, path, problem)
	}
	return res.StatusCode, nil
}

func gunzip(b []byte) ([]byte, error) {
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

// transportKind classifies a failure without a status: the client's
// timeout apart from the rest (refused, reset, closed connections).
func transportKind(err error) string {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return "timeout"
	}
	return "transport"
}

// snippet shortens a response body for an error message.
func snippet(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if r := []rune(s); len(r) > 300 {
		return string(r[:300]) + "…"
	}
	return s
}

// routeOf turns a request path into its route, so that requests to
// different ids add up: /api/v1/attempts/Hp1m7z/submit becomes
// /api/v1/attempts/{id}/submit. A segment that follows a collection name
// is that collection's parameter.
func routeOf(path string) string {
	path, _, _ = strings.Cut(path, "?")
	segs := strings.Split(path, "/")
	for i := 1; i < len(segs); i++ {
		if p := paramAfter(segs[i-1]); p != "" && segs[i] != "" {
			segs[i] = p
		}
	}
	return strings.Join(segs, "/")
}

// paramAfter names the parameter that follows a collection segment of the
// Academy routes, or "" when the segment is not a collection.
func paramAfter(collection string) string {
	switch collection {
	case "courses", "quizzes", "scenarios":
		return "{slug}"
	case "lessons":
		return "{lesson}"
	case "workspaces":
		return "{ws}"
	case "users", "people":
		return "{username}"
	case "attempts", "runs", "sandboxes", "tickets", "assignments", "certificates", "verify":
		return "{id}"
	}
	return ""
}
