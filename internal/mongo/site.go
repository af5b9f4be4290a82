package mongo

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/academy/academy/internal/academy"
)

// SiteService stores sites keyed by their slug.
type SiteService struct{ db *DB }

var _ academy.SiteService = (*SiteService)(nil)

// NewSiteService returns the site store.
func NewSiteService(db *DB) *SiteService { return &SiteService{db: db} }

// CreateSite inserts a site; an existing id is ECONFLICT.
func (s *SiteService) CreateSite(ctx context.Context, site *academy.Site) error {
	if err := site.Validate(); err != nil {
		return err
	}
	if site.CreatedAt.IsZero() {
		site.CreatedAt = s.db.Now()
	}
	_, err := s.db.c("sites").InsertOne(ctx, site)
	if academy.ErrorCode(FormatError(err)) == academy.ECONFLICT {
		return academy.Errorf(academy.ECONFLICT, "项目 %q 已存在 / site %q exists", site.ID, site.ID)
	}
	return FormatError(err)
}

// SaveSite replaces an existing site; a missing one is ENOTFOUND.
func (s *SiteService) SaveSite(ctx context.Context, site *academy.Site) error {
	if err := site.Validate(); err != nil {
		return err
	}
	res, err := s.db.c("sites").ReplaceOne(ctx, bson.M{"_id": site.ID}, site)
	if err != nil {
		return FormatError(err)
	}
	if res.MatchedCount == 0 {
		return academy.Errorf(academy.ENOTFOUND, "项目 %q 不存在 / site %q not found", site.ID, site.ID)
	}
	return nil
}

// FindSite reads a site.
func (s *SiteService) FindSite(ctx context.Context, id string) (*academy.Site, error) {
	var site academy.Site
	if err := s.db.c("sites").FindOne(ctx, bson.M{"_id": id}).Decode(&site); err != nil {
		err = FormatError(err)
		if academy.ErrorCode(err) == academy.ENOTFOUND {
			return nil, academy.Errorf(academy.ENOTFOUND, "项目 %q 不存在 / site %q not found", id, id)
		}
		return nil, err
	}
	return &site, nil
}

// ListSites returns all sites by id; there are few.
func (s *SiteService) ListSites(ctx context.Context) ([]*academy.Site, error) {
	cur, err := s.db.c("sites").Find(ctx, bson.M{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, FormatError(err)
	}
	var out []*academy.Site
	if err := cur.All(ctx, &out); err != nil {
		return nil, FormatError(err)
	}
	return out, nil
}
