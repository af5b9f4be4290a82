package content

import (
	"bytes"
	"html"
	"math"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// checkProblems fails t when lint output could not lead a trainer to the
// mistake: every problem must name the file it was read from, a line of it,
// and say something.
func checkProblems(t *testing.T, ps Problems, path string, src []byte) {
	t.Helper()
	// YAML also breaks lines at a lone CR, NEL, LS and PS, and reports
	// lines as it counts them.
	breaks := strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u0085", "\n", "\u2028", "\n", "\u2029", "\n").Replace(string(src))
	lines := strings.Count(breaks, "\n") + 1
	if !strings.HasSuffix(breaks, "\n") {
		// Text missing at the end (a lesson with nothing after its front
		// matter) is reported on the line where it should start.
		lines++
	}
	if bytes.HasPrefix(src, []byte("\xfe\xff")) || bytes.HasPrefix(src, []byte("\xff\xfe")) {
		// YAML reads a file with a UTF-16 byte order mark as UTF-16, where
		// the bytes counted above are not its line breaks.
		lines = math.MaxInt
	}
	for _, p := range ps {
		if p.Path != path || p.Line < 1 || p.Line > lines || strings.TrimSpace(p.Message) == "" {
			t.Fatalf("unusable problem %+v (file %s has %d lines)", p, path, lines)
		}
	}
}

var (
	fuzzTagRE       = regexp.MustCompile(`<[^>]*>`)
	fuzzQuotedRE    = regexp.MustCompile(`"[^"]*"`)
	fuzzEventAttrRE = regexp.MustCompile(`(?i)<[^>]*\son[a-z]+\s*=`)
	fuzzURLAttrRE   = regexp.MustCompile(`(?i)\s(?:href|src|action|formaction|xlink:href)\s*=\s*"([^"]*)"`)
)

// unsafeHTML returns why rendered lesson HTML could run script in a
// learner's browser, or "". Only markup counts: "javascript:" or
// "onclick=" written as prose is escaped text and harmless, and lessons
// about phishing may well mention them.
func unsafeHTML(out string) string {
	if strings.Contains(strings.ToLower(out), "<script") {
		return "contains <script"
	}
	for _, tag := range fuzzTagRE.FindAllString(out, -1) {
		// Attribute values are always double-quoted by the renderer; blank
		// them so that a quoted "x onclick=" is not taken for an attribute.
		if fuzzEventAttrRE.MatchString(fuzzQuotedRE.ReplaceAllString(tag, `""`)) {
			return "event handler attribute in " + tag
		}
		for _, m := range fuzzURLAttrRE.FindAllStringSubmatch(tag, -1) {
			// Browsers drop whitespace and control characters inside a
			// scheme and decode entities before they look at it.
			u := strings.ToLower(strings.Map(func(r rune) rune {
				if r <= ' ' {
					return -1
				}
				return r
			}, html.UnescapeString(m[1])))
			for _, scheme := range []string{"javascript:", "vbscript:", "data:text"} {
				if strings.HasPrefix(u, scheme) {
					return "script URL in " + tag
				}
			}
		}
	}
	return ""
}

// sameContent is reflect.DeepEqual except that a nil slice or map equals an
// empty one: YAML writes both as [] or {}, so no reader can tell them apart
// and an export is not expected to.
func sameContent(a, b any) bool { return sameValue(reflect.ValueOf(a), reflect.ValueOf(b)) }

func sameValue(a, b reflect.Value) bool {
	if a.Type() != b.Type() {
		return false
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return sameValue(a.Elem(), b.Elem())
	case reflect.Slice, reflect.Array:
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !sameValue(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Map:
		if a.Len() != b.Len() {
			return false
		}
		for it := a.MapRange(); it.Next(); {
			v := b.MapIndex(it.Key())
			if !v.IsValid() || !sameValue(it.Value(), v) {
				return false
			}
		}
		return true
	case reflect.Struct:
		for i := range a.NumField() {
			if !a.Type().Field(i).IsExported() {
				// time.Time and the like: compare them whole.
				return reflect.DeepEqual(a.Interface(), b.Interface())
			}
		}
		for i := range a.NumField() {
			if !sameValue(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	}
	// Scalars; a NaN never equals itself, so a NaN read from a file fails
	// here, as it should: no field of the content means "not a number".
	return reflect.DeepEqual(a.Interface(), b.Interface())
}
