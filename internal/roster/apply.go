package roster

import (
	"context"

	"github.com/academy/academy/internal/academy"
)

// Apply plans f again (the accounts may have changed since the admin
// looked) and, when no row is refused, writes each creation and change
// through Accounts, which checks and audits it. A new account gets no
// password but a set-password link, in its item's Link. A refused row
// stops the whole import before any write: a roster is fixed and
// imported again, not half-applied. Importing the same file twice
// changes nothing the second time.
func (r *Roster) Apply(ctx context.Context, f *File, opt Options) (*Plan, error) {
	p, err := r.Plan(ctx, f, opt)
	if err != nil {
		return nil, err
	}
	if p.Refused() {
		return p, academy.Errorf(academy.EINVALID, "file: %d 行有问题，未导入任何内容 / %d rows are refused; nothing was imported", p.Counts[Refused], p.Counts[Refused])
	}
	disabled := academy.StatusDisabled
	for _, it := range p.Items {
		switch it.Action {
		case Create:
			if err := r.Accounts.CreateUserWithoutPassword(ctx, opt.Actor, it.user); err != nil {
				return p, rowError(it, err)
			}
			if it.Link, err = r.Accounts.IssuePasswordLink(ctx, opt.Actor, it.user.ID); err != nil {
				return p, err
			}
		case Change:
			if _, err := r.Accounts.ChangeUser(ctx, opt.Actor, it.Username, it.change); err != nil {
				return p, rowError(it, err)
			}
		case Disable:
			if _, err := r.Accounts.ChangeUser(ctx, opt.Actor, it.Username, academy.UserChange{Status: &disabled}); err != nil {
				return p, rowError(it, err)
			}
		}
	}
	return p, nil
}

// rowError names the row of a write refused after the plan allowed it
// (someone changed the accounts in between).
func rowError(it *Item, err error) error {
	if academy.ErrorCode(err) == academy.EINTERNAL || academy.ErrorCode(err) == academy.EUNAVAILABLE {
		return err
	}
	who, msg := it.Username, academy.ErrorMessage(err)
	// The row goes into each half: put before the whole, it would stay
	// in one language beside the reader's half of the reason.
	zh, en := academy.MessageIn(academy.LangZH, msg), academy.MessageIn(academy.LangEN, msg)
	if it.Line > 0 {
		return academy.Errorf(academy.ErrorCode(err), "第 %d 行（%s）：%s / row %d (%s): %s", it.Line, who, zh, it.Line, who, en)
	}
	return academy.Errorf(academy.ErrorCode(err), "%s：%s / %s: %s", who, zh, who, en)
}
