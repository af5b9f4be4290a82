package http_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	nethttp "net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"

	"github.com/academy/academy/internal/academy"
	ahttp "github.com/academy/academy/internal/http"
)

// companyPerson is a person the test provider signs in: its ID token
// carries an employee number and a name, as a company directory's does.
type companyPerson struct {
	sub, employeeNo, name, email string
	// unverified says the provider never confirmed the email.
	unverified bool
	// audience, when set, replaces the token's audience: a token the
	// provider issued to another application.
	audience string
}

type companyClaims struct {
	*mockoidc.IDTokenClaims
	EmployeeNo string `json:"employee_no,omitempty"`
	Name       string `json:"name,omitempty"`
	Email      string `json:"email,omitempty"`
	Verified   *bool  `json:"email_verified,omitempty"`
}

func (p companyPerson) ID() string { return p.sub }

func (p companyPerson) Userinfo([]string) ([]byte, error) {
	return json.Marshal(map[string]string{"sub": p.sub})
}

func (p companyPerson) Claims(_ []string, c *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	if p.audience != "" {
		c.Audience = jwt.ClaimStrings{p.audience}
	}
	claims := &companyClaims{IDTokenClaims: c, EmployeeNo: p.employeeNo, Name: p.name, Email: p.email}
	if p.unverified {
		claims.Verified = new(bool)
	}
	return claims, nil
}

// oidcEnv is a server with company sign-in against a real provider
// running in the test, listening at the base URL the provider sends
// people back to.
type oidcEnv struct {
	*env
	op   *mockoidc.MockOIDC
	base string
}

// newOIDCEnv matches people by employee number; set changes the settings.
func newOIDCEnv(t *testing.T, set func(*ahttp.OIDC)) *oidcEnv {
	t.Helper()
	op, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = op.Shutdown() })
	o := newSignInEnv(t, func(d *ahttp.Deps) {
		d.OIDC = &ahttp.OIDC{Issuer: op.Issuer(), ClientID: op.ClientID, ClientSecret: op.ClientSecret,
			Field: academy.ClaimEmployeeNo, Claim: "employee_no", States: d.Throttle.(ahttp.StateStore)}
		if set != nil {
			set(d.OIDC)
		}
	})
	o.op = op
	return o
}

// newSignInEnv is a server listening at the base URL (its public URL)
// that providers send people back to; set adds the ways of sign-in.
func newSignInEnv(t *testing.T, set func(*ahttp.Deps)) *oidcEnv {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	e := newEnv(t, func(d *ahttp.Deps) {
		d.PublicURL = base
		set(d)
	})
	go func() { _ = e.srv.Serve(ln) }()
	return &oidcEnv{env: e, base: base}
}

// employee creates an account with a password and an employee number.
func (o *oidcEnv) employee(username, no, display string) {
	o.t.Helper()
	u := &academy.User{Username: username, DisplayName: display, LegalName: display, EmployeeNo: no, Roles: []string{academy.RoleTrainee}, Sites: []string{"s1"}}
	if err := o.accounts.CreateUser(context.Background(), academy.Actor{}, u, testPassword); err != nil {
		o.t.Fatal(err)
	}
}

// client is a browser without JavaScript: it keeps cookies and, unless
// told to stop, follows redirects.
func oidcClient(t *testing.T, follow bool) *nethttp.Client {
	jar, _ := cookiejar.New(nil)
	c := &nethttp.Client{Jar: jar}
	if !follow {
		c.CheckRedirect = func(*nethttp.Request, []*nethttp.Request) error { return nethttp.ErrUseLastResponse }
	}
	return c
}

func get(t *testing.T, c *nethttp.Client, u string) (*nethttp.Response, string) {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res, string(b)
}

// callbackURL starts a sign-in with c and lets the provider answer; it
// returns the URL the provider sends the browser back to.
func (o *oidcEnv) callbackURL(t *testing.T, c *nethttp.Client, who companyPerson) string {
	t.Helper()
	o.op.QueueUser(who)
	res, _ := get(t, c, o.base+"/login/oidc?next=/courses")
	if res.StatusCode != 303 {
		t.Fatalf("start: %d", res.StatusCode)
	}
	auth, _ := url.Parse(res.Header.Get("Location"))
	q := auth.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" || q.Get("state") == "" {
		t.Fatalf("authorisation request without PKCE, nonce or state: %s", auth)
	}
	res, _ = get(t, c, auth.String())
	back := res.Header.Get("Location")
	if !strings.HasPrefix(back, o.base+"/login/oidc/callback?") {
		t.Fatalf("provider sent the browser to %q (status %d)", back, res.StatusCode)
	}
	return back
}

// me is whom c's session belongs to ("" for none).
func (o *oidcEnv) me(t *testing.T, c *nethttp.Client) string {
	t.Helper()
	res, body := get(t, c, o.base+"/api/v1/me")
	if res.StatusCode != 200 {
		return ""
	}
	var u struct{ Username string }
	_ = json.Unmarshal([]byte(body), &u)
	return u.Username
}

// refused checks that opening u with c, an answer to a sign-in by way
// (oidc, wecom ...), is refused with status and msg, offers to try again,
// leaves no session and is audited with audit.
func (o *oidcEnv) refused(t *testing.T, c *nethttp.Client, u, way string, status int, msg, audit string) {
	t.Helper()
	res, body := get(t, c, u)
	if res.StatusCode != status || !strings.Contains(body, msg) {
		t.Fatalf("status %d, want %d with %q: %s", res.StatusCode, status, msg, body)
	}
	if !strings.Contains(body, `id="login-`+way+`"`) {
		t.Errorf("the refusal does not offer to try again")
	}
	if got := o.me(t, c); got != "" {
		t.Fatalf("refused sign-in left a session of %q", got)
	}
	if got := o.lastSignInFailure(t); !strings.Contains(got, audit) {
		t.Fatalf("audited %q, want %q", got, audit)
	}
}

// lastSignInFailure is the detail of the newest failed login.
func (o *oidcEnv) lastSignInFailure(t *testing.T) string {
	t.Helper()
	ev, _, err := o.accounts.Audit.ListAudit(context.Background(), academy.AuditFilter{Action: academy.AuditLoginFailed, Limit: 1})
	if err != nil || len(ev) == 0 {
		t.Fatalf("no failed login audited (%v)", err)
	}
	return ev[0].Detail
}

func TestOIDCCodeFlow(t *testing.T) {
	o := newOIDCEnv(t, nil)
	o.employee("wang.li", "E1001", "王丽")
	c := oidcClient(t, true)

	// The login page offers company sign-in next to the password form.
	_, page := get(t, c, o.base+"/login")
	if !strings.Contains(page, "使用企业账号登录") || !strings.Contains(page, `id="password"`) {
		t.Fatalf("login page lacks the company button or the password form: %s", page)
	}
	o.op.QueueUser(companyPerson{sub: "s-1001", employeeNo: "e1001", name: "Wang Li"})
	res, body := get(t, c, o.base+"/login/oidc?next=/courses")
	if res.StatusCode != 200 || res.Request.URL.Path != "/courses" {
		t.Fatalf("landed on %s with %d: %s", res.Request.URL, res.StatusCode, body)
	}
	if got := o.me(t, c); got != "wang.li" {
		t.Fatalf("signed in as %q, want wang.li", got)
	}
	ev, _, _ := o.accounts.Audit.ListAudit(context.Background(), academy.AuditFilter{Action: academy.AuditLoginOK, Target: "wang.li", Limit: 1})
	if len(ev) != 1 || ev[0].Detail != "oidc" {
		t.Fatalf("login not audited as oidc: %+v", ev)
	}
	for _, cookie := range c.Jar.Cookies(&url.URL{Scheme: "http", Host: strings.TrimPrefix(o.base, "http://"), Path: "/login/oidc"}) {
		if cookie.Name == "academy_oidc_state" {
			t.Fatalf("state cookie left after use")
		}
	}
}

func TestOIDCRefusals(t *testing.T) {
	o := newOIDCEnv(t, nil)
	o.employee("wang.li", "E1001", "王丽")
	o.employee("zhao.gone", "E2002", "赵")
	gone := academy.StatusDisabled
	if _, err := o.accounts.Users.UpdateUser(context.Background(), "zhao.gone", academy.UserUpdate{Status: &gone}); err != nil {
		t.Fatal(err)
	}
	wang := companyPerson{sub: "s-1001", employeeNo: "E1001", name: "Wang Li"}

	refused := func(t *testing.T, c *nethttp.Client, u string, status int, msg, audit string) {
		t.Helper()
		o.refused(t, c, u, "oidc", status, msg, audit)
	}

	t.Run("wrong state", func(t *testing.T) {
		c := oidcClient(t, false)
		back, _ := url.Parse(o.callbackURL(t, c, wang))
		q := back.Query()
		q.Set("state", academy.NewToken())
		back.RawQuery = q.Encode()
		refused(t, c, back.String(), 400, "不是从本站发起", "oidc: state")
	})
	t.Run("another browser's answer", func(t *testing.T) {
		back := o.callbackURL(t, oidcClient(t, false), wang)
		refused(t, oidcClient(t, false), back, 400, "不是从本站发起", "oidc: state")
	})
	t.Run("replayed callback", func(t *testing.T) {
		c := oidcClient(t, false)
		back := o.callbackURL(t, c, wang)
		res, _ := get(t, c, back)
		if res.StatusCode != 303 || o.me(t, c) != "wang.li" {
			t.Fatalf("first use: %d", res.StatusCode)
		}
		// The same answer again, with its state cookie put back.
		u, _ := url.Parse(back)
		c2 := oidcClient(t, false)
		c2.Jar.SetCookies(u, []*nethttp.Cookie{{Name: "academy_oidc_state", Value: u.Query().Get("state"), Path: "/login/oidc"}})
		refused(t, c2, back, 400, "已失效", "oidc: state unknown, used or expired")
	})
	t.Run("provider error", func(t *testing.T) {
		c := oidcClient(t, false)
		back, _ := url.Parse(o.callbackURL(t, c, wang))
		q := back.Query()
		q.Del("code")
		q.Set("error", "access_denied")
		back.RawQuery = q.Encode()
		refused(t, c, back.String(), 401, "取消了登录", "oidc: provider answered access_denied")
	})
	t.Run("bad code", func(t *testing.T) {
		c := oidcClient(t, false)
		back, _ := url.Parse(o.callbackURL(t, c, wang))
		q := back.Query()
		q.Set("code", "not-a-code")
		back.RawQuery = q.Encode()
		refused(t, c, back.String(), 401, "无法确认登录凭证", "oidc: token exchange failed")
	})
	t.Run("token for another audience", func(t *testing.T) {
		c := oidcClient(t, false)
		other := wang
		other.audience = "another-app"
		refused(t, c, o.callbackURL(t, c, other), 401, "无法确认登录凭证", "oidc: ID token not verified")
	})
	t.Run("unknown person", func(t *testing.T) {
		c := oidcClient(t, false)
		refused(t, c, o.callbackURL(t, c, companyPerson{sub: "s-9", employeeNo: "E9999", name: "Nobody"}), 401, "没有与您的企业账号", `no account with employee_no "E9999"`)
		if us, _ := o.accounts.Users.FindUsersBy(context.Background(), academy.ClaimEmployeeNo, "E9999", 2); len(us) != 0 {
			t.Fatalf("an account was created with creation off: %+v", us[0])
		}
	})
	t.Run("disabled account", func(t *testing.T) {
		c := oidcClient(t, false)
		refused(t, c, o.callbackURL(t, c, companyPerson{sub: "s-2", employeeNo: "E2002", name: "Zhao"}), 401, "用户名或密码错误", "oidc: account disabled")
	})
}

func TestOIDCCreatesAccount(t *testing.T) {
	o := newOIDCEnv(t, func(c *ahttp.OIDC) { c.CreateSite, c.CreateRole = "s1", academy.RoleAgent })
	c := oidcClient(t, true)
	o.op.QueueUser(companyPerson{sub: "s-3003", employeeNo: "E3003", name: "陈晨", email: "chen.chen@example.com"})
	res, body := get(t, c, o.base+"/login/oidc")
	if res.StatusCode != 200 || res.Request.URL.Path != "/home" {
		t.Fatalf("landed on %s with %d: %s", res.Request.URL, res.StatusCode, body)
	}
	if !strings.Contains(body, "陈晨") {
		t.Errorf("home does not greet the new person by name")
	}
	us, err := o.accounts.Users.FindUsersBy(context.Background(), academy.ClaimEmployeeNo, "E3003", 2)
	if err != nil || len(us) != 1 {
		t.Fatalf("created accounts: %v %v", us, err)
	}
	u := us[0]
	if u.Username != "chen.chen" || u.DisplayName != "陈晨" || u.Email != "chen.chen@example.com" ||
		strings.Join(u.Roles, ",") != academy.RoleAgent || strings.Join(u.Sites, ",") != "s1" {
		t.Fatalf("created %+v", u)
	}
	if got := o.me(t, c); got != "chen.chen" {
		t.Fatalf("signed in as %q", got)
	}
}

func TestOIDCByEmail(t *testing.T) {
	o := newOIDCEnv(t, func(c *ahttp.OIDC) { c.Field, c.Claim, c.Name = academy.ClaimEmail, "email", "飞书" })
	for _, p := range []struct{ username, email string }{{"wang.li", "Wang.Li@Example.com"}, {"twin.a", "twin@example.com"}, {"twin.b", "twin@example.com"}} {
		u := &academy.User{Username: p.username, LegalName: p.username, Email: p.email, Roles: []string{academy.RoleTrainee}, Sites: []string{"s1"}}
		if err := o.accounts.CreateUser(context.Background(), academy.Actor{}, u, testPassword); err != nil {
			t.Fatal(err)
		}
	}
	c := oidcClient(t, true)
	if _, page := get(t, c, o.base+"/login"); !strings.Contains(page, "使用飞书登录") {
		t.Fatalf("the button does not name the provider: %s", page)
	}
	o.op.QueueUser(companyPerson{sub: "s-1", email: "wang.li@example.com"})
	if res, body := get(t, c, o.base+"/login/oidc"); res.StatusCode != 200 || o.me(t, c) != "wang.li" {
		t.Fatalf("email in another case: %d %s", res.StatusCode, body)
	}
	// An address the provider did not verify names no one.
	c = oidcClient(t, true)
	o.op.QueueUser(companyPerson{sub: "s-1", email: "wang.li@example.com", unverified: true})
	if res, body := get(t, c, o.base+"/login/oidc"); res.StatusCode != 401 || !strings.Contains(body, "邮箱尚未验证") || o.me(t, c) != "" {
		t.Fatalf("unverified email: %d %s", res.StatusCode, body)
	}
	// An address two accounts share names no one: refused, not a guess.
	c = oidcClient(t, true)
	o.op.QueueUser(companyPerson{sub: "s-2", email: "twin@example.com"})
	if res, body := get(t, c, o.base+"/login/oidc"); res.StatusCode != 401 || !strings.Contains(body, "有多个账户使用同一邮箱") || o.me(t, c) != "" {
		t.Fatalf("shared email: %d %s", res.StatusCode, body)
	}
}
