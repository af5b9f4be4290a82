package academy

import (
	"context"
	"strings"
	"time"
)

// Site is a property project (物业项目), the domain of role grants.
type Site struct {
	ID        string    `json:"id" bson:"_id"`
	Name      string    `json:"name" bson:"name"`
	CreatedAt time.Time `json:"created_at" bson:"created_at"`
	// TZ is the site's zone (an IANA name such as Asia/Urumqi) when it is
	// not the company's: its tickets, SLA office hours and the times its
	// people see use it.
	TZ string `json:"tz,omitempty" bson:"tz,omitempty"`
}

// Validate checks a site's fields.
func (s *Site) Validate() error {
	s.Name = strings.TrimSpace(s.Name)
	if err := CheckIdent(IdentSite, "id", s.ID); err != nil {
		return err
	}
	// The desk routes a workspace id with the sandbox prefix to the
	// sandboxes, so a site with one would have a desk nobody can reach.
	if IsSandbox(s.ID) {
		return Errorf(EINVALID, "id: 以 %q 开头的编号留给演练环境 / ids starting with %q are reserved for practice sandboxes", SandboxPrefix, SandboxPrefix)
	}
	if s.Name == "" {
		return Errorf(EINVALID, "name: 请填写名称，1–64 个字符 / required, 1–64 characters")
	}
	if err := CheckText("name", s.Name, 64, false); err != nil {
		return err
	}
	if s.TZ = strings.TrimSpace(s.TZ); s.TZ != "" {
		if _, err := LoadZone("tz", s.TZ); err != nil {
			return err
		}
	}
	return nil
}

// SiteService stores sites.
type SiteService interface {
	CreateSite(ctx context.Context, s *Site) error
	// SaveSite replaces an existing site's name and zone.
	SaveSite(ctx context.Context, s *Site) error
	FindSite(ctx context.Context, id string) (*Site, error)
	ListSites(ctx context.Context) ([]*Site, error)
}
