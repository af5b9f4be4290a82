package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestUserImport runs the roster import from the command line: the dry
// run writes nothing, --apply creates and prints the set-password links,
// and a second --apply changes nothing.
func TestUserImport(t *testing.T) {
	onTestServer(t)
	data := t.TempDir()
	d := "--data=" + data
	if code, _, e := cli(t, "", "site", "add", d, "--id", "s1", "--name", "华苑一期"); code != 0 {
		t.Fatalf("site add: %d %s", code, e)
	}
	file := filepath.Join(t.TempDir(), "roster.csv")
	if err := os.WriteFile(file, []byte("\xEF\xBB\xBF工号,姓名,项目,入职日期\nA001,王芳,华苑一期,2026年3月1日\nA002,李强,s1,2026/3/2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, e := cli(t, "", "user", "import", file, d)
	if code != 0 || !strings.Contains(out, "create 2") || !strings.Contains(out, "dry run") {
		t.Fatalf("dry run: %d %q %q", code, out, e)
	}
	if _, out, _ := cli(t, "", "user", "list", d); strings.Contains(out, "a001") {
		t.Fatalf("the dry run wrote: %s", out)
	}
	code, out, e = cli(t, "", "user", "import", file, d, "--apply", "--url", "https://academy.example.com/")
	if code != 0 || !regexp.MustCompile(`set-password link for a001 \(王芳\).*: https://academy\.example\.com/set-password/\S{40,}`).MatchString(out) {
		t.Fatalf("apply: %d %q %q", code, out, e)
	}
	if code, out, _ = cli(t, "", "user", "import", file, d, "--apply"); code != 0 || !strings.Contains(out, "unchanged 2") || strings.Contains(out, "set-password") {
		t.Fatalf("again: %d %q", code, out)
	}
	if code, _, e = cli(t, "", "user", "import", d); code == 0 || !strings.Contains(e, "missing FILE") {
		t.Fatalf("no file: %d %q", code, e)
	}
}
