package mongo_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/academy/academy/internal/mongo"
	"github.com/academy/academy/internal/mongo/mongotest"
)

// Instances starting at once on an empty database all come up: the
// migration lease lets one create the schema while the others wait.
func TestSimultaneousFirstStart(t *testing.T) {
	ctx := context.Background()
	name := mongotest.Name(t)
	const n = 4
	dbs := make([]*mongo.DB, n)
	errs := make([]error, n)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range n {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			dbs[i], errs[i] = mongo.Open(ctx, mongotest.URI(), name)
		}()
	}
	start.Done()
	done.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("instance %d: %v", i, err)
			continue
		}
		defer dbs[i].Close(ctx)
		if v, err := dbs[i].StoredSchemaVersion(ctx); err != nil || v != mongo.SchemaVersion {
			t.Errorf("instance %d: schema %d (%v), want %d", i, v, err, mongo.SchemaVersion)
		}
	}
}

// The writer lease: a second process is refused while the first renews
// it, takes it over once a crashed holder's lease expires, and a holder
// whose lease was taken learns it.
func TestWriterLease(t *testing.T) {
	ctx := context.Background()
	db1 := mongotest.Open(t)
	db2, err := mongo.Open(ctx, mongotest.URI(), db1.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close(ctx)
	const ttl = 600 * time.Millisecond
	first, err := db1.HoldWriterTTL(ctx, ttl)
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	_, err = db2.HoldWriterTTL(ctx, ttl)
	var held *mongo.LeaseHeldError
	if !errors.As(err, &held) || !strings.HasPrefix(held.Holder, "pid ") {
		t.Fatalf("second writer: %v, want the lease held by the first", err)
	}
	if waited := time.Since(began); waited > 2*ttl {
		t.Errorf("the refusal took %v; a live holder renews within %v", waited, ttl/3)
	}

	first.Abandon() // the first process dies without giving the lease up
	second, err := db2.HoldWriterTTL(ctx, ttl)
	if err != nil {
		t.Fatalf("after the holder died: %v", err)
	}
	if _, err := db1.HoldWriterTTL(ctx, ttl); !errors.As(err, &held) {
		t.Fatalf("the restarted first process: %v, want the lease held by the second", err)
	}

	// Someone else's lease in its place: the holder hears of it.
	if _, err := raw(t, db1).Collection("leases").UpdateOne(ctx, bson.M{"_id": "writer"}, bson.M{"$set": bson.M{"owner": "someone else"}}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-second.Lost():
	case <-time.After(2 * ttl):
		t.Fatal("the holder did not notice that its lease was taken")
	}
	if err := second.Release(ctx); err != nil {
		t.Fatal(err)
	}
}

// The embedded store is FerretDB, whose updates are not atomic; the
// server named by ACADEMY_TEST_MONGODB_URI says what it is.
func TestServerKind(t *testing.T) {
	db := mongotest.Open(t)
	s, err := db.Server(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("server: %v", s)
	if !mongotest.External() && (s.Product != "FerretDB" || s.Atomic() || s.Supported()) {
		t.Errorf("the embedded store is %v, atomic %v", s, s.Atomic())
	}
	if s.Product == "MongoDB" && !s.Atomic() || s.Version == "" {
		t.Errorf("server %v", s)
	}
}

// An older program refuses a database a newer one has migrated, naming
// both versions, and leaves it as it found it: running on would read
// documents in shapes it does not know.
func TestNewerSchemaIsRefused(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	if _, err := raw(t, db).Collection("meta").UpdateOne(ctx, bson.M{"_id": "schema"},
		bson.M{"$set": bson.M{"version": mongo.SchemaVersion + 1}}); err != nil {
		t.Fatal(err)
	}
	_, err := mongo.Open(ctx, mongotest.URI(), db.Name())
	want := fmt.Sprintf("database schema version %d is newer than this program's %d; upgrade the program", mongo.SchemaVersion+1, mongo.SchemaVersion)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("opening a newer schema: %v, want %q", err, want)
	}
	if v, err := db.StoredSchemaVersion(ctx); err != nil || v != mongo.SchemaVersion+1 {
		t.Fatalf("schema after the refusal: %d (%v), want %d", v, err, mongo.SchemaVersion+1)
	}
}
