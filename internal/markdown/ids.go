package markdown

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/yuin/goldmark/ast"
)

// headingIDs implements parser.IDs. goldmark's default keeps only ASCII, which
// turns every Chinese heading into "heading", "heading-1", …; these ids keep
// the CJK text so links like "02-phone.md#开场白" work and stay readable.
type headingIDs struct {
	used map[string]bool
	next map[string]int // next suffix to try for a base id
}

func newHeadingIDs() *headingIDs {
	return &headingIDs{used: map[string]bool{}, next: map[string]int{}}
}

// Generate returns a unique id for value, which is the heading's plain text.
func (ids *headingIDs) Generate(value []byte, _ ast.NodeKind) []byte {
	base := slug(string(value))
	id := base
	if ids.used[id] {
		// Still a loop: "a", "a-1" (written), "a" must not give "a-1" twice.
		// Starting from the last suffix keeps many duplicates linear.
		i := max(ids.next[base], 1)
		for ; ids.used[id]; i++ {
			id = base + "-" + strconv.Itoa(i)
		}
		ids.next[base] = i
	}
	ids.used[id] = true
	return []byte(id)
}

// Put reserves an id that was set explicitly.
func (ids *headingIDs) Put(value []byte) {
	ids.used[string(value)] = true
}

// slug lowercases ASCII letters, keeps every Unicode letter and digit and
// turns each run of anything else into a single "-".
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range s {
		switch {
		case r >= 'A' && r <= 'Z':
			r += 'a' - 'A'
			fallthrough
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
	}
	if b.Len() == 0 {
		return "section"
	}
	return b.String()
}
