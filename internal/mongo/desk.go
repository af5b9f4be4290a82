package mongo

import (
	"context"
	"errors"
	"slices"
	"strings"

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
		return academy.Errorf(academy.ECONFLICT, "项目 %q 的名录已被他人修改 / directory of site %q changed meanwhile", site, site)
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
			return academy.Errorf(academy.ECONFLICT, "工单 %s 已存在 / ticket %s exists", t.ID, t.ID)
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
		if err := s.indexKeys(ctx, ts[i:min(i+batch, len(ts))]); err != nil {
			return err
		}
	}
	return nil
}

// syncOpen keeps what queues and search read in step with a ticket:
// every ticket's summary, the open ones', and the search index. Summaries
// are small, so scanning them is far cheaper than scanning whole tickets
// with their event logs.
func (s *DeskStore) syncOpen(ctx context.Context, t *academy.Ticket) error {
	cal, err := s.calendar(ctx, t.Workspace)
	if err != nil {
		return err
	}
	sum := t.Summary(cal)
	var before academy.TicketSummary
	err = s.db.c("ticket_summaries").FindOneAndReplace(ctx, bson.M{"_id": t.ID}, sum,
		options.FindOneAndReplace().SetUpsert(true).SetReturnDocument(options.Before)).Decode(&before)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return FormatError(err)
	}
	if err := s.rekey(ctx, t.Workspace, t.ID, before.SearchKey(), sum.SearchKey()); err != nil {
		return err
	}
	if t.Open() {
		_, err := s.db.c("open_tickets").ReplaceOne(ctx, bson.M{"_id": t.ID}, sum, options.Replace().SetUpsert(true))
		return FormatError(err)
	}
	_, err = s.db.c("open_tickets").DeleteOne(ctx, bson.M{"_id": t.ID})
	return FormatError(err)
}

// ticket_search is the search index: one document per site and search-key
// token, "<site>/<token>", listing the tickets whose key holds the token.
// The embedded store looks a document up by _id alone (any other filter
// reads the whole collection), so a search reads one document per token
// and one summary per ticket found. Site ids have no "/", so the _id is
// unambiguous.
type postingDoc struct {
	ID      string   `bson:"_id"`
	Tickets []string `bson:"tickets"`
}

func postingID(ws, token string) string { return ws + "/" + token }

// rekey moves ticket id of workspace ws from the postings of the tokens
// of key before to those of key after; a key that did not change costs
// no write.
func (s *DeskStore) rekey(ctx context.Context, ws, id string, before, after []string) error {
	var models []mongo.WriteModel
	for _, k := range after {
		if !slices.Contains(before, k) {
			models = append(models, mongo.NewUpdateOneModel().SetFilter(bson.M{"_id": postingID(ws, k)}).
				SetUpdate(bson.M{"$addToSet": bson.M{"tickets": id}}).SetUpsert(true))
		}
	}
	for _, k := range before {
		if !slices.Contains(after, k) {
			models = append(models, mongo.NewUpdateOneModel().SetFilter(bson.M{"_id": postingID(ws, k)}).
				SetUpdate(bson.M{"$pull": bson.M{"tickets": id}}))
		}
	}
	return s.writePostings(ctx, models)
}

// indexKeys adds new tickets to the postings of their keys, one write
// per token however many of the tickets share it.
func (s *DeskStore) indexKeys(ctx context.Context, ts []academy.Ticket) error {
	var ids []string
	postings := map[string][]string{}
	for i := range ts {
		for _, k := range ts[i].SearchKey() {
			id := postingID(ts[i].Workspace, k)
			if postings[id] == nil {
				ids = append(ids, id)
			}
			postings[id] = append(postings[id], ts[i].ID)
		}
	}
	var models []mongo.WriteModel
	for _, id := range ids {
		models = append(models, mongo.NewUpdateOneModel().SetFilter(bson.M{"_id": id}).
			SetUpdate(bson.M{"$addToSet": bson.M{"tickets": bson.M{"$each": postings[id]}}}).SetUpsert(true))
	}
	return s.writePostings(ctx, models)
}

// writePostings applies posting updates; they are idempotent, so a batch
// that lost an upsert race (two first tickets of a flat at once) is
// simply applied again.
func (s *DeskStore) writePostings(ctx context.Context, models []mongo.WriteModel) error {
	if len(models) == 0 {
		return nil
	}
	// A command of many updates can stop the embedded store (maxUpdates).
	for chunk := range slices.Chunk(models, maxUpdates) {
		err := upsert(func() error {
			_, err := s.db.c("ticket_search").BulkWrite(ctx, chunk, options.BulkWrite().SetOrdered(false))
			return err
		})
		if err != nil {
			return FormatError(err)
		}
	}
	return nil
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

// indexTicketSearch builds the search index of the tickets stored before
// it existed, from their summaries. It starts from an empty index, so a
// migration cut short is simply run again.
func indexTicketSearch(ctx context.Context, db *DB) error {
	if _, err := db.c("ticket_search").DeleteMany(ctx, bson.M{}); err != nil {
		return FormatError(err)
	}
	cur, err := db.c("ticket_summaries").Find(ctx, bson.M{},
		options.Find().SetProjection(bson.M{"workspace": 1, "number": 1, "unit": 1, "resident": 1}))
	if err != nil {
		return FormatError(err)
	}
	defer cur.Close(ctx)
	var ids []string
	postings := map[string][]string{}
	for cur.Next(ctx) {
		var t academy.TicketSummary
		if err := cur.Decode(&t); err != nil {
			return FormatError(err)
		}
		for _, k := range t.SearchKey() {
			id := postingID(t.Workspace, k)
			if postings[id] == nil {
				ids = append(ids, id)
			}
			postings[id] = append(postings[id], t.ID)
		}
	}
	if err := cur.Err(); err != nil {
		return FormatError(err)
	}
	const batch = 500
	for i := 0; i < len(ids); i += batch {
		var docs []any
		for _, id := range ids[i:min(i+batch, len(ids))] {
			docs = append(docs, postingDoc{ID: id, Tickets: postings[id]})
		}
		if _, err := db.c("ticket_search").InsertMany(ctx, docs); err != nil {
			return FormatError(err)
		}
	}
	return nil
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
// open list; anything else scans the summaries of the workspace, except
// a search, which reads the search index.
func (s *DeskStore) ListTickets(ctx context.Context, ws string, f academy.TicketFilter) ([]academy.TicketSummary, error) {
	coll := "ticket_summaries"
	if f.Open {
		coll = "open_tickets"
	}
	if f.Query != "" {
		return s.search(ctx, ws, coll, f)
	}
	return s.scan(ctx, ws, coll, f, nil)
}

// listLimit is the most tickets a listing shows.
const listLimit = 500

// scan reads the workspace's tickets in coll that pass f's type, state
// and assignee, newest first, keeping those that keep says to.
func (s *DeskStore) scan(ctx context.Context, ws, coll string, f academy.TicketFilter, keep func(*academy.TicketSummary) bool) ([]academy.TicketSummary, error) {
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
	opts := options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}})
	if keep == nil {
		opts.SetLimit(listLimit)
	}
	cur, err := s.db.c(coll).Find(ctx, filter, opts)
	if err != nil {
		return nil, FormatError(err)
	}
	defer cur.Close(ctx)
	var out []academy.TicketSummary
	for len(out) < listLimit && cur.Next(ctx) {
		var t academy.TicketSummary
		if err := cur.Decode(&t); err != nil {
			return nil, FormatError(err)
		}
		if keep == nil || keep(&t) {
			out = append(out, t)
		}
	}
	return out, FormatError(cur.Err())
}

// A search reads the index while that takes few reads: one per token,
// then one per ticket found, at most about 260 single reads (under
// 100 ms on the embedded store, less than one pass over a site of a few
// thousand tickets). A search that stands for more tokens (a surname
// shared by hundreds of residents) or finds more tickets reads the
// workspace's summaries once instead, as every search did before.
const (
	maxSearchKeys    = 64
	maxSearchTickets = 200
)

// search finds the tickets in coll whose search key holds one of f.Keys.
func (s *DeskStore) search(ctx context.Context, ws, coll string, f academy.TicketFilter) ([]academy.TicketSummary, error) {
	if len(f.Keys) == 0 {
		return nil, nil
	}
	if len(f.Keys) > maxSearchKeys {
		return s.searchScan(ctx, ws, coll, f)
	}
	var ids []string
	for _, k := range f.Keys {
		var p postingDoc
		err := s.db.c("ticket_search").FindOne(ctx, bson.M{"_id": postingID(ws, k)}).Decode(&p)
		if errors.Is(err, mongo.ErrNoDocuments) {
			continue
		} else if err != nil {
			return nil, FormatError(err)
		}
		for _, id := range p.Tickets {
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
		if len(ids) > maxSearchTickets {
			return s.searchScan(ctx, ws, coll, f)
		}
	}
	var out []academy.TicketSummary
	for _, id := range ids {
		var t academy.TicketSummary
		err := s.db.c(coll).FindOne(ctx, bson.M{"_id": id}).Decode(&t)
		if errors.Is(err, mongo.ErrNoDocuments) {
			continue // not open, or a posting left behind by a write cut short
		} else if err != nil {
			return nil, FormatError(err)
		}
		// The summary decides: a posting may be stale, never a summary.
		if t.Workspace == ws && f.Selects(&t) {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b academy.TicketSummary) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return out, nil
}

// searchScan is search by one pass over the workspace's summaries.
func (s *DeskStore) searchScan(ctx context.Context, ws, coll string, f academy.TicketFilter) ([]academy.TicketSummary, error) {
	keys := map[string]bool{}
	for _, k := range f.Keys {
		keys[k] = true
	}
	return s.scan(ctx, ws, coll, f, func(t *academy.TicketSummary) bool {
		return slices.ContainsFunc(t.SearchKey(), func(k string) bool { return keys[k] })
	})
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
