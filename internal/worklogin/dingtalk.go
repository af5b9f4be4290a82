package worklogin

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// DingTalk is 钉钉 login (登录第三方网站) through a company's own app
// (企业内部应用): the person's token names them by unionId, which the
// app's token turns into the member and their job number (工号).
// Documents: 获取登录用户的访问凭证, 获取用户通讯录个人信息, 获取企业内部应用
// 的accessToken, 根据unionid获取用户userid, 查询用户详情.
type DingTalk struct {
	// ClientID and Secret are the app's Client ID (AppKey) and Client
	// Secret (AppSecret).
	ClientID, Secret string
	// UserIDFallback matches a member without a job number by their
	// userid, for companies that make the userid the 工号.
	UserIDFallback bool
	// LoginURL, APIURL (the new API) and OAPIURL (the older one) are the
	// platform's hosts; empty for the real ones.
	LoginURL, APIURL, OAPIURL string
	// Client makes the calls; nil uses one with a 10 s timeout.
	Client *http.Client

	token appToken
}

func (d *DingTalk) Key() string { return "dingtalk" }

func (d *DingTalk) loginURL() string { return orDefault(d.LoginURL, "https://login.dingtalk.com") }
func (d *DingTalk) apiURL() string   { return orDefault(d.APIURL, "https://api.dingtalk.com") }
func (d *DingTalk) oapiURL() string  { return orDefault(d.OAPIURL, "https://oapi.dingtalk.com") }

func (d *DingTalk) AuthURL(redirectURI, state string) string {
	q := url.Values{"redirect_uri": {redirectURI}, "response_type": {"code"}, "client_id": {d.ClientID},
		"scope": {"openid"}, "state": {state}, "prompt": {"consent"}}
	return d.loginURL() + "/oauth2/auth?" + q.Encode()
}

// api calls the new API: JSON in, JSON out, and a refusal as a status
// other than 200 with a code and a message.
func (d *DingTalk) api(ctx context.Context, call, method, path string, header http.Header, body, out any) error {
	req := newRequest(ctx, method, d.apiURL(), path, nil, body)
	for k, v := range header {
		req.Header[k] = v
	}
	status, b, err := fetch(d.Client, call, req)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		var refusal struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		}
		_ = decode(call, status, b, &refusal)
		code := refusal.Code
		if code == "" {
			code = "HTTP " + strconv.Itoa(status)
		}
		return &Error{Call: call, Code: code, Msg: clip(refusal.Message)}
	}
	return decode(call, status, b, out)
}

// fetchToken is the app's token from the new API, which takes the secret
// in the body rather than in a URL.
func (d *DingTalk) fetchToken(ctx context.Context) (string, time.Duration, error) {
	var a struct {
		AccessToken string `json:"accessToken"`
		ExpireIn    int    `json:"expireIn"`
	}
	body := map[string]string{"appKey": d.ClientID, "appSecret": d.Secret}
	if err := d.api(ctx, "dingtalk accessToken", http.MethodPost, "/v1.0/oauth2/accessToken", nil, body, &a); err != nil {
		return "", 0, err
	}
	if a.AccessToken == "" {
		return "", 0, &Error{Call: "dingtalk accessToken", Msg: "no accessToken in the answer"}
	}
	return a.AccessToken, expiresIn(a.ExpireIn), nil
}

// oapi calls the older API with the app's token.
func (d *DingTalk) oapi(ctx context.Context, name, path string, body any, out answerer) error {
	return d.token.withToken(ctx, d.fetchToken, func(token string) error {
		req := newRequest(ctx, http.MethodPost, d.oapiURL(), path, url.Values{"access_token": {token}}, body)
		return fetchErrcode(d.Client, "dingtalk "+name, req, out)
	})
}

func (d *DingTalk) Identify(ctx context.Context, code, _ string) (Person, error) {
	var tok struct {
		AccessToken string `json:"accessToken"`
	}
	body := map[string]string{"clientId": d.ClientID, "clientSecret": d.Secret, "code": code, "grantType": "authorization_code"}
	if err := d.api(ctx, "dingtalk userAccessToken", http.MethodPost, "/v1.0/oauth2/userAccessToken", nil, body, &tok); err != nil {
		return Person{}, err
	}
	if tok.AccessToken == "" {
		return Person{}, &Error{Call: "dingtalk userAccessToken", Msg: "no accessToken in the answer"}
	}
	var me struct {
		Nick    string `json:"nick"`
		UnionID string `json:"unionId"`
	}
	header := http.Header{"X-Acs-Dingtalk-Access-Token": {tok.AccessToken}}
	if err := d.api(ctx, "dingtalk users/me", http.MethodGet, "/v1.0/contact/users/me", header, nil, &me); err != nil {
		return Person{}, err
	}
	if me.UnionID == "" {
		return Person{}, &Error{Call: "dingtalk users/me", Msg: "no unionId in the answer"}
	}
	var member struct {
		errAnswer
		Result struct {
			// ContactType 1 is an outside contact, not staff.
			ContactType int    `json:"contact_type"`
			UserID      string `json:"userid"`
		} `json:"result"`
	}
	if err := d.oapi(ctx, "getbyunionid", "/topapi/user/getbyunionid", map[string]string{"unionid": me.UnionID}, &member); err != nil {
		return Person{}, err
	}
	if member.Result.UserID == "" || member.Result.ContactType != 0 {
		return Person{}, &Error{Call: "dingtalk getbyunionid", Msg: "not a member of the company"}
	}
	var u struct {
		errAnswer
		Result struct {
			Name      string `json:"name"`
			JobNumber string `json:"job_number"`
			Email     string `json:"email"`
			OrgEmail  string `json:"org_email"`
		} `json:"result"`
	}
	if err := d.oapi(ctx, "user/get", "/topapi/v2/user/get", map[string]string{"userid": member.Result.UserID, "language": "zh_CN"}, &u); err != nil {
		return Person{}, err
	}
	p := Person{EmployeeNo: u.Result.JobNumber, Name: u.Result.Name, Email: u.Result.OrgEmail, UserID: member.Result.UserID}
	if p.Name == "" {
		p.Name = me.Nick
	}
	if p.Email == "" {
		p.Email = u.Result.Email
	}
	if p.EmployeeNo == "" && d.UserIDFallback {
		p.EmployeeNo = member.Result.UserID
	}
	return p, nil
}
