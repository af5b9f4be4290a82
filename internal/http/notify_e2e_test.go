package http_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/mail"
	"github.com/academy/academy/internal/mail/mailtest"
	"github.com/academy/academy/internal/notify"
	"github.com/academy/academy/internal/notify/channels"
	"github.com/academy/academy/internal/robot/robottest"
)

// The notifications end to end: the simulated clock moves, the server's
// loops (the desk's escalation sweep, the scheduler's scan, the relay)
// run at each step as they do in cmd/academy, and the tests read what a
// real SMTP server (Mailpit) and the group robots' stand-ins received.

// outside is the env's notifications wired to the real channels: e-mail
// through Mailpit, robots through channels.New's robot client.
type outside struct {
	*reminders
	mail        *mailtest.Server
	escalations *notify.Escalations
	sent        int // e-mails the relay had sent at the last step
	seen        int // messages read from Mailpit so far
}

// arrival is an e-mail with the clock's time at the step it arrived in.
type arrival struct {
	at time.Time
	mailtest.Message
}

func newOutside(e *env) *outside {
	e.t.Helper()
	mp := mailtest.Start(e.t)
	sender, err := mail.New("smtp://"+mp.Addr+"?tls=none&from="+url.QueryEscape("物业客服学院 <academy@example.com>"), "")
	if err != nil {
		e.t.Fatal(err)
	}
	e.deps.Desk.Now = e.clock.Now
	r := newReminders(e)
	r.relay.Service.Email = true
	r.relay.Channels = channels.New(sender, e.deps.PublicURL)
	return &outside{reminders: r, mail: mp,
		escalations: &notify.Escalations{Service: r.relay.Service, Tickets: e.deps.Desk.Live, Accounts: e.accounts, Within: time.Hour}}
}

// step runs the server's loops once at the clock's time and returns the
// e-mails that arrived meanwhile.
func (o *outside) step() []arrival {
	o.e.t.Helper()
	ctx := context.Background()
	if _, err := o.e.deps.Desk.Escalate(ctx); err != nil {
		o.e.t.Fatal(err)
	}
	if _, err := o.escalations.Notify(ctx); err != nil {
		o.e.t.Fatal(err)
	}
	o.scan()
	// Mailpit is read only when the relay says it sent something.
	n := o.relay.Counts()[notify.ChannelEmail].Sent
	if n == o.sent {
		return nil
	}
	o.sent = n
	all := o.mail.Messages(o.e.t)
	var out []arrival
	for _, m := range all[o.seen:] {
		out = append(out, arrival{at: o.e.clock.Now(), Message: m})
	}
	o.seen = len(all)
	return out
}

// learner creates a trainee with an e-mail address who chose e-mail for
// every kind in their preferences, with quiet hours from quiet[0] to
// quiet[1] if given.
func (e *env) learner(name, legal, lang, site, email string, quiet ...int) *academy.User {
	e.t.Helper()
	return e.mailReader(name, legal, lang, academy.RoleTrainee, []string{site}, email, quiet...)
}

// mailReader creates a person with role on sites, as learner does.
func (e *env) mailReader(name, legal, lang, role string, sites []string, email string, quiet ...int) *academy.User {
	e.t.Helper()
	u := &academy.User{Username: name, LegalName: legal, Roles: []string{role}, Sites: sites, Lang: lang, Email: email}
	if err := e.accounts.CreateUser(context.Background(), academy.Actor{}, u, testPassword); err != nil {
		e.t.Fatal(err)
	}
	e.tokens[name] = e.login(name, testPassword)
	prefs := map[string]any{"kinds": notify.Kinds(), "email": true}
	if len(quiet) == 2 {
		prefs["quiet_from"], prefs["quiet_to"] = quiet[0], quiet[1]
	}
	if res := e.api("PUT", "/api/v1/me/notification-preferences", name, prefs); res.StatusCode != 200 {
		e.t.Fatalf("preferences of %s: %d %s", name, res.StatusCode, res.Body)
	}
	return u
}

// twoLearners makes the learners of the e-mail tests: wang, in Chinese
// on s1 in Beijing, and smith, in English on a site in London with the
// quiet hours given; it returns their addresses' zones.
func (e *env) twoLearners(smithQuiet ...int) map[string]*time.Location {
	e.t.Helper()
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.accounts.Sites.CreateSite(context.Background(), &academy.Site{ID: "uk", Name: "伦敦项目", TZ: london.String()}); err != nil {
		e.t.Fatal(err)
	}
	e.learner("wang", "王芳", academy.LangZH, "s1", "wang.fang@example.com")
	e.learner("smith", "John Smith", academy.LangEN, "uk", "john.smith@example.com", smithQuiet...)
	return map[string]*time.Location{"wang.fang@example.com": beijing, "john.smith@example.com": london}
}

// mailLine is an e-mail in one line: when it arrived (in the recipient's
// zone), to whom, its subject and its plain text.
func mailLine(at time.Time, loc *time.Location, to, subject, text string) string {
	return fmt.Sprintf("%s %s | %s | %s", at.In(loc).Format("2006-01-02 15:04"), to, subject, text)
}

// lines are the arrivals as mailLine, each in its recipient's zone, in
// the order of their time and recipient; it checks what every e-mail
// carries whatever its kind.
func lines(t *testing.T, got []arrival, zones map[string]*time.Location) []string {
	t.Helper()
	var out []string
	for _, m := range got {
		if m.From.Address != "academy@example.com" || m.From.Name != "物业客服学院" || len(m.To) != 1 {
			t.Errorf("from %+v to %+v", m.From, m.To)
			continue
		}
		if !strings.HasPrefix(strings.Join(m.Headers["Content-Type"], ""), "multipart/alternative") || !strings.Contains(m.HTML, `<a href="http://academy.test/`) {
			t.Errorf("%s: want a plain and an HTML part with the link, got HTML %q", m.Subject, m.HTML)
		}
		text := strings.ReplaceAll(strings.TrimSpace(m.Text), "\r\n", "\n")
		out = append(out, mailLine(m.at, zones[m.To[0].Address], m.To[0].Address, m.Subject, strings.ReplaceAll(text, "\n", "⏎")))
	}
	slices.Sort(out)
	return out
}

// An assignment's life as two learners' mailboxes see it: a Chinese one
// in Beijing and an English one in London, who keeps 07:00-10:00 free of
// e-mail. Each hears of the assignment at once, then at nine in the
// morning of their own zone (the Londoner at ten, when the quiet hours
// end) three days before, on the day and the day after, once each, in
// their own language, with the due time in their own zone.
func TestNotifyE2EAssignment(t *testing.T) {
	started := time.Now()
	e := newEnv(t)
	zones := e.twoLearners(7, 10)
	london := zones["john.smith@example.com"]
	o := newOutside(e)
	o.step() // the first scan looks back over the last days: nothing was due

	// 08:01 in Beijing tomorrow (00:01 or 01:01 in London); steps of an
	// hour from there meet nine o'clock in both zones.
	now := e.clock.Now().In(beijing)
	start := time.Date(now.Year(), now.Month(), now.Day()+1, 8, 1, 0, 0, beijing)
	e.advanceTo(start)
	o.step()
	due := academy.DateOf(start.AddDate(0, 0, 5), beijing)
	e.assign("admin", map[string]any{"kind": "course", "ref": "ethics", "target": map[string]any{"people": []string{"wang", "smith"}}, "due": map[string]any{"date": due}})
	var got []arrival
	end := time.Date(start.Year(), start.Month(), start.Day()+6, 12, 0, 0, 0, london)
	for at := start; !at.After(end); at = at.Add(time.Hour) {
		e.advanceTo(at)
		got = append(got, o.step()...)
	}

	title := e.deps.Catalog.Title(academy.AssignCourse, "ethics")
	day := func(d int, hour int, loc *time.Location) time.Time {
		dd := due.Start(loc)
		return time.Date(dd.Year(), dd.Month(), dd.Day()+d, hour, 1, 0, 0, loc)
	}
	dueAt := string(due) + " 23:59"
	const home = "⏎⏎http://academy.test/home"
	want := []string{
		mailLine(start, beijing, "wang.fang@example.com", "新的学习任务："+title, "你有一项新的学习任务“"+title+"”。请在 "+dueAt+" 前完成。⏎⏎http://academy.test/courses/ethics"),
		mailLine(start, london, "john.smith@example.com", "New assignment: "+title, "You have a new assignment, “"+title+"”. Please finish it by "+dueAt+".⏎⏎http://academy.test/courses/ethics"),
		mailLine(day(-3, 9, beijing), beijing, "wang.fang@example.com", "三天内到期："+title, "学习任务“"+title+"”将于 "+dueAt+" 到期。"+home),
		mailLine(day(-3, 10, london), london, "john.smith@example.com", "Due in 3 days: "+title, "Your assignment “"+title+"” is due "+dueAt+"."+home),
		mailLine(day(0, 9, beijing), beijing, "wang.fang@example.com", "今天到期："+title, "学习任务“"+title+"”今天（"+dueAt+"）到期。"+home),
		mailLine(day(0, 10, london), london, "john.smith@example.com", "Due today: "+title, "Your assignment “"+title+"” is due today ("+dueAt+")."+home),
		mailLine(day(1, 9, beijing), beijing, "wang.fang@example.com", "已逾期："+title, "学习任务“"+title+"”已于 "+dueAt+" 到期，请尽快完成。"+home),
		mailLine(day(1, 10, london), london, "john.smith@example.com", "Overdue: "+title, "Your assignment “"+title+"” was due "+dueAt+"; please finish it soon."+home),
	}
	slices.Sort(want)
	if g := lines(t, got, zones); strings.Join(g, "\n") != strings.Join(want, "\n") {
		t.Fatalf("arrived:\n%s\nwant:\n%s", strings.Join(g, "\n"), strings.Join(want, "\n"))
	}
	// The scan and the relay again, now and two days on: nothing more.
	o.step()
	e.clock.Advance(48 * time.Hour)
	if again := o.step(); len(again) != 0 {
		t.Fatalf("sent again: %q", lines(t, again, zones))
	}
	t.Logf("an assignment's life in %d hourly steps: %v", int(end.Sub(start)/time.Hour)+1, time.Since(started).Round(time.Millisecond))
}

// A certificate's expiry as its holders' mailboxes see it: 30 and 7 days
// before, at nine in the morning of each holder's zone, once each, in
// their language, with the expiry time in their zone.
func TestNotifyE2ECertificate(t *testing.T) {
	started := time.Now()
	e := newEnv(t)
	zones := e.twoLearners()
	certs := map[string]*academy.Certificate{"wang.fang@example.com": e.certify("wang"), "john.smith@example.com": e.certify("smith")}
	o := newOutside(e)
	o.step()

	// Day by day at 10:01 UTC (18:01 in Beijing, 10:01 or 11:01 in
	// London, both after nine), from 32 days before the expiry to 5 days
	// before; the scan looks back over the whole day at each step.
	expires := certs["wang.fang@example.com"].ExpiresAt.UTC()
	first := time.Date(expires.Year(), expires.Month(), expires.Day()-32, 10, 1, 0, 0, time.UTC)
	var got []arrival
	steps := 0
	for at := first; at.Before(expires.AddDate(0, 0, -5)); at = at.AddDate(0, 0, 1) {
		e.advanceTo(at)
		got = append(got, o.step()...)
		steps++
	}
	// Each arrives at the first step after nine o'clock on its day.
	arrived := func(who string, before int) time.Time {
		exp := certs[who].ExpiresAt.In(zones[who])
		nine := time.Date(exp.Year(), exp.Month(), exp.Day()-before, 9, 0, 0, 0, zones[who])
		at := first
		for at.Before(nine) {
			at = at.AddDate(0, 0, 1)
		}
		return at
	}
	title := e.deps.Catalog.Snapshot().Programs["desk"].Name
	var want []string
	for _, who := range []string{"wang.fang@example.com", "john.smith@example.com"} {
		loc := zones[who]
		exp := certs[who].ExpiresAt.In(loc).Format("2006-01-02 15:04")
		if loc == beijing {
			want = append(want,
				mailLine(arrived(who, 30), loc, who, "证书将在 30 天内到期："+title, "你的证书“"+title+"”将于 "+exp+" 到期。⏎⏎http://academy.test/home"),
				mailLine(arrived(who, 7), loc, who, "证书将在 7 天内到期："+title, "你的证书“"+title+"”将于 "+exp+" 到期，请尽快复训。⏎⏎http://academy.test/home"))
			continue
		}
		want = append(want,
			mailLine(arrived(who, 30), loc, who, "Certificate expiring in 30 days: "+title, "Your certificate “"+title+"” expires "+exp+".⏎⏎http://academy.test/home"),
			mailLine(arrived(who, 7), loc, who, "Certificate expiring in 7 days: "+title, "Your certificate “"+title+"” expires "+exp+"; please take the refresher soon.⏎⏎http://academy.test/home"))
	}
	slices.Sort(want)
	if g := lines(t, got, zones); strings.Join(g, "\n") != strings.Join(want, "\n") {
		t.Fatalf("arrived:\n%s\nwant:\n%s", strings.Join(g, "\n"), strings.Join(want, "\n"))
	}
	if again := o.step(); len(again) != 0 {
		t.Fatalf("sent again: %q", lines(t, again, zones))
	}
	t.Logf("a certificate's expiry in %d daily steps: %v", steps, time.Since(started).Round(time.Millisecond))
}

// A live ticket left alone, as the sites' group robots see it: three
// sites, with a 钉钉 robot (signed), a 飞书 robot (signed, not taking
// escalations) and a 企业微信 robot, each set through the API by the
// site's manager. A ticket's half, four fifths and breach of each clock,
// and its escalation where the robot takes it, reach its own site's robot
// once each, in that platform's markdown; the other robots get nothing.
func TestNotifyE2ERobots(t *testing.T) {
	started := time.Now()
	e := newEnv(t)
	ctx := context.Background()
	if err := e.accounts.Sites.CreateSite(ctx, &academy.Site{ID: "s3", Name: "项目s3"}); err != nil {
		t.Fatal(err)
	}
	dir, err := e.deps.Desk.Live.FindDirectory(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct{ name, role, site string }{{"manager3", academy.RoleManager, "s3"}, {"agent2", academy.RoleAgent, "s2"}, {"agent3", academy.RoleAgent, "s3"}} {
		e.createUser(p.name, []string{p.role}, []string{p.site})
		e.tokens[p.name] = e.login(p.name, testPassword)
		if p.role == academy.RoleAgent {
			if err := e.deps.Desk.Live.SaveDirectory(ctx, p.site, dir); err != nil {
				t.Fatal(err)
			}
		}
	}
	sla := []notify.Kind{notify.KindSLA50, notify.KindSLA80, notify.KindSLABreach}
	robots := map[string]*robottest.Robot{"s1": robottest.NewDingTalk(t, "SECe2e-dingtalk"), "s2": robottest.NewFeishu(t, "e2e-feishu"), "s3": robottest.NewWeCom(t)}
	for site, who := range map[string]string{"s1": "manager", "s2": "othermanager", "s3": "manager3"} {
		r := robots[site]
		kinds := append(slices.Clone(sla), notify.KindEscalated)
		if r.Platform == robottest.Feishu {
			kinds = sla
		}
		if res := e.api("PUT", "/api/v1/sites/"+site+"/robot", who, map[string]any{"robot": r.Platform, "url": r.URL, "secret": r.Secret, "kinds": kinds}); res.StatusCode != 200 {
			t.Fatalf("robot of %s: %d %s", site, res.StatusCode, res.Body)
		}
	}
	o := newOutside(e)
	o.step()

	// An urgent repair: respond within 15 minutes, resolve within 4 hours;
	// nobody touches it. Steps of two minutes through its first half hour,
	// then of ten minutes until past the resolution's breach.
	live := func(site, agent string) {
		before := map[string]int{}
		for s, r := range robots {
			before[s] = len(r.Posts())
		}
		var tk apiTicket
		res := e.api("POST", "/api/v1/workspaces/"+site+"/tickets", agent, map[string]any{"type": "repair", "title": "电梯困人", "resident": "r1", "priority": "urgent"})
		if res.StatusCode != 201 {
			t.Fatalf("ticket on %s: %d %s", site, res.StatusCode, res.Body)
		}
		res.json(t, &tk)
		for d := time.Duration(0); d <= 4*time.Hour+10*time.Minute; {
			step := 10 * time.Minute
			if d < 30*time.Minute {
				step = 2 * time.Minute
			}
			e.clock.Advance(step)
			d += step
			o.step()
		}
		// The posts this ticket made, in the order they came, as
		// "kind: title | text"; the robots' platforms differ in where the
		// title goes.
		link := "http://academy.test/desk/" + site + "/tickets/" + tk.ID
		subjects := map[string]notify.Kind{
			"工单时限过半：" + tk.Number: notify.KindSLA50, "工单即将超时：" + tk.Number: notify.KindSLA80,
			"工单已超时：" + tk.Number: notify.KindSLABreach, "工单已升级：" + tk.Number + " 电梯困人": notify.KindEscalated,
		}
		for s, r := range robots {
			var got []string
			for _, p := range r.Posts()[before[s]:] {
				title, text := p.Title, p.Text
				switch r.Platform {
				case robottest.WeCom:
					title, text, _ = strings.Cut(strings.TrimPrefix(text, "## "), "\n")
				case robottest.DingTalk:
					var heading string
					heading, text, _ = strings.Cut(text, "\n")
					if heading != "#### "+title {
						t.Errorf("%s: the text does not start with the title as a heading: %q", r.Platform, p.Text)
					}
				}
				kind, ok := subjects[title]
				if !ok {
					got = append(got, "?: "+title)
					continue
				}
				if !strings.Contains(text, "项目"+site+" 的工单 "+tk.Number+"“电梯困人”") || !strings.HasSuffix(text, "\n\n"+link) {
					t.Errorf("%s %s: text %q, want the site, the ticket and the link %s", r.Platform, kind, text, link)
				}
				clock := "首次响应时限"
				if strings.Contains(text, "处理时限") {
					clock = "处理时限"
				}
				if kind == notify.KindEscalated {
					clock = ""
				}
				got = append(got, string(kind)+" "+clock)
			}
			var want []string
			if s == site {
				want = []string{"sla_50 首次响应时限", "sla_80 首次响应时限", "sla_breach 首次响应时限"}
				if r.Platform != robottest.Feishu {
					want = append(want, "escalated ")
				}
				want = append(want, "sla_50 处理时限", "sla_80 处理时限", "sla_breach 处理时限")
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("ticket on %s: the %s robot of %s got:\n%s\nwant:\n%s", site, r.Platform, s, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		}
		if t.Failed() {
			t.FailNow()
		}
	}
	live("s1", "agent")
	live("s2", "agent2")
	live("s3", "agent3")
	t.Logf("three tickets' lives in two- and ten-minute steps: %v", time.Since(started).Round(time.Millisecond))
}

// A certificate's refresher as its holders' mailboxes and in-app lists
// see it: the program is assigned to recur every 12 months, so its next
// round opens academy.RefreshNotice before the anniversary of each
// certificate. Each holder hears once, at nine in the morning of their
// own zone after the round opened, in their language, with the round's
// due time in their zone; not before and not again the next day.
func TestNotifyE2ERefresher(t *testing.T) {
	started := time.Now()
	e := newEnv(t)
	zones := e.twoLearners()
	certs := map[string]*academy.Certificate{"wang.fang@example.com": e.certify("wang"), "john.smith@example.com": e.certify("smith")}
	users := map[string]string{"wang.fang@example.com": "wang", "john.smith@example.com": "smith"}
	o := newOutside(e)
	o.step()
	// Both hold the certificate: the assignment's first round is done,
	// so it makes no news.
	e.assign("admin", map[string]any{"kind": "program", "ref": "desk", "target": map[string]any{"people": []string{"wang", "smith"}},
		"due": map[string]any{"date": academy.DateOf(e.clock.Now().AddDate(0, 1, 0), beijing)}, "recur_months": 12})
	if got := o.step(); len(got) != 0 {
		t.Fatalf("assigning work already done sent %q", lines(t, got, zones))
	}

	// The rounds open at these instants; each holder hears at the first
	// nine o'clock in their zone at or after theirs.
	opens, heard := map[string]time.Time{}, map[string]time.Time{}
	first := time.Time{}
	for who, c := range certs {
		opens[who] = c.IssuedAt.AddDate(0, 12, 0).Add(-academy.RefreshNotice)
		o := opens[who].In(zones[who])
		nine := time.Date(o.Year(), o.Month(), o.Day(), 9, 0, 0, 0, zones[who])
		if nine.Before(opens[who]) {
			nine = nine.AddDate(0, 0, 1)
		}
		heard[who] = nine.Add(time.Minute) // the step after it
		if first.IsZero() || opens[who].Before(first) {
			first = opens[who]
		}
	}
	// Hourly steps at one minute past the hour, from a day before the
	// first round opens to two days after.
	start := first.Add(-24 * time.Hour).Truncate(time.Hour).Add(time.Minute)
	e.advanceTo(start)
	if got := o.step(); len(got) != 0 {
		t.Fatalf("before the rounds opened: %q", lines(t, got, zones))
	}
	var got []arrival
	steps := 0
	for at := start.Add(time.Hour); at.Before(first.Add(72 * time.Hour)); at = at.Add(time.Hour) {
		e.advanceTo(at)
		got = append(got, o.step()...)
		steps++
	}

	title := e.deps.Catalog.Snapshot().Programs["desk"].Name
	var want []string
	for who, loc := range zones {
		due := certs[who].IssuedAt.AddDate(0, 12, 0).In(loc).Format("2006-01-02 15:04")
		if loc == beijing {
			want = append(want, mailLine(heard[who], loc, who, "需要复训："+title, "请在 "+due+" 前完成复训“"+title+"”。⏎⏎http://academy.test/home"))
			if in := o.inbox(users[who]); len(in) != 1 || in[0] != "refresher_due: 请在 "+due+" 前完成复训“"+title+"”。" {
				t.Errorf("%s's notifications in the app: %q", users[who], in)
			}
			continue
		}
		want = append(want, mailLine(heard[who], loc, who, "Refresher due: "+title, "Please take the refresher “"+title+"” by "+due+".⏎⏎http://academy.test/home"))
		if in := o.inbox(users[who]); len(in) != 1 || in[0] != "refresher_due: Please take the refresher “"+title+"” by "+due+"." {
			t.Errorf("%s's notifications in the app: %q", users[who], in)
		}
	}
	slices.Sort(want)
	if g := lines(t, got, zones); strings.Join(g, "\n") != strings.Join(want, "\n") {
		t.Fatalf("arrived:\n%s\nwant:\n%s", strings.Join(g, "\n"), strings.Join(want, "\n"))
	}
	if again := o.step(); len(again) != 0 {
		t.Fatalf("sent again: %q", lines(t, again, zones))
	}
	t.Logf("two refreshers opening in %d hourly steps: %v", steps, time.Since(started).Round(time.Millisecond))
}

// A ticket's SLA as its readers' mailboxes see it: a Chinese agent on s1
// in Beijing and an English one on a site in London each take an urgent
// repair of their own site (respond within 15 minutes, resolve within 4
// hours, around the clock) and leave it. Each hears once at half, four
// fifths and the breach of each clock, in their language, with the
// clock's due time in their zone. An English manager of both sites reads
// in the company's zone (a person on two sites has no one site's), so
// the London ticket's times reach them in Beijing time; they hear of
// both tickets, and of each one's escalation. s1's other manager (no
// e-mail) hears in the app.
func TestNotifyE2ETicketSLA(t *testing.T) {
	started := time.Now()
	e := newEnv(t)
	ctx := context.Background()
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.accounts.Sites.CreateSite(ctx, &academy.Site{ID: "uk", Name: "伦敦项目", TZ: london.String()}); err != nil {
		t.Fatal(err)
	}
	dir, err := e.deps.Desk.Live.FindDirectory(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.deps.Desk.Live.SaveDirectory(ctx, "uk", dir); err != nil {
		t.Fatal(err)
	}
	// An agent's zone is their site's: the English agent is in London
	// because their site is.
	agents := map[string]struct{ name, site, siteName string }{
		"zhao.min@example.com":    {"zhao", "s1", "项目s1"},
		"sarah.jones@example.com": {"jones", "uk", "伦敦项目"},
	}
	e.mailReader("zhao", "赵敏", academy.LangZH, academy.RoleAgent, []string{"s1"}, "zhao.min@example.com")
	e.mailReader("jones", "Sarah Jones", academy.LangEN, academy.RoleAgent, []string{"uk"}, "sarah.jones@example.com")
	e.mailReader("lee", "Alex Lee", academy.LangEN, academy.RoleManager, []string{"s1", "uk"}, "alex.lee@example.com")
	const regional = "alex.lee@example.com"
	zones := map[string]*time.Location{"zhao.min@example.com": beijing, "sarah.jones@example.com": london, regional: beijing}
	o := newOutside(e)
	o.step()

	// Start on an hour whose next five hours hold no morning (09:00) in
	// anyone's zone: the manager's daily digest would arrive among the
	// marks, as it did whenever the test ran between 20:00 and 01:00 UTC.
	start := e.clock.Now().Truncate(time.Hour).Add(time.Hour)
	for morningWithin(start, 5*time.Hour, zones) {
		start = start.Add(time.Hour)
	}
	e.advanceTo(start)
	o.step()
	type ticket struct {
		apiTicket
		created time.Time
	}
	tickets := map[string]ticket{}
	for who, a := range agents {
		var tk apiTicket
		res := e.api("POST", "/api/v1/workspaces/"+a.site+"/tickets", a.name, map[string]any{"type": "repair", "title": "电梯困人", "resident": "r1", "priority": "urgent"})
		if res.StatusCode != 201 {
			t.Fatalf("ticket on %s: %d %s", a.site, res.StatusCode, res.Body)
		}
		res.json(t, &tk)
		if res := e.transition(a.site, tk.ID, a.name, "assign", tk.Version, map[string]string{"assignee": a.name}); res.StatusCode != 200 {
			t.Fatalf("assign on %s: %d %s", a.site, res.StatusCode, res.Body)
		}
		tickets[who] = ticket{tk, tk.Events[0].At}
	}
	// The marks fall 7½, 12 and 15 minutes and 2 h, 3 h 12 min and 4 h
	// after the start; the steps (3 minutes apart from 1 minute in, then
	// 10 minutes apart from 31 minutes in) fall on none, so each arrives
	// at the step after it.
	var offsets []time.Duration
	for d := time.Minute; d <= 4*time.Hour+20*time.Minute; {
		offsets = append(offsets, d)
		if d < 30*time.Minute {
			d += 3 * time.Minute
		} else {
			d += 10 * time.Minute
		}
	}
	var got []arrival
	for _, d := range offsets {
		e.advanceTo(start.Add(d))
		got = append(got, o.step()...)
	}
	arrived := func(mark time.Duration) time.Time {
		i := slices.IndexFunc(offsets, func(d time.Duration) bool { return d > mark })
		return start.Add(offsets[i])
	}

	type mark struct {
		after                time.Duration // since the start
		clock                string
		due                  time.Duration // the clock's due, since the ticket's creation
		subjectZH, subjectEN string
		textZH, textEN       string // with %[1]s the ticket, %[2]s the site, %[3]s the due time
	}
	var marks []mark
	for _, c := range []struct {
		clock, zh, done, en string
		due                 time.Duration
	}{
		{"first_response", "首次响应时限", "响应", "first-response time", 15 * time.Minute},
		{"resolution", "处理时限", "解决", "resolution time", 4 * time.Hour},
	} {
		marks = append(marks,
			mark{c.due / 2, c.clock, c.due, "工单时限过半：%[1]s", "Half the time used: ticket %[1]s",
				"%[2]s 的工单 %[1]s“电梯困人”" + c.zh + "已用去一半，应在 %[3]s 前" + c.done + "。",
				"Ticket %[1]s “电梯困人” at %[2]s has used half its " + c.en + "; it is due %[3]s."},
			mark{c.due * 4 / 5, c.clock, c.due, "工单即将超时：%[1]s", "Ticket nearly due: %[1]s",
				"%[2]s 的工单 %[1]s“电梯困人”" + c.zh + "已用去 80%%，应在 %[3]s 前" + c.done + "。",
				"Ticket %[1]s “电梯困人” at %[2]s has used 80%% of its " + c.en + "; it is due %[3]s."},
			mark{c.due, c.clock, c.due, "工单已超时：%[1]s", "Ticket overdue: %[1]s",
				"%[2]s 的工单 %[1]s“电梯困人”已超过" + c.zh + "（%[3]s）。",
				"Ticket %[1]s “电梯困人” at %[2]s is past its " + c.en + " (%[3]s)."})
	}
	var want []string
	for who, a := range agents {
		tk := tickets[who]
		link := "⏎⏎http://academy.test/desk/" + a.site + "/tickets/" + tk.ID
		for _, to := range []string{who, regional} {
			loc := zones[to]
			for _, m := range marks {
				due := tk.created.Add(m.due).In(loc).Format("2006-01-02 15:04")
				subject, text := m.subjectZH, m.textZH
				if to != "zhao.min@example.com" {
					subject, text = m.subjectEN, m.textEN
				}
				want = append(want, mailLine(arrived(m.after), loc, to, fmt.Sprintf(subject, tk.Number), fmt.Sprintf(text, tk.Number, a.siteName, due)+link))
			}
		}
		// The response's breach escalates the ticket to the site's managers.
		want = append(want, mailLine(arrived(15*time.Minute), beijing, regional, "Ticket escalated: "+tk.Number+" 电梯困人",
			"Ticket "+tk.Number+" “电梯困人” at "+a.siteName+" has been escalated to you."+link))
	}
	slices.Sort(want)
	if g := lines(t, got, zones); strings.Join(g, "\n") != strings.Join(want, "\n") {
		t.Fatalf("arrived:\n%s\nwant:\n%s", strings.Join(g, "\n"), strings.Join(want, "\n"))
	}
	// s1's manager hears of s1's ticket in the app, not of London's.
	var inApp []string
	for _, n := range o.inbox("manager") {
		if k, _, _ := strings.Cut(n, ":"); k != string(notify.KindEscalated) {
			inApp = append(inApp, k)
		}
		if strings.Contains(n, "伦敦项目") {
			t.Errorf("s1's manager heard of London's ticket: %q", n)
		}
	}
	if g := strings.Join(inApp, " "); g != "sla_50 sla_80 sla_breach sla_50 sla_80 sla_breach" {
		t.Errorf("s1's manager heard %q in the app", g)
	}
	// A day on: no mark again; only the manager's daily digest, which
	// lists the escalated tickets.
	e.clock.Advance(24 * time.Hour)
	for _, m := range o.step() {
		if m.To[0].Address != regional || !strings.HasPrefix(m.Subject, "Daily digest: ") {
			t.Errorf("sent again: %q", lines(t, []arrival{m}, zones))
		}
	}
	t.Logf("two tickets' SLA in %d steps: %v", len(offsets), time.Since(started).Round(time.Millisecond))
}

// morningWithin reports whether 09:00 comes in any of zones within d
// after t, an hour's start (the zones are whole hours from UTC).
func morningWithin(t time.Time, d time.Duration, zones map[string]*time.Location) bool {
	for h := t; !h.After(t.Add(d)); h = h.Add(time.Hour) {
		for _, loc := range zones {
			if h.In(loc).Hour() == 9 {
				return true
			}
		}
	}
	return false
}
