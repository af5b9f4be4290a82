package academy

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// anonDirectory is a site with real-looking people and phones.
func anonDirectory() *Directory {
	return &Directory{
		Units: []Unit{
			{ID: "3-2-1202", Building: "3栋", Label: "3栋2单元1202"},
			{ID: "3-2-1302", Building: "3栋", Label: "3栋2单元1302"},
			{ID: "5-1-601", Building: "5栋", Label: "5栋1单元601"},
		},
		Residents: []Resident{
			{ID: "r1", Name: "陈秀英", Unit: "3-2-1202", Phone: "13812345678", Role: "owner"},
			{ID: "r2", Name: "王建国", Unit: "3-2-1302", Phone: "13998765432", Role: "owner"},
			{ID: "r3", Name: "李娜", Unit: "5-1-601", Phone: "0755 8765 4321", Role: "tenant"},
			{ID: "r4", Name: "陈国庆", Unit: "5-1-601", Phone: "13700001111", Role: "owner"},
		},
		Members: []Member{
			{ID: "m1", Name: "赵大勇", Department: DeptEngineering},
			{ID: "m2", Name: "孙丽", Department: DeptCleaning},
		},
	}
}

// anonCreated is when the test ticket was opened.
var anonCreated = time.Date(2026, 3, 4, 10, 30, 0, 0, time.UTC)

// leakyTicket is a closed repair whose every field carries personal data.
func leakyTicket(t *testing.T, dir *Directory) *Ticket {
	t.Helper()
	tk, err := CreateTicket(ShippedRules(), NewTicket{Type: TypeRepair, Resident: "r1",
		Title: "3栋2单元1202陈阿姨报修：卫生间漏水，电话138-1234-5678",
		Description: "陈秀英（身份证110105199001011234）来电，手机138 1234 5678，座机021-12345678。楼上3栋2单元1302王建国家漏水，" +
			"王先生电话13998765432。2026-03-04 14:00开始滴水。1202的业主很着急。liuqing已记录。"},
		dir, "site1", "site1-000001", "BX-00001", "liuqing", anonCreated)
	if err != nil {
		t.Fatal(err)
	}
	at := anonCreated
	step := func(after time.Duration, actor, action string, kv ...string) {
		t.Helper()
		at = at.Add(after)
		f := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			f[kv[i]] = kv[i+1]
		}
		if _, err := Apply(tk, TicketAction{Action: action, Fields: f, Version: tk.Version}, actor, at); err != nil {
			t.Fatalf("%s: %v", action, err)
		}
	}
	step(5*time.Minute, "liuqing", "dispatch", "department", DeptEngineering, "priority", PriorityUrgent)
	step(time.Minute, "liuqing", ActionAssign, "assignee", "m1")
	step(10*time.Minute, "liuqing", ActionNote, "text", "已电话通知王建国（13998765432）开门，zhangmgr知悉。")
	step(20*time.Minute, "liuqing", "start")
	step(30*time.Minute, "liuqing", "follow_up", "note",
		"赵师傅上门，发现是3-2-1302的软管；李娜女士（5栋1单元601室）也反映过，电话0755 1234 5678，身份证44030419850101123X。liuqing 3月5日再回访。")
	step(time.Hour, "zhangmgr", "complete", "resolution", "赵大勇更换软管；陈阿姨确认，联系13812345678，3栋2单元1202室已不滴水。")
	step(22*time.Hour, "liuqing", "return_visit", "satisfaction", "5",
		"comment", "陈女士满意；王先生也满意。孙丽清理了楼道。车牌沪A12345，邮箱chen@example.com，陈国庆电话137 0000 1111。")
	step(10*time.Minute, "zhangmgr", "close")
	return tk
}

func TestAnonymizeRefusesOpenTickets(t *testing.T) {
	dir := anonDirectory()
	tk, err := CreateTicket(ShippedRules(), NewTicket{Type: TypeRepair, Title: "漏水", Resident: "r1"}, dir, "site1", "x", "BX-00002", "liuqing", anonCreated)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Anonymize(tk, dir, "case-1", "trainer", anonCreated)
	if ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), "only closed tickets") {
		t.Fatalf("open ticket: err = %v", err)
	}
}

// TestAnonymizeLeavesNothing is the point of the feature: no name, phone,
// ID number, unit, username or real date survives anywhere in the case.
func TestAnonymizeLeavesNothing(t *testing.T) {
	dir := anonDirectory()
	c, err := Anonymize(leakyTicket(t, dir), dir, "case-1", "trainer", time.Date(2027, 1, 1, 8, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	out := string(b)
	for _, secret := range []string{
		"陈秀英", "王建国", "李娜", "陈国庆", "赵大勇", "孙丽", "陈阿姨", "陈女士", "王先生", "赵师傅",
		"13812345678", "138-1234-5678", "138 1234 5678", "13998765432", "021-12345678", "0755 1234 5678", "0755 8765 4321",
		"137 0000 1111", "12345678", "110105199001011234", "44030419850101123X", "3栋2单元1202", "3栋2单元1302", "5栋1单元601",
		"3-2-1302", "3-2-1202", "1202", "1302", "liuqing", "zhangmgr", "2026", "3月5日", "03-04", "沪A12345", "chen@example.com",
		"r1", "m1", "BX-0", "site1-",
	} {
		if strings.Contains(out, secret) {
			t.Errorf("%q survived in %s", secret, out)
		}
	}
	if c.Resident.Phone != "100-0000-0001" || c.Resident.ID != "" || c.Resident.Name != "业主甲" {
		t.Errorf("resident alias = %+v", c.Resident)
	}
	if c.Status != "draft" || c.ID != "case-1" || c.CreatedBy != "trainer" || c.Site != "site1" || c.Type != TypeRepair {
		t.Errorf("case = %+v", c)
	}
}

func TestAnonymizeAliases(t *testing.T) {
	dir := anonDirectory()
	tk := leakyTicket(t, dir)
	c, err := Anonymize(tk, dir, "case-1", "trainer", anonCreated)
	if err != nil {
		t.Fatal(err)
	}
	if want := "1栋1单元101业主甲报修：卫生间漏水，电话【电话】"; c.Title != want {
		t.Errorf("title = %q, want %q", c.Title, want)
	}
	if c.Unit != (Unit{ID: "1-1-101", Building: "1栋", Label: "1栋1单元101"}) || c.Resident.Unit != "1-1-101" {
		t.Errorf("unit = %+v, resident unit %q", c.Unit, c.Resident.Unit)
	}
	for _, want := range []string{"业主甲（身份证【身份证号】）来电，手机【电话】，座机【电话】。", "楼上1栋1单元201业主乙家漏水，业主乙电话【电话】。",
		"2000-01-03 12:30开始滴水", "101的业主很着急", "客服A已记录"} {
		if !strings.Contains(c.Description, want) {
			t.Errorf("description %q lacks %q", c.Description, want)
		}
	}
	ev := func(action string) Event {
		for _, e := range c.Events {
			if e.Action == action {
				return e
			}
		}
		t.Fatalf("no %s event", action)
		return Event{}
	}
	if got := ev(ActionAssign).Fields["assignee"]; got != "工程部员工A" {
		t.Errorf("assignee alias = %q", got)
	}
	if got, want := ev(ActionNote).Note, "已电话通知业主乙（【电话】）开门，客服B知悉。"; got != want {
		t.Errorf("note = %q, want %q", got, want)
	}
	if got, want := ev("follow_up").Note, "工程部员工A上门，发现是1-1-201的软管；业主丙女士（2栋1单元101室）也反映过，电话【电话】，身份证【身份证号】。客服A 1月4日再回访。"; got != want {
		t.Errorf("follow-up = %q\nwant %q", got, want)
	}
	if got, want := ev("complete").Fields["resolution"], "工程部员工A更换软管；业主甲确认，联系【电话】，1栋1单元101室已不滴水。"; got != want {
		t.Errorf("resolution = %q, want %q", got, want)
	}
	if got, want := ev("return_visit").Fields["comment"], "业主甲满意；业主乙也满意。保洁部员工A清理了楼道。车牌【车牌】，邮箱【邮箱】，业主丁电话【电话】。"; got != want {
		t.Errorf("comment = %q\nwant %q", got, want)
	}
	// Staff in order of first appearance: liuqing opened it, zhangmgr came later.
	if c.Events[0].Actor != "客服A" || ev("close").Actor != "客服B" {
		t.Errorf("actors = %q, %q", c.Events[0].Actor, ev("close").Actor)
	}
}

func TestAnonymizeShiftsTimes(t *testing.T) {
	dir := anonDirectory()
	tk := leakyTicket(t, dir)
	c, err := Anonymize(tk, dir, "case-1", "trainer", anonCreated)
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2000, 1, 3, 9, 0, 0, 0, time.UTC)
	if !c.Events[0].At.Equal(base) {
		t.Errorf("creation at %v, want %v", c.Events[0].At, base)
	}
	for i, e := range c.Events {
		if got, want := e.At.Sub(base), tk.Events[i].At.Sub(tk.CreatedAt); got != want {
			t.Errorf("event %d: %v after creation, want %v", e.Seq, got, want)
		}
		if e.Seq != tk.Events[i].Seq || e.Action != tk.Events[i].Action || e.From != tk.Events[i].From || e.To != tk.Events[i].To {
			t.Errorf("event %d changed shape: %+v", i, e)
		}
	}
}

// TestAnonymizeTimeFields moves a complaint's promised time with the clock.
func TestAnonymizeTimeFields(t *testing.T) {
	dir := anonDirectory()
	tk, err := CreateTicket(ShippedRules(), NewTicket{Type: TypeComplaint, Title: "楼上噪音", Resident: "r2"}, dir, "site1", "c1", "TS-00001", "liuqing", anonCreated)
	if err != nil {
		t.Fatal(err)
	}
	at := anonCreated
	for _, a := range []TicketAction{
		{Action: "confirm", Fields: map[string]string{"summary": "王先生反映楼上噪音"}},
		{Action: "investigate", Fields: map[string]string{"department": DeptService}},
		{Action: "respond", Fields: map[string]string{"proposal": "2026年3月6日前协调", "promised_at": "2026-03-06 18:00"}},
		{Action: "follow_up", Fields: map[string]string{"note": "已协调"}},
		{Action: "return_visit", Fields: map[string]string{"satisfaction": "4", "comment": "好"}},
		{Action: "archive"},
	} {
		at = at.Add(time.Hour)
		a.Version = tk.Version
		if _, err := Apply(tk, a, "liuqing", at); err != nil {
			t.Fatal(err)
		}
	}
	c, err := Anonymize(tk, dir, "case-2", "trainer", anonCreated)
	if err != nil {
		t.Fatal(err)
	}
	f := c.Events[3].Fields
	// 2026-03-06 18:00 is 2 days 7h30 after the creation at 10:30.
	if f["promised_at"] != "2000-01-05 16:30" || f["proposal"] != "2000年1月5日前协调" {
		t.Errorf("respond fields = %v", f)
	}
	if c.Events[1].Fields["summary"] != "业主甲反映楼上噪音" || c.Resident.Unit != "1-1-101" {
		t.Errorf("summary = %q, resident %+v", c.Events[1].Fields["summary"], c.Resident)
	}
}

// TestAnonymizeText covers the patterns one by one.
func TestAnonymizeText(t *testing.T) {
	dir := anonDirectory()
	tk := &Ticket{Type: TypeRepair, State: "closed", Resident: "r1", Unit: "3-2-1202", CreatedAt: anonCreated}
	a := newAnonymizer(tk, dir)
	for _, tc := range []struct{ in, want string }{
		{"手机13812345678。", "手机【电话】。"},
		{"138-1234-5678", "【电话】"},
		{"+86 138 1234 5678", "【电话】"},
		{"电话021-12345678", "电话【电话】"},
		{"0755 1234 5678", "【电话】"},
		{"(010)12345678", "【电话】"},
		{"010-1234567", "【电话】"},
		{"身份证110105199001011234", "身份证【身份证号】"},
		{"身份证11010519900101123x", "身份证【身份证号】"},
		{"老证110105900101123", "老证【身份证号】"},
		{"订单202603041234567890123", "订单202603041234567890123"},
		{"金额1380元，12:30到", "金额1380元，12:30到"},
		{"对方女士说楼上吵，工程师傅已到", "对方女士说楼上吵，工程师傅已到"},
		{"访客吴女士和欧阳先生", "访客某女士和某先生"},
		{"3号楼1202", "1栋1单元101"},
		{"3栋 2单元 1302室", "1栋1单元201室"},
		{"9栋1单元101和3栋2单元1302", "2栋1单元101和1栋1单元201"},
		{"李阿姨", "业主乙"},
		{"陈师傅", "业主甲"},
		{"赵师傅和孙师傅", "工程部员工A和保洁部员工A"},
		{anonCreated.Format(time.RFC3339), "2000-01-03 09:00"},
		{anonCreated.UTC().Format(time.RFC3339), "2000-01-03 09:00"},
		{"2026-03-05", "2000-01-04"},
	} {
		if got := a.text(tc.in); got != tc.want {
			t.Errorf("text(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestAnonymizeDemoDesk anonymizes every closed ticket of the demo desk:
// whoever and whatever the original names, the case does not.
func TestAnonymizeDemoDesk(t *testing.T) {
	dir, tickets := DemoDesk("demo", demoNow)
	var secrets []string
	for _, r := range dir.Residents {
		secrets = append(secrets, r.Name, politeName(r.Name), r.Phone)
	}
	for _, m := range dir.Members {
		secrets = append(secrets, m.Name, m.ID)
	}
	for _, u := range dir.Units {
		// 1栋1单元1xx are the aliases themselves.
		if !strings.HasPrefix(u.ID, "1-1-1") || len(u.ID) > len("1-1-101") {
			secrets = append(secrets, u.Label)
		}
	}
	secrets = append(secrets, demoAgent, demoManager)
	cases := 0
	for _, tk := range tickets {
		if tk.Open() {
			continue
		}
		orig, _ := json.Marshal(tk)
		c, err := Anonymize(&tk, &dir, "case", "trainer", demoNow)
		if err != nil {
			t.Fatalf("%s: %v", tk.Number, err)
		}
		if again, _ := json.Marshal(tk); string(again) != string(orig) {
			t.Errorf("%s: Anonymize changed the ticket", tk.Number)
		}
		b, _ := json.Marshal(c)
		for _, s := range secrets {
			if strings.Contains(string(orig), s) && strings.Contains(string(b), s) {
				t.Errorf("%s: %q survived: %s", tk.Number, s, b)
			}
		}
		cases++
	}
	if cases < 10 {
		t.Errorf("only %d closed demo tickets", cases)
	}
}

// TestAnonymizeCardsWeChatRelatives covers what agents leave in notes
// besides phones: card numbers, also half masked by hand, WeChat ids and
// the names of family members; and the ordinary words that look alike.
func TestAnonymizeCardsWeChatRelatives(t *testing.T) {
	dir := anonDirectory()
	tk := &Ticket{Type: TypeRepair, State: "closed", Resident: "r1", Unit: "3-2-1202", CreatedAt: anonCreated}
	a := newAnonymizer(tk, dir)
	for _, tc := range []struct{ in, want string }{
		// Bank cards: whole (Luhn), split, masked, after a card word.
		{"退款到6222021234567894", "退款到【银行卡号】"},
		{"卡号 6222 0212 3456 7894，户名陈秀英", "卡号 【银行卡号】，户名业主甲"},
		{"银行卡6222-0212-3456-7894-123已核对", "银行卡【银行卡号】已核对"},
		{"尾号核对：6222 **** **** 7894", "尾号核对：【银行卡号】"},
		{"622202******7894", "【银行卡号】"},
		{"6222xxxxxxxx7894", "【银行卡号】"},
		{"账号1234567890123", "账号【银行卡号】"},
		{"订单号2026030412345671已付", "订单号2026030412345671已付"},
		{"订单202603041234567890123", "订单202603041234567890123"},
		{"电表号 1234 5678 9012 3", "电表号 1234 5678 9012 3"},
		{"+86 138 1234 5678", "【电话】"},
		{"8613812345678", "【电话】"},
		// WeChat ids.
		{"加我微信 wang_fang88", "加我微信 【微信号】"},
		{"微信号：Chen-XY1990，晚上联系", "微信号：【微信号】，晚上联系"},
		{"VX是abc12345", "VX是【微信号】"},
		{"wx:lihua_2020", "wx:【微信号】"},
		{"WeChat ID: chenxiuying", "WeChat ID: 【微信号】"},
		{"对方发来wxid_k3j9x02mf1", "对方发来【微信号】"},
		{"已在微信群通知，微信支付缴费", "已在微信群通知，微信支付缴费"},
		{"请用微信小程序报修", "请用微信小程序报修"},
		{"WeChat Pay 已退款", "WeChat Pay 已退款"},
		{"微信 abc12", "微信 abc12"},
		{"twx:abcdefg1 是设备码", "twx:abcdefg1 是设备码"},
		// Relatives.
		{"我老婆王芳来物业拿钥匙", "我老婆【姓名】来物业拿钥匙"},
		{"我儿子李明在家", "我儿子【姓名】在家"},
		{"他爸张建国说要投诉", "他爸【姓名】说要投诉"},
		{"我儿子李明天回来", "我儿子【姓名】天回来"},
		{"她女儿欧阳娜", "她女儿欧阳娜"},
		{"我妈刘阿姨", "我妈某阿姨"},
		{"我爸周末来", "我爸周末来"},
		{"我儿子高中毕业了", "我儿子高中毕业了"},
		{"我老婆说漏水", "我老婆说漏水"},
		{"我爸马上到", "我爸马上到"},
		{"他哥王建国也住这里", "他哥业主乙也住这里"},
		{"王芳打来电话", "王芳打来电话"},
	} {
		if got := a.text(tc.in); got != tc.want {
			t.Errorf("text(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestAnonymizeKeepsUnitRelations: a building, an entrance and a floor
// keep their relations under aliasing, so "楼上601" still means the flat
// above the ticket's, in the ticket's aliased entrance.
func TestAnonymizeKeepsUnitRelations(t *testing.T) {
	dir := &Directory{
		Units: []Unit{
			{ID: "4-1-501", Building: "4栋", Label: "4栋1单元501"},
			{ID: "4-1-601", Building: "4栋", Label: "4栋1单元601"},
			{ID: "4-1-401", Building: "4栋", Label: "4栋1单元401"},
			{ID: "4-1-502", Building: "4栋", Label: "4栋1单元502"},
			{ID: "4-2-501", Building: "4栋", Label: "4栋2单元501"},
			{ID: "7-1-501", Building: "7栋", Label: "7栋1单元501"},
		},
		Residents: []Resident{{ID: "r1", Name: "陈秀英", Unit: "4-1-501", Phone: "13812345678", Role: "owner"}},
	}
	for _, tc := range []struct{ in, want string }{
		// The example of the issue: 601 is the flat above, in the same unit.
		{"4栋1单元501业主反映楼上601漏水", "1栋1单元101业主反映楼上201漏水"},
		{"楼下401也受影响", "楼下101也受影响"}, // the ticket's flat is now 201
		{"4栋1单元601和4栋1单元401", "1栋1单元301和1栋1单元101"},
		{"4-1-601的软管", "1-1-201的软管"},
		{"隔壁502听到了", "隔壁102听到了"},
		{"4栋601", "1栋1单元201"},                  // the ticket's building, entrance not said
		{"4栋2单元501", "1栋2单元101"},               // same building, other entrance, same floor
		{"7栋1单元501", "2栋1单元101"},               // another building
		{"701还没人住，金额1380元", "701还没人住，金额1380元"}, // not a flat of the directory in this entrance
		{"501的业主", "101的业主"},
	} {
		tk := &Ticket{Type: TypeRepair, State: "closed", Resident: "r1", Unit: "4-1-501", CreatedAt: anonCreated, Description: tc.in}
		c, err := Anonymize(tk, dir, "case", "trainer", anonCreated)
		if err != nil {
			t.Fatal(err)
		}
		if c.Description != tc.want {
			t.Errorf("%q became %q, want %q", tc.in, c.Description, tc.want)
		}
	}
	// Each case above is its own ticket, its floors counted from the lowest
	// it mentions. All in one ticket: the same flat gets the same alias wherever it is
	// mentioned, and floors count from the lowest one mentioned.
	tk := &Ticket{Type: TypeRepair, State: "closed", Resident: "r1", Unit: "4-1-501", CreatedAt: anonCreated,
		Title: "4栋1单元501报修", Description: "楼上601漏水到501，4-1-601的住户说楼下401也湿了；7栋1单元501无关。"}
	c, err := Anonymize(tk, dir, "case", "trainer", anonCreated)
	if err != nil {
		t.Fatal(err)
	}
	if c.Title != "1栋1单元201报修" || c.Description != "楼上301漏水到201，1-1-301的住户说楼下101也湿了；2栋1单元101无关。" {
		t.Errorf("title %q, description %q", c.Title, c.Description)
	}
	if c.Unit.Label != "1栋1单元201" || c.Unit.ID != "1-1-201" || c.Resident.Unit != "1-1-201" {
		t.Errorf("unit %+v, resident unit %q", c.Unit, c.Resident.Unit)
	}
}
