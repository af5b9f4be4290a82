package content

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWordingReportsQuotesAndVariants(t *testing.T) {
	got := (&Loader{Dir: "testdata/wording/bad"}).Wording().Error()
	want := []string{
		`courses/demo/course.yaml:2: wording: ASCII quotes in Chinese text ("礼貌用语"): write “礼貌用语”`,
		`courses/demo/01-intro.md:5: wording: ASCII quotes in Chinese text ('您好'): write ‘您好’`,
		`courses/demo/01-intro.md:8: wording: ASCII quotes in Chinese text ("几点开门"): write “几点开门”`,
		`courses/demo/01-intro.md:9: wording: "噪音" is not our term: write "噪声"`,
		`courses/demo/01-intro.md:9: wording: "秩序维护部" is not our term: write "安保"; name it once as "安保（有的项目叫秩序维护部）"`,
		`courses/demo/01-intro.md:10: wording: "供电局" is not our term: write "供电公司"`,
		`courses/demo/01-intro.md:10: wording: "自来水公司" is not our term: write "供水公司"`,
		`courses/demo/01-intro.md:11: wording: "服务中心" is not our term: write "客服中心"`,
		`courses/demo/01-intro.md:11: wording: "客服部" is not our term: write "客服中心"`,
		// SVG figures: text, tspans inside it, lines of a multi-line text
		`courses/demo/flow.svg:5: wording: "服务中心" is not our term: write "客服中心"`,
		`courses/demo/flow.svg:6: wording: ASCII quotes in Chinese text ("太吵了"): write “太吵了”`,
		`courses/demo/flow.svg:9: wording: "噪音" is not our term: write "噪声"`,
		`quizzes/demo.yaml:8: wording: ASCII quotes in Chinese text ("太吵了")`,
		`quizzes/demo.yaml:10: wording: "保安部" is not our term: write "安保"`,
		`scenarios/demo.yaml:5: wording: ASCII quotes in Chinese text ('煤气'): write ‘煤气’`,
		`scenarios/demo.yaml:5: wording: "煤气公司" is not our term: write "燃气公司"`,
	}
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("missing problem %q", w)
		}
	}
	// Code, and what learners type (fill-in answers, reply phrases,
	// synonyms), are not held to the table.
	// Nor are an SVG's comments and attributes, which are not on the figure.
	for _, no := range []string{"01-intro.md:12", "quizzes/demo.yaml:9", "scenarios/demo.yaml:8", "scenarios/demo.yaml:10", "flow.svg:3", "flow.svg:4", "flow.svg:8"} {
		if strings.Contains(got, no) {
			t.Errorf("reported %s, which the table does not cover", no)
		}
	}
	if t.Failed() {
		t.Logf("got:\n%s", got)
	}
}

func TestWordingPassesCleanText(t *testing.T) {
	if ps := (&Loader{Dir: "testdata/wording/clean"}).Wording(); len(ps) > 0 {
		t.Fatalf("clean text reported:\n%v", ps)
	}
}

func TestWordingReportsAnUnreadableFigureOnce(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "courses", "demo", "flow.svg")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	svg := "<svg xmlns=\"http://www.w3.org/2000/svg\">\n<text>退回服务中心</text>\n<text>客服中心</svg>\n<text>噪音</text>\n"
	if err := os.WriteFile(p, []byte(svg), 0o644); err != nil {
		t.Fatal(err)
	}
	l := &Loader{Dir: dir}
	got := l.Wording().Error()
	want := strings.Join([]string{
		`courses/demo/flow.svg:2: wording: "服务中心" is not our term: write "客服中心" (用语规范)`,
		`courses/demo/flow.svg:3: figure: not well-formed SVG (element <text> closed by </svg>): browsers show nothing of it, and its text could not be checked`,
	}, "\n")
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	// References reads the same lines; the broken file is Wording's to
	// report, so lint does not say it twice.
	if ps := l.References(nil); len(ps) > 0 {
		t.Errorf("References reported:\n%v", ps)
	}
}

func TestASCIIQuoted(t *testing.T) {
	for line, want := range map[string]string{
		`他说"好"。`:                  `"好"`,
		`点"确定"`:                   `"确定"`,
		`按"OK"键`:                  `"OK"`,
		`按 "OK" 键`:                ``,
		`the owner's "key" words`: ``,
		`业主's`:                    `业主's`,
		`“好的”，‘行’`:                ``,
		`一个"没有配对`:                 `一个"没有配对`,
		`"English" then "中文"`:     `"中文"`,
	} {
		if got := asciiQuoted(line); got != want {
			t.Errorf("asciiQuoted(%q) = %q, want %q", line, got, want)
		}
	}
}

func TestReferencesNameLessonsThatExist(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, text string) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("courses/a/01-x.md", "---\ntitle: 甲\n---\n\n详见《应急处置》中的“燃气泄漏”一课；《应急处置》的“电梯困人”也讲过。\n\n依据《民法典》的“物业服务合同”一章。\n")
	write("quizzes/q.yaml", "title: 测验\nquestions:\n  - id: a\n    explanation: 见《投诉处理》“六步法”。\n")
	got := (&Loader{Dir: dir}).References(map[string][]string{"应急处置": {"燃气泄漏"}, "投诉处理": {"投诉的原则"}}).Error()
	for _, want := range []string{
		"courses/a/01-x.md:5: reference: 《应急处置》 has no lesson “电梯困人” (lessons: 燃气泄漏)",
		"quizzes/q.yaml:4: reference: 《投诉处理》 has no lesson “六步法”",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if strings.Contains(got, "no lesson “燃气泄漏") || strings.Contains(got, "民法典") {
		t.Errorf("reported a reference that is right, or a law:\n%s", got)
	}
}
