package ferret

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSecondServerOnSameDataDirFails(t *testing.T) {
	dir := t.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := Start(dir, log)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.URI(), "mongodb://127.0.0.1:") {
		t.Fatalf("uri %q", s.URI())
	}
	_, err = Start(dir, log)
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
	s2, err := Start(dir, log)
	if err != nil {
		t.Fatalf("restart after stop: %v", err)
	}
	_ = s2.Stop()
}

func TestQuietLogging(t *testing.T) {
	var buf strings.Builder
	log := slog.New(quiet{slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})})
	log.Info("listening")
	log.Warn("Response message:\n{...}")
	log.Warn("disk almost full")
	log.Error("backend failed")
	out := buf.String()
	if strings.Contains(out, "listening") || strings.Contains(out, "Response message") {
		t.Fatalf("noise passed: %s", out)
	}
	if !strings.Contains(out, "disk almost full") || !strings.Contains(out, "backend failed") {
		t.Fatalf("warnings or errors dropped: %s", out)
	}
}
