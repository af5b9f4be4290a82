package worklogintest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/academy/academy/internal/worklogin"
)

// Feishu stands in for 飞书: its authorisation page, authen/v2/oauth/token
// and authen/v1/user_info. The token call refuses with a status other
// than 200 and {code, error, error_description}; user_info with {code,
// msg}.
type Feishu struct {
	*standIn
	AppID, Secret string

	userTokens map[string]Person
}

// NewFeishu starts a stand-in. Refuse takes "oauth/token" (the code is
// refused) or "user_info" (the token is refused, status 401).
func NewFeishu(t testing.TB) *Feishu {
	s := &Feishu{AppID: "cli_feishu", Secret: "feishu-secret", userTokens: map[string]Person{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/open-apis/authen/v1/authorize", func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.URL.Query().Get("scope"), "contact:user.employee_number:read") {
			s.t.Errorf("authorize: scope %q does not ask for the employee number", r.URL.Query().Get("scope"))
		}
		s.loginPage(w, r, url.Values{"client_id": {s.AppID}, "response_type": {"code"}}, "code")
	})
	mux.HandleFunc("/open-apis/authen/v2/oauth/token", s.token)
	mux.HandleFunc("/open-apis/authen/v1/user_info", s.userInfo)
	s.standIn = newStandIn(t, mux)
	return s
}

// Provider is a client of this stand-in.
func (s *Feishu) Provider(userIDFallback bool) *worklogin.Feishu {
	return &worklogin.Feishu{AppID: s.AppID, Secret: s.Secret, UserIDFallback: userIDFallback, LoginURL: s.URL(), APIURL: s.URL()}
}

func oauthRefusal(w http.ResponseWriter, status, code int, kind, msg string) {
	writeJSON(w, status, map[string]any{"code": code, "error": kind, "error_description": msg})
}

func (s *Feishu) token(w http.ResponseWriter, r *http.Request) {
	var body struct {
		GrantType    string `json:"grant_type"`
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
		Code         string `json:"code"`
		RedirectURI  string `json:"redirect_uri"`
	}
	if !s.method(r, "oauth/token", http.MethodPost) || !s.readJSON(r, "oauth/token", &body) {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if body.GrantType != "authorization_code" {
		oauthRefusal(w, http.StatusBadRequest, 20001, "unsupported_grant_type", "The grant_type is not supported.")
		return
	}
	if body.ClientID != s.AppID || body.ClientSecret != s.Secret {
		oauthRefusal(w, http.StatusUnauthorized, 20002, "invalid_client", "The client secret is invalid.")
		return
	}
	p, back, ok := s.takeCode(body.Code)
	if !ok || back != body.RedirectURI || s.refused("oauth/token") {
		oauthRefusal(w, http.StatusBadRequest, 20003, "invalid_grant", "The authorization code is invalid or has been used.")
		return
	}
	s.mu.Lock()
	tok := "u-" + s.next("token")
	s.userTokens[tok] = p
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"code": 0, "access_token": tok, "expires_in": 7200, "token_type": "Bearer",
		"scope": "contact:user.employee_number:read"})
}

func (s *Feishu) userInfo(w http.ResponseWriter, r *http.Request) {
	if !s.method(r, "user_info", http.MethodGet) {
		return
	}
	s.mu.Lock()
	p, ok := s.userTokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
	s.mu.Unlock()
	if !ok || s.refused("user_info") {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"code": 99991668, "msg": "Invalid access token for authorization."})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"code": 0, "msg": "success", "data": map[string]any{
		"name": p.Name, "en_name": p.Name, "open_id": "ou_" + p.UserID, "union_id": "on_" + p.UserID, "user_id": p.UserID,
		"enterprise_email": p.Email, "tenant_key": "tenant", "employee_no": p.EmployeeNo}})
}
