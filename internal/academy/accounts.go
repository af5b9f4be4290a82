package academy

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// PasswordHasher hashes and checks passwords; the implementation chooses the
// algorithm and its cost.
type PasswordHasher interface {
	Hash(password string) (string, error)
	Verify(password, hash string) (bool, error)
}

// Accounts is the account and session logic: creating users, logging in and
// out, and the admin operations, each leaving its audit trail.
type Accounts struct {
	Users    UserService
	Sessions SessionService
	Sites    SiteService
	Audit    AuditService
	Hasher   PasswordHasher
	// Links holds the set-password links of accounts made without a
	// password (CreateUserWithoutPassword).
	Links PasswordLinkService
	Now   func() time.Time
	// Zone is the company's calendar: the zone of people on no site or on
	// several, and of sites without their own.
	Zone *time.Location

	zones siteZones
	// dummyHash is verified against when a username does not exist so that
	// the response time does not reveal which usernames exist.
	dummyHash string
}

// NewAccounts wires the account logic.
func NewAccounts(users UserService, sessions SessionService, sites SiteService, audit AuditService, h PasswordHasher, now func() time.Time) (*Accounts, error) {
	dummy, err := h.Hash("not-a-real-password-" + NewToken())
	if err != nil {
		return nil, err
	}
	return &Accounts{Users: users, Sessions: sessions, Sites: sites, Audit: audit, Hasher: h, Now: now, dummyHash: dummy}, nil
}

// Actor identifies who performs an operation, for the audit log.
type Actor struct {
	Username string // "" for the command line
	IP       string
}

func (a *Accounts) audit(ctx context.Context, actor Actor, action, target, detail string) error {
	return a.Audit.RecordAudit(ctx, &AuditEvent{
		Time: a.Now(), Actor: actor.Username, Action: action, Target: target, IP: actor.IP, Detail: detail,
	})
}

// CreateUser validates u and password, checks its sites exist, and stores it.
func (a *Accounts) CreateUser(ctx context.Context, actor Actor, u *User, password string) error {
	if err := ValidatePassword(password); err != nil {
		return err
	}
	return a.createUser(ctx, actor, u, password)
}

// createUser stores u with password, or with none when password is "".
func (a *Accounts) createUser(ctx context.Context, actor Actor, u *User, password string) error {
	u.Normalize()
	if err := u.Validate(); err != nil {
		return err
	}
	now, loc := a.Now(), a.ZoneOf(ctx, u)
	if err := u.CheckDates(now, loc); err != nil {
		return err
	}
	if err := a.checkSites(ctx, u.Sites); err != nil {
		return err
	}
	// Someone recorded after they left (a roster of past staff) gets an
	// account that cannot sign in, as if disabled on their last day.
	if u.HasLeft(now, loc) {
		u.Status = StatusDisabled
	}
	u.PasswordHash = ""
	if password != "" {
		hash, err := a.Hasher.Hash(password)
		if err != nil {
			return err
		}
		u.PasswordHash = hash
	}
	u.CreatedAt, u.UpdatedAt = now, now
	if err := a.Users.CreateUser(ctx, u); err != nil {
		return err
	}
	detail := "roles=" + strings.Join(u.Roles, ",") + " sites=" + strings.Join(u.Sites, ",")
	if d := personDiff(&User{DisplayName: u.DisplayName, Lang: u.Lang}, u); len(d) > 0 {
		detail += "; " + strings.Join(d, "; ")
	}
	return a.audit(ctx, actor, AuditUserCreated, u.ID, detail)
}

func (a *Accounts) checkSites(ctx context.Context, sites []string) error {
	for _, s := range sites {
		if _, err := a.Sites.FindSite(ctx, s); ErrorCode(err) == ENOTFOUND {
			return Errorf(EINVALID, "sites: 没有项目 %q / unknown site %q", s, s)
		} else if err != nil {
			return err
		}
	}
	return nil
}

// wrongLogin is the refusal of a login, whatever was wrong.
func wrongLogin() error {
	return Errorf(EUNAUTHORIZED, "用户名或密码错误 / Wrong username or password.")
}

// Login checks a username and password and opens a session of the given kind.
func (a *Accounts) Login(ctx context.Context, username, password, kind, ip string) (*Session, string, *User, error) {
	bad := wrongLogin()
	username = strings.TrimSpace(username)
	if username == "" || password == "" || len(password) > maxPasswordLength {
		return nil, "", nil, Errorf(EINVALID, "请填写用户名和密码 / username and password are required")
	}
	// A name no account can have is refused before it reaches the audit
	// log; the rule is public, so this tells nothing.
	if err := CheckIdent(IdentUsername, "username", username); err != nil {
		return nil, "", nil, err
	}
	u, err := a.Users.FindUser(ctx, username)
	if ErrorCode(err) == ENOTFOUND {
		_, _ = a.Hasher.Verify(password, a.dummyHash)
		_ = a.audit(ctx, Actor{IP: ip}, AuditLoginFailed, UserID(username), "unknown user")
		return nil, "", nil, bad
	} else if err != nil {
		return nil, "", nil, err
	}
	// An account made without a password (from a roster) waits for its
	// holder to choose one through a link; until then it is refused as a
	// wrong password after the same work.
	if u.PasswordHash == "" {
		_, _ = a.Hasher.Verify(password, a.dummyHash)
		_ = a.audit(ctx, Actor{IP: ip}, AuditLoginFailed, u.ID, "no password set yet")
		return nil, "", nil, bad
	}
	ok, err := a.Hasher.Verify(password, u.PasswordHash)
	if err != nil {
		return nil, "", nil, err
	}
	// A disabled account gets the answer of a wrong password, after the
	// same work: telling the caller it is disabled would confirm the
	// password. The audit log says which it was.
	if u.Status != StatusActive || u.HasLeft(a.Now(), a.ZoneOf(ctx, u)) {
		why := "account disabled"
		if u.Status == StatusActive {
			why = "left on " + string(u.LeaveDate)
		}
		detail := why + ", right password"
		if !ok {
			detail = why + ", wrong password"
		}
		_ = a.audit(ctx, Actor{IP: ip}, AuditLoginFailed, u.ID, detail)
		return nil, "", nil, bad
	}
	if !ok {
		_ = a.audit(ctx, Actor{IP: ip}, AuditLoginFailed, u.ID, "wrong password")
		return nil, "", nil, bad
	}
	s, token := NewSession(u.ID, kind, ip, a.Now())
	if err := a.Sessions.CreateSession(ctx, s); err != nil {
		return nil, "", nil, err
	}
	if err := a.audit(ctx, Actor{Username: u.ID, IP: ip}, AuditLoginOK, u.ID, kind); err != nil {
		return nil, "", nil, err
	}
	return s, token, u, nil
}

// Authenticate resolves a token to its live session and active user.
func (a *Accounts) Authenticate(ctx context.Context, token string) (*Session, *User, error) {
	// Made only when needed: this runs on every request, and a formatted
	// error is not free.
	expired := func() error { return Errorf(EUNAUTHORIZED, "请先登录 / Please log in.") }
	if token == "" || len(token) > 128 {
		return nil, nil, expired()
	}
	s, err := a.Sessions.FindSession(ctx, HashToken(token))
	if ErrorCode(err) == ENOTFOUND {
		return nil, nil, expired()
	} else if err != nil {
		return nil, nil, err
	}
	now := a.Now()
	if s.Expired(now) {
		_ = a.Sessions.DeleteSession(ctx, s.ID)
		return nil, nil, Errorf(EUNAUTHORIZED, "登录已过期,请重新登录 / Your session has expired; please log in again.")
	}
	u, err := a.Users.FindUser(ctx, s.Username)
	if ErrorCode(err) == ENOTFOUND {
		return nil, nil, expired()
	} else if err != nil {
		return nil, nil, err
	}
	if u.Status != StatusActive || u.HasLeft(now, a.ZoneOf(ctx, u)) {
		return nil, nil, Errorf(EUNAUTHORIZED, "账户已停用 / This account is disabled.")
	}
	if now.Sub(s.LastSeen) >= SessionTouchEvery {
		if err := a.Sessions.TouchSession(ctx, s.ID, now); err != nil {
			return nil, nil, err
		}
		s.LastSeen = now
	}
	return s, u, nil
}

// Logout ends the session of token.
func (a *Accounts) Logout(ctx context.Context, s *Session, ip string) error {
	if err := a.Sessions.DeleteSession(ctx, s.ID); err != nil && ErrorCode(err) != ENOTFOUND {
		return err
	}
	return a.audit(ctx, Actor{Username: s.Username, IP: ip}, AuditLogout, s.Username, s.Kind)
}

// ChangeOwnPassword checks the current password, sets the new one and ends
// every session of the user, so a thief holding an old session is locked out.
func (a *Accounts) ChangeOwnPassword(ctx context.Context, actor Actor, current, next string) error {
	u, err := a.Users.FindUser(ctx, actor.Username)
	if err != nil {
		return err
	}
	ok, err := a.Hasher.Verify(current, u.PasswordHash)
	if err != nil {
		return err
	}
	if !ok {
		return Errorf(EINVALID, "current_password: 当前密码不正确 / the current password is wrong")
	}
	if err := ValidatePassword(next); err != nil {
		return err
	}
	if err := a.setPassword(ctx, u.ID, next); err != nil {
		return err
	}
	return a.audit(ctx, actor, AuditPasswordOwn, u.ID, "")
}

// ResetPassword sets a user's password on an admin's behalf.
func (a *Accounts) ResetPassword(ctx context.Context, actor Actor, username, password string) error {
	if err := ValidatePassword(password); err != nil {
		return err
	}
	u, err := a.Users.FindUser(ctx, username)
	if err != nil {
		return err
	}
	if err := a.setPassword(ctx, u.ID, password); err != nil {
		return err
	}
	return a.audit(ctx, actor, AuditPasswordReset, u.ID, "")
}

func (a *Accounts) setPassword(ctx context.Context, id, password string) error {
	hash, err := a.Hasher.Hash(password)
	if err != nil {
		return err
	}
	if err := a.Users.SetPasswordHash(ctx, id, hash); err != nil {
		return err
	}
	return a.Sessions.DeleteUserSessions(ctx, id)
}

// UserChange is an admin's change of an account; nil fields stay as they
// are, and an empty text or date clears the field (an empty display name
// falls back to the username).
type UserChange struct {
	Roles       []string
	Sites       []string
	Status      *string
	LegalName   *string
	DisplayName *string
	EmployeeNo  *string
	Phone       *string
	Email       *string
	Department  *string
	Position    *string
	HireDate    *string
	LeaveDate   *string
	Lang        *string
}

// Apply returns u with the change made, unchecked: what a refused form
// shows again as it was typed.
func (ch UserChange) Apply(u *User) *User {
	next := clone(*u)
	if ch.Roles != nil {
		next.Roles = ch.Roles
	}
	if ch.Sites != nil {
		next.Sites = ch.Sites
	}
	for _, f := range []struct {
		from *string
		to   *string
	}{
		{ch.Status, &next.Status}, {ch.LegalName, &next.LegalName}, {ch.DisplayName, &next.DisplayName},
		{ch.EmployeeNo, &next.EmployeeNo}, {ch.Phone, &next.Phone}, {ch.Email, &next.Email},
		{ch.Department, &next.Department}, {ch.Position, &next.Position}, {ch.Lang, &next.Lang},
	} {
		if f.from != nil {
			*f.to = *f.from
		}
	}
	if ch.HireDate != nil {
		next.HireDate = Date(*ch.HireDate)
	}
	if ch.LeaveDate != nil {
		next.LeaveDate = Date(*ch.LeaveDate)
	}
	return next
}

// ChangeUser applies an admin's change to an account. Every part is
// checked before anything is written, and the parts are written together,
// so a refused request leaves the account and the audit log as they were
// (a valid role change must not be saved when the status beside it is
// wrong). Roles, status and legal name changes are audited on lines of
// their own, which reviews look for; the other fields that changed are
// listed on one line, each as old → new.
//
// Leaving: a leave date that has come (today or earlier) disables the
// account in the same write and ends its sessions; a later one leaves it
// active until that day, from which sign-in is refused (HasLeft). An
// account whose leave date has come cannot be enabled until the date is
// cleared or moved.
func (a *Accounts) ChangeUser(ctx context.Context, actor Actor, username string, ch UserChange) (*User, error) {
	if ch.Status != nil && *ch.Status != StatusActive && *ch.Status != StatusDisabled {
		return nil, Errorf(EINVALID, "status: 须为 %q 或 %q / must be %q or %q", StatusActive, StatusDisabled, StatusActive, StatusDisabled)
	}
	u, err := a.Users.FindUser(ctx, username)
	if err != nil {
		return nil, err
	}
	now := a.Now()
	next := ch.Apply(u)
	next.Normalize()
	if err := next.Validate(); err != nil {
		return nil, err
	}
	loc := a.ZoneOf(ctx, next)
	if err := next.CheckDates(now, loc); err != nil {
		return nil, err
	}
	rolesChanged := !slices.Equal(u.Roles, next.Roles) || !slices.Equal(u.Sites, next.Sites)
	if rolesChanged {
		if err := a.checkSites(ctx, next.Sites); err != nil {
			return nil, err
		}
		if actor.Username == u.ID && !slices.Contains(next.Roles, RoleAdmin) {
			return nil, Errorf(EINVALID, "roles: 不能取消您自己的管理员角色 / you cannot remove your own admin role")
		}
	}
	if next.HasLeft(now, loc) {
		if ch.Status != nil && *ch.Status == StatusActive {
			return nil, Errorf(EINVALID, "status: 离职日期 %s 已到，请先清除或修改离职日期 / the leave date %s has come; clear or move it to enable the account", next.LeaveDate, next.LeaveDate)
		}
		if next.Status != StatusDisabled && actor.Username == u.ID {
			return nil, Errorf(EINVALID, "leave_date: 不能为自己设置已到的离职日期 / you cannot give your own account a leave date that has come")
		}
		next.Status = StatusDisabled
	}
	if next.Status == StatusDisabled && u.Status != StatusDisabled && actor.Username == u.ID {
		return nil, Errorf(EINVALID, "status: 不能停用您自己的账号 / you cannot disable your own account")
	}
	upd := userUpdate(u, next)
	if rolesChanged {
		upd.Roles, upd.Sites = next.Roles, next.Sites
	}
	changes := personDiff(u, next)
	if !rolesChanged && upd.Status == nil && upd.LegalName == nil && len(changes) == 0 {
		return u, nil
	}
	before := u
	if u, err = a.Users.UpdateUser(ctx, u.ID, upd); err != nil {
		return nil, err
	}
	if upd.Status != nil && *upd.Status == StatusDisabled {
		if err := a.Sessions.DeleteUserSessions(ctx, u.ID); err != nil {
			return nil, err
		}
	}
	var audits [][2]string
	if rolesChanged {
		audits = append(audits, [2]string{AuditRolesChanged, strings.Join(before.Roles, ",") + "@" + strings.Join(before.Sites, ",") +
			" -> " + strings.Join(u.Roles, ",") + "@" + strings.Join(u.Sites, ",")})
	}
	if upd.Status != nil {
		action := AuditUserEnabled
		if *upd.Status == StatusDisabled {
			action = AuditUserDisabled
		}
		audits = append(audits, [2]string{action, ""})
	}
	if upd.LegalName != nil {
		audits = append(audits, [2]string{AuditLegalName, strconv.Quote(before.LegalName) + " -> " + strconv.Quote(*upd.LegalName)})
	}
	if len(changes) > 0 {
		audits = append(audits, [2]string{AuditUserUpdated, strings.Join(changes, "; ")})
	}
	for _, au := range audits {
		if err := a.audit(ctx, actor, au[0], u.ID, au[1]); err != nil {
			return u, err
		}
	}
	return u, nil
}

// userUpdate is the update that turns u into next, field by field (roles
// and sites, which go together, are the caller's).
func userUpdate(u, next *User) UserUpdate {
	var upd UserUpdate
	for _, f := range []struct {
		old, new string
		to       **string
	}{
		{u.Status, next.Status, &upd.Status}, {u.LegalName, next.LegalName, &upd.LegalName},
		{u.DisplayName, next.DisplayName, &upd.DisplayName}, {u.EmployeeNo, next.EmployeeNo, &upd.EmployeeNo},
		{u.Phone, next.Phone, &upd.Phone}, {u.Email, next.Email, &upd.Email},
		{u.Department, next.Department, &upd.Department}, {u.Position, next.Position, &upd.Position},
		{u.Lang, next.Lang, &upd.Lang},
	} {
		if f.old != f.new {
			v := f.new
			*f.to = &v
		}
	}
	if u.HireDate != next.HireDate {
		upd.HireDate = &next.HireDate
	}
	if u.LeaveDate != next.LeaveDate {
		upd.LeaveDate = &next.LeaveDate
	}
	return upd
}

// SetRoles replaces a user's roles and sites.
func (a *Accounts) SetRoles(ctx context.Context, actor Actor, username string, roles, sites []string) (*User, error) {
	// An empty list is a choice (no sites), not "keep", so it must reach
	// ChangeUser as a non-nil slice.
	return a.ChangeUser(ctx, actor, username, UserChange{Roles: nonNil(roles), Sites: nonNil(sites)})
}

func nonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

// SetStatus disables or re-enables a user; disabling ends their sessions.
func (a *Accounts) SetStatus(ctx context.Context, actor Actor, username, status string) (*User, error) {
	return a.ChangeUser(ctx, actor, username, UserChange{Status: &status})
}

// UpdateProfile changes a user's own display name and language.
func (a *Accounts) UpdateProfile(ctx context.Context, username, displayName, lang string) (*User, error) {
	displayName = strings.TrimSpace(displayName)
	probe := User{Username: username, DisplayName: displayName, Lang: lang, Roles: []string{RoleAdmin}}
	probe.Normalize()
	if err := probe.Validate(); err != nil {
		return nil, err
	}
	return a.Users.UpdateUser(ctx, username, UserUpdate{DisplayName: &probe.DisplayName, Lang: &probe.Lang})
}

// CreateSite creates a site (物业项目) and records who did.
func (a *Accounts) CreateSite(ctx context.Context, actor Actor, s *Site) error {
	s.CreatedAt = a.Now()
	if err := a.Sites.CreateSite(ctx, s); err != nil {
		return err
	}
	return a.audit(ctx, actor, AuditSiteCreated, s.ID, s.Name)
}

// UpdateSite renames site id or moves it to another zone (tz "" is the
// company's); a nil field is left as it is. Times stored stay UTC and a
// ticket keeps the zone it was opened in; what the site's people see and
// what is counted from now on use the new zone (other instances within
// siteZoneTTL).
func (a *Accounts) UpdateSite(ctx context.Context, actor Actor, id string, name, tz *string) (*Site, error) {
	old, err := a.Sites.FindSite(ctx, id)
	if err != nil {
		return nil, err
	}
	next := *old
	if name != nil {
		next.Name = *name
	}
	if tz != nil {
		next.TZ = *tz
	}
	if err := next.Validate(); err != nil {
		return nil, err
	}
	var changes []string
	if next.Name != old.Name {
		changes = append(changes, fmt.Sprintf("name: %s → %s", old.Name, next.Name))
	}
	if next.TZ != old.TZ {
		changes = append(changes, fmt.Sprintf("tz: %s → %s", cmp.Or(old.TZ, "-"), cmp.Or(next.TZ, "-")))
	}
	if len(changes) == 0 {
		return old, nil
	}
	if err := a.Sites.SaveSite(ctx, &next); err != nil {
		return nil, err
	}
	a.zones.m.Delete(id)
	return &next, a.audit(ctx, actor, AuditSiteUpdated, id, strings.Join(changes, "; "))
}
