package http_test

import (
	"context"
	nethttp "net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/academy/academy/internal/academy"
	ahttp "github.com/academy/academy/internal/http"
	"github.com/academy/academy/internal/worklogin"
	"github.com/academy/academy/internal/worklogin/worklogintest"
)

// workStandIn is a company chat platform running in the test, as the
// sign-in tests see it.
type workStandIn struct {
	key, name, button string
	url               string
	// idParam is the login page's parameter naming the app, idValue its
	// value.
	idParam, idValue string
	provider         worklogin.Provider
	// scan makes the person with employee number no the next to sign in.
	scan func(no string)
	// refuse makes the platform refuse the next sign-in, with the error
	// refusal names in the audit log.
	refuse  func()
	refusal string
	// secrets must never reach the audit log.
	secrets []string
}

func wecomStandIn(t *testing.T) *workStandIn {
	s := worklogintest.NewWeCom(t)
	// Field "": the userid is the employee number.
	return &workStandIn{key: "wecom", name: "企业微信", button: "企业微信登录", url: s.URL(), idParam: "appid", idValue: s.CorpID,
		provider: s.Provider(worklogin.WeComFieldUserID),
		scan:     func(no string) { s.Scan(worklogintest.Person{UserID: no, Name: "员工" + no}) },
		refuse:   func() { s.Refuse("getuserinfo") }, refusal: "wecom: wecom getuserinfo: 40029 invalid code",
		secrets: []string{s.Secret, "app-token"}}
}

func dingtalkStandIn(t *testing.T) *workStandIn {
	s := worklogintest.NewDingTalk(t)
	return &workStandIn{key: "dingtalk", name: "钉钉", button: "钉钉登录", url: s.URL(), idParam: "client_id", idValue: s.ClientID,
		provider: s.Provider(false),
		scan:     func(no string) { s.Scan(worklogintest.Person{UserID: "u" + no, EmployeeNo: no, Name: "员工" + no}) },
		refuse:   func() { s.Refuse("userAccessToken") }, refusal: "dingtalk: dingtalk userAccessToken: invalidAuthCode",
		secrets: []string{s.Secret, "app-token", "user-token"}}
}

func feishuStandIn(t *testing.T) *workStandIn {
	s := worklogintest.NewFeishu(t)
	return &workStandIn{key: "feishu", name: "飞书", button: "飞书登录", url: s.URL(), idParam: "client_id", idValue: s.AppID,
		provider: s.Provider(false),
		scan:     func(no string) { s.Scan(worklogintest.Person{UserID: "ou" + no, EmployeeNo: no, Name: "员工" + no}) },
		// user_info answers 401.
		refuse: func() { s.Refuse("user_info") }, refusal: "feishu: feishu user_info: 99991668",
		secrets: []string{s.Secret, "u-token"}}
}

// newWorkEnv is a server, listening at the address the platforms send
// people back to, with sign-in through the given platforms.
func newWorkEnv(t *testing.T, platforms ...*workStandIn) *oidcEnv {
	t.Helper()
	return newSignInEnv(t, func(d *ahttp.Deps) {
		for _, p := range platforms {
			d.WorkLogins = append(d.WorkLogins, &ahttp.WorkLogin{Provider: p.provider, States: d.Throttle.(ahttp.StateStore)})
		}
	})
}

// workCallback starts a sign-in with c, checks the platform's login page
// is asked for by the documented parameters, lets the person with
// employee number no scan it and returns where the platform sends the
// browser back.
func workCallback(t *testing.T, o *oidcEnv, c *nethttp.Client, p *workStandIn, no string) string {
	t.Helper()
	p.scan(no)
	res, _ := get(t, c, o.base+"/login/"+p.key+"?next=/courses")
	if res.StatusCode != 303 {
		t.Fatalf("start: %d", res.StatusCode)
	}
	auth, _ := url.Parse(res.Header.Get("Location"))
	q := auth.Query()
	if !strings.HasPrefix(auth.String(), p.url+"/") || q.Get(p.idParam) != p.idValue ||
		q.Get("redirect_uri") != o.base+"/login/"+p.key+"/callback" || len(q.Get("state")) < 20 {
		t.Fatalf("login page asked for with %s", auth)
	}
	res, _ = get(t, c, auth.String())
	back := res.Header.Get("Location")
	if !strings.HasPrefix(back, o.base+"/login/"+p.key+"/callback?") {
		t.Fatalf("platform sent the browser to %q (status %d)", back, res.StatusCode)
	}
	return back
}

func TestWorkLogin(t *testing.T) {
	platforms := []*workStandIn{wecomStandIn(t), dingtalkStandIn(t), feishuStandIn(t)}
	o := newWorkEnv(t, platforms...)
	o.employee("wang.li", "E1001", "王丽")
	o.employee("zhao.gone", "E2002", "赵")
	gone := academy.StatusDisabled
	if _, err := o.accounts.Users.UpdateUser(context.Background(), "zhao.gone", academy.UserUpdate{Status: &gone}); err != nil {
		t.Fatal(err)
	}
	_, page := get(t, oidcClient(t, false), o.base+"/login")
	for _, p := range platforms {
		if !strings.Contains(page, `id="login-`+p.key+`"`) || !strings.Contains(page, ">"+p.button+"<") {
			t.Fatalf("login page has no %s button: %s", p.button, page)
		}
	}
	for _, p := range platforms {
		t.Run(p.key, func(t *testing.T) {
			refused := func(t *testing.T, c *nethttp.Client, u string, status int, msg, audit string) {
				t.Helper()
				o.refused(t, c, u, p.key, status, msg, audit)
			}

			c := oidcClient(t, false)
			back := workCallback(t, o, c, p, "E1001")
			res, _ := get(t, c, back)
			if res.StatusCode != 303 || res.Header.Get("Location") != "/courses" || o.me(t, c) != "wang.li" {
				t.Fatalf("sign-in: %d to %q as %q", res.StatusCode, res.Header.Get("Location"), o.me(t, c))
			}
			ev, _, _ := o.accounts.Audit.ListAudit(context.Background(), academy.AuditFilter{Action: academy.AuditLoginOK, Target: "wang.li", Limit: 1})
			if len(ev) != 1 || ev[0].Detail != p.key {
				t.Fatalf("sign-in not audited as %s: %+v", p.key, ev)
			}

			// The same answer again, with its state cookie put back.
			u, _ := url.Parse(back)
			c2 := oidcClient(t, false)
			c2.Jar.SetCookies(u, []*nethttp.Cookie{{Name: "academy_" + p.key + "_state", Value: u.Query().Get("state"), Path: "/login/" + p.key}})
			refused(t, c2, back, 400, "这次"+p.name+"登录已失效", p.key+": state unknown, used or expired")

			c = oidcClient(t, false)
			u, _ = url.Parse(workCallback(t, o, c, p, "E1001"))
			q := u.Query()
			q.Set("state", academy.NewToken())
			u.RawQuery = q.Encode()
			refused(t, c, u.String(), 400, "不是从本站发起", p.key+": state missing or not this browser's")

			c = oidcClient(t, false)
			refused(t, c, workCallback(t, o, c, p, "E9999"), 401, "没有与您的企业账号", p.key+`: no account with employee_no "E9999"`)

			c = oidcClient(t, false)
			refused(t, c, workCallback(t, o, c, p, "E2002"), 401, "用户名或密码错误", p.key+": account disabled")

			c = oidcClient(t, false)
			p.refuse()
			refused(t, c, workCallback(t, o, c, p, "E1001"), 401, p.name+"登录失败:无法确认登录凭证", p.refusal)

			all, _, _ := o.accounts.Audit.ListAudit(context.Background(), academy.AuditFilter{Limit: 200})
			for _, ev := range all {
				for _, secret := range p.secrets {
					if strings.Contains(ev.Detail, secret) {
						t.Fatalf("the audit log holds %q: %q", secret, ev.Detail)
					}
				}
			}
		})
	}
}

// A platform that is not set up answers "not set up", and the login page
// offers no button for it.
func TestWorkLoginOff(t *testing.T) {
	o := newWorkEnv(t, feishuStandIn(t))
	c := oidcClient(t, false)
	_, page := get(t, c, o.base+"/login")
	if strings.Contains(page, "login-wecom") || !strings.Contains(page, "login-feishu") {
		t.Fatalf("login page: %s", page)
	}
	if res, body := get(t, c, o.base+"/login/wecom"); res.StatusCode != 404 || !strings.Contains(body, "本站未启用企业微信登录") {
		t.Fatalf("wecom off: %d %s", res.StatusCode, body)
	}
}

// A platform that cannot be reached is an outage (503), audited without
// the secret the call carried.
func TestWorkLoginPlatformDown(t *testing.T) {
	p := wecomStandIn(t)
	wc := p.provider.(*worklogin.WeCom)
	// The login page is reached; the API behind it is not.
	wc.APIURL = "http://127.0.0.1:1"
	o := newWorkEnv(t, p)
	c := oidcClient(t, false)
	res, body := get(t, c, workCallback(t, o, c, p, "E1001"))
	if res.StatusCode != 503 || !strings.Contains(body, "暂时无法连接企业微信登录服务") || o.me(t, c) != "" {
		t.Fatalf("platform down: %d %s", res.StatusCode, body)
	}
	if got := o.lastSignInFailure(t); !strings.Contains(got, "wecom: wecom gettoken") || strings.Contains(got, wc.Secret) {
		t.Fatalf("audited %q", got)
	}
}

// Bad answers from one address are counted with failed password logins:
// once there are too many, the callback refuses before it audits or
// calls the platform, and the password form from there is stopped too.
func TestWorkLoginFailuresAreThrottled(t *testing.T) {
	p := wecomStandIn(t)
	o := newWorkEnv(t, p)
	c := oidcClient(t, false)
	failures := func() int {
		ev, _, err := o.accounts.Audit.ListAudit(context.Background(), academy.AuditFilter{Action: academy.AuditLoginFailed, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		return len(ev)
	}
	for i := range 30 {
		if res, _ := get(t, c, o.base+"/login/wecom/callback?state=forged&code=x"); res.StatusCode != 400 {
			t.Fatalf("bad answer %d: %d", i+1, res.StatusCode)
		}
	}
	audited := failures()
	res, body := get(t, c, o.base+"/login/wecom/callback?state=forged&code=x")
	if res.StatusCode != 429 || res.Header.Get("Retry-After") == "" || !strings.Contains(body, "登录失败次数过多") {
		t.Fatalf("31st bad answer: %d %s", res.StatusCode, body)
	}
	if got := failures(); got != audited {
		t.Errorf("a throttled answer was audited: %d entries, then %d", audited, got)
	}
	form := url.Values{"username": {"nobody"}, "password": {"wrong password"}}
	res, err := c.PostForm(o.base+"/login", form)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 429 {
		t.Fatalf("password login from the same address: %d", res.StatusCode)
	}
}
