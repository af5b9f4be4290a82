package ferret

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

func TestSecondServerOnSameDataDirFails(t *testing.T) {
	dir := t.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := Start(dir, SyncNormal, log)
	if err != nil {
		t.Fatal(err)
	}
	if want := "mongodb://" + strings.ReplaceAll(filepath.Join(dir, "db", "ferretdb.sock"), "/", "%2F") + "/"; s.URI() != want {
		t.Fatalf("uri %q, want the socket in the data directory, %q", s.URI(), want)
	}
	_, err = Start(dir, SyncNormal, log)
	if err == nil {
		t.Fatal("second server on the same data dir started")
	}
	if !strings.Contains(err.Error(), "in use by pid") {
		t.Fatalf("error does not name the holder: %v", err)
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, LockFile)); len(b) != 0 {
		t.Fatalf("lock file still names a holder after stop: %q", b)
	}
	s2, err := Start(dir, SyncNormal, log)
	if err != nil {
		t.Fatalf("restart after stop: %v", err)
	}
	_ = s2.Stop()
}

// TestSocketOrPort: the embedded server listens on a Unix socket in its
// data directory; a socket left by a killed process does not stop the
// next start, and a directory whose path is too long for a socket address
// gets a loopback port instead. Each way, the driver can use the server.
func TestSocketOrPort(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	use := func(t *testing.T, s *Server) {
		t.Helper()
		ctx := context.Background()
		client, err := mongo.Connect(options.Client().ApplyURI(s.URI()))
		if err != nil {
			t.Fatal(err)
		}
		defer client.Disconnect(ctx)
		c := client.Database("probe").Collection("c")
		if _, err := c.InsertOne(ctx, bson.M{"_id": "x", "n": 0}); err != nil {
			t.Fatalf("insert through %s: %v", s.URI(), err)
		}
		var got struct{ N *int }
		if err := c.FindOne(ctx, bson.M{"_id": "x"}).Decode(&got); err != nil || got.N == nil || *got.N != 0 {
			t.Fatalf("read back through %s: %+v %v", s.URI(), got, err)
		}
	}
	t.Run("stale socket", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.MkdirAll(filepath.Join(dir, "db"), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "db", "ferretdb.sock"), nil, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := Start(dir, SyncNormal, log)
		if err != nil {
			t.Fatalf("start over a stale socket file: %v", err)
		}
		defer s.Stop()
		if !strings.Contains(s.URI(), "ferretdb.sock") {
			t.Fatalf("uri %q is not the socket", s.URI())
		}
		use(t, s)
	})
	t.Run("long path", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), strings.Repeat("d", maxSocketPath))
		s, err := Start(dir, SyncNormal, log)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Stop()
		if !strings.HasPrefix(s.URI(), "mongodb://127.0.0.1:") {
			t.Fatalf("uri %q, want a loopback port for a path of %d bytes", s.URI(), len(dir))
		}
		use(t, s)
	})
}

func TestQuietLogging(t *testing.T) {
	var buf strings.Builder
	log := slog.New(quiet{base: slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})})
	log.Info("listening")
	log.Warn("Response message:\n{...}")
	log.Warn("disk almost full")
	log.Error("backend failed")
	// Attributes and groups added on the way, as FerretDB adds them per
	// connection, reach the records that are written, in their order.
	conn := log.With("component", "ferretdb").WithGroup("conn").With("peer", "127.0.0.1:5")
	conn.Debug("command")
	conn.Warn("slow", "ms", 900)
	log.Warn("unscoped")
	out := buf.String()
	if strings.Contains(out, "listening") || strings.Contains(out, "Response message") || strings.Contains(out, "command") {
		t.Fatalf("noise passed: %s", out)
	}
	if !strings.Contains(out, "disk almost full") || !strings.Contains(out, "backend failed") {
		t.Fatalf("warnings or errors dropped: %s", out)
	}
	if !strings.Contains(out, "msg=slow component=ferretdb conn.peer=127.0.0.1:5 conn.ms=900") {
		t.Fatalf("attributes lost or out of place: %s", out)
	}
	if strings.Contains(out[strings.Index(out, "msg=unscoped"):], "component=") {
		t.Fatalf("another logger's attributes leaked: %s", out)
	}
}

func TestIndexIDs(t *testing.T) {
	dir := t.TempDir()
	s, err := Start(dir, SyncFull, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	c, err := mongo.Connect(options.Client().ApplyURI(s.URI()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Disconnect(context.Background())
	if _, err := c.Database("x").Collection("things").InsertOne(context.Background(), bson.M{"_id": "a"}); err != nil {
		t.Fatal(err)
	}
	if err := s.IndexIDs("nope"); err == nil {
		t.Fatal("a database that does not exist was indexed")
	}
	for i := 0; i < 2; i++ { // idempotent
		if err := s.IndexIDs("x"); err != nil {
			t.Fatal(err)
		}
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "db", "x.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// The lookup FerretDB issues must use an index, not scan the table.
	var table string
	if err := db.QueryRow(`SELECT table_name FROM _ferretdb_collections WHERE name = 'things'`).Scan(&table); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(`EXPLAIN QUERY PLAN SELECT _ferretdb_sjson FROM "`+table+`" WHERE _ferretdb_sjson->'$._id' = ?`, `"a"`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan strings.Builder
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		plan.WriteString(detail)
	}
	if !strings.Contains(plan.String(), "USING INDEX") {
		t.Fatalf("the _id lookup does not use an index: %s", plan.String())
	}
}
