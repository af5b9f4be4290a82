package mongo_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/mongo"
	"github.com/academy/academy/internal/mongo/mongotest"
)

// seedTickets stores n tickets on site s, one in fifty still open, the way
// a site looks after a few years: many closed, few open.
func seedTickets(tb testing.TB, store *mongo.DeskStore, site string, n int) {
	tb.Helper()
	dir := &academy.Directory{Units: []academy.Unit{{ID: "1-1-101", Label: "1栋1单元101"}}}
	base := time.Now().Add(-time.Duration(n) * time.Hour)
	var ts []academy.Ticket
	for i := 1; i <= n; i++ {
		at := base.Add(time.Duration(i) * time.Hour)
		t, err := academy.CreateTicket(academy.ShippedRules(), academy.NewTicket{Type: academy.TypeInquiry, Title: fmt.Sprintf("咨询 %d", i), Unit: "1-1-101"}, dir,
			site, fmt.Sprintf("%s-%06d", site, i), academy.ShippedRules().TicketNumber(academy.TypeInquiry, i), "agent", at)
		if err != nil {
			tb.Fatal(err)
		}
		if i%50 != 0 {
			for _, step := range []academy.TicketAction{{Action: "answer", Version: 1, Fields: map[string]string{"answer": "已答复"}}, {Action: "close", Version: 2}} {
				if _, err := academy.Apply(t, step, "agent", at.Add(time.Minute)); err != nil {
					tb.Fatal(err)
				}
			}
		}
		ts = append(ts, *t)
	}
	if err := store.InsertTickets(context.Background(), ts); err != nil {
		tb.Fatal(err)
	}
}

func TestDeskStore(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	s := mongo.NewDeskStore(db)
	seedTickets(t, s, "s1", 120)
	seedTickets(t, s, "s2", 10)
	open, err := s.ListTickets(ctx, "s1", academy.TicketFilter{Open: true})
	if err != nil || len(open) != 2 {
		t.Fatalf("open queue: %d %v", len(open), err)
	}
	all, _ := s.ListTickets(ctx, "s1", academy.TicketFilter{})
	if len(all) != 120 || all[0].Number != "ZX-00120" {
		t.Fatalf("all: %d, first %s", len(all), all[0].Number)
	}
	// Workspace scoping: a ticket of s1 is not found as one of s2.
	if _, err := s.FindTicket(ctx, "s2", "s1-000050"); academy.ErrorCode(err) != academy.ENOTFOUND {
		t.Fatalf("cross-workspace read: %v", err)
	}
	tk, err := s.FindTicket(ctx, "s1", "s1-000050")
	if err != nil || !tk.Open() {
		t.Fatalf("find: %v", err)
	}
	// Two writers of the same version: one wins.
	a, b := *tk, *tk
	a.Events, b.Events = append([]academy.Event(nil), tk.Events...), append([]academy.Event(nil), tk.Events...)
	a.Fields, b.Fields = map[string]string{}, map[string]string{}
	academy.Apply(&a, academy.TicketAction{Action: "answer", Version: 1, Fields: map[string]string{"answer": "甲"}}, "x", time.Now())
	academy.Apply(&b, academy.TicketAction{Action: "answer", Version: 1, Fields: map[string]string{"answer": "乙"}}, "y", time.Now())
	if err := s.SaveTicket(ctx, &a); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveTicket(ctx, &b); academy.ErrorCode(err) != academy.ECONFLICT {
		t.Fatalf("second writer of version 2: %v", err)
	}
	got, _ := s.FindTicket(ctx, "s1", tk.ID)
	if got.Fields["answer"] != "甲" {
		t.Fatalf("stored %q", got.Fields["answer"])
	}
	// Closing removes it from the open list.
	academy.Apply(got, academy.TicketAction{Action: "close", Version: 2}, "x", time.Now())
	if err := s.SaveTicket(ctx, got); err != nil {
		t.Fatal(err)
	}
	if open, _ := s.ListTickets(ctx, "s1", academy.TicketFilter{Open: true}); len(open) != 1 {
		t.Fatalf("open after close: %d", len(open))
	}
	n1, _ := s.NextNumber(ctx, "s1")
	n2, _ := s.NextNumber(ctx, "s1")
	if n2 != n1+1 {
		t.Fatalf("numbers %d %d", n1, n2)
	}
}

// BenchmarkLiveQueue lists the open queue and searches all tickets of a
// site with 20,000 tickets on the embedded store: by number (the index),
// and by a flat that all of them share (one pass over the summaries).
func BenchmarkLiveQueue(b *testing.B) {
	ctx := context.Background()
	db := mongotest.Open(b)
	s := mongo.NewDeskStore(db)
	seedTickets(b, s, "big", 20000)
	b.Run("open-queue", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if l, err := s.ListTickets(ctx, "big", academy.TicketFilter{Open: true}); err != nil || len(l) != 400 {
				b.Fatal(len(l), err)
			}
		}
	})
	dir := &academy.Directory{Units: []academy.Unit{{ID: "1-1-101", Label: "1栋1单元101"}}}
	b.Run("search-all", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			f := academy.TicketFilter{Query: "ZX-01999", Keys: academy.SearchKeys(dir, "ZX-01999")}
			if l, err := s.ListTickets(ctx, "big", f); err != nil || len(l) != 1 {
				b.Fatal(len(l), err)
			}
		}
	})
	// Every ticket is of the same flat: more than the index answers
	// cheaply, so this is the one pass over the summaries instead.
	b.Run("search-many", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			f := academy.TicketFilter{Query: "1栋1单元101", Keys: academy.SearchKeys(dir, "1栋1单元101")}
			if l, err := s.ListTickets(ctx, "big", f); err != nil || len(l) != 500 {
				b.Fatal(len(l), err)
			}
		}
	})
	b.Run("open-ticket", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := s.FindTicket(ctx, "big", "big-019950"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestUpdateDirectory: a directory is written only at the version it was
// read at, so two administrators never overwrite each other; a directory
// stored before versions were counted is at version 0, and a wholesale
// replacement (the command line) still counts up.
func TestUpdateDirectory(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	store := mongo.NewDeskStore(db)
	one := &academy.Directory{Units: []academy.Unit{{ID: "1-1-101", Label: "1栋1单元101"}}}
	if err := store.UpdateDirectory(ctx, "fresh", one, 0); err != nil {
		t.Fatalf("first write: %v", err)
	}
	if err := store.UpdateDirectory(ctx, "fresh", one, 0); academy.ErrorCode(err) != academy.ECONFLICT {
		t.Fatalf("second write at version 0: %v", err)
	}
	d, err := store.FindDirectory(ctx, "fresh")
	if err != nil || d.Version != 1 || len(d.Units) != 1 {
		t.Fatalf("read back %+v %v", d, err)
	}
	d.Units = append(d.Units, academy.Unit{ID: "1-1-102", Label: "1栋1单元102"})
	if err := store.UpdateDirectory(ctx, "fresh", d, 1); err != nil {
		t.Fatal(err)
	}
	if err := store.UpdateDirectory(ctx, "fresh", one, 1); academy.ErrorCode(err) != academy.ECONFLICT {
		t.Fatalf("stale write: %v", err)
	}
	if err := store.SaveDirectory(ctx, "fresh", one); err != nil {
		t.Fatal(err)
	}
	if d, _ := store.FindDirectory(ctx, "fresh"); d.Version != 3 || len(d.Units) != 1 {
		t.Fatalf("after the wholesale replacement: version %d, %d units", d.Version, len(d.Units))
	}
	// A directory written before versions (no version field) is at 0.
	if _, err := raw(t, db).Collection("directories").InsertOne(ctx, map[string]any{"_id": "old", "units": []any{}}); err != nil {
		t.Fatal(err)
	}
	if err := store.UpdateDirectory(ctx, "old", one, 1); academy.ErrorCode(err) != academy.ECONFLICT {
		t.Fatalf("update of a directory without a version at version 1: %v", err)
	}
	if err := store.UpdateDirectory(ctx, "old", one, 0); err != nil {
		t.Fatalf("update of a directory without a version: %v", err)
	}
	if d, _ := store.FindDirectory(ctx, "old"); d.Version != 1 || len(d.Units) != 1 {
		t.Fatalf("old directory after update: %+v", d)
	}
}

// TestPostingsOfManyFlats: a second batch of tickets on the same 150 flats
// adds to 150 search postings that exist, which one update command of 150
// statements would stop the embedded store for (mongo.MaxUpdates); every
// flat then finds both its tickets.
func TestPostingsOfManyFlats(t *testing.T) {
	ctx := context.Background()
	s := mongo.NewDeskStore(mongotest.Open(t))
	const flats = 150
	dir := &academy.Directory{}
	for i := range flats {
		dir.Units = append(dir.Units, academy.Unit{ID: fmt.Sprintf("1-1-%d", 100+i), Label: fmt.Sprintf("1栋1单元%d", 100+i)})
	}
	at := time.Now().Add(-time.Hour)
	batch := func(round int) []academy.Ticket {
		var ts []academy.Ticket
		for i := range flats {
			seq := round*flats + i + 1
			tk, err := academy.CreateTicket(academy.ShippedRules(), academy.NewTicket{Type: academy.TypeInquiry, Title: "咨询", Unit: dir.Units[i].ID}, dir,
				"s1", fmt.Sprintf("s1-%06d", seq), academy.ShippedRules().TicketNumber(academy.TypeInquiry, seq), "agent", at)
			if err != nil {
				t.Fatal(err)
			}
			ts = append(ts, *tk)
		}
		return ts
	}
	for round := range 2 {
		done := make(chan error, 1)
		go func() { done <- s.InsertTickets(ctx, batch(round)) }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("batch %d: %v", round+1, err)
			}
		case <-time.After(time.Minute):
			t.Fatalf("batch %d was not stored within a minute: the store waits for a connection its command holds", round+1)
		}
	}
	for _, i := range []int{0, 77, flats - 1} {
		unit := dir.Units[i].ID
		got, err := s.ListTickets(ctx, "s1", academy.TicketFilter{Query: unit, Keys: academy.SearchKeys(dir, unit)})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 {
			t.Errorf("flat %s: %d tickets found, want 2", unit, len(got))
		}
	}
}
