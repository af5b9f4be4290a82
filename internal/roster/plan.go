package roster

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/academy/academy/internal/academy"
)

// Actions of a plan's items.
const (
	Create    = "create"
	Change    = "change"
	Unchanged = "unchanged"
	Refused   = "refused"
	// Disable is for a person the file leaves out, with the sync option.
	Disable = "disable"
)

// Plan is what importing a file does, row by row, before anything is
// written; Apply carries it out.
type Plan struct {
	Sync   bool           `json:"sync"`
	Counts map[string]int `json:"counts"`
	Items  []*Item        `json:"items"`
}

// Item is one row's outcome (Line 0 for a person sync disables).
type Item struct {
	Line       int       `json:"line,omitempty"`
	Action     string    `json:"action"`
	Username   string    `json:"username,omitempty"`
	EmployeeNo string    `json:"employee_no,omitempty"`
	Name       string    `json:"name,omitempty"`
	Changes    []Diff    `json:"changes,omitempty"`
	Problems   []Problem `json:"problems,omitempty"`
	// Notes tell the admin what the row leaves as it is and why
	// ("中文 / English"), such as a disabled account a plain import
	// does not enable.
	Notes []string `json:"notes,omitempty"`
	// Link is the set-password token of an account Apply created: the
	// admin hands it out; it is shown once.
	Link string `json:"set_password_token,omitempty"`

	user   *academy.User      // create: the account to store
	change academy.UserChange // change: what to write
}

// Diff is one field a change sets, old → new (a phone masked).
type Diff struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// Problem is why a row is refused: Column as the file names it.
type Problem struct {
	Column  string `json:"column"`
	Message string `json:"message"`
}

// Refused reports whether any row is refused; Apply then writes nothing.
func (p *Plan) Refused() bool { return p.Counts[Refused] > 0 }

// Roster plans and applies roster files.
type Roster struct {
	Accounts *academy.Accounts
}

// Options of an import. Actor is who imports: sync never disables them.
type Options struct {
	Sync  bool
	Actor academy.Actor
}

// Plan works out what importing f would do.
//
// Each row is matched to an account by employee number, else by username
// (given, or the employee number lower-cased). An empty cell leaves the
// field as it is: a roster that lacks someone's e-mail does not erase it.
// Roles and sites given replace the account's. A new account with no
// roles given is a trainee's.
//
// With Sync, the file is the whole roster of the sites it names: an
// active person all of whose sites are among them, whom no row names, is
// to be disabled (never deleted). A file that names no sites is the whole
// company's roster: every active person with an employee number whom no
// row names is to be disabled. The importing admin is never disabled.
//
// Status follows the row's leave date: one that has come (the row's, or
// the account's that the row leaves as it is) disables the account, as
// on the person's page. A disabled account a row names, without such a
// date, is enabled again by a sync only: the sync's file is the source of
// truth for who works here, whoever disabled the account (an earlier
// sync, a leave date since moved, an admin by hand); a plain import
// cannot tell a person who came back from one an admin disabled for
// another reason, so it leaves the account disabled and says so.
func (r *Roster) Plan(ctx context.Context, f *File, opt Options) (*Plan, error) {
	sites, err := r.Accounts.Sites.ListSites(ctx)
	if err != nil {
		return nil, err
	}
	users, err := r.allUsers(ctx)
	if err != nil {
		return nil, err
	}
	byNo, byID := map[string]*academy.User{}, map[string]*academy.User{}
	for _, u := range users {
		byID[u.ID] = u
		if u.EmployeeNo != "" {
			byNo[u.EmployeeNo] = u
		}
	}
	pl := &planner{f: f, sites: sites, byNo: byNo, byID: byID, now: r.Accounts.Now(), sync: opt.Sync, actor: academy.UserID(opt.Actor.Username),
		zone:   func(u *academy.User) *time.Location { return r.Accounts.ZoneOf(ctx, u) },
		seenNo: map[string]int{}, seenID: map[string]int{}, named: map[string]bool{}, fileSites: map[string]bool{}}
	p := &Plan{Sync: opt.Sync, Counts: map[string]int{}}
	for _, row := range f.Rows {
		p.Items = append(p.Items, pl.row(row))
	}
	if opt.Sync {
		for _, u := range users {
			if pl.named[u.ID] || u.Status != academy.StatusActive || u.ID == academy.UserID(opt.Actor.Username) {
				continue
			}
			inScope := u.EmployeeNo != ""
			if len(pl.fileSites) > 0 {
				inScope = len(u.Sites) > 0 && !slices.ContainsFunc(u.Sites, func(s string) bool { return !pl.fileSites[s] })
			}
			if inScope {
				p.Items = append(p.Items, &Item{Action: Disable, Username: u.ID, EmployeeNo: u.EmployeeNo, Name: u.DisplayName,
					Changes: []Diff{{Field: FieldStatus, Old: u.Status, New: academy.StatusDisabled}}})
			}
		}
	}
	for _, it := range p.Items {
		p.Counts[it.Action]++
	}
	return p, nil
}

// allUsers reads every account, a page at a time.
func (r *Roster) allUsers(ctx context.Context) ([]*academy.User, error) {
	var all []*academy.User
	for {
		page, total, err := r.Accounts.Users.ListUsers(ctx, academy.UserFilter{Offset: len(all), Limit: academy.MaxPageSize})
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if len(page) == 0 || len(all) >= total {
			return all, nil
		}
	}
}

type planner struct {
	// zone is a person's calendar, for their hire and leave dates.
	zone       func(*academy.User) *time.Location
	f          *File
	sites      []*academy.Site
	byNo, byID map[string]*academy.User
	now        time.Time
	sync       bool   // the file is the source of truth: it enables too
	actor      string // the importing admin's account
	// The rows so far by employee number and by username, for duplicates.
	seenNo, seenID map[string]int
	named          map[string]bool // accounts some row matches
	fileSites      map[string]bool // sites some row names
}

func (pl *planner) row(row Row) *Item {
	it := &Item{Line: row.Line}
	cell := func(field string) string { return row.Cells[field] }
	refuse := func(field, format string, args ...any) {
		it.Problems = append(it.Problems, Problem{Column: pl.f.Column(field), Message: strings.TrimSpace(fmt.Sprintf(format, args...))})
	}
	no := academy.NormalizeEmployeeNo(cell(FieldEmployeeNo))
	username := cell(FieldUsername)
	if username == "" {
		username = strings.ToLower(no)
	}
	it.EmployeeNo, it.Username = no, academy.UserID(username)
	it.Name = cell(FieldLegalName)
	if it.Name == "" {
		it.Name = cell(FieldDisplayName)
	}
	if no == "" && username == "" {
		refuse(FieldEmployeeNo, "工号和账号都是空的 / needs an employee number or a username")
		return pl.refused(it)
	}
	if err := academy.CheckIdent(academy.IdentUsername, "username", username); err != nil {
		field := FieldUsername
		if cell(FieldUsername) == "" {
			field = FieldEmployeeNo
			refuse(field, "这个工号不能用作账号（账号为 2–32 个字母、数字、“.”“_”或“-”），请填写“账号”列 / this employee number cannot be a username (2–32 letters, digits, '.', '_' or '-'); fill in the username column")
		} else {
			refuse(field, "%s", strings.TrimPrefix(academy.ErrorMessage(err), "username: "))
		}
		return pl.refused(it)
	}
	if first, dup := pl.seenNo[no]; dup && no != "" {
		refuse(FieldEmployeeNo, "工号 %s 与第 %d 行重复 / employee number %s is also on row %d", no, first, no, first)
	}
	if first, dup := pl.seenID[it.Username]; dup {
		refuse(FieldUsername, "账号 %s 与第 %d 行重复 / username %s is also on row %d", it.Username, first, it.Username, first)
	}
	if no != "" {
		if _, dup := pl.seenNo[no]; !dup {
			pl.seenNo[no] = row.Line
		}
	}
	if _, dup := pl.seenID[it.Username]; !dup {
		pl.seenID[it.Username] = row.Line
	}

	// The account: by employee number, else by username.
	u := pl.byNo[no]
	if u == nil || no == "" {
		u = pl.byID[it.Username]
		if u != nil && no != "" && u.EmployeeNo != "" && u.EmployeeNo != no {
			refuse(FieldUsername, "账号 %s 已属于工号 %s（%s）/ username %s already belongs to employee number %s (%s)",
				u.ID, u.EmployeeNo, u.DisplayName, u.ID, u.EmployeeNo, u.DisplayName)
		}
	}

	var ch academy.UserChange
	text := func(field string, to **string) {
		if v := cell(field); v != "" {
			*to = &v
		}
	}
	text(FieldLegalName, &ch.LegalName)
	text(FieldDisplayName, &ch.DisplayName)
	text(FieldPhone, &ch.Phone)
	text(FieldEmail, &ch.Email)
	text(FieldDepartment, &ch.Department)
	text(FieldPosition, &ch.Position)
	if no != "" {
		ch.EmployeeNo = &no
	}
	for _, d := range []struct {
		field string
		to    **string
	}{{FieldHireDate, &ch.HireDate}, {FieldLeaveDate, &ch.LeaveDate}} {
		if v := cell(d.field); v != "" {
			if day, ok := pl.date(v); ok {
				*d.to = &day
			} else {
				refuse(d.field, "“%s”不是日期，请写成 2026-03-01、2026/3/1 或 2026年3月1日 / %q is not a date; write it like 2026-03-01, 2026/3/1 or 2026年3月1日", v, v)
			}
		}
	}
	if v := cell(FieldSites); v != "" {
		ch.Sites = []string{}
		for _, name := range splitList(v) {
			if s := pl.site(name); s != nil {
				ch.Sites = append(ch.Sites, s.ID)
				pl.fileSites[s.ID] = true
			} else {
				refuse(FieldSites, "没有名为或编号为“%s”的项目 / no site is named or numbered %q", name, name)
			}
		}
	}
	if v := cell(FieldRoles); v != "" {
		ch.Roles = []string{}
		for _, name := range splitList(v) {
			if role := roleOf(name); role != "" {
				ch.Roles = append(ch.Roles, role)
			} else {
				refuse(FieldRoles, "不认识的角色“%s”（可用：学员、培训师、主管、客服专员、管理员）/ unknown role %q (one of trainee, trainer, manager, agent, admin)", name, name)
			}
		}
	}
	if u != nil {
		pl.named[u.ID] = true
		it.Username = u.ID
		if no != "" && u.EmployeeNo != no {
			if holder := pl.byNo[no]; holder != nil && holder.ID != u.ID {
				refuse(FieldEmployeeNo, "%s", strings.TrimPrefix(academy.EmployeeNoTaken(no, holder).Message, "employee_no: "))
			}
		}
	}
	if len(it.Problems) > 0 {
		return pl.refused(it)
	}

	var next *academy.User
	if u == nil {
		// A new account: the username comes from the file, the display
		// name from the legal name when none is given.
		base := &academy.User{Username: username, Roles: []string{academy.RoleTrainee}, Sites: []string{}}
		if ch.DisplayName == nil && ch.LegalName != nil {
			ch.DisplayName = ch.LegalName
		}
		next = ch.Apply(base)
		if len(next.Sites) == 0 && !slices.Contains(next.Roles, academy.RoleAdmin) {
			refuse(FieldSites, "新账号须有项目 / a new account needs a site")
			return pl.refused(it)
		}
	} else {
		next = ch.Apply(u)
	}
	next.Normalize()
	if err := next.Validate(); err != nil {
		pl.refuseErr(it, err)
		return pl.refused(it)
	}
	loc := pl.zone(next)
	if err := next.CheckDates(pl.now, loc); err != nil {
		pl.refuseErr(it, err)
		return pl.refused(it)
	}
	switch {
	case next.HasLeft(pl.now, loc):
		if u != nil && u.ID == pl.actor && u.Status == academy.StatusActive {
			refuse(FieldLeaveDate, "不能为自己设置已到的离职日期 / you cannot give your own account a leave date that has come")
			return pl.refused(it)
		}
		next.Status = academy.StatusDisabled
	case u == nil || u.Status != academy.StatusDisabled:
	case pl.sync:
		next.Status = academy.StatusActive
	default:
		it.Notes = append(it.Notes, "账号已停用，普通导入不会启用：请勾选“同步”导入，或在个人页面启用 / The account is disabled and a plain import does not enable it: import with sync, or enable it on the person's page.")
	}
	if u == nil {
		// What the new account will hold, so the admin checks it before:
		// its status only when it starts disabled (someone who left).
		before := &academy.User{}
		if next.Status == academy.StatusActive {
			before.Status = academy.StatusActive
		}
		it.Changes = diff(before, next)
		it.Action, it.user, it.Name = Create, next, next.DisplayName
		if next.LegalName != "" {
			it.Name = next.LegalName
		}
		return it
	}
	it.Changes = diff(u, next)
	it.Name = u.DisplayName
	if len(it.Changes) == 0 {
		it.Action = Unchanged
		return it
	}
	if next.Status != u.Status {
		ch.Status = &next.Status
	}
	it.Action, it.change = Change, ch
	return it
}

func (pl *planner) refused(it *Item) *Item {
	it.Action = Refused
	return it
}

// refuseErr turns the domain's "field: message" into the row's problem
// in the field's column.
func (pl *planner) refuseErr(it *Item, err error) {
	msg := academy.ErrorMessage(err)
	field, rest, ok := strings.Cut(msg, ": ")
	if !ok || strings.ContainsAny(field, " ") {
		field, rest = FieldEmployeeNo, msg
	}
	it.Problems = append(it.Problems, Problem{Column: pl.f.Column(field), Message: rest})
}

func (pl *planner) site(name string) *academy.Site {
	for _, s := range pl.sites {
		if s.Name == name || strings.EqualFold(s.ID, name) {
			return s
		}
	}
	return nil
}

var dayRE = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$`)

// date reads a day as Excel writes it: 2026-03-01, 2026/3/1, 2026年3月1日,
// or, in an XLSX date cell, its day number.
func (pl *planner) date(v string) (string, bool) {
	if m := dayRE.FindStringSubmatch(v); m != nil {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		d, _ := strconv.Atoi(m[3])
		s := fmt.Sprintf("%04d-%02d-%02d", y, mo, d)
		if _, err := academy.ParseDate("date", s); err == nil {
			return s, true
		}
		return "", false
	}
	if pl.f.XLSX {
		if serial, err := strconv.ParseFloat(v, 64); err == nil && serial > 0 && serial < 2958466 {
			if t, err := excelize.ExcelDateToTime(serial, false); err == nil {
				return t.Format("2006-01-02"), true
			}
		}
	}
	return "", false
}

// roles by the names people write in a roster.
var roleNames = map[string]string{
	"学员": academy.RoleTrainee, "培训师": academy.RoleTrainer, "主管": academy.RoleManager,
	"客服专员": academy.RoleAgent, "管理员": academy.RoleAdmin,
}

func roleOf(name string) string {
	if r, ok := roleNames[name]; ok {
		return r
	}
	if r := strings.ToLower(name); slices.Contains(academy.Roles, r) {
		return r
	}
	return ""
}

// diff lists the fields that differ between u and next.
func diff(u, next *academy.User) []Diff {
	var out []Diff
	for _, f := range []struct{ field, old, new string }{
		{FieldLegalName, u.LegalName, next.LegalName},
		{FieldDisplayName, u.DisplayName, next.DisplayName},
		{FieldEmployeeNo, u.EmployeeNo, next.EmployeeNo},
		{FieldPhone, academy.MaskPhone(u.Phone), academy.MaskPhone(next.Phone)},
		{FieldEmail, u.Email, next.Email},
		{FieldDepartment, u.Department, next.Department},
		{FieldPosition, u.Position, next.Position},
		{FieldHireDate, string(u.HireDate), string(next.HireDate)},
		{FieldLeaveDate, string(u.LeaveDate), string(next.LeaveDate)},
		{FieldRoles, strings.Join(u.Roles, ","), strings.Join(next.Roles, ",")},
		{FieldSites, strings.Join(u.Sites, ","), strings.Join(next.Sites, ",")},
		{FieldStatus, u.Status, next.Status},
	} {
		if f.old != f.new {
			out = append(out, Diff{Field: f.field, Old: f.old, New: f.new})
		}
	}
	// Two numbers masked alike still differ.
	if u.Phone != next.Phone && academy.MaskPhone(u.Phone) == academy.MaskPhone(next.Phone) {
		out = append(out, Diff{Field: FieldPhone, Old: academy.MaskPhone(u.Phone), New: academy.MaskPhone(next.Phone)})
	}
	return out
}
