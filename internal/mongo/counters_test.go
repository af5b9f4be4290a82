package mongo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/mongo"
	"github.com/academy/academy/internal/mongo/mongotest"
)

func TestCountersExpireAndSweep(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	c := &clock{t: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}
	db.Now = c.Now
	cs := mongo.NewCounters(db)

	if v, err := cs.Get("user:wang"); v != nil || err != nil {
		t.Fatalf("missing key: %q, %v", v, err)
	}
	if err := cs.Set("user:wang", []byte{1, 2}, 15*time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := cs.Set("ip:10.0.0.1", []byte{3}, 0); err != nil {
		t.Fatal(err)
	}
	if err := cs.Set("user:wang", []byte{1, 3}, 15*time.Minute); err != nil {
		t.Fatal(err)
	}
	if v, err := cs.Get("user:wang"); err != nil || string(v) != "\x01\x03" {
		t.Fatalf("after two sets: %q, %v", v, err)
	}

	c.Add(15 * time.Minute)
	if v, _ := cs.Get("user:wang"); v != nil {
		t.Fatalf("an expired value is still read: %q", v)
	}
	if n, err := cs.DeleteExpired(ctx, c.Now()); err != nil || n != 1 {
		t.Fatalf("sweep: %d, %v; want the one expired value", n, err)
	}
	if v, _ := cs.Get("ip:10.0.0.1"); string(v) != "\x03" {
		t.Fatalf("a value without expiry was swept: %q", v)
	}
	if err := cs.Delete("ip:10.0.0.1"); err != nil {
		t.Fatal(err)
	}
	if v, _ := cs.Get("ip:10.0.0.1"); v != nil {
		t.Fatal("deleted value still read")
	}
	for _, k := range []string{"a", "b"} {
		if err := cs.Set(k, []byte(k), time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	if err := cs.Reset(); err != nil {
		t.Fatal(err)
	}
	if v, _ := cs.Get("a"); v != nil {
		t.Fatal("reset left a value")
	}
}

// TestCountersFailFastWhenTheDatabaseIsGone: a login during an outage must
// not wait out a deadline for every count it reads and writes.
func TestCountersFailFastWhenTheDatabaseIsGone(t *testing.T) {
	db := mongotest.Open(t)
	cs := mongo.NewCounters(db)
	if err := cs.Set("user:wang", []byte{1}, time.Minute); err != nil {
		t.Fatal(err)
	}
	_ = db.Close(context.Background())
	if _, err := cs.Get("user:wang"); academy.ErrorCode(err) != academy.EUNAVAILABLE {
		t.Fatalf("get with the database gone: %v", err)
	}
	err := cs.Set("user:wang", []byte{2}, time.Minute)
	if academy.ErrorCode(err) != academy.EUNAVAILABLE || !strings.Contains(err.Error(), "moments ago") {
		t.Fatalf("the next call tried the database again: %v", err)
	}
}
