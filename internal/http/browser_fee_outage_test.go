package http_test

import (
	"testing"

	"github.com/academy/academy/internal/academy"
)

var feeReminderPlay = scenarioPlay{
	Slug: "fee-reminder-call",
	Replies: map[string]string{
		"listen": "何先生，我现在就给您登记报修，派工程的师傅上门查看，今天就派出去，师傅上门前先给您打电话约时间。",
		"date":   "好的，那我记下您下周五前在小程序上缴费，下周四我再提醒您一次。",
	},
	Desk: []deskStep{
		ticket(academy.TypeRepair, "phone", academy.PriorityHigh, "主卫顶棚渗水",
			"主卫顶棚靠近下水管处渗水，墙皮鼓包，三月份开始，此前两次向安保口头反映未登记。"),
		act("dispatch", kv{"department": "engineering", "priority": "high"}),
		ticket("fee_collection", "phone", academy.PriorityNormal, "第一季度和 4 月物业服务费未缴", "按催缴计划电话联系。"),
		act("verify", kv{"arrears": "第一季度和 4 月共 4 个月，89.5 ㎡ × 2.4 元/㎡·月，每月 214.8 元，共 859.2 元。"}),
		act("remind", kv{"note": "电话联系何先生：欠费原因是主卫渗水一直没人修，已另建报修工单派工程；账单已讲清，明细已发到业主手机。"}),
		act("promise", kv{"promised_pay_at": "+8d 18:00", "next_follow_up": "+7d 10:00"}),
	},
}

var waterOutagePlay = scenarioPlay{
	Slug: "water-outage-notice",
	Replies: map[string]string{
		"scope": "周奶奶，是后天，周四，上午9点停水，到下午5点左右来水，这是供水公司的预计时间，有变化我们再告诉您。您周三晚上多储水，停水时把水龙头关好。",
	},
	Desk: []deskStep{
		{Ticket: &academy.NewTicket{Type: "outage_notice", Channel: "phone", Priority: academy.PriorityNormal, Title: "周四 9:00—17:00 1至6栋停水",
			Description: "供水公司来电并发来书面通知。", Resident: academy.PersonaID}},
		act("publish", kv{"notice": "接供水公司通知，因更换北门外市政供水管道阀门，本周四 9:00—17:00 1至6栋停水，恢复时间以供水公司实际通水为准。请前一天储水，停水期间关好水龙头，来水后先放一会儿水。咨询电话：客服中心。"}),
		act("confirm", kv{"confirmations": "5栋2单元1502周桂芳已确认（独居，周四8:30前送两桶水到门口；经本人同意登记女儿电话，周三再提醒）；3栋1单元901吴先生已确认；6栋2单元1203孙阿姨第二次电话已确认。"}),
		advance(1440),
		act("begin", nil),
		act("follow_up", kv{"note": "8:20 两桶水送到1502门口，周奶奶已接满存水，一切正常。"}),
		advance(60),
		act("restore", kv{"restoration": "16:40 供水公司通水；已在业主群和短信发恢复通知，提醒先放水；三户重点住户已回访。"}),
	},
}

// The two calls on the desk's newer procedures, played in the browser as
// a trainee would: the 费用催缴 and 停水停电通知 tickets are opened and
// worked through the sandbox desk's forms, time fields included, and both
// calls pass.
func TestBrowserFeeAndOutageScenarios(t *testing.T) {
	e := newEnv(t)
	base := e.listen()
	ctx := chrome(t)
	loginChrome(t, ctx, base, "trainee")
	for _, p := range []scenarioPlay{feeReminderPlay, waterOutagePlay} {
		passedDebrief(t, p.Slug, playScenario(t, e, ctx, base, p, ""))
	}
}
