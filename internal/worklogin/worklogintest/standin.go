// Package worklogintest runs stand-ins of 企业微信, 钉钉 and 飞书 for
// tests: each follows its platform's documented login page and API (the
// methods, paths, parameters and answers, refusals included) and fails
// the test on a call the platform would refuse as malformed.
package worklogintest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
)

// Person is someone a stand-in knows.
type Person struct {
	// UserID is the platform's id; EmployeeNo the 工号 it holds.
	UserID, EmployeeNo, Name, Email string
}

// standIn is what the three share: the people waiting to scan the login
// page, the codes issued to them, the app tokens issued and the refusals
// asked for.
type standIn struct {
	t   testing.TB
	srv *httptest.Server

	mu    sync.Mutex
	queue []Person
	codes map[string]Person
	// redirects keeps the redirect URI each code was issued for.
	redirects map[string]string
	tokens    map[string]bool // app token -> still valid
	fetches   int
	refuse    map[string]bool
	n         int
}

func newStandIn(t testing.TB, h http.Handler) *standIn {
	s := &standIn{t: t, codes: map[string]Person{}, redirects: map[string]string{}, tokens: map[string]bool{}, refuse: map[string]bool{}}
	s.srv = httptest.NewServer(h)
	t.Cleanup(s.srv.Close)
	return s
}

// URL is where the stand-in listens: its login page and its API alike.
func (s *standIn) URL() string { return s.srv.URL }

// Scan makes p the one who signs in at the next visit of the login page.
func (s *standIn) Scan(p Person) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = append(s.queue, p)
}

// Refuse makes the platform refuse the next call named call, with its
// documented error.
func (s *standIn) Refuse(call string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse[call] = true
}

// refused tells whether call is to be refused, once.
func (s *standIn) refused(call string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.refuse[call]
	delete(s.refuse, call)
	return r
}

// ExpireTokens makes the app tokens issued so far stale, as when the
// platform ends them before their time.
func (s *standIn) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range s.tokens {
		s.tokens[k] = false
	}
}

// TokenFetches counts the app tokens issued.
func (s *standIn) TokenFetches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fetches
}

func (s *standIn) next(prefix string) string {
	s.n++
	return fmt.Sprintf("%s-%d", prefix, s.n)
}

// issueToken makes a new app token.
func (s *standIn) issueToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fetches++
	tok := s.next("app-token")
	s.tokens[tok] = true
	return tok
}

// goodToken refuses, as 企业微信 and 钉钉's oapi do (status 200, errcode
// 40014 or 42001), a call whose app token was never issued or is stale,
// and tells whether the call may go on.
func (s *standIn) goodToken(w http.ResponseWriter, token string) bool {
	s.mu.Lock()
	valid, issued := s.tokens[token]
	s.mu.Unlock()
	switch {
	case !issued:
		writeJSON(w, http.StatusOK, refusal(40014, "invalid access_token"))
	case !valid:
		writeJSON(w, http.StatusOK, refusal(42001, "access_token expired"))
	}
	return valid
}

func refusal(code int, msg string) map[string]any {
	return map[string]any{"errcode": code, "errmsg": msg}
}

// takeCode gives whom code was issued to and for which redirect URI,
// once: codes are single-use.
func (s *standIn) takeCode(code string) (Person, string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.codes[code]
	back := s.redirects[code]
	delete(s.codes, code)
	delete(s.redirects, code)
	return p, back, ok
}

// loginPage is the platform's login page after a scan: it checks the
// parameters the platform requires, then sends the browser back to the
// redirect URI with a code for the next person in line under codeParam.
func (s *standIn) loginPage(w http.ResponseWriter, r *http.Request, want url.Values, codeParam string) {
	q := r.URL.Query()
	if r.Method != http.MethodGet {
		s.t.Errorf("login page: method %s", r.Method)
	}
	for k, v := range want {
		if q.Get(k) != v[0] {
			s.t.Errorf("login page: %s=%q, want %q", k, q.Get(k), v[0])
		}
	}
	back, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || back.Host == "" || q.Get("state") == "" {
		s.t.Errorf("login page: redirect_uri %q or state %q missing", q.Get("redirect_uri"), q.Get("state"))
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	if len(s.queue) == 0 {
		s.mu.Unlock()
		s.t.Errorf("login page: no one is waiting to scan")
		http.Error(w, "no one scanned", http.StatusBadRequest)
		return
	}
	p := s.queue[0]
	s.queue = s.queue[1:]
	code := s.next("code")
	s.codes[code] = p
	s.redirects[code] = q.Get("redirect_uri")
	s.mu.Unlock()
	bq := back.Query()
	bq.Set(codeParam, code)
	bq.Set("state", q.Get("state"))
	back.RawQuery = bq.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// readJSON reads a JSON body into v, failing the test when the call does
// not send one.
func (s *standIn) readJSON(r *http.Request, call string, v any) bool {
	if ct := r.Header.Get("Content-Type"); len(ct) < 16 || ct[:16] != "application/json" {
		s.t.Errorf("%s: Content-Type %q, want application/json", call, ct)
		return false
	}
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		s.t.Errorf("%s: body is not JSON: %v", call, err)
		return false
	}
	return true
}

// method fails the test when r is not a method call.
func (s *standIn) method(r *http.Request, call, method string) bool {
	if r.Method != method {
		s.t.Errorf("%s: method %s, want %s", call, r.Method, method)
		return false
	}
	return true
}
