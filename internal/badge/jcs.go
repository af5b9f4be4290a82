package badge

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// This file implements the JSON Canonicalization Scheme (JCS, RFC 8785):
// objects with members sorted by the UTF-16 code units of their names, no
// insignificant whitespace, strings with only the escapes JSON requires, and
// numbers written as ECMAScript's Number.prototype.toString writes them.
//
// Restriction: as RFC 8785 itself prescribes, every number is taken as an
// IEEE-754 double, so integers beyond ±2^53 and decimals with more precision
// than a double are rounded before they are written; NaN and ±Infinity (and
// literals too large for a double) are errors. The credentials this package
// produces hold no numbers at all.

// CanonicalizeJSON parses data strictly (valid UTF-8, a single value, no
// duplicate member names, as I-JSON requires) and returns its JCS form.
func CanonicalizeJSON(data []byte) ([]byte, error) {
	v, err := parseJSON(data)
	if err != nil {
		return nil, err
	}
	return Canonicalize(v)
}

// Canonicalize returns the JCS form of a decoded JSON value: nil, bool,
// string, json.Number, float64, int, map[string]any or []any, nested in any
// way (what encoding/json decodes into an `any`).
func Canonicalize(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := writeCanonical(&buf, v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeCanonical(buf *bytes.Buffer, v any) error {
	switch v := v.(type) {
	case nil:
		buf.WriteString("null")
	case bool:
		buf.WriteString(strconv.FormatBool(v))
	case string:
		return writeString(buf, v)
	case json.Number:
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil {
			return fmt.Errorf("badge: jcs: number %s is not a finite double", v)
		}
		return writeNumber(buf, f)
	case float64:
		return writeNumber(buf, v)
	case int:
		return writeNumber(buf, float64(v))
	case []any:
		buf.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeCanonical(buf, e); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case map[string]any:
		// Sort by UTF-16 code units, not by UTF-8 bytes: the two orders
		// differ once characters outside the BMP meet ones above U+E000.
		type member struct {
			name  string
			units []uint16
		}
		members := make([]member, 0, len(v))
		for name := range v {
			members = append(members, member{name, utf16.Encode([]rune(name))})
		}
		slices.SortFunc(members, func(a, b member) int { return slices.Compare(a.units, b.units) })
		buf.WriteByte('{')
		for i, m := range members {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeString(buf, m.name); err != nil {
				return err
			}
			buf.WriteByte(':')
			if err := writeCanonical(buf, v[m.name]); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	default:
		return fmt.Errorf("badge: jcs: unsupported type %T", v)
	}
	return nil
}

// writeString escapes only what JSON requires: the quote, the backslash and
// the C0 controls (with the short forms where JSON has them). Everything else,
// including '<', '>', '&', DEL and U+2028, is written as raw UTF-8.
func writeString(buf *bytes.Buffer, s string) error {
	if !utf8.ValidString(s) {
		return errors.New("badge: jcs: string is not valid UTF-8")
	}
	buf.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			buf.WriteString(`\"`)
		case '\\':
			buf.WriteString(`\\`)
		case '\b':
			buf.WriteString(`\b`)
		case '\f':
			buf.WriteString(`\f`)
		case '\n':
			buf.WriteString(`\n`)
		case '\r':
			buf.WriteString(`\r`)
		case '\t':
			buf.WriteString(`\t`)
		default:
			if c < 0x20 {
				fmt.Fprintf(buf, `\u%04x`, c)
			} else {
				buf.WriteByte(c)
			}
		}
	}
	buf.WriteByte('"')
	return nil
}

// writeNumber writes f as ECMAScript's Number::toString does (ECMA-262,
// 7.1.12.1): the shortest digits that round-trip, in plain notation for
// exponents -7 < n <= 21 and in exponent notation otherwise. Go's shortest
// formatting yields the same digits; only the layout needs adjusting.
func writeNumber(buf *bytes.Buffer, f float64) error {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return errors.New("badge: jcs: NaN and Infinity are not JSON numbers")
	}
	if f == 0 { // covers -0, which ECMAScript also writes as "0"
		buf.WriteByte('0')
		return nil
	}
	if f < 0 {
		buf.WriteByte('-')
		f = -f
	}
	mant, exp, _ := strings.Cut(strconv.FormatFloat(f, 'e', -1, 64), "e")
	digits := strings.Replace(mant, ".", "", 1)
	e, _ := strconv.Atoi(exp)
	k, n := len(digits), e+1 // value = 0.digits × 10^n
	switch {
	case k <= n && n <= 21:
		buf.WriteString(digits)
		buf.WriteString(strings.Repeat("0", n-k))
	case 0 < n && n <= 21:
		buf.WriteString(digits[:n])
		buf.WriteByte('.')
		buf.WriteString(digits[n:])
	case -6 < n && n <= 0:
		buf.WriteString("0.")
		buf.WriteString(strings.Repeat("0", -n))
		buf.WriteString(digits)
	default:
		buf.WriteByte(digits[0])
		if k > 1 {
			buf.WriteByte('.')
			buf.WriteString(digits[1:])
		}
		buf.WriteByte('e')
		if n-1 >= 0 {
			buf.WriteByte('+')
		}
		buf.WriteString(strconv.Itoa(n - 1))
	}
	return nil
}

// parseJSON decodes data into map[string]any / []any / string / json.Number
// / bool / nil, keeping numbers exact and refusing what I-JSON forbids and
// encoding/json would silently accept: invalid UTF-8 and duplicate member
// names. Duplicates matter for signatures: two parsers keeping different
// copies would see different documents under one valid proof.
func parseJSON(data []byte) (any, error) {
	if !utf8.Valid(data) {
		return nil, errors.New("badge: json is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := parseValue(dec)
	if err != nil {
		return nil, fmt.Errorf("badge: invalid json: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("badge: invalid json: data after the top-level value")
	}
	return v, nil
}

func parseValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		obj := map[string]any{}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return nil, err
			}
			name := tok.(string) // the decoder only yields strings as member names
			if _, dup := obj[name]; dup {
				return nil, fmt.Errorf("duplicate member %q", name)
			}
			if obj[name], err = parseValue(dec); err != nil {
				return nil, err
			}
		}
		_, err := dec.Token() // '}'
		return obj, err
	case json.Delim('['):
		arr := []any{}
		for dec.More() {
			v, err := parseValue(dec)
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
		}
		_, err := dec.Token() // ']'
		return arr, err
	}
	return tok, nil // string, json.Number, bool or nil
}
