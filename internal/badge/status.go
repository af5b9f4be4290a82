package badge

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"fmt"
	"github.com/academy/academy/internal/academy"
	"time"
)

// StatusListSize is the number of entries in a status list: the minimum of
// W3C "Bitstring Status List v1.0" (16 KB uncompressed), which gives the
// list herd privacy and lets a gzip of a mostly empty list stay tiny.
// The academy hands out places by the same number.
const StatusListSize = academy.StatusListSize

// statusPurpose is the only purpose used here: a set bit means revoked,
// for good (a suspension list would need a second list and entries).
const statusPurpose = "revocation"

// StatusList builds and signs the BitstringStatusListCredential to publish
// at id (the URL that awards name as StatusListCredential), with the bits
// of the revoked indexes set. now is its validFrom and the proof's created.
//
// Verifiers cache such lists; a list is a snapshot, so sign a new one
// whenever a credential is revoked.
func (i *Issuer) StatusList(id string, revoked []int, now time.Time) ([]byte, error) {
	if err := i.check(); err != nil {
		return nil, err
	}
	if id == "" {
		return nil, errors.New("badge: status list id is required")
	}
	encoded, err := encodeStatusList(revoked)
	if err != nil {
		return nil, err
	}
	cred := map[string]any{
		"@context": []any{ContextVC}, // defines every BitstringStatusList term
		"id":       id,
		"type":     []any{"VerifiableCredential", "BitstringStatusListCredential"},
		// The same issuer id as the credentials', which verifiers compare.
		"issuer":    i.ID,
		"validFrom": timestamp(now),
		"credentialSubject": map[string]any{
			"id":            id + "#list",
			"type":          "BitstringStatusList",
			"statusPurpose": statusPurpose,
			"encodedList":   encoded,
		},
	}
	return i.sign(cred, now)
}

// encodeStatusList is the Bitstring Generation Algorithm: a bitstring of
// StatusListSize bits where index i is bit i counted from the left of the
// stream (the most significant bit of byte i/8), GZIP-compressed, as
// multibase base64url without padding ('u').
func encodeStatusList(revoked []int) (string, error) {
	bits := make([]byte, StatusListSize/8)
	for _, n := range revoked {
		if n < 0 || n >= StatusListSize {
			return "", fmt.Errorf("badge: status list index %d is outside 0..%d", n, StatusListSize-1)
		}
		bits[n/8] |= 0x80 >> (n % 8)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf) // no name and no mtime: the same list compresses the same way
	if _, err := zw.Write(bits); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	return "u" + base64.RawURLEncoding.EncodeToString(buf.Bytes()), nil
}
