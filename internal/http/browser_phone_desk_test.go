package http_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/academy/academy/internal/academy"
)

// A practice call's task done on a phone: the run opens its desk in the
// same tab, the desk shows the task and the way back, the queue is cards
// and nothing scrolls sideways, the resident is found by typing a name,
// the clock goes forward by the 23 and then 8 minutes the story takes, a
// ticket's actions come before its history, and back on the call the
// debrief grades what was done.
func TestBrowserPhoneScenarioTask(t *testing.T) {
	e := newEnv(t)
	base := e.listen()
	ctx := chrome(t)
	step(t, ctx, "a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	loginChrome(t, ctx, base, "trainee")
	sc := e.deps.Catalog.Snapshot().Scenarios["elevator-entrapment"]
	p := elevatorPlay

	noSideways := func(where string) {
		t.Helper()
		w, err := chromedp.Run(ctx, chromedp.Evaluate[int]("document.documentElement.scrollWidth"))
		if err != nil || w > 390 {
			t.Errorf("%s: the page is %d px wide on a 390 px phone (%v)", where, w, err)
		}
	}
	top := func(sel string) float64 {
		t.Helper()
		y, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelector("`+sel+`").getBoundingClientRect().top + window.scrollY`))
		if err != nil {
			t.Fatalf("top of %s: %v", sel, err)
		}
		return y
	}

	step(t, ctx, "open the call", chromedp.Navigate(base+"/scenarios/"+p.Slug), chromedp.WaitVisible("#start-run"))
	newPage(t, ctx, "start", chromedp.Click("#start-run"))
	runURL := loc(t, ctx)
	converse(t, ctx, sc, p)
	if attr(t, ctx, "#run-step", "data-kind") != academy.StepTask {
		t.Fatal("the call did not reach its task")
	}
	if target, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#open-sandbox").target`)); err != nil || target != "" {
		t.Fatalf("the desk opens in a new tab (%q, %v)", target, err)
	}
	newPage(t, ctx, "open the desk from the call", chromedp.Click("#open-sandbox"))
	desk := strings.TrimSuffix(loc(t, ctx), "/")
	// Folded on a phone, below the way back to the call.
	step(t, ctx, "the task panel", chromedp.WaitVisible("#back-to-call"), chromedp.Click("#task-panel summary"), chromedp.WaitVisible("#task-checks"))
	panel := text(t, ctx, "#task-panel")
	for _, want := range []string{"返回通话", "为何婉婷", "“受理建单”后5 分钟内“派单”", "报修工单：不要“挂起”"} {
		if !strings.Contains(panel, want) {
			t.Errorf("the task panel lacks %q:\n%s", want, panel)
		}
	}
	noSideways("the desk")
	screenshot(t, ctx, "phone-desk-task")

	// A new ticket, the caller found by typing her name.
	step(t, ctx, "the new-ticket form", chromedp.Navigate(desk+"/new"), chromedp.WaitVisible("#ticket-form"), chromedp.WaitVisible("#task-panel"))
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#resident-list option[value='3栋2单元1802 何婉婷']").length`)); err != nil || n != 1 {
		t.Fatalf("the resident suggestions lack the caller: %d %v", n, err)
	}
	in := p.Desk[0].Ticket
	step(t, ctx, "fill the ticket", chromedp.SetValue("#t-type", in.Type), chromedp.SendKeys("#t-resident", "何婉婷"),
		chromedp.SendKeys("#t-title", in.Title), chromedp.SendKeys("#t-desc", in.Description),
		chromedp.SetValue("#t-channel", in.Channel), chromedp.SetValue("#t-prio", in.Priority))
	noSideways("the new-ticket form")
	newPage(t, ctx, "create", chromedp.Click("#create-ticket"))
	step(t, ctx, "the ticket", chromedp.WaitVisible("#ticket-state"))
	ticketURL := loc(t, ctx)
	if facts := text(t, ctx, ".facts"); !strings.Contains(facts, "何婉婷") {
		t.Fatalf("the ticket's resident:\n%s", facts)
	}
	deskAct(t, ctx, in.Type, act("dispatch", kv{"department": "engineering", "priority": "urgent"}), time.Now())
	deskAct(t, ctx, in.Type, internalNote("18:21通知电梯维保单位；18:22通知工程部值班和值班主管；18:25安保到11楼电梯口守候。"), time.Now())
	// On the phone the actions come first, the history after them, folded.
	step(t, ctx, "the ticket page", chromedp.WaitVisible("#do-start"))
	if a, h := top("#do-start"), top("#history"); a > h || a > 2*844 {
		t.Errorf("the actions start at %.0f px, the history at %.0f px", a, h)
	}
	if open, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("#history").open`)); err != nil || open {
		t.Errorf("the history is unfolded on a phone (%v)", err)
	}
	noSideways("the ticket")
	screenshot(t, ctx, "phone-ticket")

	// The clock, by what the story takes: 23 minutes to the engineer's
	// arrival, 8 more to the rescue, a day to the return visit.
	clock := func(amount, unit string) {
		t.Helper()
		step(t, ctx, "the desk's clock", chromedp.Navigate(desk), chromedp.WaitVisible("#advance-form"))
		newPage(t, ctx, "advance "+amount+" "+unit, chromedp.SetValue("#adv-unit", unit), chromedp.SendKeys("#adv-amount", amount),
			chromedp.Click("#advance-custom"))
	}
	clock("23", "minutes")
	if off := e.sandboxes(t, "trainee")[0].Offset; off != 23*time.Minute {
		t.Fatalf("the clock is %v ahead, want 23m", off)
	}
	noSideways("the queue")
	screenshot(t, ctx, "phone-queue")
	step(t, ctx, "the ticket again", chromedp.Navigate(ticketURL), chromedp.WaitVisible("#do-start"))
	deskAct(t, ctx, in.Type, act("start", nil), time.Now())
	clock("8", "minutes")
	step(t, ctx, "the ticket again", chromedp.Navigate(ticketURL), chromedp.WaitVisible("#do-complete"))
	deskAct(t, ctx, in.Type, p.Desk[6], time.Now()) // complete
	clock("24", "hours")
	step(t, ctx, "the ticket again", chromedp.Navigate(ticketURL), chromedp.WaitVisible("#do-return_visit"))
	deskAct(t, ctx, in.Type, p.Desk[8], time.Now()) // return visit
	deskAct(t, ctx, in.Type, act("close", nil), time.Now())

	// What got stored: one urgent repair of the caller, dispatched to
	// engineering, completed 31 simulated minutes after it was opened.
	var sb academy.Sandbox
	sb.ID = strings.TrimPrefix(desk, base+"/desk/")
	tickets := e.sandboxTickets(t, sb.ID)
	if len(tickets) != 1 || tickets[0].Resident != academy.PersonaID || tickets[0].State != "closed" || tickets[0].Department != "engineering" {
		t.Fatalf("stored: %+v", tickets)
	}
	var tk struct{ Events []academy.Event }
	e.api("GET", "/api/v1/workspaces/"+sb.ID+"/tickets/"+tickets[0].ID, "trainee", nil).json(t, &tk)
	var created, completed time.Time
	for _, ev := range tk.Events {
		switch ev.Action {
		case "create":
			created = ev.At
		case "complete":
			completed = ev.At
		}
	}
	if d := completed.Sub(created); d < 31*time.Minute || d > 33*time.Minute {
		t.Errorf("completed %v after it was opened, want 31 minutes", d)
	}

	step(t, ctx, "the task panel leads back", chromedp.Navigate(desk), chromedp.WaitVisible("#back-to-call"))
	newPage(t, ctx, "back to the call", chromedp.Click("#back-to-call"))
	if loc(t, ctx) != runURL {
		t.Fatalf("back to the call went to %s, not %s", loc(t, ctx), runURL)
	}
	newPage(t, ctx, "done", confirmYes(), chromedp.Click("#task-done"))
	converse(t, ctx, sc, p)
	step(t, ctx, "debrief", chromedp.WaitVisible("#debrief-result"))
	noSideways("the debrief")
	screenshot(t, ctx, "phone-debrief")
	passedDebrief(t, p.Slug, text(t, ctx, "main"))
}
