package notify

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/academy/academy/internal/academy"
)

// Message states after fan-out.
const (
	msgDone    = "done"
	msgDropped = "dropped"
)

// People is what fan-out needs to know about recipients (academy.Accounts).
type People interface {
	FindUser(ctx context.Context, username string) (*academy.User, error)
	ZoneOf(ctx context.Context, u *academy.User) *time.Location
	SiteZone(ctx context.Context, site string) *time.Location
}

// fanOut turns m into what each channel gets: the in-app notification at
// once, e-mail and robot deliveries into the outbox. Every write is keyed
// by m.Key, so fanning the same message out again (after a crash, or by
// two relays) writes nothing new. inApp hears of each in-app write: nil
// when a new notification was stored, the error when the store failed.
func (s *Service) fanOut(ctx context.Context, m Message, inApp func(error)) error {
	if m.To == "" {
		return s.fanOutSite(ctx, m)
	}
	u, err := s.People.FindUser(ctx, m.To)
	if academy.ErrorCode(err) == academy.ENOTFOUND {
		return s.Store.FinishMessage(ctx, m.Key, msgDropped, "no such person")
	} else if err != nil {
		return err
	}
	if u.Status != "" && u.Status != academy.StatusActive {
		return s.Store.FinishMessage(ctx, m.Key, msgDropped, "account not active")
	}
	p, err := s.Store.Prefs(ctx, u.ID)
	if err != nil {
		return err
	}
	// Each kind goes by the channels the person chose for it; digests too,
	// since they are messages of their own kinds.
	choice := p.Choice(m.Kind)
	email := s.Email && choice.Email && u.Email != ""
	if !choice.InApp && !email {
		return s.Store.FinishMessage(ctx, m.Key, msgDropped, "kind switched off")
	}
	loc := s.People.ZoneOf(ctx, u)
	if !m.Kind.Immediate() {
		day := m.At.In(loc).Format(time.DateOnly)
		ok, err := s.Store.TakeCap(ctx, u.ID+"/"+string(m.Kind)+"/"+day, m.Key)
		if err != nil {
			return err
		}
		if !ok {
			return s.Store.FinishMessage(ctx, m.Key, msgDropped, "one of this kind already sent on "+day)
		}
	}
	subject, text := s.render(m, u.Lang, loc)
	if choice.InApp {
		added, err := s.Store.AddNotification(ctx, &Notification{ID: m.Key, To: u.ID, Kind: m.Kind, Subject: subject, Text: text, Link: m.Link, CreatedAt: m.At})
		if err != nil {
			inApp(err)
			return err
		}
		if added {
			inApp(nil)
		}
	}
	if email {
		now := s.now()
		d := Delivery{ID: m.Key + "/" + ChannelEmail, Key: m.Key, Kind: m.Kind, Channel: ChannelEmail, To: u.ID, Address: u.Email,
			Subject: subject, Text: text, Link: m.Link, State: Queued, NextAt: p.quietUntil(now, loc), CreatedAt: now}
		if err := s.Store.AddDeliveries(ctx, []Delivery{d}); err != nil {
			return err
		}
	}
	return s.Store.FinishMessage(ctx, m.Key, msgDone, "")
}

// fanOutSite posts a site message to the site's robot, in Chinese (a
// group has no one language) and the site's zone. Robots have no quiet
// hours: a group chooses the kinds it takes instead.
func (s *Service) fanOutSite(ctx context.Context, m Message) error {
	r, err := s.Store.SiteRobot(ctx, m.Site)
	if err != nil {
		return err
	}
	if !r.Takes(m.Kind) {
		return s.Store.FinishMessage(ctx, m.Key, msgDropped, "the site's robot does not take this kind")
	}
	loc := s.People.SiteZone(ctx, m.Site)
	if !m.Kind.Immediate() {
		day := m.At.In(loc).Format(time.DateOnly)
		ok, err := s.Store.TakeCap(ctx, "site:"+m.Site+"/"+string(m.Kind)+"/"+day, m.Key)
		if err != nil {
			return err
		}
		if !ok {
			return s.Store.FinishMessage(ctx, m.Key, msgDropped, "one of this kind already sent on "+day)
		}
	}
	subject, text := s.render(m, academy.LangZH, loc)
	now := s.now()
	d := Delivery{ID: m.Key + "/" + ChannelRobot, Key: m.Key, Kind: m.Kind, Channel: ChannelRobot, Site: m.Site,
		Subject: subject, Text: text, Link: m.Link, State: Queued, NextAt: now, CreatedAt: now}
	if err := s.Store.AddDeliveries(ctx, []Delivery{d}); err != nil {
		return err
	}
	return s.Store.FinishMessage(ctx, m.Key, msgDone, "")
}

// render fills the kind's templates in lang, with times in loc and
// durations in words.
func (s *Service) render(m Message, lang string, loc *time.Location) (subject, text string) {
	ki, _ := infoOf(m.Kind)
	li := langIndex(lang)
	vals := make(map[string]string, len(m.Params))
	for k, v := range m.Params {
		switch {
		case strings.HasSuffix(k, "_at"):
			if t, err := time.Parse(time.RFC3339, v); err == nil {
				v = t.In(loc).Format("2006-01-02 15:04")
			}
		case strings.HasSuffix(k, "_secs"):
			if n, err := strconv.ParseInt(v, 10, 64); err == nil && s.Durations != nil {
				v = s.Durations(lang, time.Duration(n)*time.Second)
			}
		}
		vals[k] = v
	}
	return execute(ki.Subject[li], vals), execute(ki.Text[li], vals)
}

func execute(t *template.Template, vals map[string]string) string {
	var b strings.Builder
	if err := t.Execute(&b, vals); err != nil {
		// The templates are ours and take only strings; say so rather than send nothing.
		return fmt.Sprintf("(%s: %v)", t.Name(), err)
	}
	return b.String()
}

// Directory adapts the accounts to People.
type Directory struct{ *academy.Accounts }

// FindUser reads a person by username.
func (d Directory) FindUser(ctx context.Context, username string) (*academy.User, error) {
	return d.Users.FindUser(ctx, username)
}
