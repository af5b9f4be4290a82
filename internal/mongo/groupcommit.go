package mongo

import (
	"context"
	"errors"
	"slices"
	"sync"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// groupCommit gathers the writes that wait for a single writer's turn and
// sends those of one collection as one unordered bulk command (group
// commit). On exam day every taker's dozen writes queued for the turn one
// command at a time, and the embedded store spends much of a command on
// its own round (parsing, its catalogue, the reply): a bulk command of many
// statements passes about twice the writes a second through the same turn
// (measured: 64 writers updating by _id, 470–680 writes/s one command at a
// time, 1,260–1,290 in bulk).
type groupCommit struct {
	mu      sync.Mutex
	pending map[groupKey][]*queuedWrite
}

// groupKey keeps inserts apart from the other writes of a collection: an
// insert command answers for each statement, even when some fail, and an
// insert must never be sent twice (a second one would fail as a duplicate
// of itself); see send.
type groupKey struct {
	coll   string
	insert bool
}

type queuedWrite struct {
	model mongo.WriteModel
	done  chan error // one answer, buffered
}

// maxGroup bounds one bulk command of inserts.
const maxGroup = 256

// maxUpdates bounds the update, replace and delete statements of
// one command. FerretDB reads the document each update statement changes
// and keeps that read, and the connection to SQLite (or PostgreSQL) under
// it, open until the whole command ends, while the statement's write takes
// another connection. Its pools hold 100 (SQLite) and 50 (PostgreSQL)
// connections, so a command of that many updates of existing documents
// waits for a connection it holds itself, forever, and every later
// command with it: on exam day a group of 256 queued updates stopped the
// embedded store until a restart. Well below both pools, and leaving room
// for the reads that run meanwhile.
const maxUpdates = 32

func newGroupCommit() *groupCommit {
	return &groupCommit{pending: map[groupKey][]*queuedWrite{}}
}

// write sends one write whose caller needs only its error: a bulk command
// counts what its statements matched together, so a write whose caller
// reads its own count (a compare-and-swap by filter) goes alone. Only
// inserts and writes that can be repeated without changing the outcome
// ($set, $max, a replacement, a delete by _id) may come here: see send.
//
// With a single writer the write joins whatever else waits for its
// collection; whoever gets the turn sends all of it, and the others find
// their answers given.
func (c collection) write(ctx context.Context, model mongo.WriteModel) error {
	if c.group == nil {
		_, err := c.Collection.BulkWrite(ctx, []mongo.WriteModel{model})
		return statementErrors(err, 1)[0]
	}
	_, insert := model.(*mongo.InsertOneModel)
	key := groupKey{c.Name(), insert}
	w := &queuedWrite{model: model, done: make(chan error, 1)}
	c.group.add(key, w)
	select {
	case err := <-w.done:
		return err
	case c.turn <- struct{}{}:
		defer func() { <-c.turn }()
		// Send what waits until this write is sent; the last holder of
		// the turn may have sent it already.
		for {
			select {
			case err := <-w.done:
				return err
			default:
			}
			c.send(ctx, c.group.take(key), insert)
		}
	case <-ctx.Done():
		if c.group.drop(key, w) {
			return ctx.Err()
		}
		// Already on its way in another's command: its answer is the
		// truth about it.
		return <-w.done
	}
}

func (g *groupCommit) add(k groupKey, w *queuedWrite) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.pending[k] = append(g.pending[k], w)
}

// take removes and returns the writes waiting under k that one command may
// carry, oldest first.
func (g *groupCommit) take(k groupKey) []*queuedWrite {
	g.mu.Lock()
	defer g.mu.Unlock()
	ws := g.pending[k]
	limit := maxGroup
	if !k.insert {
		limit = maxUpdates
	}
	n := min(len(ws), limit)
	batch := slices.Clone(ws[:n])
	if n == len(ws) {
		delete(g.pending, k)
	} else {
		g.pending[k] = ws[n:]
	}
	return batch
}

// drop removes w if it still waits, and reports whether it did.
func (g *groupCommit) drop(k groupKey, w *queuedWrite) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	ws := g.pending[k]
	i := slices.Index(ws, w)
	if i < 0 {
		return false
	}
	g.pending[k] = slices.Delete(ws, i, i+1)
	return true
}

// send writes batch as one unordered bulk command and gives each write its
// own answer. It runs without the caller's cancellation: the other writes
// belong to other requests.
//
// FerretDB's update and delete commands ignore `ordered`: they stop at
// the first statement that fails, having written the ones before it, and
// report the failure as the first statement's (index 0). A batch of them
// that fails is therefore sent again one write at a time, which those
// writes allow (see write), so that each gets its own answer. An insert
// command names each failed statement truly, and a batch of inserts that
// fails whole gives every insert that error, as one insert failing alone
// would.
func (c collection) send(ctx context.Context, batch []*queuedWrite, inserts bool) {
	ctx = context.WithoutCancel(ctx)
	models := make([]mongo.WriteModel, len(batch))
	for i, w := range batch {
		models[i] = w.model
	}
	_, err := c.Collection.BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
	errs := statementErrors(err, len(batch))
	if err != nil && !inserts && len(batch) > 1 {
		for i, w := range batch {
			_, err := c.Collection.BulkWrite(ctx, []mongo.WriteModel{w.model})
			errs[i] = statementErrors(err, 1)[0]
		}
	}
	for i, w := range batch {
		w.done <- errs[i]
	}
}

// statementErrors splits a bulk command's error into one per statement:
// each statement's own write error, as the driver reports a single write's
// (so that mongo.IsDuplicateKeyError and FormatError read both alike), or
// the command's error for every statement when it failed as a whole.
func statementErrors(err error, n int) []error {
	errs := make([]error, n)
	if err == nil {
		return errs
	}
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) || bwe.WriteConcernError != nil || len(bwe.WriteErrors) == 0 {
		for i := range errs {
			errs[i] = err
		}
		return errs
	}
	for _, we := range bwe.WriteErrors {
		if we.Index >= 0 && we.Index < n {
			errs[we.Index] = mongo.WriteException{WriteErrors: []mongo.WriteError{we.WriteError}, Labels: bwe.Labels}
		}
	}
	return errs
}
