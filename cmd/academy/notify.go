package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"time"

	"github.com/academy/academy/internal/notify"
	"github.com/academy/academy/web"
)

// notifyChannels builds the outside channels of notifications. Robots
// need no flags (each site sets its own in the app); e-mail needs
// --smtp-url.
//
// The SMTP sender and the signed DingTalk and Feishu robots come with the
// mail and robot packages; until they are wired here, --smtp-url is
// refused at start (smtpPassword is the mail sender's) and only WeCom
// robots post.
func notifyChannels(smtpURL, smtpPassword string) ([]notify.Channel, error) {
	if smtpURL != "" {
		u, err := url.Parse(smtpURL)
		if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Host == "" {
			return nil, fmt.Errorf("--smtp-url: want smtp://user@host:587?from=academy@example.com or smtps://host:465")
		}
		return nil, fmt.Errorf("--smtp-url: this build cannot send e-mail yet; leave it empty")
	}
	return []notify.Channel{&robotChannel{client: &http.Client{Timeout: 20 * time.Second}}}, nil
}

// robotChannel posts to a site's group robot.
type robotChannel struct{ client *http.Client }

var _ notify.Channel = (*robotChannel)(nil)

func (*robotChannel) Name() string { return notify.ChannelRobot }

// errRefused marks an answer a retry cannot change.
var errRefused = errors.New("refused")

func (*robotChannel) Permanent(err error) bool { return errors.Is(err, errRefused) }

// Send posts d as WeCom's markdown message
// (https://developer.work.weixin.qq.com/document/path/91770).
func (c *robotChannel) Send(ctx context.Context, d notify.Delivery) error {
	r := d.Robot
	if r == nil || r.URL == "" {
		return fmt.Errorf("the site has no robot any more: %w", errRefused)
	}
	if r.Robot != notify.RobotWeCom {
		return fmt.Errorf("%s robots are not supported by this build: %w", r.Robot, errRefused)
	}
	text := "**" + d.Subject + "**\n" + d.Text
	body, err := json.Marshal(map[string]any{"msgtype": "markdown", "markdown": map[string]string{"content": text}})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("robot address: %v: %w", err, errRefused)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := c.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(res.Body, 4<<10))
	switch {
	case res.StatusCode == http.StatusTooManyRequests || res.StatusCode >= 500:
		return fmt.Errorf("robot answered %d", res.StatusCode)
	case res.StatusCode >= 400:
		return fmt.Errorf("robot answered %d: %w", res.StatusCode, errRefused)
	}
	var out struct {
		ErrCode int    `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	if json.Unmarshal(raw, &out) == nil && out.ErrCode != 0 {
		// 45009 is WeCom's rate limit: worth a retry; any other code is
		// about the request (a bad key, a bad body).
		if out.ErrCode == 45009 {
			return fmt.Errorf("robot: %d %s", out.ErrCode, out.ErrMsg)
		}
		return fmt.Errorf("robot: %d %s: %w", out.ErrCode, out.ErrMsg, errRefused)
	}
	return nil
}

// mustLocales is the embedded locales directory, for notifications'
// durations in words.
func mustLocales() fs.FS {
	sub, err := fs.Sub(web.FS, "locales")
	if err != nil {
		panic(err) // the directory is embedded: only a broken build lacks it
	}
	return sub
}
