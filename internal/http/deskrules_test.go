package http_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
)

// repairEdit gives repairs a state waiting for parts (待料) and a normal
// repair 48 hours instead of 72.
func repairEdit(t *testing.T) string {
	t.Helper()
	text := string(academy.ShippedDeskRulesYAML())
	for _, c := range [][2]string{
		{"      - {id: in_progress, label: 处理中}\n", "      - {id: in_progress, label: 处理中}\n      - {id: waiting_parts, label: 待料}\n"},
		{"      - {action: start, label: 开始处理, from: [dispatched], to: in_progress}\n",
			"      - {action: start, label: 开始处理, from: [dispatched], to: in_progress}\n      - {action: wait_parts, label: 等待配件, from: [in_progress], to: waiting_parts, fields: [note]}\n      - {action: parts_arrived, label: 配件到货, from: [waiting_parts], to: in_progress}\n"},
		{"      normal: {first_response: 2h, resolution: 72h}\n      low: {first_response: 4h, resolution: 168h, business_hours: true}\n\n  - type: complaint",
			"      normal: {first_response: 2h, resolution: 48h}\n      low: {first_response: 4h, resolution: 168h, business_hours: true}\n\n  - type: complaint"},
	} {
		if !strings.Contains(text, c[0]) {
			t.Fatalf("the shipped rules no longer hold %q", c[0])
		}
		text = strings.Replace(text, c[0], c[1], 1)
	}
	return text
}

func (e *env) startRepair(title string) apiTicket {
	e.t.Helper()
	var tk apiTicket
	res := e.api("POST", "/api/v1/workspaces/s1/tickets", "agent", map[string]any{"type": "repair", "title": title, "resident": "r1", "priority": "normal"})
	if res.StatusCode != 201 {
		e.t.Fatalf("create: %d %s", res.StatusCode, res.Body)
	}
	res.json(e.t, &tk)
	for i, a := range []struct {
		action string
		fields map[string]string
	}{{"dispatch", map[string]string{"department": "engineering", "priority": "normal"}}, {"start", nil}} {
		if res := e.transition("s1", tk.ID, "agent", a.action, i+1, a.fields); res.StatusCode != 200 {
			e.t.Fatalf("%s: %d %s", a.action, res.StatusCode, res.Body)
		} else {
			res.json(e.t, &tk)
		}
	}
	return tk
}

func allows(tk apiTicket, action string) bool {
	for _, a := range tk.Allowed {
		if a.Action == action {
			return true
		}
	}
	return false
}

// TestDeskRulesWeb is issue 19's "done when": an admin changes a repair's
// SLA and adds a state in the web, checking the change before saving;
// new tickets follow it, a ticket already open keeps its rules; a broken
// edit is refused with messages naming what is wrong and saves nothing;
// an earlier version can be restored.
func TestDeskRulesWeb(t *testing.T) {
	e := newEnv(t)
	old := e.startRepair("卫生间漏水")
	if old.SLA.Policy.Resolution != 72*time.Hour || allows(old, "wait_parts") {
		t.Fatalf("before the edit: %+v", old.SLA.Policy)
	}
	b := e.browser()
	b.loginAs("admin")
	page := b.get("/admin/desk-rules")
	if page.StatusCode != 200 || !strings.Contains(page.Body, "程序自带的默认规则") || !strings.Contains(page.Body, `<label for="rules-yaml">`) {
		t.Fatalf("editor: %d %s", page.StatusCode, page.Body)
	}
	token := csrfRE.FindStringSubmatch(page.Body)[1]
	form := func(step, text string) url.Values {
		return url.Values{"_csrf": {token}, "site": {""}, "base": {""}, "yaml": {text}, "step": {step}}
	}
	history := func() int {
		var h struct{ Revisions []map[string]any }
		e.api("GET", "/api/v1/desk-rules/revisions", "admin", nil).json(t, &h)
		return len(h.Revisions)
	}

	// A broken edit: a terminal state with an exit and a missing SLA.
	broken := strings.Replace(repairEdit(t), "from: [visited], to: closed}", "from: [visited, closed], to: closed}", 1)
	broken = strings.Replace(broken, "      high: {first_response: 30m, resolution: 24h}\n", "", 1)
	res := b.post("/admin/desk-rules", form("save", broken))
	if res.StatusCode != 400 || !strings.Contains(res.Body, `id="rules-problems"`) ||
		!strings.Contains(res.Body, "流程“报修”（repair）的操作“关闭”（close）：状态“关闭”已办结，不能再有操作") ||
		!strings.Contains(res.Body, "流程“报修”（repair）的“高”优先级时限（sla.high）：缺少") || !strings.Contains(res.Body, "待料") {
		t.Fatalf("broken edit: %d %s", res.StatusCode, res.Body)
	}
	if n := history(); n != 0 {
		t.Fatalf("a refused edit saved %d revisions", n)
	}
	if res := e.api("POST", "/api/v1/desk-rules", "admin", map[string]any{"yaml": broken}); res.StatusCode != 400 ||
		!strings.Contains(res.Body, `"problems":[`) || !strings.Contains(res.Body, "state \\\"closed\\\" is terminal and cannot have exits") {
		t.Fatalf("API broken edit: %d %s", res.StatusCode, res.Body)
	}

	// Check shows the change; save makes it version 1.
	res = b.post("/admin/desk-rules", form("check", repairEdit(t)))
	if res.StatusCode != 200 || !strings.Contains(res.Body, `<span class="diff-add">&#43;      - {id: waiting_parts, label: 待料}</span>`) ||
		!strings.Contains(res.Body, `id="rules-save"`) || history() != 0 {
		t.Fatalf("check: %d %s", res.StatusCode, res.Body)
	}
	if res := b.post("/admin/desk-rules", form("save", repairEdit(t))); res.StatusCode != 303 {
		t.Fatalf("save: %d %s", res.StatusCode, res.Body)
	}
	if n := history(); n != 1 {
		t.Fatalf("%d revisions after the save", n)
	}

	// New tickets follow the new rules, the open one keeps its own.
	fresh := e.startRepair("厨房水管漏水")
	if fresh.SLA.Policy.Resolution != 48*time.Hour || !allows(fresh, "wait_parts") {
		t.Fatalf("new ticket: %+v %v", fresh.SLA.Policy, fresh.Allowed)
	}
	if res := e.transition("s1", fresh.ID, "agent", "wait_parts", fresh.Version, map[string]string{"note": "等密封圈"}); res.StatusCode != 200 ||
		!strings.Contains(res.Body, `"state":"waiting_parts"`) {
		t.Fatalf("new state: %d %s", res.StatusCode, res.Body)
	}
	if page := b.get("/desk/s1/tickets/" + fresh.ID).Body; !strings.Contains(page, "待料") || strings.Contains(page, ">waiting_parts<") {
		t.Error("the ticket page does not name the new state 待料")
	}
	var again apiTicket
	e.api("GET", "/api/v1/workspaces/s1/tickets/"+old.ID, "agent", nil).json(t, &again)
	if again.SLA.Policy.Resolution != 72*time.Hour || allows(again, "wait_parts") {
		t.Fatalf("the open ticket changed rules: %+v %v", again.SLA.Policy, again.Allowed)
	}
	if res := e.transition("s1", old.ID, "agent", "wait_parts", old.Version, map[string]string{"note": "x"}); res.StatusCode != 400 {
		t.Fatalf("an old ticket took a new action: %d %s", res.StatusCode, res.Body)
	}
	if res := e.transition("s1", old.ID, "agent", "complete", old.Version, map[string]string{"resolution": "更换密封圈"}); res.StatusCode != 200 {
		t.Fatalf("the old ticket cannot finish: %d %s", res.StatusCode, res.Body)
	}

	// A second save from a stale base is refused; a restore of version
	// 1 after version 2 is version 3 with version 1's text.
	second := strings.Replace(repairEdit(t), "resolution: 48h}", "resolution: 36h}", 1)
	if res := b.post("/admin/desk-rules", form("save", second)); res.StatusCode != 409 {
		t.Fatalf("stale base: %d %s", res.StatusCode, res.Body)
	}
	var v2 struct{ Rev string }
	if res := e.api("POST", "/api/v1/desk-rules", "admin", map[string]any{"yaml": second, "base": "c1"}); res.StatusCode != 201 {
		t.Fatalf("second save: %d %s", res.StatusCode, res.Body)
	} else {
		res.json(t, &v2)
	}
	if rev := b.get("/admin/desk-rules/revisions/c2"); rev.StatusCode != 200 || !strings.Contains(rev.Body, `<span class="diff-add">`) || !strings.Contains(rev.Body, "36h") {
		t.Fatalf("revision page: %d %s", rev.StatusCode, rev.Body)
	}
	if res := b.post("/admin/desk-rules/revisions/c1/restore", url.Values{"_csrf": {token}}); res.StatusCode != 303 {
		t.Fatalf("restore: %d %s", res.StatusCode, res.Body)
	}
	var cur struct{ Rev, YAML, Restored string }
	e.api("GET", "/api/v1/desk-rules", "admin", nil).json(t, &cur)
	if v2.Rev != "c2" || cur.Rev != "c3" || cur.Restored != "c1" || cur.YAML != repairEdit(t) {
		t.Fatalf("after the restore: %s %s %s", v2.Rev, cur.Rev, cur.Restored)
	}
	if tk := e.startRepair("阳台地漏堵塞"); tk.SLA.Policy.Resolution != 48*time.Hour {
		t.Fatalf("after the restore a new ticket has %v", tk.SLA.Policy.Resolution)
	}
	// A site of its own: s1 keeps its rules apart from the company's.
	if res := e.api("POST", "/api/v1/desk-rules?site=s1", "admin", map[string]any{"yaml": second}); res.StatusCode != 201 {
		t.Fatalf("site save: %d %s", res.StatusCode, res.Body)
	}
	if tk := e.startRepair("门禁失灵"); tk.SLA.Policy.Resolution != 36*time.Hour {
		t.Fatalf("site rules: a new ticket has %v", tk.SLA.Policy.Resolution)
	}
	if res := e.api("GET", "/api/v1/desk-rules?site=nowhere", "admin", nil); res.StatusCode != 404 {
		t.Fatalf("unknown site: %d %s", res.StatusCode, res.Body)
	}
}
