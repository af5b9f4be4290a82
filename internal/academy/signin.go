package academy

import (
	"context"
	"fmt"
	"strings"
)

// Fields of an account a company sign-in (an identity provider) may match
// the person by.
const (
	ClaimEmployeeNo = "employee_no"
	ClaimEmail      = "email"
)

// ClaimLogin is what an identity provider vouched for in a verified token.
type ClaimLogin struct {
	// Field (ClaimEmployeeNo or ClaimEmail) and Value find the account.
	Field, Value string
	// Name, Username and Email come from the same token; they fill an
	// account created for a person no account matches.
	Name, Username, Email string
	Kind, IP              string
	// Via names the way of company sign-in in the audit log: "oidc",
	// "wecom", "dingtalk", "feishu"; empty says "oidc".
	Via string
	// CreateSite and CreateRole, when both set, create an account on that
	// site with that role for a person no account matches; otherwise that
	// person is refused.
	CreateSite, CreateRole string
}

// signInDetail marks the audit records of company sign-in by the way it
// came: the OpenID Connect provider unless another is named.
func signInDetail(via string) string {
	if via == "" {
		return "oidc"
	}
	return via
}

// LoginByClaim opens a session for the account a provider's claim names,
// as Login does for a password: same session, same audit action, with
// the way of sign-in as detail ("oidc" ...). A disabled or departed
// account gets the answer of a refused password login.
func (a *Accounts) LoginByClaim(ctx context.Context, cl ClaimLogin) (*Session, string, *User, error) {
	failed := func(target, why string) {
		_ = a.audit(ctx, Actor{IP: cl.IP}, AuditLoginFailed, target, signInDetail(cl.Via)+": "+why)
	}
	switch cl.Field {
	case ClaimEmployeeNo:
		cl.Value = NormalizeEmployeeNo(cl.Value)
	case ClaimEmail:
		cl.Value = strings.TrimSpace(cl.Value)
	default:
		return nil, "", nil, Errorf(EINVALID, "企业登录：未知字段 %q / company sign-in: unknown field %q", cl.Field, cl.Field)
	}
	if cl.Value == "" || len(cl.Value) > maxEmail {
		failed("", "no usable "+cl.Field+" in the token")
		return nil, "", nil, Errorf(EUNAUTHORIZED, "企业账号没有提供%s,无法找到对应的账户,请联系管理员 / Your company account did not say your %s, so no account can be found; ask an administrator.",
			claimLabel(cl.Field, LangZH), claimLabel(cl.Field, LangEN))
	}
	// Two are enough to tell that the value names no one person.
	found, err := a.Users.FindUsersBy(ctx, cl.Field, cl.Value, 2)
	if err != nil {
		return nil, "", nil, err
	}
	var u *User
	switch {
	case len(found) > 1:
		failed("", fmt.Sprintf("%s %q is on several accounts", cl.Field, cl.Value))
		return nil, "", nil, Errorf(EUNAUTHORIZED, "有多个账户使用同一%s,无法确定是哪一个,请联系管理员 / Several accounts have the same %s; ask an administrator to tell them apart.",
			claimLabel(cl.Field, LangZH), claimLabel(cl.Field, LangEN))
	case len(found) == 1:
		u = found[0]
	case cl.CreateSite == "" || cl.CreateRole == "":
		failed("", fmt.Sprintf("no account with %s %q", cl.Field, cl.Value))
		return nil, "", nil, Errorf(EUNAUTHORIZED, "没有与您的企业账号(%s %s)对应的账户,请联系管理员开通 / No account here matches your company account (%s %s); ask an administrator to open one.",
			claimLabel(cl.Field, LangZH), cl.Value, claimLabel(cl.Field, LangEN), cl.Value)
	default:
		if u, err = a.createFromClaims(ctx, cl); err != nil {
			failed("", "creating the account: "+ErrorMessage(err))
			return nil, "", nil, err
		}
	}
	if u.Status != StatusActive || u.HasLeft(a.Now(), a.ZoneOf(ctx, u)) {
		why := "account disabled"
		if u.Status == StatusActive {
			why = "left on " + string(u.LeaveDate)
		}
		failed(u.ID, why)
		return nil, "", nil, wrongLogin()
	}
	s, token := NewSession(u.ID, cl.Kind, cl.IP, a.Now())
	if err := a.Sessions.CreateSession(ctx, s); err != nil {
		return nil, "", nil, err
	}
	if err := a.audit(ctx, Actor{Username: u.ID, IP: cl.IP}, AuditLoginOK, u.ID, signInDetail(cl.Via)); err != nil {
		return nil, "", nil, err
	}
	return s, token, u, nil
}

// SignInFailed records a company sign-in that failed before any account
// was in question (a forged or replayed answer, a token that does not
// verify), as a failed login from ip by the way via (see ClaimLogin.Via).
func (a *Accounts) SignInFailed(ctx context.Context, ip, via, why string) error {
	return a.audit(ctx, Actor{IP: ip}, AuditLoginFailed, "", signInDetail(via)+": "+why)
}

func claimLabel(field, lang string) string {
	zh, en := "工号", "employee number"
	if field == ClaimEmail {
		zh, en = "邮箱", "email"
	}
	if lang == LangZH {
		return zh
	}
	return en
}

// createFromClaims opens an account for a person the provider knows and
// no account matches. Its password is random and told to no one: the
// person signs in through the provider until an admin sets one.
func (a *Accounts) createFromClaims(ctx context.Context, cl ClaimLogin) (*User, error) {
	name := strings.TrimSpace(cl.Name)
	local, _, _ := strings.Cut(cl.Email, "@")
	// The first free username that can be one; the last resort is made of
	// the matched value, which no other account holds.
	candidates := []string{cl.Username, local, cl.Value}
	candidates = append(candidates, "user-"+HashToken(cl.Field + ":" + cl.Value)[:10])
	for _, username := range candidates {
		username = strings.TrimSpace(username)
		if !ValidUsername(username) {
			continue
		}
		if _, err := a.Users.FindUser(ctx, username); err == nil {
			continue
		} else if ErrorCode(err) != ENOTFOUND {
			return nil, err
		}
		u := &User{Username: username, DisplayName: name, Roles: []string{cl.CreateRole}, Sites: []string{cl.CreateSite}}
		if u.DisplayName == "" {
			u.DisplayName = username
		}
		switch cl.Field {
		case ClaimEmployeeNo:
			u.EmployeeNo = cl.Value
			u.Email = strings.TrimSpace(cl.Email)
		case ClaimEmail:
			u.Email = cl.Value
		}
		if checkEmail(u.Email) != nil {
			u.Email = "" // an address the provider formats oddly is not worth a refusal
		}
		if err := a.CreateUser(ctx, Actor{IP: cl.IP}, u, NewToken()); err != nil {
			return nil, err
		}
		return u, nil
	}
	return nil, Errorf(EINVALID, "企业登录：%s %q 没有可用的用户名 / company sign-in: no free username for %s %q", cl.Field, cl.Value, cl.Field, cl.Value)
}
