package academy

import (
	"context"
	"strings"
	"sync"
	"time"
)

// DefaultZone is the company's zone when none is configured: the people
// here work on Beijing time, whatever zone the server runs in.
const DefaultZone = "Asia/Shanghai"

// LoadZone reads an IANA zone name such as Asia/Shanghai for field. The
// process's own zone ("Local", "") is refused: what people see must not
// change with the machine the server runs on.
func LoadZone(field, name string) (*time.Location, error) {
	name = strings.TrimSpace(name)
	if name != "" && name != "Local" && len(name) <= 64 {
		if loc, err := time.LoadLocation(name); err == nil {
			return loc, nil
		}
	}
	return nil, Errorf(EINVALID, "%s: 请填写时区名称，如 Asia/Shanghai / must be a time zone name such as Asia/Shanghai or Asia/Urumqi", field)
}

// siteZones remembers each site's zone for siteZoneTTL: an admin may move
// a site to another zone, which this instance forgets at once and the
// others within the TTL.
type siteZones struct{ m sync.Map }

type siteZone struct {
	loc   *time.Location
	until time.Time
}

// siteZoneTTL is how long a site's zone is taken as read.
const siteZoneTTL = time.Minute

// CompanyZone is the zone of the company's calendar (a.Zone, UTC when
// none was wired).
func (a *Accounts) CompanyZone() *time.Location {
	if a.Zone != nil {
		return a.Zone
	}
	return time.UTC
}

// SiteZone is the zone site's times are shown and counted in: the site's
// own, else the company's.
func (a *Accounts) SiteZone(ctx context.Context, site string) *time.Location {
	if IsSandbox(site) {
		// A practice desk is no site: it keeps the company's calendar.
		return a.CompanyZone()
	}
	now := time.Now()
	if z, ok := a.zones.m.Load(site); ok && now.Before(z.(siteZone).until) {
		return z.(siteZone).loc
	}
	s, err := a.Sites.FindSite(ctx, site)
	if err != nil {
		// A sandbox or a site gone from the store: the company's calendar.
		return a.CompanyZone()
	}
	loc := a.CompanyZone()
	if s.TZ != "" {
		if l, err := time.LoadLocation(s.TZ); err == nil {
			loc = l
		}
	}
	a.zones.m.Store(site, siteZone{loc, now.Add(siteZoneTTL)})
	return loc
}

// ZoneOf is the zone u reads times in: the zone of u's site when u works
// on exactly one, else the company's.
func (a *Accounts) ZoneOf(ctx context.Context, u *User) *time.Location {
	if u != nil && len(u.Sites) == 1 {
		return a.SiteZone(ctx, u.Sites[0])
	}
	return a.CompanyZone()
}
