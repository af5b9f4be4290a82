package mongo

import (
	"context"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
)

// BenchmarkFrozenPutKnown is the cost of storing a practice estate's
// directory that is stored already, which every sandbox write pays
// (twice: the directory and its fixture's): the digest alone.
func BenchmarkFrozenPutKnown(b *testing.B) {
	f := &frozen[academy.Directory]{coll: "frozen_directories"}
	dir := academy.SyntheticDirectory(academy.EstateSeed(time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)))
	digest, err := f.digest(dir)
	if err != nil {
		b.Fatal(err)
	}
	f.seen.set(digest, &dir)
	for b.Loop() {
		if _, err := f.put(context.Background(), dir); err != nil {
			b.Fatal(err)
		}
	}
}
