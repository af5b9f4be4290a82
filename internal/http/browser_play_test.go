package http_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/academy/academy/internal/academy"
)

// scenarioPlay is how a trainee who knows the SOP handles one scenario: the
// words they say where the owner wants a reply, and what they do on the
// run's sandbox desk during the task. The choices are not scripted: the
// player takes the best-scored one, so a content edit that adds or reorders
// choices does not break the play.
type scenarioPlay struct {
	Slug    string
	Replies map[string]string // step id -> what the trainee says
	Desk    []deskStep
}

// deskStep is one thing done on the sandbox desk. Exactly one of Ticket,
// Action or Clock is set; actions apply to the ticket created last.
type deskStep struct {
	Ticket *academy.NewTicket
	Action string // a transition of the ticket's procedure, or note / message
	Fields map[string]string
	Clock  int // minutes to advance the simulated clock by, with its buttons
}

type kv = map[string]string

func ticket(typ, channel, priority, title, description string) deskStep {
	return deskStep{Ticket: &academy.NewTicket{Type: typ, Channel: channel, Priority: priority, Title: title, Description: description,
		Resident: academy.PersonaID}}
}

func act(action string, fields kv) deskStep { return deskStep{Action: action, Fields: fields} }
func internalNote(text string) deskStep     { return act(academy.ActionNote, kv{"text": text}) }
func replyOwner(text string) deskStep       { return act(academy.ActionMessage, kv{"text": text}) }
func advance(minutes int) deskStep          { return deskStep{Clock: minutes} }

// without is the play with the given desk actions left out, for runs that
// should fail.
func (p scenarioPlay) without(actions ...string) scenarioPlay {
	p.Desk = slices.DeleteFunc(slices.Clone(p.Desk), func(s deskStep) bool { return slices.Contains(actions, s.Action) })
	return p
}

// deskTime reads a time field the way plays write it, relative to the
// sandbox clock ("+<days>d HH:MM"): the simulated now is only known while
// playing, and a fixed date would drift out of the story.
func deskTime(v string, now time.Time) (string, error) {
	var days, h, m int
	if _, err := fmt.Sscanf(v, "+%dd %d:%d", &days, &h, &m); err != nil {
		return "", fmt.Errorf("time field %q is not like +1d 23:30: %w", v, err)
	}
	d := now.In(beijing).AddDate(0, 0, days)
	// The value a datetime-local input holds: the site's wall clock.
	return time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, beijing).Format("2006-01-02T15:04"), nil
}

// The five calls of the desk program played in the newcomer journey, one
// per kind of desk work: a repair to closure, an emergency repair against
// the clock, a complaint through all six steps, a visitor refused on the
// owner's word, and a renovation application approved once complete.
var deskPlays = []scenarioPlay{waterLeakPlay, elevatorPlay, noisePlay, visitorPlay, renovationPlay}

var waterLeakPlay = scenarioPlay{
	Slug: "water-leak",
	Replies: map[string]string{
		"promise": "刘女士，我跟您确认一下：5栋2单元602主卫吊顶在滴水。我已经通知工程部值班师傅，按我们的报修时限大约30分钟内到您家查看；702那边我继续联系，二十分钟后不管联系上没有，我都给您回电。",
	},
	Desk: []deskStep{
		ticket(academy.TypeRepair, "phone", academy.PriorityHigh, "主卫天花板吊顶渗水",
			"5栋2单元602主卫天花板吊顶边缘持续滴水，灯座旁有水印，业主下班到家时发现。已提醒业主不要碰卫生间灯和浴霸开关、关闭卫生间那一路电、擦干地面防滑。楼上702敲门无人应。"),
		act("dispatch", kv{"department": "engineering", "priority": "high"}),
		advance(15),
		act("start", nil),
		act("follow_up", kv{"note": "师傅到场确认水从楼上来，已在公共管井关闭702入户阀门止水。已用登记电话联系上702业主赵先生，他明天上午回来开门。"}),
		advance(1440),
		act("complete", kv{"resolution": "原因：702卫生间给水管接头渗漏。处理：702业主开门后更换了给水管接头，602吊顶不再滴水。材料：给水管接头一个、生料带。费用：602不收费，702户内管件材料费由702业主承担。"}),
		advance(60),
		act("return_visit", kv{"satisfaction": "5", "comment": "刘女士：这次你们处理得挺快，电话也回得及时。"}),
		act("close", nil),
	},
}

var elevatorPlay = scenarioPlay{
	Slug: "elevator-entrapment",
	Replies: map[string]string{
		"notify": "何女士，我已经通知了电梯维保单位和工程部值班师傅，按预案维保人员30分钟以内到场；安保同事正赶去11楼电梯口守着。我每隔几分钟告诉您一次进展，电话不挂。",
	},
	Desk: []deskStep{
		ticket(academy.TypeRepair, "phone", academy.PriorityUrgent, "3栋2单元电梯困人",
			"接报时间以本单创建时间为准。3栋2单元电梯停在11、12层之间，被困2人：成人1人（业主何女士）、7岁儿童1人，暂无身体不适。已安抚并劝阻扒门，保持通话。"),
		act("dispatch", kv{"department": "engineering", "priority": "urgent"}),
		internalNote("接报后1分钟通知电梯维保单位；2分钟通知工程部值班和值班主管；5分钟安保到11楼电梯口守候。"),
		advance(15),
		act("start", nil),
		advance(15),
		act("complete", kv{"resolution": "故障原因：门锁回路故障。维保人员接报后23分钟到场，31分钟时按规程平层开门，母女安全脱困，身体无碍。电梯已停用，待维保单位检查后恢复，各层已张贴停用告示。"}),
		advance(1440),
		act("return_visit", kv{"satisfaction": "5", "comment": "何女士：当时多亏你一直在电话里陪着我们。"}),
		act("close", nil),
	},
}

var noisePlay = scenarioPlay{
	Slug: "noise-complaint",
	Replies: map[string]string{
		"readback": "马女士，我复述一下：您家是8栋1单元1503，这一个星期每天晚上十一点以后，楼上传来咚咚的闷响，像有人在跳，一响就是半个多小时，吵得您没法休息。您希望我们今晚就去核实、提醒住户，以后晚上不再有这样的声音。我记的对吗？",
	},
	Desk: []deskStep{
		ticket(academy.TypeComplaint, "phone", academy.PriorityHigh, "楼上夜间噪音",
			"近一周每晚23点以后楼上传来咚咚闷响，像有人跳或往地上砸东西，每次持续半小时以上，影响业主休息。"),
		act("confirm", kv{"summary": "8栋1单元1503马女士：近一周每晚十一点后楼上有咚咚闷响，每次半小时以上，影响休息；希望今晚核实并提醒住户，夜间不再扰民。业主已确认。"}),
		act("investigate", kv{"department": "security"}),
		advance(15),
		act("respond", kv{
			"proposal":    "夜班安保已到16楼走廊核实，声音来自1603，住户孩子晚上跳绳锻炼；已按“有邻居反映”礼貌提醒，住户同意铺减震垫、22点后不再跳。明晚安保再巡查一次，结果电话告知马女士。",
			"promised_at": "+1d 23:30",
		}),
		advance(1440),
		act("follow_up", kv{"note": "次日晚安保再次巡查16楼，没有再听到跳绳声，1603已铺减震垫。"}),
		act("return_visit", kv{"satisfaction": "4", "comment": "马女士：总算能睡个好觉了。"}),
		act("archive", kv{"lesson": "夜间噪音投诉受理后安保30分钟内到场核实，转达只说“有邻居反映”，次日复查后再回访。"}),
	},
}

var visitorPlay = scenarioPlay{
	Slug: "visitor-registration",
	Replies: map[string]string{
		"tell_visitor": "韩先生，我联系上郑女士了，她这几天暂时不方便接待，所以不能让您上楼，请您谅解。您带的东西可以登记后放在服务中心，由我们代为保管。您有什么话我可以帮您转告，或者请您直接和她联系。",
	},
	Desk: []deskStep{
		ticket(academy.TypeVisitor, "counter", academy.PriorityNormal, "韩立军来访（自称表哥，送土特产）",
			"来访事由：自称业主郑婉婷的表哥，从老家来送土特产，无预约。访客电话：138-0000-1234。证件已核对姓名，未复印、未录入证件号。"),
		act("notify", kv{"owner_reply": "郑女士认识访客，但本人不在家，不同意访客上楼，物品请服务中心代为保管。"}),
		internalNote("访客留下土特产一箱，已登记由服务中心代为保管，郑女士回来后凭证件领取。"),
		act("refuse", kv{"reason": "业主不同意访客上楼。"}),
	},
}

var renovationPlay = scenarioPlay{
	Slug: "renovation-application",
	Replies: map[string]string{
		"revise": "何先生，缺的材料我写在清单上了：一、装修公司的营业执照和资质证书复印件；二、施工人员的身份证复印件；三、装修管理服务协议，需要您本人签字；四、改好的设计图纸，不拆阳台那堵墙。您补齐后带过来，当天就给您受理。",
	},
	Desk: []deskStep{
		ticket(academy.TypeRenovation, "counter", academy.PriorityNormal, "1503装修申请",
			"7栋2单元1503何志明申请装修，施工队计划下周一进场。原图纸含拆除阳台与客厅之间墙体，业主已同意改图。"),
		act("check", kv{
			"documents": "装修申请表、设计图纸、业主身份证复印件、房产证复印件",
			"missing":   "装修公司营业执照和资质证书复印件；施工人员身份证复印件；装修管理服务协议（业主签字）；修改后的设计图纸（不拆除连接阳台的墙体）",
		}),
		replyOwner("何先生您好，您的装修申请还缺以下材料：1. 装修公司营业执照和资质证书复印件；2. 施工人员身份证复印件；3. 签署装修管理服务协议；4. 修改后的设计图纸（保留连接阳台的墙体）。补齐后带到服务中心，当天即可受理。辛苦您了！"),
		advance(1440),
		advance(1440),
		internalNote("何先生补交了装修公司营业执照和资质证书复印件、施工人员身份证复印件，已签装修管理服务协议；改好的图纸保留阳台墙体，工程部审图通过。"),
		act("approve", nil),
	},
}

// playScenario plays a scenario in the browser as the trainee would: from
// the scenario page through the call, the task on the run's sandbox desk,
// and the rest of the call, to the debrief, whose text it returns. When shot
// is set, the sandbox ticket is kept as a screenshot under that name.
func playScenario(t *testing.T, e *env, ctx context.Context, base string, p scenarioPlay, shot string) string {
	t.Helper()
	sc := e.deps.Catalog.Snapshot().Scenarios[p.Slug]
	if sc == nil {
		t.Fatalf("no scenario %s", p.Slug)
	}
	step(t, ctx, "open "+p.Slug, chromedp.Navigate(base+"/scenarios/"+p.Slug), chromedp.WaitVisible("#start-run"))
	newPage(t, ctx, "start "+p.Slug, chromedp.Click("#start-run"))
	runURL := loc(t, ctx)
	converse(t, ctx, sc, p)
	if strings.Contains(loc(t, ctx), "/debrief") {
		t.Fatalf("%s ended before its task", p.Slug)
	}
	if k := attr(t, ctx, "#run-step", "data-kind"); k != "task" {
		t.Fatalf("%s: expected the task, at a %s step", p.Slug, k)
	}
	desk := base + attr(t, ctx, "#open-sandbox", "href")
	playDesk(t, ctx, desk, p)
	if shot != "" {
		screenshot(t, ctx, shot+"-desk")
	}
	step(t, ctx, "back to the call", chromedp.Navigate(runURL), chromedp.WaitVisible("#task-done"))
	newPage(t, ctx, "done", confirmYes(), chromedp.Click("#task-done"))
	converse(t, ctx, sc, p)
	if !strings.Contains(loc(t, ctx), "/debrief") {
		t.Fatalf("%s: no debrief after the call, at %s", p.Slug, loc(t, ctx))
	}
	step(t, ctx, "debrief", chromedp.WaitVisible("#debrief-result"))
	return text(t, ctx, "main")
}

// converse answers the owner until the call reaches a task or its end:
// the best-scored choice, or the play's reply where the owner wants one.
func converse(t *testing.T, ctx context.Context, sc *academy.Scenario, p scenarioPlay) {
	t.Helper()
	for i := 0; !strings.Contains(loc(t, ctx), "/debrief") && attr(t, ctx, "#run-step", "data-kind") == academy.StepDialogue; i++ {
		if i > len(sc.Steps) {
			t.Fatalf("%s: the conversation does not end", p.Slug)
		}
		st := sc.Step(attr(t, ctx, "#run-step", "data-step"))
		if st == nil {
			t.Fatalf("%s: the page shows a step the scenario lacks", p.Slug)
		}
		if st.Reply != nil {
			say, ok := p.Replies[st.ID]
			if !ok {
				t.Fatalf("%s: no reply scripted for step %s", p.Slug, st.ID)
			}
			// A script that misses a required phrase would only show up
			// as a lower score; name the phrase here instead.
			if ok, problems, _ := academy.ReplyFeedback(st.Reply, sc.Synonyms, say); !ok {
				t.Fatalf("%s: the scripted reply at %s would not pass: %s", p.Slug, st.ID, strings.Join(problems, "; "))
			}
			newPage(t, ctx, "reply at "+st.ID, chromedp.SendKeys("#reply", say), chromedp.Click("#send-reply"))
			continue
		}
		// By its words: the run shows the choices in an order of its own.
		best := bestChoice(st).Text
		newPage(t, ctx, "choose at "+st.ID, chromedp.Evaluate[chromedp.Void](
			`[...document.querySelectorAll(".choice-button")].find(b => b.textContent.trim() === `+strconv.Quote(best)+`).click()`))
	}
}

// bestChoice is the choice of st with the highest total score.
func bestChoice(st *academy.Step) academy.Choice {
	best, score := 0, -100
	for j, c := range st.Choices {
		sum := 0
		for _, v := range c.Scores {
			sum += v
		}
		if sum > score {
			best, score = j, sum
		}
	}
	return st.Choices[best]
}

// playDesk does the play's desk steps on the sandbox desk at url.
func playDesk(t *testing.T, ctx context.Context, url string, p scenarioPlay) {
	t.Helper()
	var open, typ string
	var offset time.Duration
	for _, s := range p.Desk {
		switch {
		case s.Ticket != nil:
			in := s.Ticket
			step(t, ctx, "new "+in.Type+" ticket", chromedp.Navigate(url+"/new"), chromedp.WaitVisible("#ticket-form"),
				chromedp.SetValue("#t-type", in.Type), chromedp.SetValue("#t-resident", in.Resident),
				chromedp.SendKeys("#t-title", in.Title), chromedp.SendKeys("#t-desc", in.Description),
				chromedp.SetValue("#t-channel", in.Channel), chromedp.SetValue("#t-prio", in.Priority))
			newPage(t, ctx, "create "+in.Type+" ticket", chromedp.Click("#create-ticket"))
			step(t, ctx, "the new ticket", chromedp.WaitVisible("#ticket-state"))
			open, typ = loc(t, ctx), in.Type
		case s.Clock > 0:
			step(t, ctx, "the sandbox clock", chromedp.Navigate(url), chromedp.WaitVisible(".sandbox-tools"))
			newPage(t, ctx, fmt.Sprintf("advance %d minutes", s.Clock),
				chromedp.Click(fmt.Sprintf(`.sandbox-tools button[name="minutes"][value="%d"]`, s.Clock)))
			offset += time.Duration(s.Clock) * time.Minute
		default:
			if open == "" {
				t.Fatalf("%s: %s before any ticket", p.Slug, s.Action)
			}
			if loc(t, ctx) != open {
				step(t, ctx, "open the ticket", chromedp.Navigate(open), chromedp.WaitVisible("#ticket-state"))
			}
			deskAct(t, ctx, typ, s, time.Now().Add(offset))
		}
	}
}

// deskAct performs one action on the open ticket through its form: a
// transition's form in the actions panel, or the note/message box.
func deskAct(t *testing.T, ctx context.Context, typ string, s deskStep, now time.Time) {
	t.Helper()
	if s.Action == academy.ActionNote || s.Action == academy.ActionMessage {
		newPage(t, ctx, s.Action, chromedp.SendKeys("#f-text", s.Fields["text"]),
			chromedp.Click(`button[name="action"][value="`+s.Action+`"]`))
		return
	}
	def := academy.ProcedureOf(typ).Transition(s.Action)
	if def == nil {
		t.Fatalf("%s is not an action of a %s ticket", s.Action, typ)
	}
	steps := []chromedp.Action[chromedp.Void]{chromedp.Click("#do-" + s.Action), chromedp.WaitVisible("#submit-" + s.Action)}
	for _, f := range def.Fields {
		v, ok := s.Fields[f.Name]
		if !ok {
			continue
		}
		sel := "#do-" + s.Action + " ~ form #f-" + f.Name
		switch f.Kind {
		case academy.FieldText:
			steps = append(steps, chromedp.SendKeys(sel, v))
		case academy.FieldTime:
			at, err := deskTime(v, now)
			if err != nil {
				t.Fatal(err)
			}
			steps = append(steps, chromedp.SetValue(sel, at))
		default:
			steps = append(steps, chromedp.SetValue(sel, v))
		}
	}
	for name := range s.Fields {
		if !slices.ContainsFunc(def.Fields, func(f academy.FieldDef) bool { return f.Name == name }) {
			t.Fatalf("%s has no field %s", s.Action, name)
		}
	}
	newPage(t, ctx, s.Action, append(steps, chromedp.Click("#submit-"+s.Action))...)
}

// newPage runs actions that submit a form and waits until the page they
// lead to has loaded; a page that comes back with an error fails the test
// with the error's text.
func newPage(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	// The marker lives on the old page's window only, so its absence
	// means the browser has moved on.
	step(t, ctx, what, append([]chromedp.Action[chromedp.Void]{chromedp.Evaluate[chromedp.Void]("window.__oldPage = true, null")}, actions...)...)
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	for {
		// A navigation interrupts the poll; poll the new page again.
		_, err := chromedp.Run(sctx, chromedp.Poll[bool](`!window.__oldPage && document.readyState === "complete"`))
		if err == nil {
			break
		}
		if sctx.Err() != nil {
			t.Fatalf("%s: the page did not change: %v", what, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	msg, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector(".alert, .error-page") || {}).textContent || ""`))
	if err != nil {
		t.Fatal(err)
	}
	if msg = strings.TrimSpace(msg); msg != "" {
		screenshot(t, ctx, "refused")
		t.Fatalf("%s: %s", what, msg)
	}
}

func attr(t *testing.T, ctx context.Context, sel, name string) string {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(sctx, chromedp.AttributeValue(sel, name))
	if err != nil {
		t.Fatalf("%s of %s: %v", name, sel, err)
	}
	return v.Value
}

// passedDebrief fails the test unless the debrief says passed with
// nothing missed.
func passedDebrief(t *testing.T, slug, debrief string) {
	t.Helper()
	if !strings.Contains(debrief, "✓ 通过") || strings.Contains(debrief, "没做到的地方") {
		t.Fatalf("%s debrief:\n%s", slug, debrief)
	}
}
