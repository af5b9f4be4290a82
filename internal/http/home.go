package http

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/catalog"
	"github.com/academy/academy/internal/markdown"
	"github.com/academy/academy/internal/notify"
	"github.com/academy/academy/internal/quality"
)

// homeData holds one panel per role the user holds, in a fixed order, so a
// person with several roles sees each of their jobs. Each panel answers
// "what do I do next" for its role.
type homeData struct {
	Panels []string
	Sites  []*academy.Site
	Audit  []auditRow
	// Certs are the learner's programs that need attention or just paid
	// off: newly issued, expiring, expired.
	Certs   []academy.Standing
	Learner *learnerHome
	// Assigned is the work assigned to someone who learns without the
	// trainee panel (an agent, a manager a rule picked), not yet done.
	Assigned []dueItem
	Trainer  *trainerHome
	Manager  *managerHome
	// Notifications are the newest unread ones, looked for only when the
	// header's count says there are some.
	Notifications []notify.Notification
	// Feedback is the latest manual reviews of an agent's tickets, with
	// the reviewers' names.
	Feedback      []quality.Review
	FeedbackNames map[string]string
	ScoreFields   []string
}

// homeFeedback is how many reviews the agent's panel shows.
const homeFeedback = 5

// learnerHome is what a learner does next.
type learnerHome struct {
	// Running are the quizzes with an attempt under way.
	Running []runningAttempt
	// Continue is the next lesson to read: of the course in progress, else
	// of the first course still to start; nil when every open course is done.
	Continue *nextLesson
	// Due is the assigned work not yet done, overdue first, then soonest
	// due.
	Due []dueItem
	// Programs are the certification programs not currently held, with
	// what is done and what comes next.
	Programs []programProgress
}

// dueItem is a piece of assigned work as the learner's home lists it.
type dueItem struct {
	academy.Assigned
	Title, URL string
	Card       *courseCard // a course's progress
}

type runningAttempt struct {
	Card     quizCard
	Deadline time.Time     // zero: untimed
	Left     time.Duration // time left at the deadline, 0 once it passed
}

type nextLesson struct {
	Course  *catalog.Course
	Lesson  *catalog.Lesson
	Started bool // some of the course is done already
}

type programProgress struct {
	Standing academy.Standing
	Next     *prereqLink // the first requirement not yet met
}

// trainerHome is what a trainer looks at next.
type trainerHome struct {
	Flagged      []flaggedItem
	FlaggedTotal int
	Runs         []runToReview
	Drafts       []*academy.Draft
	// Titles names the courses the drafts belong to.
	Titles map[string]string
}

type runToReview struct {
	User  *academy.User
	Run   academy.RunSummary
	Title string
}

// managerHome is what a manager chases next.
type managerHome struct {
	Overdue       []academy.TeamRow // people past the date to hold the program
	OverdueTotal  int
	Expiring      []academy.TeamRow // certificates running out
	ExpiringTotal int
	Program       *academy.Program
	Escalated     []academy.TicketSummary
	LateTickets   []academy.TicketSummary // overdue, not yet escalated
	SiteNames     map[string]string
}

// certNoticeFor is how long a new certificate is announced on the home page.
const certNoticeFor = 14 * 24 * time.Hour

// homeListed bounds each list on the home page; the page each list comes
// from has the rest.
const homeListed = 8

func (s *Server) home(c *fiber.Ctx) error {
	u := currentUser(c)
	ctx := c.UserContext()
	d := homeData{}
	for _, r := range []string{academy.RoleAdmin, academy.RoleManager, academy.RoleTrainer, academy.RoleAgent, academy.RoleTrainee} {
		if slices.Contains(u.Roles, r) {
			d.Panels = append(d.Panels, r)
		}
	}
	sites, err := s.Accounts.Sites.ListSites(ctx)
	if err != nil {
		return err
	}
	for _, site := range sites {
		if u.IsAdmin() || slices.Contains(u.Sites, site.ID) {
			d.Sites = append(d.Sites, site)
		}
	}
	if s.Authz.Can(u, "", academy.PermLearn) {
		standings, err := s.Certifier.Standings(ctx, u)
		if err != nil {
			return err
		}
		now := s.Certifier.Now()
		for _, st := range standings {
			fresh := st.Status == academy.CertValid && now.Sub(st.Current.IssuedAt) < certNoticeFor
			if fresh || st.Status == academy.CertExpiring || st.Status == academy.CertExpired || st.Status == academy.CertRevoked {
				d.Certs = append(d.Certs, st)
			}
		}
		if slices.Contains(u.Roles, academy.RoleTrainee) {
			if d.Learner, err = s.learnerHome(c, u, standings); err != nil {
				return err
			}
		} else if d.Assigned, err = s.dueItems(c, u, nil); err != nil {
			return err
		}
	}
	if slices.Contains(u.Roles, academy.RoleTrainer) {
		if d.Trainer, err = s.trainerHome(c, u); err != nil {
			return err
		}
	}
	if slices.Contains(u.Roles, academy.RoleManager) {
		if d.Manager, err = s.managerHome(c, u, sites); err != nil {
			return err
		}
	}
	if slices.Contains(u.Roles, academy.RoleAgent) {
		fb, err := s.Quality.Feedback(ctx, u.ID)
		if err != nil {
			return err
		}
		d.Feedback, d.FeedbackNames, d.ScoreFields = fb[:min(len(fb), homeFeedback)], map[string]string{}, quality.ScoreFields
		for _, rv := range d.Feedback {
			if err := s.addPeople(ctx, d.FeedbackNames, rv.By); err != nil {
				return err
			}
		}
	}
	p := s.newPage(c, "home.title")
	if p.Unread > 0 {
		if d.Notifications, err = s.Notify.Store.LatestUnread(ctx, u.ID, homeNotifications); err != nil {
			return err
		}
	}
	if s.Authz.Can(u, "", academy.PermAuditRead) {
		events, _, err := s.Accounts.Audit.ListAudit(ctx, academy.AuditFilter{Limit: 8})
		if err != nil {
			return err
		}
		if d.Audit, err = s.auditRows(ctx, p.Lang, events); err != nil {
			return err
		}
	}
	p.Data = d
	return s.render(c, "home", p)
}

// learnerHome reads what the courses and quizzes pages read: the
// learner's progress, quiz record and assignments.
func (s *Server) learnerHome(c *fiber.Ctx, u *academy.User, standings []academy.Standing) (*learnerHome, error) {
	h := &learnerHome{}
	snap := s.Catalog.Snapshot()
	p, err := s.Learning.Progress.FindProgress(c.UserContext(), u.ID)
	if err != nil {
		return nil, err
	}
	cards, err := s.cards(c, u, snap, p)
	if err != nil {
		return nil, err
	}
	quizzes, err := s.quizCards(c, u)
	if err != nil {
		return nil, err
	}
	now := s.Examiner.Now()
	for _, k := range quizzes {
		if k.Active == nil {
			continue
		}
		r := runningAttempt{Card: k}
		if k.Quiz.TimeLimit > 0 {
			r.Deadline = k.Active.StartedAt.Add(k.Quiz.TimeLimit)
			r.Left = max(r.Deadline.Sub(now), 0)
		}
		h.Running = append(h.Running, r)
	}
	h.Continue = continueLesson(cards, p)
	if h.Due, err = s.dueItems(c, u, cards); err != nil {
		return nil, err
	}
	for _, st := range standings {
		if st.Status == academy.CertValid || st.Status == academy.CertExpiring && st.Met {
			continue
		}
		pp := programProgress{Standing: st}
		for _, r := range st.Reqs {
			if !r.Done {
				l := s.prereqLinks([]academy.Prerequisite{{Kind: r.Kind, Ref: r.Ref}})[0]
				if r.Kind == "scenario" {
					l.URL = "/scenarios/" + r.Ref
				}
				pp.Next = &l
				break
			}
		}
		h.Programs = append(h.Programs, pp)
	}
	return h, nil
}

// dueItems lists the work assigned to u not yet done, overdue first; a
// course's item carries its card from cards.
func (s *Server) dueItems(c *fiber.Ctx, u *academy.User, cards []courseCard) ([]dueItem, error) {
	assigned, err := s.assignedTo(c, u)
	if err != nil {
		return nil, err
	}
	var out []dueItem
	for _, a := range assigned {
		if a.Done {
			continue
		}
		kind, ref := a.Assignment.Kind, a.Assignment.Ref
		item := dueItem{Assigned: a, Title: cmp.Or(s.Catalog.Title(kind, ref), ref), URL: workURL(kind, ref)}
		if i := slices.IndexFunc(cards, func(k courseCard) bool { return k.Course.Slug == ref }); kind == academy.AssignCourse && i >= 0 {
			item.Card = &cards[i]
		}
		out = append(out, item)
	}
	return out, nil
}

// workURL is where a learner does assigned work.
func workURL(kind, ref string) string {
	switch kind {
	case academy.AssignCourse:
		return "/courses/" + ref
	case academy.AssignQuiz:
		return "/quizzes/" + ref
	case academy.AssignScenario:
		return "/scenarios/" + ref
	}
	return "/certificates"
}

// continueLesson picks the course in progress that the learner worked on
// last and its next lesson; without one, the first open course not yet
// started (an assigned one first).
func continueLesson(cards []courseCard, p *academy.Progress) *nextLesson {
	var best *courseCard
	var bestAt time.Time
	for i := range cards {
		k := &cards[i]
		if k.Status.Locked() || k.Status.Complete || k.Status.Done == 0 {
			continue
		}
		for _, at := range p.Course(k.Course.Slug).Completed {
			if best == nil || at.After(bestAt) {
				best, bestAt = k, at
			}
		}
	}
	if best == nil {
		for i := range cards {
			k := &cards[i]
			if k.Status.Locked() || k.Status.Complete || k.Continue == "" {
				continue
			}
			if best == nil || k.Due != nil && best.Due == nil {
				best = k
			}
		}
	}
	if best == nil || best.Continue == "" {
		return nil
	}
	return &nextLesson{Course: best.Course, Lesson: best.Course.Lesson(best.Continue), Started: best.Status.Done > 0}
}

// trainerHome gathers what waits for a trainer: questions the item
// analysis flags, failed scenario runs of their learners, and lesson
// drafts not yet published.
func (s *Server) trainerHome(c *fiber.Ctx, u *academy.User) (*trainerHome, error) {
	ctx := c.UserContext()
	h := &trainerHome{Titles: map[string]string{}}
	flagged, err := s.itemFlags.get(ctx, s)
	if err != nil {
		return nil, err
	}
	h.Flagged, h.FlaggedTotal = flagged[:min(len(flagged), homeListed)], len(flagged)
	people, err := s.Accounts.Users.ListUsersOn(ctx, s.sitesWith(c, u, academy.PermTrainees), "")
	if err != nil {
		return nil, err
	}
	names := make([]string, len(people))
	byName := make(map[string]*academy.User, len(people))
	for i, p := range people {
		names[i], byName[p.ID] = p.ID, p
	}
	runs, err := s.Coach.Runs.ListRunsOf(ctx, names)
	if err != nil {
		return nil, err
	}
	snap := s.Catalog.Snapshot()
	now := s.Coach.Now()
	for name, list := range runs {
		for _, r := range list {
			if !r.AwaitsFeedback(now) {
				continue
			}
			title := r.Scenario
			if sc := snap.Scenarios[r.Scenario]; sc != nil {
				title = sc.Title
			}
			h.Runs = append(h.Runs, runToReview{User: byName[name], Run: r, Title: title})
		}
	}
	slices.SortFunc(h.Runs, func(a, b runToReview) int {
		return cmp.Or(b.Run.FinishedAt.Compare(a.Run.FinishedAt), cmp.Compare(a.Run.ID, b.Run.ID))
	})
	h.Runs = h.Runs[:min(len(h.Runs), homeListed)]
	if h.Drafts, err = s.Library.Courses.ListDrafts(ctx, ""); err != nil {
		return nil, err
	}
	slices.SortFunc(h.Drafts, func(a, b *academy.Draft) int { return b.SavedAt.Compare(a.SavedAt) })
	h.Drafts = h.Drafts[:min(len(h.Drafts), homeListed)]
	for _, d := range h.Drafts {
		if cc := snap.Course(d.Course); cc != nil {
			h.Titles[d.Course] = cc.Title
		}
	}
	return h, nil
}

// managerHome gathers what a manager chases: people overdue for the
// program that unlocks work and certificates about to expire (from the
// team dashboard's evidence, shared and kept for its MaxAge), and the
// overdue live tickets of their sites, escalated ones first.
func (s *Server) managerHome(c *fiber.Ctx, u *academy.User, sites []*academy.Site) (*managerHome, error) {
	ctx := c.UserContext()
	h := &managerHome{SiteNames: map[string]string{}}
	for _, site := range sites {
		h.SiteNames[site.ID] = site.Name
	}
	v, err := s.teamFor(c, teamQuery{}, false)
	if err != nil {
		return nil, err
	}
	h.Program = v.Program
	for _, r := range s.rows(v) {
		switch {
		case r.Overdue:
			h.OverdueTotal++
			if len(h.Overdue) < homeListed {
				h.Overdue = append(h.Overdue, r)
			}
		case r.Standing.Status == academy.CertExpiring:
			h.ExpiringTotal++
			if len(h.Expiring) < homeListed {
				h.Expiring = append(h.Expiring, r)
			}
		}
	}
	for _, site := range u.Sites {
		if !s.Authz.Can(u, site, academy.PermOversee) {
			continue
		}
		w, err := s.Desk.Open(ctx, site)
		if err != nil {
			return nil, err
		}
		open, err := s.Desk.List(ctx, w, academy.TicketFilter{Open: true}, actor(c))
		if err != nil {
			return nil, err
		}
		for _, t := range open {
			switch {
			case !t.Escalated.IsZero():
				h.Escalated = append(h.Escalated, t)
			case t.Overdue(w.Now):
				h.LateTickets = append(h.LateTickets, t)
			}
		}
	}
	return h, nil
}

// flaggedItem is a question that item analysis flags.
type flaggedItem struct {
	Quiz    *academy.Quiz
	Bank    string // the quiz whose bank holds the question
	Stats   academy.ItemStats
	Prompt  string // the start of the question, as plain text
	Percent int    // how often it was answered right, 0–100
}

// promptWords is how much of a flagged question the home page quotes.
const promptWords = 40

// flagged describes a flagged question by its prompt, not its id.
func (s *Server) flagged(snap *catalog.Snapshot, q *academy.Quiz, st academy.ItemStats) flaggedItem {
	f := flaggedItem{Quiz: q, Bank: cmp.Or(st.Source, q.Slug), Stats: st, Percent: int(math.Round(st.Facility * 100))}
	if bank := snap.Quizzes[f.Bank]; bank != nil {
		for _, qq := range bank.Questions {
			if qq.ID != st.ID {
				continue
			}
			text := qq.Prompt
			if doc, err := s.Markdown.Render([]byte(qq.Prompt), markdown.Options{}); err == nil {
				text = doc.Text
			}
			text = strings.Join(strings.Fields(text), " ")
			if r := []rune(text); len(r) > promptWords {
				text = string(r[:promptWords]) + "…"
			}
			f.Prompt = text
		}
	}
	return f
}

// itemFlags keeps the flagged questions of every active quiz. Analysing a
// quiz reads all its graded attempts (a scan on the embedded store), too
// much for every trainer's login, so the result is kept for
// itemFlagsMaxAge and for one catalog version.
type itemFlags struct {
	mu      sync.Mutex
	at      time.Time
	version int64
	items   []flaggedItem
}

const itemFlagsMaxAge = 10 * time.Minute

func (f *itemFlags) get(ctx context.Context, s *Server) ([]flaggedItem, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	snap := s.Catalog.Snapshot()
	now := s.Examiner.Now()
	if f.version == snap.Version && !f.at.IsZero() && now.Sub(f.at) < itemFlagsMaxAge {
		return f.items, nil
	}
	var items []flaggedItem
	for _, q := range snap.ActiveQuizzes {
		attempts, err := s.Examiner.Attempts.ListFinishedAttempts(ctx, q.Slug)
		if err != nil {
			return nil, err
		}
		for _, st := range academy.AnalyzeItems(attempts) {
			if len(st.Flags) > 0 {
				items = append(items, s.flagged(snap, q, st))
			}
		}
	}
	f.items, f.at, f.version = items, now, snap.Version
	return items, nil
}
