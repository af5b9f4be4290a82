package academy

import (
	"strings"
	"testing"
)

func TestCheckText(t *testing.T) {
	for _, tc := range []struct {
		name      string
		value     string
		max       int
		multiline bool
		ok        bool
		says      string // part of the message when refused
	}{
		{"empty", "", 10, false, true, ""},
		{"chinese", "张三（物业）", 6, false, true, ""},
		{"exactly max characters, more bytes", strings.Repeat("名", 64), 64, false, true, ""},
		{"one character over", strings.Repeat("名", 65), 64, false, false, "at most 64 characters (this has 65)"},
		{"NUL", "a\x00b", 10, false, false, "U+0000"},
		{"NUL in multiline", "a\x00b", 10, true, false, "U+0000"},
		{"escape", "a\x1b[31m", 10, false, false, "U+001B"},
		{"DEL", "a\x7f", 10, false, false, "U+007F"},
		{"C1 control", "a\u0085b", 10, false, false, "U+0085"},
		{"newline on one line", "a\nb", 10, false, false, "U+000A"},
		{"tab on one line", "a\tb", 10, false, false, "U+0009"},
		{"newline and tab in multiline", "a\n\tb", 10, true, true, ""},
		{"CRLF in multiline", "a\r\nb\r\n", 10, true, true, ""},
		{"lone CR in multiline", "a\rb", 10, true, false, "U+000D"},
		{"CR at the end", "a\r", 10, true, false, "U+000D"},
		{"right-to-left override", "invoice\u202Egpj.exe", 30, false, false, "U+202E"},
		{"isolate", "a\u2066b", 10, true, false, "U+2066"},
		{"left-to-right mark", "a\u200Eb", 10, false, false, "U+200E"},
		{"Arabic letter mark", "a\u061Cb", 10, false, false, "U+061C"},
		{"invalid UTF-8", "a\xff\xfeb", 10, false, false, "UTF-8"},
		{"truncated UTF-8", "名"[:2], 10, false, false, "UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckText("note", tc.value, tc.max, tc.multiline)
			if tc.ok {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if ErrorCode(err) != EINVALID {
				t.Fatalf("err = %v, want %s", err, EINVALID)
			}
			msg := ErrorMessage(err)
			if !strings.HasPrefix(msg, "note: ") || !strings.Contains(msg, tc.says) {
				t.Errorf("message %q should start with the field and say %q", msg, tc.says)
			}
		})
	}
}
