package mongo

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/academy/academy/internal/notify"
)

// Notify is the notification outbox.
//
// notify_messages holds each enqueued message under its Key (so enqueuing
// again stores nothing new) until the relay has fanned it out.
type Notify struct{ db *DB }

var _ notify.Store = (*Notify)(nil)

// NewNotify returns the notification outbox.
func NewNotify(db *DB) *Notify { return &Notify{db: db} }

type messageDoc struct {
	notify.Message `bson:",inline"`
	State          string `bson:"state"`
}

// AddMessages inserts the messages whose Key is new; duplicates are the
// producer enqueuing the same event again, and are ignored.
func (n *Notify) AddMessages(ctx context.Context, ms []notify.Message) error {
	docs := make([]any, len(ms))
	for i, m := range ms {
		docs[i] = messageDoc{Message: m, State: "new"}
	}
	_, err := n.db.c("notify_messages").InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	return FormatError(ignoreDuplicates(err))
}

// ignoreDuplicates drops the duplicate-key errors of an unordered insert
// and keeps any other.
func ignoreDuplicates(err error) error {
	var bwe mongo.BulkWriteException
	if errors.As(err, &bwe) && bwe.WriteConcernError == nil {
		for _, we := range bwe.WriteErrors {
			if !we.HasErrorCode(11000) {
				return err
			}
		}
		return nil
	}
	if mongo.IsDuplicateKeyError(err) {
		return nil
	}
	return err
}

// CountMessages counts the stored messages.
func (n *Notify) CountMessages(ctx context.Context) (int64, error) {
	c, err := n.db.c("notify_messages").CountDocuments(ctx, bson.M{})
	return c, FormatError(err)
}
