// Package robottest runs stand-ins of the 企业微信, 钉钉 and 飞书 group
// robots for tests. Each plays its platform's webhook as the platform's
// documents describe it: it checks the method, the content type, the JSON
// shape, the size limit and the signature (recomputed here from the
// documented algorithm, refusing a timestamp more than an hour away),
// counts messages per minute, answers with the platform's documented
// replies, and keeps what it accepted.
package robottest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
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

// Platforms, named as the robot package and the site settings name them.
const (
	WeCom    = "wecom"
	DingTalk = "dingtalk"
	Feishu   = "feishu"
)

// Robot is one group robot of one platform.
type Robot struct {
	Platform string // WeCom, DingTalk or Feishu
	// URL is the webhook address to give the client; it holds Token, the
	// key (企业微信), access_token (钉钉) or hook id (飞书).
	URL, Token string
	// Secret is the signing secret (钉钉 加签, 飞书 签名校验); "" accepts
	// unsigned messages, as a robot without that setting does.
	Secret string

	mu     sync.Mutex
	got    []Post
	window []time.Time
}

// Post is what the robot understood of one accepted message.
type Post struct {
	Title string // "" for 企业微信, whose markdown has no title
	Text  string // the markdown as the group would read it
	Size  int    // the request body's bytes
}

// NewWeCom starts a 企业微信 group robot; its key is its only credential.
func NewWeCom(t testing.TB) *Robot {
	return start(t, &Robot{Platform: WeCom, Token: "wecom-key"}, "/cgi-bin/webhook/send?key=wecom-key")
}

// NewDingTalk starts a 钉钉 custom robot; a secret (SEC…) makes it want
// the 加签 signature in the query.
func NewDingTalk(t testing.TB, secret string) *Robot {
	return start(t, &Robot{Platform: DingTalk, Token: "dingtalk-token", Secret: secret}, "/robot/send?access_token=dingtalk-token")
}

// NewFeishu starts a 飞书 custom robot; a secret makes it want the
// signature in the body.
func NewFeishu(t testing.TB, secret string) *Robot {
	return start(t, &Robot{Platform: Feishu, Token: "feishu-hook", Secret: secret}, "/open-apis/bot/v2/hook/feishu-hook")
}

func start(t testing.TB, r *Robot, path string) *Robot {
	srv := httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(srv.Close)
	r.URL = srv.URL + path
	return r
}

// Posts returns the messages accepted so far, oldest first.
func (r *Robot) Posts() []Post {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Post(nil), r.got...)
}

// PerMinute is how many messages a robot takes per minute before the
// platform refuses: 20 for 企业微信 and 钉钉, 100 for 飞书.
func (r *Robot) PerMinute() int {
	if r.Platform == Feishu {
		return 100
	}
	return 20
}

func (r *Robot) reply(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	if r.Platform == Feishu {
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

// hmacBase64 is Base64(HmacSHA256(key, message)), the platforms' signature.
func hmacBase64(key, message string) string {
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(message))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func (r *Robot) serve(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if req.Method != http.MethodPost {
		http.Error(w, "method", http.StatusMethodNotAllowed)
		return
	}
	if mt, params, _ := mime.ParseMediaType(req.Header.Get("Content-Type")); mt != "application/json" || (params["charset"] != "" && !strings.EqualFold(params["charset"], "utf-8")) {
		r.reply(w, 40001, "content type "+req.Header.Get("Content-Type"))
		return
	}
	body, _ := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	p := Post{Size: len(body)}
	switch r.Platform {
	case WeCom:
		if req.URL.Path != "/cgi-bin/webhook/send" || req.URL.Query().Get("key") != r.Token {
			r.reply(w, 93000, "invalid webhook url, hint: [1] from ip: 127.0.0.1")
			return
		}
		var m struct {
			MsgType  string `json:"msgtype"`
			Markdown struct {
				Content string `json:"content"`
			} `json:"markdown"`
		}
		if dec.Decode(&m) != nil || m.MsgType != "markdown" || m.Markdown.Content == "" {
			r.reply(w, 40008, "invalid message type")
			return
		}
		if len(m.Markdown.Content) > 4096 {
			r.reply(w, 40058, "markdown.content exceed max length 4096")
			return
		}
		p.Text = m.Markdown.Content
	case DingTalk:
		q := req.URL.Query()
		if req.URL.Path != "/robot/send" || q.Get("access_token") != r.Token {
			r.reply(w, 300001, "token is not exist")
			return
		}
		if r.Secret != "" {
			// 加签: Base64(HmacSHA256(secret, timestamp+"\n"+secret)), the
			// timestamp in milliseconds; Query().Get has undone the URL
			// encoding of sign.
			ts := q.Get("timestamp")
			if !fresh(ts, time.Millisecond) {
				r.reply(w, 310000, "invalid timestamp")
				return
			}
			if !hmac.Equal([]byte(q.Get("sign")), []byte(hmacBase64(r.Secret, ts+"\n"+r.Secret))) {
				r.reply(w, 310000, "sign not match")
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
			r.reply(w, 40035, "缺少参数 json")
			return
		}
		p.Title, p.Text = m.Markdown.Title, m.Markdown.Text
	case Feishu:
		if req.URL.Path != "/open-apis/bot/v2/hook/"+r.Token {
			r.reply(w, 19001, "param invalid: incoming webhook access token invalid")
			return
		}
		if len(body) > 20<<10 {
			r.reply(w, 9499, "request body too large")
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
			r.reply(w, 9499, "Bad Request")
			return
		}
		// 签名校验: Base64(HmacSHA256(timestamp+"\n"+secret, "")), the
		// timestamp in seconds, both in the body.
		if r.Secret != "" && (!fresh(m.Timestamp, time.Second) || !hmac.Equal([]byte(m.Sign), []byte(hmacBase64(m.Timestamp+"\n"+r.Secret, "")))) {
			r.reply(w, 19021, "sign match fail or timestamp is not within one hour from current time")
			return
		}
		p.Title, p.Text = m.Card.Header.Title.Content, m.Card.Elements[0].Content
	}
	// The platforms count per robot per minute, whoever sends.
	now := time.Now()
	recent := r.window[:0]
	for _, t := range r.window {
		if now.Sub(t) < time.Minute {
			recent = append(recent, t)
		}
	}
	r.window = recent
	if len(r.window) >= r.PerMinute() {
		switch r.Platform {
		case WeCom:
			r.reply(w, 45009, "api freq out of limit")
		case DingTalk:
			r.reply(w, 410100, "send too fast, exceed 20 times per minute")
		case Feishu:
			r.reply(w, 11232, "frequency limited")
		}
		return
	}
	r.window = append(r.window, now)
	r.got = append(r.got, p)
	if r.Platform == Feishu {
		r.reply(w, 0, "success")
	} else {
		r.reply(w, 0, "ok")
	}
}
