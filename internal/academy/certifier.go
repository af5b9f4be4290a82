package academy

import (
	"context"
	"fmt"
	"hash/maphash"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// LearningEvent is something a learner did that counts for the record:
// the xAPI outbox turns each into a statement.
type LearningEvent struct {
	Kind     string // one of the Event* constants
	Username string
	Name     string // display name
	Ref      string // course, quiz, scenario or program slug
	Title    string
	Percent  float64 // score, for quizzes and scenarios
	Passed   bool
	Number   string // certificate number, for EventCertificate
	At       time.Time
	// Occurrence tells this event from the learner's others of its kind
	// on the same object: the attempt, the run, the certificate number.
	// Empty for what happens once (a course's completion: its time is
	// kept from the first). Recorders key the event by it, so that two
	// instances racing, or a retry, record it once.
	Occurrence string
}

// Learning event kinds.
const (
	EventCourseCompleted   = "course-completed"
	EventQuizGraded        = "quiz-graded"
	EventScenarioCompleted = "scenario-completed"
	EventCertificate       = "certificate-earned"
)

// EventSink records learning events. It must not lose one once it has
// returned nil; delivery onwards is its own business.
type EventSink interface {
	Record(ctx context.Context, e LearningEvent) error
}

// OutcomeRecorder hears of each course, quiz and scenario a learner
// finishes.
type OutcomeRecorder interface {
	Outcome(ctx context.Context, e LearningEvent) error
}

// ProgramSource lists the certification programs in force.
type ProgramSource interface {
	ActivePrograms() []*Program
	Courses() map[string]*Course
	// Title names a course, quiz or scenario ("" if there is none).
	Title(kind, slug string) string
}

// Certifier issues, renews and revokes certificates from what learners have
// done, and keeps the roles they grant in step.
type Certifier struct {
	Programs ProgramSource
	Progress ProgressService
	Attempts AttemptService
	Runs     RunService
	Certs    CertStore
	Users    UserService
	Audit    AuditService
	Authz    Authorizer
	Events   EventSink
	// Zones gives each person's calendar, for the onboarding due date
	// counted from a hire date; without it, UTC.
	Zones interface {
		ZoneOf(ctx context.Context, u *User) *time.Location
	}
	// Signer makes the credential each certificate is handed out as;
	// without one, certificates have none.
	Signer CredentialSigner
	// LiveWork names what a holder fails on live tickets, for refreshers
	// limited to it (Program.DeltaRecert); without it, nothing.
	LiveWork LiveWork
	Now      func() time.Time
	// Window is how long before expiry a certificate is "expiring soon"
	// and its renewal can be earned.
	Window time.Duration

	// statusList keeps the signed revocation list of one version, so that
	// outside verifiers' fetches cost a read, not a signature.
	statusMu    sync.Mutex
	statusLists map[int]signedList
}

type signedList struct {
	version int
	json    []byte
}

// Standing is a person's position on one program.
type Standing struct {
	Program *Program
	// Current is the latest award, nil if never certified.
	Current *Certificate
	// Status is the current certificate's status, or "none".
	Status string
	// Renewing says that Reqs are the recertification requirements (or,
	// after a revocation, what earns the program back), counted from Since.
	Renewing bool
	Since    time.Time
	// NeedsLegalName says the requirements may be met but no certificate
	// can be issued until an admin records the person's legal name.
	NeedsLegalName bool
	Reqs           []ReqStatus
	Met            bool
	MetAt          time.Time
	Done           int
	Total          int
}

// LiveWork tells what a person fails at work: the scenarios that teach
// the checks their live tickets were flagged for since a time.
type LiveWork interface {
	FailingScenarios(ctx context.Context, username string, since time.Time) ([]string, error)
}

// CertNone is the status of someone who never held the program.
const CertNone = "none"

// Evidence reads a learner's record: three _id reads.
func (c *Certifier) Evidence(ctx context.Context, username string) (Evidence, error) {
	p, err := c.Progress.FindProgress(ctx, username)
	if err != nil {
		return Evidence{}, err
	}
	q, err := c.Attempts.FindRecord(ctx, username)
	if err != nil {
		return Evidence{}, err
	}
	runs, err := c.Runs.ListRuns(ctx, username)
	if err != nil {
		return Evidence{}, err
	}
	return Evidence{Progress: p, Quizzes: q, Runs: runs}, nil
}

// Awards returns every award of program to username, oldest first. Awards
// are numbered from 1, so this reads by key until the first gap.
func (c *Certifier) Awards(ctx context.Context, username, program string) ([]*Certificate, error) {
	var out []*Certificate
	for seq := 1; ; seq++ {
		cert, err := c.Certs.FindAward(ctx, UserID(username), program, seq)
		if ErrorCode(err) == ENOTFOUND {
			return out, nil
		} else if err != nil {
			return nil, err
		}
		out = append(out, cert)
	}
}

// Assess computes a standing from the awards so far and the evidence.
func (c *Certifier) Assess(p *Program, awards []*Certificate, ev Evidence, now time.Time) Standing {
	st := Standing{Program: p, Status: CertNone}
	reqs := p.Requirements
	if n := len(awards); n > 0 {
		st.Current = awards[n-1]
		st.Status = st.Current.StatusAt(now, c.Window)
		if st.Status != CertValid {
			st.Renewing = true
			if len(p.Recert.Courses)+len(p.Recert.Quizzes)+len(p.Recert.Scenarios) > 0 {
				reqs = p.Recert
			}
			if p.DeltaRecert && ev.Failing != nil {
				reqs.Scenarios, reqs.MinScenarios = ev.Failing, 0
			}
			st.Since = st.Current.ExpiresAt.Add(-c.Window)
			if st.Status == CertRevoked {
				// Only evidence dated after the revocation earns the
				// program back: what was done before is what the
				// revocation judged. Stored times are to the millisecond,
				// so evidence at the revocation's own instant is before.
				reqs = p.AfterRevocationRequirements()
				st.Since = st.Current.RevokedAt.Add(time.Nanosecond)
			}
		}
	}
	st.Reqs = reqs.Status(ev, c.Programs.Courses(), st.Since)
	st.Met, st.MetAt = reqs.Met(st.Reqs)
	if reqs.empty() {
		st.Met = false // nothing new can be shown: only a reinstatement restores it
	}
	need := reqs.MinScenarios
	if need == 0 {
		need = len(reqs.Scenarios)
	}
	st.Total = len(reqs.Courses) + len(reqs.Quizzes) + need
	scen := 0
	for _, r := range st.Reqs {
		if r.Done && r.Kind != "scenario" {
			st.Done++
		} else if r.Done {
			scen++
		}
	}
	st.Done += min(scen, need)
	return st
}

// Standings returns u's standing on every program in force.
func (c *Certifier) Standings(ctx context.Context, u *User) ([]Standing, error) {
	ev, err := c.Evidence(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	now := c.Now()
	var out []Standing
	for _, p := range c.Programs.ActivePrograms() {
		awards, err := c.Awards(ctx, u.ID, p.Slug)
		if err != nil {
			return nil, err
		}
		pev := ev
		if pev.Failing, err = c.failing(ctx, p, awards, u.ID, now); err != nil {
			return nil, err
		}
		st := c.Assess(p, awards, pev, now)
		st.NeedsLegalName = strings.TrimSpace(u.LegalName) == ""
		out = append(out, st)
	}
	return out, nil
}

// failing reads what username fails at work when their refresher of p
// is limited to it: only for a renewal (not after a revocation), so that
// no other standing costs a read.
func (c *Certifier) failing(ctx context.Context, p *Program, awards []*Certificate, username string, now time.Time) ([]string, error) {
	if !p.DeltaRecert || c.LiveWork == nil || len(awards) == 0 {
		return nil, nil
	}
	cur := awards[len(awards)-1]
	if st := cur.StatusAt(now, c.Window); st == CertValid || st == CertRevoked {
		return nil, nil
	}
	failing, err := c.LiveWork.FailingScenarios(ctx, username, cur.IssuedAt)
	if failing == nil && err == nil {
		failing = []string{} // read: nothing failing, as against not read
	}
	return failing, err
}

// Check issues every certificate u has newly earned and returns them. It is
// called after each lesson, quiz and scenario a learner finishes, and is
// safe to call at the same time from many requests: each award has one
// storage key, and only one insert of it can win.
func (c *Certifier) Check(ctx context.Context, u *User) ([]*Certificate, error) {
	standings, err := c.Standings(ctx, u)
	if err != nil {
		return nil, err
	}
	return c.issue(ctx, u, standings)
}

// Refresh issues what u has earned and returns u's standings, reading them
// again only when something was issued.
func (c *Certifier) Refresh(ctx context.Context, u *User) ([]Standing, error) {
	standings, err := c.Standings(ctx, u)
	if err != nil {
		return nil, err
	}
	issued, err := c.issue(ctx, u, standings)
	if err != nil || len(issued) == 0 {
		return standings, err
	}
	return c.Standings(ctx, u)
}

// issue awards every program whose standing is met and not currently held.
func (c *Certifier) issue(ctx context.Context, u *User, standings []Standing) ([]*Certificate, error) {
	now := c.Now()
	var issued []*Certificate
	for _, st := range standings {
		if !st.Met || st.Status == CertValid || st.NeedsLegalName {
			continue
		}
		index, err := c.Certs.NextStatusIndex(ctx)
		if err != nil {
			return issued, err
		}
		// The certificate carries the legal name an admin recorded, never
		// the display name its holder chose.
		cert := &Certificate{
			Number: NewCertificateNumber(), Username: u.ID, Holder: u.LegalName,
			Program: st.Program.Slug, ProgramName: st.Program.Name, Seq: 1, IssuedAt: now,
			ExpiresAt: now.AddDate(0, st.Program.ValidityMonths, 0), StatusIndex: index,
		}
		if st.Current != nil {
			cert.Seq = st.Current.Seq + 1
			// Renewing early keeps the time left on the old certificate.
			if st.Status == CertExpiring {
				cert.ExpiresAt = st.Current.ExpiresAt.AddDate(0, st.Program.ValidityMonths, 0)
			}
		}
		switch err := c.Certs.ClaimCertificate(ctx, cert); {
		case ErrorCode(err) == ECONFLICT:
			continue // a concurrent check issued it
		case err != nil:
			return issued, err
		}
		if err := c.Certs.IndexCertificate(ctx, cert); err != nil {
			return issued, err
		}
		// Signed once, now; a crash before this is mended at the first
		// download (credential).
		if _, err := c.credential(ctx, cert); err != nil {
			return issued, err
		}
		if err := c.grant(ctx, u.ID, st.Program, cert); err != nil {
			return issued, err
		}
		if err := c.Audit.RecordAudit(ctx, &AuditEvent{Time: now, Actor: u.ID, Action: AuditCertIssued,
			Target: cert.Number, Detail: fmt.Sprintf("%s #%d", cert.Program, cert.Seq)}); err != nil {
			return issued, err
		}
		if c.Events != nil {
			if err := c.Events.Record(ctx, LearningEvent{Kind: EventCertificate, Username: u.ID, Name: u.DisplayName,
				Ref: cert.Program, Title: cert.ProgramName, Number: cert.Number, Passed: true, At: now, Occurrence: cert.Number}); err != nil {
				return issued, err
			}
		}
		issued = append(issued, cert)
	}
	return issued, nil
}

// Outcome records a learning event and issues what it completes. The
// learner is read afresh: background closes have no user at hand, and
// grants must be decided on the stored record.
func (c *Certifier) Outcome(ctx context.Context, e LearningEvent) error {
	u, err := c.Users.FindUser(ctx, e.Username)
	if err != nil {
		return err
	}
	e.Name = u.DisplayName
	if c.Events != nil {
		if err := c.Events.Record(ctx, e); err != nil {
			return err
		}
	}
	if e.Kind == EventQuizGraded && !e.Passed {
		// A failed quiz completes nothing, and the check reads every
		// program's evidence: on an exam day, a read per program for
		// each learner who failed.
		return nil
	}
	_, err = c.Check(ctx, u)
	return err
}

// grant puts the program's roles on the holder until the certificate
// expires, replacing the grant of an earlier award.
func (c *Certifier) grant(ctx context.Context, username string, p *Program, cert *Certificate) error {
	u, err := c.Users.FindUser(ctx, username)
	if err != nil {
		return err
	}
	grants := slices.DeleteFunc(slices.Clone(u.CertGrants), func(g CertGrant) bool { return g.Program == p.Slug })
	for _, role := range p.Grants {
		grants = append(grants, CertGrant{Role: role, Program: p.Slug, Number: cert.Number, Until: cert.ExpiresAt})
	}
	return c.Users.SetCertGrants(ctx, username, grants)
}

// Verify returns a certificate by number for the public verification page.
func (c *Certifier) Verify(ctx context.Context, number string) (*Certificate, error) {
	number = strings.ToUpper(strings.TrimSpace(number))
	if !ValidCertificateNumber(number) {
		return nil, Errorf(ENOTFOUND, "证书编号格式不正确 / %q is not a certificate number.", number)
	}
	cert, err := c.Certs.FindCertificate(ctx, number)
	if ErrorCode(err) == ENOTFOUND {
		return nil, Errorf(ENOTFOUND, "没有编号为 %s 的证书 / No certificate has the number %s.", number, number)
	}
	return cert, err
}

// CanManage reports whether actor may manage holder's certificates: an
// admin, or someone with the certificates permission on one of the
// holder's sites.
func (c *Certifier) CanManage(actor, holder *User) bool {
	if actor.IsAdmin() {
		return true
	}
	for _, s := range holder.Sites {
		if c.Authz.Can(actor, s, PermCerts) {
			return true
		}
	}
	return false
}

// Open returns a certificate and its holder to someone who may see more
// than the public page: the holder, a manager of the holder's sites, an
// admin. To anyone else it does not exist: other sites' people are not
// their business, not even their existence.
func (c *Certifier) Open(ctx context.Context, actor *User, number string) (*Certificate, *User, error) {
	cert, err := c.Verify(ctx, number)
	if err != nil {
		return nil, nil, err
	}
	holder, err := c.Users.FindUser(ctx, cert.Username)
	if err != nil {
		return nil, nil, err
	}
	if holder.ID != actor.ID && !c.CanManage(actor, holder) {
		return nil, nil, Errorf(ENOTFOUND, "没有编号为 %s 的证书 / No certificate has the number %s.", cert.Number, cert.Number)
	}
	return cert, holder, nil
}

// Revoke withdraws a certificate with a reason, and the roles it granted.
func (c *Certifier) Revoke(ctx context.Context, actor *User, number, reason, ip string) (*Certificate, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, Errorf(EINVALID, "reason: 请填写撤销原因 / Give a reason for revoking.")
	}
	if err := CheckText("reason", reason, 500, false); err != nil {
		return nil, err
	}
	cert, holder, err := c.Open(ctx, actor, number)
	if err != nil {
		return nil, err
	}
	if !c.CanManage(actor, holder) {
		// Holders see their own certificates but do not revoke them.
		return nil, Errorf(EFORBIDDEN, "只有主管或管理员可以撤销证书 / Only managers and admins revoke certificates.")
	}
	if !cert.RevokedAt.IsZero() {
		return nil, Errorf(ECONFLICT, "证书 %s 已于 %s 撤销 / Certificate %s is already revoked.", cert.Number, cert.RevokedAt.In(c.zoneOf(ctx, actor)).Format("2006-01-02"), cert.Number)
	}
	now := c.Now()
	cert.RevokedAt, cert.RevokedBy, cert.RevokeReason = now, actor.ID, reason
	return cert, c.setRevoked(ctx, cert, holder, true, &AuditEvent{Time: now, Actor: actor.ID, Action: AuditCertRevoked,
		Target: cert.Number, IP: ip, Detail: reason})
}

// setRevoked stores a certificate just revoked or reinstated, and brings
// the roles it grants, its bit in the revocation list and the audit log in
// line with it.
func (c *Certifier) setRevoked(ctx context.Context, cert *Certificate, holder *User, revoked bool, audit *AuditEvent) error {
	if err := c.Certs.SaveCertificate(ctx, cert); err != nil {
		return err
	}
	grants := slices.Clone(holder.CertGrants)
	for i := range grants {
		if grants[i].Number == cert.Number {
			grants[i].Revoked = revoked
		}
	}
	if err := c.Users.SetCertGrants(ctx, holder.ID, grants); err != nil {
		return err
	}
	if cert.StatusIndex > 0 {
		if err := c.Certs.SetRevoked(ctx, cert.StatusIndex, revoked); err != nil {
			return err
		}
	}
	return c.Audit.RecordAudit(ctx, audit)
}

// Reinstate undoes a revocation, with a reason, for a manager of the
// holder or an admin: the certificate is valid again until its own
// expiry, with the roles it grants, and the revocation stays on record.
func (c *Certifier) Reinstate(ctx context.Context, actor *User, number, reason, ip string) (*Certificate, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, Errorf(EINVALID, "reason: 请填写恢复原因 / Give a reason for reinstating.")
	}
	if err := CheckText("reason", reason, 500, false); err != nil {
		return nil, err
	}
	cert, holder, err := c.Open(ctx, actor, number)
	if err != nil {
		return nil, err
	}
	if !c.CanManage(actor, holder) {
		return nil, Errorf(EFORBIDDEN, "只有主管或管理员可以恢复证书 / Only managers and admins reinstate certificates.")
	}
	if cert.RevokedAt.IsZero() {
		return nil, Errorf(ECONFLICT, "证书 %s 没有被撤销 / Certificate %s is not revoked.", cert.Number, cert.Number)
	}
	now := c.Now()
	cert.Reinstatements = append(cert.Reinstatements, Reinstatement{At: now, By: actor.ID, Reason: reason,
		RevokedAt: cert.RevokedAt, RevokeReason: cert.RevokeReason})
	cert.RevokedAt, cert.RevokedBy, cert.RevokeReason = time.Time{}, "", ""
	return cert, c.setRevoked(ctx, cert, holder, false, &AuditEvent{Time: now, Actor: actor.ID, Action: AuditCertReinstated,
		Target: cert.Number, IP: ip, Detail: reason})
}

// Credential returns a certificate's signed credential to whoever may open
// the certificate.
func (c *Certifier) Credential(ctx context.Context, actor *User, number string) ([]byte, *Certificate, error) {
	cert, _, err := c.Open(ctx, actor, number)
	if err != nil {
		return nil, nil, err
	}
	b, err := c.credential(ctx, cert)
	return b, cert, err
}

// credential returns the credential kept for cert, signing and keeping it
// first if there is none: the certificate was issued before credentials
// were kept, or its issuing stopped before the signature. A certificate
// without a place in the revocation list is given one, revoked there if
// the certificate is.
func (c *Certifier) credential(ctx context.Context, cert *Certificate) ([]byte, error) {
	if c.Signer == nil {
		return nil, Errorf(ENOTFOUND, "证书没有电子凭证 / This certificate has no credential.")
	}
	b, err := c.Certs.FindCredential(ctx, cert.Number)
	if ErrorCode(err) != ENOTFOUND {
		return b, err
	}
	if cert.StatusIndex == 0 {
		if cert.StatusIndex, err = c.Certs.NextStatusIndex(ctx); err != nil {
			return nil, err
		}
		if err := c.Certs.SaveCertificate(ctx, cert); err != nil {
			return nil, err
		}
		if !cert.RevokedAt.IsZero() {
			if err := c.Certs.SetRevoked(ctx, cert.StatusIndex, true); err != nil {
				return nil, err
			}
		}
	}
	p := c.program(cert.Program)
	if p == nil {
		// An archived program keeps its certificates: describe it by name.
		p = &Program{Slug: cert.Program, Name: cert.ProgramName}
	}
	if b, err = c.Signer.SignCertificate(cert, p, p.Wording(c.Programs.Title), c.Now()); err != nil {
		return nil, err
	}
	switch err := c.Certs.SaveCredential(ctx, cert.Number, b); {
	case ErrorCode(err) == ECONFLICT: // signed at the same time elsewhere: hand out the one kept
		return c.Certs.FindCredential(ctx, cert.Number)
	case err != nil:
		return nil, err
	}
	return b, nil
}

func (c *Certifier) program(slug string) *Program {
	for _, p := range c.Programs.ActivePrograms() {
		if p.Slug == slug {
			return p
		}
	}
	return nil
}

// StatusList returns revocation list number list (from 1) signed, signing
// it again only when a revocation or reinstatement changed the lists.
func (c *Certifier) StatusList(ctx context.Context, list int) ([]byte, error) {
	if c.Signer == nil || list < 1 {
		return nil, Errorf(ENOTFOUND, "没有这份撤销清单 / No such revocation list.")
	}
	revoked, version, highest, err := c.Certs.RevocationList(ctx)
	if err != nil {
		return nil, err
	}
	if (list-1)*StatusListSize > highest {
		return nil, Errorf(ENOTFOUND, "没有这份撤销清单 / No such revocation list.")
	}
	c.statusMu.Lock()
	defer c.statusMu.Unlock()
	if l, ok := c.statusLists[list]; ok && l.version == version {
		return l.json, nil
	}
	b, err := c.Signer.SignStatusList(list, revoked, c.Now())
	if err != nil {
		return nil, err
	}
	if c.statusLists == nil {
		c.statusLists = map[int]signedList{}
	}
	c.statusLists[list] = signedList{version, b}
	return b, nil
}

// RefusalReason explains why u cannot work as role at now when a
// certificate used to let them, or returns "". Dates are days in loc, the
// zone u reads them in.
func RefusalReason(u *User, role string, now time.Time, loc *time.Location) string {
	g := u.LapsedGrant(role, now)
	if g == nil {
		return ""
	}
	if g.Revoked {
		return fmt.Sprintf("您的认证证书 %s 已被撤销，不能处理真实工单 / Your certificate %s was revoked; you may not work live tickets.", g.Number, g.Number)
	}
	return fmt.Sprintf("您的认证已于 %s 过期，请完成复训后再处理真实工单 / Your certification expired on %s; recertify to work live tickets again.",
		g.Until.In(loc).Format("2006-01-02"), g.Until.In(loc).Format("2006-01-02"))
}

// DefaultOnboardingDue is how long after hiring a new person should hold
// the programs; past it without a certificate they are overdue.
const DefaultOnboardingDue = 30 * 24 * time.Hour

// WorkProgram is the program managers chase first, and the team
// dashboards open on: the first active one that unlocks work (grants a
// role), else the first; nil when there is none.
func WorkProgram(active []*Program) *Program {
	if i := slices.IndexFunc(active, func(p *Program) bool { return len(p.Grants) > 0 }); i >= 0 {
		return active[i]
	}
	if len(active) > 0 {
		return active[0]
	}
	return nil
}

// TeamRow is one person on a team dashboard.
type TeamRow struct {
	User     *User
	Standing Standing
	// Due is when they should hold the program: hire date plus the
	// onboarding time, or the current certificate's expiry.
	Due     time.Time
	Overdue bool
	// FirstIssued is when the person was first certified, for charts.
	FirstIssued time.Time
}

// TeamEvidence is what the team dashboards read about many people, as it
// stood at At.
type TeamEvidence struct {
	At       time.Time
	Users    []*User
	progress map[string]*Progress
	records  map[string]*QuizRecord
	runs     map[string][]RunSummary
	checks   map[string][]RunChecks
	// awards are the certificates by program, then person, oldest first.
	awards map[string]map[string][]*Certificate
	// zones are the people's calendars (Certifier.Zones) by username.
	zones map[string]*time.Location
	// memo keeps what views computed from this evidence, which does not
	// change: every manager within MaxAge asks the same questions of it.
	memo sync.Map
	seed maphash.Seed // of the memo's hashes of people
}

type memoEntry struct {
	once sync.Once
	v    any
}

// remember returns f's result for key, computed once per evidence.
func remember[T any](ev *TeamEvidence, key any, f func() T) T {
	e, _ := ev.memo.LoadOrStore(key, &memoEntry{})
	m := e.(*memoEntry)
	m.once.Do(func() { m.v = f() })
	return m.v.(T)
}

// GatherTeam reads the evidence about users with a handful of queries,
// whatever their number, all at once: someone is waiting for it.
func (c *Certifier) GatherTeam(ctx context.Context, users []*User) (*TeamEvidence, error) {
	return c.gatherTeam(ctx, users, -1)
}

// gatherTeam is GatherTeam with at most reads queries at a time (-1: all
// at once).
func (c *Certifier) gatherTeam(ctx context.Context, users []*User, reads int) (*TeamEvidence, error) {
	names := make([]string, len(users))
	for i, u := range users {
		names[i] = u.ID
	}
	ev := &TeamEvidence{At: c.Now(), Users: users, progress: map[string]*Progress{}, records: map[string]*QuizRecord{},
		awards: map[string]map[string][]*Certificate{}, zones: map[string]*time.Location{}, seed: maphash.MakeSeed()}
	if c.Zones != nil {
		for _, u := range users {
			ev.zones[u.ID] = c.Zones.ZoneOf(ctx, u)
		}
	}
	// Independent reads, each a scan on the embedded store: at the same
	// time, the wait is the slowest rather than their sum.
	var (
		progress []*Progress
		records  []*QuizRecord
		certs    []*Certificate
	)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(reads)
	g.Go(func() (err error) { progress, err = c.Progress.ListProgress(gctx, names); return err })
	g.Go(func() (err error) { records, err = c.Attempts.ListRecords(gctx, names); return err })
	g.Go(func() (err error) { ev.runs, err = c.Runs.ListRunsOf(gctx, names); return err })
	g.Go(func() (err error) { ev.checks, err = c.Runs.ListRunChecks(gctx, names); return err })
	g.Go(func() (err error) { certs, err = c.Certs.ListCertificates(gctx); return err })
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for _, pr := range progress {
		ev.progress[pr.Username] = pr
	}
	for _, r := range records {
		ev.records[r.Username] = r
	}
	for _, cert := range certs {
		if ev.awards[cert.Program] == nil {
			ev.awards[cert.Program] = map[string][]*Certificate{}
		}
		ev.awards[cert.Program][cert.Username] = append(ev.awards[cert.Program][cert.Username], cert)
	}
	for _, byUser := range ev.awards {
		for _, as := range byUser {
			slices.SortFunc(as, func(a, b *Certificate) int { return a.Seq - b.Seq })
		}
	}
	return ev, nil
}

// Team assesses people (drawn from ev.Users) on one program, as of ev.At.
func (c *Certifier) Team(ev *TeamEvidence, people []*User, p *Program) []TeamRow {
	type rowsOf struct{ p *Program }
	all := remember(ev, rowsOf{p}, func() map[string]TeamRow {
		m := make(map[string]TeamRow, len(ev.Users))
		for _, u := range ev.Users {
			m[u.ID] = c.teamRow(ev, u, p)
		}
		return m
	})
	out := make([]TeamRow, 0, len(people))
	for _, u := range people {
		row, ok := all[u.ID]
		if !ok {
			row = c.teamRow(ev, u, p)
		}
		out = append(out, row)
	}
	return out
}

func (c *Certifier) teamRow(ev *TeamEvidence, u *User, p *Program) TeamRow {
	e := Evidence{Progress: ev.progress[u.ID], Quizzes: ev.records[u.ID], Runs: ev.runs[u.ID]}
	if e.Progress == nil {
		e.Progress = &Progress{Username: u.ID}
	}
	if e.Quizzes == nil {
		e.Quizzes = &QuizRecord{Username: u.ID}
	}
	as := ev.awards[p.Slug][u.ID]
	row := TeamRow{User: u, Standing: c.Assess(p, as, e, ev.At)}
	if len(as) > 0 {
		row.FirstIssued = as[0].IssuedAt
	}
	switch {
	case row.Standing.Current != nil:
		row.Due = row.Standing.Current.ExpiresAt
		row.Overdue = row.Standing.Status == CertExpired || row.Standing.Status == CertRevoked
	case u.HireDate != "":
		loc := ev.zones[u.ID]
		if loc == nil {
			loc = time.UTC
		}
		row.Due = u.HireDate.Start(loc).Add(DefaultOnboardingDue)
		row.Overdue = ev.At.After(row.Due)
	}
	return row
}

// RunChecks are the task checks of username's finished runs.
func (ev *TeamEvidence) RunChecks(username string) []RunChecks { return ev.checks[username] }

// WeakSpots finds what people fail most in the program's quizzes (and the
// banks they draw on) and in their scenario runs.
func (ev *TeamEvidence) WeakSpots(people []*User, p *Program, quizzes map[string]*Quiz, limit int) (questions, checks []WeakSpot) {
	// The same people, program, quiz texts and limit give the same answer.
	type weakOf struct {
		p       *Program
		quizzes string
		people  uint64
		limit   int
	}
	var h maphash.Hash
	h.SetSeed(ev.seed)
	for _, u := range people {
		h.WriteString(u.ID)
		h.WriteByte(0)
	}
	r := remember(ev, weakOf{p, fmt.Sprintf("%p", quizzes), h.Sum64(), limit}, func() [2][]WeakSpot {
		wanted := map[string]bool{}
		for _, q := range p.Requirements.Quizzes {
			wanted[q.Quiz] = true
		}
		var (
			records []*QuizRecord
			runs    []RunChecks
		)
		for _, u := range people {
			if r := ev.records[u.ID]; r != nil {
				records = append(records, r)
			}
			runs = append(runs, ev.checks[u.ID]...)
		}
		q, c := WeakSpots(records, runs, quizzes, wanted, limit)
		return [2][]WeakSpot{q, c}
	})
	return r[0], r[1]
}

// zoneOf is the zone u reads dates in (Zones), UTC without one.
func (c *Certifier) zoneOf(ctx context.Context, u *User) *time.Location {
	if c.Zones == nil {
		return time.UTC
	}
	return c.Zones.ZoneOf(ctx, u)
}
