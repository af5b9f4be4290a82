package http_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

func loc(t *testing.T, ctx context.Context) string {
	t.Helper()
	l, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestBrowserWaterLeakScenario(t *testing.T) {
	e := newEnv(t)
	base := e.listen()
	ctx := chrome(t)
	loginChrome(t, ctx, base, "trainee")
	good := playScenario(t, e, ctx, base, waterLeakPlay, "water-leak")
	passedDebrief(t, "water-leak", good)
	screenshot(t, ctx, "debrief-pass")
	// Closing without the return visit is what the required order check
	// exists for: the run fails whatever its score.
	bad := playScenario(t, e, ctx, base, waterLeakPlay.without("return_visit", "close"), "")
	if !strings.Contains(bad, "有必做步骤没有完成") || strings.Contains(bad, "未达到及格线") || !strings.Contains(bad, "缺少“回访”") {
		t.Fatalf("run without the return visit:\n%s", bad)
	}
	screenshot(t, ctx, "debrief-fail")
}
