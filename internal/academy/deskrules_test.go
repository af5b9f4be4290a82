package academy

import (
	"strings"
	"testing"
)

// TestShippedDeskRules keeps the embedded rules valid and the procedures
// the desk and the lessons were written for in them.
func TestShippedDeskRules(t *testing.T) {
	r, problems := ParseDeskRules("", ShippedDeskRulesYAML())
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	if got := strings.Join(r.Types(), ","); got != "repair,complaint,inquiry,visitor,renovation,fee_collection,outage_notice,patrol,parking,parcel,move_out,incident" {
		t.Fatalf("types %s", got)
	}
	var numbers []string
	for _, typ := range r.Types() {
		numbers = append(numbers, r.TicketNumber(typ, 42))
	}
	if got := strings.Join(numbers, " "); got != "BX-00042 TS-00042 ZX-00042 FK-00042 ZH-00042 CJ-00042 TZ-00042 XJ-00042 CW-00042 KD-00042 BL-00042 YJ-00042" {
		t.Fatalf("numbers %s", got)
	}
	if got := r.TicketNumber("lift", 7); got != "GD-00007" {
		t.Fatalf("a type without a prefix is numbered %s", got)
	}
	rp := r.Procedure(TypeRepair)
	if rp.State("on_hold").Label != "挂起" || !rp.State("on_hold").Hold || rp.Transition("dispatch").Fields[0].Label != "处理部门" {
		t.Fatalf("repair: %+v", rp)
	}
	if pol := rp.SLA[PriorityUrgent]; pol.FirstResponse.Minutes() != 15 || pol.Resolution.Hours() != 4 || pol.BusinessHours {
		t.Fatalf("urgent repair SLA %+v", pol)
	}
	if r.DepartmentName(DeptFinance) != "财务" {
		t.Fatal("finance department")
	}
}

// TestDeskRulesProblems: each mistake is refused with a message naming
// the procedure and the state, transition or field it is about.
func TestDeskRulesProblems(t *testing.T) {
	base := string(ShippedDeskRulesYAML())
	for _, c := range []struct{ name, old, new, want string }{
		{"unreachable state", "      - {id: closed, label: 关闭, terminal: true}\n    transitions:\n      - {action: dispatch",
			"      - {id: closed, label: 关闭, terminal: true}\n      - {id: lost, label: 遗失}\n    transitions:\n      - {action: dispatch",
			"流程“报修”（repair）：状态“遗失”（lost）从初始状态无法到达 / 流程“报修”（repair）: state \"lost\" cannot be reached from the initial state"},
		{"terminal with exits", "from: [visited], to: closed}", "from: [visited, closed], to: closed}",
			"流程“报修”（repair）的操作“关闭”（close）：状态“关闭”已办结，不能再有操作"},
		{"unknown field", "fields: [department, priority], responds", "fields: [department, urgency], responds",
			"流程“报修”（repair）的操作“派单”（dispatch）：字段 \"urgency\" 没有在 fields 里定义"},
		{"unknown state", "to: in_progress}", "to: working}", "流程“报修”（repair）的操作“开始处理”（start）：to 里的状态 \"working\" 不存在"},
		{"missing SLA", "      low: {first_response: 4h, resolution: 168h, business_hours: true}\n\n  - type: complaint",
			"\n  - type: complaint", "流程“报修”（repair）的“低”优先级时限（sla.low）：缺少"},
		{"no Chinese label", "{id: in_progress, label: 处理中}", "{id: in_progress, label: Working}",
			"流程“报修”（repair）的状态“Working”（in_progress）：缺少中文名称（label）"},
		{"check of an unknown action", "actions: [complete, return_visit, close]", "actions: [complete, visit, close]",
			"流程“报修”（repair）的质检项“关闭前完成回访”（visit_before_close）：actions 里的 \"visit\" 不是这个流程的操作"},
		{"check of an unknown kind", "kind: sla, clock: resolution}", "kind: timer, clock: resolution}",
			"流程“报修”（repair）的质检项“处理完成及时”（resolution）：kind 是 order、absent、fields 或 sla，不是 \"timer\""},
		{"check of an unknown clock", "kind: sla, clock: resolution}", "kind: sla, clock: reply}",
			"流程“报修”（repair）的质检项“处理完成及时”（resolution）：clock 是 first_response（首次响应）或 resolution（处理完成），不是 \"reply\""},
		{"check without Chinese label", "label: 关闭前完成回访,", "label: Visit before close,",
			"流程“报修”（repair）的质检项“Visit before close”（visit_before_close）：缺少中文名称（label）"},
		{"check of an unknown field", "fields: [department, priority], practice", "fields: [department, urgency], practice",
			"流程“报修”（repair）的质检项“派单写明处理部门和优先级”（dispatch_fields）：字段 \"urgency\" 没有在 fields 里定义"},
		{"check with a bad practice reference", "practice: [water-leak/visit-before-close]", "practice: [water leak]",
			"practice 里的 \"water leak\" 应写成“情景演练/检查编号”"},
		{"unknown key", "escalate_to: manager\n    states:\n      - {id: received, label: 受理}\n      - {id: dispatched",
			"escalate_to: manager\n    colour: red\n    states:\n      - {id: received, label: 受理}\n      - {id: dispatched", "YAML 格式有误"},
		{"opens unknown type", "opens: repair", "opens: lift",
			"流程“巡检”（patrol）的操作“发现问题转报修”（report_issue）：opens 里的工单类型 \"lift\" 不存在"},
		{"guard names unknown type", "requires_none_open: fee_collection}", "requires_none_open: fees}",
			"流程“搬离放行”（move_out）的操作“核对费用”（check_fees）：requires_none_open 里的工单类型 \"fees\" 不存在"},
		{"not_past on text", "{name: note, label: 跟进记录, kind: text, required: true}", "{name: note, label: 跟进记录, kind: text, required: true, not_past: true}",
			"字段 1（note）：not_past 和 follow_up 只用于时间字段"},
		{"bad prefix", "prefix: BX", "prefix: bx1", "流程“报修”（repair）：编号前缀（prefix）\"bx1\" 须是两个大写字母，如 BX"},
		{"duplicate prefix", "prefix: TS", "prefix: BX", "流程“投诉”（complaint）：编号前缀 BX 已用于 repair"},
	} {
		text := strings.Replace(base, c.old, c.new, 1)
		if text == base {
			t.Fatalf("%s: the edit did not apply", c.name)
		}
		r, problems := ParseDeskRules("x", []byte(text))
		if r != nil || !strings.Contains(strings.Join(problems, "\n"), c.want) {
			t.Errorf("%s: got %q, want %q", c.name, problems, c.want)
		}
	}
}

func TestQualityCheckEndsNameTerminalStates(t *testing.T) {
	text := strings.Replace(string(ShippedDeskRulesYAML()), "ends: [released]", "ends: [approved, gone]", 1)
	_, problems := ParseDeskRules("", []byte(text))
	got := strings.Join(problems, "\n")
	for _, want := range []string{`ends 里的 "approved" 不是这个流程的办结状态`, `ends 里的 "gone" 不是这个流程的办结状态`} {
		if !strings.Contains(got, want) {
			t.Errorf("problems do not say %s:\n%s", want, got)
		}
	}
}
