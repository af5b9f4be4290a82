package academy

import (
	"context"
	"strings"
	"time"
)

// PasswordLinkTTL is how long a set-password link stays usable: long
// enough for an admin to hand it out in the week someone starts.
const PasswordLinkTTL = 7 * 24 * time.Hour

// PasswordLink lets the holder of its token choose the password of an
// account that has none yet (an account made from a roster). Only the
// token's hash is stored, as for sessions, so a copy of the database
// opens no account.
type PasswordLink struct {
	ID        string    `bson:"_id"` // HashToken of the token
	Username  string    `bson:"username"`
	CreatedAt time.Time `bson:"created_at"`
	ExpiresAt time.Time `bson:"expires_at"`
}

// PasswordLinkService stores set-password links.
type PasswordLinkService interface {
	CreatePasswordLink(ctx context.Context, l *PasswordLink) error
	FindPasswordLink(ctx context.Context, id string) (*PasswordLink, error)
	// TakePasswordLink removes the link and returns it, so that of two
	// uses at once only one gets it (ENOTFOUND for the other).
	TakePasswordLink(ctx context.Context, id string) (*PasswordLink, error)
	// DeleteExpiredPasswordLinks removes links past their expiry, used or
	// not, and says how many went.
	DeleteExpiredPasswordLinks(ctx context.Context, now time.Time) (int, error)
}

// passwordLinkGone is the answer for an unknown, used or expired link:
// which of them it was tells a guesser nothing useful.
func passwordLinkGone() *Error {
	return Errorf(ENOTFOUND, "链接无效、已用过或已过期，请向管理员索取新链接 / This link is invalid, used or expired; ask an admin for a new one.")
}

// CreateUserWithoutPassword stores u with no password: nobody can sign
// in as u until someone sets one through a link (IssuePasswordLink) or
// an admin's reset. The checks are those of CreateUser.
func (a *Accounts) CreateUserWithoutPassword(ctx context.Context, actor Actor, u *User) error {
	return a.createUser(ctx, actor, u, "")
}

// IssuePasswordLink makes a link for username and returns its token,
// which appears nowhere else: the caller hands it out once.
func (a *Accounts) IssuePasswordLink(ctx context.Context, actor Actor, username string) (string, error) {
	u, err := a.Users.FindUser(ctx, username)
	if err != nil {
		return "", err
	}
	token, now := NewToken(), a.Now()
	l := &PasswordLink{ID: HashToken(token), Username: u.ID, CreatedAt: now, ExpiresAt: now.Add(PasswordLinkTTL)}
	if err := a.Links.CreatePasswordLink(ctx, l); err != nil {
		return "", err
	}
	return token, a.audit(ctx, actor, AuditPasswordLink, u.ID, "until "+l.ExpiresAt.UTC().Format(time.RFC3339))
}

// PasswordLinkUser returns the account a usable link is for, without
// using it up: the page that asks for the new password greets its holder.
func (a *Accounts) PasswordLinkUser(ctx context.Context, token string) (*User, error) {
	l, err := a.findLink(ctx, token, a.Links.FindPasswordLink)
	if err != nil {
		return nil, err
	}
	return a.Users.FindUser(ctx, l.Username)
}

// SetPasswordByLink sets the password of the link's account and uses the
// link up; a password the policy refuses leaves the link usable.
func (a *Accounts) SetPasswordByLink(ctx context.Context, token, password, ip string) (*User, error) {
	if err := ValidatePassword(password); err != nil {
		return nil, err
	}
	if _, err := a.PasswordLinkUser(ctx, token); err != nil {
		return nil, err
	}
	l, err := a.findLink(ctx, token, a.Links.TakePasswordLink)
	if err != nil {
		return nil, err
	}
	if err := a.setPassword(ctx, l.Username, password); err != nil {
		return nil, err
	}
	if err := a.audit(ctx, Actor{Username: l.Username, IP: ip}, AuditPasswordByLink, l.Username, ""); err != nil {
		return nil, err
	}
	return a.Users.FindUser(ctx, l.Username)
}

func (a *Accounts) findLink(ctx context.Context, token string, find func(context.Context, string) (*PasswordLink, error)) (*PasswordLink, error) {
	token = strings.TrimSpace(token)
	if token == "" || len(token) > 128 {
		return nil, passwordLinkGone()
	}
	l, err := find(ctx, HashToken(token))
	if ErrorCode(err) == ENOTFOUND {
		return nil, passwordLinkGone()
	} else if err != nil {
		return nil, err
	}
	if !a.Now().Before(l.ExpiresAt) {
		return nil, passwordLinkGone()
	}
	return l, nil
}
