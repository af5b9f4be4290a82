package locale

import (
	"testing"
	"testing/fstest"
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
