// Package ferret runs an embedded FerretDB (SQLite backend) in-process, so
// that a fresh checkout has a MongoDB-compatible database with no setup.
package ferret

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	_ "modernc.org/sqlite" // the driver FerretDB uses; IndexIDs opens the same files
)

// Server is a running embedded FerretDB.
type Server struct {
	dir    string // the SQLite files
	uri    string
	cancel context.CancelFunc
	done   chan struct{}
	lock   *os.File
}

// LockFile is the name of the lock file inside the data directory.
const LockFile = "academy.lock"

// Sync is when SQLite forces committed writes to the disk.
type Sync string

const (
	// SyncNormal forces the write-ahead log to disk at each checkpoint, not
	// at each commit. A killed or crashed process loses nothing that was
	// acknowledged (the log is in the OS's hands); a power cut or kernel
	// crash can lose the writes since the last checkpoint, never the
	// file's integrity. Like a standalone mongod, which journals every
	// 100 ms, it trades that window for write speed: under the exam load
	// it doubled the writes per second.
	SyncNormal Sync = "normal"
	// SyncFull forces every commit to disk before it is acknowledged.
	SyncFull Sync = "full"
)

// ParseSync reads a --db-sync value.
func ParseSync(s string) (Sync, error) {
	switch Sync(s) {
	case SyncNormal, SyncFull:
		return Sync(s), nil
	}
	return "", fmt.Errorf("%q is not a sync mode (normal or full)", s)
}

// Start locks dataDir, then serves FerretDB on a random loopback port with
// its SQLite files under dataDir/db. A second process on the same dataDir
// fails at once: SQLite files shared by two FerretDB processes would be
// corrupted by their caches, so the lock is not optional.
func Start(dataDir string, sync Sync, logger *slog.Logger) (*Server, error) {
	if _, err := ParseSync(string(sync)); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dataDir, "db"), 0o700); err != nil {
		return nil, fmt.Errorf("data directory %s: %w", dataDir, err)
	}
	lock, err := acquire(filepath.Join(dataDir, LockFile))
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(filepath.Join(dataDir, "db"))
	if err != nil {
		release(lock)
		return nil, err
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  listener(abs),
		Logger:    slog.New(quiet{base: logger.Handler()}).With("component", "ferretdb"),
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/?_pragma=synchronous(" + string(sync) + ")",
	})
	if err != nil {
		release(lock)
		return nil, fmt.Errorf("start embedded database: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{uri: f.MongoDBURI(), cancel: cancel, done: make(chan struct{}), lock: lock, dir: abs}
	go func() {
		defer close(s.done)
		_ = f.Run(ctx)
	}()
	return s, nil
}

// URI is the MongoDB connection string of the embedded server.
func (s *Server) URI() string { return s.uri }

// maxSocketPath is the longest path a Unix socket address takes on Linux
// (sun_path less its terminating zero).
const maxSocketPath = 107

// listener is where the embedded server listens: a Unix socket in its data
// directory, or a loopback port when the directory's path is too long for
// a socket address. Every command of the app crosses this connection
// twice; a Unix socket skips the TCP stack, which on exam day was a
// tenth of the server's CPU in socket calls.
func listener(dir string) ferretdb.ListenerConfig {
	sock := filepath.Join(dir, "ferretdb.sock")
	if len(sock) > maxSocketPath {
		return ferretdb.ListenerConfig{TCP: "127.0.0.1:0"}
	}
	// A socket file left by a process that was killed would refuse the
	// listen; the data directory's lock says no one else uses it.
	_ = os.Remove(sock)
	return ferretdb.ListenerConfig{Unix: sock}
}

// Stop shuts the server down, waits for it (bounded) and releases the lock.
func (s *Server) Stop() error {
	s.cancel()
	defer release(s.lock)
	select {
	case <-s.done:
		return nil
	case <-time.After(10 * time.Second):
		return errors.New("embedded database did not stop within 10s")
	}
}

func acquire(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock file %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := os.ReadFile(path)
		f.Close()
		h := strings.TrimSpace(string(holder))
		if h == "" {
			h = "another process"
		}
		return nil, fmt.Errorf("data directory %s is in use by %s; stop it or use another --data", filepath.Dir(path), h)
	}
	host, _ := os.Hostname()
	_ = f.Truncate(0)
	_, _ = f.WriteAt(fmt.Appendf(nil, "pid %d on %s since %s\n", os.Getpid(), host, time.Now().Format(time.RFC3339)), 0)
	return f, nil
}

// release drops the lock; the kernel would drop it at exit too, which is what
// makes a crashed process harmless.
func release(f *os.File) {
	_ = f.Truncate(0)
	_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	_ = f.Close()
}

// quiet passes FerretDB's warnings and errors to the app's log, minus the
// wire-message dumps it writes at warn level whenever a command is not
// supported: the driver's endSessions at every disconnect is one, harmless.
//
// FerretDB adds attributes to its logger for every connection and command,
// and a JSON or text handler formats them as they are added: 2–3 % of the
// server's CPU on exam day, for records that are almost never written.
// quiet keeps them as steps and takes them only for a record it passes on.
type quiet struct {
	base  slog.Handler
	steps []func(slog.Handler) slog.Handler // WithAttrs and WithGroup, in order
}

func (q quiet) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && q.base.Enabled(ctx, l)
}

func (q quiet) Handle(ctx context.Context, r slog.Record) error {
	for _, dump := range []string{"Request header:", "Request message:", "Response header:", "Response message:"} {
		if strings.HasPrefix(r.Message, dump) {
			return nil
		}
	}
	h := q.base
	for _, step := range q.steps {
		h = step(h)
	}
	return h.Handle(ctx, r)
}

func (q quiet) with(step func(slog.Handler) slog.Handler) quiet {
	return quiet{q.base, append(slices.Clip(q.steps), step)}
}

func (q quiet) WithAttrs(attrs []slog.Attr) slog.Handler {
	return q.with(func(h slog.Handler) slog.Handler { return h.WithAttrs(attrs) })
}

func (q quiet) WithGroup(name string) slog.Handler {
	return q.with(func(h slog.Handler) slog.Handler { return h.WithGroup(name) })
}

// IndexIDs makes _id lookups in database dbName use an index.
//
// FerretDB v1.24 indexes _id as `_ferretdb_sjson->"_id"` but looks it up
// with `_ferretdb_sjson->'$._id'`; SQLite matches index expressions
// literally, so every _id read scanned the whole table (measured: 260 ms
// for one ticket among 20,000). An index on the expression the queries use
// fixes that without changing any result. Run it after the collections
// exist; it is idempotent.
func (s *Server) IndexIDs(dbName string) error {
	file := filepath.Join(s.dir, dbName+".sqlite")
	if _, err := os.Stat(file); err != nil {
		return fmt.Errorf("index _id: %w", err)
	}
	db, err := sql.Open("sqlite", "file:"+file+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("index _id: %w", err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT table_name FROM _ferretdb_collections`)
	if err != nil {
		return fmt.Errorf("index _id: %w", err)
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, t)
	}
	rows.Close()
	for _, t := range tables {
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (_ferretdb_sjson->'$._id')`, t+"_id_lookup", t)
		if _, err := db.Exec(q); err != nil {
			return fmt.Errorf("index _id of %s: %w", t, err)
		}
	}
	return nil
}
