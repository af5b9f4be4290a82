// Package worklogin signs staff in through the web login of the company
// chat platforms they already use: 企业微信 (WeCom), 钉钉 (DingTalk) and
// 飞书 (Feishu). Each platform sends the person back with a code, which
// the platform's API turns into the person's employee number (工号). It
// is the only package that speaks these APIs; it imports no framework.
package worklogin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// Person is whom a platform says signed in.
type Person struct {
	// EmployeeNo is the 工号 the platform holds; empty when it holds none.
	EmployeeNo string
	// Name and Email fill an account opened at first sign-in.
	Name, Email string
	// UserID is the platform's id of the person, for the audit log.
	UserID string
}

// Provider is one platform's web login.
type Provider interface {
	// Key names the platform in addresses and the audit log: wecom,
	// dingtalk or feishu.
	Key() string
	// AuthURL is the platform's login page, which sends the person back
	// to redirectURI with a code and state.
	AuthURL(redirectURI, state string) string
	// Identify asks the platform whom code names; redirectURI is the one
	// the login page was given.
	Identify(ctx context.Context, code, redirectURI string) (Person, error)
}

var (
	_ Provider = (*WeCom)(nil)
	_ Provider = (*DingTalk)(nil)
	_ Provider = (*Feishu)(nil)
)

const (
	// timeout bounds every call to a platform: a person waits on it.
	timeout = 10 * time.Second
	// maxBody bounds an answer; the platforms' are a few hundred bytes.
	maxBody = 1 << 20
	// maxText bounds a platform's message kept in an error.
	maxText = 200
)

// Error is a call to a platform that failed. Its text names the call and
// what the platform said, never a secret or token, so it may be audited.
type Error struct {
	// Call names the platform and the call: "wecom gettoken".
	Call string
	// Code is the platform's error code ("40029", "invalid_grant", "HTTP
	// 401"); empty when the call got no answer.
	Code string
	Msg  string
	// Down says the platform gave no usable answer (unreachable, slow, a
	// server error): trying later may help.
	Down bool
}

func (e *Error) Error() string {
	if e.Code == "" {
		return e.Call + ": " + e.Msg
	}
	return e.Call + ": " + e.Code + " " + e.Msg
}

func clip(s string) string {
	if len(s) > maxText {
		return s[:maxText]
	}
	return s
}

// client is the one given, or one with the timeout.
func client(c *http.Client) *http.Client {
	if c != nil {
		return c
	}
	return &http.Client{Timeout: timeout}
}

// newRequest makes a call with ctx, its query and, unless nil, a JSON body.
func newRequest(ctx context.Context, method, base, path string, query url.Values, body any) *http.Request {
	u := base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequestWithContext(ctx, method, u, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	return req
}

// fetch sends req and reads its answer, whatever its status, which it
// returns: the platforms put their refusals in JSON, some with status 200.
func fetch(c *http.Client, call string, req *http.Request) (int, []byte, error) {
	res, err := client(c).Do(req)
	if err != nil {
		// A failed call's URL may carry a secret or token in its query:
		// only the cause is told.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return 0, nil, &Error{Call: call, Msg: clip(err.Error()), Down: true}
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, maxBody+1))
	switch {
	case err != nil:
		return 0, nil, &Error{Call: call, Msg: "answer cut off: " + clip(err.Error()), Down: true}
	case len(b) > maxBody:
		return 0, nil, &Error{Call: call, Msg: fmt.Sprintf("answer larger than %d bytes", maxBody), Down: true}
	case res.StatusCode >= 500:
		return 0, nil, &Error{Call: call, Code: "HTTP " + strconv.Itoa(res.StatusCode), Msg: "server error", Down: true}
	}
	return res.StatusCode, b, nil
}

// decode reads a JSON answer into out.
func decode(call string, status int, body []byte, out any) error {
	if err := json.Unmarshal(body, out); err != nil {
		return &Error{Call: call, Code: "HTTP " + strconv.Itoa(status), Msg: "answer is not the documented JSON"}
	}
	return nil
}

// errAnswer is the part of every answer of 企业微信 and of 钉钉's older
// API (oapi): errcode 0, or an error, with status 200 either way.
type errAnswer struct {
	Errcode int    `json:"errcode"`
	Errmsg  string `json:"errmsg"`
}

func (a errAnswer) answer() errAnswer { return a }

// answerer is an answer that embeds errAnswer.
type answerer interface{ answer() errAnswer }

// fetchErrcode is fetch for the APIs that answer with errcode.
func fetchErrcode(c *http.Client, call string, req *http.Request, out answerer) error {
	status, body, err := fetch(c, call, req)
	if err != nil {
		return err
	}
	if err := decode(call, status, body, out); err != nil {
		return err
	}
	if a := out.answer(); a.Errcode != 0 || status != http.StatusOK {
		return &Error{Call: call, Code: strconv.Itoa(a.Errcode), Msg: clip(a.Errmsg)}
	}
	return nil
}

// staleToken says a platform refused an application's access token as
// invalid (40014) or expired (42001); 企业微信 and 钉钉's oapi share these
// codes.
func staleToken(err error) bool {
	var e *Error
	return errors.As(err, &e) && (e.Code == "40014" || e.Code == "42001")
}

// appToken is an application's access token, kept until shortly before
// it expires, as the platforms ask: their token calls are rate-limited
// and each sign-in would otherwise make one.
type appToken struct {
	mu      sync.Mutex
	token   string
	expires time.Time
}

// tokenFetch asks the platform for a new token and how long it lasts.
type tokenFetch func(ctx context.Context) (string, time.Duration, error)

// get gives the kept token, or a new one; one caller at a time fetches.
func (t *appToken) get(ctx context.Context, fetch tokenFetch) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.token != "" && time.Now().Before(t.expires) {
		return t.token, nil
	}
	token, ttl, err := fetch(ctx)
	if err != nil {
		return "", err
	}
	// Renewed ahead of time, so that no call starts with a token about
	// to lapse.
	t.token, t.expires = token, time.Now().Add(ttl-min(5*time.Minute, ttl/10))
	return token, nil
}

// drop forgets token if it is still the one kept.
func (t *appToken) drop(token string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.token == token {
		t.token = ""
	}
}

// withToken runs call with the application's token and, when the
// platform says that token is stale (revoked, or expired before its
// time), once more with a new one.
func (t *appToken) withToken(ctx context.Context, fetch tokenFetch, call func(token string) error) error {
	token, err := t.get(ctx, fetch)
	if err != nil {
		return err
	}
	if err = call(token); !staleToken(err) {
		return err
	}
	t.drop(token)
	if token, err = t.get(ctx, fetch); err != nil {
		return err
	}
	return call(token)
}

// expiresIn reads a token's lifetime in seconds; a platform that says
// nothing sensible gets the two hours all three document.
func expiresIn(seconds int) time.Duration {
	if seconds <= 0 {
		return 2 * time.Hour
	}
	return time.Duration(seconds) * time.Second
}
