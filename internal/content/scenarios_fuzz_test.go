package content

import (
	"testing"

	"github.com/academy/academy/internal/academy"
)

// stepTargets lists where a step can lead, read from the fields directly
// rather than through the domain's own graph helper, so that the check
// below does not share a bug with the validation it checks.
func stepTargets(st *academy.Step) []string {
	var out []string
	for _, c := range st.Choices {
		out = append(out, c.Next)
	}
	if st.Reply != nil {
		out = append(out, st.Reply.Next)
	}
	if st.Next != "" {
		out = append(out, st.Next)
	}
	return out
}

// checkGraph fails t unless a trainee can reach every step from the start
// and finish from every step: a run must never get stuck.
func checkGraph(t *testing.T, s *academy.Scenario) {
	t.Helper()
	byID := map[string]*academy.Step{}
	for i := range s.Steps {
		byID[s.Steps[i].ID] = &s.Steps[i]
	}
	if byID[s.Start] == nil {
		t.Fatalf("start %q is not a step", s.Start)
	}
	seen := map[string]bool{s.Start: true}
	for queue := []string{s.Start}; len(queue) > 0; queue = queue[1:] {
		for _, n := range stepTargets(byID[queue[0]]) {
			if byID[n] == nil {
				t.Fatalf("step %q leads to %q, which is not a step", queue[0], n)
			}
			if !seen[n] {
				seen[n] = true
				queue = append(queue, n)
			}
		}
	}
	finishes := map[string]bool{}
	for changed := true; changed; {
		changed = false
		for id, st := range byID {
			if finishes[id] {
				continue
			}
			ok := st.Kind == academy.StepEnd
			for _, n := range stepTargets(st) {
				ok = ok || finishes[n]
			}
			if ok {
				finishes[id], changed = true, true
			}
		}
	}
	for id := range byID {
		if !seen[id] {
			t.Fatalf("step %q cannot be reached from start %q", id, s.Start)
		}
		if !finishes[id] {
			t.Fatalf("no end can be reached from step %q", id)
		}
	}
}

// fuzzLessons are the lessons a scenario may point at.
func fuzzLessons(ref string) bool {
	return ref == "complaints/six-steps" || ref == "daily-service/visitors"
}

// FuzzReadScenario feeds scenario files to readScenario. An accepted
// scenario is played step by step by trainees, so its graph must let every
// run reach an end, and exporting it must give back the same scenario.
func FuzzReadScenario(f *testing.F) {
	for _, s := range []string{
		"",
		"[]",
		"title: t\n",
		"title: 访客登记\nsummary: 练习\nmodules: [daily-service]\nlessons: [daily-service/visitors]\ndifficulty: easy\npass_mark: 70\n" +
			"persona: {name: 郑婉婷, unit: 2栋3单元1104, mood: 意外}\nopening: 周六下午\nstart: arrive\nsteps:\n" +
			"  - id: arrive\n    kind: dialogue\n    owner: 我来找人\n    choices:\n" +
			"      - {text: 请先登记, next: tell, scores: {procedure: 2, empathy: 1}, feedback: 好}\n" +
			"      - {text: 她住1104, next: task, scores: {accuracy: -3}, feedback: 泄露}\n" +
			"  - id: tell\n    kind: dialogue\n    owner: 她在家吗？\n    reply:\n      required: [[不方便, 不能上], [保管]]\n" +
			"      forbidden: [出差, \"1104\"]\n      next: task\n      scores: {accuracy: 2}\n      feedback: 只转达决定\n" +
			"  - id: task\n    kind: task\n    prompt: 在工作台登记访客\n    next: done\n    checks:\n" +
			"      - {kind: ticket, type: visitor, resident: persona, state: refused, fields: {reason: 业主不同意}, dimension: procedure, points: 3, message: 没有登记, required: true}\n" +
			"      - {kind: order, type: visitor, actions: [create, refuse], dimension: procedure, points: 2, message: 顺序, lesson: daily-service/visitors}\n" +
			"      - {kind: absent, type: visitor, action: admit, dimension: accuracy, points: 2, message: 不该放行}\n" +
			"      - {kind: within, type: visitor, from: create, to: refuse, minutes: 15, dimension: timeliness, points: 1, message: 太慢}\n" +
			"  - id: done\n    kind: end\n    outcome: 结束\n" +
			"fixture:\n  tickets:\n    - {type: repair, title: 漏水, resident: persona, age_minutes: 30, actions: [{action: dispatch, after_minutes: 5, fields: {department: engineering, priority: high}}]}\n",
		"title: t\nsummary: s\ndifficulty: easy\npass_mark: 0\npersona: {name: n, unit: 1栋1单元101}\nopening: o\nstart: a\nsteps:\n" +
			"  - {id: a, kind: dialogue, owner: o, choices: [{text: x, next: b, feedback: f}, {text: y, next: a, feedback: f}]}\n" +
			"  - {id: b, kind: end, outcome: o}\n",
		"title: t\nsummary: s\ndifficulty: easy\npass_mark: 50\npersona: {name: n, unit: 1栋1单元101}\nopening: o\nstart: a\nsteps:\n" +
			"  - {id: a, kind: dialogue, owner: o, choices: [{text: x, next: a, feedback: f}]}\n" +
			"  - {id: b, kind: end, outcome: o}\n",
		"title: t\nsummary: s\ndifficulty: hard\npass_mark: 50\npersona: {name: n, unit: 1栋1单元101}\nopening: o\nstart: a\nsteps:\n" +
			"  - {id: a, kind: task, prompt: p, next: a, checks: [{kind: order, type: repair, actions: [create, fly], dimension: procedure, points: 2, message: m}]}\n" +
			"  - {id: a, kind: end, outcome: o, next: a}\n  - {kind: dialogue}\n",
		"title: t\nstepz: []\n",
		"title: t\npass_mark: many\nsteps: {a: 1}\n",
		"steps:\n  - &s {id: a, kind: end, outcome: o}\n  - *s\n",
	} {
		f.Add(s)
	}
	const rel = "scenarios/fz.yaml"
	f.Fuzz(func(t *testing.T, src string) {
		s, ps := readScenario("fz", []byte(src), rel, fuzzLessons)
		if s == nil {
			t.Fatal("nil scenario")
		}
		checkProblems(t, ps, rel, []byte(src))
		if len(ps) > 0 {
			return
		}
		if vps := academy.ValidateScenario(s, fuzzLessons); len(vps) > 0 {
			t.Fatalf("accepted scenario does not validate: %v", vps)
		}
		checkGraph(t, s)
		if m := s.MaxScore(); m < 0 {
			t.Fatalf("max score %d", m)
		}

		out, err := ScenarioYAML(s)
		if err != nil {
			t.Fatalf("export: %v", err)
		}
		again, ps := readScenario("fz", out, rel, fuzzLessons)
		if len(ps) > 0 {
			t.Fatalf("exported scenario does not read back:\n%v\n%s", ps, out)
		}
		if !sameContent(s, again) {
			t.Fatalf("export changed the scenario:\nbefore %+v\nafter  %+v\nexport:\n%s", s, again, out)
		}
	})
}
