package quality

import (
	"time"

	"github.com/academy/academy/internal/academy"
)

// The demo's agents on the quality page: one who works by the book, one
// whose dispatches the engineers send back (派单不准被退单), one who is
// slow to take repairs on (首次响应超时). Their accounts are the demo's.
const (
	demoSteady   = "agent"
	demoReturned = "agent2"
	demoLate     = "agent3"
)

// demoRepair is one closed repair of the quality demo: who dispatched it,
// how many days before now it came in, and what went wrong.
type demoRepair struct {
	agent    string
	daysAgo  int
	title    string
	returned bool // the department sent the dispatch back once
	late     bool // dispatched three hours after the call (2 hours allowed)
	sat      string
}

// demoStep is one action of a demo repair, after the one before.
type demoStep struct {
	after  time.Duration
	action string
	fields map[string]string
}

// demoRepairs are a fortnight of repairs: the steady agent's pass every
// check; four of the second agent's were sent back; four of the third's
// were taken on late. Three failures of a check in four weeks send an
// agent back to training, so both are flagged.
var demoRepairs = []demoRepair{
	{agent: demoSteady, daysAgo: 14, title: "卫生间地漏返味", sat: "5"},
	{agent: demoReturned, daysAgo: 13, title: "阳台晾衣架摇不动", returned: true, sat: "3"},
	{agent: demoLate, daysAgo: 13, title: "入户门锁芯卡住", late: true, sat: "3"},
	{agent: demoSteady, daysAgo: 12, title: "厨房插座跳闸", sat: "5"},
	{agent: demoLate, daysAgo: 11, title: "楼道窗户关不上", sat: "4"},
	{agent: demoReturned, daysAgo: 11, title: "空调冷凝水管滴水", sat: "4"},
	{agent: demoSteady, daysAgo: 10, title: "单元门闭门器漏油", sat: "4"},
	{agent: demoReturned, daysAgo: 9, title: "主卧吊顶有水渍", returned: true, sat: "3"},
	{agent: demoLate, daysAgo: 9, title: "车库照明一排不亮", late: true, sat: "3"},
	{agent: demoSteady, daysAgo: 8, title: "信报箱门掉了", sat: "5"},
	{agent: demoLate, daysAgo: 7, title: "消防通道门合页松动", late: true, sat: "2"},
	{agent: demoReturned, daysAgo: 6, title: "楼顶水箱溢流", returned: true, sat: "3"},
	{agent: demoSteady, daysAgo: 6, title: "电梯按钮不亮", sat: "5"},
	{agent: demoLate, daysAgo: 5, title: "小区路灯闪烁", sat: "4"},
	{agent: demoReturned, daysAgo: 4, title: "卫生间排风扇异响", sat: "4"},
	{agent: demoSteady, daysAgo: 4, title: "阳台推拉门脱轨", sat: "5"},
	{agent: demoLate, daysAgo: 3, title: "地下室积水", late: true, sat: "2"},
	{agent: demoReturned, daysAgo: 3, title: "外墙空调架松动", returned: true, sat: "3"},
	{agent: demoSteady, daysAgo: 2, title: "水表井盖破损", sat: "5"},
}

// DemoTickets are the closed repairs of the quality demo on site's
// directory, numbered from seq on, made with the real engine so that each
// is a valid history and its quality record is what a live close gives.
// The calls come in at ten in the morning, in loc.
func DemoTickets(dir *academy.Directory, site string, seq int, now time.Time, loc *time.Location) []academy.Ticket {
	var out []academy.Ticket
	today := time.Date(now.In(loc).Year(), now.In(loc).Month(), now.In(loc).Day(), 10, 0, 0, 0, loc)
	for i, c := range demoRepairs {
		at := today.AddDate(0, 0, -c.daysAgo).Add(time.Duration(i%3) * 40 * time.Minute)
		res := dir.Residents[(i*7+5)%len(dir.Residents)]
		t, err := academy.CreateTicket(academy.ShippedRules(), academy.NewTicket{Type: academy.TypeRepair, Title: c.title, Description: "业主来电报修：" + c.title + "。",
			Resident: res.ID, Channel: "phone", Priority: academy.PriorityNormal}, dir, site, academy.TicketID(site, seq), academy.ShippedRules().TicketNumber(academy.TypeRepair, seq), c.agent, at)
		if err != nil {
			continue
		}
		first := 15 * time.Minute
		if c.late {
			first = 3 * time.Hour
		}
		dispatch := map[string]string{"department": academy.DeptEngineering, "priority": academy.PriorityNormal}
		steps := []demoStep{{first, "dispatch", dispatch}}
		if c.returned {
			steps = append(steps, demoStep{40 * time.Minute, "return", map[string]string{"reason": "不属于工程部维修范围，应由物业服务中心联系专业单位。"}},
				demoStep{20 * time.Minute, "dispatch", dispatch})
		}
		steps = append(steps, demoStep{30 * time.Minute, "start", nil},
			demoStep{2 * time.Hour, "complete", map[string]string{"resolution": "已上门处理：" + c.title + "，现场测试正常。"}},
			demoStep{20 * time.Hour, "return_visit", map[string]string{"satisfaction": c.sat, "comment": "业主确认已修好。"}},
			demoStep{10 * time.Minute, "close", nil})
		ok := true
		for _, s := range steps {
			at = at.Add(s.after)
			if at.After(now) {
				ok = false
				break
			}
			if _, err := academy.Apply(t, academy.TicketAction{Action: s.action, Fields: s.fields, Version: t.Version}, c.agent, at); err != nil {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, *t)
			seq++
		}
	}
	return out
}
