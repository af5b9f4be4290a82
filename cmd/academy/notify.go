package main

import (
	"fmt"
	"io/fs"

	"github.com/academy/academy/internal/mail"
	"github.com/academy/academy/web"
)

// newMailSender reads --smtp-url at start, so a bad URL stops the server
// before anything else; nil without one (no e-mail is sent).
func newMailSender(smtpURL, password string) (*mail.Sender, error) {
	if smtpURL == "" {
		return nil, nil
	}
	s, err := mail.New(smtpURL, password)
	if err != nil {
		return nil, fmt.Errorf("--smtp-url: %v", err)
	}
	return s, nil
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
