package http_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// doAction opens an action's form on the ticket page, fills its fields and
// submits it, then waits for the page to come back.
func doAction(t *testing.T, ctx context.Context, action string, fields map[string]string) {
	t.Helper()
	steps := []chromedp.Action[chromedp.Void]{chromedp.Click("#do-" + action), chromedp.WaitVisible("#submit-" + action)}
	for id, v := range fields {
		steps = append(steps, chromedp.SetValue("#do-"+action+" ~ form #f-"+id, v))
	}
	// The action is no longer offered once the new page is there.
	steps = append(steps, chromedp.Click("#submit-"+action), chromedp.WaitNotPresent("#submit-"+action), chromedp.WaitVisible("#ticket-state"))
	step(t, ctx, action, steps...)
}

func workTicket(t *testing.T, ctx context.Context) {
	t.Helper()
	doAction(t, ctx, "dispatch", map[string]string{"department": "engineering", "priority": "high"})
	doAction(t, ctx, "start", nil)
	doAction(t, ctx, "complete", map[string]string{"resolution": "更换了破损的进水软管"})
	doAction(t, ctx, "return_visit", map[string]string{"satisfaction": "5", "comment": "业主表示满意"})
	doAction(t, ctx, "close", nil)
	if s := text(t, ctx, "#ticket-state"); !strings.Contains(s, "关闭") {
		t.Fatalf("state after close: %q", s)
	}
}

func TestBrowserDeskLiveAndSandbox(t *testing.T) {
	e := newEnv(t)
	base := e.listen()

	agent := chrome(t)
	loginChrome(t, agent, base, "agent")
	step(t, agent, "new live ticket", chromedp.Navigate(base+"/desk/s1/new"), chromedp.WaitVisible("#ticket-form"),
		chromedp.SetValue("#t-resident", "r1"), chromedp.SendKeys("#t-title", "卫生间天花板渗水"),
		chromedp.Click("#create-ticket"), chromedp.WaitVisible("#do-dispatch"))
	if p := text(t, agent, "#phone"); p != "138****5678" {
		t.Fatalf("phone shown as %q", p)
	}
	workTicket(t, agent)
	screenshot(t, agent, "live-ticket-closed")

	trainee := chrome(t)
	loginChrome(t, trainee, base, "trainee")
	step(t, trainee, "open a sandbox", chromedp.Navigate(base+"/desk"), chromedp.WaitVisible("#open-sandbox"),
		chromedp.Click("#open-sandbox"), chromedp.WaitVisible("#sandbox-banner"))
	if b := text(t, trainee, "#sandbox-banner"); !strings.Contains(b, "演练环境") || strings.Contains(b, "SANDBOX") {
		t.Fatalf("banner: %q", b)
	}
	step(t, trainee, "new sandbox ticket", chromedp.Click("#new-ticket"), chromedp.WaitVisible("#ticket-form"),
		chromedp.SendKeys("#t-title", "电梯按钮失灵"), chromedp.SetValue("#t-prio", "urgent"),
		chromedp.Click("#create-ticket"), chromedp.WaitVisible("#do-dispatch"))
	ticketURL, err := chromedp.Run(trainee, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	// Let the simulated clock run past the 15-minute first response target.
	step(t, trainee, "back to the queue", chromedp.Navigate(strings.Split(ticketURL, "/tickets/")[0]), chromedp.WaitVisible("#advance-hour"))
	// The practice desk has overdue tickets of its own: wait for this one's row.
	step(t, trainee, "advance an hour", chromedp.Click("#advance-hour"),
		chromedp.WaitVisible(`#queue tr.overdue-row a[href="`+strings.TrimPrefix(strings.Split(ticketURL, "?")[0], base)+`"]`))
	screenshot(t, trainee, "sandbox-overdue")
	step(t, trainee, "open the ticket", chromedp.Navigate(ticketURL), chromedp.WaitVisible("#sla-overdue"))
	workTicket(t, trainee)
	if b := text(t, trainee, "#sandbox-banner"); !strings.Contains(b, "演练环境") {
		t.Fatal("banner missing on the ticket page")
	}
	screenshot(t, trainee, "sandbox-ticket-closed")
}
