package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// calendar check accepts the shipped file and names each problem of a bad
// one with its field, exiting non-zero.
func TestCalendarCheck(t *testing.T) {
	dir := t.TempDir()
	code, def, _ := cli(t, "", "calendar", "default")
	good := filepath.Join(dir, "good.yaml")
	if code != 0 || os.WriteFile(good, []byte(def), 0o600) != nil {
		t.Fatalf("default: %d", code)
	}
	if code, out, e := cli(t, "", "calendar", "check", good); code != 0 || !strings.Contains(out, "the last 2026") {
		t.Fatalf("check good: %d %s %s", code, out, e)
	}
	bad := filepath.Join(dir, "bad.yaml")
	src := strings.Replace(def, "{date: 2026-10-10,", "{date: 2026-10-07,", 1)
	if err := os.WriteFile(bad, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, e := cli(t, "", "calendar", "check", bad); code != 1 || !strings.Contains(out, "years[0].workdays[5].date") || !strings.Contains(out, "both a holiday") || !strings.Contains(e, "1 problem") {
		t.Fatalf("check bad: %d %s %s", code, out, e)
	}
	if code, _, e := cli(t, "", "calendar", "check"); code != 1 || !strings.Contains(e, "one file") {
		t.Fatalf("no file: %d %s", code, e)
	}
	if code, _, e := cli(t, "", "calendar", "frob"); code != 1 || !strings.Contains(e, "unknown command") {
		t.Fatalf("unknown: %d %s", code, e)
	}
}
