package phrase

import (
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	m := New(nil)
	cases := map[string]string{
		"半小时":            "30分钟",
		"半个小时":           "30分钟",
		"三十分钟":           "30分钟",
		"30 分钟":          "30分钟",
		"３０分钟":           "30分钟",
		"一个半小时":          "90分钟",
		"两个小时":           "120分钟",
		"2h":             "120分钟",
		"一天":             "1440分钟",
		"24小时":           "1440分钟",
		"一刻钟":            "15分钟",
		"几分钟":            "几分钟",
		"十分抱歉":           "十分抱歉",
		"一定会":            "一定会",
		"万一":             "万一",
		"一直陪着您":          "一直陪着您",
		"三栋二单元一二零二":      "3栋2单元1202",
		"3栋2单元1202":      "3栋2单元1202",
		"二十五号":           "25号",
		"一百零五元":          "105元",
		"0571":           "0571",
		"Hello  World":   "helloworld",
		"等了半天":           "等了半天",
		"house":          "house",
		"两万元":            "20000元",
		"十五分钟内到":         "15分钟内到",
		"我二十分钟后给您回电":     "我20分钟后给您回电",
		"维保师傅 30min 内到场": "维保师傅30分钟内到场",
	}
	for in, want := range cases {
		if got := m.Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

// The audit's cases: what a person writes is matched as a trainer would
// read it.
func TestFindReadsLikeATrainer(t *testing.T) {
	m := New([][]string{{"维保单位", "电梯公司", "维保公司"}})
	cases := []struct {
		text, phrase string
		found        bool
		said         string
	}{
		{"维保半小时内到", "分钟", true, "半小时"},
		{"师傅三十分钟内到", "30分钟", true, "三十分钟"},
		{"一天之内给您回复", "24小时", true, "一天"},
		{"我们已经通知了电梯公司", "维保单位", true, "电梯公司"},
		{"3栋2单元1802", "三栋二单元一八零二", true, "3栋2单元1802"},
		{"马上安排", "分钟", false, ""},
		{"十分抱歉", "分钟", false, ""},
	}
	for _, c := range cases {
		got, ok := m.Find(c.text, c.phrase)
		if ok != c.found || got.Said != c.said {
			t.Errorf("Find(%q, %q) = %+v %v, want said %q %v", c.text, c.phrase, got, ok, c.said, c.found)
		}
	}
	// A synonym inside its group's name is not rewritten within it.
	if n := New([][]string{{"维保单位", "维保"}}).Normalize("维保单位和维保"); n != "维保单位和维保单位" {
		t.Errorf("group name rewritten inside: %q", n)
	}
	// The debrief says what the words were read as.
	if got, _ := m.Find("维保半小时内到", "30分钟"); got.Said != "半小时" || got.Read != "30分钟" {
		t.Errorf("explanation: %+v", got)
	}
}

func TestForbiddenPhraseDenied(t *testing.T) {
	m := New(nil)
	cases := []struct {
		text  string
		found bool
	}{
		{"核对期间不会产生违约金", false},
		{"这期间没有违约金", false},
		{"可以免收违约金", false},
		{"逾期会产生违约金", true},
		{"违约金按日计算", true},
		{"不交的话会有违约金", true},
		{"您不交就要付违约金", true},
		{"如果您不按时交，违约金照收", true},
		{"无论如何违约金都要交", true},
		{"不管怎样违约金", true},
	}
	for _, c := range cases {
		if _, ok := m.FindAffirmed(c.text, "违约金"); ok != c.found {
			t.Errorf("FindAffirmed(%q, 违约金) = %v, want %v", c.text, ok, c.found)
		}
	}
	// A forbidden phrase that is itself a denial is found when said.
	if _, ok := m.FindAffirmed("这个不归我管", "不归我管"); !ok {
		t.Error("不归我管 not found")
	}
	// A denied first occurrence does not hide an affirmed second one.
	if _, ok := m.FindAffirmed("不会产生违约金，但下个月起有违约金", "违约金"); !ok {
		t.Error("second, affirmed 违约金 not found")
	}
}

// Answers that say the same in other words read the same.
func TestSameAnswers(t *testing.T) {
	m := New(nil)
	for _, c := range [][2]string{{"一天", "24小时"}, {"24h", "24 小时"}, {"半小时", "30分钟"}, {"ＡＢＣ", "abc"}} {
		if m.Normalize(c[0]) != m.Normalize(c[1]) {
			t.Errorf("%q and %q differ", c[0], c[1])
		}
	}
	if m.Normalize("一天") == m.Normalize("一周") {
		t.Error("different durations read the same")
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"一个半小时", "三栋二单元一二零二", "24h", "半", "十", "万万", "0.5小时", "两个半钟头", "不会产生违约金"} {
		f.Add(s, "违约金")
	}
	f.Fuzz(func(t *testing.T, s, p string) {
		m := New([][]string{{"维保", "电梯公司"}})
		n := m.Normalize(s)
		if strings.ContainsAny(n, " \t\n") {
			t.Fatalf("white space left in %q", n)
		}
		if got, ok := m.Find(s, p); ok && got.Said == "" && strings.TrimSpace(p) != "" && m.Normalize(p) != "" {
			t.Fatalf("match of %q in %q names no words", p, s)
		}
		m.FindAffirmed(s, p)
	})
}
