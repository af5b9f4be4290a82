package content

import (
	"strings"
	"testing"

	"github.com/academy/academy/internal/academy"
)

// fairScenario has three choice steps to judge: the best reply is the
// longest in one (exactly a third, which is allowed), the shortest in
// another, in between in the third. A fourth step has two equally good
// replies and is not judged.
const fairScenario = `title: 测试
summary: 测试
difficulty: easy
pass_mark: 50
persona: {name: 测试, unit: 1栋1单元101, mood: 平静}
opening: 测试
start: a
steps:
  - id: a
    kind: dialogue
    owner: 喂？
    choices:
      - {text: 您好，物业服务中心，我是小周，请问您是哪栋哪一户？, next: b, scores: {procedure: 2}, feedback: 好}
      - {text: 说。, next: b, scores: {empathy: -1}, feedback: 差}
  - id: b
    kind: dialogue
    owner: 漏水了。
    choices:
      - {text: 我先登记，师傅二十分钟内到。, next: c, scores: {accuracy: 2}, feedback: 好}
      - {text: 漏水一般是楼上防水层坏了，得把楼上地面砸开重做，到时候您找楼上赔就行。, next: c, scores: {accuracy: -2}, feedback: 差}
  - id: c
    kind: dialogue
    owner: 电话给我。
    choices:
      - {text: 不行。, next: d, scores: {empathy: -2}, feedback: 差}
      - {text: 号码不能给，我替您联系他。, next: d, scores: {procedure: 2}, feedback: 好}
      - {text: 好的，他姓赵，电话我念给您，您记一下，自己打给他吧。, next: d, scores: {procedure: -5}, feedback: 差}
  - id: d
    kind: dialogue
    owner: 谢谢。
    choices:
      - {text: 不客气，有事随时打给我们。, next: end, scores: {empathy: 1}, feedback: 好}
      - {text: 应该的。, next: end, scores: {empathy: 1}, feedback: 也好}
  - id: end
    kind: end
    outcome: 好。
    endings:
      - when: {result: failed}
        outcome: 不好。
`

func everyLessonExists(string) bool { return true }

func TestBestReplyLengthLint(t *testing.T) {
	const rel = "scenarios/fair.yaml"
	s, ps := readScenario("fair", []byte(fairScenario), rel, everyLessonExists)
	if len(ps) > 0 {
		t.Fatalf("the fair scenario has problems:\n%v", ps)
	}
	if longest, shortest, of := bestReplyLengths(s); len(longest) != 1 || len(shortest) > 1 || of != 3 {
		t.Fatalf("best is longest in %v and shortest in %v of %d steps, want [a], at most one, of 3 (the tied step d left out)", longest, shortest, of)
	}

	// The same call as a writer who polishes only the right answer leaves
	// it: at every step the best reply gets the longest text.
	giveBestText(s, func(a, b int) bool { return a > b })
	b, err := ScenarioYAML(s)
	if err != nil {
		t.Fatal(err)
	}
	_, ps = readScenario("fair", b, rel, everyLessonExists)
	want := "best reply is the longest choice in 3 of 3 steps (more than a third): vary lengths (a, b, c)"
	if len(ps) != 1 || ps[0].Message != want || ps[0].Path != rel {
		t.Fatalf("got %v, want one problem %q", ps, want)
	}
	if line := strings.Count(string(b)[:strings.Index(string(b), "\nsteps:")+1], "\n") + 1; ps[0].Line != line {
		t.Errorf("problem at line %d, want %d (the steps field)", ps[0].Line, line)
	}
}

func scoreSum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// A writer who has learnt that rule and now keeps the right answer curt
// leaves the opposite tell: at every step the best reply is the shortest.
func TestBestReplyShortestLint(t *testing.T) {
	const rel = "scenarios/fair.yaml"
	s, ps := readScenario("fair", []byte(fairScenario), rel, everyLessonExists)
	if len(ps) > 0 {
		t.Fatalf("the fair scenario has problems:\n%v", ps)
	}
	giveBestText(s, func(a, b int) bool { return a < b })
	b, err := ScenarioYAML(s)
	if err != nil {
		t.Fatal(err)
	}
	_, ps = readScenario("fair", b, rel, everyLessonExists)
	want := "best reply is the shortest choice in 3 of 3 steps (more than two thirds): vary lengths (a, b, c)"
	if len(ps) != 1 || ps[0].Message != want || ps[0].Path != rel {
		t.Fatalf("got %v, want one problem %q", ps, want)
	}
}

// giveBestText swaps, at every choice step, the best reply's text with the
// text that wins by length (longer: a > b; shorter: a < b).
func giveBestText(s *academy.Scenario, wins func(a, b int) bool) {
	for i := range s.Steps {
		st := &s.Steps[i]
		if len(st.Choices) < 2 {
			continue
		}
		best, pick := 0, 0
		for j, c := range st.Choices {
			if scoreSum(c.Scores) > scoreSum(st.Choices[best].Scores) {
				best = j
			}
			if wins(TextLength(c.Text), TextLength(st.Choices[pick].Text)) {
				pick = j
			}
		}
		st.Choices[best].Text, st.Choices[pick].Text = st.Choices[pick].Text, st.Choices[best].Text
	}
}
