// Package mail sends notification email over SMTP. It is the only package
// that imports the SMTP library; it knows nothing of notifications, only of
// one message to one recipient.
package mail

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Timeout bounds connecting and each SMTP command: a relay that stops
// answering must not hold a relay worker (and its claim on the outbox) for
// longer than this.
const Timeout = 30 * time.Second

// Message is one email to one recipient.
type Message struct {
	To      string // address, optionally with a display name: "王芳 <wang@example.com>"
	Subject string // any text, Chinese included; encoded as RFC 2047 words
	Text    string // the plain-text part, always sent
	HTML    string // the HTML alternative; "" sends plain text only
	// ID is the caller's stable id for this message (the outbox key). The
	// Message-ID is derived from it, so a resend after a crash carries the
	// same Message-ID and mail clients show it once. "" picks a random one.
	ID string
}

// Sender sends messages through one SMTP server. It holds no connection:
// each Send dials, sends and quits, which suits a relay that sends a few
// messages a minute and survives a server restart without a broken pool.
type Sender struct {
	host     string
	port     int
	implicit bool // smtps: TLS from the first byte
	plain    bool // ?tls=none on a loopback relay: no TLS at all
	user     string
	password string
	from     *netmail.Address

	// RootCAs verifies the server's certificate; nil uses the system's
	// roots. Set it for a relay with a company CA.
	RootCAs *x509.CertPool
}

// New reads the SMTP URL:
//
//	smtp://user@host:587?from=academy@example.com   STARTTLS, required
//	smtp://localhost:25?tls=none&from=...            no TLS: loopback relays only
//	smtps://user@host:465?from=...                   TLS from the start
//
// The password comes from the caller (the environment in the app), never
// from the URL, so that it shows neither in flags nor in process lists.
// from may carry a display name ("物业学院 <academy@example.com>"); when
// absent, a user that is an address is the sender.
func New(rawURL, password string) (*Sender, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("SMTP URL: %w", err)
	}
	s := &Sender{password: password}
	switch u.Scheme {
	case "smtp":
		s.port = 587
	case "smtps":
		s.port = 465
		s.implicit = true
	default:
		return nil, fmt.Errorf("SMTP URL: scheme %q: use smtp:// (STARTTLS) or smtps:// (TLS)", u.Scheme)
	}
	s.host = u.Hostname()
	if s.host == "" {
		return nil, errors.New("SMTP URL: no host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("SMTP URL: port %q: want 1 to 65535", p)
		}
		s.port = n
	}
	if u.Path != "" && u.Path != "/" || u.Fragment != "" {
		return nil, errors.New("SMTP URL: no path or fragment expected, only host, port and ?from=")
	}
	if u.User != nil {
		s.user = u.User.Username()
		if _, set := u.User.Password(); set {
			return nil, errors.New("SMTP URL: put no password in the URL; pass it through the environment")
		}
	}
	q := u.Query()
	for k := range q {
		if k != "from" && k != "tls" {
			return nil, fmt.Errorf("SMTP URL: unknown parameter %q (known: from, tls)", k)
		}
	}
	switch tlsMode := q.Get("tls"); tlsMode {
	case "":
	case "none":
		if s.implicit {
			return nil, errors.New("SMTP URL: smtps:// is TLS; tls=none contradicts it")
		}
		if !loopback(s.host) {
			return nil, fmt.Errorf("SMTP URL: tls=none only for a relay on this machine (localhost, 127.0.0.1, ::1), not %q", s.host)
		}
		s.plain = true
	default:
		return nil, fmt.Errorf("SMTP URL: tls=%q: the only value is none (for a loopback relay)", tlsMode)
	}
	from := q.Get("from")
	if from == "" && strings.Contains(s.user, "@") {
		from = s.user
	}
	if from == "" {
		return nil, errors.New("SMTP URL: no sender: add ?from=academy@example.com")
	}
	if s.from, err = netmail.ParseAddress(from); err != nil {
		return nil, fmt.Errorf("SMTP URL: from=%q: %w", from, err)
	}
	return s, nil
}

// loopback reports whether host names this machine by a name or address
// that cannot leave it, the only place a message may travel unencrypted.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// From is the sender address, for logs and the admin page.
func (s *Sender) From() string { return s.from.String() }

// Send delivers m. The error says whether a retry may help: see Permanent.
func (s *Sender) Send(ctx context.Context, m Message) error {
	msg, err := s.build(m)
	if err != nil {
		return &permanentError{err}
	}
	opts := []gomail.Option{
		gomail.WithPort(s.port),
		gomail.WithTimeout(Timeout),
		gomail.WithTLSConfig(&tls.Config{ServerName: s.host, MinVersion: tls.VersionTLS12, RootCAs: s.RootCAs}),
	}
	switch {
	case s.implicit:
		opts = append(opts, gomail.WithSSL())
	case s.plain:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		// Mandatory: a server (or a man in the middle) that does not offer
		// STARTTLS gets neither the password nor the message.
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.user != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.user), gomail.WithPassword(s.password))
	}
	c, err := gomail.NewClient(s.host, opts...)
	if err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("mail: send to %s via %s:%d: %w", m.To, s.host, s.port, err)
	}
	return nil
}

// build turns m into a multipart/alternative message (plain text first,
// HTML last, as RFC 2046 orders them by preference) with Date, Message-ID
// and Auto-Submitted, so that out-of-office replies stay away.
func (s *Sender) build(m Message) (*gomail.Msg, error) {
	to, err := netmail.ParseAddress(m.To)
	if err != nil {
		return nil, fmt.Errorf("mail: recipient %q: %w", m.To, err)
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(s.from)
	msg.ToMailAddress(to)
	// A subject is one line: a line break from a template or a name would
	// otherwise end up as a folded header or an injected one.
	msg.Subject(strings.Join(strings.Fields(m.Subject), " "))
	msg.SetDate()
	msg.SetMessageIDWithValue(s.messageID(m.ID))
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// messageID is <hash-of-id@sender-domain>: unique per message, stable per
// id, and revealing neither the id nor this machine's host name.
func (s *Sender) messageID(id string) string {
	local := rand.Text()
	if id != "" {
		sum := sha256.Sum256([]byte(id))
		local = hex.EncodeToString(sum[:16])
	}
	domain := s.from.Address[strings.LastIndexByte(s.from.Address, '@')+1:]
	return local + "@" + domain
}

// permanentError marks a message that no retry can send (a malformed
// recipient address).
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent reports whether err is a refusal that a retry cannot fix: a 5xx
// reply (unknown recipient, message refused, authentication failed, which
// needs an admin to change the settings before a resend) or a malformed
// address. Network errors, timeouts and 4xx replies are temporary.
func Permanent(err error) bool {
	var pe *permanentError
	if errors.As(err, &pe) {
		return true
	}
	var se *gomail.SendError
	if errors.As(err, &se) {
		return se.ErrorCode() >= 500
	}
	var te *textproto.Error
	return errors.As(err, &te) && te.Code >= 500
}
