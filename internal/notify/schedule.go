package notify

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/academy/academy/internal/academy"
)

// TicketMarks finds live tickets by their SLA marks and lists a site's
// open ones (internal/mongo's desk store, reading the open list's indexes
// on the marks' times and on the site).
type TicketMarks interface {
	// TicketsMarkedBetween returns the open live tickets with an SLA
	// mark in (from, to].
	TicketsMarkedBetween(ctx context.Context, from, to time.Time) ([]academy.TicketSummary, error)
	// ListTickets lists a site's live tickets; with f.Open, the open
	// ones, for the managers' digest.
	ListTickets(ctx context.Context, ws string, f academy.TicketFilter) ([]academy.TicketSummary, error)
}

// ScanMarks remember how far the scheduler has scanned, shared by every
// instance.
type ScanMarks interface {
	ScanMark(ctx context.Context, name string) (time.Time, error)
	// SetScanMark moves the mark forward to t (never back).
	SetScanMark(ctx context.Context, name string, t time.Time) error
}

// Scheduler derives the timed notifications from state: SLA marks of
// tickets, each morning the learners' due work and expiring certificates
// and the managers' digest of their sites, each Monday morning the
// trainers' digest. Every instance runs it: it scans from the shared
// mark to now, and its Keys are deterministic, so two scanners, or one
// scanning the same window twice, enqueue each notification once.
type Scheduler struct {
	Notify      *Service
	Tickets     TicketMarks
	Marks       ScanMarks
	Accounts    *academy.Accounts
	Assignments academy.AssignmentService
	Certifier   *academy.Certifier
	// Team keeps the team dashboards' evidence, which the managers'
	// digest counts from as /team does.
	Team *academy.TeamBoard
	// Flags lists the questions item analysis flags, for the trainers'
	// digest.
	Flags ItemFlags
	// PublicURL makes the digests' links whole, for readers of e-mail;
	// empty leaves paths in the app.
	PublicURL string
	Now       func() time.Time
	// Hour is the local hour (in each person's zone) at which the morning
	// reminders go out; default 9.
	Hour int
	// CatchUp bounds how far back a scan looks after the instances were
	// all stopped; default two days.
	CatchUp time.Duration
}

// scanName is the shared mark's name.
const scanName = "schedule"

// Scan enqueues what came due since the last scan, and the news of
// grants left untold (Service.CatchUpGrants), and returns how many
// messages it enqueued (some may have been there already).
func (s *Scheduler) Scan(ctx context.Context) (int, error) {
	now := s.Now()
	// Grants whose news a crash or a failed enqueue left behind; this is
	// no timed kind, but every instance runs the scan each minute. Its
	// failure is reported with the scan's and holds up no reminder.
	told, grantErr := s.Notify.CatchUpGrants(ctx, s.Certifier.Attempts, now)
	n, err := s.scan(ctx, now)
	return told + n, errors.Join(grantErr, err)
}

// scan enqueues what came due from the shared mark to now.
func (s *Scheduler) scan(ctx context.Context, now time.Time) (int, error) {
	from, err := s.Marks.ScanMark(ctx, scanName)
	if err != nil {
		return 0, err
	}
	// A store never scanned was not running before: it missed no morning
	// and no mark, and looking back would send its first day's people
	// yesterday's reminders. The look back would also read everyone's
	// record for each of the last two days' mornings, in the first
	// minute of a new server, which on a load test is its busiest.
	if from.IsZero() {
		return 0, s.Marks.SetScanMark(ctx, scanName, now)
	}
	catchUp := cmpOr(s.CatchUp, 48*time.Hour)
	if from.Before(now.Add(-catchUp)) {
		from = now.Add(-catchUp)
	}
	if !now.After(from) {
		return 0, nil
	}
	var ms []Message
	sla, err := s.slaMessages(ctx, from, now)
	if err != nil {
		return 0, err
	}
	ms = append(ms, sla...)
	// The morning pass runs for the people whose local Hour:00 falls in
	// the window: at most once an hour, at the turn of each whole hour.
	reads := &digestReads{}
	for h := from.Truncate(time.Hour).Add(time.Hour); !h.After(now); h = h.Add(time.Hour) {
		morning, err := s.morningMessages(ctx, h, reads)
		if err != nil {
			return 0, err
		}
		ms = append(ms, morning...)
	}
	if err := s.Notify.Enqueue(ctx, ms...); err != nil {
		return 0, err
	}
	return len(ms), s.Marks.SetScanMark(ctx, scanName, now)
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// slaKinds are the kinds of SLAMarks, in their order.
var slaKinds = [len(academy.SLAMarks)]Kind{KindSLA50, KindSLA80, KindSLABreach}

// slaMessages reads the open tickets with a mark in (from, to] (one
// indexed query) and the managers of their sites (one indexed query per
// site): the ticket's assignee, each manager and the site's group robot
// hear once per ticket, clock and mark.
func (s *Scheduler) slaMessages(ctx context.Context, from, to time.Time) ([]Message, error) {
	tickets, err := s.Tickets.TicketsMarkedBetween(ctx, from, to)
	if err != nil {
		return nil, err
	}
	type site struct {
		name     string
		managers []string
	}
	sites := map[string]*site{}
	var out []Message
	for _, t := range tickets {
		st := sites[t.Workspace]
		if st == nil {
			st = &site{name: t.Workspace}
			if si, err := s.Accounts.Sites.FindSite(ctx, t.Workspace); err == nil {
				st.name = si.Name
			}
			ms, err := s.Accounts.Users.ListUsersOn(ctx, []string{t.Workspace}, academy.RoleManager)
			if err != nil {
				return nil, err
			}
			for _, m := range ms {
				if m.Status == academy.StatusActive {
					st.managers = append(st.managers, m.ID)
				}
			}
			sites[t.Workspace] = st
		}
		people := st.managers
		if t.Assignee != "" && !slices.Contains(people, t.Assignee) {
			people = append([]string{t.Assignee}, people...)
		}
		for _, m := range t.Marks {
			if m.At.IsZero() || !m.At.After(from) || m.At.After(to) {
				continue
			}
			pct := slices.Index(academy.SLAMarks[:], m.Pct)
			if pct < 0 {
				continue
			}
			var due time.Time
			for _, d := range t.Marks {
				if d.Clock == m.Clock && d.Pct == academy.SLAMarks[len(academy.SLAMarks)-1] {
					due = d.At
				}
			}
			// The site's message goes to its group robot, if the robot takes
			// the kind; its key names no person, so no username can be it.
			site := Message{Key: fmt.Sprintf("sla/%s/%s/%d", t.ID, m.Clock, m.Pct), Kind: slaKinds[pct], Site: t.Workspace,
				Params: map[string]string{"ticket": t.Number, "subject": t.Title, "site_name": st.name, "clock": m.Clock, "due_at": due.UTC().Format(time.RFC3339)},
				Link:   "/desk/" + t.Workspace + "/tickets/" + t.ID, At: m.At}
			out = append(out, site)
			for _, u := range people {
				pm := site
				pm.Key, pm.To = site.Key+"/"+u, u
				out = append(out, pm)
			}
		}
	}
	return out, nil
}

// morningMessages are the reminders and digests of the people whose
// local time at h is Hour:00. Who they are comes from morningBase; only
// those whose morning it is have their records read (what they did and
// their latest certificate per program), once per scan. What the digests
// read is in digestReads.
func (s *Scheduler) morningMessages(ctx context.Context, h time.Time, reads *digestReads) ([]Message, error) {
	hour := cmpOr(s.Hour, 9)
	b, err := s.morningBase(ctx, reads)
	if err != nil {
		return nil, err
	}
	assignments, sites, people, titles := b.assignments, b.sites, b.people, b.titles
	var out []Message
	for _, u := range people {
		loc := s.Accounts.ZoneOf(ctx, u)
		if lt := h.In(loc); u.Status != academy.StatusActive || lt.Hour() != hour || lt.Minute() != 0 {
			continue
		}
		r, ok := b.records[u.ID]
		if !ok {
			if r, err = s.Certifier.Record(ctx, u.ID, b.programs); err != nil {
				return nil, err
			}
			b.records[u.ID] = r
		}
		out = append(out, s.learnerMessages(u, r, assignments, titles, h, loc)...)
		if slices.Contains(u.Roles, academy.RoleManager) {
			m, err := s.managerDigest(ctx, u, sites, assignments, titles, h, loc, reads)
			if err != nil {
				return nil, err
			}
			out = append(out, m...)
		}
		if slices.Contains(u.Roles, academy.RoleTrainer) && h.In(loc).Weekday() == time.Monday {
			t, err := s.trainerDigest(ctx, u, sites, h, loc, reads)
			if err != nil {
				return nil, err
			}
			out = append(out, t...)
		}
	}
	return out, nil
}

// morningBase is what the morning passes of one scan share. A scan that
// catches up after a stop passes up to two days of hours, and each hour
// read everyone (and everyone's record, twice over two days) again.
type morningBase struct {
	assignments []*academy.Assignment
	sites       []*academy.Site
	people      []*academy.User
	titles      map[string]string
	programs    []string
	records     map[string]academy.Record // by username, as read in this scan
}

// morningBase reads, once per scan, the assignments (a small
// collection), the sites and the people on them (one query on the users'
// sites index), and the people an assignment names who are on no site.
func (s *Scheduler) morningBase(ctx context.Context, reads *digestReads) (*morningBase, error) {
	if reads.morning != nil {
		return reads.morning, nil
	}
	assignments, err := s.Assignments.ListAssignments(ctx)
	if err != nil {
		return nil, err
	}
	sites, err := s.Accounts.Sites.ListSites(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(sites))
	for i, si := range sites {
		ids[i] = si.ID
	}
	people, err := s.Accounts.Users.ListUsersOn(ctx, ids, "")
	if err != nil {
		return nil, err
	}
	// People named by an assignment need not be on a site.
	for _, a := range assignments {
		for _, name := range a.Target.People {
			if slices.ContainsFunc(people, func(u *academy.User) bool { return u.ID == name }) {
				continue
			}
			u, err := s.Accounts.Users.FindUser(ctx, name)
			if academy.ErrorCode(err) == academy.ENOTFOUND {
				continue
			} else if err != nil {
				return nil, err
			}
			people = append(people, u)
		}
	}
	b := &morningBase{assignments: assignments, sites: sites, people: people, titles: map[string]string{},
		programs: academy.Programs(assignments), records: map[string]academy.Record{}}
	for _, p := range s.Certifier.Programs.ActivePrograms() {
		b.titles[p.Slug] = p.Name
		if !slices.Contains(b.programs, p.Slug) {
			b.programs = append(b.programs, p.Slug)
		}
	}
	reads.morning = b
	return b, nil
}

// workTitle names an assignment's work: a program by its name among
// titles, anything else by the catalog's title.
func (s *Scheduler) workTitle(a *academy.Assignment, titles map[string]string) string {
	if title := titles[a.Ref]; a.Kind == academy.AssignProgram && title != "" {
		return title
	}
	return cmpOr(s.Certifier.Programs.Title(a.Kind, a.Ref), a.Ref)
}

// reminder gathers the items of one kind a person hears of on one day:
// one message lists them all, since a person gets one message per kind
// per day.
type reminder struct {
	titles []string
	at     time.Time // the first item's due or expiry time
}

// learnerMessages are u's reminders on the day h falls on in loc: work due
// in three days, due today, overdue since yesterday; a refresher round
// opened since yesterday; certificates expiring in 30 or 7 days. Each
// assignment and certificate falls on each of these days once, so each
// is reminded once; the Key names the person, kind and day.
func (s *Scheduler) learnerMessages(u *academy.User, r academy.Record, assignments []*academy.Assignment, titles map[string]string, h time.Time, loc *time.Location) []Message {
	day := func(t time.Time) academy.Date { return academy.DateOf(t, loc) }
	in := func(days int) academy.Date { return day(h.In(loc).AddDate(0, 0, days)) }
	window, courses := s.Certifier.Window, s.Certifier.Programs.Courses()
	byKind := map[Kind]*reminder{}
	add := func(k Kind, title string, at time.Time) {
		rm := byKind[k]
		if rm == nil {
			rm = &reminder{at: at}
			byKind[k] = rm
		}
		rm.titles = append(rm.titles, title)
	}
	for _, a := range assignments {
		if !a.Targets(u, r, h, window, loc) {
			continue
		}
		title := s.workTitle(a, titles)
		st := a.Assess(u, r, courses, h, window, loc)
		if st.Done {
			continue
		}
		switch day(st.Due) {
		case in(3):
			add(KindDueSoon, title, st.Due)
		case in(0):
			add(KindDueToday, title, st.Due)
		case in(-1):
			add(KindOverdue, title, st.Due)
		}
		// A refresher's round opens RefreshNotice before it is due:
		// yesterday it still read as done, today it is due again.
		if prev := a.Assess(u, r, courses, h.Add(-24*time.Hour), window, loc); a.RecurMonths > 0 && prev.Done && prev.Due.Equal(st.Due) {
			add(KindRefresherDue, title, st.Due)
		}
	}
	for program, c := range r.Certs {
		if c == nil || !c.RevokedAt.IsZero() {
			continue
		}
		switch day(c.ExpiresAt) {
		case in(30):
			add(KindCertExpiring30, cmpOr(titles[program], program), c.ExpiresAt)
		case in(7):
			add(KindCertExpiring7, cmpOr(titles[program], program), c.ExpiresAt)
		}
	}
	var out []Message
	for _, k := range Kinds() {
		rm := byKind[k]
		if rm == nil {
			continue
		}
		slices.Sort(rm.titles)
		at := "due_at"
		if k == KindCertExpiring30 || k == KindCertExpiring7 {
			at = "expires_at"
		}
		out = append(out, Message{Key: fmt.Sprintf("%s/%s/%s", k, u.ID, in(0)), Kind: k, To: u.ID,
			Params: map[string]string{"title": strings.Join(rm.titles, "、"), at: rm.at.UTC().Format(time.RFC3339)},
			Link:   "/home", At: h})
	}
	return out
}
