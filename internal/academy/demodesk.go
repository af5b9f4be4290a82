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
// tickets follow demoCases: every type in every state of its procedure
// (a fee collection with a follow-up due today, a move-out waiting for
// that flat's fees), about a third finished,
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
	tickets := playDemoCases(dir, demoScript{ids: "fixture", floors: syntheticFloors, actors: actors, practice: true}, now)
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
// users stand for (nil: themselves). A practice desk plays the cases of
// a working day only, without those that show the demo's visitors a
// state of each procedure.
type demoScript struct {
	ws, ids  string
	floors   int
	actors   map[string]string
	practice bool
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
		if sc.practice && demoCases[i].demoOnly {
			continue
		}
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
		for name, d := range s.later {
			fields[name] = at.Add(d).Format("2006-01-02 15:04")
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
	// demoOnly: the case is there so that the demo shows every state of
	// its procedure; practice desks, kept small, do without it.
	demoOnly bool
}

// demoStep is one action, after the previous one (or the creation).
type demoStep struct {
	after  time.Duration
	actor  string
	action string
	fields map[string]string
	// later sets time fields (a promised date) this long after the step,
	// so that they fall where they should whenever the demo starts.
	later map[string]time.Duration
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

// demoLater sets time fields of a step, as name, time after the step
// pairs.
func demoLater(s demoStep, kv ...any) demoStep {
	s.later = map[string]time.Duration{}
	for i := 0; i+1 < len(kv); i += 2 {
		s.later[kv[i].(string)] = kv[i+1].(time.Duration)
	}
	return s
}

// demoRespond is a complaint's answer with a promised completion time.
func demoRespond(after time.Duration, proposal string, promise time.Duration) demoStep {
	s := demoAct(after, demoAgent, "respond", "proposal", proposal)
	s.later = map[string]time.Duration{"promised_at": promise}
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
		desc:  "{owner}投诉：今天上午楼下{below}一直在用电钻，已经超过装修管理服务协议约定的施工时间。",
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
			demoAct(2*demoDay, demoAgent, "inspect", "findings", "{engS}巡查：装修施工告示已张贴，工人持出入证，装修垃圾袋装堆放在指定地点。"),
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
			demoAct(10*demoMin, demoAgent, ActionMessage, "text", "装修登记已办好，装修管理服务协议已签，施工时间为工作日8:00–12:00、14:00–18:00，施工告示请张贴在入户门外。"),
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

	// Fee collection. The promise of 3-1… is the reason its move-out waits.
	{typ: TypeFeeCollection, channel: "phone", priority: PriorityNormal, who: 5, ago: 3 * demoHour,
		title: "2025年下半年物业费未缴",
		desc:  "财务{fin}转来欠费清单：{unit}{owner}2025年7–12月物业费未缴，已超过缴费期限两个月。",
		steps: []demoStep{
			demoAct(20*demoMin, demoAgent, "verify", "arrears", "2025年7月–12月物业费，共1,956元（按建筑面积108.6平方米、单价3.00元/月计），无滞纳金。"),
		}},
	{typ: TypeFeeCollection, channel: "phone", priority: PriorityNormal, who: 27, ago: 2*demoDay + 3*demoHour, demoOnly: true,
		title: "车位管理费欠缴三个月",
		desc:  "{unit}{owner}地下车位管理费欠缴三个月，系统已发两次短信提醒未缴。",
		steps: []demoStep{
			demoAct(30*demoMin, demoAgent, "verify", "arrears", "2025年12月–2026年2月车位管理费，共450元。"),
			demoAct(time.Hour, demoAgent, "remind", "note", "电话联系业主，说明欠费期间和金额，业主说最近出差，回来后查一下账单。"),
		}},
	{typ: TypeFeeCollection, channel: "phone", priority: PriorityNormal, who: 52, ago: 3*demoDay + 2*demoHour,
		title: "物业费及公摊水电费未缴",
		desc:  "财务{fin}转来欠费清单：{unit}{owner}物业费和公摊水电费逾期未缴；业主已提出月底搬离。",
		steps: []demoStep{
			demoAct(30*demoMin, demoAgent, "verify", "arrears", "2025年10月–2026年2月物业费1,630元，公摊水电费86.40元，合计1,716.40元。"),
			demoAct(time.Hour, demoAgent, "remind", "note", "电话联系业主，逐项说明欠费明细；业主对金额没有异议。"),
			demoLater(demoAct(20*demoMin, demoAgent, "promise"), "promised_pay_at", 5*demoDay, "next_follow_up", 3*demoDay),
		}},
	{typ: TypeFeeCollection, channel: "counter", priority: PriorityNormal, who: 66, ago: 5*demoDay + 4*demoHour, demoOnly: true,
		title: "物业费欠缴，业主称电梯长期故障拒缴",
		desc:  "{unit}{owner}一季度物业费未缴，催缴时表示电梯经常停运，服务不到位，暂不缴费。",
		steps: []demoStep{
			demoAct(time.Hour, demoAgent, "remind", "note", "到前台当面说明欠费情况，业主提出电梯问题，情绪较大。"),
			demoAct(10*demoMin, demoAgent, "dispute", "reason", "业主认为电梯近三个月多次停运，要求先说明维修情况再缴费。", "department", DeptEngineering),
			demoAct(demoDay, demoAgent, "follow_up", "note", "工程部{engS}整理了近三个月电梯维修记录，约业主下周一当面沟通。"),
		}},
	{typ: TypeFeeCollection, channel: "phone", priority: PriorityNormal, who: 81, ago: 12*demoDay + 3*demoHour,
		title: "2025年第四季度物业费未缴",
		desc:  "财务{fin}转来欠费清单：{unit}{owner}第四季度物业费未缴。",
		steps: []demoStep{
			demoAct(time.Hour, demoAgent, "verify", "arrears", "2025年10月–12月物业费，共822元。"),
			demoAct(time.Hour, demoAgent, "remind", "note", "电话联系业主，业主说忘了缴，这周内缴清。"),
			demoLater(demoAct(10*demoMin, demoAgent, "promise"), "promised_pay_at", 3*demoDay, "next_follow_up", 3*demoDay),
			demoAct(2*demoDay, demoAgent, "confirm_paid", "payment", "业主已在小程序缴清822元，财务{fin}已核对到账。"),
		}},
	{typ: TypeFeeCollection, channel: "phone", priority: PriorityLow, who: 92, ago: 13*demoDay + 2*demoHour,
		title: "装修垃圾清运费未缴",
		desc:  "{unit}{owner}装修垃圾清运费未缴，业主认为已含在装修押金里。",
		steps: []demoStep{
			demoAct(2*demoHour, demoAgent, "remind", "note", "电话联系业主，说明清运费按装修管理服务协议单独收取。"),
			demoAct(10*demoMin, demoAgent, "dispute", "reason", "业主认为清运费已含在装修押金里。", "department", DeptFinance),
			demoAct(demoDay, demoAgent, "follow_up", "note", "财务{fin}核对协议：清运费确实单独列明；已把协议条款拍照发给业主。"),
			demoAct(2*demoDay, demoManager, "close", "reason", "业主在退装修押金时一并结清，欠费已从押金中扣除，业主签字确认。"),
		}},

	// Water and power outage notices.
	{typ: TypeOutageNotice, channel: "counter", priority: PriorityLow, who: 108, ago: 40 * demoMin, demoOnly: true,
		title: "5栋下周二停电检修配电柜",
		desc:  "供电所通知：下周二9:00–15:00对5栋配电柜检修，全楼停电，电梯停运。"},
	{typ: TypeOutageNotice, channel: "counter", priority: PriorityNormal, who: 115, ago: demoDay,
		title: "2栋明天上午停水更换主管道阀门",
		desc:  "工程部计划明天9:00–12:00更换2栋供水主管道阀门，全楼停水。",
		steps: []demoStep{
			demoAct(30*demoMin, demoAgent, "publish", "notice", "2栋明天9:00–12:00停水，更换供水主管道阀门；请提前储水，关好家中水龙头，恢复供水初期水质可能发黄，放水片刻即可。"),
			demoAct(3*demoHour, demoAgent, "confirm", "confirmations", "业主群内已发通知；2栋1201独居老人、0602家有卧床病人已电话确认，并约定停水期间送两桶水上门。"),
		}},
	{typ: TypeOutageNotice, channel: "counter", priority: PriorityNormal, who: 122, ago: 2 * demoDay, demoOnly: true,
		title: "4栋二次供水水箱清洗停水",
		desc:  "按年度计划清洗4栋二次供水水箱，停水约6小时。",
		steps: []demoStep{
			demoAct(time.Hour, demoAgent, "publish", "notice", "4栋今天8:00–14:00清洗二次供水水箱，全楼停水；请提前储水。"),
			demoAct(2*demoHour, demoAgent, "confirm", "confirmations", "业主群通知已读；电梯厅和单元门口已张贴通知。"),
			demoAct(demoDay-3*demoHour, demoAgent, "begin"),
			demoAct(time.Hour, demoAgent, "follow_up", "note", "水箱清洗中，{engS}说比计划晚一小时完成，已在群里说明。"),
		}},
	{typ: TypeOutageNotice, channel: "phone", priority: PriorityUrgent, who: 130, ago: 4 * demoDay, demoOnly: true,
		title: "1栋突发停电",
		desc:  "{owner}来电：1栋整栋突然停电，电梯停在中间楼层，轿厢里没有人。",
		steps: []demoStep{
			demoAct(5*demoMin, demoAgent, "publish", "notice", "1栋因电缆故障突发停电，工程部正在抢修，预计2小时内恢复；电梯已停用，请走楼梯，注意安全。"),
			demoAct(2*demoMin, demoAgent, "begin"),
			demoAct(20*demoMin, demoAgent, "confirm", "confirmations", "已逐户电话确认1栋行动不便住户3户，安保部{sec}上门协助。"),
			demoAct(90*demoMin, demoAgent, "restore", "restoration", "更换故障电缆接头后恢复供电，电梯已检查正常运行，群里已通知。"),
		}},
	{typ: TypeOutageNotice, channel: "counter", priority: PriorityNormal, who: 147, ago: 9 * demoDay,
		title: "6栋停水检修消防管道",
		desc:  "工程部检修6栋消防管道，需要关闭生活用水总阀。",
		steps: []demoStep{
			demoAct(time.Hour, demoAgent, "publish", "notice", "6栋后天10:00–13:00停水，检修消防管道；请提前储水。"),
			demoAct(2*demoDay, demoAgent, "begin"),
			demoAct(150*demoMin, demoAgent, "restore", "restoration", "12:30恢复供水，比通知提前半小时。"),
			demoAct(time.Hour, demoAgent, "close"),
		}},
	{typ: TypeOutageNotice, channel: "counter", priority: PriorityNormal, who: 158, ago: 7 * demoDay,
		title: "3栋周六停电更换变压器",
		desc:  "供电所通知周六对3栋变压器进行更换。",
		steps: []demoStep{
			demoAct(time.Hour, demoAgent, "publish", "notice", "3栋本周六8:00–18:00停电，更换变压器；电梯停运，冰箱食物请提前处理。"),
			demoAct(demoDay, demoAgent, "cancel", "reason", "供电所来电：设备未到，更换改期，另行通知；已在群里和电梯厅通知取消。"),
		}},

	// Patrols.
	{typ: TypePatrol, channel: "counter", priority: PriorityLow, who: 166, ago: 30 * demoMin, demoOnly: true,
		title: "夜间安全巡检（22:00班）",
		desc:  "按巡检路线：各单元门禁、地库、消防通道、周界围墙。"},
	{typ: TypePatrol, channel: "counter", priority: PriorityLow, who: 177, ago: 3 * demoHour,
		title: "地库及设备房日常巡检",
		desc:  "按巡检路线：地库B1、B2照明和排水，水泵房、配电房。",
		steps: []demoStep{
			demoAct(10*demoMin, demoAgent, "start"),
			demoAct(time.Hour, demoAgent, "record", "findings", "B1照明、排水正常；水泵房压力表读数正常，地面干燥。"),
		}},
	{typ: TypePatrol, channel: "counter", priority: PriorityNormal, who: 188, ago: 6 * demoDay,
		title: "消防通道与楼道巡检",
		desc:  "按巡检路线：1–6栋消防通道、楼道、安全出口指示灯。",
		steps: []demoStep{
			demoAct(5*demoMin, demoAgent, "start"),
			demoAct(time.Hour, demoAgent, "record", "findings", "3栋2单元5楼楼道堆放纸箱，已通知业主当天清理。"),
			demoAct(time.Hour, demoAgent, "finish", "findings", "6栋消防通道畅通，安全出口指示灯全部正常；3栋堆物下午复查已清理。"),
		}},
	{typ: TypePatrol, channel: "counter", priority: PriorityNormal, who: 199, ago: 10 * demoDay,
		title: "园区绿化与公共设施巡检",
		desc:  "按巡检路线：中心花园、儿童游乐区、健身器材、路灯。",
		steps: []demoStep{
			demoAct(10*demoMin, demoAgent, "start"),
			demoAct(2*demoHour, demoAgent, "finish", "findings", "儿童滑梯螺丝松动已由{lscS}当场紧固；健身器材、路灯正常。"),
		}},

	// Parking and vehicles.
	{typ: TypeParking, channel: "phone", priority: PriorityHigh, who: 203, ago: 8 * demoMin, demoOnly: true,
		title: "车位被占，车出不去",
		desc:  "{owner}来电：自己的车位前停了一辆白色SUV，车开不出来，要赶去上班。"},
	{typ: TypeParking, channel: "phone", priority: PriorityNormal, who: 217, ago: demoHour,
		title: "访客车辆临时停车",
		desc:  "{owner}来电：朋友开车来吃饭，想在地库停三个小时。",
		steps: []demoStep{
			demoAct(5*demoMin, demoAgent, "verify", "plate", "粤B·7K286"),
		}},
	{typ: TypeParking, channel: "phone", priority: PriorityHigh, who: 229, ago: demoDay, demoOnly: true,
		title: "消防通道停放车辆",
		desc:  "安保部{sec}巡查发现：4栋消防通道停了一辆黑色轿车。",
		steps: []demoStep{
			demoAct(5*demoMin, demoAgent, "verify", "plate", "粤B·D3519"),
			demoAct(20*demoMin, demoAgent, "move_car", "note", "按车辆登记电话联系车主，车主10分钟后挪走；已提醒消防通道禁止停车。"),
		}},
	{typ: TypeParking, channel: "counter", priority: PriorityNormal, who: 236, ago: 4 * demoDay,
		title: "新车登记月卡",
		desc:  "{owner}到前台登记新车，办理地库月卡。",
		steps: []demoStep{
			demoAct(10*demoMin, demoAgent, "verify", "plate", "粤B·12345"),
			demoAct(15*demoMin, demoAgent, "register", "plate", "粤B·12345", "space", "B2-118（业主自有车位）"),
			demoAct(demoDay, demoAgent, "close"),
		}},
	{typ: TypeParking, channel: "phone", priority: PriorityNormal, who: 247, ago: 8 * demoDay,
		title: "搬家货车进小区",
		desc:  "{owner}来电：搬家公司货车要进小区，需要临时放行。",
		steps: []demoStep{
			demoAct(5*demoMin, demoAgent, "verify", "plate", "粤B·5F0731"),
			demoAct(10*demoMin, demoAgent, "admit_visitor", "owner_reply", "业主确认是预约的搬家车，限时两小时，停在5栋门前临时车位。"),
			demoAct(3*demoHour, demoAgent, "close"),
		}},

	// Parcels and items.
	{typ: TypeParcel, channel: "counter", priority: PriorityNormal, who: 9, ago: 2 * demoHour,
		title: "代收生鲜快递一箱",
		desc:  "快递员送来{unit}{owner}的生鲜冷链快递，业主电话未接，暂存前台冰柜。"},
	{typ: TypeParcel, channel: "counter", priority: PriorityNormal, who: 19, ago: demoDay, demoOnly: true,
		title: "代收大件家具包裹",
		desc:  "物流送来{unit}{owner}的大件包裹（书柜），暂存服务中心仓库。",
		steps: []demoStep{
			demoAct(10*demoMin, demoAgent, "notify", "parcel", "德邦物流大件两箱（书柜），暂存服务中心仓库。"),
			demoAct(6*demoHour, demoAgent, "remind", "note", "再次短信提醒业主，业主回复周末来取。"),
		}},
	{typ: TypeParcel, channel: "counter", priority: PriorityNormal, who: 37, ago: 3 * demoDay,
		title: "代收钥匙（家政阿姨留下）",
		desc:  "家政阿姨把{unit}的钥匙留在前台，请业主来取。",
		steps: []demoStep{
			demoAct(10*demoMin, demoAgent, "notify", "parcel", "钥匙一串（3把），已封袋签字。"),
			demoAct(5*demoHour, demoAgent, "collect", "collector", "业主本人领取，核对身份证件并签字。"),
		}},
	{typ: TypeParcel, channel: "counter", priority: PriorityLow, who: 44, ago: 8 * demoDay,
		title: "无人认领的到付快递",
		desc:  "一件寄往{unit}的到付快递，收件人姓名与业主不符。",
		steps: []demoStep{
			demoAct(time.Hour, demoAgent, "notify", "parcel", "中通到付快递一件，收件人姓名与住户不符。"),
			demoAct(2*demoDay, demoAgent, "remind", "note", "再次联系业主，业主确认不认识收件人。"),
			demoAct(3*demoDay, demoAgent, "send_back", "reason", "业主确认非本户快递，已联系快递员取回退件。"),
		}},

	// Move-outs. The first waits for its flat's fee collection.
	{typ: TypeMoveOut, channel: "counter", priority: PriorityNormal, who: 52, ago: 40 * demoMin,
		title: "业主搬离，申请搬出大件家具",
		desc:  "{owner}申请今天下午搬出家具家电，搬家公司已在路上。"},
	{typ: TypeMoveOut, channel: "counter", priority: PriorityNormal, who: 61, ago: 5 * demoHour, demoOnly: true,
		title: "租户退租搬离",
		desc:  "{unit}租户退租，申请搬出个人物品，业主已书面同意。",
		steps: []demoStep{
			demoAct(20*demoMin, demoAgent, "check_fees", "fees_cleared", "物业费已缴至本月底，水电费已结清，财务{fin}已确认。"),
		}},
	{typ: TypeMoveOut, channel: "counter", priority: PriorityNormal, who: 73, ago: demoDay, demoOnly: true,
		title: "搬出旧家电",
		desc:  "{owner}换新家电，申请搬出旧冰箱和旧洗衣机。",
		steps: []demoStep{
			demoAct(30*demoMin, demoAgent, "check_fees", "fees_cleared", "无欠费。"),
			demoAct(2*demoHour, demoAgent, "approve", "items", "旧冰箱一台、旧洗衣机一台，回收公司车辆粤B·3M592。"),
		}},
	{typ: TypeMoveOut, channel: "counter", priority: PriorityNormal, who: 86, ago: 6 * demoDay,
		title: "业主出售房屋搬离",
		desc:  "{owner}房屋已出售，申请搬出全部家具。",
		steps: []demoStep{
			demoAct(20*demoMin, demoAgent, "check_fees", "fees_cleared", "物业费、车位管理费、水电费均已结清，财务{fin}出具结清证明。"),
			demoAct(30*demoMin, demoAgent, "approve", "items", "沙发一套、床两张、衣柜两个、纸箱约30个。"),
			demoAct(demoDay, demoAgent, "release"),
		}},
	{typ: TypeMoveOut, channel: "counter", priority: PriorityNormal, who: 97, ago: 11 * demoDay,
		title: "租户要求搬出空调",
		desc:  "{unit}租户申请搬出两台空调，称是自己购买的。",
		steps: []demoStep{
			demoAct(time.Hour, demoAgent, "refuse", "reason", "业主未到场也未出具书面授权，空调属房屋附属设施还是租户自购无法确认；请业主书面确认后再申请。"),
		}},

	// Emergency incidents. The desk writes down when it called outside
	// help (called_at) a few minutes before it gets to type it, as a
	// night shift does.
	{typ: TypeIncident, channel: "phone", priority: PriorityUrgent, who: 14, ago: 6*demoDay + 3*demoHour,
		title: "楼道里有燃气味",
		desc:  "{owner}（{unit}）来电：出门时闻到门外楼道里有燃气味，不算很浓。已提醒业主不开关电器、不按门铃，到单元外再打电话。",
		steps: []demoStep{
			demoAct(2*demoMin, demoAgent, "send", "department", DeptSecurity),
			demoLater(demoAct(2*demoMin, demoAgent, "call_outside", "outside_body", "燃气公司 24 小时抢修电话：报了小区地址、楼层和气味浓淡，对方答复 30 分钟内到场。"), "called_at", -3*demoMin),
			demoAct(6*demoMin, demoAgent, "follow_up", "note", "{sec}关掉对讲机上楼，逐户敲门提醒开窗、不开关电器；同层一位老人由{sec}扶下楼，单元门口已拉警戒。"),
			demoLater(demoAct(22*demoMin, demoAgent, "outside_arrived", "outside_body", "燃气公司抢修人员两名，{sec}在单元门口接引上楼。"), "arrived_at", -demoMin),
			demoAct(40*demoMin, demoAgent, "resolve", "resolution", "燃气公司查明是同层一户灶前阀门接口松动，已更换阀门并检测合格；楼道通风后气味消失，住户已回家。"),
			demoAct(2*demoHour, demoManager, "close", "lesson", "先给安全提示，再报燃气公司；安保警戒疏散，不碰燃气设施和电闸。"),
		}},
	{typ: TypeIncident, channel: "phone", priority: PriorityHigh, who: 33, ago: 3*demoDay + 5*demoHour,
		title: "楼梯间有烟味",
		desc:  "{owner}来电：{unit}门外的楼梯间有一股烟味，看不到明火，烟感没有响。",
		steps: []demoStep{
			demoAct(3*demoMin, demoAgent, "send", "department", DeptSecurity),
			demoAct(12*demoMin, demoAgent, "cancel", "reason", "{sec}到场查明是楼下住户家中煎炸的油烟从窗户飘进楼梯间，没有火情；已打开楼梯间窗户通风，并回电告知来电业主。"),
		}},
	{typ: TypeIncident, channel: "phone", priority: PriorityUrgent, who: 101, ago: 20 * demoHour, demoOnly: true,
		title: "家中老人在中心花园摔倒",
		desc:  "{owner}来电：家里老人在中心花园儿童游乐区旁摔倒，说腿疼起不来，{owner}正从家里赶过去。",
		steps: []demoStep{
			demoAct(demoMin, demoAgent, "send", "department", DeptSecurity),
			demoLater(demoAct(2*demoMin, demoAgent, "call_outside", "outside_body", "120：说明地点、老人意识清醒、右腿疼痛不能站立，请救护车从东门进。"), "called_at", -demoMin),
			demoAct(3*demoMin, demoAgent, "follow_up", "note", "{sec}到场陪护，没有挪动老人，给老人盖上外套；另一名安保到东门接救护车。"),
			demoLater(demoAct(12*demoMin, demoAgent, "outside_arrived", "outside_body", "120 救护车，{sec}在东门接引到现场。"), "arrived_at", time.Duration(0)),
			demoAct(15*demoMin, demoAgent, "resolve", "resolution", "120 将老人送往医院，家属{owner}随车；摔倒处地面平整干燥，已拍照留存。"),
		}},
	{typ: TypeIncident, channel: "phone", priority: PriorityUrgent, who: 156, ago: 25 * demoMin,
		title: "单元门口有人争执推搡",
		desc:  "{owner}来电：{unit}所在单元门口有两个人在争吵，已经开始推搡，旁边有老人和孩子。",
		steps: []demoStep{
			demoAct(demoMin, demoAgent, "send", "department", DeptSecurity),
			demoLater(demoAct(2*demoMin, demoAgent, "call_outside", "outside_body", "110：报了小区地址和单元，说明两人推搡、暂时没有人受伤。"), "called_at", -demoMin),
			demoAct(4*demoMin, demoAgent, "follow_up", "note", "{sec}等两名安保到场，把双方隔开，劝离单元门口，疏导围观的老人孩子离开；双方情绪仍然激动，等警察到场。"),
		}},
	{typ: TypeIncident, channel: "phone", priority: PriorityUrgent, who: 243, ago: 2 * demoMin, demoOnly: true,
		title: "地库B1有焦糊味",
		desc:  "{owner}来电：在地库B1停车时闻到一股焦糊味，好像是从配电房方向传来的，没看到烟。"},
}
