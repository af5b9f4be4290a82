package mongo_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	driver "go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/mongo"
	"github.com/academy/academy/internal/mongo/mongotest"
)

// A database of schema 1 has records whose summaries do not list right and
// wrong questions; opening it backfills them from the attempts.
func TestMigrationBackfillsRecordSummaries(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	rdb := raw(t, db)
	c := &clock{t: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}
	x := newExaminer(db, c)
	q := bank()
	a, err := x.Start(ctx, trainee, q, map[string]*academy.Quiz{"bank": q})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x.SaveAnswers(ctx, trainee, a.ID, map[string]academy.Response{"q1": {Choice: "b"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := x.Submit(ctx, trainee, a.ID); err != nil {
		t.Fatal(err)
	}
	// Back to how schema 1 wrote the record.
	if _, err := rdb.Collection("quiz_records").UpdateOne(ctx, bson.M{"_id": "wang"},
		bson.M{"$unset": bson.M{"quizzes.bank.attempts.1.right": "", "quizzes.bank.attempts.1.wrong": ""}}); err != nil {
		t.Fatal(err)
	}
	if _, err := rdb.Collection("meta").UpdateOne(ctx, bson.M{"_id": "schema"}, bson.M{"$set": bson.M{"version": 1}}); err != nil {
		t.Fatal(err)
	}
	sum := func(s *mongo.AttemptService) academy.AttemptSummary {
		rec, err := s.FindRecord(ctx, "wang")
		if err != nil {
			t.Fatal(err)
		}
		return rec.Quizzes["bank"].Attempts["1"]
	}
	if s := sum(mongo.NewAttemptService(db)); len(s.Right)+len(s.Wrong) != 0 {
		t.Fatalf("record still lists questions before the migration: %+v", s)
	}

	again, err := mongo.Open(ctx, mongotest.URI(), db.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close(ctx)
	s := sum(mongo.NewAttemptService(again))
	if !slices.Equal(s.Right, []string{"bank/q1"}) || len(s.Wrong) != 2 || !slices.Contains(s.Wrong, "bank/q3") {
		t.Fatalf("backfilled summary: right %v, wrong %v", s.Right, s.Wrong)
	}
	var meta struct {
		Version int `bson:"version"`
	}
	if err := rdb.Collection("meta").FindOne(ctx, bson.M{"_id": "schema"}).Decode(&meta); err != nil || meta.Version != mongo.SchemaVersion {
		t.Fatalf("schema version after opening: %d %v", meta.Version, err)
	}
}

// Finished runs stored before run_checks existed are counted after the
// upgrade; runs finished since are listed as they finish.
func TestRunChecksListedAndBackfilled(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	rdb := raw(t, db)
	runs := mongo.NewRunService(db)
	run := func(id, state string, passed bool) *academy.Run {
		return &academy.Run{ID: id, Username: "wang", Scenario: "water-leak", ScenarioTitle: "楼上漏水", State: state, Version: 1,
			Log: []academy.RunEntry{{Kind: "task", Checks: []academy.CheckResult{{Message: "没有派单", Lesson: "complaints/six-steps", Passed: passed}}}}}
	}
	// Written by an older version: in runs only.
	if _, err := rdb.Collection("runs").InsertOne(ctx, run("old", academy.RunFinished, false)); err != nil {
		t.Fatal(err)
	}
	// Through the store: one unfinished, one that finishes.
	if err := runs.InsertRun(ctx, run("open", academy.RunActive, false)); err != nil {
		t.Fatal(err)
	}
	done := run("done", academy.RunActive, true)
	if err := runs.InsertRun(ctx, done); err != nil {
		t.Fatal(err)
	}
	done.State, done.Version = academy.RunFinished, 2
	if err := runs.SaveRun(ctx, done); err != nil {
		t.Fatal(err)
	}
	byUser, err := runs.ListRunChecks(ctx, []string{"wang"})
	list := byUser["wang"]
	if err != nil || len(byUser) != 1 || len(list) != 1 || !list[0].Checks[0].Passed || list[0].Title != "楼上漏水" {
		t.Fatalf("checks before the upgrade: %+v, %v", list, err)
	}

	if _, err := rdb.Collection("meta").UpdateOne(ctx, bson.M{"_id": "schema"}, bson.M{"$set": bson.M{"version": 2}}); err != nil {
		t.Fatal(err)
	}
	again, err := mongo.Open(ctx, mongotest.URI(), db.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close(ctx)
	byUser, err = mongo.NewRunService(again).ListRunChecks(ctx, []string{"wang", "nobody"})
	list = byUser["wang"]
	if err != nil || len(byUser) != 1 || len(list) != 2 {
		t.Fatalf("checks after the upgrade: %+v, %v", list, err)
	}
	failed := 0
	for _, rc := range list {
		if !rc.Checks[0].Passed {
			failed++
		}
	}
	if failed != 1 {
		t.Fatalf("the old run's failed check is not counted: %+v", list)
	}
}

// Schema 3 wrote a marker document per write of a ticket, run or sandbox
// and never removed them; opening the database drops them.
func TestMigrationDropsVersionMarkers(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	rdb := raw(t, db)
	for _, name := range []string{"ticket_versions", "run_versions", "sandbox_versions"} {
		if _, err := rdb.Collection(name).InsertOne(ctx, bson.M{"_id": "x#2"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := rdb.Collection("meta").UpdateOne(ctx, bson.M{"_id": "schema"}, bson.M{"$set": bson.M{"version": 3}}); err != nil {
		t.Fatal(err)
	}
	again, err := mongo.Open(ctx, mongotest.URI(), db.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close(ctx)
	names, err := rdb.ListCollectionNames(ctx, bson.M{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"ticket_versions", "run_versions", "sandbox_versions"} {
		if slices.Contains(names, name) {
			t.Errorf("%s is still there after the upgrade", name)
		}
	}
	if v, err := again.StoredSchemaVersion(ctx); err != nil || v != mongo.SchemaVersion {
		t.Fatalf("schema after the upgrade: %d, %v", v, err)
	}
}

// Schema 4 stored open tickets' summaries without their SLA marks;
// opening the database adds them, so queues show bands at once.
func TestMigrationAddsTicketMarks(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	rdb := raw(t, db)
	seedTickets(t, mongo.NewDeskStore(db), "s1", 100) // two open
	if _, err := rdb.Collection("open_tickets").UpdateMany(ctx, bson.M{}, bson.M{"$unset": bson.M{"marks": ""}}); err != nil {
		t.Fatal(err)
	}
	if _, err := rdb.Collection("meta").UpdateOne(ctx, bson.M{"_id": "schema"}, bson.M{"$set": bson.M{"version": 4}}); err != nil {
		t.Fatal(err)
	}
	again, err := mongo.Open(ctx, mongotest.URI(), db.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close(ctx)
	open, err := mongo.NewDeskStore(again).ListTickets(ctx, "s1", academy.TicketFilter{Open: true})
	if err != nil || len(open) != 2 {
		t.Fatalf("open: %d, %v", len(open), err)
	}
	for _, s := range open {
		if len(s.Marks) != 2*len(academy.SLAMarks) || !s.BreachAt().Equal(s.Due) {
			t.Errorf("%s after the upgrade: marks %v, due %v", s.Number, s.Marks, s.Due)
		}
	}
}

// TestIndexesOnSQLite: on the embedded store, whose FerretDB reads no
// index but _id's, only unique indexes are made, and one made by an
// earlier version is dropped at the next start; MongoDB gets them all.
func TestIndexesOnSQLite(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	names := func(coll string) []string {
		t.Helper()
		specs, err := raw(t, db).Collection(coll).Indexes().ListSpecifications(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, s := range specs {
			out = append(out, s.Name)
		}
		slices.Sort(out)
		return out
	}
	want := []string{"_id_", "quiz_1_state_1", "username_1"}
	if !mongotest.External() {
		want = []string{"_id_"}
	}
	if got := names("attempts"); !slices.Equal(got, want) {
		t.Errorf("indexes of attempts: %v, want %v", got, want)
	}
	if got := names("users"); !slices.Contains(got, "employee_no_1") {
		t.Errorf("indexes of users: %v; the unique employee number is missing", got)
	}
	if mongotest.External() {
		return
	}
	// A database of an earlier version, which made them all.
	if _, err := raw(t, db).Collection("attempts").Indexes().CreateOne(ctx, driver.IndexModel{Keys: bson.D{{Key: "username", Value: 1}}}); err != nil {
		t.Fatal(err)
	}
	again, err := mongo.Open(ctx, mongotest.URI(), db.Name(), mongo.SingleWriter())
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close(ctx)
	if got := names("attempts"); !slices.Equal(got, []string{"_id_"}) {
		t.Errorf("indexes of attempts after a start: %v, want only _id_", got)
	}
}
