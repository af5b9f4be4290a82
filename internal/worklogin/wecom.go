package worklogin

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// WeCom is 企业微信 web login (企业微信Web登录) through a company's own
// app (自建应用). Documents: 构造企业微信登录链接, 获取access_token,
// 获取用户登录身份, 读取成员.
type WeCom struct {
	// CorpID (企业ID), AgentID and Secret are the app's.
	CorpID, AgentID, Secret string
	// Field is the member's field that holds the employee number: empty
	// for the userid itself (companies often make the userid the 工号),
	// "alias", or the name of a text attribute among the member's extra
	// attributes (扩展属性), such as 工号; the last two are read with
	// user/get.
	Field string
	// LoginURL and APIURL are the platform's hosts; empty for the real
	// ones.
	LoginURL, APIURL string
	// Client makes the calls; nil uses one with a 10 s timeout.
	Client *http.Client

	token appToken
}

// WeComFieldUserID is the value of WeCom.Field that matches on userid.
const WeComFieldUserID = ""

func (w *WeCom) Key() string { return "wecom" }

func (w *WeCom) loginURL() string { return orDefault(w.LoginURL, "https://login.work.weixin.qq.com") }
func (w *WeCom) apiURL() string   { return orDefault(w.APIURL, "https://qyapi.weixin.qq.com") }

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return strings.TrimRight(v, "/")
}

func (w *WeCom) AuthURL(redirectURI, state string) string {
	q := url.Values{"login_type": {"CorpApp"}, "appid": {w.CorpID}, "agentid": {w.AgentID},
		"redirect_uri": {redirectURI}, "state": {state}}
	return w.loginURL() + "/wwlogin/sso/login?" + q.Encode()
}

// fetchToken is gettoken: the secret goes in the query, as documented,
// so no URL of this call is ever logged.
func (w *WeCom) fetchToken(ctx context.Context) (string, time.Duration, error) {
	var a struct {
		errAnswer
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	req := newRequest(ctx, http.MethodGet, w.apiURL(), "/cgi-bin/gettoken", url.Values{"corpid": {w.CorpID}, "corpsecret": {w.Secret}}, nil)
	if err := fetchErrcode(w.Client, "wecom gettoken", req, &a); err != nil {
		return "", 0, err
	}
	if a.AccessToken == "" {
		return "", 0, &Error{Call: "wecom gettoken", Msg: "no access_token in the answer"}
	}
	return a.AccessToken, expiresIn(a.ExpiresIn), nil
}

// call makes a GET with the app's token.
func (w *WeCom) call(ctx context.Context, name, path string, q url.Values, out answerer) error {
	return w.token.withToken(ctx, w.fetchToken, func(token string) error {
		q.Set("access_token", token)
		return fetchErrcode(w.Client, "wecom "+name, newRequest(ctx, http.MethodGet, w.apiURL(), path, q, nil), out)
	})
}

func (w *WeCom) Identify(ctx context.Context, code, _ string) (Person, error) {
	var who struct {
		errAnswer
		UserID string `json:"userid"`
		OpenID string `json:"openid"`
	}
	if err := w.call(ctx, "getuserinfo", "/cgi-bin/auth/getuserinfo", url.Values{"code": {code}}, &who); err != nil {
		return Person{}, err
	}
	if who.UserID == "" {
		// An openid alone is someone outside the company.
		return Person{}, &Error{Call: "wecom getuserinfo", Msg: "not a member of the company (no userid)"}
	}
	if w.Field == WeComFieldUserID {
		return Person{EmployeeNo: who.UserID, UserID: who.UserID}, nil
	}
	var m struct {
		errAnswer
		Name    string `json:"name"`
		Alias   string `json:"alias"`
		Email   string `json:"email"`
		BizMail string `json:"biz_mail"`
		Extattr struct {
			Attrs []struct {
				Name string `json:"name"`
				Text struct {
					Value string `json:"value"`
				} `json:"text"`
			} `json:"attrs"`
		} `json:"extattr"`
	}
	if err := w.call(ctx, "user/get", "/cgi-bin/user/get", url.Values{"userid": {who.UserID}}, &m); err != nil {
		return Person{}, err
	}
	p := Person{Name: m.Name, Email: m.BizMail, UserID: who.UserID}
	if p.Email == "" {
		p.Email = m.Email
	}
	if w.Field == "alias" {
		p.EmployeeNo = m.Alias
	}
	for _, a := range m.Extattr.Attrs {
		if w.Field != "alias" && a.Name == w.Field {
			p.EmployeeNo = a.Text.Value
		}
	}
	return p, nil
}
