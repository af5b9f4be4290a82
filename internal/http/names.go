package http

import (
	"context"

	"github.com/academy/academy/internal/academy"
)

// Pages name people and sites, never by the username or id they are
// stored under. These look the names up for a page's handful of them.

// siteNames maps every site's id to its name.
func (s *Server) siteNames(ctx context.Context) (map[string]string, error) {
	sites, err := s.Accounts.Sites.ListSites(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(sites))
	for _, site := range sites {
		out[site.ID] = site.Name
	}
	return out, nil
}

// siteName is the name of the site id, or the id of a site that is gone.
func (s *Server) siteName(ctx context.Context, id string) (string, error) {
	site, err := s.Accounts.Sites.FindSite(ctx, id)
	switch academy.ErrorCode(err) {
	case "":
		return site.Name, nil
	case academy.ENOTFOUND:
		return id, nil
	}
	return "", err
}

// addPeople adds the display names of usernames to names; an account
// that is gone keeps its username, the only name history has for it.
func (s *Server) addPeople(ctx context.Context, names map[string]string, usernames ...string) error {
	for _, u := range usernames {
		if _, ok := names[u]; ok || u == "" {
			continue
		}
		p, err := s.Accounts.Users.FindUser(ctx, u)
		switch academy.ErrorCode(err) {
		case "":
			names[u] = p.DisplayName
		case academy.ENOTFOUND:
			names[u] = u
		default:
			return err
		}
	}
	return nil
}

// deskNames names who appears on a desk page: the system, the
// department members a ticket can be dispatched to ("田志（工程）") and
// the accounts that worked or took tickets.
func (s *Server) deskNames(ctx context.Context, lang string, w *academy.Workspace, ids ...string) (map[string]string, error) {
	names := map[string]string{academy.ActorSystem: s.locales.T(lang, "desk.actor.system")}
	for _, m := range w.Directory.Members {
		names[m.ID] = s.locales.T(lang, "desk.member", m.Name, s.locales.T(lang, "dept."+m.Department))
	}
	return names, s.addPeople(ctx, names, ids...)
}
