package mongo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"slices"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"

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
	seen memo[*T]
}

type frozenDoc[T any] struct {
	ID    string `bson:"_id"`
	Value T      `bson:"value"`
}

// put stores v unless its content is stored already, and returns its digest.
// The digest is of the BSON that is stored, so it covers every stored field
// (JSON would skip fields hidden from the API, such as phone numbers), with
// each document's fields taken in key order: BSON writes a map's keys in
// no fixed order, and a matching question's six pairs gave 720 digests of
// one content, so nearly every attempt stored (and the cache held) copies.
func (f *frozen[T]) put(ctx context.Context, v T) (string, error) {
	digest, err := f.digest(v)
	if err != nil {
		return "", err
	}
	if _, known := f.seen.get(digest); known {
		return digest, nil
	}
	// A duplicate means another process stored the same content.
	_, err = f.db.c(f.coll).InsertOne(ctx, frozenDoc[T]{ID: digest, Value: v})
	if err != nil && academy.ErrorCode(FormatError(err)) != academy.ECONFLICT {
		return "", FormatError(err)
	}
	f.seen.set(digest, &v)
	return digest, nil
}

// digest is the key v is stored under.
func (f *frozen[T]) digest(v T) (string, error) {
	b, err := bson.Marshal(v)
	if err != nil {
		return "", academy.Errorf(academy.EINTERNAL, "digest of %s: %v", f.coll, err)
	}
	s := &sortedHash{h: sha256.New(), buf: make([]byte, 0, 64)}
	if err := s.document(b, true); err != nil {
		return "", academy.Errorf(academy.EINTERNAL, "digest of %s: %v", f.coll, err)
	}
	return hex.EncodeToString(s.h.Sum(nil)), nil
}

// sortedHash writes a BSON document to h with the fields of every
// embedded document in key order; arrays keep theirs. Each field is its
// type, key and value (length-prefixed where nested), so no two documents
// write the same bytes. It walks the encoded bytes, sorting only the
// documents whose keys are out of order (maps'), so that the digest of a
// directory (every sandbox write takes two) costs little more than the
// SHA-256 of its bytes.
type sortedHash struct {
	h   hash.Hash
	buf []byte
}

func (s *sortedHash) document(doc bsoncore.Document, sort bool) error {
	elems, err := doc.Elements()
	if err != nil {
		return err
	}
	byKey := func(a, b bsoncore.Element) int { return bytes.Compare(a.KeyBytes(), b.KeyBytes()) }
	if sort && !slices.IsSortedFunc(elems, byKey) {
		slices.SortFunc(elems, byKey)
	}
	s.buf = binary.LittleEndian.AppendUint64(s.buf[:0], uint64(len(elems)))
	s.h.Write(s.buf)
	for _, e := range elems {
		v := e.Value()
		s.buf = append(append(append(s.buf[:0], byte(v.Type)), e.KeyBytes()...), 0)
		s.h.Write(s.buf)
		switch v.Type {
		case bsoncore.TypeEmbeddedDocument:
			if err := s.document(v.Document(), true); err != nil {
				return err
			}
		case bsoncore.TypeArray:
			if err := s.document(bsoncore.Document(v.Array()), false); err != nil {
				return err
			}
		default:
			s.h.Write(v.Data)
		}
	}
	return nil
}

// get returns the content stored under digest. Callers must not modify it:
// it is shared by every reader in the process.
func (f *frozen[T]) get(ctx context.Context, digest string) (*T, error) {
	if v, _ := f.seen.get(digest); v != nil {
		return v, nil
	}
	var d frozenDoc[T]
	if err := f.db.c(f.coll).FindOne(ctx, bson.M{"_id": digest}).Decode(&d); err != nil {
		if academy.ErrorCode(FormatError(err)) == academy.ENOTFOUND {
			return nil, academy.Errorf(academy.EINTERNAL, "%s: content %s is missing", f.coll, digest)
		}
		return nil, FormatError(err)
	}
	f.seen.set(digest, &d.Value)
	return &d.Value, nil
}

// frozenCached bounds the values of one kind a process keeps in memory;
// content authored (questions, scenario directories) stays well below it.
const frozenCached = 2048

// memo keeps values that never change under their key, up to
// frozenCached of them: past that an arbitrary one makes room.
type memo[V any] struct {
	mu sync.RWMutex
	m  map[string]V
}

func (m *memo[V]) get(key string) (V, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	v, ok := m.m[key]
	return v, ok
}

func (m *memo[V]) set(key string, v V) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = map[string]V{}
	}
	if len(m.m) >= frozenCached {
		for k := range m.m { // an arbitrary one: map order is random
			delete(m.m, k)
			break
		}
	}
	m.m[key] = v
}
