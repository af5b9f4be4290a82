package http_test

import (
	"slices"
	"testing"

	"github.com/academy/academy/internal/academy"
)

// playPath plays scenario slug like playCall, taking the choices of picks
// where it names a step (see talkPicking).
func playPath(t *testing.T, e *env, slug string, picks map[string]int, work []sandboxWork) (*academy.Run, []string) {
	t.Helper()
	var r apiRun
	res := e.api("POST", "/api/v1/scenarios/"+slug+"/runs", "trainee", nil)
	if res.StatusCode != 201 {
		t.Fatalf("start: %d %s", res.StatusCode, res.Body)
	}
	res.json(t, &r)
	return workTask(t, e, talkPicking(t, e, "trainee", slug, r, picks), slug, work)
}

// A hot battery charging in a stairwell is recorded as an emergency
// incident: security sent within five minutes, 119 logged and the scene
// written down before the all clear, closed after the next evening's
// check. Filed as an urgent repair to security, the way the lesson once
// taught, it fails with the story of the repair ticket; a wrong turn in
// the call keeps its own ending whichever way the desk went.
func TestEbikeCorridorChargingScenario(t *testing.T) {
	const slug = "ebike-corridor-charging"
	e := newEnv(t)
	sc := e.deps.Catalog.Snapshot().Scenarios[slug]
	if sc == nil || sc.Step("end") == nil || sc.Step("check") == nil {
		t.Fatalf("%s has no end or check step", slug)
	}
	end := sc.Step("end")
	// story finds the ending written for exactly this result, these
	// visited steps and these missed checks.
	story := func(result string, visited, missed []string) string {
		for _, en := range end.Endings {
			if en.When.Result == result && slices.Equal(en.When.Visited, visited) && slices.Equal(en.When.Missed, missed) {
				return en.Outcome
			}
		}
		t.Fatalf("no %s ending for visited %v, missed %v", result, visited, missed)
		return ""
	}
	// The choice at the check step that posts a notice and leaves the
	// hot battery for tomorrow.
	delay := slices.IndexFunc(sc.Step("check").Choices, func(c academy.Choice) bool { return c.Next == "delay" })
	if delay < 0 {
		t.Fatal("no choice at the check step leads to delay")
	}

	at := deskTimeIn(0, 21)
	incident := func(steps ...sandboxStep) []sandboxWork {
		return []sandboxWork{{ticket: map[string]any{"type": academy.TypeIncident, "title": "8栋1单元12楼楼梯间电动车充电，电池发烫", "resident": academy.PersonaID, "priority": "urgent",
			"description": "1203孙先生来电：12楼楼梯间电动车在充电，充电线从相邻住户门缝拉出；安保到场确认电池发烫、外壳鼓包、有焦糊味。"}, steps: steps}}
	}
	send := sandboxStep{action: "send", fields: map[string]string{"department": "security"}}
	fire := sandboxStep{action: "call_outside", fields: map[string]string{"outside_body": "119：12 楼楼梯间电动车电池发烫、有焦糊味，正在疏散；对方答复马上出警", "called_at": at}}
	scene := sandboxStep{action: "follow_up", fields: map[string]string{"note": "安保 21:33 到 12 楼，21:36 拔掉楼道一侧插头，疏散 11–13 楼住户，楼下等候消防车"}}
	arrived := sandboxStep{action: "outside_arrived", fields: map[string]string{"outside_body": "消防救援站两车到场，把电池移到室外处置", "arrived_at": at}}
	owner := sandboxStep{action: "follow_up", fields: map[string]string{"note": "1205 住户回家后当面讲清规定，已书面告知整改要求，车已移到东门集中充电区，明晚安保复查"}}
	resolve := sandboxStep{action: "resolve", fields: map[string]string{"resolution": "电池经消防员移到室外处置，未起火；住户已回家，充电住户已书面告知并整改"}}
	closeIt := sandboxStep{action: "close", fields: map[string]string{"lesson": "次日晚安保复查，楼梯间无车辆、无充电线"}}
	timeline := func(first ...sandboxStep) []sandboxStep {
		return append(first, sandboxStep{minutes: 4}, fire, scene, sandboxStep{minutes: 13}, arrived,
			sandboxStep{minutes: 60}, owner, resolve, sandboxStep{minutes: 24 * 60}, closeIt)
	}
	good := incident(timeline(sandboxStep{minutes: 2}, send)...)
	repair := []sandboxWork{{
		ticket: map[string]any{"type": "repair", "title": "8栋1单元12楼楼梯间电动车充电，电池发烫", "resident": academy.PersonaID, "priority": "urgent"},
		steps: []sandboxStep{{minutes: 2}, {action: "dispatch", fields: map[string]string{"department": "security", "priority": "urgent"}},
			{action: "note", fields: map[string]string{"text": "21:36 安保断开充电，21:37 报 119，疏散 11–13 楼"}},
			{action: "start"}, {minutes: 60}, {action: "follow_up", fields: map[string]string{"note": "已书面告知 1205 住户，明晚复查"}},
			{action: "complete", fields: map[string]string{"resolution": "消防员处置电池，车已移到集中充电区"}},
			{action: "return_visit", fields: map[string]string{"satisfaction": "5", "comment": "这回是真管了"}}, {action: "close"}},
	}}
	repairFailed := []string{"ebike-ticket", "not-a-repair", "outside-logged", "scene-noted", "sent-fast"}

	cases := []struct {
		name   string
		picks  map[string]int
		work   []sandboxWork
		passed bool
		failed []string // sorted
		ending string
	}{
		{"an incident sent to security at once", nil, good, true, nil, end.Outcome},
		{"security sent ten minutes after the call", nil, incident(timeline(sandboxStep{minutes: 10}, send)...), true, []string{"sent-fast"}, end.Outcome},
		{"the 119 call never logged", nil, without(good, "call_outside"), true, []string{"outside-logged"}, end.Outcome},
		{"nothing written from the scene", nil, without(good, "follow_up"), true, []string{"scene-noted"}, end.Outcome},
		{"filed as an urgent repair to security", nil, repair, false, repairFailed, story(academy.ResultFailed, nil, []string{"ebike-ticket", "not-a-repair"})},
		{"nothing filed at all", nil, nil, false, []string{"ebike-ticket", "outside-logged", "scene-noted", "sent-fast"}, story(academy.ResultFailed, nil, []string{"ebike-ticket"})},
		{"a notice posted on a hot battery, then put right", map[string]int{"check": delay}, good, true, nil, story(academy.ResultPassed, []string{"delay"}, nil)},
		{"a notice posted and the incident filed as a repair", map[string]int{"check": delay}, repair, false, repairFailed, story(academy.ResultFailed, []string{"delay"}, nil)},
	}
	for _, c := range cases {
		run, failed := playPath(t, e, slug, c.picks, c.work)
		slices.Sort(failed)
		if run.Passed != c.passed || !slices.Equal(failed, c.failed) {
			t.Errorf("%s: passed %v (%.1f%%), failed checks %v; want passed %v, failed %v", c.name, run.Passed, run.Percent, failed, c.passed, c.failed)
		}
		if run.Ending != c.ending {
			t.Errorf("%s: told %.60q…, want %.60q…", c.name, run.Ending, c.ending)
		}
	}
}
