package http_test

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/notify"
)

// digests lists what username has in the app of kind k, oldest first.
func (r *reminders) digests(username string, k notify.Kind) []notify.Notification {
	r.e.t.Helper()
	list, _, _, err := r.store.Notifications(context.Background(), username, 0, 100)
	if err != nil {
		r.e.t.Fatal(err)
	}
	var out []notify.Notification
	for _, n := range slices.Backward(list) {
		if n.Kind == k {
			out = append(out, n)
		}
	}
	return out
}

// person makes an account with a display name (what digests show) on one
// site.
func (e *env) person(username, name, role, site string, lang string, hired academy.Date) *academy.User {
	e.t.Helper()
	u := &academy.User{Username: username, DisplayName: name, LegalName: name, Roles: []string{role}, Sites: []string{site}, Lang: lang, HireDate: hired}
	if err := e.accounts.CreateUser(context.Background(), academy.Actor{}, u, testPassword); err != nil {
		e.t.Fatal(err)
	}
	return u
}

// A manager hears each morning, at nine in their own zone, of their own
// sites: who is overdue (the program by the days after hire, assigned
// work past due), whose certificate runs out soon, which escalated
// tickets are still open; once a day however many scans run, nothing on
// a quiet day, and nothing of another site.
func TestManagerDigest(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.deps.Desk.Now = e.clock.Now
	london, _ := time.LoadLocation("Europe/London")
	if err := e.accounts.Sites.CreateSite(ctx, &academy.Site{ID: "uk", Name: "伦敦项目", TZ: "Europe/London"}); err != nil {
		t.Fatal(err)
	}
	smith := e.person("smith", "John Smith", academy.RoleManager, "uk", academy.LangEN, "")
	r := newReminders(e)
	// Quiet days: nothing overdue, expiring or escalated anywhere.
	today := e.clock.Now().In(beijing)
	day := time.Date(today.Year(), today.Month(), today.Day()+1, 0, 0, 0, 0, beijing)
	e.advanceTo(day)
	r.scan()
	for _, who := range []string{"manager", smith.ID, "othermanager"} {
		if got := r.digests(who, notify.KindManagerDigest); len(got) != 0 {
			t.Fatalf("%s had a digest of quiet days: %+v", who, got)
		}
	}

	// On s1: Wang was hired 40 days ago and holds no certificate; Zhao's
	// assigned course was due two days ago; Li's certificate runs out in
	// 20 days; an urgent repair went past its time and was escalated.
	before := func(days int, loc *time.Location) academy.Date { return academy.DateOf(day.AddDate(0, 0, -days), loc) }
	e.person("wang", "王小明", academy.RoleTrainee, "s1", "", before(40, beijing))
	e.person("zhao", "赵小红", academy.RoleTrainee, "s1", "", "")
	li := e.person("li", "李四", academy.RoleTrainee, "s1", "", "")
	e.person("jones", "Tom Jones", academy.RoleTrainee, "uk", "", before(40, london))
	if err := e.deps.Assignments.CreateAssignment(ctx, &academy.Assignment{ID: "late", Kind: academy.AssignCourse, Ref: "ethics",
		Target: academy.AssignTarget{People: []string{"zhao"}}, Due: academy.AssignDue{Date: before(2, beijing)}, CreatedBy: "manager", CreatedAt: day.AddDate(0, 0, -10)}); err != nil {
		t.Fatal(err)
	}
	desk := e.deps.Catalog.Snapshot().Programs["desk"]
	cert := &academy.Certificate{Number: academy.NewCertificateNumber(), Username: li.ID, Holder: li.LegalName, Program: desk.Slug, ProgramName: desk.Name,
		Seq: 1, IssuedAt: day.AddDate(-1, 0, 20), ExpiresAt: day.AddDate(0, 0, 20)}
	if err := e.deps.Certifier.Certs.ClaimCertificate(ctx, cert); err != nil {
		t.Fatal(err)
	}
	var tk apiTicket
	e.api("POST", "/api/v1/workspaces/s1/tickets", "agent", map[string]any{"type": "repair", "title": "电梯困人", "resident": "r1", "priority": "urgent"}).json(t, &tk)
	e.clock.Advance(2 * time.Hour)
	if done, err := e.deps.Desk.Escalate(ctx); err != nil || len(done) != 1 {
		t.Fatalf("escalate: %d tickets, %v", len(done), err)
	}
	r.scan()

	// 09:00 in Beijing is 01:00 or 02:00 in London: the manager of s1
	// hears, Smith not yet.
	e.advanceTo(time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 30, 0, beijing))
	r.scan()
	got := r.digests("manager", notify.KindManagerDigest)
	if len(got) != 1 {
		t.Fatalf("manager at 09:00 Beijing: %d digests", len(got))
	}
	if want := "每日摘要：逾期 2 人，证书将到期 1 张，升级工单 1 张"; got[0].Subject != want {
		t.Errorf("subject %q, want %q", got[0].Subject, want)
	}
	want := strings.Join([]string{
		"【项目s1】",
		"· 逾期 2 人：王小明（客服上岗认证）、赵小红（职业道德与服务意识）",
		"· 30 天内到期的证书 1 张：李四“客服上岗认证”" + cert.ExpiresAt.In(beijing).Format(time.DateOnly) + " 到期",
		"· 团队看板：http://academy.test/team?site=s1",
		"· 升级后仍未办结的工单 1 张：",
		"  " + tk.Number + "“电梯困人” http://academy.test/desk/s1/tickets/" + tk.ID,
	}, "\n")
	if got[0].Text != want || got[0].Link != "/team" {
		t.Errorf("manager's digest:\n%s\n(link %s)\nwant:\n%s", got[0].Text, got[0].Link, want)
	}
	if got := r.digests(smith.ID, notify.KindManagerDigest); len(got) != 0 {
		t.Fatalf("Smith at night in London: %+v", got)
	}

	// 09:00 in London: Smith hears of his site alone, in English.
	e.advanceTo(time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 30, 0, london))
	r.scan()
	e.clock.Advance(30 * time.Minute)
	r.scan()
	en := r.digests(smith.ID, notify.KindManagerDigest)
	if len(en) != 1 {
		t.Fatalf("Smith at 09:00 London: %d digests", len(en))
	}
	if want := "Daily digest: 1 overdue, 0 certificates expiring, 0 escalated tickets"; en[0].Subject != want {
		t.Errorf("Smith's subject %q, want %q", en[0].Subject, want)
	}
	if want := "[伦敦项目]\n· 1 person overdue: Tom Jones (客服上岗认证)\n· Team board: http://academy.test/team?site=uk"; en[0].Text != want {
		t.Errorf("Smith's digest:\n%s\nwant:\n%s", en[0].Text, want)
	}
	if got := r.digests("manager", notify.KindManagerDigest); len(got) != 1 {
		t.Errorf("manager heard %d digests on one day", len(got))
	}
	if got := r.digests("othermanager", notify.KindManagerDigest); len(got) != 0 {
		t.Errorf("the manager of a quiet site heard: %+v", got)
	}
	if got := r.digests("agent", notify.KindManagerDigest); len(got) != 0 {
		t.Errorf("an agent heard a manager's digest: %+v", got)
	}
}

// A trainer hears on Monday morning, once a week, of what their home
// lists: the questions item analysis flags (every quiz's, as every
// trainer's home lists them) and the failed runs of their sites' people
// waiting for feedback. A trainer of another site hears nothing of
// those runs; a quiet week brings nothing.
func TestTrainerDigest(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.deps.Coach.Now, e.deps.Examiner.Now = e.clock.Now, e.clock.Now
	e.person("othertrainer", "Ann Lee", academy.RoleTrainer, "s2", academy.LangEN, "")
	r := newReminders(e)
	today := e.clock.Now().In(beijing)
	monday := time.Date(today.Year(), today.Month(), today.Day()+1+(8-int(today.Weekday()))%7, 9, 0, 30, 0, beijing)
	week := func(n int) time.Time { return monday.AddDate(0, 0, 7*n) }
	e.advanceTo(week(0).Add(-time.Hour))
	r.scan()
	e.advanceTo(week(0))
	r.scan()
	for _, who := range []string{"trainer", "othertrainer"} {
		if got := r.digests(who, notify.KindTrainerDigest); len(got) != 0 {
			t.Fatalf("%s had a digest of a quiet week: %+v", who, got)
		}
	}

	// Midweek a learner of s1 fails a run: the next Monday its trainer
	// hears of it, the trainer of s2 nothing.
	e.advanceTo(week(0).AddDate(0, 0, 3))
	e.person("xiaowang", "王小明", academy.RoleTrainee, "s1", "", "")
	e.tokens["xiaowang"] = e.login("xiaowang", testPassword)
	bad := playLeak(t, e, "xiaowang", []string{"dispatch", "start", "complete"})
	if bad.Passed {
		t.Fatal("the short run passed")
	}
	run := "  王小明“楼上漏水：卫生间天花板滴水”" + strconv.FormatFloat(math.Round(bad.Percent), 'f', 0, 64) + "%，" +
		e.clock.Now().In(beijing).Format(time.DateOnly) + " http://academy.test/runs/" + bad.ID + "/debrief"
	e.advanceTo(week(1))
	r.scan()
	got := r.digests("trainer", notify.KindTrainerDigest)
	if len(got) != 1 || got[0].Subject != "每周摘要：0 道题需复查，1 次演练待点评" || got[0].Text != "待点评的情景演练 1 次（近 14 天未通过）：\n【项目s1】\n"+run {
		t.Fatalf("trainer's digest with a run:\n%+v\nwant the run:\n%s", got, run)
	}
	if got := r.digests("othertrainer", notify.KindTrainerDigest); len(got) != 0 {
		t.Fatalf("the trainer of s2 heard of a run on s1: %+v", got)
	}

	// Five blank submissions make every question of a quiz too hard: the
	// Monday after, both trainers hear of them, only s1's of the run.
	for i := range 5 {
		name := fmt.Sprintf("learner%d", i)
		e.createUser(name, []string{academy.RoleTrainee}, []string{"s1"})
		e.tokens[name] = e.login(name, testPassword)
		e.finishCourses(name, "etiquette")
		var a struct{ ID string }
		e.api("POST", "/api/v1/quizzes/etiquette/attempts", name, nil).json(t, &a)
		if res := e.api("POST", "/api/v1/attempts/"+a.ID+"/submit", name, nil); res.StatusCode != 200 {
			t.Fatalf("submit: %d %s", res.StatusCode, res.Body)
		}
	}
	e.advanceTo(week(2))
	r.scan()
	flagged, err := e.srv.FlaggedQuestions(ctx)
	if err != nil || len(flagged) == 0 {
		t.Fatalf("flagged questions: %d, %v", len(flagged), err)
	}
	e.advanceTo(week(2).Add(24 * time.Hour)) // Tuesday adds nothing
	r.scan()
	got = r.digests("trainer", notify.KindTrainerDigest)
	if len(got) != 2 {
		t.Fatalf("trainer heard %d digests in three weeks, want 2", len(got))
	}
	first := "  服务礼仪 · 单元测验：“" + flagged[0].Prompt + "”过难，答对率 0%（5 份答卷） http://academy.test" + flagged[0].Path
	if want := fmt.Sprintf("每周摘要：%d 道题需复查，1 次演练待点评", len(flagged)); got[1].Subject != want {
		t.Errorf("subject %q, want %q", got[1].Subject, want)
	}
	lines := strings.Split(got[1].Text, "\n")
	if lines[0] != fmt.Sprintf("题目分析标记的题目 %d 道：", len(flagged)) || lines[1] != first || !strings.HasSuffix(got[1].Text, "【项目s1】\n"+run) {
		t.Errorf("trainer's digest:\n%s\nwant the flagged questions from:\n%s\nand the run", got[1].Text, first)
	}
	other := r.digests("othertrainer", notify.KindTrainerDigest)
	firstEN := "  服务礼仪 · 单元测验: “" + flagged[0].Prompt + "” too hard, answered right 0% of the time (5 attempts) http://academy.test" + flagged[0].Path
	if len(other) != 1 || other[0].Subject != fmt.Sprintf("Weekly digest: %d questions to review, 0 runs awaiting feedback", len(flagged)) ||
		!strings.HasPrefix(other[0].Text, fmt.Sprintf("%d questions flagged by item analysis:\n", len(flagged))+firstEN+"\n") ||
		strings.Contains(other[0].Text, "scenario") || strings.Contains(other[0].Text, bad.ID) {
		t.Errorf("the trainer of s2 heard: %+v", other)
	}
	// Questions are named by their words; their ids are in links alone.
	if words := regexp.MustCompile(`http://\S+`).ReplaceAllString(got[1].Text, ""); strings.Contains(words, "eti-") {
		t.Errorf("a question's id reached the digest's words: %s", words)
	}
}
