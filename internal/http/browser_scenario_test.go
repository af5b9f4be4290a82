package http_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/academy/academy/internal/academy"
)

// playLeakInBrowser plays the water-leak scenario as a trainee would: the
// best answers, then the repair ticket on the run's sandbox desk with the
// given actions, then the rest of the call. It returns the debrief text.
func playLeakInBrowser(t *testing.T, e *env, ctx context.Context, base string, actions []string) string {
	t.Helper()
	sc := e.deps.Catalog.Snapshot().Scenarios["water-leak"]
	step(t, ctx, "open the scenario", chromedp.Navigate(base+"/scenarios/water-leak"), chromedp.WaitVisible("#start-run"))
	step(t, ctx, "start", chromedp.Click("#start-run"), chromedp.WaitVisible("#run-step"))
	runURL, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	attr := func(name string) string {
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		v, err := chromedp.Run(sctx, chromedp.AttributeValue("#run-step", name))
		if err != nil {
			t.Fatal(err)
		}
		return v.Value
	}
	// moved waits until the page no longer shows step old (the next step,
	// or the debrief, has loaded).
	moved := func(old string) {
		sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		js := `(() => { const s = document.getElementById("run-step"); return document.readyState === "complete" && (!s || s.dataset.step !== "` + old + `"); })()`
		for {
			// A navigation interrupts the poll; poll the new page again.
			_, err := chromedp.Run(sctx, chromedp.Poll[bool](js))
			if err == nil {
				return
			}
			if sctx.Err() != nil {
				t.Fatalf("still at step %s: %v", old, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	answer := func() {
		for i := 0; attr("data-kind") == "dialogue"; i++ {
			if i > 20 {
				t.Fatal("the conversation does not end")
			}
			st := sc.Step(attr("data-step"))
			if st.Reply != nil {
				var words []string
				for _, g := range st.Reply.Required {
					words = append(words, g.Any[0])
				}
				step(t, ctx, "reply", chromedp.SendKeys("#reply", "刘女士，"+strings.Join(words, "，")+"。"), chromedp.Click("#send-reply"))
				moved(st.ID)
				continue
			}
			best, score := 0, -100
			for j, c := range st.Choices {
				sum := 0
				for _, v := range c.Scores {
					sum += v
				}
				if sum > score {
					best, score = j, sum
				}
			}
			step(t, ctx, "choose at "+st.ID, chromedp.Click("#choice-"+strconv.Itoa(best)))
			moved(st.ID)
			if strings.Contains(loc(t, ctx), "/debrief") {
				return
			}
		}
	}
	answer()
	if attr("data-kind") != "task" {
		t.Fatalf("expected the task, at %s", attr("data-step"))
	}
	sandbox, err := chromedp.Run(ctx, chromedp.AttributeValue("#open-sandbox", "href"))
	if err != nil {
		t.Fatal(err)
	}
	step(t, ctx, "new ticket in the sandbox", chromedp.Navigate(base+sandbox.Value+"/new"), chromedp.WaitVisible("#ticket-form"),
		chromedp.SetValue("#t-resident", academy.PersonaID), chromedp.SendKeys("#t-title", "主卫天花板渗水"), chromedp.SetValue("#t-prio", "high"),
		chromedp.Click("#create-ticket"), chromedp.WaitVisible("#do-dispatch"))
	fields := map[string]map[string]string{
		"dispatch":     {"department": "engineering", "priority": "high"},
		"complete":     {"resolution": "更换702给水管接头"},
		"return_visit": {"satisfaction": "5", "comment": "已不再滴水"},
	}
	for _, a := range actions {
		doAction(t, ctx, a, fields[a])
	}
	step(t, ctx, "back to the call", chromedp.Navigate(runURL), chromedp.WaitVisible("#task-done"))
	step(t, ctx, "done", confirmYes(), chromedp.Click("#task-done"))
	moved("task")
	if !strings.Contains(loc(t, ctx), "/debrief") {
		answer()
	}
	step(t, ctx, "debrief", chromedp.WaitVisible("#debrief-result"))
	return text(t, ctx, "main")
}

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
	good := playLeakInBrowser(t, e, ctx, base, []string{"dispatch", "start", "complete", "return_visit", "close"})
	if !strings.Contains(good, "通过") || strings.Contains(good, "没做到的地方") {
		t.Fatalf("passing run's debrief:\n%s", good)
	}
	screenshot(t, ctx, "debrief-pass")
	bad := playLeakInBrowser(t, e, ctx, base, []string{"dispatch", "start", "complete"})
	if !strings.Contains(bad, "未达到及格线") || !strings.Contains(bad, "缺少“回访”") {
		t.Fatalf("run without the return visit:\n%s", bad)
	}
	screenshot(t, ctx, "debrief-fail")
}
