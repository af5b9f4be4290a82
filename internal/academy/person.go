package academy

import (
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Date is a calendar day, "2026-03-01" ("" for none), in the calendar of
// the person it belongs to (the zone of their site, else the company's:
// Accounts.ZoneOf). A hire date is a
// day, not an instant: stored as its text, it keeps its month whatever
// zone a reader runs in, which the hire-month cohorts rely on.
type Date string

const dateLayout = "2006-01-02"

// Limits of the dates people records hold: nobody working now was hired
// before minDate, and a date is planned at most maxDateAhead ahead (an
// offer signed months before the first day).
const (
	minDate      Date = "1950-01-01"
	maxDateAhead      = 366 * 24 * time.Hour
)

// DateOf returns the day t falls on in loc.
func DateOf(t time.Time, loc *time.Location) Date { return Date(t.In(loc).Format(dateLayout)) }

// ParseDate reads a date typed as YYYY-MM-DD for field; "" is no date.
func ParseDate(field, s string) (Date, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	t, err := time.Parse(dateLayout, s)
	if err != nil || t.Format(dateLayout) != s {
		return "", Errorf(EINVALID, "%s: 请填写日期，如 2026-03-01 / must be a date like 2026-03-01", field)
	}
	return Date(s), nil
}

// Start is the first instant of the day in loc.
func (d Date) Start(loc *time.Location) time.Time {
	t, _ := time.ParseInLocation(dateLayout, string(d), loc)
	return t
}

// Month is the date's month, "2026-03", the key of a hire-month cohort.
func (d Date) Month() string {
	if len(d) < 7 {
		return ""
	}
	return string(d[:7])
}

// checkBounds refuses a date before minDate or more than maxDateAhead
// after now in loc; layout-valid dates compare as text.
func (d Date) checkBounds(field string, now time.Time, loc *time.Location) error {
	if d == "" {
		return nil
	}
	if latest := DateOf(now.Add(maxDateAhead), loc); d < minDate || d > latest {
		return Errorf(EINVALID, "%s: 日期须在 %s 到 %s 之间 / must be between %s and %s", field, minDate, latest, minDate, latest)
	}
	return nil
}

// Limits of the free-text fields of a people record.
const (
	maxEmployeeNo = 32
	maxOrgText    = 64 // department, position
	maxEmail      = 254
)

var (
	employeeNoRE = regexp.MustCompile(`^[A-Z0-9][A-Z0-9._/-]*$`)
	// A mainland mobile number: 11 digits starting 13–19.
	phoneMobileRE = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	// A landline: area code, 7 or 8 digit number, optional extension.
	phoneLandlineRE = regexp.MustCompile(`^(0[0-9]{2,3})-([2-9][0-9]{6,7})(?:-([0-9]{1,6}))?$`)
)

// NormalizeEmployeeNo tidies an employee number (工号) as typed: numbers
// are compared without regard to letter case, so they are kept upper-case.
func NormalizeEmployeeNo(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

func checkEmployeeNo(no string) error {
	if no == "" {
		return nil
	}
	if len(no) > maxEmployeeNo || !employeeNoRE.MatchString(no) {
		return Errorf(EINVALID, "employee_no: 工号为 1–%d 位字母、数字及 . _ / - / must be 1–%d letters, digits and . _ / -", maxEmployeeNo, maxEmployeeNo)
	}
	return nil
}

// EmployeeNoTaken is the refusal of a number another person holds; the
// admin who sees it needs to know whom to look at.
func EmployeeNoTaken(no string, holder *User) *Error {
	return Errorf(ECONFLICT, "employee_no: 工号 %s 已由 %s（%s）使用 / employee number %s is already held by %s (%s)",
		no, holder.DisplayName, holder.Username, no, holder.DisplayName, holder.Username)
}

// NormalizePhone returns the stored form of a phone number: a mobile as
// its 11 digits (a +86 or 86 prefix dropped), a landline as
// area-number[-extension]. Spaces, dashes and brackets as people type
// them are allowed. A number it cannot read is returned as typed, for
// checkPhone to refuse.
func NormalizePhone(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	var groups []string
	for _, g := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(" -()（）", r) }) {
		groups = append(groups, g)
	}
	digits := strings.Join(groups, "")
	digits = strings.TrimPrefix(digits, "+86")
	if len(digits) == 13 && strings.HasPrefix(digits, "86") {
		digits = digits[2:]
	}
	if phoneMobileRE.MatchString(digits) {
		return digits
	}
	// A landline typed as groups keeps its grouping; typed as one run of
	// digits, the area code's length follows from its first digits:
	// Beijing 010 and the 02x cities have three, all others four.
	if len(groups) >= 2 && strings.HasPrefix(groups[0], "0") {
		if candidate := strings.Join(groups, "-"); phoneLandlineRE.MatchString(candidate) {
			return candidate
		}
	}
	if strings.HasPrefix(digits, "0") {
		area := 4
		if strings.HasPrefix(digits, "010") || strings.HasPrefix(digits, "02") {
			area = 3
		}
		if len(digits) > area {
			if candidate := digits[:area] + "-" + digits[area:]; phoneLandlineRE.MatchString(candidate) {
				return candidate
			}
		}
	}
	return s
}

func checkPhone(p string) error {
	if p == "" || phoneMobileRE.MatchString(p) || phoneLandlineRE.MatchString(p) {
		return nil
	}
	return Errorf(EINVALID, "phone: 请填写手机号（如 13812345678）或座机号（如 010-62345678） / must be a mainland mobile number like 13812345678 or a landline like 010-62345678")
}

// checkEmail accepts one bare address such as wang@example.com.
func checkEmail(e string) error {
	if e == "" {
		return nil
	}
	bad := Errorf(EINVALID, "email: 请填写邮箱地址，如 wang@example.com（最多 %d 个字符）/ must be an address like wang@example.com (at most %d characters)", maxEmail, maxEmail)
	if len(e) > maxEmail {
		return bad
	}
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || a.Name != "" {
		return bad
	}
	_, domain, _ := strings.Cut(e, "@")
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return bad
	}
	return nil
}

// normalizePerson tidies the people-record fields as typed.
func (u *User) normalizePerson() {
	u.EmployeeNo = NormalizeEmployeeNo(u.EmployeeNo)
	u.Phone = NormalizePhone(u.Phone)
	u.Email = strings.TrimSpace(u.Email)
	u.Department = strings.TrimSpace(u.Department)
	u.Position = strings.TrimSpace(u.Position)
	u.HireDate = Date(strings.TrimSpace(string(u.HireDate)))
	u.LeaveDate = Date(strings.TrimSpace(string(u.LeaveDate)))
}

// validatePerson checks the people-record fields; the dates' bounds
// depend on the day and are checked by CheckDates.
func (u *User) validatePerson() error {
	if err := checkEmployeeNo(u.EmployeeNo); err != nil {
		return err
	}
	if err := checkPhone(u.Phone); err != nil {
		return err
	}
	if err := checkEmail(u.Email); err != nil {
		return err
	}
	if err := CheckText("department", u.Department, maxOrgText, false); err != nil {
		return err
	}
	if err := CheckText("position", u.Position, maxOrgText, false); err != nil {
		return err
	}
	for _, d := range []struct {
		field string
		v     Date
	}{{"hire_date", u.HireDate}, {"leave_date", u.LeaveDate}} {
		if _, err := ParseDate(d.field, string(d.v)); err != nil {
			return err
		}
	}
	if u.HireDate != "" && u.LeaveDate != "" && u.LeaveDate < u.HireDate {
		return Errorf(EINVALID, "leave_date: 离职日期不能早于入职日期 %s / must not be before the hire date %s", u.HireDate, u.HireDate)
	}
	return nil
}

// CheckDates refuses dates out of bounds at now in u's calendar loc.
func (u *User) CheckDates(now time.Time, loc *time.Location) error {
	if err := u.HireDate.checkBounds("hire_date", now, loc); err != nil {
		return err
	}
	return u.LeaveDate.checkBounds("leave_date", now, loc)
}

// HasLeft reports whether u's leave date has come at now. From that day
// the account no longer signs in, whatever its status says: an admin may
// record a leave date ahead (a notice period) and nobody has to disable
// the account on the day. loc is u's calendar (Accounts.ZoneOf).
func (u *User) HasLeft(now time.Time, loc *time.Location) bool {
	return u.LeaveDate != "" && u.LeaveDate <= DateOf(now, loc)
}

// OnTeam reports whether the team dashboards count u at now: an active
// account, not gone, not an admin (who holds every role implicitly). loc
// is u's calendar.
func (u *User) OnTeam(now time.Time, loc *time.Location) bool {
	return u.Status == StatusActive && !u.HasLeft(now, loc) && !u.IsAdmin()
}

// personDiff lists the people-record fields that differ between a and b
// as `field: "old" → "new"`, phone numbers masked, for the audit log.
func personDiff(a, b *User) []string {
	var out []string
	for _, f := range []struct {
		name     string
		old, new string
		show     func(string) string
	}{
		{"display_name", a.DisplayName, b.DisplayName, nil},
		{"employee_no", a.EmployeeNo, b.EmployeeNo, nil},
		{"phone", a.Phone, b.Phone, MaskPhone},
		{"email", a.Email, b.Email, nil},
		{"department", a.Department, b.Department, nil},
		{"position", a.Position, b.Position, nil},
		{"hire_date", string(a.HireDate), string(b.HireDate), nil},
		{"leave_date", string(a.LeaveDate), string(b.LeaveDate), nil},
		{"lang", a.Lang, b.Lang, nil},
	} {
		if f.old == f.new {
			continue
		}
		if f.show != nil {
			f.old, f.new = f.show(f.old), f.show(f.new)
		}
		out = append(out, f.name+": "+strconv.Quote(f.old)+" → "+strconv.Quote(f.new))
	}
	return out
}
