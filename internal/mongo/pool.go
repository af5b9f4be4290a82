package mongo

import (
	"sync/atomic"

	"go.mongodb.org/mongo-driver/v2/event"
)

// poolStats counts connections from the driver's pool events, for metrics.
type poolStats struct {
	open  atomic.Int64
	inUse atomic.Int64
}

func (p *poolStats) monitor() *event.PoolMonitor {
	return &event.PoolMonitor{Event: func(e *event.PoolEvent) {
		switch e.Type {
		case event.ConnectionCreated:
			p.open.Add(1)
		case event.ConnectionClosed:
			p.open.Add(-1)
		case event.ConnectionCheckedOut:
			p.inUse.Add(1)
		case event.ConnectionCheckedIn:
			p.inUse.Add(-1)
		}
	}}
}

// PoolStats returns the number of open and checked-out connections.
func (db *DB) PoolStats() (open, inUse int64) { return db.pool.open.Load(), db.pool.inUse.Load() }
