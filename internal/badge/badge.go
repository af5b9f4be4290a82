// Package badge issues Open Badges 3.0 credentials (W3C Verifiable
// Credentials) signed with the eddsa-jcs-2022 Data Integrity cryptosuite.
//
// A credential is an OpenBadgeCredential carrying one embedded
// DataIntegrityProof. The proof signs SHA-256(JCS(proof configuration)) ||
// SHA-256(JCS(credential without proof)) with Ed25519, so any verifier with
// a JCS implementation and the issuer's public key (published in the issuer
// profile as a Multikey) can check it without JSON-LD processing.
package badge

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"time"
)

// Context URLs, types and names fixed by the specifications.
const (
	ContextVC  = "https://www.w3.org/ns/credentials/v2"
	ContextOB  = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
	ContextCID = "https://www.w3.org/ns/cid/v1" // defines Multikey, verificationMethod, assertionMethod

	Cryptosuite  = "eddsa-jcs-2022"
	ProofType    = "DataIntegrityProof"
	ProofPurpose = "assertionMethod"
	StatusType   = "1EdTechRevocationList"
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

// Profile returns the issuer profile document to publish at Issuer.ID: type
// Profile, name, and the verification method (Multikey, controller = ID,
// id = ID + "#key-1", publicKeyMultibase), listed under assertionMethod too
// so that the key is authorised for the proofs' purpose.
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
	StatusURL     string    // credentialStatus id (a URL answering whether it is revoked); empty: none
}

// Issue builds the OpenBadgeCredential for a and signs it with a
// DataIntegrityProof (eddsa-jcs-2022, assertionMethod, created = now),
// returning the signed credential as JSON.
//
// The holder is named the way OB 3.0 provides for a recipient without a DID:
// an IdentityObject with identityType "name" and hashed false, so the name
// is readable on the credential.
func (i *Issuer) Issue(a Award, now time.Time) ([]byte, error) {
	if len(i.Key) != ed25519.PrivateKeySize {
		return nil, errors.New("badge: issuer has no Ed25519 private key")
	}
	for _, f := range [][2]string{
		{"issuer id", i.ID}, {"issuer name", i.Name}, {"credential id", a.ID}, {"holder name", a.HolderName},
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
	if a.StatusURL != "" {
		cred["credentialStatus"] = map[string]any{"id": a.StatusURL, "type": StatusType}
	}

	// Create Proof (eddsa-jcs-2022): the proof is the options plus the
	// document's @context, which is what lets the proof be checked alone or
	// in a proof set; the proof configuration is that proof without proofValue.
	proof := map[string]any{
		"type":               ProofType,
		"cryptosuite":        Cryptosuite,
		"created":            timestamp(now),
		"verificationMethod": i.KeyID(),
		"proofPurpose":       ProofPurpose,
		"@context":           cred["@context"],
	}
	hash, err := hashData(proof, cred)
	if err != nil {
		return nil, err
	}
	proof["proofValue"] = "z" + base58Encode(ed25519.Sign(i.Key, hash))
	cred["proof"] = proof

	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(cred); err != nil {
		return nil, err
	}
	return bytes.TrimRight(out.Bytes(), "\n"), nil
}

// Verify checks a credential's proof with the public key; any change to the
// credential or the proof makes it fail with an error saying so.
//
// It follows Verify Proof (eddsa-jcs-2022) for a single embedded proof.
// It checks the signature only: the caller decides that pub is the issuer's
// (e.g. from its profile) and checks validFrom/validUntil and the status.
func Verify(credential []byte, pub ed25519.PublicKey) error {
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
	rawProof, ok := doc["proof"]
	if !ok {
		return ErrNoProof
	}
	proof, ok := rawProof.(map[string]any)
	if !ok {
		return errors.New("badge: proof must be a single object (proof sets are not supported)")
	}
	if proof["type"] != ProofType || proof["cryptosuite"] != Cryptosuite {
		return fmt.Errorf("badge: proof is not a %s with cryptosuite %s", ProofType, Cryptosuite)
	}
	if proof["proofPurpose"] != ProofPurpose {
		return fmt.Errorf("badge: proof purpose is %v, want %s", proof["proofPurpose"], ProofPurpose)
	}
	proofValue, _ := proof["proofValue"].(string)
	if len(proofValue) < 2 || proofValue[0] != 'z' {
		return errors.New("badge: proofValue is missing or not multibase base58btc")
	}
	sig, err := base58Decode(proofValue[1:])
	if err != nil || len(sig) != ed25519.SignatureSize {
		return errors.New("badge: proofValue is not an Ed25519 signature")
	}

	unsecured := maps.Clone(doc)
	delete(unsecured, "proof")
	options := maps.Clone(proof)
	delete(options, "proofValue")
	// A proof that carries @context was made over a document whose @context
	// starts with it; verify against exactly that context.
	if pc, ok := options["@context"]; ok {
		if !contextHasPrefix(doc["@context"], pc) {
			return errors.New("badge: proof @context does not match the credential's @context")
		}
		unsecured["@context"] = pc
	}
	hash, err := hashData(options, unsecured)
	if err != nil {
		return err
	}
	if !ed25519.Verify(pub, hash, sig) {
		return ErrBadSignature
	}
	return nil
}

// hashData is Proof Configuration + Transformation + Hashing of
// eddsa-jcs-2022: SHA-256(JCS(proof config)) || SHA-256(JCS(document)).
func hashData(proofConfig, doc map[string]any) ([]byte, error) {
	if proofConfig["type"] != ProofType || proofConfig["cryptosuite"] != Cryptosuite {
		return nil, fmt.Errorf("badge: proof is not a %s with cryptosuite %s", ProofType, Cryptosuite)
	}
	if c, ok := proofConfig["created"]; ok {
		if s, _ := c.(string); !validTimestamp(s) {
			return nil, fmt.Errorf("badge: proof created %v is not a date-time", c)
		}
	}
	// Round-trip through JSON so the issuer hashes exactly the values a
	// verifier will decode (e.g. []string becomes []any).
	canon := func(v map[string]any) ([32]byte, error) {
		raw, err := json.Marshal(v)
		if err != nil {
			return [32]byte{}, err
		}
		c, err := CanonicalizeJSON(raw)
		if err != nil {
			return [32]byte{}, err
		}
		return sha256.Sum256(c), nil
	}
	configHash, err := canon(proofConfig)
	if err != nil {
		return nil, err
	}
	docHash, err := canon(doc)
	if err != nil {
		return nil, err
	}
	return append(configHash[:], docHash[:]...), nil
}

// contextHasPrefix reports whether the document context starts with every
// entry of the proof context, in order. Either may be a single value.
func contextHasPrefix(docCtx, proofCtx any) bool {
	list := func(v any) []any {
		if a, ok := v.([]any); ok {
			return a
		}
		return []any{v}
	}
	d, p := list(docCtx), list(proofCtx)
	if len(p) > len(d) {
		return false
	}
	for i := range p {
		a, errA := Canonicalize(d[i])
		b, errB := Canonicalize(p[i])
		if errA != nil || errB != nil || !bytes.Equal(a, b) {
			return false
		}
	}
	return true
}

// timestamp writes t as an RFC 3339 date-time in UTC to the second, which
// is both a VC dateTimeStamp and an XML Schema dateTime.
func timestamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// validTimestamp accepts RFC 3339 date-times, the zoned subset of XML
// Schema dateTime that Data Integrity proofs use in practice.
func validTimestamp(s string) bool {
	_, err := time.Parse(time.RFC3339Nano, s)
	return err == nil
}
