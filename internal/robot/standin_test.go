package robot

import (
	"crypto/hmac"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// standin plays one platform's webhook as its documents describe it: it
// checks the method, the content type, the JSON shape, the size limit and
// the signature (recomputed with the secret, refusing a timestamp more than
// an hour away), counts messages per minute, and answers with the
// platform's documented replies.
type standin struct {
	kind   Kind
	token  string // the key / access_token / hook id the robot knows
	secret string // "" : the robot has no signing setting
	srv    *httptest.Server

	mu       sync.Mutex
	got      []posted
	window   []time.Time
	override func(w http.ResponseWriter) bool // answers instead when it returns true
}

// posted is what the stand-in understood of one accepted message.
type posted struct {
	Title, Text string
	Body        int // bytes
}

func newStandin(t *testing.T, k Kind, token, secret string) *standin {
	s := &standin{kind: k, token: token, secret: secret}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *standin) hook() Hook {
	switch s.kind {
	case WeCom:
		return Hook{Kind: WeCom, URL: s.srv.URL + "/cgi-bin/webhook/send?key=" + s.token}
	case DingTalk:
		return Hook{Kind: DingTalk, URL: s.srv.URL + "/robot/send?access_token=" + s.token, Secret: s.secret}
	}
	return Hook{Kind: Feishu, URL: s.srv.URL + "/open-apis/bot/v2/hook/" + s.token, Secret: s.secret}
}

func (s *standin) posts() []posted {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]posted(nil), s.got...)
}

func (s *standin) reply(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	if s.kind == Feishu {
		_ = json.NewEncoder(w).Encode(map[string]any{"code": code, "msg": msg, "data": map[string]any{}})
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"errcode": code, "errmsg": msg})
}

// fresh is the platforms' rule: the timestamp within an hour of now.
func fresh(ts string, unit time.Duration) bool {
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	d := time.Since(time.Unix(0, n*int64(unit)))
	return d < time.Hour && d > -time.Hour
}

func (s *standin) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.override != nil && s.override(w) {
		return
	}
	if r.Method != http.MethodPost {
		http.Error(w, "method", http.StatusMethodNotAllowed)
		return
	}
	if mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" || (params["charset"] != "" && !strings.EqualFold(params["charset"], "utf-8")) {
		s.reply(w, 40001, "content type "+r.Header.Get("Content-Type"))
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	var p posted
	p.Body = len(body)
	switch s.kind {
	case WeCom:
		if r.URL.Path != "/cgi-bin/webhook/send" || r.URL.Query().Get("key") != s.token {
			s.reply(w, 93000, "invalid webhook url, hint: [1] from ip: 127.0.0.1")
			return
		}
		var m struct {
			MsgType  string `json:"msgtype"`
			Markdown struct {
				Content string `json:"content"`
			} `json:"markdown"`
		}
		if dec.Decode(&m) != nil || m.MsgType != "markdown" || m.Markdown.Content == "" {
			s.reply(w, 40008, "invalid message type")
			return
		}
		if len(m.Markdown.Content) > 4096 {
			s.reply(w, 40058, "markdown.content exceed max length 4096")
			return
		}
		p.Text = m.Markdown.Content
	case DingTalk:
		q := r.URL.Query()
		if r.URL.Path != "/robot/send" || q.Get("access_token") != s.token {
			s.reply(w, 300001, "token is not exist")
			return
		}
		if s.secret != "" {
			// Query().Get has undone the URL encoding of sign.
			if !fresh(q.Get("timestamp"), time.Millisecond) {
				s.reply(w, 310000, "invalid timestamp")
				return
			}
			if !hmac.Equal([]byte(q.Get("sign")), []byte(DingTalkSign(q.Get("timestamp"), s.secret))) {
				s.reply(w, 310000, "sign not match")
				return
			}
		}
		var m struct {
			MsgType  string `json:"msgtype"`
			Markdown struct {
				Title string `json:"title"`
				Text  string `json:"text"`
			} `json:"markdown"`
		}
		if dec.Decode(&m) != nil || m.MsgType != "markdown" || m.Markdown.Title == "" || m.Markdown.Text == "" {
			s.reply(w, 40035, "缺少参数 json")
			return
		}
		p.Title, p.Text = m.Markdown.Title, m.Markdown.Text
	case Feishu:
		if r.URL.Path != "/open-apis/bot/v2/hook/"+s.token {
			s.reply(w, 19001, "param invalid: incoming webhook access token invalid")
			return
		}
		if len(body) > 20<<10 {
			s.reply(w, 9499, "request body too large")
			return
		}
		var m struct {
			Timestamp string `json:"timestamp"`
			Sign      string `json:"sign"`
			MsgType   string `json:"msg_type"`
			Card      struct {
				Header struct {
					Title struct{ Tag, Content string } `json:"title"`
				} `json:"header"`
				Elements []struct{ Tag, Content string } `json:"elements"`
			} `json:"card"`
		}
		if dec.Decode(&m) != nil || m.MsgType != "interactive" || len(m.Card.Elements) != 1 ||
			m.Card.Elements[0].Tag != "markdown" || m.Card.Header.Title.Tag != "plain_text" {
			s.reply(w, 9499, "Bad Request")
			return
		}
		if s.secret != "" && (!fresh(m.Timestamp, time.Second) || !hmac.Equal([]byte(m.Sign), []byte(FeishuSign(m.Timestamp, s.secret)))) {
			s.reply(w, 19021, "sign match fail or timestamp is not within one hour from current time")
			return
		}
		p.Title, p.Text = m.Card.Header.Title.Content, m.Card.Elements[0].Content
	}
	// The platforms count per robot per minute, whoever sends.
	now := time.Now()
	recent := s.window[:0]
	for _, t := range s.window {
		if now.Sub(t) < time.Minute {
			recent = append(recent, t)
		}
	}
	s.window = recent
	if len(s.window) >= s.kind.perMinute() {
		switch s.kind {
		case WeCom:
			s.reply(w, 45009, "api freq out of limit")
		case DingTalk:
			s.reply(w, 410100, "send too fast, exceed 20 times per minute")
		case Feishu:
			s.reply(w, 11232, "frequency limited")
		}
		return
	}
	s.window = append(s.window, now)
	s.got = append(s.got, p)
	if s.kind == Feishu {
		s.reply(w, 0, "success")
	} else {
		s.reply(w, 0, "ok")
	}
}
