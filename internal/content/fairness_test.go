package content

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/academy/academy/internal/academy"
)

func TestFairBankPassesAndLongestKeyedCopyFails(t *testing.T) {
	if _, ps := (&Loader{Dir: "testdata/fairness/fair"}).Quizzes(nil); len(ps) > 0 {
		t.Fatalf("the fair bank has problems:\n%v", ps)
	}

	// The same bank with every key moved to the longest option(s): what a
	// writer who polishes only the right answer ends up with.
	q, ps := ReadQuizFile("testdata/fairness/fair/quizzes/fair.yaml")
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	for i := range q.Questions {
		qq := &q.Questions[i]
		byLength := append([]academy.Option(nil), qq.Options...)
		for a := range byLength {
			for b := a + 1; b < len(byLength); b++ {
				if TextLength(byLength[b].Text) > TextLength(byLength[a].Text) {
					byLength[a], byLength[b] = byLength[b], byLength[a]
				}
			}
		}
		switch qq.Type {
		case academy.QSingle:
			qq.Key.Choice = byLength[0].ID
		case academy.QMultiple:
			qq.Key.Choices = nil
			for _, o := range byLength[:2] {
				qq.Key.Choices = append(qq.Key.Choices, o.ID)
			}
		}
	}
	dir := t.TempDir()
	write := func(name string, b []byte) {
		t.Helper()
		if err := os.MkdirAll(filepath.Join(dir, "quizzes"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "quizzes", name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := QuizYAML(q)
	if err != nil {
		t.Fatal(err)
	}
	write("fair.yaml", b)
	write("exam.yaml", []byte("title: 考试\npass_mark: 80\ndraw:\n  - {quiz: fair, count: 3}\n"))

	_, ps = (&Loader{Dir: dir}).Quizzes(nil)
	got := ps.Error()
	for _, want := range []string{
		"quizzes/fair.yaml:", // the questions field
		"fair: key is the longest option in 6 of 6 single-choice questions (more than a third): vary lengths (fair-s1, fair-s2, fair-s3, fair-s4, fair-s5, fair-s6)",
		"fair: the keyed options are exactly the longest ones in 3 of 3 multiple-choice questions (more than a third): vary lengths (fair-m1, fair-m2, fair-m3)",
		"quizzes/exam.yaml:3: exam's draws: key is the longest option in 6 of 6 single-choice questions (more than a third)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q", want)
		}
	}
	if t.Failed() {
		t.Logf("got:\n%s", got)
	}
}

func TestTooOften(t *testing.T) {
	for _, c := range []struct {
		hits, of int
		want     bool
	}{
		{0, 0, false}, {1, 1, false}, {1, 2, false}, // one question is not a habit
		{2, 2, true}, {2, 6, false}, {3, 9, false}, {4, 9, true}, {3, 8, true}, {2, 8, false},
	} {
		if got := tooOften(c.hits, c.of); got != c.want {
			t.Errorf("tooOften(%d, %d) = %v, want %v", c.hits, c.of, got, c.want)
		}
	}
}

func TestKeyIsLongest(t *testing.T) {
	texts := []string{"**先核实**再回电", "肯定明天好", "大概要一两天吧"}
	if KeyIsLongest(texts, 0) {
		t.Error("emphasis marks count towards length; they are not on the page")
	}
	if !KeyIsLongest(texts, 2) {
		t.Error("the strictly longest option is not reported")
	}
	if KeyIsLongest([]string{"一二三", "四五六"}, 0) {
		t.Error("a tie is not a tell")
	}
	if KeyIsLongest(texts, 3) || KeyIsLongest(texts, -1) {
		t.Error("a key outside the options is reported")
	}
	if !KeysAreLongest([]string{"长一些的选项", "也很长的选项", "短"}, []bool{true, true, false}) {
		t.Error("keyed options that are exactly the longest are not reported")
	}
	if KeysAreLongest([]string{"长", "很长", "最长的选项"}, []bool{true, true, true}) {
		t.Error("an all-keyed question has nothing to tell apart")
	}
}

func TestOptionReference(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		// Chinese: letters
		{"选项a说的是实情。", "选项a"},
		{"选项 B 看似息事宁人。", "选项 B"},
		{"选项（c）不对。", "选项（c）"},
		{"A项是推诿。", "A项"},
		{"B 选项顺序颠倒。", "B 选项"},
		{"所以 b、d 都不成立。", "b、d"},
		{"c 和 d 看似服务周到。", "c 和 d"},
		{"本题选 C。", "C"},
		{"答案是B。", "B"},
		{"(b) 是推诿。", "(b)"},
		{"（D）越权了。", "（D）"},
		// Chinese: positions
		{"选项三的开场白本身规范。", "选项三"},
		{"第二个选项是推诿。", "第二个选项"},
		{"第2项不对。", "第2项"},
		{"第三种做法越权了。", "第三种做法"},
		{"前两个选项都把业主推开了。", "前两个选项"},
		{"后两项不属于个人信息。", "后两项"},
		{"最后一个选项是承诺。", "最后一个选项"},
		{"上一个选项也不对。", "上一个选项"},
		// Chinese: the options around it
		{"以上都对", "以上都对"},
		{"以上皆是", "以上皆是"},
		{"以上都不对", "以上都不对"},
		{"以上说法都正确。", "以上说法都正确"},
		{"以上都不是", "以上都不是"},
		// English
		{"option c is a promise nobody can keep", "option c"},
		{"Option B pushes the owner away.", "Option B"},
		{"See answer (d).", "answer (d)"},
		{"Answer A is wrong.", "Answer A"},
		{"choice 2 breaks the rule", "choice 2"},
		{"The first option passes the buck.", "The first option"},
		{"the last two options", "the last two options"},
		{"All of the above", "All of the above"},
		{"none of the above", "none of the above"},
		{"both a and c", "both a and c"},

		// ordinary Chinese that is not a reference
		{"第二步：派单给工程部。", ""},
		{"第三方施工队进场前要登记。", ""},
		{"一是核实身份，二是记录来电，三是转告业主。", ""},
		{"《民法典》第二百七十一条规定了业主的建筑物区分所有权。", ""},
		{"3栋2单元1202的王女士来电。", ""},
		{"A栋的电梯停运，B1层车库积水。", ""},
		{"请到 C 区停车场。", ""},
		{"A、B 两栋今天停水。", ""},
		{"房号是报修五项信息的第一项。", ""},
		{"这个选项一般人会选。", ""},
		{"以上都是业主的个人信息。", ""},
		{"以上都非常重要。", ""},
		{"前几项工作都做完了再回访。", ""},
		{"第二项目组负责绿化。", ""},
		{"在 App 里提交报修。", ""},
		{"Wi-Fi 是运营商的线路。", ""},
		{"受理后 24 小时内答复。", ""},
		// ordinary English
		{"Answer a question with a question.", ""},
		{"Which of the following options is right?", ""},
		{"The options are shuffled.", ""},
		{"answer 3 questions", ""},
	} {
		if got := OptionReference(c.text); got != c.want {
			t.Errorf("OptionReference(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

func TestOptionReferencesAreReportedWhereTheyAre(t *testing.T) {
	_, ps := (&Loader{Dir: "testdata/fairness/refs"}).Quizzes(nil)
	want := []string{
		`quizzes/refs.yaml:14: questions[refs-letter]: explanation points at an option by letter or position ("选项 b"); options are shuffled and shown without letters: name the option by what it says`,
		`quizzes/refs.yaml:21: questions[refs-above]: options[c] points at other options ("以上都对"), which shuffling breaks: say what it means in full`,
	}
	if got := ps.Error(); got != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
}
