package badge

import (
	"bytes"
	"math"
	"testing"
)

// Known answers from RFC 8785: §3.2.2 (literals, numbers, string escapes)
// and §3.2.3 (member sorting by UTF-16 code units, non-ASCII names).
func TestCanonicalizeRFC8785Examples(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{
			"values",
			`{
  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}`,
			`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`,
		},
		{
			"sorting",
			`{
  "\u20ac": "Euro Sign",
  "\r": "Carriage Return",
  "\ufb33": "Hebrew Letter Dalet With Dagesh",
  "1": "One",
  "\ud83d\ude00": "Emoji: Grinning Face",
  "\u0080": "Control",
  "\u00f6": "Latin Small Letter O With Diaeresis"
}`,
			// U+1F600 (surrogates D83D DE00) sorts before U+FB33 in UTF-16,
			// though after it in UTF-8 byte order.
			"{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\",\"\u00f6\":\"Latin Small Letter O With Diaeresis\",\"\u20ac\":\"Euro Sign\",\"\U0001F600\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}",
		},
		{
			// No HTML escaping; DEL and U+2028 stay raw; nesting and whitespace.
			"no html escaping",
			"{ \"b\" : [ {\"</script>\":\"a&b\"} , \"\u007f\u2028\" ] , \"a\" : {} , \"c\": [] }",
			"{\"a\":{},\"b\":[{\"</script>\":\"a&b\"},\"\u007f\u2028\"],\"c\":[]}",
		},
	} {
		got, err := CanonicalizeJSON([]byte(tc.in))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if string(got) != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
}

// ECMAScript number serialisation, from the IEEE-754 samples of RFC 8785
// Appendix B.
func TestCanonicalizeNumbers(t *testing.T) {
	for _, tc := range []struct {
		bits uint64
		want string
	}{
		{0x0000000000000000, "0"},
		{0x8000000000000000, "0"},
		{0x0000000000000001, "5e-324"},
		{0x8000000000000001, "-5e-324"},
		{0x7fefffffffffffff, "1.7976931348623157e+308"},
		{0xffefffffffffffff, "-1.7976931348623157e+308"},
		{0x4340000000000000, "9007199254740992"},
		{0xc340000000000000, "-9007199254740992"},
		{0x4430000000000000, "295147905179352830000"},
		{0x44b52d02c7e14af5, "9.999999999999997e+22"},
		{0x44b52d02c7e14af6, "1e+23"},
		{0x44b52d02c7e14af7, "1.0000000000000001e+23"},
		{0x444b1ae4d6e2ef4e, "999999999999999700000"},
		{0x444b1ae4d6e2ef4f, "999999999999999900000"},
		{0x444b1ae4d6e2ef50, "1e+21"},
		{0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"},
		{0x3eb0c6f7a0b5ed8d, "0.000001"},
		{0x41b3de4355555553, "333333333.3333332"},
		{0x41b3de4355555554, "333333333.33333325"},
		{0x41b3de4355555555, "333333333.3333333"},
		{0x41b3de4355555556, "333333333.3333334"},
		{0x41b3de4355555557, "333333333.33333343"},
		{0xbecbf647612f3696, "-0.0000033333333333333333"},
		{0x43143ff3c1cb0959, "1424953923781206.2"},
	} {
		got, err := Canonicalize(math.Float64frombits(tc.bits))
		if err != nil {
			t.Fatalf("%#x: %v", tc.bits, err)
		}
		if string(got) != tc.want {
			t.Errorf("%#016x: got %s, want %s", tc.bits, got, tc.want)
		}
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if _, err := Canonicalize(f); err == nil {
			t.Errorf("%v canonicalized without error", f)
		}
	}
	if _, err := CanonicalizeJSON([]byte(`[1e400]`)); err == nil {
		t.Error("number beyond double range canonicalized without error")
	}
}

func TestCanonicalizeRejects(t *testing.T) {
	for name, in := range map[string][]byte{
		"duplicate member": []byte(`{"a":1,"b":{"x":1,"x":2}}`),
		"invalid utf-8":    []byte("{\"a\":\"\xff\"}"),
		"trailing data":    []byte(`{"a":1} {}`),
		"syntax":           []byte(`{"a":}`),
	} {
		if out, err := CanonicalizeJSON(in); err == nil {
			t.Errorf("%s: accepted, got %s", name, out)
		}
	}
	if _, err := Canonicalize(map[string]any{"a": struct{}{}}); err == nil {
		t.Error("unsupported Go type accepted")
	}
}

func TestBase58(t *testing.T) {
	for _, tc := range []struct {
		in   []byte
		want string
	}{
		{nil, ""},
		{[]byte{0}, "1"},
		{[]byte{0, 0, 1}, "112"},
		{[]byte("Hello World!"), "2NEpo7TZRRrLZSi2U"},
		{[]byte{0xff, 0xff}, "LUv"},
	} {
		got := base58Encode(tc.in)
		if got != tc.want {
			t.Errorf("encode %x: got %q, want %q", tc.in, got, tc.want)
		}
		back, err := base58Decode(got)
		if err != nil || !bytes.Equal(back, tc.in) {
			t.Errorf("decode %q: got %x, %v", got, back, err)
		}
	}
	if _, err := base58Decode("0OIl"); err == nil {
		t.Error("characters outside the alphabet accepted")
	}
}
