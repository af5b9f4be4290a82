package mongo_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	driver "go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/mongo"
	"github.com/academy/academy/internal/mongo/mongotest"
)

// TestGroupCommit: writes that wait for the single writer's turn go as
// one command per collection and kind, and each gets its own answer: of
// two inserts of one _id exactly one wins; a statement the server refuses
// fails alone while the others of its command are written; a write whose
// request gave up before its turn is not written at all.
func TestGroupCommit(t *testing.T) {
	if mongotest.External() {
		t.Skip("group commit is the embedded store's (a single writer)")
	}
	var mu sync.Mutex
	sent := map[string]int{}
	db := mongotest.Open(t, mongo.Observe(func(c mongo.Command) {
		if c.Collection == "group" {
			mu.Lock()
			sent[c.Name]++
			mu.Unlock()
		}
	}))
	ctx := context.Background()
	for i := range 5 {
		if err := db.Write(ctx, "group", driver.NewInsertOneModel().SetDocument(bson.M{"_id": fmt.Sprintf("old%d", i), "n": 0})); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	clear(sent)
	mu.Unlock()

	type call struct {
		name  string
		model driver.WriteModel
	}
	var calls []call
	for i := range 20 {
		calls = append(calls, call{fmt.Sprintf("insert new%d", i), driver.NewInsertOneModel().SetDocument(bson.M{"_id": fmt.Sprintf("new%d", i)})})
	}
	for i := range 2 {
		calls = append(calls, call{fmt.Sprintf("insert twin %d", i), driver.NewInsertOneModel().SetDocument(bson.M{"_id": "twin", "by": i})})
	}
	for i := range 5 {
		calls = append(calls, call{fmt.Sprintf("update old%d", i), driver.NewUpdateOneModel().SetFilter(bson.M{"_id": fmt.Sprintf("old%d", i)}).SetUpdate(bson.M{"$set": bson.M{"n": i + 1}})})
	}
	calls = append(calls,
		call{"upsert fresh", driver.NewReplaceOneModel().SetFilter(bson.M{"_id": "fresh"}).SetReplacement(bson.M{"_id": "fresh", "n": 7}).SetUpsert(true)},
		// The server refuses to change an _id: FerretDB then fails the
		// whole update command.
		call{"bad update", driver.NewUpdateOneModel().SetFilter(bson.M{"_id": "old0"}).SetUpdate(bson.M{"$set": bson.M{"_id": "moved"}})},
		call{"delete old4", driver.NewDeleteOneModel().SetFilter(bson.M{"_id": "old4"})},
	)

	release := db.HoldTurn()
	errs := make([]error, len(calls))
	var wg sync.WaitGroup
	for i, c := range calls {
		wg.Go(func() { errs[i] = db.Write(ctx, "group", c.model) })
	}
	// One more whose request gives up while it waits.
	gaveUp := make(chan error, 1)
	cctx, cancel := context.WithCancel(ctx)
	go func() {
		gaveUp <- db.Write(cctx, "group", driver.NewInsertOneModel().SetDocument(bson.M{"_id": "abandoned"}))
	}()
	deadline := time.Now().Add(10 * time.Second)
	for db.Queued("group") < len(calls)+1 {
		if time.Now().After(deadline) {
			t.Fatalf("%d writes queued, want %d", db.Queued("group"), len(calls)+1)
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-gaveUp; err != context.Canceled {
		t.Fatalf("a write whose request gave up in the queue: %v", err)
	}
	release()
	wg.Wait()

	won := 0
	for i, c := range calls {
		switch {
		case strings.HasPrefix(c.name, "insert twin"):
			if errs[i] == nil {
				won++
			} else if academy.ErrorCode(errs[i]) != academy.ECONFLICT {
				t.Errorf("%s: %v, want a conflict or nothing", c.name, errs[i])
			}
		case c.name == "bad update":
			if errs[i] == nil || !strings.Contains(errs[i].Error(), "_id") {
				t.Errorf("%s: %v, want the server's refusal naming _id", c.name, errs[i])
			}
		default:
			if errs[i] != nil {
				t.Errorf("%s: %v", c.name, errs[i])
			}
		}
	}
	if won != 1 {
		t.Errorf("%d inserts of one _id succeeded, want 1", won)
	}

	var docs []struct {
		ID string `bson:"_id"`
		N  int    `bson:"n"`
	}
	cur, err := db.Collection("group").Find(ctx, bson.M{})
	if err != nil {
		t.Fatal(err)
	}
	if err := cur.All(ctx, &docs); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, d := range docs {
		got[d.ID] = d.N
	}
	for i := range 20 {
		if _, ok := got[fmt.Sprintf("new%d", i)]; !ok {
			t.Errorf("new%d was not inserted", i)
		}
	}
	for i := range 4 {
		if got[fmt.Sprintf("old%d", i)] != i+1 {
			t.Errorf("old%d: n = %d, want %d", i, got[fmt.Sprintf("old%d", i)], i+1)
		}
	}
	if _, ok := got["old4"]; ok {
		t.Error("old4 was not deleted")
	}
	if got["fresh"] != 7 {
		t.Errorf("fresh: %v", got["fresh"])
	}
	for _, id := range []string{"moved", "abandoned"} {
		if _, ok := got[id]; ok {
			t.Errorf("%s was written", id)
		}
	}
	// All 22 inserts in one command; the updates and the delete in one
	// command each, then again one by one after the refusal failed the
	// update command.
	mu.Lock()
	defer mu.Unlock()
	if sent["insert"] != 1 {
		t.Errorf("%d insert commands for 22 queued inserts, want 1", sent["insert"])
	}
	if sent["update"] < 2 || sent["update"] > 1+7 {
		t.Errorf("%d update commands: want one for all 7, then each alone after the refusal", sent["update"])
	}
}

// TestGroupCommitUpdatesOfAnExamDay: on exam day a hundred and more
// updates of existing documents of one collection queue for the turn at
// once. The embedded store holds one of its hundred SQLite connections
// for each update statement of a command until the command ends, and its
// last statements then wait for a connection forever: the database
// stopped answering every write, and then every read, until a restart.
// Every queued update must be written, in commands the store can finish.
func TestGroupCommitUpdatesOfAnExamDay(t *testing.T) {
	if mongotest.External() {
		t.Skip("group commit is the embedded store's (a single writer)")
	}
	var mu sync.Mutex
	var largest int
	db := mongotest.Open(t, mongo.Observe(func(c mongo.Command) {
		if c.Collection == "records" && c.Name == "update" {
			mu.Lock()
			largest = max(largest, len(c.Filters))
			mu.Unlock()
		}
	}))
	ctx := context.Background()
	const n = 300
	for i := range n {
		if err := db.Write(ctx, "records", driver.NewInsertOneModel().SetDocument(bson.M{"_id": fmt.Sprintf("r%d", i), "n": 0})); err != nil {
			t.Fatal(err)
		}
	}
	release := db.HoldTurn()
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = db.Write(ctx, "records", driver.NewUpdateOneModel().
				SetFilter(bson.M{"_id": fmt.Sprintf("r%d", i)}).SetUpdate(bson.M{"$set": bson.M{"n": i + 1}}))
		})
	}
	deadline := time.Now().Add(10 * time.Second)
	for db.Queued("records") < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d updates queued, want %d", db.Queued("records"), n)
		}
		time.Sleep(time.Millisecond)
	}
	release()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("the queued updates were not written within a minute: the store waits for a connection its command holds")
	}
	for i, err := range errs {
		if err != nil {
			t.Fatalf("update r%d: %v", i, err)
		}
	}
	var docs []struct {
		ID string `bson:"_id"`
		N  int    `bson:"n"`
	}
	cur, err := db.Collection("records").Find(ctx, bson.M{})
	if err != nil {
		t.Fatal(err)
	}
	if err := cur.All(ctx, &docs); err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		if want := fmt.Sprintf("r%d", d.N-1); d.ID != want {
			t.Errorf("%s: n = %d", d.ID, d.N)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if largest < 2 || largest > mongo.MaxUpdates {
		t.Errorf("the largest command of queued updates had %d statements, want 2 to %d", largest, mongo.MaxUpdates)
	}
}
