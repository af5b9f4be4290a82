package badge

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"io"
	"strings"
	"testing"
	"time"
)

// decodeStatusList reverses the Bitstring Status List encoding the way the
// spec's verification algorithm describes it, independently of the encoder.
func decodeStatusList(t *testing.T, encoded string) []byte {
	t.Helper()
	if !strings.HasPrefix(encoded, "u") {
		t.Fatalf("encodedList %q is not multibase base64url", encoded)
	}
	z, err := base64.RawURLEncoding.DecodeString(encoded[1:])
	if err != nil {
		t.Fatal(err)
	}
	r, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil {
		t.Fatal(err)
	}
	bits, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return bits
}

func bitSet(bits []byte, i int) bool { return bits[i/8]&(0x80>>(i%8)) != 0 }

func TestEncodeStatusList(t *testing.T) {
	revoked := []int{0, 7, 8, 1000, 1000, StatusListSize - 1}
	enc, err := encodeStatusList(revoked)
	if err != nil {
		t.Fatal(err)
	}
	bits := decodeStatusList(t, enc)
	if len(bits)*8 != StatusListSize {
		t.Fatalf("list has %d bits, want %d", len(bits)*8, StatusListSize)
	}
	want := map[int]bool{}
	for _, i := range revoked {
		want[i] = true
	}
	for i := range StatusListSize {
		if bitSet(bits, i) != want[i] {
			t.Errorf("bit %d = %v, want %v", i, bitSet(bits, i), want[i])
		}
	}
	// Index 0 is the leftmost bit of the stream, as the spec counts.
	if bits[0] != 0b1000_0001 || bits[1] != 0b1000_0000 {
		t.Errorf("first bytes %08b %08b, want 10000001 10000000", bits[0], bits[1])
	}
	// The same list always encodes the same way, so republishing an
	// unchanged list changes nothing.
	if again, _ := encodeStatusList(revoked); again != enc {
		t.Error("encoding is not deterministic")
	}
	// An empty list of the minimum size compresses to a few dozen bytes.
	empty, _ := encodeStatusList(nil)
	if len(empty) > 100 {
		t.Errorf("empty list encodes to %d characters", len(empty))
	}

	for _, bad := range []int{-1, StatusListSize, StatusListSize + 5} {
		if _, err := encodeStatusList([]int{3, bad}); err == nil {
			t.Errorf("index %d accepted", bad)
		} else if !strings.Contains(err.Error(), "outside 0..131071") {
			t.Errorf("index %d: unclear error %v", bad, err)
		}
	}
}

func TestStatusList(t *testing.T) {
	iss := testIssuer(t)
	now := issuedAt.Add(48 * time.Hour)
	out, err := iss.StatusList(statusListURL, []int{7}, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(out, pubKey(iss)); err != nil {
		t.Fatalf("status list credential: %v\n%s", err, out)
	}
	var sl struct {
		Context           []string `json:"@context"`
		ID                string
		Type              []string
		Issuer            string
		ValidFrom         string
		CredentialSubject struct{ ID, Type, StatusPurpose, EncodedList string }
		Proof             []map[string]any
	}
	mustUnmarshal(t, string(out), &sl)
	if toJSON(sl.Context) != toJSON([]string{ContextVC}) || sl.ID != statusListURL ||
		toJSON(sl.Type) != `["VerifiableCredential","BitstringStatusListCredential"]` ||
		sl.Issuer != iss.ID || sl.ValidFrom != "2025-03-03T01:30:00Z" {
		t.Errorf("status list credential = %+v", sl)
	}
	s := sl.CredentialSubject
	if s.ID != statusListURL+"#list" || s.Type != "BitstringStatusList" || s.StatusPurpose != "revocation" {
		t.Errorf("credentialSubject = %+v", s)
	}
	bits := decodeStatusList(t, s.EncodedList)
	if !bitSet(bits, 7) || bitSet(bits, 8) {
		t.Error("bit 7 should be set and bit 8 not")
	}
	if len(sl.Proof) != 1 || sl.Proof[0]["cryptosuite"] != Cryptosuite || sl.Proof[0]["created"] != "2025-03-03T01:30:00Z" {
		t.Errorf("proof = %v", sl.Proof)
	}

	// A changed bit is caught like any other change.
	forged := strings.Replace(string(out), s.EncodedList, mustEncode(t, nil), 1)
	if err := Verify([]byte(forged), pubKey(iss)); err == nil {
		t.Error("status list with its revocation cleared verified")
	}

	if _, err := iss.StatusList(statusListURL, []int{StatusListSize}, now); err == nil {
		t.Error("index past the list accepted")
	}
	if _, err := iss.StatusList("", nil, now); err == nil {
		t.Error("status list without id accepted")
	}
}

func mustEncode(t *testing.T, revoked []int) string {
	t.Helper()
	s, err := encodeStatusList(revoked)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
