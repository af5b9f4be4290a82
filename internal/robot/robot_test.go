package robot

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/academy/academy/internal/robot/robottest"
)

const sample = "# 工单即将超时\n" +
	"工单 **#42**「电梯困人」已用去 **80%** 时限。\n" +
	"- 项目：阳光花园\n" +
	"* 处理人：王芳 <at id=all></at> <@all>\n" +
	"[打开工单](https://academy.example.com/desk/tickets/42)"

// standin starts the stand-in of platform k and returns it with the hook
// that reaches it.
func standin(t *testing.T, k Kind, secret string) (*robottest.Robot, Hook) {
	var r *robottest.Robot
	switch k {
	case WeCom:
		r = robottest.NewWeCom(t)
	case DingTalk:
		r = robottest.NewDingTalk(t, secret)
	default:
		r = robottest.NewFeishu(t, secret)
	}
	return r, Hook{Kind: k, URL: r.URL, Secret: secret}
}

func post(t *testing.T, c *Client, h Hook, title, md string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return c.Post(ctx, h, title, md)
}

// TestFormats posts the same message to each platform and checks what its
// stand-in received: the platform's dialect of the common markdown, with
// the title where the platform shows one and no way to mention everyone.
func TestFormats(t *testing.T) {
	for _, tc := range []struct {
		kind        Kind
		secret      string
		title, text string
	}{
		{WeCom, "", "", "## SLA 提醒\n# 工单即将超时\n工单 **#42**「电梯困人」已用去 **80%** 时限。\n• 项目：阳光花园\n• 处理人：王芳 ＜at id=all>＜/at> ＜@all>\n[打开工单](https://academy.example.com/desk/tickets/42)"},
		{DingTalk, "SECb4c1e5d0f6a2", "SLA 提醒", "#### SLA 提醒\n# 工单即将超时\n工单 **#42**「电梯困人」已用去 **80%** 时限。\n- 项目：阳光花园\n- 处理人：王芳 ＜at id=all>＜/at> ＜@all>\n[打开工单](https://academy.example.com/desk/tickets/42)"},
		{Feishu, "feishu-secret", "SLA 提醒", "**工单即将超时**\n工单 **#42**「电梯困人」已用去 **80%** 时限。\n- 项目：阳光花园\n- 处理人：王芳 ＜at id=all>＜/at> ＜@all>\n[打开工单](https://academy.example.com/desk/tickets/42)"},
		{DingTalk, "", "SLA 提醒", ""}, // no 加签: posts unsigned
		{Feishu, "", "SLA 提醒", ""},
	} {
		s, h := standin(t, tc.kind, tc.secret)
		var c Client
		if err := post(t, &c, h, "SLA\n提醒", sample); err != nil {
			t.Fatalf("%s: %v", tc.kind, err)
		}
		got := s.Posts()
		if len(got) != 1 {
			t.Fatalf("%s: %d posts", tc.kind, len(got))
		}
		if got[0].Title != tc.title {
			t.Errorf("%s: title %q, want %q", tc.kind, got[0].Title, tc.title)
		}
		if tc.text != "" && got[0].Text != tc.text {
			t.Errorf("%s: text\n%s\nwant\n%s", tc.kind, got[0].Text, tc.text)
		}
	}
}

// TestSignatures: a wrong secret and a clock an hour off are refusals that
// no retry fixes.
func TestSignatures(t *testing.T) {
	for _, k := range []Kind{DingTalk, Feishu} {
		s, h := standin(t, k, "SECright")
		wrong := h
		wrong.Secret = "SECwrong"
		if err := post(t, &Client{}, wrong, "t", "x"); err == nil || !Permanent(err) {
			t.Errorf("%s wrong secret: err %v, want permanent", k, err)
		}
		stale := &Client{Now: func() time.Time { return time.Now().Add(-61 * time.Minute) }}
		if err := post(t, stale, h, "t", "x"); err == nil || !Permanent(err) {
			t.Errorf("%s stale timestamp: err %v, want permanent", k, err)
		}
		skewed := &Client{Now: func() time.Time { return time.Now().Add(-50 * time.Minute) }}
		if err := post(t, skewed, h, "t", "x"); err != nil {
			t.Errorf("%s timestamp 50 minutes old: %v", k, err)
		}
		if n := len(s.Posts()); n != 1 {
			t.Errorf("%s: %d accepted, want 1", k, n)
		}
	}
	// A wrong key or token is permanent too.
	for _, k := range []Kind{WeCom, DingTalk, Feishu} {
		s, h := standin(t, k, "")
		h.URL = strings.Replace(h.URL, s.Token, "other", 1)
		if err := post(t, &Client{}, h, "t", "x"); err == nil || !Permanent(err) {
			t.Errorf("%s wrong key: err %v, want permanent", k, err)
		}
	}
}

// TestLimits: long messages are cut on a rune boundary with "…" to each
// platform's limit, and the stand-ins (which refuse anything larger) accept
// them.
func TestLimits(t *testing.T) {
	long := strings.Repeat("物业客服\"培训\"\n", 3000) // 60 000 bytes, quotes and line breaks
	for _, tc := range []struct {
		kind Kind
		max  int
	}{{WeCom, 4096}, {DingTalk, 20000}, {Feishu, 20 << 10}} {
		s, h := standin(t, tc.kind, "")
		if err := post(t, &Client{}, h, strings.Repeat("标题", 200), long); err != nil {
			t.Fatalf("%s: %v", tc.kind, err)
		}
		p := s.Posts()[0]
		if !utf8.ValidString(p.Text) || !strings.HasSuffix(p.Text, "…") {
			t.Errorf("%s: text does not end in …, or is not UTF-8: %q", tc.kind, p.Text[len(p.Text)-20:])
		}
		size := len(p.Text)
		if tc.kind == Feishu {
			size = p.Size
		}
		if size > tc.max || size < tc.max-200 {
			t.Errorf("%s: %d bytes, want just under %d", tc.kind, size, tc.max)
		}
		if p.Title != "" && (len(p.Title) > titleMax || !strings.HasSuffix(p.Title, "…")) {
			t.Errorf("%s: title %d bytes", tc.kind, len(p.Title))
		}
	}
	if got := truncate("一二三四", 9); got != "一二…" {
		t.Errorf("truncate = %q", got)
	}
	if got := truncate("一二三", 9); got != "一二三" {
		t.Errorf("truncate = %q", got)
	}
}

// TestRateLimit: the client keeps to 20 a minute per robot on its own (钉钉
// blocks a robot for 10 minutes past that), and the platform's own refusal
// when other senders share the robot is temporary.
func TestRateLimit(t *testing.T) {
	s, h := standin(t, DingTalk, "SECx")
	now := time.Now()
	c := &Client{Now: func() time.Time { return now }}
	for i := range 20 {
		if err := post(t, c, h, "t", "x"); err != nil {
			t.Fatalf("post %d: %v", i+1, err)
		}
	}
	err := post(t, c, h, "t", "x")
	if err == nil || Permanent(err) {
		t.Errorf("21st post: err %v, want a temporary error", err)
	}
	if n := len(s.Posts()); n != 20 {
		t.Errorf("the robot got %d, want 20", n)
	}
	// Another instance shares the robot: the platform refuses, temporarily.
	for _, k := range []Kind{WeCom, DingTalk, Feishu} {
		s, h := standin(t, k, "")
		if s.PerMinute() != k.perMinute() {
			t.Errorf("%s: the client keeps to %d a minute, the platform to %d", k, k.perMinute(), s.PerMinute())
		}
		for range k.perMinute() {
			if err := post(t, &Client{}, h, "t", "x"); err != nil {
				t.Fatal(err)
			}
		}
		if err := post(t, &Client{}, h, "t", "x"); err == nil || Permanent(err) {
			t.Errorf("%s over the platform's limit: err %v, want temporary", k, err)
		}
	}
}

// TestReplies: what the client makes of answers other than a robot's.
func TestReplies(t *testing.T) {
	for _, tc := range []struct {
		name      string
		status    int
		body      string
		permanent bool
	}{
		{"busy", 200, `{"errcode":-1,"errmsg":"system busy"}`, false},
		{"bad gateway", 502, "<html>bad gateway</html>", false},
		{"too many", 429, "", false},
		{"not found", 404, "404 page not found", true},
		{"redirect", 302, "", true},
		{"not json", 200, "<html>login</html>", false},
		{"huge", 200, strings.Repeat("x", 1<<20), false},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			if tc.status == 302 {
				w.Header().Set("Location", "https://elsewhere.example/")
			}
			w.WriteHeader(tc.status)
			_, _ = w.Write([]byte(tc.body))
		}))
		defer srv.Close()
		err := post(t, &Client{}, Hook{Kind: WeCom, URL: srv.URL + "/cgi-bin/webhook/send?key=tok"}, "t", "x")
		if err == nil || Permanent(err) != tc.permanent {
			t.Errorf("%s: err %v, want permanent=%v", tc.name, err, tc.permanent)
		}
		if err != nil && len(err.Error()) > 400 {
			t.Errorf("%s: error of %d bytes", tc.name, len(err.Error()))
		}
	}

	// A robot that never answers: the context ends the wait; temporary.
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-block }))
	defer srv.Close()
	defer close(block)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err := (&Client{}).Post(ctx, Hook{Kind: Feishu, URL: srv.URL + "/open-apis/bot/v2/hook/tok"}, "t", "x")
	if err == nil || Permanent(err) {
		t.Errorf("no answer: err %v, want temporary", err)
	}
	if err != nil && strings.Contains(err.Error(), "tok") {
		t.Errorf("the error shows the webhook's token: %v", err)
	}
}

func TestHookCheck(t *testing.T) {
	for _, tc := range []struct {
		h   Hook
		err string
	}{
		{Hook{Kind: WeCom, URL: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6"}, ""},
		{Hook{Kind: DingTalk, URL: "https://oapi.dingtalk.com/robot/send?access_token=abc", Secret: "SEC123"}, ""},
		{Hook{Kind: DingTalk, URL: "https://oapi.dingtalk.com/robot/send?access_token=abc"}, ""},
		{Hook{Kind: Feishu, URL: "https://open.feishu.cn/open-apis/bot/v2/hook/abc", Secret: "s"}, ""},
		{Hook{Kind: Feishu, URL: "http://127.0.0.1:8080/open-apis/bot/v2/hook/abc"}, ""},

		{Hook{Kind: "slack", URL: "https://hooks.example.com/x"}, "未知的机器人平台"},
		{Hook{Kind: WeCom, URL: "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1"}, "https://"},
		{Hook{Kind: WeCom, URL: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"}, "缺少 key"},
		{Hook{Kind: WeCom, URL: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1", Secret: "x"}, "没有签名密钥"},
		{Hook{Kind: DingTalk, URL: "https://oapi.dingtalk.com/robot/send"}, "access_token"},
		{Hook{Kind: DingTalk, URL: "https://oapi.dingtalk.com/robot/send?access_token=a", Secret: "abc"}, "SEC"},
		{Hook{Kind: Feishu, URL: "https://open.feishu.cn/other"}, "bot/v2/hook"},
		{Hook{Kind: Feishu, URL: "not a url"}, "无效"},
	} {
		err := tc.h.Check()
		if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("Check(%+v) = %v, want %q", tc.h, err, tc.err)
		}
		if tc.err != "" {
			perr := (&Client{}).Post(context.Background(), tc.h, "t", "x")
			if !Permanent(perr) {
				t.Errorf("Post(%+v) = %v, want permanent", tc.h, perr)
			}
		}
	}
}
