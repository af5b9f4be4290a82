package mongo

import (
	"context"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/academy/academy/internal/academy"
)

// Counters is a store of small values with an expiry that every instance
// of the server shares, such as the login throttle's counts: kept in one
// process's memory, they let an attacker spread guesses over the instances
// behind a load balancer. It has the methods of fiber.Storage, whose calls
// carry no context, so each call has its own short deadline.
type Counters struct {
	db *DB
	// skipUntil (Unix nanoseconds): after a call finds the database
	// unreachable, calls fail at once until then. The limiter then counts
	// afresh, and a login during an outage answers as fast as the rest
	// instead of waiting out each call's deadline first.
	skipUntil atomic.Int64
}

// NewCounters returns the shared counters of db.
func NewCounters(db *DB) *Counters { return &Counters{db: db} }

// countersTimeout bounds one call: the caller is a login waiting for it.
const countersTimeout = time.Second

// countersBackoff is how long calls fail at once after an unreachable
// database.
const countersBackoff = 5 * time.Second

type counterDoc struct {
	Key     string    `bson:"_id"`
	Val     []byte    `bson:"val"`
	Expires time.Time `bson:"expires_at,omitempty"`
}

// do runs f with a deadline unless the database was just found unreachable.
func (c *Counters) do(f func(ctx context.Context) error) error {
	if time.Now().UnixNano() < c.skipUntil.Load() {
		return academy.Errorf(academy.EUNAVAILABLE, "counters: 数据库刚才无法连接 / the database was unreachable moments ago")
	}
	ctx, cancel := context.WithTimeout(context.Background(), countersTimeout)
	defer cancel()
	err := FormatError(f(ctx))
	if academy.ErrorCode(err) == academy.EUNAVAILABLE {
		c.skipUntil.Store(time.Now().Add(countersBackoff).UnixNano())
	}
	return err
}

// Get returns the value of key, nil if there is none or it has expired.
func (c *Counters) Get(key string) ([]byte, error) {
	var d counterDoc
	err := c.do(func(ctx context.Context) error {
		return c.db.c("counters").FindOne(ctx, bson.M{"_id": key}).Decode(&d)
	})
	return c.live(d, err)
}

// Set stores val under key until exp from now; 0 keeps it.
func (c *Counters) Set(key string, val []byte, exp time.Duration) error {
	d := counterDoc{Key: key, Val: val}
	if exp > 0 {
		d.Expires = c.db.Now().Add(exp)
	}
	return c.do(func(ctx context.Context) error {
		_, err := c.db.c("counters").ReplaceOne(ctx, bson.M{"_id": key}, d, options.Replace().SetUpsert(true))
		return err
	})
}

// Take returns the value of key and removes it in one step, so that of
// two callers racing for a single-use value only one gets it; nil if there
// is none or it has expired.
func (c *Counters) Take(key string) ([]byte, error) {
	var d counterDoc
	err := c.do(func(ctx context.Context) error {
		return c.db.c("counters").FindOneAndDelete(ctx, bson.M{"_id": key}).Decode(&d)
	})
	return c.live(d, err)
}

// live is the value of a document just read, nil when there was none or
// it has expired.
func (c *Counters) live(d counterDoc, err error) ([]byte, error) {
	if academy.ErrorCode(err) == academy.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !d.Expires.IsZero() && !c.db.Now().Before(d.Expires) {
		return nil, nil
	}
	return d.Val, nil
}

// Delete removes key.
func (c *Counters) Delete(key string) error {
	return c.do(func(ctx context.Context) error {
		_, err := c.db.c("counters").DeleteOne(ctx, bson.M{"_id": key})
		return err
	})
}

// Reset removes every value.
func (c *Counters) Reset() error {
	return c.do(func(ctx context.Context) error {
		_, err := c.db.c("counters").DeleteMany(ctx, bson.M{})
		return err
	})
}

// Close does nothing: the database outlives the counters.
func (c *Counters) Close() error { return nil }

// DeleteExpired removes the values expired by now, for the periodic sweep.
func (c *Counters) DeleteExpired(ctx context.Context, now time.Time) (int, error) {
	res, err := c.db.c("counters").DeleteMany(ctx, bson.M{"expires_at": bson.M{"$lte": now}})
	if err != nil {
		return 0, FormatError(err)
	}
	return int(res.DeletedCount), nil
}
