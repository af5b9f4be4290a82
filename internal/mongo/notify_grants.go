package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/academy/academy/internal/notify"
)

// AddPendingGrant stores the marker of a grant being made.
func (n *Notify) AddPendingGrant(ctx context.Context, p notify.PendingGrant) error {
	_, err := n.db.c("notify_grants").InsertOne(ctx, p)
	return FormatError(err)
}

// PendingGrantsBefore reads the markers written before t. The collection
// holds only the grants in flight and those a crash left, so the filter
// (a scan on the embedded store) reads a handful of documents.
func (n *Notify) PendingGrantsBefore(ctx context.Context, t time.Time, limit int) ([]notify.PendingGrant, error) {
	cur, err := n.db.c("notify_grants").Find(ctx, bson.M{"at": bson.M{"$lt": t}},
		options.Find().SetSort(bson.D{{Key: "at", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, FormatError(err)
	}
	var out []notify.PendingGrant
	if err := cur.All(ctx, &out); err != nil {
		return nil, FormatError(err)
	}
	return out, nil
}

// DropPendingGrant removes a marker by _id.
func (n *Notify) DropPendingGrant(ctx context.Context, id string) error {
	_, err := n.db.c("notify_grants").DeleteOne(ctx, bson.M{"_id": id})
	return FormatError(err)
}
