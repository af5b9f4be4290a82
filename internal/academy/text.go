package academy

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// CheckText checks text a person typed before it is stored: it must be
// valid UTF-8 of at most max characters, with no control characters and no
// text-direction controls. Control characters break storage (a NUL fails on
// a MongoDB-compatible server backed by PostgreSQL) and terminals and
// exports that show the text; direction controls make a name or a note read
// differently from what was stored (a reversed "gpj.exe"). A multiline
// field may hold line breaks (\n, or \r\n as browsers send them) and tabs.
// The message names field, and "" is accepted: whether a field is required
// is the caller's rule.
func CheckText(field, value string, max int, multiline bool) error {
	if !utf8.ValidString(value) {
		return Errorf(EINVALID, "%s: 不是有效的 UTF-8 文本 / not valid UTF-8 text", field)
	}
	if n := utf8.RuneCountInString(value); n > max {
		return Errorf(EINVALID, "%s: 最多 %d 个字符（现为 %d） / at most %d characters (this has %d)", field, max, n, max, n)
	}
	for i, r := range value {
		switch {
		case multiline && (r == '\n' || r == '\t'):
		case multiline && r == '\r' && i+1 < len(value) && value[i+1] == '\n':
		case unicode.IsControl(r):
			what := "control characters are not allowed"
			if multiline {
				what = "control characters other than line breaks and tabs are not allowed"
			}
			return Errorf(EINVALID, "%s: 不能包含控制字符 %s / %s (found %s)", field, codePoint(r), what, codePoint(r))
		case isBidiControl(r):
			return Errorf(EINVALID, "%s: 不能包含文字方向控制字符 %s / text-direction controls are not allowed (found %s)", field, codePoint(r), codePoint(r))
		}
	}
	return nil
}

// isBidiControl reports the invisible characters that reorder text: the
// embeddings and overrides, the isolates and the directional marks.
func isBidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) || r == 0x200E || r == 0x200F || r == 0x061C
}

func codePoint(r rune) string { return fmt.Sprintf("U+%04X", r) }
