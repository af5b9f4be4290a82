package mongo

import (
	"context"
	"errors"
	"slices"
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
//   - notify_inbox: each person's in-app list, newest first and bounded
//     (inboxDoc), read by _id;
//   - notify_unread: each person's unread count, a copy of the inbox's,
//     so the header of every page reads a small document by _id;
//   - notify_prefs (per username) and notify_robots (per site);
//   - notify_grants: the markers of grants of extra attempts not told yet
//     (notify.PendingGrant), few and short-lived.
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
// producer enqueuing the same event again, and are ignored. Those stored
// are listed in notify_new (see waitingEntry).
func (n *Notify) AddMessages(ctx context.Context, ms []notify.Message) error {
	docs := make([]any, len(ms))
	for i, m := range ms {
		docs[i] = messageDoc{Message: m, State: "new"}
	}
	_, err := n.db.c("notify_messages").InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err := ignoreDuplicates(err); err != nil {
		return FormatError(err)
	}
	var entries []any
	for _, i := range stored(len(ms), err) {
		entries = append(entries, waitingEntry{ID: ms[i].Key, At: ms[i].At})
	}
	return n.list(ctx, "notify_new", entries)
}

// list adds entries to a list of what waits (waitingEntry). A crash
// before it leaves them out; the purge that every instance runs at start
// lists them (listWaiting).
func (n *Notify) list(ctx context.Context, coll string, entries []any) error {
	if len(entries) == 0 {
		return nil
	}
	_, err := n.db.c(coll).InsertMany(ctx, entries, options.InsertMany().SetOrdered(false))
	return FormatError(ignoreDuplicates(err))
}

// stored returns the indexes of the n documents that an unordered insert,
// which failed with err or none, stored: producers enqueue the same
// events again (escalations every minute), and listing those again would
// only make work. When err does not say which were duplicates, all are
// returned; an entry too many is dropped when met.
func stored(n int, err error) []int {
	dup := map[int]bool{}
	var bwe mongo.BulkWriteException
	if errors.As(err, &bwe) {
		for _, we := range bwe.WriteErrors {
			dup[we.Index] = true
		}
	}
	var out []int
	for i := range n {
		if !dup[i] {
			out = append(out, i)
		}
	}
	return out
}

// The relay reads what waits every few seconds on every instance; on the
// embedded store a filter on notify_messages or notify_deliveries scans a
// month of traffic (seconds). So what waits is also listed in two small
// collections, one short document each: notify_new (messages not fanned
// out, by Key) and notify_due (queued deliveries, by ID, with their next
// attempt and claim). An entry is written after the document it points
// at and is a hint: one whose document no longer waits is dropped when
// met, one whose times are behind is corrected when met, and one missing
// (a crash between the two writes) is listed again by the purge that
// every instance runs at start and daily (listWaiting).
type waitingEntry struct {
	ID         string    `bson:"_id"`
	At         time.Time `bson:"at,omitempty"`
	NextAt     time.Time `bson:"next_at,omitempty"`
	ClaimUntil time.Time `bson:"claim_until"`
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

// NewMessages returns up to limit messages not fanned out yet, oldest
// first: from the notify_new list, each read by _id.
func (n *Notify) NewMessages(ctx context.Context, limit int) ([]notify.Message, error) {
	cur, err := n.db.c("notify_new").Find(ctx, bson.M{}, options.Find().SetSort(bson.D{{Key: "at", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, FormatError(err)
	}
	var entries []waitingEntry
	if err := cur.All(ctx, &entries); err != nil {
		return nil, FormatError(err)
	}
	var out []notify.Message
	for _, e := range entries {
		var d messageDoc
		err := n.db.c("notify_messages").FindOne(ctx, bson.M{"_id": e.ID}).Decode(&d)
		if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
			return nil, FormatError(err)
		}
		if err == nil && d.State == "new" {
			out = append(out, d.Message)
			continue
		}
		// Fanned out (or purged): a message never waits again.
		if _, err := n.db.c("notify_new").DeleteOne(ctx, bson.M{"_id": e.ID}); err != nil {
			return nil, FormatError(err)
		}
	}
	return out, nil
}

// FinishMessage records the outcome of a message's fan-out and takes it
// off the notify_new list.
func (n *Notify) FinishMessage(ctx context.Context, key, state, reason string) error {
	_, err := n.db.c("notify_messages").UpdateOne(ctx, bson.M{"_id": key}, bson.M{"$set": bson.M{"state": state, "reason": reason}})
	if err != nil {
		return FormatError(err)
	}
	_, err = n.db.c("notify_new").DeleteOne(ctx, bson.M{"_id": key})
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

// AddDeliveries inserts the deliveries whose ID is new and lists the
// queued ones stored in notify_due.
func (n *Notify) AddDeliveries(ctx context.Context, ds []notify.Delivery) error {
	docs := make([]any, len(ds))
	for i, d := range ds {
		docs[i] = d
	}
	_, err := n.db.c("notify_deliveries").InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err := ignoreDuplicates(err); err != nil {
		return FormatError(err)
	}
	var entries []any
	for _, i := range stored(len(ds), err) {
		if d := ds[i]; d.State == notify.Queued {
			entries = append(entries, waitingEntry{ID: d.ID, NextAt: d.NextAt, ClaimUntil: d.ClaimUntil})
		}
	}
	return n.list(ctx, "notify_due", entries)
}

// DueDeliveries returns the IDs of deliveries due at now and not claimed
// by a live lease, oldest first, from the notify_due list; Claim checks
// each against the delivery itself.
func (n *Notify) DueDeliveries(ctx context.Context, now time.Time, limit int) ([]string, error) {
	cur, err := n.db.c("notify_due").Find(ctx,
		bson.M{"next_at": bson.M{"$lte": now}, "claim_until": bson.M{"$lte": now}},
		options.Find().SetSort(bson.D{{Key: "next_at", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(int64(limit)).SetProjection(bson.M{"_id": 1}))
	if err != nil {
		return nil, FormatError(err)
	}
	var entries []waitingEntry
	if err := cur.All(ctx, &entries); err != nil {
		return nil, FormatError(err)
	}
	ids := make([]string, len(entries))
	for i, e := range entries {
		ids[i] = e.ID
	}
	return ids, nil
}

// Claim is one conditional update of the delivery's document: only one
// of two relays racing for it matches. Its notify_due entry follows: the
// claim is copied to it, or, when the delivery is not there to claim, the
// entry is dropped or corrected.
func (n *Notify) Claim(ctx context.Context, id, by string, now, until time.Time) (*notify.Delivery, error) {
	claimed, err := updateIf(ctx, n.db.c("notify_deliveries"), id,
		bson.M{"state": notify.Queued, "next_at": bson.M{"$lte": now}, "claim_until": bson.M{"$lte": now}},
		func(d *notify.Delivery) bool {
			return d.State == notify.Queued && !d.NextAt.After(now) && !d.ClaimUntil.After(now)
		},
		bson.M{"claimed_by": by, "claim_until": until})
	if err != nil {
		return nil, err
	}
	var d notify.Delivery
	err = n.db.c("notify_deliveries").FindOne(ctx, bson.M{"_id": id}).Decode(&d)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return nil, FormatError(err)
	}
	due := n.db.c("notify_due")
	switch {
	case claimed && err == nil:
		_, err = due.UpdateOne(ctx, bson.M{"_id": id}, bson.M{"$set": bson.M{"claim_until": until}})
		return &d, FormatError(err)
	case err != nil || d.State != notify.Queued:
		// Sent, parked or purged. The entry goes only as it was read: a
		// resend meanwhile writes a new next attempt to it.
		var e waitingEntry
		if err := due.FindOne(ctx, bson.M{"_id": id}).Decode(&e); err != nil {
			return nil, FormatError(ignoreMissing(err))
		}
		_, err = due.DeleteOne(ctx, bson.M{"_id": id, "next_at": e.NextAt})
		return nil, FormatError(err)
	default:
		_, err = due.UpdateOne(ctx, bson.M{"_id": id}, bson.M{"$set": bson.M{"next_at": d.NextAt, "claim_until": d.ClaimUntil}}, options.UpdateOne().SetUpsert(true))
		return nil, FormatError(ignoreDuplicates(err))
	}
}

// ignoreMissing drops the error of a document not found.
func ignoreMissing(err error) error {
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil
	}
	return err
}

// Settle records the outcome and drops the claim, if by holds it; the
// delivery stays on the notify_due list only while queued.
func (n *Notify) Settle(ctx context.Context, id, by string, d notify.Delivery) error {
	ok, err := updateIf(ctx, n.db.c("notify_deliveries"), id, bson.M{"claimed_by": by},
		func(cur *notify.Delivery) bool { return cur.ClaimedBy == by },
		bson.M{"state": d.State, "attempts": d.Attempts, "next_at": d.NextAt, "reason": d.Reason,
			"sent_at": d.SentAt, "claimed_by": "", "claim_until": time.Time{}})
	if err != nil {
		return err
	}
	if !ok {
		return academy.Errorf(academy.ECONFLICT, "投递 %s 已不再由 %s 领取 / delivery %s is no longer claimed by %s", id, by, id, by)
	}
	due := n.db.c("notify_due")
	if d.State == notify.Queued {
		err := upsert(func() error {
			_, err := due.UpdateOne(ctx, bson.M{"_id": id}, bson.M{"$set": bson.M{"next_at": d.NextAt, "claim_until": time.Time{}}}, options.UpdateOne().SetUpsert(true))
			return err
		})
		return FormatError(err)
	}
	_, err = due.DeleteOne(ctx, bson.M{"_id": id})
	return FormatError(err)
}

// Resend queues a parked delivery again, from its first attempt, and
// lists it in notify_due.
func (n *Notify) Resend(ctx context.Context, id string, now time.Time) error {
	ok, err := updateIf(ctx, n.db.c("notify_deliveries"), id, bson.M{"state": notify.Parked},
		func(cur *notify.Delivery) bool { return cur.State == notify.Parked },
		bson.M{"state": notify.Queued, "attempts": 0, "next_at": now, "claimed_by": "", "claim_until": time.Time{}})
	if err != nil {
		return err
	}
	if !ok {
		return academy.Errorf(academy.ECONFLICT, "只能重发已搁置的通知 / Only a parked notification can be sent again.")
	}
	err = upsert(func() error {
		_, err := n.db.c("notify_due").UpdateOne(ctx, bson.M{"_id": id}, bson.M{"$set": bson.M{"next_at": now, "claim_until": time.Time{}}}, options.UpdateOne().SetUpsert(true))
		return err
	})
	return FormatError(err)
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

// inboxSize bounds a person's in-app list: the newest notifications up
// to it stay in the inbox, older ones leave it. 200 is months of a busy
// learner's reminders, and keeps the document (read whole by the home
// page and the list) well under 100 KB.
const inboxSize = 200

// inboxDoc is a person's in-app list under their username: the newest
// notifications, newest first, and how many of them are unread. The home
// page and the list read it by _id; on the embedded store a filter on
// "to" scanned every person's notifications.
type inboxDoc struct {
	ID      string                `bson:"_id"`
	Version int                   `bson:"version"`
	Unread  int                   `bson:"unread"`
	Items   []notify.Notification `bson:"items"`
	// Oldest is the last item's time, so that the daily purge finds the
	// inboxes holding expired notifications without reading their items.
	Oldest time.Time `bson:"oldest,omitempty"`
}

// newer tells whether a sorts before b in a list: newest first, then by
// ID, the order the list always had.
func newer(a, b *notify.Notification) bool {
	if !a.CreatedAt.Equal(b.CreatedAt) {
		return a.CreatedAt.After(b.CreatedAt)
	}
	return a.ID < b.ID
}

func (d *inboxDoc) find(id string) int {
	return slices.IndexFunc(d.Items, func(nt notify.Notification) bool { return nt.ID == id })
}

// tally sets the unread count and the oldest time from the items.
func (d *inboxDoc) tally() {
	d.Unread, d.Oldest = 0, time.Time{}
	for _, nt := range d.Items {
		if !nt.Read {
			d.Unread++
		}
	}
	if len(d.Items) > 0 {
		d.Oldest = d.Items[len(d.Items)-1].CreatedAt
	}
}

func (n *Notify) inbox(ctx context.Context, username string) (*inboxDoc, error) {
	d := &inboxDoc{ID: username}
	err := n.db.c("notify_inbox").FindOne(ctx, bson.M{"_id": username}).Decode(d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return d, nil
	}
	return d, FormatError(err)
}

// inboxTries bounds the compare-and-swap rounds of one inbox change on
// MongoDB: a round is lost only to another write to the same inbox that
// went through, so with fewer writers than this at once every one lands.
const inboxTries = 32

// changeInbox applies change to the person's inbox and writes it back:
// one document, so no transaction is needed. On MongoDB it is replaced at
// its next version, again from a fresh read when another write got there
// first; the embedded store, which compares in Go, reads and replaces it
// holding the write turn, which no other write can take in between.
// change says whether it changed anything; then the unread counter the
// header reads is set from the inbox.
func (n *Notify) changeInbox(ctx context.Context, username string, change func(*inboxDoc) (bool, error)) error {
	c := n.db.c("notify_inbox")
	write := func() (*inboxDoc, error) {
		d, err := n.inbox(ctx, username)
		if err != nil {
			return nil, err
		}
		if changed, err := change(d); err != nil || !changed {
			return nil, err
		}
		d.tally()
		d.Version++
		if c.turn != nil {
			_, err := c.Collection.ReplaceOne(ctx, bson.M{"_id": username}, d, options.Replace().SetUpsert(true))
			return d, FormatError(err)
		}
		if d.Version == 1 {
			_, err = c.Collection.InsertOne(ctx, d)
			if mongo.IsDuplicateKeyError(err) {
				return nil, academy.Errorf(academy.ECONFLICT, "%s 的收件箱已被同时创建 / inbox %s was created meanwhile", username, username)
			}
			return d, FormatError(err)
		}
		return d, replaceVersion(ctx, c, username, d.Version, d)
	}
	var d *inboxDoc
	var err error
	if c.turn != nil {
		d, err = inTurn(ctx, c, write)
	} else {
		for range inboxTries {
			if d, err = write(); academy.ErrorCode(err) != academy.ECONFLICT {
				break
			}
		}
	}
	if err != nil || d == nil {
		return err
	}
	// A crash before this leaves the counter behind the inbox until the
	// next change or the person opens the list, which repairs it.
	return n.setUnread(ctx, username, d.Unread)
}

// AddNotification puts nt in the recipient's inbox unless it is there:
// one compare-and-swap of one document, so two relays fanning out the
// same message add it once. A retry of a notification that has left the
// inbox sorts after all inboxSize newer ones and stays out.
func (n *Notify) AddNotification(ctx context.Context, nt *notify.Notification) (bool, error) {
	added := false
	err := n.changeInbox(ctx, nt.To, func(d *inboxDoc) (bool, error) {
		added = false
		if d.find(nt.ID) >= 0 {
			return false, nil
		}
		at, _ := slices.BinarySearchFunc(d.Items, nt, func(e notify.Notification, t *notify.Notification) int {
			if newer(&e, t) {
				return -1
			}
			return 1
		})
		if at >= inboxSize {
			return false, nil
		}
		d.Items = slices.Insert(d.Items, at, *nt)
		d.Items = d.Items[:min(len(d.Items), inboxSize)]
		added = true
		return true, nil
	})
	return added, err
}

func (n *Notify) setUnread(ctx context.Context, username string, v int) error {
	_, err := n.db.c("notify_unread").UpdateOne(ctx, bson.M{"_id": username}, bson.M{"$set": bson.M{"n": v}}, options.UpdateOne().SetUpsert(true))
	return FormatError(err)
}

// Notifications pages through the person's inbox, with its total and
// unread count, and repairs the counter Unread reads if it differs.
func (n *Notify) Notifications(ctx context.Context, username string, offset, limit int) ([]notify.Notification, int, int, error) {
	d, err := n.inbox(ctx, username)
	if err != nil {
		return nil, 0, 0, err
	}
	d.tally()
	if stored, err := n.Unread(ctx, username); err == nil && stored != d.Unread {
		if err := n.setUnread(ctx, username, d.Unread); err != nil {
			return nil, 0, 0, err
		}
	}
	from := min(max(offset, 0), len(d.Items))
	return d.Items[from:min(from+max(limit, 0), len(d.Items))], len(d.Items), d.Unread, nil
}

// LatestUnread returns the person's newest unread notifications.
func (n *Notify) LatestUnread(ctx context.Context, username string, limit int) ([]notify.Notification, error) {
	d, err := n.inbox(ctx, username)
	if err != nil {
		return nil, err
	}
	var out []notify.Notification
	for _, nt := range d.Items {
		if len(out) == limit {
			break
		}
		if !nt.Read {
			out = append(out, nt)
		}
	}
	return out, nil
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
// ENOTFOUND, as a missing one (it is in no inbox of theirs).
func (n *Notify) MarkRead(ctx context.Context, username, id string) error {
	return n.changeInbox(ctx, username, func(d *inboxDoc) (bool, error) {
		i := d.find(id)
		if i < 0 {
			return false, academy.Errorf(academy.ENOTFOUND, "没有这条通知 / No such notification.")
		}
		if d.Items[i].Read {
			return false, nil
		}
		d.Items[i].Read = true
		return true, nil
	})
}

// MarkAllRead marks all the person's notifications read.
func (n *Notify) MarkAllRead(ctx context.Context, username string) error {
	err := n.changeInbox(ctx, username, func(d *inboxDoc) (bool, error) {
		changed := false
		for i := range d.Items {
			changed = changed || !d.Items[i].Read
			d.Items[i].Read = true
		}
		return changed, nil
	})
	if err != nil {
		return err
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

// moveNotificationsToInboxes builds each person's inbox from the
// notifications collection of schema 6 (one document per notification,
// read by filters on "to") and drops it: the newest inboxSize of each
// person's are kept, as the inbox keeps them from now on.
func moveNotificationsToInboxes(ctx context.Context, db *DB) error {
	old := db.db.Collection("notifications")
	cur, err := old.Find(ctx, bson.M{}, options.Find().SetSort(bson.D{{Key: "to", Value: 1}, {Key: "created_at", Value: -1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return FormatError(err)
	}
	defer cur.Close(ctx)
	n := NewNotify(db)
	d := &inboxDoc{}
	save := func() error {
		if d.ID == "" {
			return nil
		}
		d.tally()
		d.Version = 1
		if _, err := db.c("notify_inbox").ReplaceOne(ctx, bson.M{"_id": d.ID}, d, options.Replace().SetUpsert(true)); err != nil {
			return FormatError(err)
		}
		return n.setUnread(ctx, d.ID, d.Unread)
	}
	for cur.Next(ctx) {
		var nt notify.Notification
		if err := cur.Decode(&nt); err != nil {
			return FormatError(err)
		}
		if nt.To != d.ID {
			if err := save(); err != nil {
				return err
			}
			d = &inboxDoc{ID: nt.To}
		}
		if len(d.Items) < inboxSize {
			d.Items = append(d.Items, nt)
		}
	}
	if err := cur.Err(); err != nil {
		return FormatError(err)
	}
	if err := save(); err != nil {
		return err
	}
	return FormatError(old.Drop(ctx))
}

// Purge deletes what the retention periods have passed. Each deletion is
// one filtered DeleteMany, a scan of its collection on the embedded store
// (holding the write turn, as every write does): acceptable once a day in
// the background. Inboxes are changed one by one as any other write
// changes them.
func (n *Notify) Purge(ctx context.Context, before notify.PurgeBefore) (int, error) {
	total := 0
	deletes := []struct {
		coll   string
		filter bson.M
	}{
		{"notify_deliveries", bson.M{"$or": bson.A{
			bson.M{"state": notify.Sent, "sent_at": bson.M{"$lt": before.Sent}},
			// A parked delivery's next_at is its last try; a resend
			// queues it with a new one.
			bson.M{"state": notify.Parked, "next_at": bson.M{"$lt": before.Sent}},
		}}},
		{"notify_messages", bson.M{"state": bson.M{"$ne": "new"}, "at": bson.M{"$lt": before.Sent}}},
		{"notify_caps", bson.M{"at": bson.M{"$lt": before.Caps}}},
	}
	for _, d := range deletes {
		res, err := n.db.c(d.coll).DeleteMany(ctx, d.filter)
		if err != nil {
			return total, FormatError(err)
		}
		total += int(res.DeletedCount)
	}
	cur, err := n.db.c("notify_inbox").Find(ctx, bson.M{"oldest": bson.M{"$lt": before.InApp}}, options.Find().SetProjection(bson.M{"_id": 1}))
	if err != nil {
		return total, FormatError(err)
	}
	var ids []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &ids); err != nil {
		return total, FormatError(err)
	}
	for _, id := range ids {
		gone := 0 // of the round that was written
		err := n.changeInbox(ctx, id.ID, func(d *inboxDoc) (bool, error) {
			keep := slices.DeleteFunc(d.Items, func(nt notify.Notification) bool { return nt.CreatedAt.Before(before.InApp) })
			gone = len(d.Items) - len(keep)
			d.Items = keep
			return gone > 0, nil
		})
		if err != nil {
			return total, err
		}
		total += gone
	}
	// What a crash left off the relay's lists is listed again.
	return total, listWaiting(ctx, n.db)
}

// listWaiting lists in notify_new and notify_due the messages and
// deliveries that wait and are missing there: schema 8 introduced the
// lists, and the daily purge mends those a crash between two writes left
// out. Entries there already are left as they are.
func listWaiting(ctx context.Context, db *DB) error {
	for _, l := range []struct{ from, to, state string }{
		{"notify_messages", "notify_new", "new"},
		{"notify_deliveries", "notify_due", notify.Queued},
	} {
		cur, err := db.c(l.from).Find(ctx, bson.M{"state": l.state}, options.Find().SetProjection(bson.M{"_id": 1, "at": 1, "next_at": 1, "claim_until": 1}))
		if err != nil {
			return FormatError(err)
		}
		var entries []waitingEntry
		if err := cur.All(ctx, &entries); err != nil {
			return FormatError(err)
		}
		for i := 0; i < len(entries); i += 1000 {
			docs := make([]any, 0, 1000)
			for _, e := range entries[i:min(i+1000, len(entries))] {
				docs = append(docs, e)
			}
			_, err := db.c(l.to).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
			if err := ignoreDuplicates(err); err != nil {
				return FormatError(err)
			}
		}
	}
	return nil
}
