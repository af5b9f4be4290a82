package badge

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// parseJSON decodes data into map[string]any / []any / string / float64 /
// bool / nil, refusing what I-JSON forbids and encoding/json would silently
// accept: invalid UTF-8 and duplicate member names. Duplicates matter for
// signatures: two parsers keeping different copies would see different
// documents under one valid proof.
func parseJSON(data []byte) (any, error) {
	if !utf8.Valid(data) {
		return nil, errors.New("badge: json is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
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
	return tok, nil // string, float64, bool or nil
}
