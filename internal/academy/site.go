package academy

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Site is a property project (物业项目), the domain of role grants.
type Site struct {
	ID        string    `json:"id" bson:"_id"`
	Name      string    `json:"name" bson:"name"`
	CreatedAt time.Time `json:"created_at" bson:"created_at"`
}

// Validate checks a site's fields.
func (s *Site) Validate() error {
	s.Name = strings.TrimSpace(s.Name)
	if err := CheckIdent(IdentSite, "id", s.ID); err != nil {
		return err
	}
	if s.Name == "" || utf8.RuneCountInString(s.Name) > 64 {
		return Errorf(EINVALID, "name: 1–64 characters")
	}
	return nil
}

// SiteService stores sites.
type SiteService interface {
	CreateSite(ctx context.Context, s *Site) error
	FindSite(ctx context.Context, id string) (*Site, error)
	ListSites(ctx context.Context) ([]*Site, error)
}
