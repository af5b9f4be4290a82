package notify

import (
	"net"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/academy/academy/internal/academy"
)

// Prefs are a person's choices. The zero value is the default: every kind
// on every channel (e-mail when the person has an address), no quiet hours.
//
// A kind's channels are what the lists leave on: Off takes a kind off
// every channel, InAppOff off the app alone, MailOff off e-mail alone, and
// EmailOff all e-mail. Off and EmailOff are the fields of the first
// version, kept so that stored choices read as they always did; SetChoice
// writes the per-channel lists, and a kind no list names (one added
// later) is on everywhere.
//
// KindEscalated is always in the app whatever the lists say: a ticket
// escalated to someone is work handed to them and must show in their list.
type Prefs struct {
	Off      []Kind `json:"off" bson:"off,omitempty"`               // kinds on no channel
	InAppOff []Kind `json:"in_app_off" bson:"in_app_off,omitempty"` // kinds by e-mail alone
	MailOff  []Kind `json:"mail_off" bson:"mail_off,omitempty"`     // kinds in the app alone
	EmailOff bool   `json:"email_off" bson:"email_off,omitempty"`   // no e-mail of any kind
	// QuietFrom and QuietTo are whole hours (0-23) in the person's zone;
	// between them e-mail waits until QuietTo. Equal hours: no quiet time.
	QuietFrom int `json:"quiet_from" bson:"quiet_from"`
	QuietTo   int `json:"quiet_to" bson:"quiet_to"`
}

// ChannelInApp names the in-app list among a person's channels (e-mail is
// ChannelEmail); it is also the in-app notifications' label in the metrics.
const ChannelInApp = "in_app"

// PersonalChannels are the channels a person chooses per kind, in the
// order the preference page shows them.
var PersonalChannels = []string{ChannelInApp, ChannelEmail}

// Choice is the channels a person takes one kind on.
type Choice struct{ InApp, Email bool }

// Choice says which channels carry kind k to the person, as fan-out
// applies them (KindEscalated always in the app).
func (p Prefs) Choice(k Kind) Choice {
	c := p.chosen(k)
	c.InApp = c.InApp || k == KindEscalated
	return c
}

// chosen is the person's own choice for k, before the app's exception.
func (p Prefs) chosen(k Kind) Choice {
	if slices.Contains(p.Off, k) {
		return Choice{}
	}
	return Choice{InApp: !slices.Contains(p.InAppOff, k), Email: !p.EmailOff && !slices.Contains(p.MailOff, k)}
}

// SetChoice sets the channels of each kind in cs, leaving the others as
// they were. The all-e-mail switch of the first version becomes one entry
// per kind, so that a kind may take e-mail while others do not.
func (p *Prefs) SetChoice(cs map[Kind]Choice) {
	all := make(map[Kind]Choice, len(kinds))
	for _, k := range Kinds() {
		c, ok := cs[k]
		if !ok {
			c = p.chosen(k)
		}
		all[k] = c
	}
	p.Off, p.InAppOff, p.MailOff, p.EmailOff = nil, nil, nil, false
	for _, k := range Kinds() {
		switch c := all[k]; {
		case !c.InApp && !c.Email:
			p.Off = append(p.Off, k)
		case !c.InApp:
			p.InAppOff = append(p.InAppOff, k)
		case !c.Email:
			p.MailOff = append(p.MailOff, k)
		}
	}
}

// ParseChannels reads per-kind channel names (the API's "channels", the
// form's checkboxes) into choices; each kind named takes exactly the
// channels listed. field names the input in the error messages.
func ParseChannels(field string, in map[string][]string) (map[Kind]Choice, error) {
	out := make(map[Kind]Choice, len(in))
	for k, chs := range in {
		kind := Kind(k)
		if !kind.Known() {
			return nil, academy.Errorf(academy.EINVALID, "%s: 未知的通知类型 %q / unknown notification kind %q", field, clip(k), clip(k))
		}
		var c Choice
		for _, ch := range chs {
			switch ch {
			case ChannelInApp:
				c.InApp = true
			case ChannelEmail:
				c.Email = true
			default:
				return nil, academy.Errorf(academy.EINVALID, "%s.%s: 未知的通知渠道 %q，只能是 in_app（站内）或 email（邮件） / unknown channel %q: in_app or email", field, k, clip(ch), clip(ch))
			}
		}
		if kind == KindEscalated && !c.InApp {
			return nil, academy.Errorf(academy.EINVALID, "%s.%s: 升级给你的工单总会显示在站内通知中，站内不能关闭 / a ticket escalated to you always shows in the app; in_app cannot be switched off", field, k)
		}
		out[kind] = c
	}
	return out, nil
}

// Validate checks prefs from a form or the API.
func (p Prefs) Validate() error {
	for field, ks := range map[string][]Kind{"off": p.Off, "in_app_off": p.InAppOff, "mail_off": p.MailOff} {
		for _, k := range ks {
			if !k.Known() {
				return academy.Errorf(academy.EINVALID, "%s: 未知的通知类型 %q / unknown notification kind %q", field, clip(string(k)), clip(string(k)))
			}
		}
	}
	if p.QuietFrom < 0 || p.QuietFrom > 23 || p.QuietTo < 0 || p.QuietTo > 23 {
		return academy.Errorf(academy.EINVALID, "quiet_from/quiet_to: 免打扰时段须为 0 到 23 点 / quiet hours must be whole hours from 0 to 23")
	}
	return nil
}

// Wants reports whether the person chose kind k on some channel (the
// first version's "kinds" of the API).
func (p Prefs) Wants(k Kind) bool { c := p.chosen(k); return c.InApp || c.Email }

// quietUntil is when a delivery due at t may go out: t itself, or the end
// of the quiet hours in loc that t falls in.
func (p Prefs) quietUntil(t time.Time, loc *time.Location) time.Time {
	if p.QuietFrom == p.QuietTo {
		return t
	}
	lt := t.In(loc)
	h := lt.Hour()
	quiet := (p.QuietFrom < p.QuietTo && h >= p.QuietFrom && h < p.QuietTo) ||
		(p.QuietFrom > p.QuietTo && (h >= p.QuietFrom || h < p.QuietTo))
	if !quiet {
		return t
	}
	end := time.Date(lt.Year(), lt.Month(), lt.Day(), p.QuietTo, 0, 0, 0, loc)
	if !end.After(lt) {
		end = time.Date(lt.Year(), lt.Month(), lt.Day()+1, p.QuietTo, 0, 0, 0, loc)
	}
	return end.UTC()
}

// Robot kinds: the group robots a site may post to.
const (
	RobotWeCom    = "wecom"
	RobotDingTalk = "dingtalk"
	RobotFeishu   = "feishu"
)

// RobotKinds lists the robot kinds in display order.
var RobotKinds = []string{RobotWeCom, RobotDingTalk, RobotFeishu}

// SiteRobot is a site's group robot: where its messages go and which
// kinds it takes. Secret is write-only: never shown back.
type SiteRobot struct {
	Site      string    `json:"site" bson:"_id"`
	Robot     string    `json:"robot" bson:"robot"` // wecom, dingtalk, feishu; "" for none
	URL       string    `json:"url" bson:"url"`
	Secret    string    `json:"-" bson:"secret,omitempty"`
	Kinds     []Kind    `json:"kinds" bson:"kinds"`
	UpdatedAt time.Time `json:"updated_at,omitzero" bson:"updated_at"`
	UpdatedBy string    `json:"updated_by,omitempty" bson:"updated_by"`
}

// HasSecret says whether a secret is set, for pages that must not show it.
func (r SiteRobot) HasSecret() bool { return r.Secret != "" }

// Takes reports whether the robot posts messages of kind k.
func (r SiteRobot) Takes(k Kind) bool { return r.URL != "" && slices.Contains(r.Kinds, k) }

const (
	maxRobotURL    = 500
	maxRobotSecret = 200
)

// Validate checks a robot from a form or the API. The address must be
// https, except http to this machine (a stand-in in tests).
func (r SiteRobot) Validate() error {
	if r.Robot == "" && r.URL == "" {
		return nil // no robot
	}
	if !slices.Contains(RobotKinds, r.Robot) {
		return academy.Errorf(academy.EINVALID, "robot: 请选择企业微信、钉钉或飞书 / choose WeCom, DingTalk or Feishu")
	}
	if len(r.URL) > maxRobotURL {
		return academy.Errorf(academy.EINVALID, "url: 地址最长 %d 个字符 / the address may be at most %d characters", maxRobotURL, maxRobotURL)
	}
	u, err := url.Parse(r.URL)
	if err != nil || u.Host == "" || u.User != nil || (u.Scheme != "https" && !(u.Scheme == "http" && loopback(u.Hostname()))) {
		return academy.Errorf(academy.EINVALID, "url: 机器人地址须为 https:// 开头的完整网址 / the robot address must be a full https:// URL")
	}
	if len(r.Secret) > maxRobotSecret || !utf8.ValidString(r.Secret) || strings.ContainsFunc(r.Secret, func(c rune) bool { return c <= ' ' || c == 0x7f }) {
		return academy.Errorf(academy.EINVALID, "secret: 签名密钥最长 %d 个字符,不含空格 / the signing secret may be at most %d characters without spaces", maxRobotSecret, maxRobotSecret)
	}
	for _, k := range r.Kinds {
		if !k.Known() {
			return academy.Errorf(academy.EINVALID, "kinds: 未知的通知类型 %q / unknown notification kind %q", clip(string(k)), clip(string(k)))
		}
	}
	return nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// clip shortens echoed input so that an error message stays short.
func clip(s string) string {
	if len(s) <= 40 {
		return s
	}
	return strings.ToValidUTF8(s[:40], "") + "…"
}
