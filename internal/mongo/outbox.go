package mongo

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/xapi"
)

// Outbox keeps xAPI statements until an LRS has them. Waiting statements
// live in "xapi_outbox" and move to "xapi_sent" once delivered, so the
// relay's scan only ever covers what is still waiting.
type Outbox struct{ db *DB }

var _ xapi.Outbox = (*Outbox)(nil)

// NewOutbox returns the statement outbox.
func NewOutbox(db *DB) *Outbox { return &Outbox{db: db} }

// Enqueue stores a statement to send, once per id: a statement whose id
// is waiting already is the same event recorded again (two instances
// racing, a retried close), and is dropped. One whose id was sent already
// is dropped by Pending: looking in xapi_sent here cost every close (every
// exam submit) a read, also where no LRS is set and nothing is ever sent.
func (o *Outbox) Enqueue(ctx context.Context, st xapi.Statement) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	now := o.db.Now()
	e := xapi.Entry{ID: st.ID, Statement: string(b), Verb: st.Verb.ID, Actor: st.Actor.Account.Name, Object: st.Object.ID, CreatedAt: now, NextAt: now}
	err = o.db.c("xapi_outbox").write(ctx, mongo.NewInsertOneModel().SetDocument(e))
	if mongo.IsDuplicateKeyError(err) {
		return nil
	}
	return FormatError(err)
}

// Pending returns up to n statements due at now, oldest first. A statement
// recorded again after it was sent leaves the outbox here, unsent.
func (o *Outbox) Pending(ctx context.Context, now time.Time, n int) ([]xapi.Queued, error) {
	cur, err := o.db.c("xapi_outbox").Find(ctx, bson.M{"next_at": bson.M{"$lte": now}},
		options.Find().SetSort(bson.D{{Key: "created_at", Value: 1}}).SetLimit(int64(n)))
	if err != nil {
		return nil, FormatError(err)
	}
	var es []xapi.Entry
	if err := cur.All(ctx, &es); err != nil {
		return nil, FormatError(err)
	}
	out := make([]xapi.Queued, 0, len(es))
	for _, e := range es {
		switch err := o.db.c("xapi_sent").FindOne(ctx, bson.M{"_id": e.ID}, options.FindOne().SetProjection(bson.M{"_id": 1})).Err(); {
		case err == nil:
			if _, err := o.db.c("xapi_outbox").DeleteOne(ctx, bson.M{"_id": e.ID}); err != nil {
				return nil, FormatError(err)
			}
			continue
		case !errors.Is(err, mongo.ErrNoDocuments):
			return nil, FormatError(err)
		}
		var st xapi.Statement
		if err := json.Unmarshal([]byte(e.Statement), &st); err != nil {
			return nil, academy.Errorf(academy.EINTERNAL, "outbox statement %s is not JSON: %v", e.ID, err)
		}
		out = append(out, xapi.Queued{Statement: st, Attempts: e.Attempts})
	}
	return out, nil
}

// MarkSent moves delivered statements to xapi_sent: insert first, then
// delete, so a crash in between leaves a statement sent twice rather than
// lost (the LRS keeps one copy per id).
func (o *Outbox) MarkSent(ctx context.Context, ids []string, at time.Time) error {
	for _, id := range ids {
		var e xapi.Entry
		err := o.db.c("xapi_outbox").FindOne(ctx, bson.M{"_id": id}).Decode(&e)
		if academy.ErrorCode(FormatError(err)) == academy.ENOTFOUND {
			continue
		} else if err != nil {
			return FormatError(err)
		}
		e.SentAt, e.Reason = at, ""
		if _, err := o.db.c("xapi_sent").ReplaceOne(ctx, bson.M{"_id": id}, e, options.Replace().SetUpsert(true)); err != nil {
			return FormatError(err)
		}
		if _, err := o.db.c("xapi_outbox").DeleteOne(ctx, bson.M{"_id": id}); err != nil {
			return FormatError(err)
		}
	}
	return nil
}

// MarkFailed records a failed attempt and when to retry.
func (o *Outbox) MarkFailed(ctx context.Context, ids []string, attempts int, next time.Time, reason string) error {
	for _, id := range ids {
		_, err := o.db.c("xapi_outbox").UpdateOne(ctx, bson.M{"_id": id},
			bson.M{"$set": bson.M{"attempts": attempts, "next_at": next, "reason": reason}})
		if err != nil {
			return FormatError(err)
		}
	}
	return nil
}

// List returns waiting (sent=false) or delivered statements, newest first,
// and how many there are in all.
func (o *Outbox) List(ctx context.Context, sent bool, offset, limit int) ([]xapi.Entry, int, error) {
	coll := o.db.c("xapi_outbox")
	if sent {
		coll = o.db.c("xapi_sent")
	}
	total, err := coll.CountDocuments(ctx, bson.M{})
	if err != nil {
		return nil, 0, FormatError(err)
	}
	cur, err := coll.Find(ctx, bson.M{}, options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}}).SetSkip(int64(offset)).SetLimit(int64(limit)))
	if err != nil {
		return nil, 0, FormatError(err)
	}
	var es []xapi.Entry
	if err := cur.All(ctx, &es); err != nil {
		return nil, 0, FormatError(err)
	}
	return es, int(total), nil
}
