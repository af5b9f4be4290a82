package badge

import (
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"strings"
	"time"

	"github.com/piprate/json-gold/ld"
)

// This file is the eddsa-rdfc-2022 cryptosuite of W3C "Data Integrity EdDSA
// Cryptosuites v1.0" (§3.3): the document and the proof configuration are
// each turned into canonical N-Quads by RDF Dataset Canonicalization
// (RDFC-1.0), hashed with SHA-256, and the two hashes (configuration first)
// are signed with Ed25519.

// createProof is Create Proof (§3.3.1) for an unsecured document: it
// returns the proof to add to the document.
func createProof(doc map[string]any, key ed25519.PrivateKey, verificationMethod string, created time.Time, loader *contextLoader) (map[string]any, error) {
	// The proof carries the document's @context so that it can be checked
	// on its own, and so that a verifier knows which context was signed.
	proof := map[string]any{
		"@context":           doc["@context"],
		"type":               ProofType,
		"cryptosuite":        Cryptosuite,
		"created":            timestamp(created),
		"verificationMethod": verificationMethod,
		"proofPurpose":       ProofPurpose,
	}
	hash, err := hashData(proof, doc, loader)
	if err != nil {
		return nil, err
	}
	proof["proofValue"] = "z" + base58Encode(ed25519.Sign(key, hash))
	return proof, nil
}

// verifyProof is Verify Proof (§3.3.2) of one proof of a proof set over
// unsecured, the document without its proof member.
func verifyProof(unsecured map[string]any, rawProof any, pub ed25519.PublicKey, loader *contextLoader) error {
	proof, ok := rawProof.(map[string]any)
	if !ok {
		return errors.New("badge: a proof must be a JSON object")
	}
	if proof["type"] != ProofType || proof["cryptosuite"] != Cryptosuite {
		return fmt.Errorf("badge: proof is a %v with cryptosuite %v, not a %s with cryptosuite %s",
			proof["type"], proof["cryptosuite"], ProofType, Cryptosuite)
	}
	if proof["proofPurpose"] != ProofPurpose {
		return fmt.Errorf("badge: proof purpose is %v, want %s", proof["proofPurpose"], ProofPurpose)
	}
	if _, ok := proof["previousProof"]; ok {
		// A chained proof signs the proofs before it too; nothing here
		// issues them, so rather refuse than check the wrong bytes.
		return errors.New("badge: chained proofs (previousProof) are not supported")
	}
	proofValue, _ := proof["proofValue"].(string)
	if len(proofValue) < 2 || proofValue[0] != 'z' {
		return errors.New("badge: proofValue is missing or not multibase base58btc")
	}
	sig, err := base58Decode(proofValue[1:])
	if err != nil || len(sig) != ed25519.SignatureSize {
		return errors.New("badge: proofValue is not an Ed25519 signature")
	}

	options := maps.Clone(proof)
	delete(options, "proofValue")
	doc := maps.Clone(unsecured)
	if pc, ok := options["@context"]; ok {
		// The proof was made over a document whose @context starts with the
		// proof's: verify against exactly that context.
		if !contextHasPrefix(doc["@context"], pc) {
			return errors.New("badge: proof @context does not match the credential's @context")
		}
		doc["@context"] = pc
	} else {
		options["@context"] = doc["@context"]
	}
	hash, err := hashData(options, doc, loader)
	if err != nil {
		return err
	}
	if !ed25519.Verify(pub, hash, sig) {
		return ErrBadSignature
	}
	return nil
}

// hashData is Proof Configuration, Transformation and Hashing (§3.3.4 -
// §3.3.6): SHA-256(RDFC(proof configuration)) || SHA-256(RDFC(document)).
func hashData(proofConfig, doc map[string]any, loader *contextLoader) ([]byte, error) {
	if proofConfig["type"] != ProofType || proofConfig["cryptosuite"] != Cryptosuite {
		return nil, fmt.Errorf("badge: proof is not a %s with cryptosuite %s", ProofType, Cryptosuite)
	}
	if c, ok := proofConfig["created"]; ok {
		if s, _ := c.(string); !validTimestamp(s) {
			return nil, fmt.Errorf("badge: proof created %v is not a date-time", c)
		}
	}
	config, err := canonicalize(proofConfig, loader)
	if err != nil {
		return nil, fmt.Errorf("badge: proof configuration: %w", err)
	}
	document, err := canonicalize(doc, loader)
	if err != nil {
		return nil, err
	}
	configHash, docHash := sha256.Sum256([]byte(config)), sha256.Sum256([]byte(document))
	return append(configHash[:], docHash[:]...), nil
}

// canonicalize is the Transformation step: JSON-LD to RDF, then RDFC-1.0
// (URDNA2015, which it standardised) to canonical N-Quads.
//
// Nothing may be silently lost on the way, or a change to that part would
// not change the signature: expansion runs in safe mode (a property the
// contexts do not define is an error), and checkExpanded refuses what safe
// mode lets through and RDF would drop (a type, id or datatype that is not
// an absolute IRI, such as a type name missing from the contexts), and text
// that other implementations would write differently.
func canonicalize(doc map[string]any, loader *contextLoader) (string, error) {
	opts := ld.NewJsonLdOptions("")
	opts.DocumentLoader = loader
	opts.SafeMode = true
	opts.Algorithm = ld.AlgorithmURDNA2015
	opts.Format = "application/n-quads"

	expanded, err := ld.NewJsonLdProcessor().Expand(doc, opts)
	if jerr := (*ld.JsonLdError)(nil); errors.As(err, &jerr) && jerr.Code == ld.InvalidProperty {
		return "", fmt.Errorf("badge: JSON-LD: a member is not defined by the document's @context, so it could not be signed: %w", err)
	} else if err != nil {
		return "", fmt.Errorf("badge: JSON-LD: %w", err)
	}
	if err := checkExpanded(expanded); err != nil {
		return "", err
	}
	// ToRDF and Normalize of the processor would expand again, without
	// safe mode; the API-level calls take the checked expansion as it is.
	api := ld.NewJsonLdApi()
	dataset, err := api.ToRDF(expanded, opts)
	if err != nil {
		return "", fmt.Errorf("badge: JSON-LD to RDF: %w", err)
	}
	nquads, err := api.Normalize(dataset, opts)
	if err != nil {
		return "", fmt.Errorf("badge: RDF canonicalization: %w", err)
	}
	s, ok := nquads.(string)
	if !ok {
		return "", fmt.Errorf("badge: RDF canonicalization returned %T", nquads)
	}
	return s, nil
}

// checkExpanded walks expanded JSON-LD and refuses anything RDF would drop
// or that could serialize ambiguously.
func checkExpanded(v any) error {
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			if err := checkExpanded(e); err != nil {
				return err
			}
		}
	case map[string]any:
		if val, ok := v["@value"]; ok {
			if t, ok := v["@type"].(string); ok && t != "@json" && !absoluteIRI(t) {
				return fmt.Errorf("badge: JSON-LD: datatype %q is not an absolute IRI", t)
			}
			// RDFC-1.0 writes control characters other than tab, line feed
			// and carriage return as escapes that json-gold does not
			// produce, so such text would hash differently elsewhere.
			if s, ok := val.(string); ok && strings.ContainsFunc(s, func(r rune) bool {
				return (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f
			}) {
				return fmt.Errorf("badge: JSON-LD: text %q holds a control character", s)
			}
			return nil
		}
		for k, e := range v {
			switch {
			case k == "@id":
				if s, _ := e.(string); !absoluteIRI(s) && !blankNode(s) {
					return fmt.Errorf("badge: JSON-LD: id %q is not an absolute IRI", s)
				}
			case k == "@type":
				types, _ := e.([]any)
				for _, t := range types {
					if s, _ := t.(string); !absoluteIRI(s) {
						return fmt.Errorf("badge: JSON-LD: type %q is not defined by the document's @context", s)
					}
				}
			case strings.HasPrefix(k, "@"):
				if err := checkExpanded(e); err != nil {
					return err
				}
			default:
				if !absoluteIRI(k) {
					return fmt.Errorf("badge: JSON-LD: property %q is not defined by the document's @context", k)
				}
				if err := checkExpanded(e); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// absoluteIRI reports whether s has a scheme (RFC 3986) and nothing that
// N-Quads would have to escape or that other processors reject in an IRI.
func absoluteIRI(s string) bool {
	colon := strings.IndexByte(s, ':')
	if colon < 1 {
		return false
	}
	for i := 0; i < colon; i++ {
		c := s[i]
		alpha := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		if !alpha && (i == 0 || !('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return false
		}
	}
	return !strings.ContainsAny(s, " \t\r\n<>\"{}|\\^`") && !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

func blankNode(s string) bool { return strings.HasPrefix(s, "_:") && len(s) > 2 }

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
		if !reflect.DeepEqual(d[i], p[i]) {
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
