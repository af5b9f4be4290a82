package mongo

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/academy/academy/internal/academy"
)

// CalendarStore keeps the working calendars, one document each: the
// company's under "company", a site's under "site/<id>".
type CalendarStore struct{ db *DB }

var _ academy.CalendarStore = (*CalendarStore)(nil)

// NewCalendarStore returns the calendar store.
func NewCalendarStore(db *DB) *CalendarStore { return &CalendarStore{db: db} }

type calendarDoc struct {
	ID                  string `bson:"_id"`
	academy.CalendarDoc `bson:",inline"`
}

// calendarID keeps the company's key apart from any site id.
func calendarID(site string) string {
	if site == "" {
		return "company"
	}
	return "site/" + site
}

// FindCalendar reads the calendar of site ("" for the company's).
func (s *CalendarStore) FindCalendar(ctx context.Context, site string) (*academy.CalendarDoc, error) {
	var d calendarDoc
	if err := s.db.c("calendars").FindOne(ctx, bson.M{"_id": calendarID(site)}).Decode(&d); err != nil {
		return nil, FormatError(err)
	}
	return &d.CalendarDoc, nil
}

// SaveCalendar writes d at d.Version over d.Version-1; version 1 creates
// the document, and a second creator finds it taken.
func (s *CalendarStore) SaveCalendar(ctx context.Context, d *academy.CalendarDoc) error {
	doc := calendarDoc{ID: calendarID(d.Site), CalendarDoc: *d}
	if d.Version == 1 {
		_, err := s.db.c("calendars").InsertOne(ctx, doc)
		if academy.ErrorCode(FormatError(err)) == academy.ECONFLICT {
			return staleCalendar()
		}
		return FormatError(err)
	}
	if err := replaceVersion(ctx, s.db.c("calendars"), doc.ID, d.Version, doc); err != nil {
		if academy.ErrorCode(err) == academy.ECONFLICT || academy.ErrorCode(err) == academy.ENOTFOUND {
			return staleCalendar()
		}
		return err
	}
	return nil
}

func staleCalendar() error {
	return academy.Errorf(academy.ECONFLICT, "日历已被他人修改，请刷新后再改 / The calendar changed meanwhile; reload and edit again.")
}

// DeleteCalendar removes a site's calendar if it is still at version.
func (s *CalendarStore) DeleteCalendar(ctx context.Context, site string, version int) error {
	res, err := s.db.c("calendars").DeleteOne(ctx, bson.M{"_id": calendarID(site), "version": version})
	if err != nil {
		return FormatError(err)
	}
	if res.DeletedCount == 0 {
		return staleCalendar()
	}
	return nil
}

// ListCalendarSites lists the sites with a calendar of their own.
func (s *CalendarStore) ListCalendarSites(ctx context.Context) ([]string, error) {
	cur, err := s.db.c("calendars").Find(ctx, bson.M{"site": bson.M{"$ne": ""}}, options.Find().SetProjection(bson.M{"site": 1}).SetSort(bson.M{"site": 1}))
	if err != nil {
		return nil, FormatError(err)
	}
	var docs []struct {
		Site string `bson:"site"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, FormatError(err)
	}
	sites := make([]string, len(docs))
	for i, d := range docs {
		sites[i] = d.Site
	}
	return sites, nil
}
