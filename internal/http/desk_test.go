package http_test

import (
	"context"
	"encoding/json"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/content"
	"github.com/academy/academy/web"
)

type apiTicket struct {
	ID       string
	Number   string
	State    string
	Version  int
	Phone    string `json:"resident_phone"`
	Allowed  []academy.TransitionDef
	SLA      academy.SLAStatus
	Events   []academy.Event
	Assignee string
}

func (e *env) transition(ws, id, who, action string, version int, fields map[string]string) *response {
	return e.api("POST", "/api/v1/workspaces/"+ws+"/tickets/"+id+"/transitions", who,
		map[string]any{"action": action, "version": version, "fields": fields})
}

func TestLiveRepairFromReceivedToClosed(t *testing.T) {
	e := newEnv(t)
	res := e.api("POST", "/api/v1/workspaces/s1/tickets", "agent", map[string]any{"type": "repair", "title": "卫生间天花板渗水", "resident": "r1", "priority": "high"})
	if res.StatusCode != 201 {
		t.Fatalf("create: %d %s", res.StatusCode, res.Body)
	}
	var tk apiTicket
	res.json(t, &tk)
	if tk.State != "received" || tk.Phone != "138****5678" || strings.Contains(res.Body, "13812345678") || len(tk.Allowed) != 1 || tk.Allowed[0].Action != "dispatch" {
		t.Fatalf("new ticket: %s", res.Body)
	}
	steps := []struct {
		action string
		fields map[string]string
		state  string
	}{
		{"dispatch", map[string]string{"department": "engineering", "priority": "high"}, "dispatched"},
		{"start", nil, "in_progress"},
		{"complete", map[string]string{"resolution": "更换破损水管"}, "done"},
		{"return_visit", map[string]string{"satisfaction": "5", "comment": "满意"}, "visited"},
		{"close", nil, "closed"},
	}
	for _, s := range steps {
		res := e.transition("s1", tk.ID, "agent", s.action, tk.Version, s.fields)
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d %s", s.action, res.StatusCode, res.Body)
		}
		res.json(t, &tk)
		if tk.State != s.state {
			t.Fatalf("%s -> %s", s.action, tk.State)
		}
	}
	if len(tk.Events) != 6 || !tk.SLA.Resolved {
		t.Fatalf("closed ticket: %d events, sla %+v", len(tk.Events), tk.SLA)
	}
	var q struct{ Items []academy.TicketSummary }
	e.api("GET", "/api/v1/workspaces/s1/tickets?queue=open", "agent", nil).json(t, &q)
	if len(q.Items) != 0 {
		t.Fatalf("closed ticket still in the open queue: %+v", q.Items)
	}
	e.api("GET", "/api/v1/workspaces/s1/tickets?queue=all&q="+url.QueryEscape("王芳"), "agent", nil).json(t, &q)
	if len(q.Items) != 1 || q.Items[0].Number != tk.Number {
		t.Fatalf("search by resident name: %+v", q.Items)
	}
	e.api("GET", "/api/v1/workspaces/s1/tickets?queue=all&q="+url.QueryEscape("1202 5678"), "agent", nil).json(t, &q)
	if len(q.Items) != 1 {
		t.Fatalf("search by flat and the last digits of the phone: %+v", q.Items)
	}
	e.api("GET", "/api/v1/workspaces/s1/tickets?queue=all&q=1202", "agent", nil).json(t, &q)
	if len(q.Items) != 1 {
		t.Fatalf("search by flat: %+v", q.Items)
	}
}

func TestDeskRefusals(t *testing.T) {
	e := newEnv(t)
	var tk apiTicket
	e.api("POST", "/api/v1/workspaces/s1/tickets", "agent", map[string]any{"type": "repair", "title": "路灯不亮"}).json(t, &tk)
	for _, c := range []struct {
		body   any
		status int
		msg    string
	}{
		{map[string]any{"action": "complete", "version": 1, "fields": map[string]string{"resolution": "x"}}, 400, "allowed now: dispatch"},
		{map[string]any{"action": "dispatch", "version": 1, "fields": map[string]string{"priority": "high"}}, 400, "fields.department"},
		{map[string]any{"action": "dispatch", "version": 9, "fields": map[string]string{"department": "engineering", "priority": "high"}}, 409, "version 1, you saw 9"},
		{map[string]any{"action": "", "version": 1}, 400, "action: required"},
		{`{"action":"dispatch","version":"one"}`, 400, "version: must be"},
		{`{"action":`, 400, "JSON"},
		{map[string]any{"action": "assign", "version": 1, "fields": map[string]string{"assignee": "somebody"}}, 400, "fields.assignee"},
	} {
		res := e.api("POST", "/api/v1/workspaces/s1/tickets/"+tk.ID+"/transitions", "agent", c.body)
		if res.StatusCode != c.status || !strings.Contains(res.Body, c.msg) {
			t.Errorf("%v: %d %s", c.body, res.StatusCode, res.Body)
		}
	}
	for _, c := range []struct {
		body map[string]any
		msg  string
	}{
		{map[string]any{"type": "party", "title": "x"}, "type:"},
		{map[string]any{"type": "repair"}, "title:"},
		{map[string]any{"type": "repair", "title": "x", "resident": "nobody"}, "resident:"},
	} {
		if res := e.api("POST", "/api/v1/workspaces/s1/tickets", "agent", c.body); res.StatusCode != 400 || !strings.Contains(res.Body, c.msg) {
			t.Errorf("%v: %d %s", c.body, res.StatusCode, res.Body)
		}
	}
	if res := e.api("GET", "/api/v1/workspaces/s1/tickets?queue=weird", "agent", nil); res.StatusCode != 400 {
		t.Fatalf("bad queue: %d", res.StatusCode)
	}
	// Taking the ticket works with a fresh version.
	if res := e.transition("s1", tk.ID, "agent", "assign", 1, map[string]string{"assignee": "agent"}); res.StatusCode != 200 {
		t.Fatalf("take: %s", res.Body)
	}
	var mine struct{ Items []academy.TicketSummary }
	e.api("GET", "/api/v1/workspaces/s1/tickets?queue=mine", "agent", nil).json(t, &mine)
	if len(mine.Items) != 1 {
		t.Fatalf("mine: %+v", mine.Items)
	}
}

func TestWorkspaceIsolation(t *testing.T) {
	e := newEnv(t)
	var live apiTicket
	e.api("POST", "/api/v1/workspaces/s1/tickets", "agent", map[string]any{"type": "inquiry", "title": "物业费怎么交"}).json(t, &live)
	var sb academy.Sandbox
	if res := e.api("POST", "/api/v1/sandboxes", "trainee", map[string]string{"name": "练习"}); res.StatusCode != 201 {
		t.Fatalf("open sandbox: %d %s", res.StatusCode, res.Body)
	} else {
		res.json(t, &sb)
	}
	var own apiTicket
	res := e.api("POST", "/api/v1/workspaces/"+sb.ID+"/tickets", "trainee", map[string]any{"type": "repair", "title": "练习报修", "resident": sb.Directory.Residents[0].ID})
	res.json(t, &own)
	if res.StatusCode != 201 {
		t.Fatalf("sandbox ticket: %s", res.Body)
	}
	// A live ticket through the sandbox, by id: not there.
	if res := e.api("GET", "/api/v1/workspaces/"+sb.ID+"/tickets/"+live.ID, "trainee", nil); res.StatusCode != 404 {
		t.Fatalf("live ticket through a sandbox: %d", res.StatusCode)
	}
	if res := e.transition(sb.ID, live.ID, "trainee", "answer", 1, map[string]string{"answer": "x"}); res.StatusCode != 404 {
		t.Fatalf("changing a live ticket through a sandbox: %d", res.StatusCode)
	}
	// The sandbox ticket through the live desk: not there either.
	if res := e.api("GET", "/api/v1/workspaces/s1/tickets/"+own.ID, "agent", nil); res.StatusCode != 404 {
		t.Fatalf("sandbox ticket through the live desk: %d", res.StatusCode)
	}
	// The trainee cannot use the live desk at all.
	if res := e.api("GET", "/api/v1/workspaces/s1/tickets", "trainee", nil); res.StatusCode != 403 {
		t.Fatalf("trainee on the live desk: %d", res.StatusCode)
	}
	// Another learner's sandbox is not found, whoever asks.
	for _, who := range []string{"agent", "trainer", "manager"} {
		if res := e.api("GET", "/api/v1/workspaces/"+sb.ID+"/tickets/"+own.ID, who, nil); res.StatusCode != 404 {
			t.Fatalf("%s reads the trainee's sandbox: %d", who, res.StatusCode)
		}
		if res := e.transition(sb.ID, own.ID, who, "dispatch", 1, map[string]string{"department": "engineering", "priority": "high"}); res.StatusCode != 404 {
			t.Fatalf("%s changes the trainee's sandbox: %d", who, res.StatusCode)
		}
	}
	// Another site's manager cannot reach site s1's desk.
	if res := e.api("GET", "/api/v1/workspaces/s1/tickets", "othermanager", nil); res.StatusCode != 403 {
		t.Fatalf("other site: %d", res.StatusCode)
	}
	// Nothing leaked into the live ticket.
	var again apiTicket
	e.api("GET", "/api/v1/workspaces/s1/tickets/"+live.ID, "agent", nil).json(t, &again)
	if again.Version != 1 {
		t.Fatalf("live ticket changed: version %d", again.Version)
	}
}

func TestSandboxClockAndReset(t *testing.T) {
	e := newEnv(t)
	var sb academy.Sandbox
	e.api("POST", "/api/v1/sandboxes", "trainee", nil).json(t, &sb)
	if len(sb.Directory.Residents) == 0 || !strings.HasPrefix(sb.ID, "sb-") {
		t.Fatalf("sandbox: %+v", sb)
	}
	var tk apiTicket
	e.api("POST", "/api/v1/workspaces/"+sb.ID+"/tickets", "trainee", map[string]any{"type": "repair", "title": "电梯异响", "priority": "urgent"}).json(t, &tk)
	var q struct {
		Items []struct {
			academy.TicketSummary
			Overdue bool
		}
	}
	// The practice desk's own overdue tickets aside, the new one is not
	// overdue before any time passed, and is 20 simulated minutes later.
	overdue := func() []string {
		q.Items = nil
		e.api("GET", "/api/v1/workspaces/"+sb.ID+"/tickets?queue=overdue", "trainee", nil).json(t, &q)
		var ids []string
		for _, it := range q.Items {
			if !it.Overdue {
				t.Errorf("%s is listed as overdue but is not", it.Number)
			}
			ids = append(ids, it.ID)
		}
		return ids
	}
	if slices.Contains(overdue(), tk.ID) {
		t.Fatal("overdue before any time passed")
	}
	e.api("GET", "/api/v1/workspaces/"+sb.ID+"/tickets?queue=all", "trainee", nil).json(t, &q)
	seeded := len(q.Items) - 1
	if res := e.api("POST", "/api/v1/sandboxes/"+sb.ID+"/clock", "trainee", map[string]int{"minutes": 20}); res.StatusCode != 200 {
		t.Fatalf("advance: %d %s", res.StatusCode, res.Body)
	}
	if !slices.Contains(overdue(), tk.ID) {
		t.Fatalf("urgent repair 20 simulated minutes old is not overdue: %+v", q.Items)
	}
	e.api("GET", "/api/v1/workspaces/"+sb.ID+"/tickets/"+tk.ID, "trainee", nil).json(t, &tk)
	if tk.SLA.Overdue != "first_response" {
		t.Fatalf("sla: %+v", tk.SLA)
	}
	for _, bad := range []any{map[string]int{"minutes": 0}, map[string]int{"minutes": 60 * 24 * 31}, `{"minutes":"lots"}`} {
		if res := e.api("POST", "/api/v1/sandboxes/"+sb.ID+"/clock", "trainee", bad); res.StatusCode != 400 {
			t.Errorf("advance %v: %d", bad, res.StatusCode)
		}
	}
	if res := e.api("POST", "/api/v1/sandboxes/s1/clock", "agent", map[string]int{"minutes": 5}); res.StatusCode != 400 || !strings.Contains(res.Body, "only a sandbox") {
		t.Fatalf("clock on a live site: %d %s", res.StatusCode, res.Body)
	}
	if res := e.api("POST", "/api/v1/sandboxes/"+sb.ID+"/reset", "trainee", nil); res.StatusCode != 200 {
		t.Fatalf("reset: %d", res.StatusCode)
	}
	q.Items = nil
	e.api("GET", "/api/v1/workspaces/"+sb.ID+"/tickets?queue=all", "trainee", nil).json(t, &q)
	if len(q.Items) != seeded || slices.ContainsFunc(q.Items, func(it struct {
		academy.TicketSummary
		Overdue bool
	}) bool {
		return it.ID == tk.ID
	}) {
		t.Fatalf("tickets after reset: %d, want the %d the desk started with", len(q.Items), seeded)
	}
	var list struct{ Items []academy.Sandbox }
	e.api("GET", "/api/v1/sandboxes", "trainee", nil).json(t, &list)
	if len(list.Items) != 1 {
		t.Fatalf("my sandboxes: %d", len(list.Items))
	}
	e.api("GET", "/api/v1/sandboxes", "agent", nil).json(t, &list)
	if len(list.Items) != 0 {
		t.Fatal("someone else's sandboxes listed")
	}
}

func TestPhoneRevealIsAudited(t *testing.T) {
	e := newEnv(t)
	res := e.api("POST", "/api/v1/workspaces/s1/residents/r1/phone", "agent", nil)
	var out struct{ Phone string }
	res.json(t, &out)
	if out.Phone != "13812345678" {
		t.Fatalf("reveal: %s", res.Body)
	}
	var audit struct{ Items []academy.AuditEvent }
	e.api("GET", "/api/v1/audit?action=resident.phone_revealed", "admin", nil).json(t, &audit)
	if len(audit.Items) != 1 || audit.Items[0].Actor != "agent" || audit.Items[0].Target != "s1/r1" {
		t.Fatalf("audit: %+v", audit.Items)
	}
	if res := e.api("POST", "/api/v1/workspaces/s1/residents/ghost/phone", "agent", nil); res.StatusCode != 404 {
		t.Fatalf("unknown resident: %d", res.StatusCode)
	}
	var dir struct {
		Residents []struct{ ID, Phone string }
	}
	e.api("GET", "/api/v1/workspaces/s1/directory", "agent", nil).json(t, &dir)
	if dir.Residents[0].Phone != "138****5678" {
		t.Fatalf("directory shows %s", dir.Residents[0].Phone)
	}
}

func TestTrainingCaseAndEscalation(t *testing.T) {
	e := newEnv(t)
	var tk apiTicket
	e.api("POST", "/api/v1/workspaces/s1/tickets", "agent", map[string]any{"type": "inquiry", "title": "王芳问停车月卡",
		"description": "业主王芳（电话 13812345678，身份证 110101199003071234）住3栋2单元1202，想办停车月卡", "resident": "r1"}).json(t, &tk)
	if res := e.api("POST", "/api/v1/workspaces/s1/tickets/"+tk.ID+"/training-case", "trainer", nil); res.StatusCode != 400 || !strings.Contains(res.Body, "closed") {
		t.Fatalf("case from an open ticket: %d %s", res.StatusCode, res.Body)
	}
	e.transition("s1", tk.ID, "agent", "answer", 1, map[string]string{"answer": "请王芳带行驶证到前台办理"})
	e.transition("s1", tk.ID, "agent", "close", 2, nil)
	res := e.api("POST", "/api/v1/workspaces/s1/tickets/"+tk.ID+"/training-case", "trainer", nil)
	if res.StatusCode != 201 {
		t.Fatalf("case: %d %s", res.StatusCode, res.Body)
	}
	for _, secret := range []string{"王芳", "13812345678", "110101199003071234", "3栋2单元1202", `"agent"`} {
		if strings.Contains(res.Body, secret) {
			t.Errorf("training case still contains %q", secret)
		}
	}
	if res := e.api("POST", "/api/v1/workspaces/s2/tickets/"+tk.ID+"/training-case", "trainer", nil); res.StatusCode != 404 {
		t.Fatalf("trainer of another site: %d", res.StatusCode)
	}
	b := e.browser()
	b.loginAs("trainer")
	if page := b.get("/author/cases"); !strings.Contains(page.Body, "业主甲") {
		t.Fatal("cases page lacks the new case")
	}
	// The case drafts a scenario file that lints as a scenario.
	var tc academy.TrainingCase
	res.json(t, &tc)
	// Its history is told in words: actions and states by their labels.
	page := b.get("/author/cases/" + tc.ID).Body
	for _, want := range []string{"创建工单 → 受理", "已答复", "待审核"} {
		if !strings.Contains(page, want) {
			t.Errorf("case page lacks %q", want)
		}
	}
	for _, code := range []string{"create → received", "draft<", " answer → ", "→ answered"} {
		if strings.Contains(page, code) {
			t.Errorf("case page shows %q:\n%s", code, page)
		}
	}
	draft := b.get("/author/cases/" + tc.ID + "/scenario.yaml")
	if draft.StatusCode != 200 || !strings.Contains(draft.Body, "persona:") || strings.Contains(draft.Body, "王芳") {
		t.Fatalf("scenario draft: %d %s", draft.StatusCode, draft.Body)
	}
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "scenarios"), 0o755)
	os.WriteFile(filepath.Join(dir, "scenarios", "from-case.yaml"), []byte(draft.Body), 0o644)
	if _, ps := (&content.Loader{Dir: dir, MD: e.deps.Markdown}).Scenarios(nil); len(ps) > 0 {
		t.Fatalf("the drafted scenario does not lint:\n%v\n%s", ps, draft.Body)
	}

	// An urgent repair left alone is escalated once to the site's managers.
	var urgent apiTicket
	e.api("POST", "/api/v1/workspaces/s1/tickets", "agent", map[string]any{"type": "repair", "title": "电梯困人", "priority": "urgent"}).json(t, &urgent)
	real := e.deps.Desk.Now
	e.deps.Desk.Now = func() time.Time { return real().Add(20 * time.Minute) }
	done, err := e.deps.Desk.Escalate(context.Background())
	if err != nil || len(done) != 1 || done[0].ID != urgent.ID {
		t.Fatalf("escalate: %v %+v", err, done)
	}
	if again, _ := e.deps.Desk.Escalate(context.Background()); len(again) != 0 {
		t.Fatal("escalated twice")
	}
	e.api("GET", "/api/v1/workspaces/s1/tickets/"+urgent.ID, "agent", nil).json(t, &urgent)
	last := urgent.Events[len(urgent.Events)-1]
	if last.Action != "escalate" || !last.Internal {
		t.Fatalf("escalation event: %+v", last)
	}
	m := e.browser()
	m.loginAs("manager")
	if home := m.get("/home"); !strings.Contains(home.Body, `id="escalated-tickets"`) || !strings.Contains(home.Body, `href="/desk/s1/tickets/`+urgent.ID+`">`) {
		t.Fatal("manager home lacks the escalated ticket")
	}
}

func TestWebDeskForms(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.loginAs("agent")
	page := b.get("/desk/s1/new")
	token := csrfRE.FindStringSubmatch(page.Body)[1]
	res := b.post("/desk/s1/tickets", url.Values{"_csrf": {token}, "type": {"repair"}, "title": {"楼道灯不亮"}, "resident": {"r2"}, "channel": {"phone"}, "priority": {"normal"}})
	if res.StatusCode != 303 {
		t.Fatalf("create: %d %s", res.StatusCode, res.Body)
	}
	loc := strings.Split(res.Header.Get("Location"), "?")[0]
	tp := b.get(loc)
	if !strings.Contains(tp.Body, `id="do-dispatch"`) || strings.Contains(tp.Body, `id="do-complete"`) || !strings.Contains(tp.Body, "139****4321") {
		t.Fatal("ticket page should offer only dispatch and mask the phone")
	}
	if res := b.post(loc, url.Values{"_csrf": {token}, "action": {"dispatch"}, "version": {"1"}, "f.priority": {"high"}}); res.StatusCode != 400 || !strings.Contains(res.Body, "处理部门") {
		t.Fatalf("dispatch without department: %d", res.StatusCode)
	}
	if res := b.post(loc, url.Values{"_csrf": {token}, "action": {"dispatch"}, "version": {"1"}, "f.department": {"engineering"}, "f.priority": {"high"}}); res.StatusCode != 303 {
		t.Fatalf("dispatch: %d %s", res.StatusCode, res.Body)
	}
	if res := b.post(loc, url.Values{"_csrf": {token}, "action": {"note"}, "version": {"2"}, "f.text": {"已联系工程部李师傅"}}); res.StatusCode != 303 {
		t.Fatalf("note: %d", res.StatusCode)
	}
	tp = b.get(loc)
	if !strings.Contains(tp.Body, "ev-note internal") || !strings.Contains(tp.Body, "已联系工程部李师傅") {
		t.Fatal("internal note not shown as internal")
	}
	if reveal := b.post(loc+"/reveal", url.Values{"_csrf": {token}}); reveal.StatusCode != 200 || !strings.Contains(reveal.Body, "13987654321") {
		t.Fatalf("reveal on the page: %d", reveal.StatusCode)
	}
	if q := b.get("/desk/s1?queue=open"); !strings.Contains(q.Body, "楼道灯不亮") {
		t.Fatal("queue page lacks the ticket")
	}
}

// timelineRE cuts the ticket page's history out of the page, so that
// assertions do not match the action forms or the facts card.
var timelineRE = regexp.MustCompile(`(?s)<ol class="timeline" id="timeline">.*?</ol>`)

// TestDeskTicketTimelineDisplay: the history shows each field once, under
// its label in the reader's language, with enumerated values by name and
// desk times as people write them.
func TestDeskTicketTimelineDisplay(t *testing.T) {
	e := newEnv(t)
	var repair, complaint apiTicket
	e.api("POST", "/api/v1/workspaces/s1/tickets", "agent", map[string]any{"type": "repair", "title": "厨房水管漏水", "resident": "r1", "channel": "phone", "priority": "high"}).json(t, &repair)
	e.api("POST", "/api/v1/workspaces/s1/tickets", "agent", map[string]any{"type": "complaint", "title": "楼上装修噪音", "resident": "r2", "channel": "counter"}).json(t, &complaint)
	const followUp = "已约业主明早九点上门"
	for _, s := range []struct {
		id, action string
		version    int
		fields     map[string]string
	}{
		{repair.ID, "dispatch", 1, map[string]string{"department": "engineering", "priority": "urgent"}},
		{repair.ID, "follow_up", 2, map[string]string{"note": followUp}},
		{complaint.ID, "confirm", 1, map[string]string{"summary": "晚上十点后仍有电钻声"}},
		{complaint.ID, "investigate", 2, map[string]string{"department": "security"}},
		// What a datetime-local input posts.
		{complaint.ID, "respond", 3, map[string]string{"proposal": "约谈装修户并限定施工时间", "promised_at": "2026-11-29T23:30"}},
	} {
		if res := e.transition("s1", s.id, "agent", s.action, s.version, s.fields); res.StatusCode != 200 {
			t.Fatalf("%s: %d %s", s.action, res.StatusCode, res.Body)
		}
	}
	b := e.browser()
	b.loginAs("agent")
	timeline := func(id string) string {
		t.Helper()
		res := b.get("/desk/s1/tickets/" + id)
		if res.StatusCode != 200 {
			t.Fatalf("ticket page: %d", res.StatusCode)
		}
		tl := timelineRE.FindString(res.Body)
		if tl == "" {
			t.Fatal("ticket page has no timeline")
		}
		return tl
	}
	rawKey := regexp.MustCompile(`class="field">[a-z_]+:`)

	tl := timeline(repair.ID)
	if n := strings.Count(tl, followUp); n != 1 {
		t.Errorf("follow-up note shown %d times, want once:\n%s", n, tl)
	}
	for _, want := range []string{`<span class="field">来源: 电话</span>`, `<span class="field">优先级: 高</span>`,
		`<span class="field">处理部门: 工程</span>`, `<span class="field">优先级: 紧急</span>`} {
		if !strings.Contains(tl, want) {
			t.Errorf("repair timeline lacks %s:\n%s", want, tl)
		}
	}
	if m := rawKey.FindString(tl); m != "" {
		t.Errorf("repair timeline shows a raw field key %s:\n%s", m, tl)
	}

	tl = timeline(complaint.ID)
	if !strings.Contains(tl, `<span class="field">承诺完成时间: 2026-11-29 23:30</span>`) || strings.Contains(tl, "2026-11-29T23:30") {
		t.Errorf("promised time not shown as 2026-11-29 23:30:\n%s", tl)
	}
	if m := rawKey.FindString(tl); m != "" {
		t.Errorf("complaint timeline shows a raw field key %s:\n%s", m, tl)
	}
	// The stored value is what was posted: only the page formats it.
	var got apiTicket
	e.api("GET", "/api/v1/workspaces/s1/tickets/"+complaint.ID, "agent", nil).json(t, &got)
	if v := got.Events[len(got.Events)-1].Fields["promised_at"]; v != "2026-11-29T23:30" {
		t.Errorf("stored promised_at = %q", v)
	}

	if res := b.post("/lang", url.Values{"_csrf": {b.csrf("/desk/s1")}, "lang": {"en"}, "next": {"/desk/s1"}}); res.StatusCode != 303 {
		t.Fatalf("switch to English: %d", res.StatusCode)
	}
	tl = timeline(repair.ID)
	for _, want := range []string{`<span class="field">Channel: Phone</span>`, `<span class="field">Priority: High</span>`,
		`<span class="field">Department: Engineering</span>`} {
		if !strings.Contains(tl, want) {
			t.Errorf("English repair timeline lacks %s:\n%s", want, tl)
		}
	}
	if n := strings.Count(tl, followUp); n != 1 {
		t.Errorf("English: follow-up note shown %d times, want once", n)
	}
	tl = timeline(complaint.ID)
	for _, want := range []string{`<span class="field">Promised completion: 2026-11-29 23:30</span>`,
		`<span class="field">Department: Security</span>`, `<span class="field">Proposed solution: `,
		"Answer the owner → Answered", "Pass on for checking → Being checked"} {
		if !strings.Contains(tl, want) {
			t.Errorf("English complaint timeline lacks %s:\n%s", want, tl)
		}
	}
	// The heading, the next steps and their forms are English too, and so
	// is the queue.
	page := b.get("/desk/s1/tickets/" + complaint.ID).Body
	for _, want := range []string{`id="ticket-state">Complaint · Answered</span>`, `id="do-follow_up">Follow up</summary>`,
		`<label for="f-note">Follow-up note *</label>`, `id="submit-follow_up">Follow up</button>`} {
		if !strings.Contains(page, want) {
			t.Errorf("English ticket page lacks %s", want)
		}
	}
	if han := regexp.MustCompile(`id="(ticket-state|do-[a-z_]+|submit-[a-z_]+)">[^<]*\p{Han}`).FindString(page); han != "" {
		t.Errorf("English ticket page shows Chinese: %s", han)
	}
	// A second follow-up keeps the state: no arrow to where it already was.
	for v, note := range []string{"已联系装修户", "业主确认已安静"} {
		if res := e.transition("s1", complaint.ID, "agent", "follow_up", 4+v, map[string]string{"note": note}); res.StatusCode != 200 {
			t.Fatalf("follow-up %d: %d %s", v+1, res.StatusCode, res.Body)
		}
	}
	tl = timeline(complaint.ID)
	if n := strings.Count(tl, "→ Following up"); n != 1 {
		t.Errorf("two follow-ups show %d arrows to \"Following up\", want 1 (the first changes the state):\n%s", n, tl)
	}
	queue := b.get("/desk/s1?queue=open").Body
	if !strings.Contains(queue, `">Repair</td>`) || !strings.Contains(queue, `">Dispatched</td>`) {
		t.Error("the English queue does not name the repair and its state in English")
	}
}

// TestDeskLabelsInBothLanguages: every ticket type, state, action and field
// a procedure has is named in each catalog, so a new one cannot reach a
// page as a bare key or, in English, as Chinese.
func TestDeskLabelsInBothLanguages(t *testing.T) {
	for _, lang := range []string{"zh", "en"} {
		b, err := fs.ReadFile(web.FS, "locales/"+lang+".json")
		if err != nil {
			t.Fatal(err)
		}
		cat := map[string]string{}
		if err := json.Unmarshal(b, &cat); err != nil {
			t.Fatal(err)
		}
		for _, p := range academy.ShippedRules().Procedures {
			for _, tr := range p.Transitions {
				for _, f := range tr.Fields {
					key := "desk.field." + f.Name
					if f.Name == "department" || f.Name == "priority" {
						key = "desk." + f.Name
					}
					if cat[key] == "" {
						t.Errorf("%s: no label %q for field %s of %s/%s", lang, key, f.Name, p.Type, tr.Action)
					}
					if lang == "zh" && cat[key] != "" && cat[key] != f.Label && key != "desk."+f.Name {
						t.Errorf("zh label %q = %q, the procedure says %q", key, cat[key], f.Label)
					}
				}
			}
		}
		for _, d := range academy.ShippedRules().Departments {
			if cat["dept."+d.ID] == "" {
				t.Errorf("%s: no name for department %s", lang, d.ID)
			}
		}
		// Types, states and actions: in each catalog, and in Chinese the
		// procedure's own words.
		want := func(key, zh string) {
			if cat[key] == "" {
				t.Errorf("%s: no label %q", lang, key)
			} else if lang == "zh" && cat[key] != zh {
				t.Errorf("zh label %q = %q, the procedure says %q", key, cat[key], zh)
			}
		}
		for _, p := range academy.ShippedRules().Procedures {
			want("desk.type."+p.Type, p.Label)
			for _, st := range p.States {
				want("desk.state."+p.Type+"."+st.ID, st.Label)
			}
			for _, tr := range p.Transitions {
				want("desk.action."+p.Type+"."+tr.Action, tr.Label)
			}
		}
	}
}
