package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	driver "go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/academy/academy/internal/quality"
)

// ClientOptions lets the tests read the driver settings Open uses.
var ClientOptions = clientOptions

// HoldWriterTTL takes the writer lease with a lifetime short enough for a
// test to see it expire.
func (db *DB) HoldWriterTTL(ctx context.Context, ttl time.Duration) (*Lease, error) {
	return db.holdWriter(ctx, ttl)
}

// Abandon stops renewing the lease without giving it up, as a process
// that died would.
func (l *Lease) Abandon() {
	close(l.stop)
	l.stopped.Wait()
}

// InsertQualityWeek stores a site's week of counts as CountRecord leaves
// it, for benchmarks that need many thousand tickets' worth of counts
// without counting each.
func (s *QualityStore) InsertQualityWeek(ctx context.Context, w *quality.Week) error {
	agents := map[string]*quality.Tally{}
	for a, t := range w.Agents {
		agents[agentKey(a)] = t
	}
	_, err := s.db.c("quality_weeks").InsertOne(ctx, bson.M{"_id": w.ID, "site": w.Site, "week": w.Week, "agents": agents})
	return err
}

// Write sends model to collection coll as the writes that need only their
// error do: queued with others for the single writer's turn.
func (db *DB) Write(ctx context.Context, coll string, model driver.WriteModel) error {
	return FormatError(db.c(coll).write(ctx, model))
}

// MaxUpdates bounds the update statements of one command.
const MaxUpdates = maxUpdates

// HoldTurn takes the single writer's turn until release, so that writes
// queue behind it.
func (db *DB) HoldTurn() (release func()) {
	db.writeTurn <- struct{}{}
	return func() { <-db.writeTurn }
}

// Queued counts the writes waiting for collection coll.
func (db *DB) Queued(coll string) int {
	db.group.mu.Lock()
	defer db.group.mu.Unlock()
	n := 0
	for k, ws := range db.group.pending {
		if k.coll == coll {
			n += len(ws)
		}
	}
	return n
}

// Collection is the driver's collection, for tests that read back what
// was written.
func (db *DB) Collection(name string) *driver.Collection { return db.db.Collection(name) }
