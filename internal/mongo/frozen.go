package mongo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/academy/academy/internal/academy"
)

// frozen stores values that never change once written (the questions an
// attempt was started with, the directory a sandbox was made from) once per
// distinct content, keyed by a digest of it. Documents that would otherwise
// carry a copy hold the digest: the embedded store decodes a whole
// document on every read, its schema included, and a 42 KB attempt or an
// 80 KB sandbox read on every click was what made those paths CPU-bound
// under load. Content under a digest cannot change, so each process keeps
// what it has seen in memory with no invalidation, up to frozenCached
// values per kind (practice sandboxes each have a directory of their own).
type frozen[T any] struct {
	db   *DB
	coll string
	mu   sync.RWMutex
	m    map[string]*T
}

type frozenDoc[T any] struct {
	ID    string `bson:"_id"`
	Value T      `bson:"value"`
}

// put stores v unless its content is stored already, and returns its digest.
// The digest is of the BSON that is stored, so it covers every stored field
// (JSON would skip fields hidden from the API, such as phone numbers). BSON
// writes a map's keys in no fixed order: a value with a map may get more
// than one digest, and so more than one copy, but never another's content.
func (f *frozen[T]) put(ctx context.Context, v T) (string, error) {
	b, err := bson.Marshal(v)
	if err != nil {
		return "", academy.Errorf(academy.EINTERNAL, "digest of %s: %v", f.coll, err)
	}
	sum := sha256.Sum256(b)
	digest := hex.EncodeToString(sum[:])
	f.mu.RLock()
	_, known := f.m[digest]
	f.mu.RUnlock()
	if known {
		return digest, nil
	}
	// A duplicate means another process stored the same content.
	_, err = f.db.c(f.coll).InsertOne(ctx, frozenDoc[T]{ID: digest, Value: v})
	if err != nil && academy.ErrorCode(FormatError(err)) != academy.ECONFLICT {
		return "", FormatError(err)
	}
	f.remember(digest, &v)
	return digest, nil
}

// get returns the content stored under digest. Callers must not modify it:
// it is shared by every reader in the process.
func (f *frozen[T]) get(ctx context.Context, digest string) (*T, error) {
	f.mu.RLock()
	v := f.m[digest]
	f.mu.RUnlock()
	if v != nil {
		return v, nil
	}
	var d frozenDoc[T]
	if err := f.db.c(f.coll).FindOne(ctx, bson.M{"_id": digest}).Decode(&d); err != nil {
		if academy.ErrorCode(FormatError(err)) == academy.ENOTFOUND {
			return nil, academy.Errorf(academy.EINTERNAL, "%s: content %s is missing", f.coll, digest)
		}
		return nil, FormatError(err)
	}
	f.remember(digest, &d.Value)
	return &d.Value, nil
}

// frozenCached bounds the values of one kind a process keeps in memory;
// content authored (questions, scenario directories) stays well below it.
const frozenCached = 2048

func (f *frozen[T]) remember(digest string, v *T) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.m == nil {
		f.m = map[string]*T{}
	}
	if len(f.m) >= frozenCached {
		for k := range f.m { // an arbitrary one: map order is random
			delete(f.m, k)
			break
		}
	}
	f.m[digest] = v
}
