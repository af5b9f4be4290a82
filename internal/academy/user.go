package academy

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Roles. A user holds each of their roles on each of their sites; admin holds
// everywhere.
const (
	RoleTrainee = "trainee"
	RoleTrainer = "trainer"
	RoleManager = "manager"
	RoleAgent   = "agent"
	RoleAdmin   = "admin"
)

// Roles lists every role in display order.
var Roles = []string{RoleTrainee, RoleTrainer, RoleManager, RoleAgent, RoleAdmin}

// AllSites is the domain that an admin's grants apply to.
const AllSites = "*"

// User statuses.
const (
	StatusActive   = "active"
	StatusDisabled = "disabled"
)

// Languages of the UI.
const (
	LangZH = "zh"
	LangEN = "en"
)

// MinPasswordLength is the shortest password accepted. Long passphrases beat
// composition rules, so length is the only rule.
const MinPasswordLength = 10

// maxPasswordLength bounds the work of hashing hostile input.
const maxPasswordLength = 256

// User is an account. ID is the lower-cased username, which makes usernames
// unique regardless of case and makes the login lookup an _id read.
type User struct {
	ID          string `json:"id" bson:"_id"`
	Username    string `json:"username" bson:"username"`
	DisplayName string `json:"display_name" bson:"display_name"`
	// LegalName (实名) is the name certificates carry: set by admins (or
	// a roster), never by its holder, unlike the display name.
	LegalName string `json:"legal_name,omitempty" bson:"legal_name,omitempty"`
	// The people record, kept by admins. An employee number (工号) is
	// unique among those given; absent ones (omitempty) are left out of
	// its sparse unique index. The phone is personal data: lists show it
	// masked (MaskPhone), as desk residents are.
	EmployeeNo string `json:"employee_no,omitempty" bson:"employee_no,omitempty"`
	Phone      string `json:"phone,omitempty" bson:"phone,omitempty"`
	Email      string `json:"email,omitempty" bson:"email,omitempty"`
	Department string `json:"department,omitempty" bson:"department,omitempty"`
	Position   string `json:"position,omitempty" bson:"position,omitempty"`
	// HireDate starts the onboarding clock (DefaultOnboardingDue) and
	// places the person in a hire-month cohort. LeaveDate ends sign-in
	// from that day on (HasLeft).
	HireDate     Date     `json:"hire_date,omitempty" bson:"hire_date,omitempty"`
	LeaveDate    Date     `json:"leave_date,omitempty" bson:"leave_date,omitempty"`
	Roles        []string `json:"roles" bson:"roles"`
	Sites        []string `json:"sites" bson:"sites"`
	Status       string   `json:"status" bson:"status"`
	Lang         string   `json:"lang" bson:"lang"`
	PasswordHash string   `json:"-" bson:"password_hash"`
	// CertGrants are roles held by virtue of a certificate; each lapses on
	// its own at Until, so expiry needs no sweep to take the role away.
	CertGrants []CertGrant `json:"cert_grants,omitempty" bson:"cert_grants,omitempty"`
	CreatedAt  time.Time   `json:"created_at" bson:"created_at"`
	UpdatedAt  time.Time   `json:"updated_at" bson:"updated_at"`
}

// UserNotFound is the answer for a user who does not exist and for one
// the caller may not see (a manager asking about another site's people),
// so that the two cannot be told apart.
func UserNotFound(username string) *Error {
	return Errorf(ENOTFOUND, "没有用户 %q / User %q not found.", username, username)
}

// UserID returns the storage key of a username.
func UserID(username string) string { return strings.ToLower(strings.TrimSpace(username)) }

// IsAdmin reports whether u is an active admin.
func (u *User) IsAdmin() bool {
	return u != nil && u.Status == StatusActive && slices.Contains(u.Roles, RoleAdmin)
}

// GrantsAt returns the (role, site) pairs u holds at now; an admin's site
// is AllSites. Certificate grants count on all of u's sites until they lapse.
func (u *User) GrantsAt(now time.Time) []Grant {
	if u == nil || u.Status != StatusActive {
		return nil
	}
	var gs []Grant
	roles := slices.Clone(u.Roles)
	for _, g := range u.CertGrants {
		if g.ActiveAt(now) && !slices.Contains(roles, g.Role) {
			roles = append(roles, g.Role)
		}
	}
	for _, r := range roles {
		if r == RoleAdmin {
			gs = append(gs, Grant{Role: r, Site: AllSites})
			continue
		}
		for _, s := range u.Sites {
			gs = append(gs, Grant{Role: r, Site: s})
		}
	}
	return gs
}

// LapsedGrant returns the most recent certificate grant of role that u no
// longer holds at now, so that a refusal can say why.
func (u *User) LapsedGrant(role string, now time.Time) *CertGrant {
	var last *CertGrant
	for i, g := range u.CertGrants {
		if g.Role == role && !g.ActiveAt(now) && (last == nil || g.Until.After(last.Until)) {
			last = &u.CertGrants[i]
		}
	}
	return last
}

// Grant is one role held on one site.
type Grant struct {
	Role string
	Site string
}

// Normalize cleans up free-form fields before validation.
func (u *User) Normalize() {
	u.Username = strings.TrimSpace(u.Username)
	u.ID = UserID(u.Username)
	u.DisplayName = strings.TrimSpace(u.DisplayName)
	u.LegalName = strings.TrimSpace(u.LegalName)
	if u.DisplayName == "" {
		u.DisplayName = u.Username
	}
	u.normalizePerson()
	u.Roles = cleanList(u.Roles)
	u.Sites = cleanList(u.Sites)
	if u.Status == "" {
		u.Status = StatusActive
	}
	if u.Lang == "" {
		u.Lang = LangZH
	}
}

// Validate checks the fields a user must have; sites are checked for shape
// here and for existence by the service.
func (u *User) Validate() error {
	if err := CheckIdent(IdentUsername, "username", u.Username); err != nil {
		return err
	}
	if err := CheckText("display_name", u.DisplayName, 64, false); err != nil {
		return err
	}
	if err := ValidateLegalName(u.LegalName); err != nil {
		return err
	}
	if err := u.validatePerson(); err != nil {
		return err
	}
	if len(u.Roles) == 0 {
		return Errorf(EINVALID, "roles: 至少需要一个角色（%s 之一） / at least one role is required (one of %s)", strings.Join(Roles, ", "), strings.Join(Roles, ", "))
	}
	for _, r := range u.Roles {
		if !slices.Contains(Roles, r) {
			return Errorf(EINVALID, "roles: 未知角色 %q（%s 之一） / unknown role %q (one of %s)", r, strings.Join(Roles, ", "), r, strings.Join(Roles, ", "))
		}
	}
	for _, s := range u.Sites {
		if !ValidSiteID(s) {
			return Errorf(EINVALID, "sites: %q 不是项目编号（小写字母、数字和“-”） / %q is not a site id (lowercase letters, digits and '-')", s, s)
		}
	}
	if len(u.Sites) == 0 && !slices.Contains(u.Roles, RoleAdmin) {
		return Errorf(EINVALID, "sites: 除管理员外，其他角色至少需要一个项目 / at least one site is required for roles other than admin")
	}
	if u.Status != StatusActive && u.Status != StatusDisabled {
		return Errorf(EINVALID, "status: 须为 %q 或 %q / must be %q or %q", StatusActive, StatusDisabled, StatusActive, StatusDisabled)
	}
	if u.Lang != LangZH && u.Lang != LangEN {
		return Errorf(EINVALID, "lang: 须为 %q 或 %q / must be %q or %q", LangZH, LangEN, LangZH, LangEN)
	}
	return nil
}

// ValidateLegalName checks a legal name as certificates will print it:
// at most 64 characters on one line ("" is no name yet).
func ValidateLegalName(name string) error {
	return CheckText("legal_name", name, 64, false)
}

// ValidatePassword enforces the password policy.
func ValidatePassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	if n < MinPasswordLength {
		return Errorf(EINVALID, "password: 至少 %d 个字符 / at least %d characters", MinPasswordLength, MinPasswordLength)
	}
	if len(pw) > maxPasswordLength {
		return Errorf(EINVALID, "password: 最多 %d 字节 / at most %d bytes", maxPasswordLength, maxPasswordLength)
	}
	return nil
}

func cleanList(in []string) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// SplitList splits a comma-separated flag or form value.
func SplitList(s string) []string { return cleanList(strings.Split(s, ",")) }

// UserFilter selects users in a listing.
type UserFilter struct {
	Site   string // "" = all
	Role   string // "" = all
	Query  string // substring of username, display name or employee number
	Offset int
	Limit  int
}

// UserUpdate changes some fields of a user; nil fields stay as they are,
// and an empty text or date removes the field.
type UserUpdate struct {
	DisplayName *string
	LegalName   *string
	EmployeeNo  *string
	Phone       *string
	Email       *string
	Department  *string
	Position    *string
	HireDate    *Date
	LeaveDate   *Date
	Roles       []string
	Sites       []string
	Status      *string
	Lang        *string
}

// UserService stores accounts.
type UserService interface {
	CreateUser(ctx context.Context, u *User) error
	FindUser(ctx context.Context, username string) (*User, error)
	ListUsers(ctx context.Context, f UserFilter) ([]*User, int, error)
	// ListUsersOn returns every account on any of sites (holding role,
	// when given), unpaged: a dashboard counts everyone in scope, not a
	// page of them.
	ListUsersOn(ctx context.Context, sites []string, role string) ([]*User, error)
	UpdateUser(ctx context.Context, username string, upd UserUpdate) (*User, error)
	SetPasswordHash(ctx context.Context, username, hash string) error
	// SetCertGrants replaces the roles u holds by certificate.
	SetCertGrants(ctx context.Context, username string, grants []CertGrant) error
	// FindUsersBy returns at most limit accounts whose field (ClaimEmployeeNo
	// or ClaimEmail) is value; an email matches in any letter case.
	FindUsersBy(ctx context.Context, field, value string, limit int) ([]*User, error)
}
