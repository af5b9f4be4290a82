package content

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/academy/academy/internal/academy"
)

// giftRightResponse is the response that answers q correctly.
func giftRightResponse(q *academy.Question) *academy.Response {
	r := &academy.Response{Choice: q.Key.Choice, Choices: q.Key.Choices, Order: q.Key.Order, Pairs: q.Key.Pairs}
	switch q.Type {
	case academy.QTrueFalse:
		r.Bool = &q.Key.Bool
	case academy.QFill:
		r.Text = q.Key.Texts[len(q.Key.Texts)-1]
	case academy.QNumeric:
		v := q.Key.Value + q.Key.Tolerance // the edge of the tolerance is still right
		r.Number = &v
	}
	return r
}

// checkGIFTQuestion asserts what every imported question must satisfy.
func checkGIFTQuestion(t *testing.T, q *academy.Question) {
	t.Helper()
	if err := q.Validate(); err != nil {
		t.Errorf("%s: Validate: %v", q.ID, err)
		return
	}
	if got, ok := academy.Grade(q, giftRightResponse(q)); !ok || got != q.Points {
		t.Errorf("%s: the right answer scores %v (correct %v), want %v", q.ID, got, ok, q.Points)
	}
}

func TestParseGIFTSample(t *testing.T) {
	src, err := os.ReadFile("testdata/sample.gift")
	if err != nil {
		t.Fatal(err)
	}
	qs, ps := ParseGIFT(src, "quizzes/sample.gift", "imp")

	desk, repair := []string{"前台接待"}, []string{"设施报修"}
	opts := func(texts ...string) []academy.Option {
		var out []academy.Option
		for i, t := range texts {
			out = append(out, academy.Option{ID: giftOptionID(i), Text: t})
		}
		return out
	}
	want := []academy.Question{
		{
			ID: "visitor-registration", Type: academy.QSingle, Points: 1, Tags: desk,
			Prompt:      "访客到前台说要找 8 栋 1202 的业主，你首先应该怎么做？",
			Options:     opts("先联系业主确认，再为访客登记放行", "直接放行，访客说得出门牌号", "请访客自己打电话给业主"),
			Key:         academy.Key{Choice: "a"},
			Explanation: "选项「先联系业主确认，再为访客登记放行」：先确认再放行，既保护业主也留有记录。\n选项「直接放行，访客说得出门牌号」：说得出门牌号并不代表业主同意来访。",
		},
		{
			ID: "imp-2", Type: academy.QSingle, Points: 1, Tags: desk, // Chinese title: numbered
			Prompt:      "按照物业服务合同，物业费按____计算。",
			Options:     opts("建筑面积", "套内面积", "使用面积"),
			Key:         academy.Key{Choice: "a"},
			Explanation: "正确答案：建筑面积。",
		},
		{
			ID: "complaint-hotline-hours", Type: academy.QFill, Points: 1, Tags: desk,
			Prompt:      "客服热线的服务时间是多少？",
			Key:         academy.Key{Texts: []string{"24小时", "２４小时", "全天"}}, // not the 50% 白天
			Explanation: "正确答案：24小时（也接受：２４小时、全天）。",
		},
		{
			ID: "duty-handover", Type: academy.QMultiple, Points: 1, Tags: desk,
			Prompt:      "交接班时必须当面交代的事项有哪些？",
			Options:     opts("未办结的报修单", "业主寄存的快递和钥匙", "前台的绿植摆放"),
			Key:         academy.Key{Choices: []string{"a", "b"}},
			Explanation: "选项「未办结的报修单」：报修单没交代清楚，下一班就接不上。",
		},
		{
			ID: "key-storage", Type: academy.QTrueFalse, Points: 1, Tags: desk,
			Prompt:      "业主寄存在前台的钥匙必须登记并由专人保管。",
			Key:         academy.Key{Bool: true},
			Explanation: "选项「正确」：对，登记和专人保管缺一不可。\n选项「错误」：钥匙不登记，出了问题说不清责任。",
		},
		{
			ID: "noise-policy", Type: academy.QTrueFalse, Points: 1, Tags: desk,
			Prompt:      "业主投诉噪声时，前台可以直接到邻居家要求对方停止。",
			Key:         academy.Key{Bool: false},
			Explanation: "选项「正确」：客服应先致电或上门沟通，态度要委婉。\n选项「错误」：对，应先了解情况，不能直接上门指责。",
		},
		{
			ID: "match-repair-types", Type: academy.QMatching, Points: 1, Tags: repair,
			Prompt: "把报修内容与负责的岗位对应起来。",
			Items: []academy.Option{
				{ID: "i1", Text: "电梯困人"}, {ID: "i2", Text: "水管爆裂"}, {ID: "i3", Text: "楼道灯不亮"}, {ID: "i4", Text: "门禁卡失效"},
			},
			Options: []academy.Option{{ID: "m1", Text: "电梯维保单位"}, {ID: "m2", Text: "工程部水电工"}, {ID: "m3", Text: "客服前台"}},
			Key:     academy.Key{Pairs: map[string]string{"i1": "m1", "i2": "m2", "i3": "m2", "i4": "m3"}},
			Explanation: "正确答案：电梯困人 → 电梯维保单位；水管爆裂 → 工程部水电工；" +
				"楼道灯不亮 → 工程部水电工；门禁卡失效 → 客服前台。",
		},
		{
			ID: "water-pressure", Type: academy.QNumeric, Points: 1, Tags: repair,
			Prompt:      "高层住户反映水压低。住宅正常的入户水压大约是多少 MPa？",
			Key:         academy.Key{Value: 0.3, Tolerance: 0.05},
			Explanation: "正确答案：0.3（允许误差 ±0.05）。",
		},
		{
			ID: "callback-window", Type: academy.QNumeric, Points: 1, Tags: repair,
			Prompt:      "报修完成后，回访应在几个工作日之内完成？填写 1 到 3 之间的数。",
			Key:         academy.Key{Value: 2, Tolerance: 1},
			Explanation: "正确答案：2（允许误差 ±1）。",
		},
		{
			ID: "escapes", Type: academy.QSingle, Points: 1, Tags: repair,
			Prompt:      "在工单系统里，公式 a=b 表示~约等~，字段写成 {单号}，编号前加 #，时间写 10:30。",
			Options:     opts("照原样录入", "删掉特殊符号"),
			Key:         academy.Key{Choice: "a"},
			Explanation: "记住：= 和 # 在系统里都有特殊含义。\n\n选项「照原样录入」：系统会把 {单号} 换成真实单号。",
		},
		{
			ID: "markdown-notice", Type: academy.QFill, Points: 1, Tags: repair,
			Prompt:      "**停水通知**应提前多久张贴？",
			Key:         academy.Key{Texts: []string{"24小时", "一天"}},
			Explanation: "正确答案：24小时（也接受：一天）。",
		},
		{
			ID: "tool", Type: academy.QSingle, Points: 1, Tags: repair,
			Prompt:      "维修师傅上门前必须先____，再按约定时间到达。",
			Options:     opts("电话预约", "直接敲门"),
			Key:         academy.Key{Choice: "a"},
			Explanation: "预约能让业主安排好时间，也体现对业主的尊重。",
		},
		{
			ID: "hotline-greeting", Type: academy.QSingle, Points: 1, Tags: repair,
			Prompt:      "When you answer the service hotline, first ____.",
			Options:     opts("state the company and your name", "ask for the unit number", "explain the fee policy"),
			Key:         academy.Key{Choice: "a"},
			Explanation: "正确答案：state the company and your name。",
		},
	}

	if len(qs) != len(want) {
		var ids []string
		for _, q := range qs {
			ids = append(ids, q.ID)
		}
		t.Fatalf("imported %d questions %v, want %d", len(qs), ids, len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(qs[i], want[i]) {
			t.Errorf("question %d:\n got %+v\nwant %+v", i+1, qs[i], want[i])
		}
		checkGIFTQuestion(t, &qs[i])
	}
	// The fill question accepts the full-width answer and the half-width one
	// it normalises to, but not the partial-credit answer.
	fill := &qs[2]
	for text, right := range map[string]bool{"２４小时": true, "24 小时": true, "全天": true, "白天": false} {
		if _, ok := academy.Grade(fill, &academy.Response{Text: text}); ok != right {
			t.Errorf("fill answer %q graded correct=%v, want %v", text, ok, right)
		}
	}

	wantProblems := Problems{
		{Path: "quizzes/sample.gift", Line: 49, Message: "essay questions are not supported: Academy grades automatically"},
		{Path: "quizzes/sample.gift", Line: 51, Message: "HTML question text is not supported; write Markdown"},
		{Path: "quizzes/sample.gift", Line: 53, Message: "the answer block opened with '{' on line 53 is never closed with '}'"},
	}
	if !reflect.DeepEqual(ps, wantProblems) {
		t.Errorf("problems:\n%v\nwant:\n%v", ps, wantProblems)
	}
}

// parseOneGIFT parses src that must hold exactly one good question.
func parseOneGIFT(t *testing.T, src string) academy.Question {
	t.Helper()
	qs, ps := ParseGIFT([]byte(src), "t.gift", "t")
	if len(ps) > 0 || len(qs) != 1 {
		t.Fatalf("got %d questions, problems %v; want one question", len(qs), ps)
	}
	checkGIFTQuestion(t, &qs[0])
	return qs[0]
}

func TestParseGIFTEscapesInFeedback(t *testing.T) {
	q := parseOneGIFT(t, `门禁卡丢失怎么办？{
  =先挂失旧卡\#再补办#步骤：挂失\=停用旧卡，再按 \{身份证\} 补办\~不能省略\: 核对身份。\n补卡收工本费。
  ~直接补办新卡#旧卡仍可开门，有安全隐患 \\ 务必挂失。
}`)
	if got := q.Options[0].Text; got != "先挂失旧卡#再补办" {
		t.Errorf("option text %q", got)
	}
	want := "选项「先挂失旧卡#再补办」：步骤：挂失=停用旧卡，再按 {身份证} 补办~不能省略: 核对身份。\n补卡收工本费。\n" +
		`选项「直接补办新卡」：旧卡仍可开门，有安全隐患 \ 务必挂失。`
	if q.Explanation != want {
		t.Errorf("explanation\n got %q\nwant %q", q.Explanation, want)
	}
}

func TestParseGIFTEscapedArrow(t *testing.T) {
	// In a matching pair, only the unescaped arrow separates the sides.
	q := parseOneGIFT(t, `温度对应哪种处理？{
  =室温\->30 度 -> 开空调
  =湿度\->80% -> 开除湿
  =a\\ -> b
}`)
	wantItems := []academy.Option{{ID: "i1", Text: "室温->30 度"}, {ID: "i2", Text: "湿度->80%"}, {ID: "i3", Text: `a\`}}
	if q.Type != academy.QMatching || !reflect.DeepEqual(q.Items, wantItems) {
		t.Errorf("got %s %+v, want matching %+v", q.Type, q.Items, wantItems)
	}
	// An escaped arrow does not make a short answer a matching question.
	q = parseOneGIFT(t, `流程写作？{=受理\->派单 =受理到派单}`)
	if q.Type != academy.QFill || !reflect.DeepEqual(q.Key.Texts, []string{"受理->派单", "受理到派单"}) {
		t.Errorf("got %s %q", q.Type, q.Key.Texts)
	}
	// Beside wrong answers an arrow is plain text of a choice.
	q = parseOneGIFT(t, `报修流程？{=受理 -> 派单 ~派单 -> 受理}`)
	if q.Type != academy.QSingle || q.Options[0].Text != "受理 -> 派单" {
		t.Errorf("got %s %+v", q.Type, q.Options)
	}
}

func TestParseGIFTCRLF(t *testing.T) {
	src := "// 注释\r\n::CRLF One::第一题\r\n{\r\n=对\r\n~错\r\n}\r\n\r\n\r\n::CRLF Two::第二题{=是 ~否}\r\n\r\n::Bad::未闭合{=a\r\n"
	qs, ps := ParseGIFT([]byte(src), "crlf.gift", "c")
	if len(qs) != 2 || qs[0].ID != "crlf-one" || qs[1].ID != "crlf-two" {
		t.Fatalf("got %+v", qs)
	}
	for _, q := range qs {
		checkGIFTQuestion(t, &q)
		if strings.Contains(q.Prompt+q.Explanation+q.Options[0].Text+q.Options[1].Text, "\r") {
			t.Errorf("%s keeps a carriage return", q.ID)
		}
	}
	if len(ps) != 1 || ps[0].Line != 11 {
		t.Errorf("problems %v, want one on line 11", ps)
	}
}

func TestParseGIFTNothingToImport(t *testing.T) {
	for name, src := range map[string]string{
		"empty":         "",
		"blank lines":   "\n\n  \n\t\n",
		"only comments": "// 第一行注释\n// 第二行注释\n\n   // 缩进的注释\n",
		"only category": "$CATEGORY: top/空分类\n\n// 后面没有题\n",
		"bom":           "\uFEFF// 注释\n",
	} {
		qs, ps := ParseGIFT([]byte(src), "x.gift", "x")
		if len(qs) != 0 || len(ps) != 0 {
			t.Errorf("%s: got %d questions and problems %v, want nothing", name, len(qs), ps)
		}
	}
}

func TestParseGIFTIDs(t *testing.T) {
	src := `::Q1:: 第一题 {T}

::q1:: 标题重复，改用编号 {T}

::物业:: 中文标题 {T}

没有标题 {F}

::t-6:: 占用了第六题的编号 {T}

::  Fee -- Rules (2024) :: 标题里的符号变成连字符 {T}

::` + strings.Repeat("a", 70) + `:: 太长的标题被截断 {T}`
	qs, ps := ParseGIFT([]byte(src), "ids.gift", "t")
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	var got []string
	for _, q := range qs {
		got = append(got, q.ID)
	}
	want := []string{"q1", "t-2", "t-3", "t-4", "t-6", "fee-rules-2024", strings.Repeat("a", 60)}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ids %q, want %q", got, want)
	}

	// A title taking a fallback id before it is needed.
	qs, _ = ParseGIFT([]byte("::t-2:: 一 {T}\n\n::物业:: 二 {T}"), "ids.gift", "t")
	if qs[0].ID != "t-2" || qs[1].ID != "t-2-2" {
		t.Errorf("ids %s, %s", qs[0].ID, qs[1].ID)
	}
	// A prefix that Validate would reject is made safe.
	qs, _ = ParseGIFT([]byte("标题 {T}"), "ids.gift", "my quiz/v1.2")
	if len(qs) != 1 || qs[0].ID != "my-quiz-v1-2-1" {
		t.Errorf("got %+v", qs)
	}
}

func TestParseGIFTTypes(t *testing.T) {
	tests := []struct {
		name, src string
		want      academy.Question
	}{
		{
			"numeric list takes the first full-credit answer",
			"装修押金是多少元？{#\n  =%50%2500:500 #接近了\n  =3000:0 #正确\n  =3000:100\n}",
			academy.Question{Type: academy.QNumeric, Key: academy.Key{Value: 3000},
				Explanation: "答案「2500:500」：接近了\n答案「3000:0」：正确"},
		},
		{
			"exact numeric with feedback",
			"一栋楼有几个消防通道？{#2#至少两个}",
			academy.Question{Type: academy.QNumeric, Key: academy.Key{Value: 2}, Explanation: "答案「2」：至少两个"},
		},
		{
			"negative range",
			"冷库温度？{#-20..-10}",
			academy.Question{Type: academy.QNumeric, Key: academy.Key{Value: -15, Tolerance: 5}, Explanation: "正确答案：-15（允许误差 ±5）。"},
		},
		{
			"single choice keeps the = answer and drops partial credit",
			"业主从哪里来？{~%25%南门 =北门 ~东门}",
			academy.Question{Type: academy.QSingle, Key: academy.Key{Choice: "b"}, Explanation: "正确答案：北门。"},
		},
		{
			"true written in lower case, one feedback",
			"电梯困人时先安抚乘客。{true#应先安抚}",
			academy.Question{Type: academy.QTrueFalse, Key: academy.Key{Bool: true}, Explanation: "选项「错误」：应先安抚"},
		},
		{
			"matching with a distractor",
			"对应部门{=漏水->工程部 =吵闹->秩序部 =->财务部}",
			academy.Question{Type: academy.QMatching, Key: academy.Key{Pairs: map[string]string{"i1": "m1", "i2": "m2"}},
				Explanation: "正确答案：漏水 → 工程部；吵闹 → 秩序部。"},
		},
		{
			"plain and moodle format tags are removed",
			"::Fmt::[plain]纯文本题 {=[moodle]答案 ~错}",
			academy.Question{Type: academy.QSingle, Key: academy.Key{Choice: "a"}, Explanation: "正确答案：答案。"},
		},
		{
			"html without tags is imported",
			"[html]没有标签的题 {T}",
			academy.Question{Type: academy.QTrueFalse, Key: academy.Key{Bool: true}, Explanation: "正确答案：正确。"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := parseOneGIFT(t, tt.src)
			if q.Type != tt.want.Type || !reflect.DeepEqual(q.Key, tt.want.Key) || q.Explanation != tt.want.Explanation {
				t.Errorf("got %s %+v %q\nwant %s %+v %q", q.Type, q.Key, q.Explanation, tt.want.Type, tt.want.Key, tt.want.Explanation)
			}
		})
	}
}

func TestParseGIFTProblems(t *testing.T) {
	tests := []struct{ src, msg string }{
		{"两个正确？{=A =B ~C}", "2 answers are marked right with '='"},
		{"没有正确项{~A ~B}", "has no right answer"},
		{"只有一个选项{~%100%A}", "at least 2 answers"},
		{"配对太少{=A -> 1}", "at least 2 pairs (left -> right); found 1"},
		{"混合{=A -> 1 =B}", "mixes 1 matching pairs (left -> right) with 1 plain answers"},
		{"部分得分{=%50%半对}", "no answer with full credit"},
		{"数字{#三}", `numeric answer "三" is not a number`},
		{"数字{#NaN}", "is not a number"},
		{"误差{#3:-1}", "negative tolerance"},
		{"范围{#5..1}", "runs backwards"},
		{"{=答案}", "the question has no text"},
		{"::未闭合的标题 题目 {T}", "title opened with '::' is never closed"},
		{"只有说明，没有答案。", "description items"},
		{"多余的 } 括号 {T}", "'}' on line 3 has no opening '{'"},
		{"两个空 {=a} 和 {=b}", "a second answer block starts on line 3"},
		{"嵌套 {=a {=b}}", "opens a second answer block inside"},
		{"前缀{x =a ~b}", `unexpected text "x" before the first answer`},
		{"看不懂{abc}", `cannot read the answer block "abc"`},
		{"判断{T#a#b#c}", "at most two feedbacks"},
		{"空选项{= ~b}", "answer 1 of the choice list is empty"},
		{"多行\n第二行 {\n=a\n~b", "the answer block opened with '{' on line 4 is never closed"},
	}
	for _, tt := range tests {
		src := "// 前面的注释\n\n" + tt.src + "\n\n好题 {T}\n"
		qs, ps := ParseGIFT([]byte(src), "p.gift", "p")
		if len(ps) != 1 || ps[0].Line != 3 || !strings.Contains(ps[0].Message, tt.msg) {
			t.Errorf("%q: problems %v, want one on line 3 containing %q", tt.src, ps, tt.msg)
		}
		if len(qs) != 1 || qs[0].Prompt != "好题" {
			t.Errorf("%q: the good question after it was not imported: %+v", tt.src, qs)
		}
	}
}

func FuzzParseGIFT(f *testing.F) {
	if src, err := os.ReadFile("testdata/sample.gift"); err == nil {
		f.Add(string(src))
	}
	for _, s := range []string{
		"",
		"::T::题{T}",
		"题{=a ~b}",
		"题{~%50%a ~%50%b ~%-100%c}",
		"题{=a->b =c->d}",
		"题{#1..5}",
		"题{# =3:0 =%50%3:0.5}",
		"题{=a\\} b",
		"\\{\\}\\=\\~\\#\\:\\\\\\n{=\\->}",
		"$CATEGORY: a/b\n::x::[html]<b>y</b>{}",
		"::::{####}",
		"a{#1e308..-1e308}",
		"\r\n{\r\n=\xff\xfe\r\n}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		qs, ps := ParseGIFT([]byte(src), "f.gift", "f")
		ids := map[string]bool{}
		for i := range qs {
			if err := qs[i].Validate(); err != nil {
				t.Fatalf("question %q does not validate: %v", qs[i].ID, err)
			}
			if ids[qs[i].ID] {
				t.Fatalf("duplicate id %q", qs[i].ID)
			}
			ids[qs[i].ID] = true
		}
		lines := strings.Count(src, "\n") + 1
		for _, p := range ps {
			if p.Line < 1 || p.Line > lines || p.Path != "f.gift" || p.Message == "" {
				t.Fatalf("bad problem %+v", p)
			}
		}
	})
}
