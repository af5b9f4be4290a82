package notify

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/academy/academy/internal/academy"
)

// digestListed bounds each list of a digest; the page it links to has
// the rest.
const digestListed = 10

// digestReads are the reads the morning passes of one scan share: who is
// on the sites (morningBase) and, each made only when someone's digest is
// due, the team dashboards' evidence
// (everyone's record, runs and certificates, as /team reads it: kept by
// the board for its MaxAge, else a handful of scans), each site's open
// tickets (the open list's index on the site) and the flagged questions
// (ItemFlags). What a site's managers hear of is worked out once for
// all of them.
type digestReads struct {
	morning   *morningBase
	ev        *academy.TeamEvidence
	people    map[string][]*academy.User // everyone on a site, by site
	sites     map[string]*siteNews
	flagged   []FlaggedQuestion
	flagsRead bool
}

func (r *digestReads) evidence(ctx context.Context, team *academy.TeamBoard) (*academy.TeamEvidence, error) {
	if r.ev == nil {
		ev, err := team.Evidence(ctx, false)
		if err != nil {
			return nil, err
		}
		r.ev = ev
		r.people, r.sites = map[string][]*academy.User{}, map[string]*siteNews{}
		for _, u := range ev.Users {
			for _, site := range u.Sites {
				r.people[site] = append(r.people[site], u)
			}
		}
	}
	return r.ev, nil
}

// siteNews is what a site's managers hear of, in the site's order: people
// overdue with what for, certificates running out (soonest first),
// escalated tickets still open (oldest escalation first).
type siteNews struct {
	overdue  []overdue
	expiring []expiring
	tickets  []academy.TicketSummary
}

type overdue struct {
	who  *academy.User
	what []string // the program first, then assigned work
}

type expiring struct {
	who     *academy.User
	program string
	at      time.Time
}

func (n *siteNews) quiet() bool {
	return len(n.overdue) == 0 && len(n.expiring) == 0 && len(n.tickets) == 0
}

// siteNews counts the site's people as /team counts them, from the
// shared evidence: overdue for the program that unlocks work (by the
// days after hire, or a lapsed certificate) or with assigned work past
// due; certificates of any program within the certifier's window.
func (s *Scheduler) siteNews(ctx context.Context, site string, assignments []*academy.Assignment, titles map[string]string, reads *digestReads) (*siteNews, error) {
	ev, err := reads.evidence(ctx, s.Team)
	if err != nil {
		return nil, err
	}
	if n := reads.sites[site]; n != nil {
		return n, nil
	}
	n := &siteNews{}
	now, window, courses := ev.At, s.Certifier.Window, s.Certifier.Programs.Courses()
	active := s.Certifier.Programs.ActivePrograms()
	var people []*academy.User
	zones := map[string]*time.Location{}
	for _, p := range reads.people[site] {
		if zones[p.ID] = s.Accounts.ZoneOf(ctx, p); p.OnTeam(now, zones[p.ID]) {
			people = append(people, p)
		}
	}
	late := map[string][]string{}
	if work := academy.WorkProgram(active); work != nil {
		for _, row := range s.Certifier.Team(ev, people, work) {
			if row.Overdue {
				late[row.User.ID] = append(late[row.User.ID], work.Name)
			}
		}
	}
	for _, p := range people {
		r := ev.Record(p)
		for _, a := range assignments {
			if !a.Targets(p, r, now, window, zones[p.ID]) || !a.Assess(p, r, courses, now, window, zones[p.ID]).Overdue {
				continue
			}
			if title := s.workTitle(a, titles); !slices.Contains(late[p.ID], title) {
				late[p.ID] = append(late[p.ID], title)
			}
		}
		if what := late[p.ID]; len(what) > 0 {
			n.overdue = append(n.overdue, overdue{p, what})
		}
	}
	for _, prog := range active {
		for _, row := range s.Certifier.Team(ev, people, prog) {
			if row.Standing.Status == academy.CertExpiring {
				n.expiring = append(n.expiring, expiring{row.User, prog.Name, row.Standing.Current.ExpiresAt})
			}
		}
	}
	slices.SortFunc(n.expiring, func(a, b expiring) int {
		return cmp.Or(a.at.Compare(b.at), strings.Compare(a.who.DisplayName, b.who.DisplayName))
	})
	open, err := s.Tickets.ListTickets(ctx, site, academy.TicketFilter{Open: true})
	if err != nil {
		return nil, err
	}
	for _, t := range open {
		if !t.Escalated.IsZero() {
			n.tickets = append(n.tickets, t)
		}
	}
	slices.SortFunc(n.tickets, func(a, b academy.TicketSummary) int {
		return cmp.Or(a.Escalated.Compare(b.Escalated), strings.Compare(a.Number, b.Number))
	})
	reads.sites[site] = n
	return n, nil
}

// digestText is a digest's lines in Chinese and in English, side by side:
// the message carries both and the recipient's language picks at fan-out.
type digestText struct{ zh, en []string }

func (d *digestText) add(zh, en string) {
	d.zh = append(d.zh, zh)
	d.en = append(d.en, en)
}

// params are the lines as the kinds' templates take them, each language
// within the outbox's bound on a value.
func (d *digestText) params(p map[string]string, moreZH, moreEN string) map[string]string {
	p["items_zh"], p["items_en"] = joinWithin(d.zh, moreZH), joinWithin(d.en, moreEN)
	return p
}

// joinWithin joins lines, leaving out those beyond the bound on a
// value; more then says where the rest is.
func joinWithin(lines []string, more string) string {
	if s := strings.Join(lines, "\n"); len(s) <= maxParamValue {
		return s
	}
	var b strings.Builder
	for _, l := range lines {
		if b.Len()+len(l)+1+len(more) > maxParamValue {
			break
		}
		b.WriteString(l)
		b.WriteByte('\n')
	}
	b.WriteString(more)
	return b.String()
}

// listed joins the first digestListed names with sep and says how many
// more there are.
func listed(names []string, sep string, more func(n int) string) string {
	if len(names) <= digestListed {
		return strings.Join(names, sep)
	}
	return strings.Join(names[:digestListed], sep) + more(len(names)-digestListed)
}

// plural picks the English noun for n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// link is a path of the app, whole when the public URL is known.
func (s *Scheduler) link(path string) string {
	return strings.TrimSuffix(s.PublicURL, "/") + path
}

func ticketPath(t academy.TicketSummary) string {
	return "/desk/" + url.PathEscape(t.Workspace) + "/tickets/" + url.PathEscape(t.ID)
}

// managerDigest is m's digest of their sites on the morning of h (loc is
// m's zone): for each site, the people overdue, the certificates
// expiring and the escalated tickets still open (siteNews), people by
// name, with links to /team and the tickets. None on a quiet day. The
// Key names the manager and their day, so each hears once a day however
// many scans run.
func (s *Scheduler) managerDigest(ctx context.Context, m *academy.User, sites []*academy.Site, assignments []*academy.Assignment, titles map[string]string, h time.Time, loc *time.Location, reads *digestReads) ([]Message, error) {
	days := int(s.Certifier.Window / (24 * time.Hour))
	var text digestText
	late, expiringCount, escalatedCount := map[string]bool{}, 0, 0
	for _, site := range sites {
		if !slices.Contains(m.Sites, site.ID) {
			continue
		}
		n, err := s.siteNews(ctx, site.ID, assignments, titles, reads)
		if err != nil {
			return nil, err
		}
		if n.quiet() {
			continue
		}
		text.add("【"+site.Name+"】", "["+site.Name+"]")
		if len(n.overdue) > 0 {
			var zh, en []string
			for _, o := range n.overdue {
				late[o.who.ID] = true
				zh = append(zh, o.who.DisplayName+"（"+strings.Join(o.what, "、")+"）")
				en = append(en, o.who.DisplayName+" ("+strings.Join(o.what, ", ")+")")
			}
			text.add(fmt.Sprintf("· 逾期 %d 人：%s", len(zh), listed(zh, "、", func(n int) string { return fmt.Sprintf(" 等另外 %d 人", n) })),
				fmt.Sprintf("· %d %s overdue: %s", len(en), plural(len(en), "person", "people"), listed(en, "; ", func(n int) string { return fmt.Sprintf(" and %d more", n) })))
		}
		if len(n.expiring) > 0 {
			expiringCount += len(n.expiring)
			var zh, en []string
			for _, c := range n.expiring {
				day := c.at.In(loc).Format(time.DateOnly)
				zh = append(zh, c.who.DisplayName+"“"+c.program+"”"+day+" 到期")
				en = append(en, c.who.DisplayName+", “"+c.program+"”, expires "+day)
			}
			text.add(fmt.Sprintf("· %d 天内到期的证书 %d 张：%s", days, len(zh), listed(zh, "、", func(n int) string { return fmt.Sprintf(" 等另外 %d 张", n) })),
				fmt.Sprintf("· %d %s expiring within %d days: %s", len(en), plural(len(en), "certificate", "certificates"), days, listed(en, "; ", func(n int) string { return fmt.Sprintf(" and %d more", n) })))
		}
		if len(n.overdue) > 0 || len(n.expiring) > 0 {
			team := s.link("/team?site=" + url.QueryEscape(site.ID))
			text.add("· 团队看板："+team, "· Team board: "+team)
		}
		if len(n.tickets) > 0 {
			escalatedCount += len(n.tickets)
			text.add(fmt.Sprintf("· 升级后仍未办结的工单 %d 张：", len(n.tickets)),
				fmt.Sprintf("· %d escalated %s still open:", len(n.tickets), plural(len(n.tickets), "ticket", "tickets")))
			for i, t := range n.tickets {
				if i == digestListed {
					more, queue := len(n.tickets)-digestListed, s.link("/desk/"+url.PathEscape(site.ID))
					text.add(fmt.Sprintf("  另有 %d 张，见工单列表：%s", more, queue), fmt.Sprintf("  %d more in the queue: %s", more, queue))
					break
				}
				text.add("  "+t.Number+"“"+t.Title+"” "+s.link(ticketPath(t)), "  "+t.Number+" “"+t.Title+"” "+s.link(ticketPath(t)))
			}
		}
	}
	if len(text.zh) == 0 {
		return nil, nil
	}
	p := map[string]string{"overdue_count": strconv.Itoa(len(late)), "expiring_count": strconv.Itoa(expiringCount), "escalated_count": strconv.Itoa(escalatedCount)}
	return []Message{{Key: fmt.Sprintf("manager-digest/%s/%s", m.ID, academy.DateOf(h, loc)), Kind: KindManagerDigest, To: m.ID,
		Params: text.params(p, "……其余见团队看板与工单列表。", "… the team board and the queue have the rest."),
		Link:   "/team", At: h}}, nil
}

// ItemFlags lists the questions item analysis flags: what the trainer
// home lists (internal/http's Server, which keeps them a few minutes).
type ItemFlags interface {
	FlaggedQuestions(ctx context.Context) ([]FlaggedQuestion, error)
}

// FlaggedQuestion is a question item analysis flags, named as the trainer
// home names it.
type FlaggedQuestion struct {
	Quiz     string   // the quiz's title
	Prompt   string   // the start of the question, as plain text
	Flags    []string // academy.AnalyzeItems' flags
	Percent  int      // how often it was answered right, 0–100
	Attempts int      // graded attempts that included it
	Path     string   // the question's page in the app
}

// flagWords are the flags of item analysis in Chinese and English.
var flagWords = map[string][2]string{
	"too_easy":                {"过易", "too easy"},
	"too_hard":                {"过难", "too hard"},
	"negative_discrimination": {"区分度为负", "negative discrimination"},
}

func (r *digestReads) flaggedQuestions(ctx context.Context, flags ItemFlags) ([]FlaggedQuestion, error) {
	if !r.flagsRead {
		list, err := flags.FlaggedQuestions(ctx)
		if err != nil {
			return nil, err
		}
		r.flagged, r.flagsRead = list, true
	}
	return r.flagged, nil
}

// trainerDigest is t's weekly digest on the Monday morning h (loc is t's
// zone), of what the trainer home lists: the questions item analysis
// flags (of every quiz: quizzes belong to no site, and every trainer's
// home lists them all) and the runs of the people on t's sites that
// failed lately and wait for feedback, by site. None when both are
// empty. The Key names the trainer and the ISO week.
func (s *Scheduler) trainerDigest(ctx context.Context, t *academy.User, sites []*academy.Site, h time.Time, loc *time.Location, reads *digestReads) ([]Message, error) {
	flagged, err := reads.flaggedQuestions(ctx, s.Flags)
	if err != nil {
		return nil, err
	}
	ev, err := reads.evidence(ctx, s.Team)
	if err != nil {
		return nil, err
	}
	var text digestText
	if len(flagged) > 0 {
		text.add(fmt.Sprintf("题目分析标记的题目 %d 道：", len(flagged)),
			fmt.Sprintf("%d %s flagged by item analysis:", len(flagged), plural(len(flagged), "question", "questions")))
		for i, f := range flagged {
			if i == digestListed {
				more, all := len(flagged)-digestListed, s.link("/author/quizzes")
				text.add(fmt.Sprintf("  另有 %d 道，见测验列表：%s", more, all), fmt.Sprintf("  %d more: %s", more, all))
				break
			}
			var zh, en []string
			for _, fl := range f.Flags {
				if w, ok := flagWords[fl]; ok {
					zh, en = append(zh, w[0]), append(en, w[1])
				}
			}
			text.add(fmt.Sprintf("  %s：“%s”%s，答对率 %d%%（%d 份答卷） %s", f.Quiz, f.Prompt, strings.Join(zh, "、"), f.Percent, f.Attempts, s.link(f.Path)),
				fmt.Sprintf("  %s: “%s” %s, answered right %d%% of the time (%d attempts) %s", f.Quiz, f.Prompt, strings.Join(en, ", "), f.Percent, f.Attempts, s.link(f.Path)))
		}
	}
	// The runs, each under the first of t's sites its learner is on.
	type waiting struct {
		who  *academy.User
		run  academy.RunSummary
		site int
	}
	var runs []waiting
	seen := map[string]bool{}
	for i, site := range sites {
		if !slices.Contains(t.Sites, site.ID) {
			continue
		}
		for _, p := range reads.people[site.ID] {
			if seen[p.ID] {
				continue
			}
			seen[p.ID] = true
			for _, r := range ev.Record(p).Runs {
				if r.AwaitsFeedback(ev.At) {
					runs = append(runs, waiting{p, r, i})
				}
			}
		}
	}
	slices.SortFunc(runs, func(a, b waiting) int {
		return cmp.Or(a.site-b.site, b.run.FinishedAt.Compare(a.run.FinishedAt), strings.Compare(a.run.ID, b.run.ID))
	})
	if len(runs) > 0 {
		days := int(academy.FeedbackWithin / (24 * time.Hour))
		text.add(fmt.Sprintf("待点评的情景演练 %d 次（近 %d 天未通过）：", len(runs), days),
			fmt.Sprintf("%d scenario %s waiting for your feedback (failed in the last %d days):", len(runs), plural(len(runs), "run", "runs"), days))
		listedOn := 0
		for i, w := range runs {
			if i == 0 || w.site != runs[i-1].site {
				text.add("【"+sites[w.site].Name+"】", "["+sites[w.site].Name+"]")
				listedOn = 0
			}
			if listedOn++; listedOn > digestListed {
				continue
			}
			title := cmpOr(s.Certifier.Programs.Title(academy.AssignScenario, w.run.Scenario), w.run.Scenario)
			path := s.link("/runs/" + url.PathEscape(w.run.ID) + "/debrief")
			day := w.run.FinishedAt.In(loc).Format(time.DateOnly)
			text.add(fmt.Sprintf("  %s“%s”%.0f%%，%s %s", w.who.DisplayName, title, w.run.Percent, day, path),
				fmt.Sprintf("  %s, “%s”, %.0f%%, %s %s", w.who.DisplayName, title, w.run.Percent, day, path))
		}
	}
	if len(text.zh) == 0 {
		return nil, nil
	}
	year, week := h.In(loc).ISOWeek()
	p := map[string]string{"flagged_count": strconv.Itoa(len(flagged)), "waiting_count": strconv.Itoa(len(runs))}
	return []Message{{Key: fmt.Sprintf("trainer-digest/%s/%d-W%02d", t.ID, year, week), Kind: KindTrainerDigest, To: t.ID,
		Params: text.params(p, "……其余见首页与演练记录。", "… your home page and the runs page have the rest."),
		Link:   "/home", At: h}}, nil
}
