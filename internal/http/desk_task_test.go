package http_test

import (
	"strings"
	"testing"
)

// A practice call's desk shows the call's task and leads back to the call
// in the same tab: while the owner is still talking it says so, at the task
// it shows what to do and what will be checked, in words, on the queue,
// the new-ticket form and a ticket's page. A practice desk opened by hand
// has no panel, and the run page opens the desk in the same tab.
func TestDeskShowsTheCallsTask(t *testing.T) {
	e := newEnv(t)
	var r apiRun
	e.api("POST", "/api/v1/scenarios/water-leak/runs", "trainee", nil).json(t, &r)
	desk := "/desk/" + r.Sandbox
	back := `id="back-to-call" href="/runs/` + r.ID + `"`

	run := e.api("GET", "/runs/"+r.ID, "trainee", nil).Body
	if !strings.Contains(run, `href="`+desk+`"`) || strings.Contains(run, "_blank") {
		t.Errorf("the run page does not open its desk in the same tab")
	}
	page := e.api("GET", desk, "trainee", nil).Body
	if !strings.Contains(page, back) || !strings.Contains(page, "返回通话") || !strings.Contains(page, "通话还在进行") {
		t.Fatalf("desk during the talk:\n%s", page)
	}

	r = talkToTask(t, e, "trainee", "water-leak", r)
	var tk apiTicket
	e.api("POST", "/api/v1/workspaces/"+r.Sandbox+"/tickets", "trainee", map[string]any{"type": "repair", "title": "渗水"}).json(t, &tk)
	for _, path := range []string{desk, desk + "/new", desk + "/tickets/" + tk.ID} {
		res := e.api("GET", path, "trainee", nil)
		page := res.Body
		for _, want := range []string{back, `id="task-panel"`, "要做什么", "系统会检查",
			"来电业主的报修工单", "处理部门：工程", // a ticket check, with its fields by name
			"报修工单依次：受理建单 → 派单", // an order check, by the actions' names
		} {
			if !strings.Contains(page, want) {
				t.Errorf("%s: no %q", path, want)
			}
		}
		for _, code := range []string{"engineering", ">order<", "persona"} {
			if strings.Contains(page[strings.Index(page, `id="task-panel"`):], code+"：") {
				t.Errorf("%s: the task panel shows %q", path, code)
			}
		}
		// The ticket's page folds the task so that its actions come first.
		open := strings.Contains(page, `<details class="task-text" open>`)
		if open == strings.Contains(path, "/tickets/") {
			t.Errorf("%s: task text open=%v", path, open)
		}
	}

	// Another learner's desk is not reachable, and a desk opened by hand has no task.
	if res := e.api("GET", desk, "agent", nil); res.StatusCode == 200 {
		t.Errorf("another user's practice call desk: %d", res.StatusCode)
	}
	sb := e.openSandbox(t, "trainee", "自由练习")
	if page := e.api("GET", "/desk/"+sb.ID, "trainee", nil).Body; strings.Contains(page, `id="task-panel"`) {
		t.Error("a practice desk shows a task panel")
	}
}
