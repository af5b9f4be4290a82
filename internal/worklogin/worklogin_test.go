package worklogin_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/academy/academy/internal/worklogin"
	"github.com/academy/academy/internal/worklogin/worklogintest"
)

const back = "https://academy.example.com/login/x/callback"

// signIn scans p at the stand-in's login page and identifies the code it
// sends back.
func signIn(t *testing.T, p worklogin.Provider, scan func(worklogintest.Person), who worklogintest.Person) (worklogin.Person, error) {
	t.Helper()
	scan(who)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get(p.AuthURL(back, "state-1"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, err := res.Location()
	if err != nil || loc.Query().Get("state") != "state-1" {
		t.Fatalf("login page sent the browser to %v (%v)", loc, err)
	}
	code := loc.Query().Get("code")
	if code == "" {
		code = loc.Query().Get("authCode")
	}
	return p.Identify(context.Background(), code, back)
}

func platformError(t *testing.T, err error, code string) *worklogin.Error {
	t.Helper()
	var e *worklogin.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("error %v, want platform code %s", err, code)
	}
	return e
}

func TestWeComKeepsItsToken(t *testing.T) {
	s := worklogintest.NewWeCom(t)
	p := s.Provider(worklogin.WeComFieldUserID)
	for _, no := range []string{"E1001", "E1002"} {
		got, err := signIn(t, p, s.Scan, worklogintest.Person{UserID: no})
		if err != nil || got.EmployeeNo != no {
			t.Fatalf("%s: %+v %v", no, got, err)
		}
	}
	if n := s.TokenFetches(); n != 1 {
		t.Fatalf("two sign-ins fetched %d tokens, want 1", n)
	}
	// A token the platform ends early is replaced once, and the call made
	// again.
	s.ExpireTokens()
	if got, err := signIn(t, p, s.Scan, worklogintest.Person{UserID: "E1003"}); err != nil || got.EmployeeNo != "E1003" {
		t.Fatalf("after expiry: %+v %v", got, err)
	}
	if n := s.TokenFetches(); n != 2 {
		t.Fatalf("an expired token led to %d fetches in all, want 2", n)
	}
}

func TestWeComFields(t *testing.T) {
	s := worklogintest.NewWeCom(t)
	wang := worklogintest.Person{UserID: "wangli", EmployeeNo: "E1001", Name: "王丽", Email: "wang.li@example.com"}
	for _, field := range []string{"工号", "alias"} {
		got, err := signIn(t, s.Provider(field), s.Scan, wang)
		if err != nil || got != (worklogin.Person{EmployeeNo: "E1001", Name: "王丽", Email: "wang.li@example.com", UserID: "wangli"}) {
			t.Fatalf("field %s: %+v %v", field, got, err)
		}
	}
	// Someone outside the company has no userid.
	_, err := signIn(t, s.Provider(""), s.Scan, worklogintest.Person{Name: "外人"})
	if err == nil || !strings.Contains(err.Error(), "not a member") {
		t.Fatalf("outsider: %v", err)
	}
	s.Scan(wang)
	s.Refuse("getuserinfo")
	_, err = signIn(t, s.Provider(""), func(worklogintest.Person) {}, wang)
	platformError(t, err, "40029")
}

func TestDingTalk(t *testing.T) {
	s := worklogintest.NewDingTalk(t)
	wang := worklogintest.Person{UserID: "manager4321", EmployeeNo: "E1001", Name: "王丽", Email: "wang.li@example.com"}
	got, err := signIn(t, s.Provider(false), s.Scan, wang)
	if err != nil || got != (worklogin.Person{EmployeeNo: "E1001", Name: "王丽", Email: "wang.li@example.com", UserID: "manager4321"}) {
		t.Fatalf("%+v %v", got, err)
	}
	p := s.Provider(true)
	if got, err := signIn(t, p, s.Scan, worklogintest.Person{UserID: "E2002", Name: "赵"}); err != nil || got.EmployeeNo != "E2002" {
		t.Fatalf("userid fallback: %+v %v", got, err)
	}
	if got, err := signIn(t, p, s.Scan, worklogintest.Person{UserID: "E2003", Name: "钱"}); err != nil || got.EmployeeNo != "E2003" {
		t.Fatalf("second sign-in: %+v %v", got, err)
	}
	if n := s.TokenFetches(); n != 2 {
		t.Fatalf("two clients, three sign-ins: %d app tokens, want 2", n)
	}
	_, err = signIn(t, p, s.Scan, worklogintest.Person{Name: "外人"})
	platformError(t, err, "60121")
	s.Refuse("users/me")
	_, err = signIn(t, p, s.Scan, wang)
	platformError(t, err, "Forbidden.AccessDenied.AccessTokenPermissionDenied")
}

func TestFeishu(t *testing.T) {
	s := worklogintest.NewFeishu(t)
	wang := worklogintest.Person{UserID: "ou1", EmployeeNo: "E1001", Name: "王丽", Email: "wang.li@example.com"}
	got, err := signIn(t, s.Provider(false), s.Scan, wang)
	if err != nil || got != (worklogin.Person{EmployeeNo: "E1001", Name: "王丽", Email: "wang.li@example.com", UserID: "ou1"}) {
		t.Fatalf("%+v %v", got, err)
	}
	noNumber := worklogintest.Person{UserID: "E3003", Name: "孙"}
	if got, err := signIn(t, s.Provider(false), s.Scan, noNumber); err != nil || got.EmployeeNo != "" {
		t.Fatalf("no employee number, no fallback: %+v %v", got, err)
	}
	if got, err := signIn(t, s.Provider(true), s.Scan, noNumber); err != nil || got.EmployeeNo != "E3003" {
		t.Fatalf("user_id fallback: %+v %v", got, err)
	}
	s.Refuse("oauth/token")
	_, err = signIn(t, s.Provider(false), s.Scan, wang)
	platformError(t, err, "invalid_grant")
	s.Refuse("user_info")
	_, err = signIn(t, s.Provider(false), s.Scan, wang)
	platformError(t, err, "99991668")
	bad := s.Provider(false)
	bad.Secret = "wrong"
	_, err = signIn(t, bad, s.Scan, wang)
	if e := platformError(t, err, "invalid_client"); strings.Contains(e.Error(), "wrong") {
		t.Fatalf("error tells the secret: %v", e)
	}
}

// A platform that cannot be reached, or answers too much, is down; the
// error never tells the secret the call's URL carried.
func TestPlatformDown(t *testing.T) {
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	huge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"errcode":0,"access_token":"` + strings.Repeat("x", 2<<20) + `"}`))
	}))
	defer huge.Close()
	for _, base := range []string{gone.URL, huge.URL} {
		p := &worklogin.WeCom{CorpID: "corp", AgentID: "1", Secret: "very-secret", APIURL: base}
		_, err := p.Identify(context.Background(), "code", back)
		var e *worklogin.Error
		if !errors.As(err, &e) || !e.Down || strings.Contains(err.Error(), "very-secret") {
			t.Fatalf("%s: %v", base, err)
		}
	}
}
