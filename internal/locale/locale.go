// Package locale translates UI strings. Catalogs are flat JSON files, one per
// language, in web/locales; Simplified Chinese is the default and the
// fallback for a missing key.
package locale

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"time"
)

// Default is the language used when nothing else is known.
const Default = "zh"

// Catalog holds the messages of every language.
type Catalog struct {
	msgs map[string]map[string]string
}

// Load reads every <lang>.json in fsys.
func Load(fsys fs.FS) (*Catalog, error) {
	files, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return nil, err
	}
	c := &Catalog{msgs: map[string]map[string]string{}}
	for _, f := range files {
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("locale %s: %w", f, err)
		}
		c.msgs[strings.TrimSuffix(path.Base(f), ".json")] = m
	}
	if c.msgs[Default] == nil {
		return nil, fmt.Errorf("locale: the default language %q has no catalog", Default)
	}
	return c, nil
}

// Has reports whether lang has a catalog.
func (c *Catalog) Has(lang string) bool { return c.msgs[lang] != nil }

// T returns the message for key in lang with args substituted for {0}, {1}…
// A missing key falls back to the default language, then to the key itself,
// so a gap shows up on screen instead of breaking the page.
func (c *Catalog) T(lang, key string, args ...any) string {
	s, ok := c.msgs[lang][key]
	if !ok {
		if s, ok = c.msgs[Default][key]; !ok {
			s = key
		}
	}
	for i, a := range args {
		s = strings.ReplaceAll(s, "{"+strconv.Itoa(i)+"}", fmt.Sprint(a))
	}
	return s
}

// Keys returns the keys of lang, for tests that compare catalogs.
func (c *Catalog) Keys(lang string) []string {
	var ks []string
	for k := range c.msgs[lang] {
		ks = append(ks, k)
	}
	return ks
}

// Negotiate picks a supported language from an Accept-Language header,
// honouring q-values; unknown or empty headers give the default.
func (c *Catalog) Negotiate(header string) string {
	best, bestQ := Default, -1.0
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if c.Has(base) && q > bestQ {
			best, bestQ = base, q
		}
	}
	return best
}

// Defined reports whether key exists in the default catalog.
func (c *Catalog) Defined(key string) bool {
	_, ok := c.msgs[Default][key]
	return ok
}

// N is T for a message about n things: in a language whose catalog has a
// key+".one" form (English "1 run" against "2 runs"), that form is used for
// exactly one; languages without the distinction (Chinese) keep key.
func (c *Catalog) N(lang, key string, n int, args ...any) string {
	if n == 1 {
		if _, ok := c.msgs[lang][key+".one"]; ok {
			key += ".one"
		}
	}
	return c.T(lang, key, append([]any{n}, args...)...)
}

// Duration says d the way people do ("1 小时 30 分钟", "2 days"), from the
// dur.* messages: under a minute in seconds, under a day in hours and
// minutes (rounded to the minute), from a day on in days and hours. A
// negative d reads as zero: it is a time left that has run out.
func (c *Catalog) Duration(lang string, d time.Duration) string {
	if d < time.Minute {
		if d <= 0 {
			return c.N(lang, "dur.minute", 0)
		}
		return c.N(lang, "dur.second", int(d.Round(time.Second)/time.Second))
	}
	d = d.Round(time.Minute)
	var parts []string
	add := func(key string, n int) {
		if n > 0 {
			parts = append(parts, c.N(lang, key, n))
		}
	}
	if d >= 24*time.Hour {
		d = d.Round(time.Hour)
		add("dur.day", int(d/(24*time.Hour)))
		add("dur.hour", int(d%(24*time.Hour)/time.Hour))
	} else {
		add("dur.hour", int(d/time.Hour))
		add("dur.minute", int(d%time.Hour/time.Minute))
	}
	return strings.Join(parts, " ")
}

// DurationWords are the dur.* messages of lang, for a script that counts
// down on the page and must say the time the way Duration does.
func (c *Catalog) DurationWords(lang string) map[string]string {
	out := map[string]string{}
	for _, unit := range []string{"day", "hour", "minute", "second"} {
		for _, form := range []string{"", ".one"} {
			k := "dur." + unit + form
			if form == "" || c.msgs[lang][k] != "" {
				out[unit+form] = c.T(lang, k)
			}
		}
	}
	return out
}
