package academy

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// repairLog builds a repair ticket for the persona with the given actions,
// each a number of minutes after creation.
func repairLog(t *testing.T, steps ...struct {
	action string
	after  int
}) Ticket {
	t.Helper()
	dir := &Directory{Units: []Unit{{ID: "5-2-602", Label: "5栋2单元602"}}, Residents: []Resident{{ID: PersonaID, Name: "刘雅琴", Unit: "5-2-602", Role: "owner"}}}
	tk, err := CreateTicket(ShippedRules(), NewTicket{Type: TypeRepair, Title: "漏水", Resident: PersonaID}, dir, "sb-x", "sb-x-1", "BX-00001", "trainee", t0)
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string]map[string]string{
		"dispatch":     {"department": "engineering", "priority": "high"},
		"complete":     {"resolution": "换接头"},
		"return_visit": {"satisfaction": "5", "comment": "好"},
		"return":       {"reason": "派错"},
	}
	for _, s := range steps {
		if _, err := Apply(tk, TicketAction{Action: s.action, Fields: fields[s.action], Version: tk.Version}, "trainee", t0.Add(time.Duration(s.after)*time.Minute)); err != nil {
			t.Fatalf("%s: %v", s.action, err)
		}
	}
	return *tk
}

type st = struct {
	action string
	after  int
}

func TestEvaluateChecks(t *testing.T) {
	full := repairLog(t, st{"dispatch", 10}, st{"start", 30}, st{"complete", 90}, st{"return_visit", 600}, st{"close", 601})
	noVisit := repairLog(t, st{"dispatch", 20}, st{"start", 30}, st{"complete", 90})
	returned := repairLog(t, st{"dispatch", 5}, st{"return", 6})
	cases := []struct {
		name    string
		check   Check
		tickets []Ticket
		passed  bool
		detail  string
	}{
		{"ticket closed", Check{Kind: CheckTicket, Type: TypeRepair, Resident: PersonaID, State: "closed", Fields: map[string]string{"department": "engineering"}}, []Ticket{full}, true, "符合要求"},
		{"ticket not closed", Check{Kind: CheckTicket, Type: TypeRepair, State: "closed"}, []Ticket{noVisit}, false, "状态是“已完成”而不是“关闭”"},
		{"ticket wrong department", Check{Kind: CheckTicket, Type: TypeRepair, Fields: map[string]string{"department": "security"}}, []Ticket{full}, false, "处理部门是“工程”而不是“安保”"},
		{"ticket wrong priority", Check{Kind: CheckTicket, Type: TypeRepair, Fields: map[string]string{"priority": "urgent"}}, []Ticket{full}, false, "优先级是“高”而不是“紧急”"},
		{"no ticket at all", Check{Kind: CheckTicket, Type: TypeComplaint, Resident: PersonaID}, []Ticket{full}, false, "没有找到来电业主的投诉工单"},
		{"order kept", Check{Kind: CheckOrder, Type: TypeRepair, Actions: []string{"create", "dispatch", "complete", "return_visit"}}, []Ticket{full}, true, "按顺序完成了受理建单→派单→完成→回访"},
		{"order missing return visit", Check{Kind: CheckOrder, Type: TypeRepair, Actions: []string{"create", "dispatch", "complete", "return_visit"}}, []Ticket{noVisit}, false, "缺少“回访”"},
		{"order wrong", Check{Kind: CheckOrder, Type: TypeRepair, Actions: []string{"complete", "dispatch"}}, []Ticket{full}, false, "“派单”顺序不对"},
		{"absent kept", Check{Kind: CheckAbsent, Type: TypeRepair, Action: "return"}, []Ticket{full}, true, "没有“退单”"},
		{"absent broken", Check{Kind: CheckAbsent, Type: TypeRepair, Action: "return"}, []Ticket{returned}, false, "有“退单”"},
		{"absent with no ticket of the type", Check{Kind: CheckAbsent, Type: TypeInquiry, Action: "create"}, []Ticket{full}, true, "没有咨询工单"},
		{"within kept", Check{Kind: CheckWithin, Type: TypeRepair, From: "create", To: "dispatch", Minutes: 15}, []Ticket{full}, true, "从“受理建单”到“派单”用了 10 分钟，要求 15 分钟内"},
		{"within late", Check{Kind: CheckWithin, Type: TypeRepair, From: "create", To: "dispatch", Minutes: 15}, []Ticket{noVisit}, false, "从“受理建单”到“派单”用了 20 分钟，要求 15 分钟内，超出 5 分钟"},
		{"within never", Check{Kind: CheckWithin, Type: TypeRepair, From: "complete", To: "return_visit", Minutes: 1440}, []Ticket{noVisit}, false, "没有“回访”"},
		{"any ticket may pass", Check{Kind: CheckOrder, Type: TypeRepair, Actions: []string{"dispatch", "return_visit"}}, []Ticket{noVisit, full}, true, ""},
	}
	for _, c := range cases {
		c.check.Message, c.check.Dimension, c.check.Points = "作者的话", DimProcedure, 2
		r := Evaluate(c.check, c.tickets)
		if r.Passed != c.passed || !strings.Contains(r.Detail, c.detail) || r.Message != "作者的话" || r.Points != 2 {
			t.Errorf("%s: %+v", c.name, r)
		}
	}
}

func validScenario() *Scenario {
	return &Scenario{Slug: "leak", Title: "漏水", Summary: "s", Difficulty: "easy", PassMark: 70, Opening: "o",
		Persona: Persona{Name: "刘雅琴", Unit: "5栋2单元602", Mood: "急"}, Start: "greet",
		Steps: []Step{
			{ID: "greet", Kind: StepDialogue, Owner: "喂？", Choices: []Choice{
				{Text: "您好", Next: "task", Scores: map[string]int{DimEmpathy: 2}, Feedback: "好"},
				{Text: "找工程部", Next: "angry", Scores: map[string]int{DimEmpathy: -2}, Feedback: "推诿"},
			}},
			{ID: "angry", Kind: StepDialogue, Owner: "你们怎么回事", Reply: &Reply{Required: []PhraseGroup{{Any: []string{"抱歉", "对不起"}}}, Forbidden: []string{"不归我管"}, Next: "task", Scores: map[string]int{DimEmpathy: 1}, Feedback: "先道歉"}},
			{ID: "task", Kind: StepTask, Prompt: "处理", Next: "end", Checks: []Check{
				{Kind: CheckOrder, Type: TypeRepair, Actions: []string{"create", "dispatch"}, Dimension: DimProcedure, Points: 3, Message: "m"},
				{Kind: CheckWithin, Type: TypeRepair, From: "create", To: "dispatch", Minutes: 15, Dimension: DimTimeliness, Points: 2, Message: "m"},
			}},
			{ID: "end", Kind: StepEnd, Outcome: "好了", Endings: []Ending{{When: EndingCond{Result: ResultFailed}, Outcome: "没修好"}}},
		}}
}

func TestValidateScenario(t *testing.T) {
	yes := func(string) bool { return true }
	if ps := ValidateScenario(validScenario(), yes); len(ps) != 0 {
		t.Fatalf("valid scenario: %+v", ps)
	}
	if m := validScenario().MaxScore(); m != 7 {
		t.Fatalf("max score %d, want 7 (2 + 3 + 2)", m)
	}
	cases := map[string]struct {
		mod  func(*Scenario)
		step string
		msg  string
	}{
		"dangling next":  {func(s *Scenario) { s.Steps[0].Choices[0].Next = "nowhere" }, "greet", `no step "nowhere"`},
		"unreachable":    {func(s *Scenario) { s.Steps[0].Choices[1].Next = "task" }, "angry", "unreachable"},
		"trap cycle":     {func(s *Scenario) { s.Steps[1].Reply.Next = "angry" }, "angry", "no path from here reaches an end"},
		"score bound":    {func(s *Scenario) { s.Steps[0].Choices[0].Scores[DimEmpathy] = 9 }, "greet", "outside -5..5"},
		"bad dimension":  {func(s *Scenario) { s.Steps[0].Choices[0].Scores["charm"] = 1 }, "greet", `"charm" is not a rubric dimension`},
		"unknown type":   {func(s *Scenario) { s.Steps[2].Checks[0].Type = "party" }, "task", `"party" is not a ticket type`},
		"unknown action": {func(s *Scenario) { s.Steps[2].Checks[0].Actions = []string{"create", "teleport"} }, "task", `"teleport" is not an action`},
		"unknown state": {func(s *Scenario) {
			s.Steps[2].Checks[0] = Check{Kind: CheckTicket, Type: TypeRepair, State: "lost", Dimension: DimProcedure, Points: 1, Message: "m"}
		}, "task", `"lost" is not a state`},
		"unknown dept": {func(s *Scenario) {
			s.Steps[2].Checks[0] = Check{Kind: CheckTicket, Type: TypeRepair, Fields: map[string]string{"department": "kitchen"}, Dimension: DimProcedure, Points: 1, Message: "m"}
		}, "task", `"kitchen" is not a department`},
		"unknown field": {func(s *Scenario) {
			s.Steps[2].Checks[0] = Check{Kind: CheckTicket, Type: TypeRepair, Fields: map[string]string{"colour": "red"}, Dimension: DimProcedure, Points: 1, Message: "m"}
		}, "task", `"colour" is not a field`},
		"points":         {func(s *Scenario) { s.Steps[2].Checks[0].Points = 0 }, "task", "outside 1..10"},
		"no message":     {func(s *Scenario) { s.Steps[2].Checks[0].Message = "" }, "task", "plain words"},
		"end with next":  {func(s *Scenario) { s.Steps[3].Next = "greet" }, "end", "leads nowhere"},
		"both choices":   {func(s *Scenario) { s.Steps[0].Reply = &Reply{Next: "task", Forbidden: []string{"x"}} }, "greet", "either choices or a reply"},
		"duplicate id":   {func(s *Scenario) { s.Steps[3].ID = "task" }, "task", "duplicate step id"},
		"bad start":      {func(s *Scenario) { s.Start = "hello" }, "", `start: no step "hello"`},
		"bad unit":       {func(s *Scenario) { s.Persona.Unit = "602室" }, "", "persona.unit"},
		"lesson missing": {func(s *Scenario) { s.Lessons = []string{"x/y"} }, "", `no lesson "x/y"`},
		"no failed ending": {func(s *Scenario) {
			s.Steps[3].Endings = []Ending{{When: EndingCond{Result: ResultFailed, Visited: []string{"angry"}}, Outcome: "x"}}
		}, "end", "when: {result: failed} and no other condition"},
		"ending result": {func(s *Scenario) { s.Steps[3].Endings[0].When.Result = "ok" }, "end", `"ok" is not passed or failed`},
		"ending step":   {func(s *Scenario) { s.Steps[3].Endings[0].When.Visited = []string{"nowhere"} }, "end", `visited: no step "nowhere"`},
		"ending check":  {func(s *Scenario) { s.Steps[3].Endings[0].When.Missed = []string{"dispatch"} }, "end", `no check with id "dispatch"`},
		"ending story":  {func(s *Scenario) { s.Steps[3].Endings[0].Outcome = " " }, "end", "endings[0].outcome: required"},
		"check id": {func(s *Scenario) { s.Steps[2].Checks[0].ID, s.Steps[2].Checks[1].ID = "dispatch", "dispatch" }, "task",
			`duplicate check id "dispatch"`},
		"synonyms": {func(s *Scenario) { s.Synonyms = []PhraseGroup{{Any: []string{"维保"}}} }, "", "synonyms[0]"},
	}
	for name, c := range cases {
		s := validScenario()
		c.mod(s)
		exists := func(l string) bool { return l != "x/y" }
		ps := ValidateScenario(s, exists)
		found := false
		for _, p := range ps {
			if p.Step == c.step && strings.Contains(p.Message, c.msg) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: %+v", name, ps)
		}
	}
}

// A run is told the first ending that holds for its result and path; a
// failed run never gets the passed story, whatever else holds.
func TestEndingFollowsThePath(t *testing.T) {
	s := validScenario()
	s.Steps[2].Checks[0].ID = "dispatch"
	s.Steps[3].Endings = []Ending{
		{When: EndingCond{Result: ResultFailed, Missed: []string{"dispatch"}}, Outcome: "没人来修"},
		{When: EndingCond{Result: ResultFailed, Visited: []string{"angry"}}, Outcome: "业主挂了电话"},
		{When: EndingCond{Result: ResultFailed}, Outcome: "没修好"},
		{When: EndingCond{Result: ResultPassed, Visited: []string{"angry"}, Met: []string{"dispatch"}}, Outcome: "虽然开头不顺，修好了"},
	}
	if ps := ValidateScenario(s, func(string) bool { return true }); len(ps) != 0 {
		t.Fatalf("scenario: %+v", ps)
	}
	run := func(passed bool, steps []string, checks map[string]bool) *Run {
		r := &Run{Step: "end", Passed: passed}
		for _, st := range steps {
			r.Log = append(r.Log, RunEntry{Step: st})
		}
		e := RunEntry{Step: "task"}
		for id, ok := range checks {
			e.Checks = append(e.Checks, CheckResult{ID: id, Passed: ok})
		}
		r.Log = append(r.Log, e)
		return r
	}
	cases := []struct {
		name string
		r    *Run
		want string
	}{
		{"failed, missed the dispatch", run(false, []string{"greet", "angry"}, map[string]bool{"dispatch": false}), "没人来修"},
		{"failed through the angry branch", run(false, []string{"greet", "angry"}, map[string]bool{"dispatch": true}), "业主挂了电话"},
		{"failed otherwise", run(false, []string{"greet"}, map[string]bool{"dispatch": true}), "没修好"},
		{"passed through the angry branch", run(true, []string{"greet", "angry"}, map[string]bool{"dispatch": true}), "虽然开头不顺，修好了"},
		{"passed straight", run(true, []string{"greet"}, map[string]bool{"dispatch": true}), "好了"},
		{"not at an end", &Run{Step: "task"}, ""},
	}
	for _, c := range cases {
		if got := s.Ending(c.r); got != c.want {
			t.Errorf("%s: told %q, want %q", c.name, got, c.want)
		}
	}
}

func TestReplyFeedback(t *testing.T) {
	r := &Reply{Required: []PhraseGroup{{Any: []string{"602", "5栋2单元"}}, {Any: []string{"工程部", "师傅"}}}, Forbidden: []string{"马上就到"}}
	if ok, p, _ := ReplyFeedback(r, nil, "刘女士，5栋2单元602对吧？工程部师傅半小时内到，我二十分钟后给您回电。"); !ok {
		t.Fatalf("good reply refused: %v", p)
	}
	ok, p, _ := ReplyFeedback(r, nil, "别急，马上就到！")
	if ok || len(p) != 3 || !strings.Contains(p[2], "马上就到") {
		t.Fatalf("bad reply: %v %v", ok, p)
	}
}

// The audit's free-text cases: half an hour is minutes, a denied penalty
// is no promise of one, room numbers may be written in Chinese, and the
// scenario's synonyms count; the debrief is told what matched what.
func TestReplyFeedbackReadsLikeATrainer(t *testing.T) {
	r := &Reply{Required: []PhraseGroup{{Any: []string{"维保"}}, {Any: []string{"分钟"}}, {Any: []string{"1802"}}}, Forbidden: []string{"违约金"}}
	syn := []PhraseGroup{{Any: []string{"维保", "电梯公司"}}}
	ok, problems, found := ReplyFeedback(r, syn, "何女士，一八零二对吧？电梯公司半小时内到，核对期间不会产生违约金。")
	if !ok {
		t.Fatalf("good reply refused: %v", problems)
	}
	want := []string{"“电梯公司”（按“维保”理解）对应“维保”", "“半小时”（按“30分钟”理解）对应“分钟”", "“一八零二”（按“1802”理解）对应“1802”"}
	if !slices.Equal(found, want) {
		t.Fatalf("found %q, want %q", found, want)
	}
	ok, problems, found = ReplyFeedback(r, syn, "1802，维保十分钟到，逾期会产生违约金")
	if ok || len(problems) != 1 || problems[0] != "不应该说：违约金" || found[len(found)-1] != "不应该说的“违约金”对应“违约金”" {
		t.Fatalf("promised penalty: %v %v %q", ok, problems, found)
	}
}

// recoveryScenario is a call where a bad answer can be made good again: the
// recovery scores more than the good answer would have, but not enough to
// make up for what the bad answer cost.
func recoveryScenario() *Scenario {
	s := validScenario()
	s.Start = "hello"
	s.Steps = []Step{
		{ID: "hello", Kind: StepDialogue, Owner: "喂？", Choices: []Choice{
			{Text: "您好，物业客服", Next: "ask", Scores: map[string]int{DimEmpathy: 2}, Feedback: "好"},
		}},
		{ID: "ask", Kind: StepDialogue, Owner: "会不会更糟？", Choices: []Choice{
			{Text: "不会，我陪着您", Next: "task", Scores: map[string]int{DimEmpathy: 3}, Feedback: "好"},
			{Text: "说不好", Next: "sorry", Scores: map[string]int{DimEmpathy: -2, DimAccuracy: -1}, Feedback: "放大恐惧"},
		}},
		{ID: "sorry", Kind: StepDialogue, Owner: "你说不好？！", Choices: []Choice{
			{Text: "您听我说……", Next: "task", Scores: map[string]int{DimEmpathy: 4}, Feedback: "挽回"},
		}},
		{ID: "task", Kind: StepTask, Prompt: "处理", Next: "end", Checks: []Check{
			{Kind: CheckOrder, Type: TypeRepair, Actions: []string{"create", "dispatch"}, Dimension: DimProcedure, Points: 3, Message: "m"},
		}},
		{ID: "end", Kind: StepEnd, Outcome: "好了", Endings: []Ending{{When: EndingCond{Result: ResultFailed}, Outcome: "没修好"}}},
	}
	return s
}

func TestMaxScoreIsReachable(t *testing.T) {
	cases := []struct {
		name string
		mod  func(*Scenario)
		want int
		why  string
	}{
		{"negative then recovery", func(*Scenario) {}, 8,
			"2 + 3 + 3 beats 2 - 2 + 4 + 3; counting only positives gave 2 + 4 + 3 = 9"},
		{"a negative on an empty dimension costs nothing", func(s *Scenario) {
			s.Steps[0].Choices = append(s.Steps[0].Choices, Choice{Text: "嗯", Next: "ask",
				Scores: map[string]int{DimEmpathy: 4, DimTimeliness: -3}, Feedback: "f"})
		}, 10, "timeliness stays at 0, as the run clamps it: 4 + 3 + 3"},
		{"a reply worth less than nothing is better missed", func(s *Scenario) {
			s.Steps[1].Choices[0].Next = "retort"
			s.Steps = append(s.Steps, Step{ID: "retort", Kind: StepDialogue, Owner: "哦", Reply: &Reply{
				Required: []PhraseGroup{{Any: []string{"抱歉"}}}, Next: "task",
				Scores: map[string]int{DimEmpathy: -5}, Feedback: "f"}})
		}, 8, "failing the reply keeps 2 + 3, the task adds 3"},
		{"a loop back is walked once", func(s *Scenario) {
			s.Steps[1].Choices = append(s.Steps[1].Choices, Choice{Text: "再说一遍", Next: "hello",
				Scores: map[string]int{DimEmpathy: 1}, Feedback: "f"})
		}, 8, "the path stops at a step it has already been through"},
	}
	yes := func(string) bool { return true }
	for _, c := range cases {
		s := recoveryScenario()
		c.mod(s)
		if ps := ValidateScenario(s, yes); len(ps) != 0 {
			t.Fatalf("%s: the scenario does not validate: %+v", c.name, ps)
		}
		if got := s.MaxScore(); got != c.want {
			t.Errorf("%s: max score %d, want %d (%s)", c.name, got, c.want, c.why)
		}
	}
}

// bestPlay walks every path through s that visits each step at most once,
// scoring it the way a run does, and returns the best total. It is the
// slow, obvious search MaxScore must agree with.
func bestPlay(s *Scenario, id string, scores map[string]int, seen map[string]bool) int {
	st := s.Step(id)
	if st == nil || st.Kind == StepEnd {
		n := 0
		for _, v := range scores {
			n += v
		}
		return n
	}
	if seen[id] {
		return -1
	}
	seen[id] = true
	defer delete(seen, id)
	best := -1
	with := func(next string, delta map[string]int) {
		m := map[string]int{}
		for d, v := range scores {
			m[d] = v
		}
		for d, v := range delta {
			m[d] = max(0, m[d]+v)
		}
		best = max(best, bestPlay(s, next, m, seen))
	}
	switch st.Kind {
	case StepTask:
		pts := map[string]int{}
		for _, c := range st.Checks {
			pts[c.Dimension] += c.Points
		}
		with(st.Next, pts)
	case StepDialogue:
		for _, c := range st.Choices {
			with(c.Next, c.Scores)
		}
		if st.Reply != nil {
			with(st.Reply.Next, st.Reply.Scores)
			with(st.Reply.Next, nil)
		}
	}
	return best
}

func TestMaxScoreOfScenarioFiles(t *testing.T) {
	files, err := filepath.Glob("../../scenarios/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenario files: %v", err)
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var s Scenario
		if err := yaml.Unmarshal(src, &s); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		want := bestPlay(&s, s.Start, map[string]int{}, map[string]bool{})
		if got := s.MaxScore(); got != want || got <= 0 {
			t.Errorf("%s: max score %d, best play %d", filepath.Base(f), got, want)
		}
		// The elevator call's "panic" branch costs more than its recovery
		// earns; the best play goes around it.
		if filepath.Base(f) == "elevator-entrapment.yaml" && s.MaxScore() != 42 {
			t.Errorf("elevator-entrapment: max score %d, want 42", s.MaxScore())
		}
	}
}
