// Package mongo stores the domain in MongoDB (or the embedded FerretDB)
// through the official driver. It is the only package that imports it.
//
// The embedded FerretDB only pushes equality on _id down to SQLite; every
// other filter scans the collection. Hot paths therefore read by _id with
// natural keys (username, slug), and filtered queries are kept to listings
// and background sweeps.
package mongo

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/connstring"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"

	"github.com/academy/academy/internal/academy"
)

// SchemaVersion is the version that migrations bring a database to.
const SchemaVersion = 8

// DB is an open database.
type DB struct {
	client *mongo.Client
	db     *mongo.Database
	pool   *poolStats
	// writeTurn, when set, lets one write at a time reach the server.
	writeTurn chan struct{}
	// group sends the writes queued for the turn together (group commit).
	group *groupCommit
	// Now is the clock used for timestamps; tests replace it.
	Now func() time.Time
	// owner tells this process's leases from another's.
	owner string
	// observe, when set, hears of every command sent (Observe).
	observe func(Command)
}

// Option changes how Open connects.
type Option func(*DB)

// SingleWriter lets one write at a time reach the server, for a server on
// SQLite (the embedded store). SQLite takes one writer at a time, and a
// writer that finds the lock held polls for it with sleeps that grow to
// 100 ms; with many writers the lock sits idle between polls, and under
// load writes queued for seconds until the driver timed out. Queued here,
// each write starts the moment the previous one ends, and the writes of
// one collection that wait meanwhile go as one command (collection.write).
func SingleWriter() Option {
	return func(db *DB) { db.writeTurn, db.group = make(chan struct{}, 1), newGroupCommit() }
}

// Observe calls f with every command sent to the server, for tests that
// count what a request costs the database.
func Observe(f func(Command)) Option {
	return func(db *DB) { db.observe = f }
}

// Command is a command sent to the server, as Observe reports it.
type Command struct {
	Name, Collection string
	// Filters are the fields that each filter of the command names (a
	// find's, a count's, each update's or delete's), so that a test can
	// tell a read by _id, which the embedded store looks up, from a
	// filter it scans the collection for.
	Filters [][]string
}

// observed describes a command for Observe.
func observed(e *event.CommandStartedEvent) Command {
	// A command's first element names its collection.
	coll, _ := e.Command.Index(0).Value().StringValueOK()
	c := Command{Name: e.CommandName, Collection: coll}
	fields := func(v bson.RawValue) {
		doc, ok := v.DocumentOK()
		if !ok {
			return
		}
		elems, _ := doc.Elements()
		keys := []string{}
		for _, el := range elems {
			keys = append(keys, el.Key())
		}
		c.Filters = append(c.Filters, keys)
	}
	for _, key := range []string{"filter", "query"} {
		if v, err := e.Command.LookupErr(key); err == nil {
			fields(v)
		}
	}
	// CountDocuments is an aggregate whose first stage matches.
	if v, err := e.Command.LookupErr("pipeline", "0", "$match"); err == nil {
		fields(v)
	}
	for _, key := range []string{"updates", "deletes"} {
		// The driver copies statements sent as a document sequence
		// into the observed command as an array.
		v, err := e.Command.LookupErr(key)
		if err != nil {
			continue
		}
		arr, _ := v.ArrayOK()
		vals, _ := arr.Values()
		for _, st := range vals {
			if doc, ok := st.DocumentOK(); ok {
				if q, err := doc.LookupErr("q"); err == nil {
					fields(q)
				}
			}
		}
	}
	return c
}

// Open connects to uri, selects database name, and brings the schema up to
// date (indexes are created idempotently on every start).
func Open(ctx context.Context, uri, name string, with ...Option) (*DB, error) {
	pool := &poolStats{}
	opts, err := clientOptions(uri)
	if err != nil {
		return nil, err
	}
	db := &DB{pool: pool, Now: time.Now, owner: newOwner()}
	for _, o := range with {
		o(db)
	}
	if f := db.observe; f != nil {
		opts.SetMonitor(&event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
			f(observed(e))
		}})
	}
	client, err := mongo.Connect(opts.SetPoolMonitor(pool.monitor()))
	if err != nil {
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	db.client, db.db = client, client.Database(name)
	if err := db.Ping(ctx); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, fmt.Errorf("database at %s is not reachable: %w", redact(uri), err)
	}
	if err := db.migrate(ctx); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, err
	}
	return db, nil
}

// clientOptions are the driver's settings for uri. Writes wait for a
// majority of the replica set and its journal, and reads go to the
// primary, unless the URI names its own (w, journal, readPreference): a
// write acknowledged by one member alone is lost when that member fails
// before the others copy it, and a secondary can answer with data older
// than the write the same person just made (a lesson done, a ticket
// taken), since the app uses no causally consistent sessions.
func clientOptions(uri string) (*options.ClientOptions, error) {
	cs, err := connstring.Parse(uri)
	if err != nil {
		return nil, fmt.Errorf("connection string %s: %w", redact(uri), err)
	}
	opts := options.Client().ApplyURI(uri).
		SetServerSelectionTimeout(5 * time.Second).
		SetConnectTimeout(5 * time.Second).
		SetTimeout(15 * time.Second)
	if cs.WString == "" && !cs.WNumberSet && !cs.JSet {
		opts.SetWriteConcern(&writeconcern.WriteConcern{W: writeconcern.WCMajority, Journal: new(true)})
	}
	if cs.ReadPreference == "" {
		opts.SetReadPreference(readpref.Primary())
	}
	return opts, nil
}

// Close disconnects.
func (db *DB) Close(ctx context.Context) error { return db.client.Disconnect(ctx) }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	return FormatError(db.client.Ping(ctx, readpref.Primary()))
}

type migration func(ctx context.Context, db *DB) error

// migrations[i] brings the schema from version i to i+1. Append only.
var migrations = []migration{
	func(ctx context.Context, db *DB) error { return nil }, // 0 -> 1: initial schema, indexes only
	backfillSummaries,          // 1 -> 2: records list each graded attempt's right and wrong questions
	backfillRunChecks,          // 2 -> 3: each learner's finished runs' checks in run_checks
	dropVersionMarkers,         // 3 -> 4: versioned documents compare their own version
	backfillTicketMarks,        // 4 -> 5: open tickets' summaries carry their SLA marks
	indexTicketSearch,          // 5 -> 6: the search index lists every ticket
	moveNotificationsToInboxes, // 6 -> 7: each person's notifications in one inbox document
	listWaiting,                // 7 -> 8: what the relay waits on, listed in notify_new and notify_due
}

// dropVersionMarkers removes the collections of "<id>#<version>" markers
// that tickets, runs and sandboxes were written behind: one document per
// write, never removed. Replacing the document at its previous version
// does the same job (see replaceVersion).
func dropVersionMarkers(ctx context.Context, db *DB) error {
	for _, name := range []string{"ticket_versions", "run_versions", "sandbox_versions"} {
		if err := db.db.Collection(name).Drop(ctx); err != nil {
			return fmt.Errorf("drop %s: %w", name, err)
		}
	}
	return nil
}

// collections lists every collection the application uses. They are all
// created at start, so that setup which works per collection (indexes
// here, and the embedded store's _id index) covers them before any data.
var collections = []string{
	"assignments", "attempt_answers", "awards", "calendars", "certificates", "counters", "programs", "notify_messages", "notify_new", "notify_caps", "notify_deliveries", "notify_due", "notify_inbox", "notify_unread", "notify_prefs", "notify_robots", "notify_grants", "xapi_outbox", "xapi_sent", "attempt_final", "attempt_slots", "attempts", "audit", "course_revisions", "courses", "desk_rules", "desk_rule_revisions",
	"directories", "drafts", "frozen_directories", "frozen_questions", "leases", "meta", "open_attempts", "open_tickets", "password_links", "progress", "quality_agent_weeks", "quality_feedback", "quality_flags", "quality_records", "quality_settings", "quality_weeks", "quiz_records", "quiz_revisions", "quizzes",
	"run_checks", "run_index", "runs", "scenarios", "sandbox_index", "sandboxes", "sessions", "sites", "ticket_search", "ticket_summaries", "tickets", "training_cases", "users",
}

type index struct {
	coll   string
	keys   bson.D
	unique bool
	// sparse leaves out documents without the field, so that a unique
	// key may be absent on many of them (both MongoDB and the embedded
	// store serve sparse indexes; neither of partial ones is portable).
	sparse bool
}

// indexes are the ones MongoDB needs in production; creating them is
// idempotent, so they are ensured on every start. On SQLite only the
// unique ones are (see dropIndex).
var indexes = []index{
	{coll: "sessions", keys: bson.D{{Key: "username", Value: 1}}},
	{coll: "sessions", keys: bson.D{{Key: "expires_at", Value: 1}}},
	{coll: "counters", keys: bson.D{{Key: "expires_at", Value: 1}}},
	{coll: "audit", keys: bson.D{{Key: "time", Value: -1}}},
	{coll: "audit", keys: bson.D{{Key: "target", Value: 1}, {Key: "time", Value: -1}}},
	{coll: "users", keys: bson.D{{Key: "sites", Value: 1}}},
	{coll: "users", keys: bson.D{{Key: "employee_no", Value: 1}}, unique: true, sparse: true},
	{coll: "course_revisions", keys: bson.D{{Key: "course", Value: 1}, {Key: "number", Value: -1}}},
	{coll: "desk_rule_revisions", keys: bson.D{{Key: "scope", Value: 1}, {Key: "seq", Value: -1}}},
	{coll: "drafts", keys: bson.D{{Key: "course", Value: 1}}},
	{coll: "attempts", keys: bson.D{{Key: "quiz", Value: 1}, {Key: "state", Value: 1}}},
	{coll: "attempts", keys: bson.D{{Key: "username", Value: 1}}},
	{coll: "tickets", keys: bson.D{{Key: "workspace", Value: 1}, {Key: "created_at", Value: -1}}},
	{coll: "open_tickets", keys: bson.D{{Key: "workspace", Value: 1}, {Key: "created_at", Value: -1}}},
	{coll: "open_tickets", keys: bson.D{{Key: "mark_times", Value: 1}}},
	{coll: "ticket_summaries", keys: bson.D{{Key: "workspace", Value: 1}, {Key: "created_at", Value: -1}}},
	{coll: "notify_messages", keys: bson.D{{Key: "state", Value: 1}, {Key: "at", Value: 1}}},
	{coll: "notify_deliveries", keys: bson.D{{Key: "state", Value: 1}, {Key: "next_at", Value: 1}}},
	{coll: "notify_deliveries", keys: bson.D{{Key: "channel", Value: 1}, {Key: "state", Value: 1}, {Key: "created_at", Value: -1}}},
}

// dropIndex drops coll's index on keys, if there is one, by the name
// that creating it gave.
//
// On SQLite (SingleWriter) FerretDB looks up nothing but _id: it never
// reads a secondary index, and every write of a document rewrites each
// index's entry, which made each exam close's replace of an attempt
// maintain four indexes instead of two. There only the unique indexes,
// which keep a rule, are made, and a database made before keeps none of
// the others.
func dropIndex(ctx context.Context, coll collection, keys bson.D) error {
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s_%v", k.Key, k.Value))
	}
	name := strings.Join(parts, "_")
	specs, err := coll.Indexes().ListSpecifications(ctx)
	if err != nil {
		return fmt.Errorf("list indexes of %s: %w", coll.Name(), err)
	}
	if !slices.ContainsFunc(specs, func(s mongo.IndexSpecification) bool { return s.Name == name }) {
		return nil
	}
	if err := coll.Indexes().DropOne(ctx, name); err != nil {
		return fmt.Errorf("drop index %s of %s: %w", name, coll.Name(), err)
	}
	return nil
}

// migrate runs under the migration lease, so that instances starting
// together (the first start, an upgrade) take turns: the first brings the
// schema up, the others wait and find nothing left to do.
func (db *DB) migrate(ctx context.Context) error {
	if err := db.db.CreateCollection(ctx, "leases"); err != nil && !isAlreadyExists(err) {
		return fmt.Errorf("create collection leases: %w", err)
	}
	lease, err := db.acquireLease(ctx, leaseMigrate, migrateLeaseTTL, waitForHolder, 10*time.Minute)
	if err != nil {
		return fmt.Errorf("wait for another instance's schema migration: %w", err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = lease.Release(ctx) // or it expires
	}()
	existing, err := db.db.ListCollectionNames(ctx, bson.M{})
	if err != nil {
		return fmt.Errorf("list collections: %w", err)
	}
	for _, name := range collections {
		if slices.Contains(existing, name) {
			continue
		}
		if err := db.db.CreateCollection(ctx, name); err != nil && !isAlreadyExists(err) {
			return fmt.Errorf("create collection %s: %w", name, err)
		}
	}
	for _, ix := range indexes {
		if !ix.unique && db.writeTurn != nil {
			if err := dropIndex(ctx, db.c(ix.coll), ix.keys); err != nil {
				return err
			}
			continue
		}
		m := mongo.IndexModel{Keys: ix.keys}
		if ix.unique || ix.sparse {
			m.Options = options.Index().SetUnique(ix.unique).SetSparse(ix.sparse)
		}
		if _, err := db.c(ix.coll).Indexes().CreateOne(ctx, m); err != nil {
			return fmt.Errorf("create index on %s: %w", ix.coll, err)
		}
	}
	var meta struct {
		Version int `bson:"version"`
	}
	err = db.c("meta").FindOne(ctx, bson.M{"_id": "schema"}).Decode(&meta)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return fmt.Errorf("read schema version: %w", err)
	}
	if meta.Version > SchemaVersion {
		return fmt.Errorf("database schema version %d is newer than this program's %d; upgrade the program", meta.Version, SchemaVersion)
	}
	for v := meta.Version; v < SchemaVersion; v++ {
		if err := migrations[v](ctx, db); err != nil {
			return fmt.Errorf("migrate schema %d -> %d: %w", v, v+1, err)
		}
		_, err := db.c("meta").UpdateOne(ctx, bson.M{"_id": "schema"},
			bson.M{"$set": bson.M{"version": v + 1, "migrated_at": db.Now()}}, options.UpdateOne().SetUpsert(true))
		if err != nil {
			return fmt.Errorf("record schema version %d: %w", v+1, err)
		}
	}
	return nil
}

// StoredSchemaVersion reads the schema version recorded in the database.
func (db *DB) StoredSchemaVersion(ctx context.Context) (int, error) {
	var meta struct {
		Version int `bson:"version"`
	}
	err := db.c("meta").FindOne(ctx, bson.M{"_id": "schema"}).Decode(&meta)
	return meta.Version, FormatError(err)
}

// upsert runs an upserting write, and once more if it lost an insert race:
// two upserts of a document that does not exist yet can both try to insert
// it, and the loser gets a duplicate key error. The retry finds the
// document and updates it, which is what the caller asked for.
func upsert(write func() error) error {
	err := write()
	if mongo.IsDuplicateKeyError(err) {
		err = write()
	}
	return err
}

// FormatError maps driver errors to domain errors: no documents is
// ENOTFOUND, a duplicate key ECONFLICT, an unreachable server EUNAVAILABLE.
func FormatError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, mongo.ErrNoDocuments):
		return academy.Errorf(academy.ENOTFOUND, "不存在 / not found")
	case mongo.IsDuplicateKeyError(err):
		return academy.Errorf(academy.ECONFLICT, "已存在 / already exists")
	case mongo.IsNetworkError(err), mongo.IsTimeout(err), errors.As(err, new(topology.ServerSelectionError)),
		errors.Is(err, mongo.ErrClientDisconnected), errors.Is(err, context.DeadlineExceeded):
		return academy.Errorf(academy.EUNAVAILABLE, "数据库暂时不可用,请稍后再试 / The database is unavailable; try again shortly.")
	}
	return err
}

// redact returns the scheme and host of a connection string so that
// messages never carry credentials.
func redact(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		return "(unparsable URI)"
	}
	return u.Scheme + "://" + u.Host
}

// Name is the database's name.
func (db *DB) Name() string { return db.db.Name() }

// isAlreadyExists recognises the error of creating a collection that
// another instance created a moment earlier.
func isAlreadyExists(err error) bool {
	var ce mongo.CommandError
	return errors.As(err, &ce) && (ce.Code == 48 || ce.Name == "NamespaceExists")
}

// ClaimPublicURL records u as the address of the site if none is recorded
// yet, and returns the recorded one: the first start's, shared by every
// instance after it.
func (db *DB) ClaimPublicURL(ctx context.Context, u string) (string, error) {
	_, err := db.c("meta").InsertOne(ctx, bson.M{"_id": "public_url", "url": u, "set_at": db.Now()})
	if err == nil || !mongo.IsDuplicateKeyError(err) {
		return u, FormatError(err)
	}
	return db.PublicURL(ctx)
}

// PublicURL returns the recorded address of the site, "" if none is.
func (db *DB) PublicURL(ctx context.Context) (string, error) {
	var m struct {
		URL string `bson:"url"`
	}
	err := db.c("meta").FindOne(ctx, bson.M{"_id": "public_url"}).Decode(&m)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return "", nil
	}
	return m.URL, FormatError(err)
}

// SetPublicURL records u as the address of the site, replacing the one
// recorded.
func (db *DB) SetPublicURL(ctx context.Context, u string) error {
	_, err := db.c("meta").ReplaceOne(ctx, bson.M{"_id": "public_url"}, bson.M{"url": u, "set_at": db.Now()}, options.Replace().SetUpsert(true))
	return FormatError(err)
}
