package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/academy/academy/internal/mongo"
)

// checkPublicURL reads a --public-url value: an http(s) address with a
// host and nothing after the path, without its trailing slash.
func checkPublicURL(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("--public-url %q: want the address people reach the site at, such as https://academy.example.com", s)
	}
	return strings.TrimRight(s, "/"), nil
}

// canonicalURL decides the site's address. It goes into xAPI activity ids,
// certificate links and QR codes, so every instance on one database must
// use the same: the first address given is recorded in the database, and
// an instance given another refuses to start unless told to move the site
// (change). With --mongo-uri, where instances are several, one must be
// given or recorded; the embedded store falls back to its own listening
// address, unrecorded.
func canonicalURL(ctx context.Context, db *mongo.DB, cfg *Config, given string, change bool, listening string, logger *slog.Logger) (string, error) {
	if given == "" {
		stored, err := db.PublicURL(ctx)
		switch {
		case err != nil:
			return "", err
		case stored != "":
			return stored, nil
		case cfg.MongoURI != "":
			return "", fmt.Errorf("--public-url (env ACADEMY_PUBLIC_URL) is required with --mongo-uri: give every instance the address people reach the site at, such as https://academy.example.com; it goes into certificate links, QR codes and xAPI ids, which must not depend on the instance that made them")
		}
		return "http://" + listening, nil
	}
	stored, err := db.ClaimPublicURL(ctx, given)
	switch {
	case err != nil:
		return "", err
	case stored == given:
		return given, nil
	case change:
		if err := db.SetPublicURL(ctx, given); err != nil {
			return "", err
		}
		logger.Warn("the site's public address changed; restart every other instance with it", "from", stored, "to", given)
		return given, nil
	}
	return "", fmt.Errorf("--public-url %s differs from %s, the address this database's instances use (certificate links, QR codes and xAPI ids carry it): give every instance the same ACADEMY_PUBLIC_URL; to move the site, stop every instance and start one with --change-public-url", given, stored)
}
