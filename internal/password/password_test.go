package password

import "testing"

func TestHashVerify(t *testing.T) {
	for name, h := range map[string]*Hasher{"default": New(), "fast": NewFast()} {
		hash, err := h.Hash("correct horse battery")
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := h.Verify("correct horse battery", hash); !ok || err != nil {
			t.Fatalf("%s: right password refused: %v %v", name, ok, err)
		}
		if ok, _ := h.Verify("correct horse batterY", hash); ok {
			t.Fatalf("%s: wrong password accepted", name)
		}
		if _, err := h.Verify("x", "garbage"); err == nil {
			t.Fatalf("%s: garbage hash accepted without error", name)
		}
	}
}
