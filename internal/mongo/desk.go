package mongo

import (
	"context"
	"regexp"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/calendar"
)

// DeskStore stores live tickets, site directories and the list of open
// tickets that queues read. Queues scan only open tickets, which stay few
// however many closed tickets a site piles up.
type DeskStore struct {
	db *DB
	// Calendars gives each site's working calendar, in which the summaries'
	// deadlines and marks are counted; without it, the standard office week.
	Calendars academy.CalendarSource
}

var _ academy.DeskStore = (*DeskStore)(nil)

func (s *DeskStore) calendar(ctx context.Context, ws string) (*calendar.Calendar, error) {
	if s.Calendars == nil {
		return nil, nil
	}
	return s.Calendars.CalendarOf(ctx, ws)
}

// NewDeskStore returns the live desk store.
func NewDeskStore(db *DB) *DeskStore { return &DeskStore{db: db} }

type directoryDoc struct {
	ID                string `bson:"_id"`
	academy.Directory `bson:",inline"`
}

// FindDirectory reads a site's directory; a site without one has an empty
// directory.
func (s *DeskStore) FindDirectory(ctx context.Context, site string) (*academy.Directory, error) {
	var d directoryDoc
	err := s.db.c("directories").FindOne(ctx, bson.M{"_id": site}).Decode(&d)
	if err != nil && academy.ErrorCode(FormatError(err)) != academy.ENOTFOUND {
		return nil, FormatError(err)
	}
	return &d.Directory, nil
}

// SaveDirectory replaces a site's directory. The version still counts
// up, so that a form opened before is refused.
func (s *DeskStore) SaveDirectory(ctx context.Context, site string, d *academy.Directory) error {
	_, err := s.db.c("directories").UpdateOne(ctx, bson.M{"_id": site},
		bson.M{"$set": bson.M{"units": d.Units, "residents": d.Residents, "members": d.Members}, "$inc": bson.M{"version": 1}},
		options.UpdateOne().SetUpsert(true))
	return FormatError(err)
}

// UpdateDirectory replaces a site's directory if it is still at version.
// A directory stored before versions were counted is at version 0.
func (s *DeskStore) UpdateDirectory(ctx context.Context, site string, d *academy.Directory, version int) error {
	doc := directoryDoc{ID: site, Directory: *d}
	doc.Version = version + 1
	filter := bson.M{"_id": site, "version": version}
	if version == 0 {
		filter["version"] = bson.M{"$exists": false}
	}
	res, err := s.db.c("directories").ReplaceOne(ctx, filter, doc, options.Replace().SetUpsert(version == 0))
	if err = FormatError(err); err != nil {
		return err
	}
	if res.MatchedCount == 0 && res.UpsertedCount == 0 {
		return academy.Errorf(academy.ECONFLICT, "directory of site %q changed meanwhile", site)
	}
	return nil
}

// NextNumber increments the site's ticket counter. Numbers may skip under
// contention; the ticket insert's unique _id is what guarantees no two
// tickets share one.
func (s *DeskStore) NextNumber(ctx context.Context, site string) (int, error) {
	var v struct {
		N int `bson:"n"`
	}
	err := upsert(func() error {
		return s.db.c("meta").FindOneAndUpdate(ctx, bson.M{"_id": "ticketseq/" + site}, bson.M{"$inc": bson.M{"n": 1}},
			options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&v)
	})
	return v.N, FormatError(err)
}

// InsertTicket stores a new ticket and lists it as open.
func (s *DeskStore) InsertTicket(ctx context.Context, t *academy.Ticket) error {
	if _, err := s.db.c("tickets").InsertOne(ctx, t); err != nil {
		if academy.ErrorCode(FormatError(err)) == academy.ECONFLICT {
			return academy.Errorf(academy.ECONFLICT, "ticket %s exists", t.ID)
		}
		return FormatError(err)
	}
	return s.syncOpen(ctx, t)
}

// InsertTickets stores tickets in batches, with their open-list entries.
func (s *DeskStore) InsertTickets(ctx context.Context, ts []academy.Ticket) error {
	const batch = 500
	for i := 0; i < len(ts); i += batch {
		var docs, sums, open []any
		for _, t := range ts[i:min(i+batch, len(ts))] {
			cal, err := s.calendar(ctx, t.Workspace)
			if err != nil {
				return err
			}
			docs = append(docs, t)
			sums = append(sums, t.Summary(cal))
			if t.Open() {
				open = append(open, t.Summary(cal))
			}
		}
		if _, err := s.db.c("tickets").InsertMany(ctx, docs); err != nil {
			return FormatError(err)
		}
		if _, err := s.db.c("ticket_summaries").InsertMany(ctx, sums); err != nil {
			return FormatError(err)
		}
		if len(open) > 0 {
			if _, err := s.db.c("open_tickets").InsertMany(ctx, open); err != nil {
				return FormatError(err)
			}
		}
	}
	return nil
}

// syncOpen keeps the two lists that queues and search read in step with a
// ticket: every ticket's summary, and the open ones'. Summaries are small,
// so scanning them is far cheaper than scanning whole tickets with their
// event logs.
func (s *DeskStore) syncOpen(ctx context.Context, t *academy.Ticket) error {
	cal, err := s.calendar(ctx, t.Workspace)
	if err != nil {
		return err
	}
	sum := t.Summary(cal)
	if _, err := s.db.c("ticket_summaries").ReplaceOne(ctx, bson.M{"_id": t.ID}, sum, options.Replace().SetUpsert(true)); err != nil {
		return FormatError(err)
	}
	if t.Open() {
		_, err := s.db.c("open_tickets").ReplaceOne(ctx, bson.M{"_id": t.ID}, sum, options.Replace().SetUpsert(true))
		return FormatError(err)
	}
	_, err = s.db.c("open_tickets").DeleteOne(ctx, bson.M{"_id": t.ID})
	return FormatError(err)
}

// RecountOpen rewrites the summaries of the open tickets of site (of
// every site when site is ""): a calendar edit moves their deadlines and
// marks, which queues and reminders read from the summaries.
func (s *DeskStore) RecountOpen(ctx context.Context, site string) error {
	open, err := s.ListOpenTickets(ctx)
	if err != nil {
		return err
	}
	for _, o := range open {
		if site != "" && o.Workspace != site {
			continue
		}
		t, err := s.FindTicket(ctx, o.Workspace, o.ID)
		if academy.ErrorCode(err) == academy.ENOTFOUND {
			continue
		} else if err != nil {
			return err
		}
		if err := s.syncOpen(ctx, t); err != nil {
			return err
		}
	}
	return nil
}

// backfillTicketMarks rewrites the summaries of open tickets, stored
// before summaries carried their SLA marks, so that queues show the bands
// and reminders find them. Closed tickets have no marks to add.
func backfillTicketMarks(ctx context.Context, db *DB) error {
	return NewDeskStore(db).RecountOpen(ctx, "")
}

// FindTicket reads a ticket of workspace ws by id.
func (s *DeskStore) FindTicket(ctx context.Context, ws, id string) (*academy.Ticket, error) {
	var t academy.Ticket
	err := s.db.c("tickets").FindOne(ctx, bson.M{"_id": id}).Decode(&t)
	if err == nil && t.Workspace != ws {
		err = mongo.ErrNoDocuments
	}
	if err != nil {
		err = FormatError(err)
		if academy.ErrorCode(err) == academy.ENOTFOUND {
			return nil, academy.TicketNotFound(id, ws)
		}
		return nil, err
	}
	return &t, nil
}

// SaveTicket writes version t.Version over version t.Version-1: of two
// writers of the same version only one finds its predecessor.
func (s *DeskStore) SaveTicket(ctx context.Context, t *academy.Ticket) error {
	if err := replaceVersion(ctx, s.db.c("tickets"), t.ID, t.Version, t); err != nil {
		if academy.ErrorCode(err) == academy.ECONFLICT {
			return academy.Errorf(academy.ECONFLICT, "工单已被他人更新,请刷新后再操作 / The ticket changed meanwhile; reload and try again.")
		}
		return err
	}
	return s.syncOpen(ctx, t)
}

// ListTickets returns summaries, newest first. Open-only listings read the
// open list; anything else scans the summaries of the workspace.
func (s *DeskStore) ListTickets(ctx context.Context, ws string, f academy.TicketFilter) ([]academy.TicketSummary, error) {
	filter := bson.M{"workspace": ws}
	if f.Type != "" {
		filter["type"] = f.Type
	}
	if f.State != "" {
		filter["state"] = f.State
	}
	switch f.Assignee {
	case "":
	case "-":
		filter["assignee"] = bson.M{"$in": bson.A{nil, ""}}
	default:
		filter["assignee"] = f.Assignee
	}
	if f.Query != "" {
		re := bson.Regex{Pattern: regexp.QuoteMeta(f.Query), Options: "i"}
		or := bson.A{bson.M{"number": re}, bson.M{"title": re}, bson.M{"unit": re}}
		if len(f.Residents) > 0 {
			or = append(or, bson.M{"resident": bson.M{"$in": f.Residents}})
		}
		filter["$or"] = or
	}
	coll := "ticket_summaries"
	if f.Open {
		coll = "open_tickets"
	}
	opts := options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}}).SetLimit(500)
	cur, err := s.db.c(coll).Find(ctx, filter, opts)
	if err != nil {
		return nil, FormatError(err)
	}
	var out []academy.TicketSummary
	if err := cur.All(ctx, &out); err != nil {
		return nil, FormatError(err)
	}
	return out, nil
}

// ListOpenTickets returns every open live ticket, for the escalation sweep.
func (s *DeskStore) ListOpenTickets(ctx context.Context) ([]academy.TicketSummary, error) {
	cur, err := s.db.c("open_tickets").Find(ctx, bson.M{})
	if err != nil {
		return nil, FormatError(err)
	}
	var out []academy.TicketSummary
	if err := cur.All(ctx, &out); err != nil {
		return nil, FormatError(err)
	}
	return out, nil
}
