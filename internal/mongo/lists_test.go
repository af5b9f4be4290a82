package mongo_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/academy/academy/internal/mongo"
	"github.com/academy/academy/internal/mongo/mongotest"
)

// TestListsOfManyPeople: the team evidence asks for the records of
// everyone at once. Each list returns exactly the documents of the names
// asked for, whether the names are few or thousands, some without a
// document and some documents not asked for; for thousands the embedded
// store is asked for the whole collection (it compares each document with
// every name of an `_id $in`), and MongoDB still by _id.
func TestListsOfManyPeople(t *testing.T) {
	var mu sync.Mutex
	filters := map[string][][]string{}
	db := mongotest.Open(t, mongo.Observe(func(c mongo.Command) {
		if c.Name == "find" {
			mu.Lock()
			filters[c.Collection] = append(filters[c.Collection], c.Filters...)
			mu.Unlock()
		}
	}))
	ctx := context.Background()
	progress, attempts, runs := mongo.NewProgressService(db), mongo.NewAttemptService(db), mongo.NewRunService(db)
	const stored, asked = 1200, 1100
	var many []string
	for i := range asked {
		many = append(many, fmt.Sprintf("p%04d", i))
	}
	// Asked for, with no document.
	for i := range 50 {
		many = append(many, fmt.Sprintf("n%02d", i))
	}
	few := []string{"p0000", "p1150", "n00"}
	lists := map[string]func([]string) (int, error){
		"progress": func(names []string) (int, error) {
			out, err := progress.ListProgress(ctx, names)
			return len(out), err
		},
		"quiz_records": func(names []string) (int, error) {
			out, err := attempts.ListRecords(ctx, names)
			return len(out), err
		},
		"run_index": func(names []string) (int, error) {
			out, err := runs.ListRunsOf(ctx, names)
			return len(out), err
		},
		"run_checks": func(names []string) (int, error) {
			out, err := runs.ListRunChecks(ctx, names)
			return len(out), err
		},
	}
	for coll, list := range lists {
		var docs []any
		for i := range stored {
			docs = append(docs, bson.M{"_id": fmt.Sprintf("p%04d", i), "runs": bson.M{"r1": bson.M{}}})
		}
		if _, err := db.Collection(coll).InsertMany(ctx, docs); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		clear(filters)
		mu.Unlock()
		for _, c := range []struct {
			names []string
			want  int
			whole bool
		}{{many, asked, !mongotest.External()}, {few, 2, false}} {
			got, err := list(c.names)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("%s of %d names: %d found, want %d", coll, len(c.names), got, c.want)
			}
			mu.Lock()
			sent := filters[coll]
			clear(filters)
			mu.Unlock()
			if len(sent) != 1 {
				t.Fatalf("%s of %d names: %d finds, want 1: %v", coll, len(c.names), len(sent), sent)
			}
			if whole := len(sent[0]) == 0; whole != c.whole || !whole && !slices.Equal(sent[0], []string{"_id"}) {
				t.Errorf("%s of %d names: filter on %v", coll, len(c.names), sent[0])
			}
		}
	}
}
