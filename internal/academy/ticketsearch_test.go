package academy

import (
	"slices"
	"testing"
)

// TestSearchKeysOfNumbers: a number is found however it is typed, and
// text that is no number names none.
func TestSearchKeysOfNumbers(t *testing.T) {
	tk := &Ticket{Number: "ZX-01999", Unit: "1-1-101", Resident: "r1"}
	if got := tk.SearchKey(); !slices.Equal(got, []string{"n:1999", "n:ZX-1999", "u:1-1-101", "r:r1"}) {
		t.Fatalf("key %v", got)
	}
	dir := &Directory{}
	for _, q := range []string{"ZX-01999", "zx-1999", " zx 01999 ", "ZX01999", "1999", "01999"} {
		if keys := SearchKeys(dir, q); len(keys) != 1 || !slices.Contains(tk.SearchKey(), keys[0]) {
			t.Errorf("%q: %v", q, keys)
		}
	}
	for _, q := range []string{"BX-01999", "19999", "ZX", "-1999", "ZX-19a", "1202 5678", "王芳", "+8613812345678"} {
		if keys := SearchKeys(dir, q); slices.ContainsFunc(keys, func(k string) bool { return slices.Contains(tk.SearchKey(), k) }) {
			t.Errorf("%q finds ZX-01999: %v", q, keys)
		}
	}
}
