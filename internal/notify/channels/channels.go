// Package channels sends notifications through the outside channels: the
// mail package's SMTP sender and the robot package's group robots, as
// notify.Channel, with links made absolute against the public URL.
package channels

import (
	"context"
	"errors"
	"fmt"
	"html"
	"strings"

	"github.com/academy/academy/internal/mail"
	"github.com/academy/academy/internal/notify"
	"github.com/academy/academy/internal/robot"
)

// New returns the outside channels of notifications: the group
// robots always (each site sets its own in the app), e-mail when a sender
// is configured. base is the public URL the links in messages point at.
func New(sender *mail.Sender, base string) []notify.Channel {
	base = strings.TrimRight(base, "/")
	chs := []notify.Channel{&robotChannel{client: &robot.Client{}, base: base}}
	if sender != nil {
		chs = append(chs, &mailChannel{sender: sender, base: base})
	}
	return chs
}

// mailChannel sends a delivery as an e-mail to its reader's address.
type mailChannel struct {
	sender *mail.Sender
	base   string
}

func (*mailChannel) Name() string { return notify.ChannelEmail }

func (*mailChannel) Permanent(err error) bool { return mail.Permanent(err) }

func (c *mailChannel) Send(ctx context.Context, d notify.Delivery) error {
	text, body := d.Text, "<p>"+strings.ReplaceAll(html.EscapeString(d.Text), "\n", "<br>\n")+"</p>"
	if d.Link != "" {
		link := c.base + d.Link
		text += "\n\n" + link
		body += fmt.Sprintf("\n<p><a href=\"%s\">%s</a></p>", html.EscapeString(link), html.EscapeString(link))
	}
	// The delivery's id keeps the Message-ID of a resend the same, so a
	// message sent again after a crash shows once in the reader's mail.
	return c.sender.Send(ctx, mail.Message{To: d.Address, Subject: d.Subject, Text: text, HTML: body, ID: d.ID})
}

// robotChannel posts a delivery to its site's group robot.
type robotChannel struct {
	client *robot.Client
	base   string
}

func (*robotChannel) Name() string { return notify.ChannelRobot }

// errNoRobot is a delivery whose site has removed its robot since: no
// retry will find one.
var errNoRobot = errors.New("the site has no group robot any more / 该项目已不再设置群机器人")

func (*robotChannel) Permanent(err error) bool {
	return errors.Is(err, errNoRobot) || robot.Permanent(err)
}

func (c *robotChannel) Send(ctx context.Context, d notify.Delivery) error {
	r := d.Robot
	if r == nil || r.URL == "" {
		return errNoRobot
	}
	md := d.Text
	if d.Link != "" {
		md += "\n\n" + c.base + d.Link
	}
	return c.client.Post(ctx, robot.Hook{Kind: robot.Kind(r.Robot), URL: r.URL, Secret: r.Secret}, d.Subject, md)
}
