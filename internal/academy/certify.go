package academy

import (
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
		return Errorf(EINVALID, "%s", strings.Join(problems, "；"))
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
		out = append(out, fmt.Sprintf("file name: %q is not a slug", p.Slug))
	}
	if strings.TrimSpace(p.Name) == "" {
		out = append(out, "name: required")
	}
	if p.ValidityMonths <= 0 || p.ValidityMonths > 120 {
		out = append(out, "validity_months: 1 to 120")
	}
	for _, g := range p.Grants {
		if !slices.Contains(Roles, g) || g == RoleAdmin {
			out = append(out, fmt.Sprintf("grants: %q is not a role a certificate can grant", g))
		}
	}
	check := func(where string, r Requirements) {
		for _, c := range r.Courses {
			if !courses[c] {
				out = append(out, fmt.Sprintf("%s.courses: no course %q", where, c))
			}
		}
		for _, q := range r.Quizzes {
			if !quizzes[q.Quiz] {
				out = append(out, fmt.Sprintf("%s.quizzes: no quiz %q", where, q.Quiz))
			}
			// Written so that NaN fails too: no score reaches NaN.
			if !(q.MinPercent >= 0 && q.MinPercent <= 100) {
				out = append(out, fmt.Sprintf("%s.quizzes: min_percent %v is not 0–100", where, q.MinPercent))
			}
		}
		for _, s := range r.Scenarios {
			if !scenarios[s] {
				out = append(out, fmt.Sprintf("%s.scenarios: no scenario %q", where, s))
			}
		}
		if r.MinScenarios < 0 || r.MinScenarios > len(r.Scenarios) {
			out = append(out, fmt.Sprintf("%s.min_scenarios: %d of %d scenarios", where, r.MinScenarios, len(r.Scenarios)))
		}
	}
	check("requirements", p.Requirements)
	check("recert", p.Recert)
	if len(p.Requirements.Courses)+len(p.Requirements.Quizzes)+len(p.Requirements.Scenarios) == 0 {
		out = append(out, "requirements: at least one course, quiz or scenario")
	}
	return out
}

// Evidence is what a learner has done, as the three per-learner documents
// hold it.
type Evidence struct {
	Progress *Progress
	Quizzes  *QuizRecord
	Runs     []RunSummary
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

// ValidCertificateNumber reports whether n has the shape of a number, so
// that the verification page refuses junk before touching the database.
func ValidCertificateNumber(n string) bool {
	if len(n) != len("AC-XXXX-XXXX-XXXX-XXXX") || !strings.HasPrefix(n, "AC") {
		return false
	}
	for i, r := range n[2:] {
		if i%5 == 0 {
			if r != '-' {
				return false
			}
		} else if !strings.ContainsRune(certAlphabet, r) {
			return false
		}
	}
	return true
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
}
