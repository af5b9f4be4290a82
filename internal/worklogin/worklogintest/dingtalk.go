package worklogintest

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/academy/academy/internal/worklogin"
)

// DingTalk stands in for 钉钉: its login page, the new API's
// userAccessToken, contact/users/me and accessToken, and the older API's
// topapi/user/getbyunionid and topapi/v2/user/get. The new API refuses
// with a status other than 200 and {code, message}; the older one with
// status 200 and an errcode other than 0.
type DingTalk struct {
	*standIn
	ClientID, Secret string

	userTokens map[string]Person // user access token -> person
	members    map[string]Person // unionId -> member of the company
}

// NewDingTalk starts a stand-in. Refuse takes "userAccessToken" (the
// code is refused), "users/me" (the app lacks Contact.User.Read),
// "accessToken", "getbyunionid" or "user/get".
func NewDingTalk(t testing.TB) *DingTalk {
	s := &DingTalk{ClientID: "ding-client", Secret: "dingtalk-secret", userTokens: map[string]Person{}, members: map[string]Person{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/oauth2/auth", func(w http.ResponseWriter, r *http.Request) {
		s.loginPage(w, r, url.Values{"response_type": {"code"}, "client_id": {s.ClientID}, "scope": {"openid"}, "prompt": {"consent"}}, "authCode")
	})
	mux.HandleFunc("/v1.0/oauth2/userAccessToken", s.userAccessToken)
	mux.HandleFunc("/v1.0/contact/users/me", s.usersMe)
	mux.HandleFunc("/v1.0/oauth2/accessToken", s.accessToken)
	mux.HandleFunc("/topapi/user/getbyunionid", s.getbyunionid)
	mux.HandleFunc("/topapi/v2/user/get", s.userGet)
	s.standIn = newStandIn(t, mux)
	return s
}

// Provider is a client of this stand-in.
func (s *DingTalk) Provider(userIDFallback bool) *worklogin.DingTalk {
	return &worklogin.DingTalk{ClientID: s.ClientID, Secret: s.Secret, UserIDFallback: userIDFallback,
		LoginURL: s.URL(), APIURL: s.URL(), OAPIURL: s.URL()}
}

// Scan makes p the next to sign in; without a UserID they have a 钉钉
// account but are no member of the company.
func (s *DingTalk) Scan(p Person) {
	s.mu.Lock()
	if p.UserID != "" {
		s.members[unionID(p)] = p
	}
	s.mu.Unlock()
	s.standIn.Scan(p)
}

func unionID(p Person) string { return "union-" + p.UserID + p.Name }

func apiRefusal(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"code": code, "message": msg, "requestid": "req-1"})
}

func (s *DingTalk) userAccessToken(w http.ResponseWriter, r *http.Request) {
	var body struct{ ClientID, ClientSecret, Code, GrantType string }
	if !s.method(r, "userAccessToken", http.MethodPost) || !s.readJSON(r, "userAccessToken", &body) {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if body.ClientID != s.ClientID || body.ClientSecret != s.Secret || body.GrantType != "authorization_code" {
		apiRefusal(w, http.StatusBadRequest, "invalidClientIdOrSecret", "无效的clientId或clientSecret")
		return
	}
	p, _, ok := s.takeCode(body.Code)
	if !ok || s.refused("userAccessToken") {
		apiRefusal(w, http.StatusBadRequest, "invalidAuthCode", "不合法的临时授权码")
		return
	}
	s.mu.Lock()
	tok := s.next("user-token")
	s.userTokens[tok] = p
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"accessToken": tok, "refreshToken": "refresh", "expireIn": 7200, "corpId": "ding-corp"})
}

func (s *DingTalk) usersMe(w http.ResponseWriter, r *http.Request) {
	if !s.method(r, "users/me", http.MethodGet) {
		return
	}
	s.mu.Lock()
	p, ok := s.userTokens[r.Header.Get("x-acs-dingtalk-access-token")]
	s.mu.Unlock()
	switch {
	case !ok:
		apiRefusal(w, http.StatusUnauthorized, "InvalidAuthentication", "不合法的access_token")
	case s.refused("users/me"):
		apiRefusal(w, http.StatusForbidden, "Forbidden.AccessDenied.AccessTokenPermissionDenied", "没有调用该接口的权限，接口权限申请参考：Contact.User.Read")
	default:
		writeJSON(w, http.StatusOK, map[string]any{"nick": p.Name, "unionId": unionID(p), "openId": "open-" + p.UserID, "email": p.Email, "stateCode": "86"})
	}
}

func (s *DingTalk) accessToken(w http.ResponseWriter, r *http.Request) {
	var body struct{ AppKey, AppSecret string }
	if !s.method(r, "accessToken", http.MethodPost) || !s.readJSON(r, "accessToken", &body) {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if body.AppKey != s.ClientID || body.AppSecret != s.Secret || s.refused("accessToken") {
		apiRefusal(w, http.StatusBadRequest, "invalidClientIdOrSecret", "无效的appKey或appSecret")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"accessToken": s.issueToken(), "expireIn": 7200})
}

// oapi checks an older API call's token and body; it answers a refusal
// itself and tells whether the call may go on.
func (s *DingTalk) oapi(w http.ResponseWriter, r *http.Request, call string, body any) bool {
	if !s.method(r, call, http.MethodPost) || !s.readJSON(r, call, body) {
		http.Error(w, "bad request", http.StatusBadRequest)
		return false
	}
	return s.goodToken(w, r.URL.Query().Get("access_token"))
}

func (s *DingTalk) getbyunionid(w http.ResponseWriter, r *http.Request) {
	var body struct{ Unionid string }
	if !s.oapi(w, r, "getbyunionid", &body) {
		return
	}
	s.mu.Lock()
	p, ok := s.members[body.Unionid]
	s.mu.Unlock()
	if !ok || s.refused("getbyunionid") {
		writeJSON(w, http.StatusOK, refusal(60121, "找不到该用户"))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"errcode": 0, "errmsg": "ok", "result": map[string]any{"contact_type": 0, "userid": p.UserID}, "request_id": "req-2"})
}

func (s *DingTalk) userGet(w http.ResponseWriter, r *http.Request) {
	var body struct{ Userid, Language string }
	if !s.oapi(w, r, "user/get", &body) {
		return
	}
	s.mu.Lock()
	var p Person
	ok := false
	for _, m := range s.members {
		if m.UserID == body.Userid {
			p, ok = m, true
		}
	}
	s.mu.Unlock()
	if !ok || s.refused("user/get") {
		writeJSON(w, http.StatusOK, refusal(60121, "找不到该用户"))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"errcode": 0, "errmsg": "ok", "result": map[string]any{
		"userid": p.UserID, "unionid": unionID(p), "name": p.Name, "job_number": p.EmployeeNo, "org_email": p.Email, "active": true}, "request_id": "req-3"})
}
