package worklogintest

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/academy/academy/internal/worklogin"
)

// WeCom stands in for 企业微信: its web login page and the calls
// gettoken, auth/getuserinfo and user/get. Every answer has status 200;
// a refusal is an errcode other than 0.
type WeCom struct {
	*standIn
	CorpID, AgentID, Secret string
	// Attr is the name of the extra attribute (扩展属性) that holds a
	// member's EmployeeNo; their alias holds it too.
	Attr string

	members map[string]Person
}

// NewWeCom starts a stand-in that knows the people it is told to Scan.
// Refuse takes "gettoken", "getuserinfo" (answered as an invalid code)
// or "user/get".
func NewWeCom(t testing.TB) *WeCom {
	s := &WeCom{CorpID: "ww-corp", AgentID: "1000002", Secret: "wecom-secret", Attr: "工号", members: map[string]Person{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/wwlogin/sso/login", func(w http.ResponseWriter, r *http.Request) {
		s.loginPage(w, r, url.Values{"login_type": {"CorpApp"}, "appid": {s.CorpID}, "agentid": {s.AgentID}}, "code")
	})
	mux.HandleFunc("/cgi-bin/gettoken", s.gettoken)
	mux.HandleFunc("/cgi-bin/auth/getuserinfo", s.getuserinfo)
	mux.HandleFunc("/cgi-bin/user/get", s.userGet)
	s.standIn = newStandIn(t, mux)
	return s
}

// Provider is a client of this stand-in; field is WeCom.Field.
func (s *WeCom) Provider(field string) *worklogin.WeCom {
	return &worklogin.WeCom{CorpID: s.CorpID, AgentID: s.AgentID, Secret: s.Secret, Field: field, LoginURL: s.URL(), APIURL: s.URL()}
}

// Scan makes p the next to sign in; without a UserID they are someone
// outside the company, whom 企业微信 names by openid only.
func (s *WeCom) Scan(p Person) {
	s.mu.Lock()
	if p.UserID != "" {
		s.members[p.UserID] = p
	}
	s.mu.Unlock()
	s.standIn.Scan(p)
}

func (s *WeCom) gettoken(w http.ResponseWriter, r *http.Request) {
	if !s.method(r, "gettoken", http.MethodGet) {
		return
	}
	q := r.URL.Query()
	if q.Get("corpid") != s.CorpID || q.Get("corpsecret") != s.Secret || s.refused("gettoken") {
		writeJSON(w, http.StatusOK, refusal(40001, "invalid credential"))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"errcode": 0, "errmsg": "ok", "access_token": s.issueToken(), "expires_in": 7200})
}

func (s *WeCom) getuserinfo(w http.ResponseWriter, r *http.Request) {
	if !s.method(r, "getuserinfo", http.MethodGet) || !s.goodToken(w, r.URL.Query().Get("access_token")) {
		return
	}
	code := r.URL.Query().Get("code")
	if code == "" {
		s.t.Errorf("getuserinfo without code")
		writeJSON(w, http.StatusOK, refusal(41008, "missing code"))
		return
	}
	p, _, ok := s.takeCode(code)
	if !ok || s.refused("getuserinfo") {
		writeJSON(w, http.StatusOK, refusal(40029, "invalid code"))
		return
	}
	if p.UserID == "" {
		writeJSON(w, http.StatusOK, map[string]any{"errcode": 0, "errmsg": "ok", "openid": "o-outsider", "external_userid": "wm-outsider"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"errcode": 0, "errmsg": "ok", "userid": p.UserID, "user_ticket": "ticket"})
}

func (s *WeCom) userGet(w http.ResponseWriter, r *http.Request) {
	if !s.method(r, "user/get", http.MethodGet) || !s.goodToken(w, r.URL.Query().Get("access_token")) {
		return
	}
	s.mu.Lock()
	p, ok := s.members[r.URL.Query().Get("userid")]
	s.mu.Unlock()
	if !ok || s.refused("user/get") {
		writeJSON(w, http.StatusOK, refusal(60111, "userid not found"))
		return
	}
	attrs := []map[string]any{{"type": 1, "name": "主页", "web": map[string]string{"url": "https://example.com", "title": "主页"}}}
	if p.EmployeeNo != "" {
		attrs = append(attrs, map[string]any{"type": 0, "name": s.Attr, "text": map[string]string{"value": p.EmployeeNo}})
	}
	writeJSON(w, http.StatusOK, map[string]any{"errcode": 0, "errmsg": "ok", "userid": p.UserID, "name": p.Name,
		"alias": p.EmployeeNo, "biz_mail": p.Email, "extattr": map[string]any{"attrs": attrs}})
}
