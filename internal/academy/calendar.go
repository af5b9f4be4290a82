package academy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/academy/academy/internal/calendar"
)

// Audit actions of the working calendars.
const (
	AuditCalendarSaved   = "calendar.saved"
	AuditCalendarRemoved = "calendar.removed"
)

// CalendarDoc is a working calendar as its editor wrote it: the YAML file,
// kept as typed so that comments and order survive an edit.
type CalendarDoc struct {
	// Site is the site whose own calendar this is, "" for the company's.
	Site      string    `json:"site,omitempty" bson:"site"`
	YAML      string    `json:"yaml" bson:"yaml"`
	Version   int       `json:"version" bson:"version"`
	UpdatedAt time.Time `json:"updated_at" bson:"updated_at"`
	UpdatedBy string    `json:"updated_by" bson:"updated_by"`
}

// CalendarStore keeps the company's calendar and the sites' own.
type CalendarStore interface {
	// FindCalendar returns the calendar of site ("" for the company's),
	// ENOTFOUND when it has none of its own.
	FindCalendar(ctx context.Context, site string) (*CalendarDoc, error)
	// SaveCalendar writes d as version d.Version over version
	// d.Version-1 (1 creates it); ECONFLICT when someone saved meanwhile.
	SaveCalendar(ctx context.Context, d *CalendarDoc) error
	// DeleteCalendar removes a site's own calendar at version.
	DeleteCalendar(ctx context.Context, site string, version int) error
	// ListCalendarSites lists the sites with a calendar of their own.
	ListCalendarSites(ctx context.Context) ([]string, error)
}

// CalendarSource gives the working calendar of a desk's workspace.
type CalendarSource interface {
	CalendarOf(ctx context.Context, ws string) (*calendar.Calendar, error)
}

// Calendars serves the working calendars: a site's own, else the
// company's, else the one shipped with the program. The desk asks for one
// on every ticket change, so parsed calendars are kept for a short TTL;
// another instance sees an edit within it.
type Calendars struct {
	Store CalendarStore
	Sites SiteService
	Audit AuditService
	// Tickets rewrites the stored summaries of open tickets, whose
	// deadlines and marks an edit moves.
	Tickets interface {
		RecountOpen(ctx context.Context, site string) error
	}
	Now   func() time.Time
	cache *ttlCache[*calendar.Calendar]
	def   *calendar.Calendar
}

var _ CalendarSource = (*Calendars)(nil)

// NewCalendars returns the calendar service.
func NewCalendars(store CalendarStore, sites SiteService, audit AuditService, now func() time.Time) *Calendars {
	return &Calendars{Store: store, Sites: sites, Audit: audit, Now: now,
		cache: newTTLCache[*calendar.Calendar](DefaultCacheTTL, now), def: calendar.Default()}
}

// CalendarOf is the calendar a workspace's clocks count in. A sandbox is
// no site: it keeps the company's calendar.
func (s *Calendars) CalendarOf(ctx context.Context, ws string) (*calendar.Calendar, error) {
	if IsSandbox(ws) {
		ws = ""
	}
	if c, _, ok := s.cache.get(ws); ok {
		return c, nil
	}
	return s.load(ctx, ws)
}

// load reads the calendar in force for site ("" asks for the company's).
func (s *Calendars) load(ctx context.Context, site string) (*calendar.Calendar, error) {
	_, gen, _ := s.cache.get(site)
	d, err := s.Store.FindCalendar(ctx, site)
	switch {
	case ErrorCode(err) == ENOTFOUND && site != "":
		c, err := s.CalendarOf(ctx, "")
		if err == nil {
			s.cache.put(site, c, gen)
		}
		return c, err
	case ErrorCode(err) == ENOTFOUND:
		return s.def, nil
	case err != nil:
		return nil, err
	}
	c, err := calendar.Parse([]byte(d.YAML))
	if err != nil {
		// Saves are validated: a stored file that no longer parses was
		// written by hand into the database.
		return nil, Errorf(EINTERNAL, "stored calendar of %q does not parse: %v", site, err)
	}
	s.cache.put(site, c, gen)
	return c, nil
}

// CalendarView is what the editor shows of a calendar.
type CalendarView struct {
	Doc *CalendarDoc // nil while the shipped default (or the company's, for a site) is in force
	// Calendar is the calendar in force.
	Calendar *calendar.Calendar
	// Inherited is set for a site without a calendar of its own.
	Inherited bool
}

// Find returns the calendar in force for site ("" for the company's).
func (s *Calendars) Find(ctx context.Context, site string) (*CalendarView, error) {
	if err := s.checkSite(ctx, site); err != nil {
		return nil, err
	}
	d, err := s.Store.FindCalendar(ctx, site)
	if ErrorCode(err) == ENOTFOUND {
		if site == "" {
			return &CalendarView{Calendar: s.def}, nil
		}
		c, err := s.CalendarOf(ctx, "")
		return &CalendarView{Calendar: c, Inherited: true}, err
	} else if err != nil {
		return nil, err
	}
	c, err := calendar.Parse([]byte(d.YAML))
	if err != nil {
		return nil, Errorf(EINTERNAL, "stored calendar of %q does not parse: %v", site, err)
	}
	return &CalendarView{Doc: d, Calendar: c}, nil
}

// OwnSites lists the sites with a calendar of their own.
func (s *Calendars) OwnSites(ctx context.Context) ([]string, error) {
	return s.Store.ListCalendarSites(ctx)
}

func (s *Calendars) checkSite(ctx context.Context, site string) error {
	if site == "" {
		return nil
	}
	_, err := s.Sites.FindSite(ctx, site)
	return err
}

// Save validates src and stores it as the calendar of site ("" for the
// company's) at version, the version the editor started from (0 when
// there was none); the change is audited.
func (s *Calendars) Save(ctx context.Context, who Actor, site, src string, version int) (*CalendarDoc, error) {
	if err := s.checkSite(ctx, site); err != nil {
		return nil, err
	}
	if len(src) > calendar.MaxSize {
		return nil, Errorf(EINVALID, "yaml: 最多 %d KB / At most %d KB.", calendar.MaxSize>>10, calendar.MaxSize>>10)
	}
	if version < 0 {
		return nil, Errorf(EINVALID, "version: 应为 0 或正整数 / must be 0 or a positive whole number")
	}
	c, err := calendar.Parse([]byte(src))
	if ps, ok := err.(calendar.Problems); ok {
		return nil, Errorf(EINVALID, "%s", ps.Message())
	} else if err != nil {
		return nil, err
	}
	d := &CalendarDoc{Site: site, YAML: src, Version: version + 1, UpdatedAt: s.Now(), UpdatedBy: who.Username}
	if err := s.Store.SaveCalendar(ctx, d); err != nil {
		return nil, err
	}
	if err := s.changed(ctx, site); err != nil {
		return nil, err
	}
	// The detail names the years covered and the file's hash, so that the
	// log shows when a new year came in and which text was in force.
	years := make([]string, len(c.Years))
	for i, y := range c.Years {
		years[i] = strconv.Itoa(y.Year)
	}
	sum := sha256.Sum256([]byte(src))
	detail := "years " + strings.Join(years, ",") + "; sha256 " + hex.EncodeToString(sum[:8])
	return d, s.Audit.RecordAudit(ctx, &AuditEvent{Time: d.UpdatedAt, Actor: who.Username, Action: AuditCalendarSaved,
		Target: calendarTarget(site), IP: who.IP, Detail: detail})
}

// Remove drops a site's own calendar at version: the site follows the
// company's again. The company's cannot be removed, only edited.
func (s *Calendars) Remove(ctx context.Context, who Actor, site string, version int) error {
	if site == "" {
		return Errorf(EINVALID, "site: 公司日历不能删除，只能修改 / The company calendar cannot be removed, only edited.")
	}
	if err := s.checkSite(ctx, site); err != nil {
		return err
	}
	if err := s.Store.DeleteCalendar(ctx, site, version); err != nil {
		return err
	}
	if err := s.changed(ctx, site); err != nil {
		return err
	}
	return s.Audit.RecordAudit(ctx, &AuditEvent{Time: s.Now(), Actor: who.Username, Action: AuditCalendarRemoved,
		Target: calendarTarget(site), IP: who.IP})
}

// changed drops every cached calendar (a site without its own caches the
// company's, so any edit may change any entry) and recounts the open
// tickets that follow the edited calendar.
func (s *Calendars) changed(ctx context.Context, site string) error {
	s.cache.drop(func(string, *calendar.Calendar) bool { return true })
	if s.Tickets == nil {
		return nil
	}
	return s.Tickets.RecountOpen(ctx, site)
}

func calendarTarget(site string) string {
	if site == "" {
		return "company"
	}
	return "site/" + site
}
