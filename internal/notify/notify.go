// Package notify turns learning and desk events into notifications and
// delivers them: a durable outbox written with the change, fan-out by each
// person's preferences, and a relay that claims, sends and retries.
//
// It uses the core (internal/academy) and is never imported by it:
// producers in internal/http (and the scheduler) call Service.Enqueue.
package notify

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/academy/academy/internal/academy"
)

// Message is one event for one recipient (or, with To empty, for a site's
// robots alone).
type Message struct {
	// Key is the idempotency key, deterministic from the event, e.g.
	// "due-soon/<assignment>/<user>/<day>": enqueuing the same Key twice
	// stores it once, so a producer may enqueue again after a crash.
	Key    string            `json:"key" bson:"_id"`
	Kind   Kind              `json:"kind" bson:"kind"`
	To     string            `json:"to,omitempty" bson:"to,omitempty"`
	Site   string            `json:"site,omitempty" bson:"site,omitempty"`
	Params map[string]string `json:"params,omitempty" bson:"params,omitempty"`
	Link   string            `json:"link,omitempty" bson:"link,omitempty"`
	At     time.Time         `json:"at" bson:"at"`
}

// Limits of a message, so that a producer's bug cannot fill the outbox.
const (
	maxKey        = 200
	maxParams     = 32
	maxParamValue = 4000
	maxLink       = 500
)

// Service is what producers use.
type Service struct {
	Store  Store
	People People
	Now    func() time.Time
	// Durations says a duration in words in a language (the locale
	// catalog's); nil leaves seconds as they are.
	Durations func(lang string, d time.Duration) string
	// Email says an e-mail channel is configured: without one no e-mail
	// deliveries are made, rather than made to wait for ever.
	Email bool
}

// Enqueue stores messages in the durable outbox (dedup by Key). Rendering
// in the recipient's language and time zone, preferences, quiet hours and
// the per-kind-per-day cap are applied later, at fan-out, not by callers.
func (s *Service) Enqueue(ctx context.Context, ms ...Message) error {
	if len(ms) == 0 {
		return nil
	}
	out := make([]Message, len(ms))
	for i, m := range ms {
		if err := m.validate(); err != nil {
			return err
		}
		if m.At.IsZero() {
			m.At = s.now()
		}
		m.At = m.At.UTC()
		out[i] = m
	}
	return s.Store.AddMessages(ctx, out)
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// validate refuses a malformed message: these come from our own code, so
// the errors name the producer's mistake.
func (m Message) validate() error {
	switch {
	case m.Key == "" || len(m.Key) > maxKey || !utf8.ValidString(m.Key) || strings.ContainsFunc(m.Key, func(r rune) bool { return r < ' ' || r == 0x7f }):
		return academy.Errorf(academy.EINVALID, "notify: 键 %q：须为 1 到 %d 个可打印字节 / key %q: want 1 to %d printable bytes", m.Key, maxKey, m.Key, maxKey)
	case !m.Kind.Known():
		return academy.Errorf(academy.EINVALID, "notify: 未知的通知类型 %q / unknown kind %q", m.Kind, m.Kind)
	case m.To == "" && m.Site == "":
		return academy.Errorf(academy.EINVALID, "notify: 消息 %s 既没有收件人也没有项目 / message %s has neither a recipient nor a site", m.Key, m.Key)
	case len(m.Params) > maxParams:
		return academy.Errorf(academy.EINVALID, "notify: 消息 %s 有 %d 个参数，最多 %d 个 / message %s has %d params, at most %d", m.Key, len(m.Params), maxParams, m.Key, len(m.Params), maxParams)
	case m.Link != "" && (len(m.Link) > maxLink || !strings.HasPrefix(m.Link, "/") || strings.HasPrefix(m.Link, "//")):
		return academy.Errorf(academy.EINVALID, "notify: 消息 %s 的链接 %q：须为本应用内的路径 / message %s link %q: want a path in the app", m.Key, m.Link, m.Key, m.Link)
	}
	for k, v := range m.Params {
		if len(v) > maxParamValue || !utf8.ValidString(v) {
			return academy.Errorf(academy.EINVALID, "notify: 消息 %s 的参数 %s：须为最多 %d 字节的有效文本 / message %s param %s: want valid text of at most %d bytes", m.Key, k, maxParamValue, m.Key, k, maxParamValue)
		}
		if strings.HasSuffix(k, "_at") {
			if _, err := time.Parse(time.RFC3339, v); err != nil {
				return academy.Errorf(academy.EINVALID, "notify: 消息 %s 的参数 %s：须为 RFC 3339 时间 / message %s param %s: want an RFC 3339 time", m.Key, k, m.Key, k)
			}
		}
	}
	return nil
}
