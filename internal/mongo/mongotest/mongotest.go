// Package mongotest gives tests a fresh database on a real server: the
// embedded FerretDB, started once per test binary, or the MongoDB named by
// ACADEMY_TEST_MONGODB_URI to run the same tests against production's kind
// of server.
package mongotest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"sync/atomic"
	"testing"
	"time"

	driver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/academy/academy/internal/ferret"
	"github.com/academy/academy/internal/mongo"
)

// uri is set by Main for the duration of the test binary; tests in one
// package share the server and each get their own database.
var (
	uri string
	srv *ferret.Server // nil when testing against ACADEMY_TEST_MONGODB_URI
	seq atomic.Int64
	// run tells this run's databases from those of earlier and parallel
	// runs (test binaries of several packages share a persistent server).
	run = runID()
)

func runID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Main starts the server, runs the tests and cleans up; call it from TestMain.
func Main(m *testing.M) int {
	uri = os.Getenv("ACADEMY_TEST_MONGODB_URI")
	if uri == "" {
		dir, err := os.MkdirTemp("", "academy-test-db-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		s, err := ferret.Start(dir, ferret.SyncNormal, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer s.Stop()
		srv, uri = s, s.URI()
	}
	return m.Run()
}

// URI returns the server's connection string.
func URI() string { return uri }

var unsafe = regexp.MustCompile(`[^A-Za-z0-9]+`)

// External reports whether the tests run against ACADEMY_TEST_MONGODB_URI
// rather than the embedded server.
func External() bool { return srv == nil }

// Name returns a database name of t's own, unique in this run and across
// runs, and on a server of ACADEMY_TEST_MONGODB_URI drops that database
// when t ends, so that the suite can run again on the same server.
func Name(t testing.TB) string {
	t.Helper()
	if uri == "" {
		t.Fatal("mongotest.Main was not called from TestMain")
	}
	name := unsafe.ReplaceAllString(t.Name(), "_")
	if len(name) > 40 {
		name = name[:40]
	}
	name = fmt.Sprintf("t%s_%d_%s", run, seq.Add(1), name)
	if External() {
		// Registered first, so it runs last: after Open's Close.
		t.Cleanup(func() { Drop(t, uri, name) })
	}
	return name
}

// Drop removes database name on the server at uri; a failure is the
// test's.
func Drop(t testing.TB, uri, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := driver.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		t.Errorf("drop test database %s: %v", name, err)
		return
	}
	defer c.Disconnect(ctx)
	if err := c.Database(name).Drop(ctx); err != nil {
		t.Errorf("drop test database %s: %v", name, err)
	}
}

// Open returns a database of its own for t, closed when t ends, opened
// with the options given and those the embedded server needs.
func Open(t testing.TB, with ...mongo.Option) *mongo.DB {
	t.Helper()
	name := Name(t)
	if srv != nil {
		with = append(with, mongo.SingleWriter()) // as the server runs it
	}
	db, err := mongo.Open(context.Background(), uri, name, with...)
	if err != nil {
		t.Fatal(err)
	}
	if srv != nil {
		if err := srv.IndexIDs(name); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { _ = db.Close(context.Background()) })
	return db
}
