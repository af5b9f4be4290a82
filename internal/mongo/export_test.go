package mongo

import (
	"context"
	"time"
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
