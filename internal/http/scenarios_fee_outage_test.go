package http_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
)

// sandboxWork is a ticket a play opens on the run's sandbox desk, and what
// it then does to it; a step with minutes advances the sandbox clock.
type sandboxWork struct {
	ticket map[string]any
	steps  []sandboxStep
}

type sandboxStep struct {
	action  string
	fields  map[string]string
	minutes int
}

// playCall plays scenario slug through the API: the best answers up to its
// task, the given work on the run's sandbox desk, then the task done. It
// returns the finished run as stored and the ids of the checks it failed.
func playCall(t *testing.T, e *env, slug string, work []sandboxWork) (*academy.Run, []string) {
	t.Helper()
	var r apiRun
	res := e.api("POST", "/api/v1/scenarios/"+slug+"/runs", "trainee", nil)
	if res.StatusCode != 201 {
		t.Fatalf("start: %d %s", res.StatusCode, res.Body)
	}
	res.json(t, &r)
	r = talkToTask(t, e, "trainee", slug, r)
	return workTask(t, e, r, slug, work)
}

// workTask opens and works the tickets of work on run r's sandbox desk,
// then finishes the task.
func workTask(t *testing.T, e *env, r apiRun, slug string, work []sandboxWork) (*academy.Run, []string) {
	t.Helper()
	for _, w := range work {
		var tk apiTicket
		res := e.api("POST", "/api/v1/workspaces/"+r.Sandbox+"/tickets", "trainee", w.ticket)
		if res.StatusCode != 201 {
			t.Fatalf("create %v: %d %s", w.ticket["type"], res.StatusCode, res.Body)
		}
		res.json(t, &tk)
		takeSteps(t, e, r.Sandbox, &tk, w.steps)
	}
	return finishTask(t, e, r, slug)
}

// takeSteps takes the steps on ticket tk of the sandbox, which it keeps
// at the version the last step left.
func takeSteps(t *testing.T, e *env, sandbox string, tk *apiTicket, steps []sandboxStep) {
	t.Helper()
	for _, s := range steps {
		if s.minutes > 0 {
			if res := e.api("POST", "/api/v1/sandboxes/"+sandbox+"/clock", "trainee", map[string]int{"minutes": s.minutes}); res.StatusCode != 200 {
				t.Fatalf("advance: %d %s", res.StatusCode, res.Body)
			}
			continue
		}
		res := e.transition(sandbox, tk.ID, "trainee", s.action, tk.Version, s.fields)
		if res.StatusCode != 200 {
			t.Fatalf("%s on %s: %s", s.action, tk.Number, res.Body)
		}
		res.json(t, tk)
	}
}

// finishTask says run r's task is done and returns the run as stored and
// the ids of the checks its debrief names as failed.
func finishTask(t *testing.T, e *env, r apiRun, slug string) (*academy.Run, []string) {
	t.Helper()
	if res := e.api("POST", "/api/v1/runs/"+r.ID+"/done", "trainee", nil); res.StatusCode != 200 {
		t.Fatalf("done: %d %s", res.StatusCode, res.Body)
	}
	run, err := e.deps.Coach.Runs.FindRun(t.Context(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if run.State != academy.RunFinished {
		t.Fatalf("%s: the run did not end after its task, at %s", slug, run.Step)
	}
	var d struct {
		Failed []academy.CheckResult `json:"failed_checks"`
	}
	e.api("GET", "/api/v1/runs/"+r.ID+"/debrief", "trainee", nil).json(t, &d)
	var failed []string
	for _, f := range d.Failed {
		failed = append(failed, f.ID)
	}
	return run, failed
}

// without is the work with the given actions left out.
func without(work []sandboxWork, actions ...string) []sandboxWork {
	out := slices.Clone(work)
	for i := range out {
		out[i].steps = slices.DeleteFunc(slices.Clone(out[i].steps), func(s sandboxStep) bool { return slices.Contains(actions, s.action) })
	}
	return out
}

// deskTimeIn is a time field's value days from now on the site's clock.
func deskTimeIn(days int, hour int) string {
	d := time.Now().In(beijing).AddDate(0, 0, days)
	return time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, beijing).Format("2006-01-02 15:04")
}

// The fee reminder call asks for two tickets kept apart: the leak as a
// repair dispatched to engineering, the arrears as a 费用催缴 ticket that
// reaches 已承诺缴费 through verify → remind → promise. A run that leaves
// the promise unrecorded fails and is told so; one that closes the fee
// ticket loses the check that forbids it.
func TestFeeReminderCallScenario(t *testing.T) {
	e := newEnv(t)
	repair := sandboxWork{
		ticket: map[string]any{"type": "repair", "title": "主卫顶棚渗水", "resident": academy.PersonaID, "priority": "high",
			"description": "主卫顶棚靠近下水管处渗水，墙皮鼓包，三月份开始，此前两次向安保口头反映未登记。"},
		steps: []sandboxStep{{action: "dispatch", fields: map[string]string{"department": "engineering", "priority": "high"}}},
	}
	fee := sandboxWork{
		ticket: map[string]any{"type": "fee_collection", "title": "第一季度和 4 月物业服务费未缴", "resident": academy.PersonaID},
		steps: []sandboxStep{
			{action: "verify", fields: map[string]string{"arrears": "第一季度和 4 月共 4 个月，89.5 ㎡ × 2.4 元/㎡·月，每月 214.8 元，共 859.2 元。"}},
			{action: "remind", fields: map[string]string{"note": "电话联系何先生：欠费原因是主卫渗水一直没人修，已另建报修工单派工程；账单已讲清，明细已发到业主手机。"}},
			{action: "promise", fields: map[string]string{"promised_pay_at": deskTimeIn(8, 18), "next_follow_up": deskTimeIn(7, 10)}},
		},
	}
	good, failed := playCall(t, e, "fee-reminder-call", []sandboxWork{repair, fee})
	if !good.Passed || len(failed) > 0 {
		t.Fatalf("the full play: passed %v, failed checks %v", good.Passed, failed)
	}

	bad, failed := playCall(t, e, "fee-reminder-call", []sandboxWork{repair, without([]sandboxWork{fee}, "promise")[0]})
	if bad.Passed || !slices.Contains(failed, "fee-promised") {
		t.Fatalf("no promise recorded: passed %v, failed checks %v", bad.Passed, failed)
	}
	if !strings.Contains(bad.Ending, "没有记在任何一张单上") {
		t.Fatalf("no promise recorded, told %q", bad.Ending)
	}

	closed := fee
	closed.steps = append(slices.Clone(fee.steps[:2]), sandboxStep{action: "close", fields: map[string]string{"reason": "业主说修好漏水再交"}})
	run, failed := playCall(t, e, "fee-reminder-call", []sandboxWork{repair, closed})
	if run.Passed || !slices.Contains(failed, "fee-promised") || !slices.Contains(failed, "fee-not-closed") {
		t.Fatalf("fee ticket closed unpaid: passed %v, failed checks %v", run.Passed, failed)
	}
}

// The water outage call asks for a 停水停电通知 ticket published, its
// vulnerable households' confirmations recorded before the outage begins,
// and the restoration recorded. Confirming only once the water is off
// fails the run.
func TestWaterOutageNoticeScenario(t *testing.T) {
	e := newEnv(t)
	confirm := sandboxStep{action: "confirm", fields: map[string]string{"confirmations": "5栋2单元1502周桂芳已确认（独居，周四8:30前送两桶水到门口；经本人同意登记女儿电话，周三再提醒）；3栋1单元901吴先生已确认；6栋2单元1203孙阿姨第二次电话已确认。"}}
	begin := sandboxStep{action: "begin"}
	outage := sandboxWork{
		ticket: map[string]any{"type": "outage_notice", "title": "周四 9:00—17:00 1至6栋停水", "priority": "normal"},
		steps: []sandboxStep{
			{action: "publish", fields: map[string]string{"notice": "接供水公司通知，因更换北门外市政供水管道阀门，本周四 9:00—17:00 1至6栋停水，恢复时间以供水公司实际通水为准。请前一天储水，停水期间关好水龙头，来水后先放一会儿水。咨询电话：客服中心。"}},
			confirm,
			{minutes: 1440},
			begin,
			{action: "follow_up", fields: map[string]string{"note": "8:20 两桶水送到1502门口，周奶奶已接满存水，一切正常。"}},
			{minutes: 460},
			{action: "restore", fields: map[string]string{"restoration": "16:40 供水公司通水；已在业主群和短信发恢复通知，提醒先放水；三户重点住户已回访。"}},
		},
	}
	good, failed := playCall(t, e, "water-outage-notice", []sandboxWork{outage})
	if !good.Passed || len(failed) > 0 {
		t.Fatalf("the full play: passed %v, failed checks %v", good.Passed, failed)
	}

	late := outage
	late.steps = slices.Clone(outage.steps)
	late.steps[1], late.steps[3] = begin, confirm // confirmed only once the water is off
	bad, failed := playCall(t, e, "water-outage-notice", []sandboxWork{late})
	if bad.Passed || !slices.Contains(failed, "confirmed-before-outage") {
		t.Fatalf("confirmations after the outage began: passed %v, failed checks %v", bad.Passed, failed)
	}
	if !strings.Contains(bad.Ending, "孙阿姨") {
		t.Fatalf("confirmations after the outage began, told %q", bad.Ending)
	}

	run, failed := playCall(t, e, "water-outage-notice", []sandboxWork{without([]sandboxWork{outage}, "follow_up")[0]})
	if !run.Passed || !slices.Equal(failed, []string{"delivery-noted"}) {
		t.Fatalf("no follow-up on the delivery: passed %v, failed checks %v", run.Passed, failed)
	}
}
