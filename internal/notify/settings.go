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
// on, e-mail on (when the person has an address), no quiet hours.
//
// Switching a kind off stops it on every channel, in-app included, except
// KindEscalated in the app: a ticket escalated to someone is work handed
// to them and must show in their list whatever they chose.
type Prefs struct {
	Off      []Kind `json:"off" bson:"off,omitempty"`             // kinds switched off
	EmailOff bool   `json:"email_off" bson:"email_off,omitempty"` // no e-mail at all
	// QuietFrom and QuietTo are whole hours (0-23) in the person's zone;
	// between them e-mail waits until QuietTo. Equal hours: no quiet time.
	QuietFrom int `json:"quiet_from" bson:"quiet_from"`
	QuietTo   int `json:"quiet_to" bson:"quiet_to"`
}

// Validate checks prefs from a form or the API.
func (p Prefs) Validate() error {
	for _, k := range p.Off {
		if !k.Known() {
			return academy.Errorf(academy.EINVALID, "off: 未知的通知类型 %q / unknown notification kind %q", clip(string(k)), clip(string(k)))
		}
	}
	if p.QuietFrom < 0 || p.QuietFrom > 23 || p.QuietTo < 0 || p.QuietTo > 23 {
		return academy.Errorf(academy.EINVALID, "quiet_from/quiet_to: 免打扰时段须为 0 到 23 点 / quiet hours must be whole hours from 0 to 23")
	}
	return nil
}

// Wants reports whether the person takes kind k at all.
func (p Prefs) Wants(k Kind) bool { return !slices.Contains(p.Off, k) }

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
