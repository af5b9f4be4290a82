// Package robot posts markdown messages to the group robots of 企业微信,
// 钉钉 and 飞书 through their webhooks. It knows each platform's message
// format, signature, limits and replies; it knows nothing of notifications.
//
// The formats follow the platforms' own documents: 企业微信 "群机器人配置说明",
// 钉钉 "自定义机器人接入" and "自定义机器人安全设置" (加签), 飞书 "自定义机器人
// 使用指南" (签名校验, 卡片 markdown).
package robot

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Kind is a robot platform.
type Kind string

const (
	WeCom    Kind = "wecom"    // 企业微信群机器人
	DingTalk Kind = "dingtalk" // 钉钉自定义机器人
	Feishu   Kind = "feishu"   // 飞书自定义机器人
)

// Name is the platform's name as its users know it.
func (k Kind) Name() string {
	switch k {
	case WeCom:
		return "企业微信"
	case DingTalk:
		return "钉钉"
	case Feishu:
		return "飞书"
	}
	return string(k)
}

// Hook is one group robot: its webhook URL and, for 钉钉 and 飞书 with the
// signing security setting (加签 / 签名校验), its secret. 企业微信 robots
// have no secret: the key in the URL is the credential.
type Hook struct {
	Kind   Kind
	URL    string
	Secret string
}

// Check says what is wrong with a hook an admin typed, in "中文 / English".
// Post checks too, so a hook stored before a rule changed fails there as a
// permanent error.
func (h Hook) Check() error {
	if h.Kind != WeCom && h.Kind != DingTalk && h.Kind != Feishu {
		return fmt.Errorf("未知的机器人平台 %q，可选：企业微信、钉钉、飞书 / unknown robot platform %q: choose WeCom, DingTalk or Feishu", h.Kind, h.Kind)
	}
	u, err := url.Parse(h.URL)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%s Webhook 地址无效 / %s webhook URL is not a URL", h.Kind.Name(), h.Kind)
	}
	// The URL carries the robot's credential: never over plain HTTP, except
	// to a stand-in on this machine.
	if u.Scheme != "https" && (u.Scheme != "http" || !loopback(u.Hostname())) {
		return fmt.Errorf("%s Webhook 地址须以 https:// 开头 / %s webhook URL must start with https://", h.Kind.Name(), h.Kind)
	}
	switch h.Kind {
	case WeCom:
		if u.Query().Get("key") == "" {
			return errors.New("企业微信 Webhook 地址缺少 key 参数（在群机器人详情页复制完整地址） / WeCom webhook URL lacks its key parameter (copy the whole URL from the robot's page)")
		}
		if h.Secret != "" {
			return errors.New("企业微信群机器人没有签名密钥，请留空 / WeCom group robots have no secret: leave it empty")
		}
	case DingTalk:
		if u.Query().Get("access_token") == "" {
			return errors.New("钉钉 Webhook 地址缺少 access_token 参数 / DingTalk webhook URL lacks its access_token parameter")
		}
		if h.Secret != "" && !strings.HasPrefix(h.Secret, "SEC") {
			return errors.New("钉钉加签密钥以 SEC 开头（在机器人安全设置的“加签”下复制） / a DingTalk signing secret starts with SEC (copy it from the robot's security settings)")
		}
	case Feishu:
		if !strings.Contains(u.Path, "/bot/v2/hook/") {
			return errors.New("飞书 Webhook 地址应形如 https://open.feishu.cn/open-apis/bot/v2/hook/… / a Feishu webhook URL looks like https://open.feishu.cn/open-apis/bot/v2/hook/…")
		}
	}
	return nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Limits of each platform.
const (
	weComMax    = 4096     // 企业微信: markdown.content at most 4096 bytes, UTF-8
	dingTalkMax = 20000    // 钉钉: no documented markdown limit; kept below the request size it accepts
	feishuBody  = 20 << 10 // 飞书: the request body at most 20 KB
	titleMax    = 200      // a title is one line in a notification preview
	replyMax    = 64 << 10 // a reply is a small JSON object; more is not a robot
	timeout     = 15 * time.Second
)

// perMinute is how many messages a robot takes per minute before the
// platform refuses (钉钉 then blocks the robot for 10 minutes): 20 for
// 企业微信 and 钉钉, 100 for 飞书.
func (k Kind) perMinute() int {
	if k == Feishu {
		return 100
	}
	return 20
}

// Client posts to robots. The zero value is ready to use.
type Client struct {
	HTTP *http.Client     // nil: one with a timeout that follows no redirects
	Now  func() time.Time // nil: time.Now; the signatures' timestamps

	mu   sync.Mutex
	sent map[string][]time.Time // per webhook URL: the posts of the last minute
}

// Error is a robot's refusal, or an HTTP status other than 200.
type Error struct {
	Kind      Kind
	Status    int    // HTTP status
	Code      int    // errcode (企业微信, 钉钉) or code (飞书); 0 when the reply had none
	Message   string // errmsg or msg, or the start of the body
	permanent bool
}

func (e *Error) Error() string {
	return fmt.Sprintf("robot %s: HTTP %d, code %d: %s", e.Kind, e.Status, e.Code, e.Message)
}

// Permanent reports whether err is a refusal no retry can fix: a bad key or
// token, a bad signature (or a clock an hour off), a message the platform
// cannot read, a hook that fails Check. Rate limits, network errors and
// the platforms' "busy" answers are temporary.
func Permanent(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.permanent
}

// Post sends title and markdown (the common subset: see render) to the
// robot h, in the platform's format and within its size limit.
func (c *Client) Post(ctx context.Context, h Hook, title, markdown string) error {
	if err := h.Check(); err != nil {
		return &Error{Kind: h.Kind, Message: err.Error(), permanent: true}
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	at := now()
	if !c.allow(h, at) {
		return &Error{Kind: h.Kind, Status: http.StatusTooManyRequests,
			Message: fmt.Sprintf("more than %d messages in a minute to this robot; not sent", h.Kind.perMinute())}
	}
	title = truncate(strings.Join(strings.Fields(title), " "), titleMax)
	target, body, err := build(h, title, render(h.Kind, markdown), at)
	if err != nil {
		return &Error{Kind: h.Kind, Message: err.Error(), permanent: true}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("robot %s: %w", h.Kind, err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: timeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	resp, err := hc.Do(req)
	if err != nil {
		// The URL holds the key; the error would print it.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("robot %s: post: %w", h.Kind, err)
	}
	defer resp.Body.Close()
	reply, err := io.ReadAll(io.LimitReader(resp.Body, replyMax))
	if err != nil {
		return fmt.Errorf("robot %s: read reply: %w", h.Kind, err)
	}
	return check(h.Kind, resp.StatusCode, reply)
}

// allow records a post to h at now unless the robot had its minute's worth.
func (c *Client) allow(h Hook, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sent == nil {
		c.sent = map[string][]time.Time{}
	}
	recent := c.sent[h.URL][:0]
	for _, t := range c.sent[h.URL] {
		if now.Sub(t) < time.Minute {
			recent = append(recent, t)
		}
	}
	if len(recent) >= h.Kind.perMinute() {
		c.sent[h.URL] = recent
		return false
	}
	c.sent[h.URL] = append(recent, now)
	return true
}

// build returns the URL to post to and the JSON body.
func build(h Hook, title, md string, at time.Time) (string, []byte, error) {
	var msg any
	target := h.URL
	switch h.Kind {
	case WeCom:
		// No title field: it leads the content as a heading.
		content := truncate("## "+title+"\n"+md, weComMax)
		msg = map[string]any{"msgtype": "markdown", "markdown": map[string]string{"content": content}}
	case DingTalk:
		// title shows in the conversation list and the push; the text
		// repeats it as a heading, as the group shows only the text.
		text := truncate("#### "+title+"\n"+md, dingTalkMax)
		msg = map[string]any{"msgtype": "markdown", "markdown": map[string]string{"title": title, "text": text}}
		if h.Secret != "" {
			ts := strconv.FormatInt(at.UnixMilli(), 10)
			u, err := url.Parse(h.URL)
			if err != nil {
				return "", nil, err
			}
			q := u.Query()
			q.Set("timestamp", ts)
			q.Set("sign", DingTalkSign(ts, h.Secret)) // Encode URL-encodes it
			u.RawQuery = q.Encode()
			target = u.String()
		}
	case Feishu:
		card := map[string]any{
			"header":   map[string]any{"title": map[string]string{"tag": "plain_text", "content": title}},
			"elements": []any{map[string]string{"tag": "markdown", "content": ""}},
		}
		m := map[string]any{"msg_type": "interactive", "card": card}
		if h.Secret != "" {
			ts := strconv.FormatInt(at.Unix(), 10)
			m["timestamp"] = ts
			m["sign"] = FeishuSign(ts, h.Secret)
		}
		empty, err := marshal(m)
		if err != nil {
			return "", nil, err
		}
		card["elements"] = []any{map[string]string{"tag": "markdown", "content": truncateJSON(md, feishuBody-len(empty))}}
		msg = m
	}
	body, err := marshal(msg)
	return target, body, err
}

// marshal is json.Marshal without escaping <, > and &, which the platforms
// would show as \u003c and which count three times against a size limit.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// DingTalkSign is 钉钉's 加签: Base64(HmacSHA256(key: secret, message:
// timestamp+"\n"+secret)), the timestamp in milliseconds. The caller
// URL-encodes it into the query.
func DingTalkSign(timestamp, secret string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp + "\n" + secret))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// FeishuSign is 飞书's 签名校验: Base64(HmacSHA256(key: timestamp+"\n"+secret,
// message: empty)), the timestamp in seconds. It goes in the body.
func FeishuSign(timestamp, secret string) string {
	mac := hmac.New(sha256.New, []byte(timestamp+"\n"+secret))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// Reply codes that a retry can fix; every other non-zero code is a refusal
// of this hook or this message (bad key or token, bad signature, keyword or
// IP security setting, bad format) and is permanent.
var temporary = map[Kind]map[int]bool{
	WeCom:    {-1: true, 45009: true},                // system busy; api freq out of limit (20/min)
	DingTalk: {-1: true, 130101: true, 410100: true}, // system busy; send too fast (20/min)
	Feishu:   {11232: true, 11233: true},             // frequency limited
}

// check reads a reply: 企业微信 and 钉钉 answer {"errcode":0,"errmsg":"ok"},
// 飞书 {"code":0,"msg":"success"}, each with HTTP 200 on success.
func check(k Kind, status int, body []byte) error {
	var r struct {
		ErrCode *int   `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
		Code    *int   `json:"code"`
		Msg     string `json:"msg"`
		// 飞书's older replies: {"StatusCode":0,"StatusMessage":"success"}
		StatusCode *int   `json:"StatusCode"`
		StatusMsg  string `json:"StatusMessage"`
	}
	parsed := json.Unmarshal(body, &r) == nil
	code, msg := (*int)(nil), ""
	switch {
	case r.ErrCode != nil:
		code, msg = r.ErrCode, r.ErrMsg
	case r.Code != nil:
		code, msg = r.Code, r.Msg
	case r.StatusCode != nil:
		code, msg = r.StatusCode, r.StatusMsg
	}
	if status == http.StatusOK && parsed && code != nil && *code == 0 {
		return nil
	}
	e := &Error{Kind: k, Status: status, Message: msg}
	if code != nil {
		e.Code = *code
	}
	if e.Message == "" {
		e.Message = strings.TrimSpace(truncate(string(body), 200))
	}
	switch {
	case status == http.StatusTooManyRequests || status >= 500:
		// Rate limited or the platform is down.
	case code != nil && *code != 0:
		e.permanent = !temporary[k][*code]
	case status != http.StatusOK:
		// 4xx without a code: a wrong URL; 3xx: not a robot endpoint.
		e.permanent = true
	default:
		// 200 with no code: not a robot's answer (a proxy's page?); a
		// retry may reach the robot.
	}
	return e
}
