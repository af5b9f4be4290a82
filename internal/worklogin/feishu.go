package worklogin

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
)

// Feishu is 飞书 (Lark) web login through a company's own app (企业自建
// 应用). Documents: 获取授权码, 获取 user_access_token (authen/v2),
// 获取用户信息.
type Feishu struct {
	// AppID and Secret are the app's App ID and App Secret.
	AppID, Secret string
	// UserIDFallback matches a person without an employee number by
	// their user_id, for companies that make the user_id the 工号.
	UserIDFallback bool
	// LoginURL (the authorisation page's host) and APIURL are the
	// platform's; empty for 飞书's, Lark's are other hosts.
	LoginURL, APIURL string
	// Client makes the calls; nil uses one with a 10 s timeout.
	Client *http.Client
}

func (f *Feishu) Key() string { return "feishu" }

func (f *Feishu) loginURL() string { return orDefault(f.LoginURL, "https://accounts.feishu.cn") }
func (f *Feishu) apiURL() string   { return orDefault(f.APIURL, "https://open.feishu.cn") }

// Scopes are what the person is asked to let the app read: the employee
// number and, when it may stand in, the user_id. The app must have them
// enabled.
func (f *Feishu) Scopes() string {
	if f.UserIDFallback {
		return "contact:user.employee_number:read contact:user.employee_id:readonly"
	}
	return "contact:user.employee_number:read"
}

func (f *Feishu) AuthURL(redirectURI, state string) string {
	q := url.Values{"client_id": {f.AppID}, "redirect_uri": {redirectURI}, "response_type": {"code"},
		"scope": {f.Scopes()}, "state": {state}}
	return f.loginURL() + "/open-apis/authen/v1/authorize?" + q.Encode()
}

// feishuCode is 飞书's result code, 0 for success; the token call of
// authen/v2 may leave it out on success.
type feishuCode struct {
	Code json.Number `json:"code"`
	Msg  string      `json:"msg"`
	// Error and ErrorDescription are the OAuth refusal of authen/v2.
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

func (c feishuCode) err(call string, status int) error {
	ok := c.Code == "" || c.Code == "0"
	if ok && status == http.StatusOK {
		return nil
	}
	code := c.Error
	switch {
	case code != "":
	case !ok:
		code = c.Code.String()
	default:
		code = "HTTP " + strconv.Itoa(status)
	}
	msg := c.ErrorDescription
	if msg == "" {
		msg = c.Msg
	}
	return &Error{Call: call, Code: code, Msg: clip(msg)}
}

// call makes one call and reads its answer into out.
func (f *Feishu) call(name string, req *http.Request, out interface{ err(string, int) error }) error {
	call := "feishu " + name
	status, b, err := fetch(f.Client, call, req)
	if err != nil {
		return err
	}
	if err := decode(call, status, b, out); err != nil {
		return err
	}
	return out.err(call, status)
}

func (f *Feishu) Identify(ctx context.Context, code, redirectURI string) (Person, error) {
	var tok struct {
		feishuCode
		AccessToken string `json:"access_token"`
	}
	body := map[string]string{"grant_type": "authorization_code", "client_id": f.AppID, "client_secret": f.Secret,
		"code": code, "redirect_uri": redirectURI}
	if err := f.call("oauth/token", newRequest(ctx, http.MethodPost, f.apiURL(), "/open-apis/authen/v2/oauth/token", nil, body), &tok); err != nil {
		return Person{}, err
	}
	if tok.AccessToken == "" {
		return Person{}, &Error{Call: "feishu oauth/token", Msg: "no access_token in the answer"}
	}
	var info struct {
		feishuCode
		Data struct {
			Name            string `json:"name"`
			Email           string `json:"email"`
			EnterpriseEmail string `json:"enterprise_email"`
			UserID          string `json:"user_id"`
			OpenID          string `json:"open_id"`
			EmployeeNo      string `json:"employee_no"`
		} `json:"data"`
	}
	req := newRequest(ctx, http.MethodGet, f.apiURL(), "/open-apis/authen/v1/user_info", nil, nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	if err := f.call("user_info", req, &info); err != nil {
		return Person{}, err
	}
	d := info.Data
	p := Person{EmployeeNo: d.EmployeeNo, Name: d.Name, Email: d.EnterpriseEmail, UserID: d.UserID}
	if p.Email == "" {
		p.Email = d.Email
	}
	if p.UserID == "" {
		p.UserID = d.OpenID
	}
	if p.EmployeeNo == "" && f.UserIDFallback {
		p.EmployeeNo = d.UserID
	}
	return p, nil
}
