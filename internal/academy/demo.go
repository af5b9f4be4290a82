package academy

import (
	"context"
	"crypto/rand"
)

// DemoSite is the site that demo mode creates.
var DemoSite = Site{ID: "demo", Name: "示范小区"}

// DemoAccount is an account created by demo mode, with its one-time password.
type DemoAccount struct {
	Username, Password, Role string
}

// demoPeople are the demo accounts, one per role and three agents. Their hire dates make
// the onboarding rule visible: the trainee was hired ten days ago and has
// twenty days left to certify.
var demoPeople = []struct {
	username, name, role, employeeNo string
	hiredDaysAgo                     int
}{
	{"trainee", "王小新", RoleTrainee, "E1005", 10},
	{"trainer", "李培训", RoleTrainer, "E1002", 900},
	{"manager", "张主管", RoleManager, "E1001", 1500},
	{"agent", "陈客服", RoleAgent, "E1004", 400},
	// Two more agents, whose closed tickets the quality demo fills.
	{"agent2", "刘客服", RoleAgent, "E1006", 200},
	{"agent3", "赵客服", RoleAgent, "E1007", 90},
	{"admin", "系统管理员", RoleAdmin, "E1003", 1200},
}

// SeedDemo creates the demo site and one account per role, once: when the
// demo site already exists it does nothing and returns no accounts, so
// passwords are shown only at first start.
func SeedDemo(ctx context.Context, a *Accounts) ([]DemoAccount, error) {
	if _, err := a.Sites.FindSite(ctx, DemoSite.ID); err == nil {
		return nil, nil
	} else if ErrorCode(err) != ENOTFOUND {
		return nil, err
	}
	var out []DemoAccount
	for _, p := range demoPeople {
		u := &User{Username: p.username, DisplayName: p.name, LegalName: p.name, Roles: []string{p.role}, Sites: []string{DemoSite.ID},
			EmployeeNo: p.employeeNo, HireDate: DateOf(a.Now().AddDate(0, 0, -p.hiredDaysAgo), a.CompanyZone()), Department: "客服中心"}
		if _, err := a.Users.FindUser(ctx, p.username); err == nil {
			continue // a real account of that name exists; leave it alone
		}
		pw := GeneratePassword()
		if err := a.createUserUnchecked(ctx, u, pw); err != nil {
			return nil, err
		}
		out = append(out, DemoAccount{Username: p.username, Password: pw, Role: p.role})
	}
	site := DemoSite
	site.CreatedAt = a.Now()
	// The site is created last: it marks the seeding as complete, so an
	// interrupted first start seeds again instead of leaving half a demo.
	if err := a.Sites.CreateSite(ctx, &site); err != nil && ErrorCode(err) != ECONFLICT {
		return nil, err
	}
	return out, nil
}

// createUserUnchecked creates u without checking that its sites exist, for
// seeding a site's people before the site itself.
func (a *Accounts) createUserUnchecked(ctx context.Context, u *User, password string) error {
	u.Normalize()
	if err := u.Validate(); err != nil {
		return err
	}
	hash, err := a.Hasher.Hash(password)
	if err != nil {
		return err
	}
	now := a.Now()
	u.PasswordHash, u.CreatedAt, u.UpdatedAt = hash, now, now
	if err := a.Users.CreateUser(ctx, u); err != nil {
		return err
	}
	return a.audit(ctx, Actor{}, AuditUserCreated, u.ID, "demo")
}

// GeneratePassword returns a random password of 26 base32 characters
// (about 130 bits), which has no look-alike digits to misread off a terminal.
func GeneratePassword() string { return rand.Text() }
