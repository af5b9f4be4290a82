package badge

import (
	"embed"
	"encoding/json"
	"fmt"

	"github.com/piprate/json-gold/ld"
)

// The JSON-LD contexts that credentials and the issuer profile name, kept
// in the binary: signing and verifying must not depend on the network (a
// context host that is down, slow or changed would make proofs fail or,
// worse, mean something else). contexts/README.md says where each came from.
//
//go:embed contexts/*.json contexts/*.jsonld
var contextFiles embed.FS

var contextPaths = map[string]string{
	ContextVC:  "contexts/credentials-v2.jsonld",
	ContextOB:  "contexts/ob-v3p0-context-3.0.3.json",
	ContextCID: "contexts/cid-v1.jsonld",
}

// contextLoader is a json-gold document loader that serves a fixed set of
// documents and refuses every other URL, so that an unknown context is an
// error instead of a fetch.
type contextLoader struct {
	docs map[string][]byte
}

var _ ld.DocumentLoader = (*contextLoader)(nil)

// builtinLoader serves the embedded contexts.
var builtinLoader = func() *contextLoader {
	l := &contextLoader{docs: map[string][]byte{}}
	for url, path := range contextPaths {
		b, err := contextFiles.ReadFile(path)
		if err != nil {
			panic(err) // the files are embedded: only a broken build gets here
		}
		l.docs[url] = b
	}
	return l
}()

// LoadDocument decodes a fresh copy on every call because the JSON-LD
// processor may keep or change what it is given.
func (l *contextLoader) LoadDocument(url string) (*ld.RemoteDocument, error) {
	b, ok := l.docs[url]
	if !ok {
		return nil, fmt.Errorf("badge: JSON-LD document %q is not one this package carries; it is not fetched", url)
	}
	var doc any
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("badge: embedded JSON-LD document %q: %w", url, err)
	}
	return &ld.RemoteDocument{DocumentURL: url, Document: doc}, nil
}
