package academy

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// demoDeskSeed fixes the demo site's people, so that the demo looks the
// same on every start and in every screenshot.
const demoDeskSeed = 20240601

// The demo accounts that work the demo desk (see demoPeople).
const (
	demoAgent   = "agent"
	demoManager = "manager"
)

// Durations of the demo script, short to keep the table readable.
const (
	demoMin  = time.Minute
	demoHour = time.Hour
	demoDay  = 24 * time.Hour
)

// demoFloors is the height of the demo buildings, which "the flat above"
// has to respect.
const demoFloors = 10

// DemoDesk makes the demo site's directory and a realistic mix of open and
// closed tickets over the fortnight before now, built with the real engine
// (CreateTicket and Apply) so that every ticket is a valid history.
//
// The directory has 6 buildings × 2 entrances × 10 floors × 2 flats,
// residents with phones 100-0001-NNNN and 15 department members. The
// tickets follow demoCases: repairs, complaints, inquiries, visitors and
// renovations in every state of their procedures, about a third finished,
// three overdue by their SLA at now and one repair on hold, worked by the
// demo users "agent" and "manager". They are numbered in order of creation
// (id site-0001, number from TicketNumber). A step that would fail, or fall
// after now, ends its ticket's script there: the generator never panics.
func DemoDesk(site string, now time.Time) (Directory, []Ticket) {
	dir := demoDirectory()
	return dir, playDemoCases(&dir, demoScript{ws: site, ids: site, floors: demoFloors}, now)
}

// Who works the tickets of a practice desk: made-up colleagues, since no
// account of the site is there.
const (
	practiceAgent   = "前任客服"
	practiceManager = "值班主管"
)

// PracticeDesk is what a practice desk opened at now starts with: the
// open tickets of the demo desk's fortnight, played on the sandbox's own
// estate dir (SyntheticDirectory) and worked by made-up colleagues, so
// that a learner meets the desk as it is on a working day, overdue
// tickets included. It is deterministic: the same estate and time give
// the same tickets. Their ids are numbered like a scenario's fixture
// (fixture-000001), in order of creation.
func PracticeDesk(dir *Directory, now time.Time) []Ticket {
	actors := map[string]string{demoAgent: practiceAgent, demoManager: practiceManager}
	tickets := playDemoCases(dir, demoScript{ids: "fixture", floors: syntheticFloors, actors: actors}, now)
	tickets = slices.DeleteFunc(tickets, func(t Ticket) bool { return !t.Open() })
	// Numbered again without gaps: the sandbox numbers its next ticket
	// after as many as it holds.
	for i := range tickets {
		tickets[i].ID, tickets[i].Number = TicketID("fixture", i+1), ShippedRules().TicketNumber(tickets[i].Type, i+1)
	}
	return tickets
}

// demoScript is where the demo cases are played: the workspace, the
// prefix of ticket ids, the height of the buildings and who the demo
// users stand for (nil: themselves).
type demoScript struct {
	ws, ids string
	floors  int
	actors  map[string]string
}

func (s demoScript) actor(name string) string {
	if a, ok := s.actors[name]; ok {
		return a
	}
	return name
}

// playDemoCases builds the tickets of demoCases on dir at now.
func playDemoCases(dir *Directory, sc demoScript, now time.Time) []Ticket {
	now = now.Truncate(time.Minute)
	order := make([]int, len(demoCases))
	for i := range order {
		order[i] = i
	}
	// Numbers follow creation, as they would at a real desk.
	slices.SortStableFunc(order, func(x, y int) int { return cmp.Compare(demoCases[y].ago, demoCases[x].ago) })
	var tickets []Ticket
	for _, i := range order {
		seq := len(tickets) + 1
		if t := buildDemoTicket(demoCases[i], dir, sc, seq, now); t != nil {
			tickets = append(tickets, *t)
		}
	}
	return tickets
}

// demoDirectory is the demo site's directory: bigger than a sandbox's, with
// its own phone range so that the two never share a number.
func demoDirectory() Directory {
	return buildEstate(demoDeskSeed, estatePlan{buildings: 6, entrances: 2, floors: demoFloors, flats: 2, phonePrefix: "100-0001-",
		staff: []int{3, 4, 3, 3, 2, 2}})
}

// buildDemoTicket creates a ticket and plays its script; nil if even the
// creation fails.
func buildDemoTicket(c demoCase, dir *Directory, sc demoScript, seq int, now time.Time) *Ticket {
	res := dir.Residents[c.who%len(dir.Residents)]
	fill := demoPlaceholders(dir, res, c.who, sc.floors).Replace
	at := now.Add(-c.ago)
	in := NewTicket{Type: c.typ, Title: fill(c.title), Description: fill(c.desc), Resident: res.ID, Channel: c.channel, Priority: c.priority}
	t, err := CreateTicket(ShippedRules(), in, dir, sc.ws, TicketID(sc.ids, seq), ShippedRules().TicketNumber(c.typ, seq), sc.actor(demoAgent), at)
	if err != nil {
		return nil
	}
	for _, s := range c.steps {
		at = at.Add(s.after)
		if at.After(now) {
			break
		}
		fields := make(map[string]string, len(s.fields)+1)
		for k, v := range s.fields {
			fields[k] = fill(v)
		}
		if s.promise > 0 {
			fields["promised_at"] = at.Add(s.promise).Format("2006-01-02 15:04")
		}
		if _, err := Apply(t, TicketAction{Action: s.action, Fields: fields, Version: t.Version}, sc.actor(s.actor), at); err != nil {
			break
		}
	}
	return t
}

// demoPlaceholders fills a case's text for its resident: {unit}, {owner}
// (陈女士), {name}, {above}/{below} (the flats over and under), and a member
// of each department, picked by crew: {eng} the name, {engS} 李师傅,
// {engID} the member id; likewise {cln}, {sec}, {svc}, {lsc}, {fin}. Cases of the
// same resident share a crew, so a complaint about a repair names the
// worker of the repair.
func demoPlaceholders(dir *Directory, res Resident, crew, floors int) *strings.Replacer {
	unit := dir.Unit(res.Unit)
	pairs := []string{"{unit}", unit.Label, "{owner}", politeName(res.Name), "{name}", res.Name,
		"{above}", demoNeighbour(res.Unit, 1, floors), "{below}", demoNeighbour(res.Unit, -1, floors)}
	for _, d := range []struct{ key, dept string }{
		{"eng", DeptEngineering}, {"cln", DeptCleaning}, {"sec", DeptSecurity}, {"svc", DeptService}, {"lsc", DeptLandscaping},
		{"fin", DeptFinance},
	} {
		var staff []Member
		for _, m := range dir.Members {
			if m.Department == d.dept {
				staff = append(staff, m)
			}
		}
		m := staff[crew%len(staff)]
		pairs = append(pairs, "{"+d.key+"}", m.Name, "{"+d.key+"S}", string([]rune(m.Name)[:1])+"师傅", "{"+d.key+"ID}", m.ID)
	}
	return strings.NewReplacer(pairs...)
}

// demoNeighbour is the label of the flat dir floors above (or below) a unit
// id; at the top or bottom it looks the other way.
func demoNeighbour(unitID string, dir, floors int) string {
	var b, e, room int
	if _, err := fmt.Sscanf(unitID, "%d-%d-%d", &b, &e, &room); err != nil {
		return ""
	}
	floor, flat := room/100, room%100
	if floor+dir < 1 || floor+dir > floors {
		dir = -dir
	}
	return estateUnit(b, e, (floor+dir)*100+flat).Label
}

// demoCase is one ticket of the demo desk: who raised it, how long before
// now, and the steps the desk took since.
type demoCase struct {
	typ, channel, priority string
	title, desc            string
	who                    int           // index into the directory's residents
	ago                    time.Duration // created this long before now
	steps                  []demoStep
}

// demoStep is one action, after the previous one (or the creation).
type demoStep struct {
	after   time.Duration
	actor   string
	action  string
	fields  map[string]string
	promise time.Duration // sets promised_at this long after the step
}

// demoAct is a step with its fields as name, value pairs.
func demoAct(after time.Duration, actor, action string, kv ...string) demoStep {
	s := demoStep{after: after, actor: actor, action: action}
	if len(kv) > 0 {
		s.fields = map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			s.fields[kv[i]] = kv[i+1]
		}
	}
	return s
}

// demoRespond is a complaint's answer with a promised completion time.
func demoRespond(after time.Duration, proposal string, promise time.Duration) demoStep {
	s := demoAct(after, demoAgent, "respond", "proposal", proposal)
	s.promise = promise
	return s
}

// demoCases is the demo desk's fortnight. Three open tickets are overdue
// by design (the corridor lights, the complaint about them, the blocked
// floor drain nobody dispatched); every other open ticket stays within its
// SLA at any time of day, which is why the young ones are young.
var demoCases = []demoCase{
	// Repairs.
	{typ: TypeRepair, channel: "phone", priority: PriorityNormal, who: 3, ago: 9*demoDay + 3*demoHour,
		title: "厨房水槽下水管漏水",
		desc:  "{unit}{owner}来电：厨房水槽下面的软管接头一直在滴水，柜子里已经积水，从昨晚开始。已请业主先关闭厨房角阀，并在小程序上传了照片。",
		steps: []demoStep{
			demoAct(10*demoMin, demoAgent, "dispatch", "department", DeptEngineering, "priority", PriorityNormal),
			demoAct(2*demoMin, demoAgent, ActionAssign, "assignee", "{engID}"),
			demoAct(time.Hour, demoAgent, "start"),
			demoAct(40*demoMin, demoAgent, "follow_up", "note", "{engS}已上门，确认是软管老化开裂，需要更换。"),
			demoAct(50*demoMin, demoAgent, "complete", "resolution", "更换厨房水槽下水软管一根，清理柜内积水；属户内自用部分，按公示价目收取材料费15元，业主已确认。"),
			demoAct(20*demoHour, demoAgent, "return_visit", "satisfaction", "5", "comment", "业主说师傅很仔细，走之前把柜子擦干了。"),
			demoAct(10*demoMin, demoManager, "close"),
		}},
	{typ: TypeRepair, channel: "phone", priority: PriorityUrgent, who: 17, ago: 11*demoDay + 5*demoHour,
		title: "单元电梯停在8楼不动",
		desc:  "{owner}（{unit}）来电：单元电梯停在8楼，按键没有反应，轿厢里没有人被困。",
		steps: []demoStep{
			demoAct(3*demoMin, demoAgent, "dispatch", "department", DeptEngineering, "priority", PriorityUrgent),
			demoAct(2*demoMin, demoAgent, ActionMessage, "text", "已通知工程部和电梯维保单位，师傅十五分钟内到场，请您先走楼梯，注意安全。"),
			demoAct(12*demoMin, demoAgent, "start"),
			demoAct(time.Hour, demoAgent, "follow_up", "note", "维保单位确认是门机控制板故障，已更换，{engS}现场配合试运行正常。"),
			demoAct(20*demoMin, demoManager, "complete", "resolution", "更换门机控制板，试运行20次正常，已在电梯厅张贴恢复通知。"),
			demoAct(demoDay, demoAgent, "return_visit", "satisfaction", "4", "comment", "业主表示修得快，但希望停梯时在业主群里早点通知。"),
			demoAct(10*demoMin, demoManager, "close"),
		}},
	{typ: TypeRepair, channel: "app", priority: PriorityHigh, who: 29, ago: 6*demoDay + 2*demoHour,
		title: "单元门禁刷卡没反应",
		desc:  "{owner}在小程序报修：{unit}所在单元的门禁刷卡没有反应，门一直关不严，谁都能进。",
		steps: []demoStep{
			demoAct(15*demoMin, demoAgent, "dispatch", "department", DeptEngineering, "priority", PriorityHigh),
			demoAct(30*demoMin, demoAgent, "start"),
			demoAct(time.Hour, demoAgent, "follow_up", "note", "{engS}检查发现读卡器进水短路，需要更换；已请安保部{sec}在修好前加强该单元巡查。"),
			demoAct(3*demoHour, demoAgent, "complete", "resolution", "更换单元门读卡器一台，调整闭门器，测试10张门禁卡均正常。"),
			demoAct(22*demoHour, demoAgent, "return_visit", "satisfaction", "5", "comment", "业主满意，说晚上保安还来巡了两次。"),
		}},
	{typ: TypeRepair, channel: "phone", priority: PriorityNormal, who: 41, ago: 5*demoDay + 4*demoHour,
		title: "走廊灯整层不亮",
		desc:  "{owner}来电：{unit}门口这层走廊灯整层不亮，晚上回家要打手机电筒，家里老人出门不方便。",
		steps: []demoStep{
			demoAct(25*demoMin, demoAgent, "dispatch", "department", DeptEngineering, "priority", PriorityNormal),
			demoAct(demoMin, demoAgent, ActionAssign, "assignee", "{engID}"),
			demoAct(2*demoHour, demoAgent, "start"),
			demoAct(demoDay, demoAgent, "follow_up", "note", "{engS}检查是感应灯控制模块坏了，仓库没有备件，已报采购，到货时间未定。"),
		}},
	{typ: TypeRepair, channel: "app", priority: PriorityNormal, who: 56, ago: 3 * demoHour,
		title: "卫生间地漏返臭、下水很慢",
		desc:  "{owner}在小程序报修：{unit}主卫地漏下水很慢，最近两天有返臭味，已上传照片。"},
	{typ: TypeRepair, channel: "phone", priority: PriorityUrgent, who: 64, ago: 2*demoDay + 6*demoHour,
		title: "卫生间天花板滴水，疑似楼上渗漏",
		desc:  "{owner}来电：{unit}主卫天花板在滴水，滴水处下面没有插座，怀疑是楼上{above}渗漏。",
		steps: []demoStep{
			demoAct(5*demoMin, demoAgent, "dispatch", "department", DeptEngineering, "priority", PriorityUrgent),
			demoAct(3*demoMin, demoAgent, ActionMessage, "text", "已经联系楼上住户开门检查，{engS}十五分钟内到场。"),
			demoAct(10*demoMin, demoAgent, "start"),
			demoAct(40*demoMin, demoAgent, "follow_up", "note", "{engS}在{above}查到淋浴龙头下方软管渗漏，楼上业主已同意更换，后续赔偿由双方协商。"),
			demoAct(time.Hour, demoAgent, "complete", "resolution", "{above}更换淋浴软管后，{unit}天花板已停止滴水，现场已拍照留存；水渍干透后由业主自行修补。"),
		}},
	{typ: TypeRepair, channel: "phone", priority: PriorityNormal, who: 77, ago: 5*demoDay + 1*demoHour,
		title: "厨房水龙头水压很低",
		desc:  "{owner}来电：{unit}厨房和卫生间水龙头出水都很小，洗澡水忽冷忽热，前天开始的。",
		steps: []demoStep{
			demoAct(20*demoMin, demoAgent, "dispatch", "department", DeptEngineering, "priority", PriorityNormal),
			demoAct(3*demoHour, demoAgent, "start"),
			demoAct(time.Hour, demoAgent, "follow_up", "note", "{engS}测量户内水压只有0.1MPa，同单元其他住户也偏低，怀疑二次供水水泵压力开关故障。"),
			demoAct(2*demoHour, demoAgent, "hold", "reason", "水泵压力开关需向厂家订货，预计3天到货；恢复日期已告知业主，到货前一天再跟进。"),
			demoAct(demoDay, demoAgent, ActionMessage, "text", "配件已经发货，预计后天到，到了我们第一时间安排更换。"),
		}},
	{typ: TypeRepair, channel: "counter", priority: PriorityNormal, who: 88, ago: 30 * demoHour,
		title: "阳台推拉门卡住拉不动",
		desc:  "{owner}到前台报修：{unit}阳台推拉门卡在轨道上，用力也拉不动。",
		steps: []demoStep{
			demoAct(30*demoMin, demoAgent, "dispatch", "department", DeptEngineering, "priority", PriorityNormal),
			demoAct(4*demoHour, demoAgent, "return", "reason", "房屋交付不满两年，还在保修期内，推拉门由建设单位负责维修，退回服务中心联系开发商。"),
			demoAct(30*demoMin, demoAgent, ActionMessage, "text", "您家房屋还在保修期内，推拉门由建设单位负责维修，我们已经帮您联系了开发商售后，明天上午10点前给您回复。"),
			demoAct(20*demoHour, demoManager, "dispatch", "department", DeptEngineering, "priority", PriorityNormal),
			demoAct(10*demoMin, demoAgent, ActionNote, "text", "开发商售后约定今天下午上门，{engS}陪同并记录处理情况。"),
		}},
	{typ: TypeRepair, channel: "phone", priority: PriorityNormal, who: 95, ago: 20 * demoHour,
		title: "地库B2出口雨水沟堵塞积水",
		desc:  "{owner}来电：地下车库B2出口的雨水沟堵了，昨晚下雨后积水漫到车位上。",
		steps: []demoStep{
			demoAct(15*demoMin, demoAgent, "dispatch", "department", DeptCleaning, "priority", PriorityNormal),
			demoAct(time.Hour, demoAgent, "start"),
			demoAct(2*demoHour, demoAgent, "transfer", "department", DeptEngineering, "reason", "{clnS}清理后发现雨水管在转角处破损，需要工程部更换管段。"),
		}},
	{typ: TypeRepair, channel: "phone", priority: PriorityUrgent, who: 103, ago: 8*demoDay + 2*demoHour,
		title: "户内跳闸，全屋停电",
		desc:  "{owner}来电：{unit}全屋没电，邻居家有电，空开推不上去。",
		steps: []demoStep{
			demoAct(4*demoMin, demoAgent, "dispatch", "department", DeptEngineering, "priority", PriorityUrgent),
			demoAct(10*demoMin, demoAgent, "start"),
			demoAct(35*demoMin, demoAgent, "complete", "resolution", "{engS}排查为厨房电热水器漏电导致漏保跳闸，已断开热水器回路恢复供电，建议业主联系热水器厂家检修。"),
			demoAct(demoDay, demoAgent, "return_visit", "satisfaction", "5", "comment", "业主说师傅来得很快，讲得也清楚。"),
			demoAct(5*demoMin, demoManager, "close"),
		}},
	{typ: TypeRepair, channel: "app", priority: PriorityLow, who: 118, ago: 4*demoDay + 5*demoHour,
		title: "主卧窗户密封条脱落",
		desc:  "{owner}在小程序预约：{unit}主卧窗户密封条脱落，刮风时有声音，周末在家。",
		steps: []demoStep{
			demoAct(time.Hour, demoAgent, "dispatch", "department", DeptEngineering, "priority", PriorityLow),
			demoAct(demoDay, demoAgent, "start"),
			demoAct(40*demoMin, demoAgent, "complete", "resolution", "重新粘贴主卧窗户密封条约2米，未收费。"),
		}},
	{typ: TypeRepair, channel: "phone", priority: PriorityNormal, who: 126, ago: 2 * demoHour,
		title: "可视对讲没有声音",
		desc:  "{owner}来电：{unit}可视对讲有画面没有声音，访客按门铃听不到。",
		steps: []demoStep{
			demoAct(15*demoMin, demoAgent, "dispatch", "department", DeptEngineering, "priority", PriorityNormal),
			demoAct(5*demoMin, demoAgent, ActionMessage, "text", "已经派单给工程部，师傅今天下午会先给您打电话约时间。"),
		}},
	{typ: TypeRepair, channel: "phone", priority: PriorityNormal, who: 139, ago: 26 * demoHour,
		title: "楼上空调冷凝水滴到阳台",
		desc:  "{owner}来电：楼上{above}空调冷凝水管滴水，滴到{unit}阳台的晾衣架上。",
		steps: []demoStep{
			demoAct(30*demoMin, demoAgent, "dispatch", "department", DeptEngineering, "priority", PriorityNormal),
			demoAct(3*demoHour, demoAgent, "start"),
			demoAct(2*demoHour, demoAgent, "follow_up", "note", "已联系楼上{above}业主，约定明天上午{engS}上门加装冷凝水管。"),
		}},
	{typ: TypeRepair, channel: "phone", priority: PriorityNormal, who: 150, ago: 25 * demoMin,
		title: "入户门锁转动不灵",
		desc:  "{owner}来电：{unit}入户门锁钥匙转动很涩，担心哪天打不开。"},

	// Complaints.
	{typ: TypeComplaint, channel: "phone", priority: PriorityNormal, who: 161, ago: 10*demoDay + 2*demoHour,
		title: "楼上夜间拖动家具噪音",
		desc:  "{owner}（{unit}）投诉：楼上{above}连续一周每晚十一点后有拖动家具的声音，影响休息。",
		steps: []demoStep{
			demoAct(10*demoMin, demoAgent, "confirm", "summary", "您反映的是楼上每晚十一点以后拖动家具的声音，已经持续一周，希望我们去沟通，对吗？"),
			demoAct(15*demoMin, demoAgent, "investigate", "department", DeptService),
			demoRespond(3*demoHour, "已联系楼上住户，只说有邻居反映晚上能听到拖动声；对方表示家里老人晚上挪椅子，会加装桌椅脚垫并注意作息。", 2*demoDay),
			demoAct(2*demoDay, demoAgent, "follow_up", "note", "回访投诉人，这两晚没有再听到拖动声。"),
			demoAct(demoDay, demoAgent, "return_visit", "satisfaction", "4", "comment", "基本满意，希望持续关注。"),
			demoAct(time.Hour, demoManager, "archive", "lesson", "邻里噪声先分别沟通，不透露投诉人信息，依据管理规约提醒作息时间。"),
		}},
	{typ: TypeComplaint, channel: "phone", priority: PriorityHigh, who: 172, ago: 12*demoDay + 4*demoHour,
		title: "固定车位被他人占用",
		desc:  "{owner}投诉：自己的地下车位连续两天被一辆外来车辆占用，晚上回来没地方停。",
		steps: []demoStep{
			demoAct(8*demoMin, demoAgent, "confirm", "summary", "您的固定车位连续两天被外来车辆占用，希望尽快挪走并且不再发生，对吗？"),
			demoAct(10*demoMin, demoAgent, "investigate", "department", DeptSecurity),
			demoRespond(40*demoMin, "{secS}核对车位登记后，通过车辆登记的联系方式通知车主挪车，车主已在30分钟内挪走；已在该车位加装告示牌。", demoDay),
			demoAct(demoDay, demoAgent, "follow_up", "note", "连续两天巡查，车位未再被占用。"),
			demoAct(4*demoHour, demoAgent, "return_visit", "satisfaction", "5", "comment", "很满意，处理得快。"),
			demoAct(30*demoMin, demoManager, "archive"),
		}},
	{typ: TypeComplaint, channel: "counter", priority: PriorityNormal, who: 184, ago: 4*demoDay + 3*demoHour,
		title: "楼道保洁不及时，垃圾袋过夜",
		desc:  "{owner}到前台投诉：{unit}所在单元楼道里的垃圾袋经常放一整晚没人收，有异味。",
		steps: []demoStep{
			demoAct(15*demoMin, demoAgent, "confirm", "summary", "您反映单元楼道的垃圾袋经常过夜没人收，有异味，希望每天按时清理，对吗？"),
			demoAct(10*demoMin, demoAgent, "investigate", "department", DeptCleaning),
			demoRespond(5*demoHour, "保洁部{cln}已调整该单元的清扫安排，每天早晚各清理一次。", 2*demoDay),
			demoAct(demoDay, demoAgent, "follow_up", "note", "检查该单元楼道，早晚均已清扫，已拍照留存。"),
		}},
	{typ: TypeComplaint, channel: "phone", priority: PriorityHigh, who: 41, ago: 3*demoDay + 2*demoHour,
		title: "走廊灯报修两天还没修好",
		desc:  "{owner}来电投诉：走廊灯报修两天了还没修好，也没人告诉什么时候能修，晚上进出很不方便。",
		steps: []demoStep{
			demoAct(12*demoMin, demoAgent, "confirm", "summary", "您反映{unit}这层走廊灯报修后两天还没修好，也没人告诉您进度，希望尽快修好并告诉您具体时间，对吗？"),
			demoAct(20*demoMin, demoAgent, "investigate", "department", DeptEngineering),
			demoAct(3*demoHour, demoAgent, ActionNote, "text", "已催工程部，{engS}说备件在采购，还没有到货时间。"),
		}},
	{typ: TypeComplaint, channel: "phone", priority: PriorityNormal, who: 197, ago: 30 * demoHour,
		title: "邻居家狗夜间吠叫",
		desc:  "{owner}投诉：楼下{below}养的狗每天夜里叫，孩子睡不好。",
		steps: []demoStep{
			demoAct(20*demoMin, demoAgent, "confirm", "summary", "您反映楼下的狗每天夜里叫，影响孩子休息，希望我们去协调，对吗？"),
			demoAct(15*demoMin, demoAgent, "investigate", "department", DeptService),
			demoRespond(4*demoHour, "已联系养犬住户，对方同意夜里把狗关在远离卧室的房间；公告栏已张贴文明养犬提示。", 3*demoDay),
		}},
	{typ: TypeComplaint, channel: "phone", priority: PriorityNormal, who: 205, ago: 3 * demoHour,
		title: "装修电钻噪音",
		desc:  "{owner}投诉：今天上午楼下{below}一直在用电钻，已经超过装修许可的施工时间。",
		steps: []demoStep{
			demoAct(10*demoMin, demoAgent, "confirm", "summary", "您反映楼下今天上午超时使用电钻，希望我们马上制止，对吗？"),
		}},
	{typ: TypeComplaint, channel: "app", priority: PriorityLow, who: 213, ago: 30 * demoMin,
		title: "垃圾桶清运不及时，有异味",
		desc:  "{owner}在小程序投诉：小区东门垃圾桶满了没人清运，路过有异味。"},
	{typ: TypeComplaint, channel: "counter", priority: PriorityNormal, who: 226, ago: 7*demoDay + 3*demoHour,
		title: "门岗保安态度生硬",
		desc:  "{owner}到前台投诉：昨晚带朋友进小区，门岗保安说话很冲，没有解释为什么要登记。",
		steps: []demoStep{
			demoAct(10*demoMin, demoAgent, "confirm", "summary", "您反映昨晚门岗保安登记时态度生硬，也没有解释原因，希望我们处理并改进，对吗？"),
			demoAct(10*demoMin, demoAgent, "investigate", "department", DeptSecurity),
			demoRespond(3*demoHour, "已与当班保安{sec}谈话，组织班组学习访客登记话术；{sec}会当面向业主致歉。", demoDay),
			demoAct(demoDay, demoAgent, "follow_up", "note", "{sec}已当面致歉，业主表示接受。"),
			demoAct(5*demoHour, demoAgent, "return_visit", "satisfaction", "4", "comment", "接受道歉，希望以后注意说话方式。"),
		}},
	{typ: TypeComplaint, channel: "phone", priority: PriorityNormal, who: 238, ago: 11*demoDay + 5*demoHour,
		title: "本季度物业费比上季度多了60元",
		desc:  "{owner}来电投诉：本季度账单比上季度多了60元，没人解释，怀疑多收。",
		steps: []demoStep{
			demoAct(10*demoMin, demoAgent, "confirm", "summary", "您反映本季度物业费账单比上季度多了60元，希望我们核对清楚并说明原因，对吗？"),
			demoAct(10*demoMin, demoAgent, "investigate", "department", DeptFinance),
			demoRespond(4*demoHour, "财务{fin}逐项核对：面积和单价未变，多出的是上季度预存款抵扣后的差额，本季度无抵扣；已把两期明细发给业主。", demoDay),
			demoAct(demoDay, demoAgent, "follow_up", "note", "已电话说明两期明细，业主表示看明白了。"),
			demoAct(3*demoHour, demoAgent, "return_visit", "satisfaction", "5", "comment", "解释得很清楚。"),
			demoAct(30*demoMin, demoManager, "archive", "lesson", "账单有疑问先转财务逐项核对，再把明细讲给业主听。"),
		}},

	// Inquiries.
	{typ: TypeInquiry, channel: "phone", priority: PriorityNormal, who: 7, ago: 9*demoDay + 6*demoHour,
		title: "物业费有哪些缴费方式",
		desc:  "{owner}来电咨询物业费可以怎么交。",
		steps: []demoStep{
			demoAct(15*demoMin, demoAgent, "answer", "answer", "可以在服务中心前台刷卡或扫码缴纳，也可以在小程序“缴费”页面在线缴纳；面积和单价以物业服务合同及公示价目为准。"),
			demoAct(time.Hour, demoAgent, "close"),
		}},
	{typ: TypeInquiry, channel: "counter", priority: PriorityNormal, who: 48, ago: 6*demoDay + 2*demoHour,
		title: "停车月卡怎么办理",
		desc:  "{owner}到前台咨询停车月卡的办理手续。",
		steps: []demoStep{
			demoAct(20*demoMin, demoAgent, "answer", "answer", "带行驶证和本人身份证件到服务中心办理，月卡按公示价格收费，当天生效。"),
			demoAct(2*demoHour, demoAgent, "close"),
		}},
	{typ: TypeInquiry, channel: "phone", priority: PriorityNormal, who: 99, ago: 26 * demoHour,
		title: "装修押金什么时候退",
		desc:  "{owner}来电咨询装修押金的退还时间。",
		steps: []demoStep{
			demoAct(30*demoMin, demoAgent, "answer", "answer", "装修押金在完工验收合格后按装修管理服务协议约定退还，具体时间以您签的协议为准；我查到您的验收预约在下周二。"),
		}},
	{typ: TypeInquiry, channel: "phone", priority: PriorityNormal, who: 133, ago: 3*demoDay + 5*demoHour,
		title: "临时停车怎么收费",
		desc:  "{owner}来电咨询亲友来访临时停车的收费标准。",
		steps: []demoStep{
			demoAct(10*demoMin, demoAgent, "answer", "answer", "访客车辆按公示的临时停车收费标准收费，业主提前在小程序登记访客车辆的，可享受公示的免费时段。"),
			demoAct(30*demoMin, demoAgent, "close"),
		}},
	{typ: TypeInquiry, channel: "phone", priority: PriorityNormal, who: 144, ago: 15 * demoMin,
		title: "物业费发票怎么开",
		desc:  "{owner}来电咨询去年物业费的发票怎么开。"},
	{typ: TypeInquiry, channel: "app", priority: PriorityNormal, who: 231, ago: 2*demoDay + 2*demoHour,
		title: "电动车充电桩在哪里",
		desc:  "{owner}在小程序咨询小区电动车充电桩的位置和收费。",
		steps: []demoStep{
			demoAct(25*demoMin, demoAgent, "answer", "answer", "充电桩在2栋和5栋之间的非机动车棚，扫码充电，按公示标准计费；电动车不能进楼充电。"),
		}},
	{typ: TypeInquiry, channel: "phone", priority: PriorityNormal, who: 240, ago: 5 * demoHour,
		title: "快递柜取件码过期怎么办",
		desc:  "{owner}来电：快递柜取件码过期了，取不出包裹。",
		steps: []demoStep{
			demoAct(5*demoMin, demoAgent, "answer", "answer", "在快递柜屏幕上选“超时取件”，扫码支付超时费后即可取出；也可以联系快递员重新投递。"),
		}},

	// Visitors.
	{typ: TypeVisitor, channel: "counter", priority: PriorityNormal, who: 12, ago: 2*demoDay + 7*demoHour,
		title: "访客：送文件",
		desc:  "一位姓吴的女士来给{unit}{owner}送文件，没有预约。",
		steps: []demoStep{
			demoAct(3*demoMin, demoAgent, "notify", "owner_reply", "业主确认认识，同意放行。"),
			demoAct(demoMin, demoAgent, "admit"),
			demoAct(40*demoMin, demoAgent, "leave"),
		}},
	{typ: TypeVisitor, channel: "counter", priority: PriorityNormal, who: 60, ago: 4*demoDay + 6*demoHour,
		title: "访客：家政人员上门保洁",
		desc:  "家政人员到{unit}做保洁，{owner}已在小程序预约。",
		steps: []demoStep{
			demoAct(2*demoMin, demoAgent, "notify", "owner_reply", "业主已在小程序预约，核对姓名和房号一致。"),
			demoAct(demoMin, demoAgent, "admit"),
			demoAct(3*demoHour, demoAgent, "leave"),
		}},
	{typ: TypeVisitor, channel: "counter", priority: PriorityNormal, who: 111, ago: 22 * demoHour,
		title: "访客：搬家公司人员要求进楼",
		desc:  "三名搬家公司人员说是{unit}的业主叫来搬家的，没有预约。",
		steps: []demoStep{
			demoAct(8*demoMin, demoAgent, "refuse", "reason", "两次致电业主均未接通，未经业主确认不放行；已请对方联系业主并在休息区等候，对方随后离开。"),
		}},
	{typ: TypeVisitor, channel: "counter", priority: PriorityNormal, who: 170, ago: 40 * demoMin,
		title: "访客：业主的母亲来访",
		desc:  "一位老人说来看女儿，报出了{unit}的房号，没有预约。",
		steps: []demoStep{
			demoAct(4*demoMin, demoAgent, "notify", "owner_reply", "业主确认是母亲，请指路到{unit}，单元门口台阶有点滑，已提醒。"),
			demoAct(demoMin, demoAgent, "admit"),
		}},
	{typ: TypeVisitor, channel: "counter", priority: PriorityNormal, who: 190, ago: 5 * demoMin,
		title: "访客：宽带安装人员上门",
		desc:  "宽带公司安装人员到{unit}安装宽带。",
		steps: []demoStep{
			demoAct(2*demoMin, demoAgent, "notify", "owner_reply", "业主确认预约了宽带安装，正在下楼接人。"),
		}},
	{typ: TypeVisitor, channel: "counter", priority: PriorityNormal, who: 250, ago: 3 * demoMin,
		title: "访客：外卖员要求送餐上楼",
		desc:  "外卖员要求把餐送到{unit}门口。"},

	// Renovations.
	{typ: TypeRenovation, channel: "counter", priority: PriorityNormal, who: 22, ago: 13*demoDay + 3*demoHour,
		title: "更换厨房橱柜和卫生间洁具",
		desc:  "{owner}申请{unit}局部装修：更换厨房橱柜、卫生间洁具，不动墙体和防水。",
		steps: []demoStep{
			demoAct(2*demoHour, demoAgent, "check", "documents", "装修申请表、施工方案、业主身份证件和房产证复印件、装修公司营业执照和资质复印件、施工人员身份证复印件、装修承诺书"),
			demoAct(demoDay, demoManager, "approve"),
			demoAct(2*demoDay, demoAgent, "inspect", "findings", "{engS}巡查：许可证已张贴，工人持证，装修垃圾袋装堆放在指定地点。"),
			demoAct(4*demoDay, demoAgent, "inspect", "findings", "{engS}对更换的水管做隐蔽工程检查，未发现问题。"),
			demoAct(5*demoDay, demoAgent, "complete", "acceptance", "验收合格：无违规改动，公共设施完好，垃圾已清运；押金按协议退还，出入证已注销。"),
		}},
	{typ: TypeRenovation, channel: "counter", priority: PriorityNormal, who: 70, ago: 8*demoDay + 2*demoHour,
		title: "全屋墙面翻新",
		desc:  "{owner}申请{unit}全屋墙面铲除重刷，不涉及水电改造。",
		steps: []demoStep{
			demoAct(3*demoHour, demoAgent, "check", "documents", "装修申请表、施工方案、业主身份证件和房产证复印件、装修公司营业执照复印件、施工人员身份证复印件、装修承诺书"),
			demoAct(demoDay, demoManager, "approve"),
			demoAct(3*demoDay, demoAgent, "inspect", "findings", "巡查发现楼道堆放装修垃圾，已要求施工负责人当天清运，下午复查已清理。"),
		}},
	{typ: TypeRenovation, channel: "counter", priority: PriorityNormal, who: 135, ago: 2*demoDay + 4*demoHour,
		title: "客厅和卧室铺木地板",
		desc:  "{owner}申请{unit}客厅和卧室铺设木地板，带来了申请表和图纸。",
		steps: []demoStep{
			demoAct(20*demoMin, demoAgent, "check", "documents", "装修申请表、施工图纸", "missing", "装修公司营业执照复印件、施工人员身份证复印件"),
			demoAct(5*demoMin, demoAgent, ActionMessage, "text", "缺少的两样材料已写在清单上发给您，补齐后带过来，我们当天就可以受理。"),
		}},
	{typ: TypeRenovation, channel: "counter", priority: PriorityNormal, who: 208, ago: 4*demoDay + 1*demoHour,
		title: "阳台封窗",
		desc:  "{owner}申请{unit}阳台按小区统一样式封窗。",
		steps: []demoStep{
			demoAct(time.Hour, demoAgent, "check", "documents", "装修申请表、封窗样式确认单、业主身份证件复印件、施工单位营业执照复印件、装修承诺书"),
			demoAct(demoDay, demoManager, "approve"),
			demoAct(10*demoMin, demoAgent, ActionMessage, "text", "装修许可证已办好，施工时间为工作日8:00–12:00、14:00–18:00，许可证请张贴在入户门外。"),
		}},
	{typ: TypeRenovation, channel: "counter", priority: PriorityNormal, who: 222, ago: 6*demoDay + 5*demoHour,
		title: "拆除客厅与阳台之间的墙体",
		desc:  "{owner}申请{unit}拆除客厅与阳台之间的墙体，扩大客厅。",
		steps: []demoStep{
			demoAct(2*demoHour, demoAgent, "check", "documents", "装修申请表、施工图纸、业主身份证件和房产证复印件、装修公司营业执照和资质复印件"),
			demoAct(demoDay, demoManager, "reject", "reason", "工程部审核图纸：该墙体为承重墙，不得拆除；已书面告知业主，可修改方案后重新申请。"),
		}},
	{typ: TypeRenovation, channel: "counter", priority: PriorityNormal, who: 245, ago: 40 * demoMin,
		title: "卫生间防水重做",
		desc:  "{owner}申请{unit}主卫防水层重做，已带齐材料。"},
}
