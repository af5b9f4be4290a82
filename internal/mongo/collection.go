package mongo

import (
	"context"
	"errors"
	"maps"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/academy/academy/internal/academy"
)

// collection is a driver collection whose writes take the database's write
// turn when it has one (see Open's SingleWriter). Reads pass straight through.
type collection struct {
	*mongo.Collection
	turn chan struct{}
	// group, with turn, lets writes that wait for the turn go together
	// (see write).
	group *groupCommit
}

func (db *DB) c(name string) collection {
	return collection{Collection: db.db.Collection(name), turn: db.writeTurn, group: db.group}
}

// inTurn runs write once the turn is free and gives the turn back after.
// Waiting honours ctx, so a queued write fails with the request's deadline
// instead of outliving it.
func inTurn[T any](ctx context.Context, c collection, write func() (T, error)) (T, error) {
	if c.turn == nil {
		return write()
	}
	select {
	case c.turn <- struct{}{}:
		defer func() { <-c.turn }()
		return write()
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

func (c collection) InsertOne(ctx context.Context, doc any, opts ...options.Lister[options.InsertOneOptions]) (*mongo.InsertOneResult, error) {
	return inTurn(ctx, c, func() (*mongo.InsertOneResult, error) { return c.Collection.InsertOne(ctx, doc, opts...) })
}

func (c collection) InsertMany(ctx context.Context, docs any, opts ...options.Lister[options.InsertManyOptions]) (*mongo.InsertManyResult, error) {
	return inTurn(ctx, c, func() (*mongo.InsertManyResult, error) { return c.Collection.InsertMany(ctx, docs, opts...) })
}

func (c collection) ReplaceOne(ctx context.Context, filter, doc any, opts ...options.Lister[options.ReplaceOptions]) (*mongo.UpdateResult, error) {
	return inTurn(ctx, c, func() (*mongo.UpdateResult, error) { return c.Collection.ReplaceOne(ctx, filter, doc, opts...) })
}

func (c collection) UpdateOne(ctx context.Context, filter, update any, opts ...options.Lister[options.UpdateOneOptions]) (*mongo.UpdateResult, error) {
	return inTurn(ctx, c, func() (*mongo.UpdateResult, error) { return c.Collection.UpdateOne(ctx, filter, update, opts...) })
}

func (c collection) DeleteOne(ctx context.Context, filter any, opts ...options.Lister[options.DeleteOneOptions]) (*mongo.DeleteResult, error) {
	return inTurn(ctx, c, func() (*mongo.DeleteResult, error) { return c.Collection.DeleteOne(ctx, filter, opts...) })
}

func (c collection) DeleteMany(ctx context.Context, filter any, opts ...options.Lister[options.DeleteManyOptions]) (*mongo.DeleteResult, error) {
	return inTurn(ctx, c, func() (*mongo.DeleteResult, error) { return c.Collection.DeleteMany(ctx, filter, opts...) })
}

// FindOneAndUpdate reports a failed turn through the result, as the driver
// reports its own errors.
func (c collection) FindOneAndUpdate(ctx context.Context, filter, update any, opts ...options.Lister[options.FindOneAndUpdateOptions]) *mongo.SingleResult {
	res, err := inTurn(ctx, c, func() (*mongo.SingleResult, error) {
		return c.Collection.FindOneAndUpdate(ctx, filter, update, opts...), nil
	})
	if err != nil {
		return mongo.NewSingleResultFromDocument(bson.D{}, err, nil)
	}
	return res
}

func (c collection) BulkWrite(ctx context.Context, models []mongo.WriteModel, opts ...options.Lister[options.BulkWriteOptions]) (*mongo.BulkWriteResult, error) {
	return inTurn(ctx, c, func() (*mongo.BulkWriteResult, error) { return c.Collection.BulkWrite(ctx, models, opts...) })
}

// FindOneAndReplace reports a failed turn through the result, as
// FindOneAndUpdate does.
func (c collection) FindOneAndReplace(ctx context.Context, filter, doc any, opts ...options.Lister[options.FindOneAndReplaceOptions]) *mongo.SingleResult {
	res, err := inTurn(ctx, c, func() (*mongo.SingleResult, error) {
		return c.Collection.FindOneAndReplace(ctx, filter, doc, opts...), nil
	})
	if err != nil {
		return mongo.NewSingleResultFromDocument(bson.D{}, err, nil)
	}
	return res
}

// replaceVersion replaces document id with doc, version v, if the stored
// one is at version v-1: the compare-and-swap of every versioned document.
//
// On MongoDB the filter on both fields does it atomically. The embedded
// store pushes a filter down to SQLite only when it is _id alone and
// scans the whole collection for anything more (a second per write at a
// few thousand runs), and it compares in Go, so two replaces at once could
// both match. There the version is read by _id and the document replaced
// by _id while holding the write turn, which no other write can take in
// between.
func replaceVersion(ctx context.Context, c collection, id string, v int, doc any) error {
	conflict := academy.Errorf(academy.ECONFLICT, "%s %s 已被他人修改（不再是第 %d 版） / %s %s is not at version %d", c.Name(), id, v-1, c.Name(), id, v-1)
	if c.turn == nil {
		res, err := c.Collection.ReplaceOne(ctx, bson.M{"_id": id, "version": v - 1}, doc)
		if err != nil {
			return FormatError(err)
		}
		if res.MatchedCount == 0 {
			return conflict
		}
		return nil
	}
	_, err := inTurn(ctx, c, func() (struct{}, error) {
		var cur struct {
			Version int `bson:"version"`
		}
		err := c.Collection.FindOne(ctx, bson.M{"_id": id}, options.FindOne().SetProjection(bson.M{"version": 1})).Decode(&cur)
		if err != nil {
			return struct{}{}, FormatError(err)
		}
		if cur.Version != v-1 {
			return struct{}{}, conflict
		}
		_, err = c.Collection.ReplaceOne(ctx, bson.M{"_id": id}, doc)
		return struct{}{}, err
	})
	return FormatError(err)
}

// writeIf makes write to document id if the document is in the state
// filter names, which holds says in Go, and reports whether it was; write
// gets the filter to use and must not take the write turn itself. On
// MongoDB the filter does it atomically: of two writers racing, one
// matches. The embedded store scans the whole collection for a filter
// beyond _id (seconds on a large one) and compares in Go, so there the
// document is read by _id, checked and written by _id while holding the
// write turn, which no other write can take in between (as replaceVersion
// does). A missing document is not in the state.
func writeIf[T any](ctx context.Context, c collection, id string, filter bson.M, holds func(*T) bool, write func(filter bson.M) (*mongo.UpdateResult, error)) (bool, error) {
	if c.turn == nil {
		f := bson.M{"_id": id}
		maps.Copy(f, filter)
		res, err := write(f)
		if err != nil {
			return false, FormatError(err)
		}
		return res.MatchedCount > 0, nil
	}
	return inTurn(ctx, c, func() (bool, error) {
		var cur T
		err := c.Collection.FindOne(ctx, bson.M{"_id": id}).Decode(&cur)
		if errors.Is(err, mongo.ErrNoDocuments) {
			return false, nil
		}
		if err != nil || !holds(&cur) {
			return false, FormatError(err)
		}
		_, err = write(bson.M{"_id": id})
		return err == nil, FormatError(err)
	})
}

// updateIf is writeIf setting fields.
func updateIf[T any](ctx context.Context, c collection, id string, filter bson.M, holds func(*T) bool, set bson.M) (bool, error) {
	return writeIf(ctx, c, id, filter, holds, func(f bson.M) (*mongo.UpdateResult, error) {
		return c.Collection.UpdateOne(ctx, f, bson.M{"$set": set})
	})
}

// manyIDs is how many ids make reading a whole collection cheaper, on the
// embedded store, than asking it for those ids.
const manyIDs = 1000

// findIDs reads the documents of c whose _id is one of ids; key gives a
// document's _id. The embedded store does not push `_id $in` down: it
// compares every stored document with every id, which for the team
// evidence (5,012 accounts against 5,012 names) took 726 ms where reading
// them all took 395 ms, and the same on every collection it reads. There,
// for many ids, the whole collection is read and the wanted kept here.
// MongoDB answers `$in` from the _id index.
func findIDs[T any](ctx context.Context, c collection, ids []string, key func(T) string) ([]T, error) {
	all := c.turn != nil && len(ids) >= manyIDs
	filter := bson.M{"_id": bson.M{"$in": ids}}
	if all {
		filter = bson.M{}
	}
	cur, err := c.Find(ctx, filter)
	if err != nil {
		return nil, FormatError(err)
	}
	var out []T
	if err := cur.All(ctx, &out); err != nil {
		return nil, FormatError(err)
	}
	if all {
		want := make(map[string]bool, len(ids))
		for _, id := range ids {
			want[id] = true
		}
		out = slices.DeleteFunc(out, func(v T) bool { return !want[key(v)] })
	}
	return out, nil
}
