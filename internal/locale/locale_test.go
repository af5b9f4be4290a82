package locale

import (
	"io/fs"
	"testing"
	"testing/fstest"
	"time"

	"github.com/academy/academy/web"
)

func TestCatalog(t *testing.T) {
	c, err := Load(fstest.MapFS{
		"zh.json": {Data: []byte(`{"hi":"你好,{0}","only.zh":"仅中文"}`)},
		"en.json": {Data: []byte(`{"hi":"Hello, {0}"}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.T("en", "hi", "Li"); got != "Hello, Li" {
		t.Fatal(got)
	}
	if got := c.T("en", "only.zh"); got != "仅中文" {
		t.Fatalf("fallback to default: %q", got)
	}
	if got := c.T("fr", "missing.key"); got != "missing.key" {
		t.Fatalf("missing key: %q", got)
	}
	for header, want := range map[string]string{
		"":                           "zh",
		"en-US,en;q=0.9":             "en",
		"fr-FR,en;q=0.5,zh-CN;q=0.8": "zh",
		"de":                         "zh",
		"en;q=bogus":                 "en",
	} {
		if got := c.Negotiate(header); got != want {
			t.Errorf("Negotiate(%q) = %q, want %q", header, got, want)
		}
	}
	if _, err := Load(fstest.MapFS{"en.json": {Data: []byte(`{}`)}}); err == nil {
		t.Fatal("catalog without the default language loaded")
	}
	if _, err := Load(fstest.MapFS{"zh.json": {Data: []byte(`{`)}}); err == nil {
		t.Fatal("broken JSON loaded")
	}
}

// TestDuration: durations read as people say them, in either language,
// never in Go's "2h0m" form.
func TestDuration(t *testing.T) {
	c, err := Load(mustSub(t, web.FS, "locales"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		d      time.Duration
		zh, en string
	}{
		{0, "0 分钟", "0 minutes"},
		{-time.Hour, "0 分钟", "0 minutes"},
		{time.Second, "1 秒", "1 second"},
		{59 * time.Second, "59 秒", "59 seconds"},
		{time.Minute, "1 分钟", "1 minute"},
		{30 * time.Minute, "30 分钟", "30 minutes"},
		{90 * time.Minute, "1 小时 30 分钟", "1 hour 30 minutes"},
		{2 * time.Hour, "2 小时", "2 hours"},
		{24 * time.Hour, "1 天", "1 day"},
		{49 * time.Hour, "2 天 1 小时", "2 days 1 hour"},
	} {
		if got := c.Duration("zh", tt.d); got != tt.zh {
			t.Errorf("zh %v = %q, want %q", tt.d, got, tt.zh)
		}
		if got := c.Duration("en", tt.d); got != tt.en {
			t.Errorf("en %v = %q, want %q", tt.d, got, tt.en)
		}
	}
	if got := c.N("en", "dur.day", 1); got != "1 day" {
		t.Errorf("N one = %q", got)
	}
	if w := c.DurationWords("en"); w["minute.one"] != "{0} minute" || w["minute"] != "{0} minutes" {
		t.Errorf("DurationWords = %v", w)
	}
}

func mustSub(t *testing.T, fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		t.Fatal(err)
	}
	return sub
}
