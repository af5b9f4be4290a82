// Package badge issues Open Badges 3.0 credentials (W3C Verifiable
// Credentials 2.0) that any conforming verifier can check.
//
// A credential is an OpenBadgeCredential with a proof set of one
// DataIntegrityProof using the eddsa-rdfc-2022 cryptosuite: the credential
// and the proof configuration are canonicalized as RDF (RDFC-1.0), hashed
// with SHA-256 and signed with Ed25519. The issuer's key is published in
// its profile, a controller document listing the key as a Multikey under
// assertionMethod. Revocation is published as a W3C Bitstring Status List
// credential (StatusList), which each credential points to.
//
// All JSON-LD processing is offline: the contexts the documents name are
// embedded (contexts/), and any other context is an error.
package badge

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"
)

// Context URLs, types and names fixed by the specifications.
const (
	ContextVC  = "https://www.w3.org/ns/credentials/v2"
	ContextOB  = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
	ContextCID = "https://www.w3.org/ns/cid/v1" // defines Multikey, verificationMethod, assertionMethod

	Cryptosuite  = "eddsa-rdfc-2022"
	ProofType    = "DataIntegrityProof"
	ProofPurpose = "assertionMethod"
)

// ed25519PubCodec is the multicodec prefix for an Ed25519 public key
// (varint of 0xed); a Multikey is multibase(z, base58btc(prefix || key)).
var ed25519PubCodec = []byte{0xed, 0x01}

var (
	// ErrNoProof is returned by Verify for a credential without a proof.
	ErrNoProof = errors.New("badge: credential has no proof")
	// ErrBadSignature is returned by Verify when the signature does not
	// match: the credential or its proof was changed after signing, or it
	// was signed with another key.
	ErrBadSignature = errors.New("badge: signature does not verify: the credential or its proof was altered, or another key signed it")
)

// Issuer is the organisation that signs; its key is generated once and kept.
type Issuer struct {
	ID   string // URL of the issuer profile, e.g. https://academy.example/issuer
	Name string // 物业客服学院
	Key  ed25519.PrivateKey
}

// GenerateKey makes a new Ed25519 key pair.
func GenerateKey() (ed25519.PrivateKey, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	return priv, err
}

// PublicKeyMultibase is the public key as a Multikey (z + base58btc of 0xed01 || key).
func PublicKeyMultibase(pub ed25519.PublicKey) string {
	return "z" + base58Encode(append(bytes.Clone(ed25519PubCodec), pub...))
}

// ParsePublicKeyMultibase reverses PublicKeyMultibase, for a verifier that
// read publicKeyMultibase from the issuer profile.
func ParsePublicKeyMultibase(s string) (ed25519.PublicKey, error) {
	if len(s) == 0 || s[0] != 'z' {
		return nil, errors.New("badge: publicKeyMultibase is not base58btc (no 'z' prefix)")
	}
	b, err := base58Decode(s[1:])
	if err != nil {
		return nil, err
	}
	if len(b) != len(ed25519PubCodec)+ed25519.PublicKeySize || !bytes.HasPrefix(b, ed25519PubCodec) {
		return nil, errors.New("badge: publicKeyMultibase is not an Ed25519 public key")
	}
	return ed25519.PublicKey(b[len(ed25519PubCodec):]), nil
}

// KeyID is the verification method id that proofs name: ID + "#key-1".
func (i *Issuer) KeyID() string { return i.ID + "#key-1" }

// Profile returns the issuer profile document to publish at Issuer.ID. It
// is both the Open Badges Profile (type, name) and the controller document
// of the signing key (W3C Controlled Identifiers): the key is a Multikey
// whose controller is ID, listed under assertionMethod so that it is
// authorised for the proofs' purpose. Its contexts define every term it
// uses, which verifiers that process it as JSON-LD require.
func (i *Issuer) Profile() map[string]any {
	return map[string]any{
		"@context": []any{ContextVC, ContextOB, ContextCID},
		"id":       i.ID,
		"type":     []any{"Profile"},
		"name":     i.Name,
		"verificationMethod": []any{map[string]any{
			"id":                 i.KeyID(),
			"type":               "Multikey",
			"controller":         i.ID,
			"publicKeyMultibase": PublicKeyMultibase(i.Key.Public().(ed25519.PublicKey)),
		}},
		"assertionMethod": []any{i.KeyID()},
	}
}

// Award is one certificate to turn into a credential.
type Award struct {
	ID            string // credential id URL, e.g. https://academy.example/credentials/AC-XXXX
	Number        string // certificate number, carried as credentialSubject.licenseNumber
	HolderName    string
	AchievementID string // URL of the achievement (the program)
	Achievement   string // program name
	Description   string
	Criteria      string // narrative criteria
	ValidFrom     time.Time
	ValidUntil    time.Time // zero: no expiry

	// StatusListCredential is the URL of the issuer's status list (see
	// Issuer.StatusList) and StatusListIndex this award's entry in it,
	// 0 <= index < StatusListSize, never reused. Empty URL: no status.
	StatusListCredential string
	StatusListIndex      int
}

// Issue builds the OpenBadgeCredential for a and signs it with a
// DataIntegrityProof (eddsa-rdfc-2022, assertionMethod, created = now),
// returning the signed credential as JSON.
//
// The holder is named the way OB 3.0 provides for a recipient without a DID:
// an IdentityObject with identityType "name" and hashed false, so the name
// is readable on the credential.
func (i *Issuer) Issue(a Award, now time.Time) ([]byte, error) {
	if err := i.check(); err != nil {
		return nil, err
	}
	for _, f := range [][2]string{
		{"credential id", a.ID}, {"holder name", a.HolderName},
		{"achievement id", a.AchievementID}, {"achievement name", a.Achievement},
		{"achievement description", a.Description}, {"criteria", a.Criteria},
	} {
		if f[1] == "" {
			return nil, fmt.Errorf("badge: %s is required", f[0])
		}
	}
	if a.ValidFrom.IsZero() {
		return nil, errors.New("badge: validFrom is required")
	}
	if !a.ValidUntil.IsZero() && !a.ValidUntil.After(a.ValidFrom) {
		return nil, errors.New("badge: validUntil must be after validFrom")
	}

	subject := map[string]any{
		"type": []any{"AchievementSubject"},
		"identifier": []any{map[string]any{
			"type":         "IdentityObject",
			"identityType": "name",
			"hashed":       false,
			"identityHash": a.HolderName,
		}},
		"achievement": map[string]any{
			"id":          a.AchievementID,
			"type":        []any{"Achievement"},
			"name":        a.Achievement,
			"description": a.Description,
			"criteria":    map[string]any{"narrative": a.Criteria},
		},
	}
	if a.Number != "" {
		subject["licenseNumber"] = a.Number
	}
	cred := map[string]any{
		"@context":          []any{ContextVC, ContextOB},
		"id":                a.ID,
		"type":              []any{"VerifiableCredential", "OpenBadgeCredential"},
		"name":              a.Achievement, // OB 3.0 requires a display name
		"issuer":            map[string]any{"id": i.ID, "type": []any{"Profile"}, "name": i.Name},
		"validFrom":         timestamp(a.ValidFrom),
		"credentialSubject": subject,
	}
	if !a.ValidUntil.IsZero() {
		cred["validUntil"] = timestamp(a.ValidUntil)
	}
	if a.StatusListCredential != "" {
		status, err := statusEntry(a.StatusListCredential, a.StatusListIndex)
		if err != nil {
			return nil, err
		}
		cred["credentialStatus"] = status
	}
	return i.sign(cred, now)
}

// statusEntry is the BitstringStatusListEntry that points at entry index of
// the list at listURL.
func statusEntry(listURL string, index int) (map[string]any, error) {
	if strings.Contains(listURL, "#") {
		return nil, fmt.Errorf("badge: status list URL %q must not have a fragment: entries are told apart by one", listURL)
	}
	if index < 0 || index >= StatusListSize {
		return nil, fmt.Errorf("badge: status list index %d is outside 0..%d", index, StatusListSize-1)
	}
	n := strconv.Itoa(index)
	return map[string]any{
		"id":                   listURL + "#" + n,
		"type":                 "BitstringStatusListEntry",
		"statusPurpose":        statusPurpose,
		"statusListIndex":      n, // a string, as the spec defines it
		"statusListCredential": listURL,
	}, nil
}

func (i *Issuer) check() error {
	if len(i.Key) != ed25519.PrivateKeySize {
		return errors.New("badge: issuer has no Ed25519 private key")
	}
	if i.ID == "" {
		return errors.New("badge: issuer id is required")
	}
	if i.Name == "" {
		return errors.New("badge: issuer name is required")
	}
	return nil
}

// sign adds a proof set holding one eddsa-rdfc-2022 proof to doc and
// returns it as indented JSON, with non-ASCII text written as UTF-8.
func (i *Issuer) sign(doc map[string]any, now time.Time) ([]byte, error) {
	// Sign the document as a verifier will decode it (e.g. []string turns
	// into []any), not as it was built.
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	v, err := parseJSON(raw)
	if err != nil {
		return nil, err
	}
	unsecured := v.(map[string]any)
	proof, err := createProof(unsecured, i.Key, i.KeyID(), now, builtinLoader)
	if err != nil {
		return nil, err
	}
	// An array, as the OB 3.0 JSON schema requires, even for one proof.
	unsecured["proof"] = []any{proof}

	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(unsecured); err != nil {
		return nil, err
	}
	return bytes.TrimRight(out.Bytes(), "\n"), nil
}

// Verify checks a credential's proofs with the public key; any change to
// the credential or a proof makes it fail with an error saying so.
//
// It follows Verify Proof (eddsa-rdfc-2022) for every proof of the proof
// set (an array, or a single proof object): each must be an eddsa-rdfc-2022
// assertion proof that pub verifies, since a proof that cannot be checked
// proves nothing. It checks the signatures only: the caller decides that
// pub is the issuer's (e.g. from its profile) and checks
// validFrom/validUntil and the status.
func Verify(credential []byte, pub ed25519.PublicKey) error {
	return verify(credential, pub, builtinLoader)
}

func verify(credential []byte, pub ed25519.PublicKey, loader *contextLoader) error {
	if len(pub) != ed25519.PublicKeySize {
		return errors.New("badge: public key is not an Ed25519 key")
	}
	v, err := parseJSON(credential)
	if err != nil {
		return err
	}
	doc, ok := v.(map[string]any)
	if !ok {
		return errors.New("badge: credential is not a JSON object")
	}
	rawProofs, ok := doc["proof"]
	if !ok {
		return ErrNoProof
	}
	proofs, ok := rawProofs.([]any)
	if !ok {
		proofs = []any{rawProofs}
	}
	if len(proofs) == 0 {
		return ErrNoProof
	}
	unsecured := maps.Clone(doc)
	delete(unsecured, "proof")
	for _, p := range proofs {
		if err := verifyProof(unsecured, p, pub, loader); err != nil {
			return err
		}
	}
	return nil
}
