package mongo_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/mongo"
	"github.com/academy/academy/internal/mongo/mongotest"
)

func TestSandboxDirectoriesStoredOnce(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	rdb := raw(t, db)
	now := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	desk := &academy.Desk{Sandboxes: mongo.NewSandboxStore(db), Now: func() time.Time { return now }}
	fx := &academy.SandboxFixture{Directory: academy.SyntheticDirectory(7)}

	a, err := desk.OpenSandbox(ctx, "wang", "漏水", fx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := desk.OpenSandbox(ctx, "li", "漏水", fx)
	if err != nil {
		t.Fatal(err)
	}
	var stored struct {
		Directory struct {
			Units []bson.Raw `bson:"units"`
		} `bson:"directory"`
		Ref string `bson:"directory_ref"`
	}
	if err := rdb.Collection("sandboxes").FindOne(ctx, bson.M{"_id": a.ID}).Decode(&stored); err != nil {
		t.Fatal(err)
	}
	if len(stored.Directory.Units) != 0 || stored.Ref == "" {
		t.Fatalf("sandbox stores its directory inline: %d units, ref %q", len(stored.Directory.Units), stored.Ref)
	}
	// Two sandboxes of one scenario, directory and fixture: one copy.
	if n, err := rdb.Collection("frozen_directories").CountDocuments(ctx, bson.M{}); err != nil || n != 1 {
		t.Fatalf("stored directories = %d (%v), want 1", n, err)
	}

	// A process that never saw the directory reads it whole, phones
	// (hidden from the API) included.
	fresh := mongo.NewSandboxStore(db)
	for _, want := range []*academy.Sandbox{a, b} {
		got, err := fresh.FindSandbox(ctx, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Directory, fx.Directory) || !reflect.DeepEqual(got.Fixture.Directory, fx.Directory) {
			t.Fatalf("sandbox %s directory read back differs", want.ID)
		}
		if got.Directory.Residents[0].Phone == "" {
			t.Fatal("phone lost")
		}
	}

	// A directory that differs only in a phone number is other content.
	other := fx.Directory.Clone()
	other.Residents[0].Phone = "13900000000"
	c, err := desk.OpenSandbox(ctx, "zhao", "改号", &academy.SandboxFixture{Directory: other})
	if err != nil {
		t.Fatal(err)
	}
	got, err := mongo.NewSandboxStore(db).FindSandbox(ctx, c.ID)
	if err != nil || got.Directory.Residents[0].Phone != "13900000000" {
		t.Fatalf("sandbox with another phone: %v", err)
	}
	if fx.Directory.Residents[0].Phone == "13900000000" {
		t.Fatal("cloning the directory changed the fixture")
	}

	// Reset after work puts the same directory back, still by reference.
	if err := desk.AdvanceClock(ctx, a, 60); err != nil {
		t.Fatal(err)
	}
	if err := desk.ResetSandbox(ctx, a); err != nil {
		t.Fatal(err)
	}
	again, err := mongo.NewSandboxStore(db).FindSandbox(ctx, a.ID)
	if err != nil || again.Offset != 0 || !reflect.DeepEqual(again.Directory, fx.Directory) {
		t.Fatalf("after reset: %+v, %v", again, err)
	}
}

// Sandboxes stored before directories were references, and before tickets
// were packed, read as they were.
func TestSandboxWithInlineDirectoryStillReads(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	old := &academy.Sandbox{ID: "sb-old", Owner: "wang", Name: "旧", Version: 1, Directory: academy.SyntheticDirectory(3),
		Tickets: []academy.Ticket{{ID: "t1", Title: "旧工单"}},
		Fixture: &academy.SandboxFixture{Directory: academy.SyntheticDirectory(3), Tickets: []academy.Ticket{{ID: "t1", Title: "原工单"}}}}
	if _, err := raw(t, db).Collection("sandboxes").InsertOne(ctx, old); err != nil {
		t.Fatal(err)
	}
	got, err := mongo.NewSandboxStore(db).FindSandbox(ctx, "sb-old")
	if err != nil || !reflect.DeepEqual(got.Directory, old.Directory) || !reflect.DeepEqual(got.Fixture.Directory, old.Directory) {
		t.Fatalf("inline sandbox read back: %v", err)
	}
	if len(got.Tickets) != 1 || got.Tickets[0].Title != "旧工单" || len(got.Fixture.Tickets) != 1 || got.Fixture.Tickets[0].Title != "原工单" {
		t.Fatalf("inline tickets read back: %+v, fixture %+v", got.Tickets, got.Fixture.Tickets)
	}
}

// Practice desks are drawn from a bounded set of estates, so their stored
// directories stop growing however many are opened.
func TestPracticeDesksShareABoundedSetOfDirectories(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	rdb := raw(t, db)
	now := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	desk := &academy.Desk{Sandboxes: mongo.NewSandboxStore(db), Now: func() time.Time { return now }}
	const n = 3 * academy.SyntheticEstates
	for i := range n {
		now = now.Add(time.Microsecond)
		if _, err := desk.OpenSandbox(ctx, fmt.Sprint("u", i), "练习", nil); err != nil {
			t.Fatal(err)
		}
	}
	dirs, err := rdb.Collection("frozen_directories").CountDocuments(ctx, bson.M{})
	if err != nil {
		t.Fatal(err)
	}
	if dirs > academy.SyntheticEstates || dirs < academy.SyntheticEstates/2 {
		t.Fatalf("%d practice desks stored %d directories; want at most %d (and most of them used)", n, dirs, academy.SyntheticEstates)
	}
}

// A practice desk is read by every click in it: its stored document must
// stay small, and its tickets and its fixture's must read back as they
// were opened.
func TestPracticeDeskStoredSmall(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	now := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	desk := &academy.Desk{Sandboxes: mongo.NewSandboxStore(db), Now: func() time.Time { return now }}
	sb, err := desk.OpenSandbox(ctx, "wang", "练习", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(sb.Tickets) < 10 || sb.Fixture == nil || len(sb.Fixture.Tickets) != len(sb.Tickets) {
		t.Fatalf("practice desk opened with %d tickets and fixture %v", len(sb.Tickets), sb.Fixture != nil)
	}
	var stored bson.Raw
	if err := raw(t, db).Collection("sandboxes").FindOne(ctx, bson.M{"_id": sb.ID}).Decode(&stored); err != nil {
		t.Fatal(err)
	}
	const limit = 24 << 10
	if len(stored) > limit {
		t.Fatalf("a practice desk of %d tickets is stored in %d bytes, more than %d", len(sb.Tickets), len(stored), limit)
	}
	got, err := mongo.NewSandboxStore(db).FindSandbox(ctx, sb.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Both through BSON once, which stores an empty map as none.
	same := func(a, b []academy.Ticket) bool {
		norm := func(ts []academy.Ticket) []academy.Ticket {
			var out struct {
				T []academy.Ticket `bson:"t"`
			}
			b, err := bson.Marshal(bson.M{"t": ts})
			if err == nil {
				err = bson.Unmarshal(b, &out)
			}
			if err != nil {
				t.Fatal(err)
			}
			return out.T
		}
		return reflect.DeepEqual(norm(a), norm(b))
	}
	if !same(got.Tickets, sb.Tickets) || !same(got.Fixture.Tickets, sb.Fixture.Tickets) {
		t.Fatal("the practice desk's tickets read back differ from those opened")
	}
}

// BenchmarkPracticeDeskClick is what every click in a practice desk costs
// the store: the sandbox read, then written at the next version.
func BenchmarkPracticeDeskClick(b *testing.B) {
	ctx := context.Background()
	db := mongotest.Open(b)
	store := mongo.NewSandboxStore(db)
	desk := &academy.Desk{Sandboxes: store, Now: time.Now}
	sb, err := desk.OpenSandbox(ctx, "wang", "练习", nil)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		got, err := store.FindSandbox(ctx, sb.ID)
		if err != nil {
			b.Fatal(err)
		}
		got.Version++
		if err := store.SaveSandbox(ctx, got); err != nil {
			b.Fatal(err)
		}
	}
}

// sandboxReads counts the reads of sandbox documents a store sends and
// notes any command on sandboxes whose filter is more than _id, which the
// embedded store answers by scanning the collection.
type sandboxReads struct {
	mu    sync.Mutex
	reads int
	scans []string
}

func (r *sandboxReads) observe(c mongo.Command) {
	if c.Collection != "sandboxes" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if c.Name == "find" {
		r.reads++
	}
	for _, f := range c.Filters {
		if !slices.Equal(f, []string{"_id"}) {
			r.scans = append(r.scans, fmt.Sprintf("%s %v", c.Name, f))
		}
	}
}

func (r *sandboxReads) take() (int, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n, s := r.reads, r.scans
	r.reads, r.scans = 0, nil
	return n, s
}

// TestSandboxTrimFromTheList: opening a sandbox at the cap trims the
// oldest scenario sandbox knowing it from the owner's list, reading no
// sandbox and scanning nothing; a list kept before the scenarios were
// kept in it still trims right, and a sandbox that is not the owner's is
// never deleted for them.
func TestSandboxTrimFromTheList(t *testing.T) {
	ctx := context.Background()
	reads := &sandboxReads{}
	db := mongotest.Open(t, mongo.Observe(reads.observe))
	rdb := raw(t, db)
	now := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	desk := &academy.Desk{Sandboxes: mongo.NewSandboxStore(db), Now: func() time.Time { return now }}
	open := func(owner, name, scenario string) *academy.Sandbox {
		t.Helper()
		fx := &academy.SandboxFixture{Directory: academy.SyntheticDirectory(7), Scenario: scenario}
		sb, err := desk.OpenSandbox(ctx, owner, name, fx)
		if err != nil {
			t.Fatal(err)
		}
		return sb
	}
	names := func(owner string) []string {
		t.Helper()
		list, err := desk.Sandboxes.ListSandboxes(ctx, owner)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, sb := range list {
			out = append(out, sb.Name)
		}
		return out
	}
	// Oldest first: a practice desk, then scenario sandboxes to the cap.
	open("wang", "p1", "")
	for i := 2; i <= academy.MaxSandboxes; i++ {
		open("wang", fmt.Sprint("s", i), "water-leak")
	}
	someone := open("li", "li", "water-leak")
	reads.take()

	open("wang", "s11", "angry-owner")
	if n, scans := reads.take(); n != 0 || len(scans) != 0 {
		t.Fatalf("opening one more read %d sandboxes and scanned %v", n, scans)
	}
	got := names("wang")
	if len(got) != academy.MaxSandboxes || got[0] != "s11" || got[len(got)-1] != "p1" || slices.Contains(got, "s2") {
		t.Fatalf("after one more: %v, want s2 trimmed and p1 kept", got)
	}

	// A list from before: ids only. The sandboxes are read to learn
	// their scenarios, and the trim is the same.
	if _, err := rdb.Collection("sandbox_index").UpdateOne(ctx, bson.M{"_id": "wang"}, bson.M{"$unset": bson.M{"scenarios": ""}}); err != nil {
		t.Fatal(err)
	}
	reads.take()
	open("wang", "s12", "angry-owner")
	if n, _ := reads.take(); n != academy.MaxSandboxes {
		t.Fatalf("with an old list, opening one more read %d sandboxes, want %d", n, academy.MaxSandboxes)
	}
	if got := names("wang"); len(got) != academy.MaxSandboxes || got[0] != "s12" || got[len(got)-1] != "p1" || slices.Contains(got, "s3") {
		t.Fatalf("after one more on an old list: %v, want s3 trimmed and p1 kept", got)
	}

	// Another owner's sandbox is not deleted for wang.
	if err := desk.Sandboxes.DeleteSandbox(ctx, "wang", someone.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := desk.Sandboxes.FindSandbox(ctx, someone.ID); err != nil {
		t.Fatalf("li's sandbox after wang deleted it: %v", err)
	}
	if got := names("li"); len(got) != 1 {
		t.Fatalf("li's list: %v", got)
	}
}
