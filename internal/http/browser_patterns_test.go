package http_test

import (
	"context"
	"encoding/json"
	"html"
	"io/fs"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/academy/academy/web"
)

// TestBrowserPatternsCompile compiles every pattern attribute of every
// template the way Chromium does (^(?:p)$ with the v flag). A pattern
// that does not compile switches the field's check off without a word:
// [a-z0-9-] is fine in a plain regexp but not in v mode.
func TestBrowserPatternsCompile(t *testing.T) {
	attrRE := regexp.MustCompile(`\spattern="([^"]*)"`)
	type attr struct{ path, pattern string }
	var found []attr
	err := fs.WalkDir(web.FS, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(web.FS, path)
		if err != nil {
			return err
		}
		for _, m := range attrRE.FindAllStringSubmatch(string(b), -1) {
			found = append(found, attr{path, html.UnescapeString(m[1])})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) < 5 {
		t.Fatalf("found only %d patterns: %v", len(found), found)
	}
	ctx := chrome(t)
	for _, a := range found {
		js, _ := json.Marshal("^(?:" + a.pattern + ")$")
		sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		msg, err := chromedp.Run(sctx, chromedp.Evaluate[string](`(() => { try { new RegExp(`+string(js)+`, "v"); return "" } catch (e) { return e.message } })()`))
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if msg != "" {
			t.Errorf("%s: pattern %q does not compile in v mode: %s", a.path, a.pattern, msg)
		}
	}
}
