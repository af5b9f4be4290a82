package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/notify"
)

var (
	_ notify.TicketMarks = (*DeskStore)(nil)
	_ notify.ScanMarks   = (*Notify)(nil)
)

// TicketsMarkedBetween returns the open live tickets with an SLA mark in
// (from, to], through the index on the marks' times. (The embedded store
// answers $elemMatch on an array of times as if each bound could match a
// different element: a superset, which callers narrow mark by mark.)
func (s *DeskStore) TicketsMarkedBetween(ctx context.Context, from, to time.Time) ([]academy.TicketSummary, error) {
	cur, err := s.db.c("open_tickets").Find(ctx, bson.M{"mark_times": bson.M{"$elemMatch": bson.M{"$gt": from, "$lte": to}}})
	if err != nil {
		return nil, FormatError(err)
	}
	var out []academy.TicketSummary
	if err := cur.All(ctx, &out); err != nil {
		return nil, FormatError(err)
	}
	return out, nil
}

// ScanMark reads how far the scan called name has got (zero: never ran).
func (n *Notify) ScanMark(ctx context.Context, name string) (time.Time, error) {
	var doc struct {
		At time.Time `bson:"at"`
	}
	err := n.db.c("meta").FindOne(ctx, bson.M{"_id": "scan/" + name}).Decode(&doc)
	if err = FormatError(err); academy.ErrorCode(err) == academy.ENOTFOUND {
		return time.Time{}, nil
	}
	return doc.At, err
}

// SetScanMark moves the mark forward to t; a scanner that finished later
// with an earlier window leaves it where it is.
func (n *Notify) SetScanMark(ctx context.Context, name string, t time.Time) error {
	err := upsert(func() error {
		_, err := n.db.c("meta").UpdateOne(ctx, bson.M{"_id": "scan/" + name}, bson.M{"$max": bson.M{"at": t}}, options.UpdateOne().SetUpsert(true))
		return err
	})
	return FormatError(err)
}
