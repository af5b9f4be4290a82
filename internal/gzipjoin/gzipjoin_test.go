package gzipjoin

import (
	"bytes"
	stdgzip "compress/gzip"
	"io"
	"strings"
	"testing"
)

// join builds a stream from alternating parts: even ones static, odd ones
// literal, the way a page skeleton interleaves them.
func join(t testing.TB, parts []string) []byte {
	s := NewStream(0)
	for i, p := range parts {
		if i%2 == 0 {
			pc, err := Compress([]byte(p))
			if err != nil {
				t.Fatal(err)
			}
			s.Piece(&pc)
		} else {
			s.Literal(p)
		}
	}
	return s.Bytes()
}

// inflate decodes with the standard library's reader, which checks the
// CRC-32 and the length in the trailer.
func inflate(t testing.TB, b []byte) string {
	r, err := stdgzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("header: %v", err)
	}
	r.Multistream(false)
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("body: %v", err)
	}
	return string(out)
}

func TestJoinedStreamDecodesToTheConcatenation(t *testing.T) {
	page := strings.Repeat("<p>物业服务中心 · 客服</p>\n", 400)
	cases := map[string][]string{
		"nothing":             {},
		"one piece":           {page},
		"literal only":        {"", "张三 &lt;b&gt;"},
		"empty literal":       {page, "", page},
		"page with values":    {page, "csrf-token-123", page, "0.250", page},
		"literal over 64 KiB": {"<a>", strings.Repeat("x", 3*maxStored+7), "</a>"},
		"binary literal":      {"a", "\x00\xff\x1f\x8b", "b"},
	}
	for name, parts := range cases {
		t.Run(name, func(t *testing.T) {
			if got, want := inflate(t, join(t, parts)), strings.Join(parts, ""); got != want {
				t.Fatalf("decoded %d bytes, want %d", len(got), len(want))
			}
		})
	}
}

func TestPiecesAreCompressed(t *testing.T) {
	page := strings.Repeat("<li class=\"toc-2\"><a href=\"#x\">一节</a></li>\n", 300)
	pc, err := Compress([]byte(page))
	if err != nil {
		t.Fatal(err)
	}
	if pc.Size()*5 > len(page) {
		t.Fatalf("a repetitive page of %d bytes deflated to %d", len(page), pc.Size())
	}
}

func FuzzJoin(f *testing.F) {
	f.Add("<html>", "name", "</html>")
	f.Add("", "", "")
	f.Add("\x00", strings.Repeat("é", 40000), "\xff")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		parts := []string{a, b, c, b, a}
		if got, want := inflate(t, join(t, parts)), strings.Join(parts, ""); got != want {
			t.Fatalf("decoded %q, want %q", got, want)
		}
	})
}

// TestSizedStreamDoesNotGrow: a stream started with the pieces' sizes and
// the literals' LiteralSize holds the whole stream, trailer included; a
// buffer that grows at the end copies the whole page once more.
func TestSizedStreamDoesNotGrow(t *testing.T) {
	for _, lit := range []string{"", "x", strings.Repeat("名", 100), strings.Repeat("y", maxStored), strings.Repeat("z", 2*maxStored+7)} {
		pc, err := Compress([]byte(strings.Repeat("静态内容 ", 500)))
		if err != nil {
			t.Fatal(err)
		}
		s := NewStream(2*pc.Size() + 3*LiteralSize(lit))
		start := cap(s.buf)
		for range 3 {
			s.Literal(lit)
		}
		s.Piece(&pc)
		s.Piece(&pc)
		b := s.Bytes()
		if cap(b) != start {
			t.Errorf("literal of %d bytes: the buffer grew from %d to %d for %d bytes", len(lit), start, cap(b), len(b))
		}
	}
}
