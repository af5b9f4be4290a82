package mongo_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/mongo"
	"github.com/academy/academy/internal/mongo/mongotest"
)

var searchDir = &academy.Directory{
	Units: []academy.Unit{{ID: "1-1-101", Label: "1栋1单元101"}, {ID: "2-1-202", Label: "2栋1单元202"}},
}

func numbersOf(l []academy.TicketSummary) []string {
	out := []string{}
	for _, s := range l {
		out = append(out, s.Number)
	}
	return out
}

func searchFor(t *testing.T, s *mongo.DeskStore, ws, q string) []string {
	t.Helper()
	l, err := s.ListTickets(context.Background(), ws, academy.TicketFilter{Query: q, Keys: academy.SearchKeys(searchDir, q)})
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	return numbersOf(l)
}

// TestSearchIndexFollowsChanges: a ticket whose key changes is found by
// the new key and no longer by the old one, and what the index lists
// is checked against the ticket, so an entry left behind finds nothing.
func TestSearchIndexFollowsChanges(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	s := mongo.NewDeskStore(db)
	seedTickets(t, s, "s1", 3)
	seedTickets(t, s, "s2", 3)
	tk, err := s.FindTicket(ctx, "s1", "s1-000002")
	if err != nil {
		t.Fatal(err)
	}
	if got := searchFor(t, s, "s1", "ZX-00002"); !slices.Equal(got, []string{"ZX-00002"}) {
		t.Fatalf("by number: %v", got)
	}
	if got := searchFor(t, s, "s1", "2栋1单元202"); len(got) != 0 {
		t.Fatalf("a flat without tickets: %v", got)
	}
	tk.Unit, tk.Version = "2-1-202", tk.Version+1
	if err := s.SaveTicket(ctx, tk); err != nil {
		t.Fatal(err)
	}
	if got := searchFor(t, s, "s1", "2栋1单元202"); !slices.Equal(got, []string{"ZX-00002"}) {
		t.Errorf("by the new flat: %v", got)
	}
	if got := searchFor(t, s, "s1", "1栋1单元101"); !slices.Equal(got, []string{"ZX-00003", "ZX-00001"}) {
		t.Errorf("by the old flat: %v", got)
	}
	// An entry left behind (a write cut short) and one naming another
	// site's ticket find nothing.
	if _, err := raw(t, db).Collection("ticket_search").UpdateOne(ctx, bson.M{"_id": "s1/u:2-1-202"},
		bson.M{"$push": bson.M{"tickets": bson.M{"$each": bson.A{"s1-000001", "s2-000001", "s1-999999"}}}}); err != nil {
		t.Fatal(err)
	}
	if got := searchFor(t, s, "s1", "2栋1单元202"); !slices.Equal(got, []string{"ZX-00002"}) {
		t.Errorf("with stale entries: %v", got)
	}
	// Another site's tickets have their own index.
	if got := searchFor(t, s, "s2", "ZX-00002"); !slices.Equal(got, []string{"ZX-00002"}) {
		t.Errorf("s2 by number: %v", got)
	}
}

// TestSearchBeyondTheIndex: a search that finds more tickets, or stands
// for more tokens, than the index answers cheaply gives what the index
// would: the same tickets, newest first.
func TestSearchBeyondTheIndex(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	s := mongo.NewDeskStore(db)
	seedTickets(t, s, "s1", 260) // all in 1-1-101, newest first ZX-00260
	all, err := s.ListTickets(ctx, "s1", academy.TicketFilter{})
	if err != nil || len(all) != 260 {
		t.Fatalf("all: %d %v", len(all), err)
	}
	if got := searchFor(t, s, "s1", "1栋1单元101"); !slices.Equal(got, numbersOf(all)) {
		t.Errorf("260 tickets of one flat: %d, first %v", len(got), got[:min(3, len(got))])
	}
	keys := []string{}
	for i := range 80 {
		keys = append(keys, academy.SearchKeys(searchDir, fmt.Sprintf("GD-%d", 1000+i))...)
	}
	keys = append(keys, academy.SearchKeys(searchDir, "zx-7")...)
	many, err := s.ListTickets(ctx, "s1", academy.TicketFilter{Query: "…", Keys: keys})
	if got := numbersOf(many); err != nil || !slices.Equal(got, []string{"ZX-00007"}) {
		t.Errorf("%d tokens: %v %v", len(keys), got, err)
	}
	open, err := s.ListTickets(ctx, "s1", academy.TicketFilter{Open: true, Query: "1栋1单元101", Keys: academy.SearchKeys(searchDir, "1栋1单元101")})
	if got := numbersOf(open); err != nil || !slices.Equal(got, []string{"ZX-00250", "ZX-00200", "ZX-00150", "ZX-00100", "ZX-00050"}) {
		t.Errorf("open tickets of the flat: %v %v", got, err)
	}
}

// Schema 5 had no search index; opening the database builds it from the
// tickets' summaries.
func TestMigrationIndexesTicketSearch(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	rdb := raw(t, db)
	seedTickets(t, mongo.NewDeskStore(db), "s1", 30)
	if _, err := rdb.Collection("ticket_search").DeleteMany(ctx, bson.M{}); err != nil {
		t.Fatal(err)
	}
	if got := searchFor(t, mongo.NewDeskStore(db), "s1", "ZX-00012"); len(got) != 0 {
		t.Fatalf("found without an index: %v", got)
	}
	if _, err := rdb.Collection("meta").UpdateOne(ctx, bson.M{"_id": "schema"}, bson.M{"$set": bson.M{"version": 5}}); err != nil {
		t.Fatal(err)
	}
	again, err := mongo.Open(ctx, mongotest.URI(), db.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close(ctx)
	s := mongo.NewDeskStore(again)
	if got := searchFor(t, s, "s1", "ZX-00012"); !slices.Equal(got, []string{"ZX-00012"}) {
		t.Errorf("by number after the upgrade: %v", got)
	}
	if got := searchFor(t, s, "s1", "12"); !slices.Equal(got, []string{"ZX-00012"}) {
		t.Errorf("by the number's digits after the upgrade: %v", got)
	}
	if got := searchFor(t, s, "s1", "1-1-101"); len(got) != 30 {
		t.Errorf("by flat after the upgrade: %d tickets", len(got))
	}
}
