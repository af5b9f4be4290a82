package http_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"regexp"
	"strconv"
	"testing"

	"github.com/academy/academy/internal/academy"
	ahttp "github.com/academy/academy/internal/http"
	"github.com/academy/academy/internal/mail/mailtest"
	"github.com/academy/academy/internal/notify"
	"github.com/academy/academy/internal/robot/robottest"
)

var notifySample = regexp.MustCompile(`(?m)^academy_notifications_total\{channel="([a-z_]+)",outcome="([a-z]+)"\} (\d+)$`)

// /metrics counts notifications per channel as the scraper reads them:
// e-mail through Mailpit, each robot platform through its stand-in, and
// in-app notifications written; a refusal for good is parked, a robot out
// of reach failed (to be retried).
func TestMetricsCountNotificationsPerChannel(t *testing.T) {
	const token = "scraper-token-notify-0123456789"
	var o *outside
	e := newEnv(t, func(d *ahttp.Deps) {
		d.MetricsToken = token
		d.NotifyCounts = func() map[string]notify.Counts { return o.relay.Counts() }
	})
	o = newOutside(e)
	ctx := context.Background()
	e.mailReader("wang", "王芳", academy.LangZH, academy.RoleTrainee, []string{"s1"}, "wang.fang@example.com")

	wecom, dingtalk, feishu := robottest.NewWeCom(t), robottest.NewDingTalk(t, "SECmetrics"), robottest.NewFeishu(t, "metrics-feishu")
	hooks := map[string]map[string]any{
		"s1": {"robot": robottest.WeCom, "url": wecom.URL},
		"s2": {"robot": robottest.DingTalk, "url": dingtalk.URL, "secret": dingtalk.Secret},
		"s3": {"robot": robottest.Feishu, "url": feishu.URL, "secret": feishu.Secret},
		// The 钉钉 robot refuses a wrong signature: parked.
		"s4": {"robot": robottest.DingTalk, "url": dingtalk.URL, "secret": "SECwrong"},
		// Nothing listens: failed, to be tried again.
		"s5": {"robot": robottest.Feishu, "url": fmt.Sprintf("http://127.0.0.1:%d/open-apis/bot/v2/hook/x", mailtest.FreePort(t))},
	}
	for site, hook := range hooks {
		if site > "s2" {
			if err := e.accounts.Sites.CreateSite(ctx, &academy.Site{ID: site, Name: "项目" + site}); err != nil {
				t.Fatal(err)
			}
		}
		hook["kinds"] = []notify.Kind{notify.KindEscalated}
		if res := e.api("PUT", "/api/v1/sites/"+site+"/robot", "admin", hook); res.StatusCode != 200 {
			t.Fatalf("robot of %s: %d %s", site, res.StatusCode, res.Body)
		}
	}
	ms := []notify.Message{{Key: "granted/metrics/wang", Kind: notify.KindAttemptGranted, To: "wang", Params: map[string]string{"title": "消防安全", "by": "张老师"}, Link: "/quizzes"}}
	for site := range hooks {
		ms = append(ms, notify.Message{Key: "escalated/metrics/" + site, Kind: notify.KindEscalated, Site: site,
			Params: map[string]string{"ticket": "T-1", "subject": "电梯困人", "site_name": "项目" + site}, Link: "/desk/" + site})
	}
	if err := o.relay.Service.Enqueue(ctx, ms...); err != nil {
		t.Fatal(err)
	}
	if _, err := o.relay.Flush(ctx); err == nil {
		t.Fatal("no delivery was refused; the parked and failed ones should be")
	}
	if n := len(o.mail.Messages(t)); n != 1 {
		t.Fatalf("Mailpit has %d messages, want wang's", n)
	}
	for _, r := range []*robottest.Robot{wecom, dingtalk, feishu} {
		if n := len(r.Posts()); n != 1 {
			t.Fatalf("the %s robot took %d posts, want 1", r.Platform, n)
		}
	}
	if list := o.inbox("wang"); len(list) != 1 {
		t.Fatalf("wang's in-app list: %v", list)
	}

	req := httptest.NewRequest("GET", "/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res := e.do(req)
	if res.StatusCode != 200 {
		t.Fatalf("scrape: %d %s", res.StatusCode, res.Body)
	}
	got := map[string]int{}
	for _, m := range notifySample.FindAllStringSubmatch(res.Body, -1) {
		n, _ := strconv.Atoi(m[3])
		if n > 0 {
			got[m[1]+" "+m[2]] = n
		}
	}
	want := map[string]int{"email sent": 1, "in_app sent": 1, "wecom sent": 1, "dingtalk sent": 1, "dingtalk parked": 1, "feishu sent": 1, "feishu failed": 1}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("academy_notifications_total above zero:\n%v\nwant:\n%v\nmetrics:\n%s", got, want, res.Body)
	}
}
