package academy

import (
	"context"
	"slices"
	"time"
)

// Kinds of work an assignment gives.
const (
	AssignCourse   = "course"
	AssignQuiz     = "quiz"
	AssignScenario = "scenario"
	AssignProgram  = "program"
)

// AssignKinds are the kinds of work, in the order forms offer them.
var AssignKinds = []string{AssignCourse, AssignQuiz, AssignScenario, AssignProgram}

// Rules that choose an assignment's people each time it is read, so that
// people hired or certified later are counted without a new assignment.
const (
	// RuleHiredWithin: people on the site hired within the last Days days.
	RuleHiredWithin = "hired_within"
	// RuleWithoutCert: people on the site without a valid certificate of
	// Program.
	RuleWithoutCert = "without_cert"
)

// Limits of an assignment's numbers.
const (
	MaxAssignDays   = 3650 // days after hire, days of a hiring rule
	MaxRecurMonths  = 120
	maxAssignPeople = 500
)

// RefreshNotice is how long before a refresher's date it shows as due
// again, so that people can take it before it is late.
const RefreshNotice = 14 * 24 * time.Hour

// Assignment is work (a course, quiz, scenario or program) given to
// people: named ones, everyone with a role on a site, or those a rule
// picks. The storage keeps the fields of the first version (users, role,
// site): documents written then read as course assignments.
type Assignment struct {
	ID     string       `json:"id" bson:"_id"`
	Kind   string       `json:"kind" bson:"kind"`
	Ref    string       `json:"ref" bson:"ref"`
	Target AssignTarget `json:"target" bson:",inline"`
	Due    AssignDue    `json:"due" bson:",inline"`
	// RecurMonths makes a refresher: the work comes due again this many
	// months after each completion (0: once).
	RecurMonths int       `json:"recur_months,omitempty" bson:"recur_months,omitempty"`
	CreatedBy   string    `json:"created_by" bson:"created_by"`
	CreatedAt   time.Time `json:"created_at" bson:"created_at"`
}

// AssignTarget says who an assignment is for: People, or Role on Site, or
// Rule among the people of Site.
type AssignTarget struct {
	People  []string `json:"people,omitempty" bson:"users,omitempty"`
	Role    string   `json:"role,omitempty" bson:"role,omitempty"`
	Site    string   `json:"site,omitempty" bson:"site,omitempty"`
	Rule    string   `json:"rule,omitempty" bson:"rule,omitempty"`
	Days    int      `json:"days,omitempty" bson:"rule_days,omitempty"`
	Program string   `json:"program,omitempty" bson:"rule_program,omitempty"`
}

// AssignDue is when the work is due: on Date, or DaysAfterHire days after
// each person's hire date.
type AssignDue struct {
	Date          Date `json:"date,omitempty" bson:"due_date,omitempty"`
	DaysAfterHire int  `json:"days_after_hire,omitempty" bson:"due_days,omitempty"`
}

// Check validates the assignment's shape; whether what it names exists is
// for the caller, which knows the catalog and the accounts.
func (a *Assignment) Check() error {
	t := a.Target
	switch {
	case !slices.Contains(AssignKinds, a.Kind):
		return Errorf(EINVALID, "kind: 须为 course、quiz、scenario 或 program / must be course, quiz, scenario or program")
	case a.Ref == "":
		return Errorf(EINVALID, "ref: 请选择要指派的内容 / choose what to assign")
	}
	if err := CheckIdent(IdentSlug, "ref", a.Ref); err != nil {
		return err
	}
	forms := 0
	for _, set := range []bool{len(t.People) > 0, t.Role != "", t.Rule != ""} {
		if set {
			forms++
		}
	}
	switch {
	case forms == 0:
		return Errorf(EINVALID, "target: 请选择人员、某项目的角色或规则 / choose people, a role on a site, or a rule")
	case forms > 1:
		return Errorf(EINVALID, "target: 人员、角色、规则只能选一种 / give people, a role or a rule, not several")
	case len(t.People) > maxAssignPeople:
		return Errorf(EINVALID, "target.people: 最多 %d 人 / at most %d people", maxAssignPeople, maxAssignPeople)
	case len(t.People) > 0 && t.Site != "":
		return Errorf(EINVALID, "target.site: 指派给人员时不填项目 / leave out the site when naming people")
	case len(t.People) == 0 && t.Site == "":
		return Errorf(EINVALID, "target.site: 请选择项目 / choose a site for the role or rule")
	case t.Role != "" && !slices.Contains(Roles, t.Role):
		return Errorf(EINVALID, "target.role: 没有角色 %q / unknown role %q", t.Role, t.Role)
	case t.Rule != "" && t.Rule != RuleHiredWithin && t.Rule != RuleWithoutCert:
		return Errorf(EINVALID, "target.rule: 须为 hired_within 或 without_cert / must be hired_within or without_cert")
	case t.Rule == RuleHiredWithin && (t.Days < 1 || t.Days > MaxAssignDays):
		return Errorf(EINVALID, "target.days: 须在 1 到 %d 天之间 / must be between 1 and %d days", MaxAssignDays, MaxAssignDays)
	case t.Rule != RuleHiredWithin && t.Days != 0:
		return Errorf(EINVALID, "target.days: 只用于“入职 N 天内”规则 / only for the hired_within rule")
	case t.Rule == RuleWithoutCert && t.Program == "":
		return Errorf(EINVALID, "target.program: 请选择认证项目 / choose a program")
	case t.Rule != RuleWithoutCert && t.Program != "":
		return Errorf(EINVALID, "target.program: 只用于“无有效证书”规则 / only for the without_cert rule")
	}
	for _, n := range t.People {
		if err := CheckIdent(IdentUsername, "target.people", n); err != nil {
			return err
		}
	}
	if t.Site != "" {
		if err := CheckIdent(IdentSite, "target.site", t.Site); err != nil {
			return err
		}
	}
	if t.Program != "" {
		if err := CheckIdent(IdentSlug, "target.program", t.Program); err != nil {
			return err
		}
	}
	d := a.Due
	switch {
	case d.Date != "" && d.DaysAfterHire != 0:
		return Errorf(EINVALID, "due: 固定日期与入职后天数只能选一种 / give a date or days after hire, not both")
	case d.Date == "" && d.DaysAfterHire == 0:
		return Errorf(EINVALID, "due: 请填写截止日期或入职后天数 / give a date or days after hire")
	case d.Date == "" && (d.DaysAfterHire < 1 || d.DaysAfterHire > MaxAssignDays):
		return Errorf(EINVALID, "due.days_after_hire: 须在 1 到 %d 天之间 / must be between 1 and %d days", MaxAssignDays, MaxAssignDays)
	case a.RecurMonths < 0 || a.RecurMonths > MaxRecurMonths:
		return Errorf(EINVALID, "recur_months: 须在 0 到 %d 个月之间 / must be between 0 and %d months", MaxRecurMonths, MaxRecurMonths)
	case a.RecurMonths > 0 && a.Kind == AssignCourse:
		// A course stays completed once done; only a quiz, a scenario
		// or a certificate can be earned again.
		return Errorf(EINVALID, "recur_months: 课程完成后不会重来，请对测验、情景演练或认证项目设置复训 / a course stays completed: repeat a quiz, scenario or program instead")
	}
	if d.Date != "" {
		if _, err := ParseDate("due.date", string(d.Date)); err != nil {
			return err
		}
	}
	return nil
}

// Record is what a person has done, as assignments read it.
type Record struct {
	Evidence
	// Certs holds the latest award per program.
	Certs map[string]*Certificate
}

// holds reports whether the record has a valid certificate of program.
func (r Record) holds(program string, now time.Time, window time.Duration) (bool, time.Time) {
	cert := r.Certs[program]
	if cert == nil {
		return false, time.Time{}
	}
	st := cert.StatusAt(now, window)
	return st == CertValid || st == CertExpiring, cert.IssuedAt
}

// doneSince reports whether the work was done from since on, and when
// first: a course completed, a quiz passed, a scenario run passed, a
// program's certificate valid.
func (r Record) doneSince(kind, ref string, courses map[string]*Course, since, now time.Time, window time.Duration) (bool, time.Time) {
	var req Requirements
	switch kind {
	case AssignProgram:
		ok, at := r.holds(ref, now, window)
		return ok && !at.Before(since), at
	case AssignCourse:
		req.Courses = []string{ref}
	case AssignQuiz:
		req.Quizzes = []QuizRequirement{{Quiz: ref}}
	case AssignScenario:
		req.Scenarios = []string{ref}
	}
	st := req.Status(r.Evidence, courses, since)
	return len(st) == 1 && st[0].Done, st[0].At
}

// Targets reports whether a is for u at now; loc is u's calendar.
func (a *Assignment) Targets(u *User, r Record, now time.Time, window time.Duration, loc *time.Location) bool {
	t := a.Target
	if len(t.People) > 0 {
		return slices.Contains(t.People, u.ID)
	}
	// Role and rule assignments go to the active people of the site, not
	// to admins, who hold every role implicitly.
	if u.Status != StatusActive || !slices.Contains(u.Sites, t.Site) {
		return false
	}
	switch t.Rule {
	case RuleHiredWithin:
		today := DateOf(now, loc)
		return u.HireDate != "" && u.HireDate <= today && u.HireDate >= DateOf(now.AddDate(0, 0, -t.Days), loc)
	case RuleWithoutCert:
		held, _ := r.holds(t.Program, now, window)
		return !held
	}
	return slices.Contains(u.Roles, t.Role)
}

// Assigned is one person's standing on an assignment.
type Assigned struct {
	Assignment *Assignment
	User       *User
	// Due is when the work is (next) due; for a refresher done, when it
	// comes due again.
	Due     time.Time
	Done    bool
	DoneAt  time.Time
	Overdue bool
}

// firstDue is when u's first round of a is due: the end of the day given,
// or of the DaysAfterHire-th day after u's hire date. People without a
// hire date count from the day their account was made.
func (a *Assignment) firstDue(u *User, loc *time.Location) time.Time {
	if a.Due.Date != "" {
		return a.Due.Date.Start(loc).AddDate(0, 0, 1).Add(-time.Second)
	}
	hired := u.HireDate
	if hired == "" {
		hired = DateOf(u.CreatedAt, loc)
	}
	return hired.Start(loc).AddDate(0, 0, a.Due.DaysAfterHire+1).Add(-time.Second)
}

// Assess computes u's standing on a at now. A refresher comes due again
// RecurMonths after each completion; only work done after the last
// completion counts for the next round.
func (a *Assignment) Assess(u *User, r Record, courses map[string]*Course, now time.Time, window time.Duration, loc *time.Location) Assigned {
	out := Assigned{Assignment: a, User: u, Due: a.firstDue(u, loc)}
	var since time.Time
	// Each round starts after the last completion, so the loop ends.
	for {
		done, at := r.doneSince(a.Kind, a.Ref, courses, since, now, window)
		if !done {
			out.Done, out.DoneAt = false, time.Time{}
			out.Overdue = now.After(out.Due)
			return out
		}
		out.Done, out.DoneAt = true, at
		if a.RecurMonths == 0 {
			return out
		}
		out.Due = at.AddDate(0, a.RecurMonths, 0)
		if now.Before(out.Due.Add(-RefreshNotice)) {
			return out
		}
		since = at.Add(time.Nanosecond)
	}
}

// AssignmentService stores assignments.
type AssignmentService interface {
	CreateAssignment(ctx context.Context, a *Assignment) error
	ListAssignments(ctx context.Context) ([]*Assignment, error)
	DeleteAssignment(ctx context.Context, id string) error
}

// Record reads what username has done, with the latest award of each of
// programs.
func (c *Certifier) Record(ctx context.Context, username string, programs []string) (Record, error) {
	ev, err := c.Evidence(ctx, username)
	if err != nil {
		return Record{}, err
	}
	r := Record{Evidence: ev, Certs: map[string]*Certificate{}}
	for _, p := range programs {
		awards, err := c.Awards(ctx, username, p)
		if err != nil {
			return Record{}, err
		}
		if n := len(awards); n > 0 {
			r.Certs[p] = awards[n-1]
		}
	}
	return r, nil
}

// Record is u's record from the team's evidence.
func (ev *TeamEvidence) Record(u *User) Record {
	r := Record{Evidence: Evidence{Progress: ev.progress[u.ID], Quizzes: ev.records[u.ID], Runs: ev.runs[u.ID]}, Certs: map[string]*Certificate{}}
	if r.Progress == nil {
		r.Progress = &Progress{Username: u.ID}
	}
	if r.Quizzes == nil {
		r.Quizzes = &QuizRecord{Username: u.ID}
	}
	for program, byUser := range ev.awards {
		if as := byUser[u.ID]; len(as) > 0 {
			r.Certs[program] = as[len(as)-1]
		}
	}
	return r
}

// Programs lists the programs that assignments read: those assigned and
// those their rules name.
func Programs(list []*Assignment) []string {
	var out []string
	add := func(p string) {
		if p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	for _, a := range list {
		add(a.Target.Program)
		if a.Kind == AssignProgram {
			add(a.Ref)
		}
	}
	return out
}
