package mongo

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/notify"
)

// Notify stores notifications. Every document is keyed by what makes it
// unique, so that writing it again writes nothing:
//
//   - notify_messages: each enqueued message under its Key, state "new"
//     until the relay has fanned it out;
//   - notify_caps: "<user>/<kind>/<day>" -> the Key that took the day's one message;
//   - notify_deliveries: "<key>/<channel>", the outside sends with their
//     state, attempts and claim;
//   - notifications: the in-app list, under the message's Key;
//   - notify_unread: each person's unread count, so the header reads one
//     document by _id instead of counting;
//   - notify_prefs (per username) and notify_robots (per site).
type Notify struct{ db *DB }

var _ notify.Store = (*Notify)(nil)

// NewNotify returns the notification store.
func NewNotify(db *DB) *Notify { return &Notify{db: db} }

type messageDoc struct {
	notify.Message `bson:",inline"`
	State          string `bson:"state"`
	Reason         string `bson:"reason,omitempty"`
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

// NewMessages returns up to limit messages not fanned out yet, oldest first.
func (n *Notify) NewMessages(ctx context.Context, limit int) ([]notify.Message, error) {
	cur, err := n.db.c("notify_messages").Find(ctx, bson.M{"state": "new"},
		options.Find().SetSort(bson.D{{Key: "at", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, FormatError(err)
	}
	var docs []messageDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, FormatError(err)
	}
	out := make([]notify.Message, len(docs))
	for i, d := range docs {
		out[i] = d.Message
	}
	return out, nil
}

// FinishMessage records the outcome of a message's fan-out.
func (n *Notify) FinishMessage(ctx context.Context, key, state, reason string) error {
	_, err := n.db.c("notify_messages").UpdateOne(ctx, bson.M{"_id": key}, bson.M{"$set": bson.M{"state": state, "reason": reason}})
	return FormatError(err)
}

// TakeCap inserts the cap; if it is there, it is key's when key took it.
func (n *Notify) TakeCap(ctx context.Context, id, key string) (bool, error) {
	_, err := n.db.c("notify_caps").InsertOne(ctx, bson.M{"_id": id, "key": key, "at": n.db.Now()})
	if err == nil {
		return true, nil
	}
	if !mongo.IsDuplicateKeyError(err) {
		return false, FormatError(err)
	}
	var held struct {
		Key string `bson:"key"`
	}
	if err := n.db.c("notify_caps").FindOne(ctx, bson.M{"_id": id}).Decode(&held); err != nil {
		return false, FormatError(err)
	}
	return held.Key == key, nil
}

// AddDeliveries inserts the deliveries whose ID is new.
func (n *Notify) AddDeliveries(ctx context.Context, ds []notify.Delivery) error {
	docs := make([]any, len(ds))
	for i := range ds {
		docs[i] = ds[i]
	}
	_, err := n.db.c("notify_deliveries").InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	return FormatError(ignoreDuplicates(err))
}

// DueDeliveries returns queued deliveries due at now and not claimed by
// a live lease, oldest first.
func (n *Notify) DueDeliveries(ctx context.Context, now time.Time, limit int) ([]notify.Delivery, error) {
	cur, err := n.db.c("notify_deliveries").Find(ctx,
		bson.M{"state": notify.Queued, "next_at": bson.M{"$lte": now}, "claim_until": bson.M{"$lte": now}},
		options.Find().SetSort(bson.D{{Key: "next_at", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, FormatError(err)
	}
	var ds []notify.Delivery
	return ds, FormatError(cur.All(ctx, &ds))
}

// Claim is one conditional update of the delivery's document: only one
// of two relays racing for it matches.
func (n *Notify) Claim(ctx context.Context, id, by string, now, until time.Time) (*notify.Delivery, error) {
	var d notify.Delivery
	err := n.db.c("notify_deliveries").FindOneAndUpdate(ctx,
		bson.M{"_id": id, "state": notify.Queued, "next_at": bson.M{"$lte": now}, "claim_until": bson.M{"$lte": now}},
		bson.M{"$set": bson.M{"claimed_by": by, "claim_until": until}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, nil
	}
	if err != nil {
		return nil, FormatError(err)
	}
	return &d, nil
}

// Settle records the outcome and drops the claim, if by holds it.
func (n *Notify) Settle(ctx context.Context, id, by string, d notify.Delivery) error {
	res, err := n.db.c("notify_deliveries").UpdateOne(ctx, bson.M{"_id": id, "claimed_by": by},
		bson.M{"$set": bson.M{"state": d.State, "attempts": d.Attempts, "next_at": d.NextAt, "reason": d.Reason,
			"sent_at": d.SentAt, "claimed_by": "", "claim_until": time.Time{}}})
	if err != nil {
		return FormatError(err)
	}
	if res.MatchedCount == 0 {
		return academy.Errorf(academy.ECONFLICT, "投递 %s 已不再由 %s 领取 / delivery %s is no longer claimed by %s", id, by, id, by)
	}
	return nil
}

// Resend queues a parked delivery again, from its first attempt.
func (n *Notify) Resend(ctx context.Context, id string, now time.Time) error {
	res, err := n.db.c("notify_deliveries").UpdateOne(ctx, bson.M{"_id": id, "state": notify.Parked},
		bson.M{"$set": bson.M{"state": notify.Queued, "attempts": 0, "next_at": now, "claimed_by": "", "claim_until": time.Time{}}})
	if err != nil {
		return FormatError(err)
	}
	if res.MatchedCount == 0 {
		return academy.Errorf(academy.ECONFLICT, "只能重发已搁置的通知 / Only a parked notification can be sent again.")
	}
	return nil
}

// ListDeliveries pages through deliveries, newest first.
func (n *Notify) ListDeliveries(ctx context.Context, f notify.DeliveryFilter) ([]notify.Delivery, int, error) {
	q := bson.M{}
	if f.State != "" {
		q["state"] = f.State
	}
	if f.Channel != "" {
		q["channel"] = f.Channel
	}
	c := n.db.c("notify_deliveries")
	total, err := c.CountDocuments(ctx, q)
	if err != nil {
		return nil, 0, FormatError(err)
	}
	cur, err := c.Find(ctx, q, options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: 1}}).SetSkip(int64(f.Offset)).SetLimit(int64(f.Limit)))
	if err != nil {
		return nil, 0, FormatError(err)
	}
	var ds []notify.Delivery
	return ds, int(total), FormatError(cur.All(ctx, &ds))
}

// AddNotification inserts nt and counts it unread, unless it is there.
func (n *Notify) AddNotification(ctx context.Context, nt *notify.Notification) (bool, error) {
	_, err := n.db.c("notifications").InsertOne(ctx, nt)
	if mongo.IsDuplicateKeyError(err) {
		return false, nil
	} else if err != nil {
		return false, FormatError(err)
	}
	// A crash between the two writes leaves the count one short until the
	// person opens the list, which recounts.
	return true, n.bumpUnread(ctx, nt.To, 1)
}

func (n *Notify) bumpUnread(ctx context.Context, username string, by int) error {
	return FormatError(upsert(func() error {
		_, err := n.db.c("notify_unread").UpdateOne(ctx, bson.M{"_id": username}, bson.M{"$inc": bson.M{"n": by}}, options.UpdateOne().SetUpsert(true))
		return err
	}))
}

func (n *Notify) setUnread(ctx context.Context, username string, v int) error {
	_, err := n.db.c("notify_unread").UpdateOne(ctx, bson.M{"_id": username}, bson.M{"$set": bson.M{"n": v}}, options.UpdateOne().SetUpsert(true))
	return FormatError(err)
}

// Notifications pages through a person's list and recounts the unread.
func (n *Notify) Notifications(ctx context.Context, username string, offset, limit int) ([]notify.Notification, int, int, error) {
	c := n.db.c("notifications")
	total, err := c.CountDocuments(ctx, bson.M{"to": username})
	if err != nil {
		return nil, 0, 0, FormatError(err)
	}
	unread, err := c.CountDocuments(ctx, bson.M{"to": username, "read": false})
	if err != nil {
		return nil, 0, 0, FormatError(err)
	}
	if stored, err := n.Unread(ctx, username); err == nil && stored != int(unread) {
		if err := n.setUnread(ctx, username, int(unread)); err != nil {
			return nil, 0, 0, err
		}
	}
	cur, err := c.Find(ctx, bson.M{"to": username}, options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: 1}}).SetSkip(int64(offset)).SetLimit(int64(limit)))
	if err != nil {
		return nil, 0, 0, FormatError(err)
	}
	var out []notify.Notification
	return out, int(total), int(unread), FormatError(cur.All(ctx, &out))
}

// LatestUnread returns the person's newest unread notifications.
func (n *Notify) LatestUnread(ctx context.Context, username string, limit int) ([]notify.Notification, error) {
	cur, err := n.db.c("notifications").Find(ctx, bson.M{"to": username, "read": false},
		options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, FormatError(err)
	}
	var out []notify.Notification
	return out, FormatError(cur.All(ctx, &out))
}

// Unread reads the person's unread count.
func (n *Notify) Unread(ctx context.Context, username string) (int, error) {
	var doc struct {
		N int `bson:"n"`
	}
	err := n.db.c("notify_unread").FindOne(ctx, bson.M{"_id": username}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, nil
	}
	return max(doc.N, 0), FormatError(err)
}

// MarkRead marks one of the person's notifications read; another's is
// ENOTFOUND, as a missing one.
func (n *Notify) MarkRead(ctx context.Context, username, id string) error {
	var nt notify.Notification
	err := n.db.c("notifications").FindOne(ctx, bson.M{"_id": id}).Decode(&nt)
	if err = FormatError(err); err != nil || nt.To != username {
		if err == nil || academy.ErrorCode(err) == academy.ENOTFOUND {
			return academy.Errorf(academy.ENOTFOUND, "没有这条通知 / No such notification.")
		}
		return err
	}
	res, err := n.db.c("notifications").UpdateOne(ctx, bson.M{"_id": id, "read": false}, bson.M{"$set": bson.M{"read": true}})
	if err != nil {
		return FormatError(err)
	}
	if res.ModifiedCount == 0 {
		return nil // read already
	}
	return n.bumpUnread(ctx, username, -1)
}

// MarkAllRead marks all the person's notifications read.
func (n *Notify) MarkAllRead(ctx context.Context, username string) error {
	_, err := inTurn(ctx, n.db.c("notifications"), func() (*mongo.UpdateResult, error) {
		return n.db.c("notifications").Collection.UpdateMany(ctx, bson.M{"to": username, "read": false}, bson.M{"$set": bson.M{"read": true}})
	})
	if err != nil {
		return FormatError(err)
	}
	return n.setUnread(ctx, username, 0)
}

// Prefs reads a person's preferences; never saved is the defaults.
func (n *Notify) Prefs(ctx context.Context, username string) (notify.Prefs, error) {
	var p notify.Prefs
	err := n.db.c("notify_prefs").FindOne(ctx, bson.M{"_id": username}).Decode(&p)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return notify.Prefs{}, nil
	}
	return p, FormatError(err)
}

// SavePrefs replaces a person's preferences.
func (n *Notify) SavePrefs(ctx context.Context, username string, p notify.Prefs) error {
	_, err := n.db.c("notify_prefs").ReplaceOne(ctx, bson.M{"_id": username}, p, options.Replace().SetUpsert(true))
	return FormatError(err)
}

// SiteRobot reads a site's robot; none set is a zero one for the site.
func (n *Notify) SiteRobot(ctx context.Context, site string) (notify.SiteRobot, error) {
	var r notify.SiteRobot
	err := n.db.c("notify_robots").FindOne(ctx, bson.M{"_id": site}).Decode(&r)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return notify.SiteRobot{Site: site}, nil
	}
	return r, FormatError(err)
}

// SaveSiteRobot replaces a site's robot.
func (n *Notify) SaveSiteRobot(ctx context.Context, r notify.SiteRobot) error {
	_, err := n.db.c("notify_robots").ReplaceOne(ctx, bson.M{"_id": r.Site}, r, options.Replace().SetUpsert(true))
	return FormatError(err)
}
