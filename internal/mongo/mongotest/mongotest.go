// Package mongotest gives tests a fresh database on a real server: the
// embedded FerretDB, started once per test binary, or the MongoDB named by
// ACADEMY_TEST_MONGODB_URI to run the same tests against production's kind
// of server.
package mongotest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"sync/atomic"
	"testing"

	"github.com/academy/academy/internal/ferret"
	"github.com/academy/academy/internal/mongo"
)

// uri is set by Main for the duration of the test binary; tests in one
// package share the server and each get their own database.
var (
	uri string
	srv *ferret.Server // nil when testing against ACADEMY_TEST_MONGODB_URI
	seq atomic.Int64
)

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

// Open returns a database of its own for t, closed when t ends.
func Open(t testing.TB) *mongo.DB {
	t.Helper()
	if uri == "" {
		t.Fatal("mongotest.Main was not called from TestMain")
	}
	name := unsafe.ReplaceAllString(t.Name(), "_")
	if len(name) > 40 {
		name = name[:40]
	}
	name = fmt.Sprintf("t%d_%s", seq.Add(1), name)
	var with []mongo.Option
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
