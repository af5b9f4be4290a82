package xapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestClientSend(t *testing.T) {
	batch := []Statement{
		CourseCompleted(base, "lihua", "李华", "first-aid", "急救入门", at),
		QuizGraded(base, "lihua", "李华", "safety", "安全测验", 17, 20, true, at),
	}
	var calls int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if r.Method != http.MethodPost || r.URL.Path != "/xapi/statements" {
			t.Errorf("%s %s, want POST /xapi/statements", r.Method, r.URL.Path)
		}
		if v := r.Header.Get("X-Experience-API-Version"); v != "1.0.3" {
			t.Errorf("X-Experience-API-Version = %q", v)
		}
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("Content-Type = %q", ct)
		}
		if u, p, ok := r.BasicAuth(); !ok || u != "relay" || p != "s3cret" {
			t.Errorf("basic auth = %q %q %v", u, p, ok)
		}
		body, _ := io.ReadAll(r.Body)
		var got []Statement
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatalf("body is not a JSON array of statements: %v\n%s", err, body)
		}
		if len(got) != len(batch) {
			t.Fatalf("got %d statements, want %d", len(got), len(batch))
		}
		for i := range got {
			if got[i].ID != batch[i].ID || got[i].Verb.ID != batch[i].Verb.ID || !got[i].Timestamp.Equal(batch[i].Timestamp) {
				t.Errorf("statement %d = %+v, want %+v", i, got[i], batch[i])
			}
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode([]string{got[0].ID, got[1].ID})
	}))
	defer srv.Close()

	for _, endpoint := range []string{srv.URL + "/xapi/", srv.URL + "/xapi"} {
		c := &Client{Endpoint: endpoint, Username: "relay", Password: "s3cret", HTTP: srv.Client()}
		if err := c.Send(context.Background(), batch); err != nil {
			t.Fatalf("%s: %v", endpoint, err)
		}
	}
	if calls != 2 {
		t.Errorf("%d requests, want 2", calls)
	}

	// An empty batch makes no request.
	c := &Client{Endpoint: srv.URL + "/xapi/", HTTP: srv.Client()}
	if err := c.Send(context.Background(), nil); err != nil || calls != 2 {
		t.Errorf("empty batch: err %v, %d requests", err, calls)
	}
}

func TestClientSendNon2xx(t *testing.T) {
	for _, code := range []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusConflict, http.StatusServiceUnavailable} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "nope", code)
		}))
		c := &Client{Endpoint: srv.URL + "/", HTTP: srv.Client()}
		err := c.Send(context.Background(), []Statement{CourseCompleted(base, "u", "", "c", "C", at)})
		srv.Close()
		if err == nil {
			t.Fatalf("%d: no error", code)
		}
		if !strings.Contains(err.Error(), http.StatusText(code)) || !strings.Contains(err.Error(), "nope") {
			t.Errorf("%d: error %q lacks the status or body", code, err)
		}
		var se *StatusError
		if !errors.As(err, &se) || se.StatusCode != code {
			t.Errorf("%d: error %#v is not a StatusError with the code", code, err)
		}
	}
}

func TestClientSendContext(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
	}))
	defer srv.Close()
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	c := &Client{Endpoint: srv.URL + "/", HTTP: srv.Client()}
	if err := c.Send(ctx, []Statement{CourseCompleted(base, "u", "", "c", "C", at)}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want deadline exceeded", err)
	}
}
