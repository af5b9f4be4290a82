package academy

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Program is a certification: what it takes, how long it lasts, what it
// takes to renew, and what holding it grants.
type Program struct {
	Slug           string       `json:"slug" bson:"_id" yaml:"-"`
	Name           string       `json:"name" bson:"name" yaml:"name"`
	Description    string       `json:"description" bson:"description" yaml:"description"`
	Requirements   Requirements `json:"requirements" bson:"requirements" yaml:"requirements"`
	ValidityMonths int          `json:"validity_months" bson:"validity_months" yaml:"validity_months"`
	// Recert is the refresher subset; passing it in the renewal window (or
	// after expiry) issues the next certificate.
	Recert Requirements `json:"recert" bson:"recert" yaml:"recert"`
	// DeltaRecert limits the refresher's scenarios to what the holder
	// fails at work: those that teach the checks their live tickets
	// failed often enough to be flagged since the certificate was issued,
	// all of them, and none for a holder with no such flag. The
	// refresher's courses and quizzes stay.
	DeltaRecert bool `json:"delta_recert,omitempty" bson:"delta_recert,omitempty" yaml:"delta_recert,omitempty"`
	// AfterRevocation is what earns the program again after a revocation,
	// all of it dated after the revocation; empty means the requirements'
	// quizzes and scenarios again (courses stay done).
	AfterRevocation Requirements `json:"after_revocation" bson:"after_revocation" yaml:"after_revocation,omitempty"`
	// Grants are the roles holding the certificate gives on the holder's
	// sites, for as long as it is valid.
	Grants    []string  `json:"grants" bson:"grants" yaml:"grants,flow"`
	Status    string    `json:"status" bson:"status" yaml:"-"`
	Hash      string    `json:"-" bson:"hash" yaml:"-"`
	UpdatedAt time.Time `json:"updated_at" bson:"updated_at" yaml:"-"`
}

// ContentHash digests what the program's file says.
func (p *Program) ContentHash() string {
	v := *p
	v.Status, v.Hash, v.UpdatedAt = "", "", time.Time{}
	b, _ := json.Marshal(v)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// ProgramService stores programs.
type ProgramService interface {
	ListPrograms(ctx context.Context) ([]*Program, error)
	SaveProgram(ctx context.Context, p *Program) error
	SetProgramStatus(ctx context.Context, slug, status string) error
}

// SaveProgram stores a program edited in the web, after checking it
// against the content in force; the next file import overwrites it, since
// files win (as for scenarios).
func (l *Library) SaveProgram(ctx context.Context, p *Program, store ProgramService, courses, quizzes, scenarios map[string]bool) error {
	if problems := p.Validate(courses, quizzes, scenarios); len(problems) > 0 {
		zh, en := JoinMessages(problems)
		return Errorf(EINVALID, "%s / %s", zh, en)
	}
	p.Hash, p.Status, p.UpdatedAt = p.ContentHash(), CourseActive, l.Now()
	if err := store.SaveProgram(ctx, p); err != nil {
		return err
	}
	_, err := l.Courses.BumpContentVersion(ctx)
	return err
}

// ImportPrograms brings the stored programs in line with the files, which
// always win; removed ones are archived (certificates stay valid).
func (l *Library) ImportPrograms(ctx context.Context, files []*Program, store ProgramService) (*ImportReport, error) {
	stored, err := store.ListPrograms(ctx)
	if err != nil {
		return nil, err
	}
	return importFiles(ctx, l, fileSet[*Program]{
		files: files, stored: stored,
		meta: func(p *Program) *fileMeta {
			return &fileMeta{&p.Slug, &p.Hash, &p.Status, &p.UpdatedAt, p.ContentHash}
		},
		save: store.SaveProgram, setStatus: store.SetProgramStatus,
	})
}

// AfterRevocationRequirements is what earns the program back after a
// revocation.
func (p *Program) AfterRevocationRequirements() Requirements {
	if !p.AfterRevocation.empty() {
		return p.AfterRevocation
	}
	r := p.Requirements
	r.Courses = nil
	if r.empty() { // a program of courses only: they are done again
		return p.Requirements
	}
	return r
}

func (r Requirements) empty() bool { return len(r.Courses)+len(r.Quizzes)+len(r.Scenarios) == 0 }

// Requirements of a program.
type Requirements struct {
	Courses   []string          `json:"courses" bson:"courses" yaml:"courses,flow"`
	Quizzes   []QuizRequirement `json:"quizzes" bson:"quizzes" yaml:"quizzes"`
	Scenarios []string          `json:"scenarios" bson:"scenarios" yaml:"scenarios,flow"`
	// MinScenarios is how many of Scenarios must be passed; 0 means all.
	MinScenarios int `json:"min_scenarios" bson:"min_scenarios" yaml:"min_scenarios,omitempty"`
}

// QuizRequirement asks for a quiz passed at or above a percentage.
type QuizRequirement struct {
	Quiz       string  `json:"quiz" bson:"quiz" yaml:"quiz"`
	MinPercent float64 `json:"min_percent" bson:"min_percent" yaml:"min_percent"`
}

// Validate checks a program against the content it refers to.
func (p *Program) Validate(courses, quizzes, scenarios map[string]bool) []string {
	var out []string
	if !ValidSlug(p.Slug) {
		out = append(out, fmt.Sprintf("file name: 文件名 %q 不是有效的标识 / %q is not a slug", p.Slug, p.Slug))
	}
	if strings.TrimSpace(p.Name) == "" {
		out = append(out, "name: 请填写名称 / required")
	} else if err := CheckText("name", p.Name, 100, false); err != nil {
		out = append(out, ErrorMessage(err)) // printed on every certificate
	}
	if err := CheckText("description", p.Description, 2000, true); err != nil {
		out = append(out, ErrorMessage(err))
	}
	if p.ValidityMonths <= 0 || p.ValidityMonths > 120 {
		out = append(out, "validity_months: 有效期为 1 到 120 个月 / 1 to 120")
	}
	for _, g := range p.Grants {
		if !slices.Contains(Roles, g) || g == RoleAdmin {
			out = append(out, fmt.Sprintf("grants: 证书不能授予角色 %q / %q is not a role a certificate can grant", g, g))
		}
	}
	check := func(where string, r Requirements) {
		for _, c := range r.Courses {
			if !courses[c] {
				out = append(out, fmt.Sprintf("%s.courses: 没有课程 %q / no course %q", where, c, c))
			}
		}
		for _, q := range r.Quizzes {
			if !quizzes[q.Quiz] {
				out = append(out, fmt.Sprintf("%s.quizzes: 没有测验 %q / no quiz %q", where, q.Quiz, q.Quiz))
			}
			// Written so that NaN fails too: no score reaches NaN.
			if !(q.MinPercent >= 0 && q.MinPercent <= 100) {
				out = append(out, fmt.Sprintf("%s.quizzes: 最低分数线 min_percent 须在 0–100 之间，现为 %v / min_percent %v is not 0–100", where, q.MinPercent, q.MinPercent))
			}
		}
		for _, s := range r.Scenarios {
			if !scenarios[s] {
				out = append(out, fmt.Sprintf("%s.scenarios: 没有情景演练 %q / no scenario %q", where, s, s))
			}
		}
		if r.MinScenarios < 0 || r.MinScenarios > len(r.Scenarios) {
			out = append(out, fmt.Sprintf("%s.min_scenarios: 须在 0 到 %d 之间，现为 %d / %d of %d scenarios", where, len(r.Scenarios), r.MinScenarios, r.MinScenarios, len(r.Scenarios)))
		}
	}
	check("requirements", p.Requirements)
	check("recert", p.Recert)
	check("after_revocation", p.AfterRevocation)
	if len(p.AfterRevocation.Courses) > 0 {
		// A course stays completed, so it cannot show anything new.
		out = append(out, "after_revocation.courses: 课程完成后不会重来，撤销后无法再证明什么，请列出测验和情景演练 / a course once completed proves nothing new after a revocation; list quizzes and scenarios")
	}
	if p.DeltaRecert && len(p.Recert.Courses)+len(p.Recert.Quizzes) == 0 {
		// A holder who fails nothing at work would have nothing to show.
		out = append(out, "delta_recert: 差异复训除情景演练外还需要课程或测验 / the refresher needs a course or quiz besides its scenarios")
	}
	if len(p.Requirements.Courses)+len(p.Requirements.Quizzes)+len(p.Requirements.Scenarios) == 0 {
		out = append(out, "requirements: 至少需要一门课程、一个测验或一个情景演练 / at least one course, quiz or scenario")
	}
	return out
}

// Evidence is what a learner has done, as the three per-learner documents
// hold it.
type Evidence struct {
	Progress *Progress
	Quizzes  *QuizRecord
	Runs     []RunSummary
	// Failing are the scenarios that teach what the learner fails on live
	// tickets since their current certificate was issued, read only for
	// a program with DeltaRecert that they are renewing. nil is "not
	// read" (views gathered in bulk): the refresher is then shown as
	// written, which asks for more, never for less, than the rule.
	Failing []string
}

// ReqStatus is a learner's standing on one requirement.
type ReqStatus struct {
	Kind   string    `json:"kind"` // course, quiz, scenario
	Ref    string    `json:"ref"`
	Done   bool      `json:"done"`
	At     time.Time `json:"at,omitzero"` // when it was met
	Detail string    `json:"detail,omitempty"`
}

// Status lists a learner's standing on each requirement, counting only quiz
// and scenario results from since on (zero: all of them).
func (r Requirements) Status(ev Evidence, courses map[string]*Course, since time.Time) []ReqStatus {
	var out []ReqStatus
	for _, c := range r.Courses {
		s := ReqStatus{Kind: "course", Ref: c}
		if course := courses[c]; course != nil {
			st := ev.Progress.Status(course, courses)
			cp := ev.Progress.Course(c)
			s.Detail = fmt.Sprintf("%d/%d", st.Done, st.Total)
			// A course is completed once and stays completed, so it counts
			// whenever it was done; renewal is proven by quizzes and
			// scenarios taken again.
			if st.Complete {
				s.Done, s.At = true, cp.CompletedAt
			}
		}
		out = append(out, s)
	}
	for _, q := range r.Quizzes {
		s := ReqStatus{Kind: "quiz", Ref: q.Quiz}
		best := -1.0
		for _, a := range ev.Quizzes.History(q.Quiz).List() {
			if (a.State == AttemptSubmitted || a.State == AttemptExpired) && !a.SubmittedAt.Before(since) {
				best = max(best, a.Percent)
				if a.Passed && a.Percent >= q.MinPercent && (!s.Done || a.SubmittedAt.Before(s.At)) {
					s.Done, s.At = true, a.SubmittedAt
				}
			}
		}
		if best >= 0 {
			s.Detail = fmt.Sprintf("%g%%", best)
		}
		out = append(out, s)
	}
	for _, sc := range r.Scenarios {
		s := ReqStatus{Kind: "scenario", Ref: sc}
		for _, run := range ev.Runs {
			if run.Scenario == sc && run.Passed && !run.FinishedAt.Before(since) && (!s.Done || run.FinishedAt.Before(s.At)) {
				s.Done, s.At, s.Detail = true, run.FinishedAt, fmt.Sprintf("%g%%", run.Percent)
			}
		}
		out = append(out, s)
	}
	return out
}

// Met reports whether statuses satisfy r, and when the last needed one was
// met.
func (r Requirements) Met(statuses []ReqStatus) (bool, time.Time) {
	var last time.Time
	scenarios, need := 0, r.MinScenarios
	if need == 0 {
		need = len(r.Scenarios)
	}
	var scenarioTimes []time.Time
	for _, s := range statuses {
		if s.Kind == "scenario" {
			if s.Done {
				scenarios++
				scenarioTimes = append(scenarioTimes, s.At)
			}
			continue
		}
		if !s.Done {
			return false, time.Time{}
		}
		if s.At.After(last) {
			last = s.At
		}
	}
	if scenarios < need {
		return false, time.Time{}
	}
	slices.SortFunc(scenarioTimes, func(a, b time.Time) int { return a.Compare(b) })
	if need > 0 && scenarioTimes[need-1].After(last) {
		last = scenarioTimes[need-1]
	}
	return true, last
}

// Certificate statuses.
const (
	CertValid    = "valid"
	CertExpiring = "expiring"
	CertExpired  = "expired"
	CertRevoked  = "revoked"
)

// DefaultExpiringWindow is how long before expiry a certificate counts as
// expiring soon (and renewal work is assigned).
const DefaultExpiringWindow = 30 * 24 * time.Hour

// Certificate is one award of a program to a person.
type Certificate struct {
	Number       string    `json:"number" bson:"_id"`
	Username     string    `json:"username" bson:"username"`
	Holder       string    `json:"holder" bson:"holder"`
	Program      string    `json:"program" bson:"program"`
	ProgramName  string    `json:"program_name" bson:"program_name"`
	Seq          int       `json:"seq" bson:"seq"` // 1 for the first award of the program to this person
	IssuedAt     time.Time `json:"issued_at" bson:"issued_at"`
	ExpiresAt    time.Time `json:"expires_at" bson:"expires_at"`
	RevokedAt    time.Time `json:"revoked_at,omitzero" bson:"revoked_at,omitempty"`
	RevokedBy    string    `json:"-" bson:"revoked_by,omitempty"`
	RevokeReason string    `json:"revoke_reason,omitempty" bson:"revoke_reason,omitempty"`
	// StatusIndex is the certificate's place in the published revocation
	// list (from 1; 0 for certificates issued before there was one, given
	// a place when their credential is first made).
	StatusIndex int `json:"-" bson:"status_index,omitempty"`
	// Reinstatements are the revocations a manager undid, with why.
	Reinstatements []Reinstatement `json:"reinstatements,omitempty" bson:"reinstatements,omitempty"`
}

// Reinstatement is a revocation undone: when, by whom, why, and what the
// revocation had said.
type Reinstatement struct {
	At           time.Time `json:"at" bson:"at"`
	By           string    `json:"-" bson:"by"`
	Reason       string    `json:"reason" bson:"reason"`
	RevokedAt    time.Time `json:"revoked_at" bson:"revoked_at"`
	RevokeReason string    `json:"revoke_reason" bson:"revoke_reason"`
}

// StatusAt is the certificate's status at now.
func (c *Certificate) StatusAt(now time.Time, window time.Duration) string {
	switch {
	case !c.RevokedAt.IsZero():
		return CertRevoked
	case !now.Before(c.ExpiresAt):
		return CertExpired
	case now.Add(window).After(c.ExpiresAt):
		return CertExpiring
	}
	return CertValid
}

// CertGrant is a role a certificate gives, until it expires.
type CertGrant struct {
	Role    string    `json:"role" bson:"role"`
	Program string    `json:"program" bson:"program"`
	Number  string    `json:"number" bson:"number"`
	Until   time.Time `json:"until" bson:"until"`
	Revoked bool      `json:"revoked,omitempty" bson:"revoked,omitempty"`
}

// ActiveAt reports whether the grant holds at now.
func (g CertGrant) ActiveAt(now time.Time) bool { return !g.Revoked && now.Before(g.Until) }

// certAlphabet is Crockford's base32: no I, L, O or U to misread aloud.
const certAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// NewCertificateNumber returns an unguessable certificate number: 80 random
// bits in Crockford base32, grouped for reading aloud.
func NewCertificateNumber() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	var out strings.Builder
	out.WriteString("AC")
	for i, c := range b {
		if i%4 == 0 {
			out.WriteByte('-')
		}
		// 16 characters of 5 bits each; the top 3 bits of every byte are
		// dropped, so that is 16×5 = 80 random bits.
		out.WriteByte(certAlphabet[c&31])
	}
	return out.String()
}

// CertStore stores certificates. The certificate itself lives under the
// key <username>/<program>/<seq>, which is what makes issuing happen once;
// the number is an index onto that key.
type CertStore interface {
	// ClaimCertificate stores award c.Seq of c.Program to c.Username;
	// ECONFLICT if another issuance took that award first.
	ClaimCertificate(ctx context.Context, c *Certificate) error
	// IndexCertificate (idempotently) makes c findable by its number.
	IndexCertificate(ctx context.Context, c *Certificate) error
	FindCertificate(ctx context.Context, number string) (*Certificate, error)
	// FindAward returns award seq of program to username, ENOTFOUND if none.
	FindAward(ctx context.Context, username, program string, seq int) (*Certificate, error)
	// SaveCertificate rewrites a stored certificate (revocation).
	SaveCertificate(ctx context.Context, c *Certificate) error
	// ListCertificates returns every certificate, for dashboards.
	ListCertificates(ctx context.Context) ([]*Certificate, error)
	// NextStatusIndex hands out the next place in the revocation list,
	// never the same twice.
	NextStatusIndex(ctx context.Context) (int, error)
	// SetRevoked marks place index of the revocation list revoked or not,
	// and moves the list's version on.
	SetRevoked(ctx context.Context, index int, revoked bool) error
	// RevocationList returns the revoked places, the list's version and
	// the highest place handed out.
	RevocationList(ctx context.Context) (revoked []int, version, highest int, err error)
	// SaveCredential keeps the signed credential of a certificate; the
	// first one kept stays (ECONFLICT for a second).
	SaveCredential(ctx context.Context, number string, credential []byte) error
	// FindCredential returns the kept credential, ENOTFOUND if none.
	FindCredential(ctx context.Context, number string) ([]byte, error)
}

// CredentialSigner turns certificates into signed credentials that anyone
// can check, and signs the list that says which are revoked.
type CredentialSigner interface {
	SignCertificate(c *Certificate, p *Program, w Wording, now time.Time) ([]byte, error)
	// SignStatusList signs revocation list number list (from 1) with the
	// revoked places among those it holds.
	SignStatusList(list int, revoked []int, now time.Time) ([]byte, error)
}

// StatusListSize is how many places one published revocation list holds
// (the Bitstring Status List minimum, which hides who is revoked among
// many); place i is in list i/StatusListSize + 1.
const StatusListSize = 131072

// Wording says what a program required, in both languages: a summary for
// the certificate's page and the whole list for the credential's criteria.
type Wording struct {
	SummaryZH, SummaryEN string
	DetailZH, DetailEN   string
}

// Titles names content by kind ("course", "quiz", "scenario") and slug.
type Titles func(kind, slug string) string

// Wording describes what earns the program: its requirements by name, the
// pass mark of each quiz, and how many of its scenarios must be passed.
func (p *Program) Wording(title Titles) Wording {
	r := p.Requirements
	need := r.MinScenarios
	if need == 0 {
		need = len(r.Scenarios)
	}
	names := func(kind string, slugs []string) []string {
		out := make([]string, len(slugs))
		for i, s := range slugs {
			out[i] = cmp.Or(title(kind, s), s)
		}
		return out
	}
	var zh, en, dzh, den []string
	if n := len(r.Courses); n > 0 {
		zh = append(zh, fmt.Sprintf("学完 %d 门课程", n))
		en = append(en, fmt.Sprintf("completed %d %s", n, plural(n, "course", "courses")))
		dzh = append(dzh, "课程："+strings.Join(names("course", r.Courses), "、"))
		den = append(den, "Courses: "+strings.Join(names("course", r.Courses), ", "))
	}
	if n := len(r.Quizzes); n > 0 {
		marks := map[float64]bool{}
		var qzh, qen []string
		for _, q := range r.Quizzes {
			marks[q.MinPercent] = true
			t := cmp.Or(title("quiz", q.Quiz), q.Quiz)
			qzh = append(qzh, fmt.Sprintf("%s（%g 分以上）", t, q.MinPercent))
			qen = append(qen, fmt.Sprintf("%s (%g%% or more)", t, q.MinPercent))
		}
		if len(marks) == 1 {
			zh = append(zh, fmt.Sprintf("%d 项测验均达到 %g 分", n, r.Quizzes[0].MinPercent))
			en = append(en, fmt.Sprintf("scored %g%% or more in %d %s", r.Quizzes[0].MinPercent, n, plural(n, "quiz", "quizzes")))
		} else {
			zh = append(zh, fmt.Sprintf("%d 项测验各达合格线", n))
			en = append(en, fmt.Sprintf("passed %d %s at their marks", n, plural(n, "quiz", "quizzes")))
		}
		dzh = append(dzh, "测验："+strings.Join(qzh, "、"))
		den = append(den, "Quizzes: "+strings.Join(qen, ", "))
	}
	if n := len(r.Scenarios); n > 0 {
		if need < n {
			zh = append(zh, fmt.Sprintf("在 %d 个情景演练中通过 %d 个", n, need))
			en = append(en, fmt.Sprintf("passed %d of %d practice calls", need, n))
			dzh = append(dzh, fmt.Sprintf("情景演练（%d 个中通过 %d 个）：%s", n, need, strings.Join(names("scenario", r.Scenarios), "、")))
			den = append(den, fmt.Sprintf("Practice calls (%d of %d passed): %s", need, n, strings.Join(names("scenario", r.Scenarios), ", ")))
		} else {
			zh = append(zh, fmt.Sprintf("通过 %d 个情景演练", n))
			en = append(en, fmt.Sprintf("passed %d practice %s", n, plural(n, "call", "calls")))
			dzh = append(dzh, "情景演练："+strings.Join(names("scenario", r.Scenarios), "、"))
			den = append(den, "Practice calls: "+strings.Join(names("scenario", r.Scenarios), ", "))
		}
	}
	w := Wording{
		SummaryZH: "已" + strings.Join(zh, "，") + "，成绩合格，特发此证。",
		SummaryEN: "Has " + strings.Join(en, ", ") + ".",
	}
	validity := fmt.Sprintf("有效期 %d 个月。", p.ValidityMonths)
	validityEN := fmt.Sprintf("Valid for %d %s.", p.ValidityMonths, plural(p.ValidityMonths, "month", "months"))
	w.DetailZH = strings.Join(dzh, "；") + "。" + validity
	w.DetailEN = strings.Join(den, "; ") + ". " + validityEN
	return w
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
