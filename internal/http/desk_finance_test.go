package http_test

import (
	"strings"
	"testing"
)

// TestDeskSendsABillingCheckToFinance: the fee lessons send a disputed bill
// to 财务, so the desk offers it as a department, takes it, and shows it
// by name.
func TestDeskSendsABillingCheckToFinance(t *testing.T) {
	e := newEnv(t)
	var tk apiTicket
	if res := e.api("POST", "/api/v1/workspaces/s1/tickets", "agent", map[string]any{"type": "complaint", "title": "本季度物业费多了60元", "resident": "r1", "priority": "normal"}); res.StatusCode != 201 {
		t.Fatalf("create: %d %s", res.StatusCode, res.Body)
	} else {
		res.json(t, &tk)
	}
	if res := e.transition("s1", tk.ID, "agent", "confirm", 1, map[string]string{"summary": "账单比上季度多60元，希望核对"}); res.StatusCode != 200 {
		t.Fatalf("confirm: %d %s", res.StatusCode, res.Body)
	}
	res := e.transition("s1", tk.ID, "agent", "investigate", 2, map[string]string{"department": "finance"})
	if res.StatusCode != 200 || !strings.Contains(res.Body, `"department":"finance"`) {
		t.Fatalf("investigate by finance: %d %s", res.StatusCode, res.Body)
	}
	b := e.browser()
	b.loginAs("agent")
	if page := b.get("/desk/s1/tickets/" + tk.ID).Body; !strings.Contains(page, "<dd>财务</dd>") || strings.Contains(page, "<dd>finance</dd>") {
		t.Error("the ticket page does not name the department 财务")
	}
	// A repair's dispatch form offers it too.
	var rp apiTicket
	e.api("POST", "/api/v1/workspaces/s1/tickets", "agent", map[string]any{"type": "repair", "title": "楼道灯不亮", "resident": "r1", "priority": "normal"}).json(t, &rp)
	if page := b.get("/desk/s1/tickets/" + rp.ID).Body; !strings.Contains(page, `<option value="finance">财务</option>`) {
		t.Error("the dispatch form does not offer 财务")
	}
}
