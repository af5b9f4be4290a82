package roster_test

import (
	"testing"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/roster"
)

// FuzzRead: whatever the bytes, Read answers with rows or a refusal the
// user can read, never a panic or an internal error.
func FuzzRead(f *testing.F) {
	for _, seed := range []string{
		"工号,姓名\nA1,王\n",
		"\xEF\xBB\xBFemployee_no,legal_name,sites\nA1,\"x,y\",s1\n",
		"工号,姓名\n\"A1,王\n",
		"工号,工号\n",
		"PK\x03\x04garbage",
		"\xb9\xa4\xba\xc5,\xd0\xd5\xc3\xfb\nA1,\xcd\xf5\n",
		"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := roster.Read(data)
		if err != nil {
			if academy.ErrorCode(err) != academy.EINVALID {
				t.Fatalf("%q: %v", data, err)
			}
			return
		}
		if !file.Has(roster.FieldEmployeeNo) && !file.Has(roster.FieldUsername) {
			t.Fatalf("%q: read without a key column", data)
		}
	})
}
