package web

import (
	"encoding/json"
	"io/fs"
	"regexp"
	"slices"
	"testing"
)

// TestCatalogsMatch keeps the languages in step: every key in one catalog
// is in the other, and every literal key a template uses exists.
func TestCatalogsMatch(t *testing.T) {
	cats := map[string]map[string]string{}
	for _, lang := range []string{"zh", "en"} {
		b, err := fs.ReadFile(FS, "locales/"+lang+".json")
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		cats[lang] = m
	}
	for k := range cats["zh"] {
		if _, ok := cats["en"][k]; !ok {
			t.Errorf("en lacks %q", k)
		}
	}
	for k := range cats["en"] {
		if _, ok := cats["zh"][k]; !ok {
			t.Errorf("zh lacks %q", k)
		}
	}
	use := regexp.MustCompile(`\{\{t \$?\.Lang "([^"]+)"`)
	files, _ := fs.Glob(FS, "templates/*.html")
	var keys []string
	for _, f := range files {
		b, _ := fs.ReadFile(FS, f)
		for _, m := range use.FindAllStringSubmatch(string(b), -1) {
			keys = append(keys, m[1])
		}
	}
	if len(keys) < 50 {
		t.Fatalf("found only %d keys in templates; the pattern is wrong", len(keys))
	}
	for _, k := range slices.Compact(slices.Sorted(slices.Values(keys))) {
		if _, ok := cats["zh"][k]; !ok {
			t.Errorf("template uses missing key %q", k)
		}
	}
}

// TestChinesePunctuation: Chinese text takes full-width punctuation (，；：
// ？！（）), as the content's terminology table asks; an ASCII mark beside a
// Chinese character is a slip the eye catches on a page.
func TestChinesePunctuation(t *testing.T) {
	b, err := fs.ReadFile(FS, "locales/zh.json")
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	placeholder := regexp.MustCompile(`\{\{.*?\}\}|%[a-z]`)
	ascii := regexp.MustCompile(`\p{Han}[,;:!?(]|[,;:!?)]\p{Han}`)
	for k, v := range m {
		if hit := ascii.FindString(placeholder.ReplaceAllString(v, "")); hit != "" {
			t.Errorf("%s: ASCII punctuation in Chinese text (%q): %s", k, hit, v)
		}
	}
}
