package mongo_test

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	driver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/mongo"
	"github.com/academy/academy/internal/mongo/mongotest"
)

// raw opens the test's database with the bare driver, to look at stored
// documents the way another process (or an older version) wrote them.
func raw(t *testing.T, db *mongo.DB) *driver.Database {
	t.Helper()
	c, err := driver.Connect(options.Client().ApplyURI(mongotest.URI()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	return c.Database(db.Name())
}

// frozenCount is how many question contents are stored.
func frozenCount(t *testing.T, rdb *driver.Database) int64 {
	t.Helper()
	n, err := rdb.Collection("frozen_questions").CountDocuments(context.Background(), bson.M{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAttemptsStoreQuestionsByReference(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	rdb := raw(t, db)
	c := &clock{t: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}
	x := newExaminer(db, c)
	// Reversing is a shuffle that moves every option, so a lost order shows.
	x.Shuffle = func(n int, swap func(i, j int)) {
		for i := 0; i < n/2; i++ {
			swap(i, n-1-i)
		}
	}
	q := bank()
	all := map[string]*academy.Quiz{"bank": q}

	a, err := x.Start(ctx, trainee, q, all)
	if err != nil {
		t.Fatal(err)
	}
	if got := a.Question("q1").Options; got[0].ID != "c" {
		t.Fatalf("test shuffle did not reverse the options: %+v", got)
	}
	var stored bson.M
	if err := rdb.Collection("attempts").FindOne(ctx, bson.M{"_id": a.ID}).Decode(&stored); err != nil {
		t.Fatal(err)
	}
	if stored["questions"] != nil {
		t.Fatalf("attempt stores its questions inline: %v", stored["questions"])
	}
	// The references are packed into one binary value, with the answers
	// and grades once there are some.
	packed, _ := stored["packed"].(bson.Binary)
	var refs struct {
		Refs []bson.M `bson:"refs"`
	}
	if err := bson.Unmarshal(packed.Data, &refs); err != nil || len(refs.Refs) != 3 || stored["refs"] != nil || stored["answers"] != nil {
		t.Fatalf("attempt stored as %v (packed: %v, %v), want 3 packed refs", stored, refs, err)
	}
	count := func() int64 { return frozenCount(t, rdb) }
	if n := count(); n != 3 {
		t.Fatalf("frozen questions after one attempt = %d, want 3", n)
	}

	// Another learner's attempt shares the stored content, whatever the
	// order its options are shown in.
	other := &academy.User{ID: "li", Username: "li", Status: academy.StatusActive}
	x.Shuffle = func(int, func(i, j int)) {}
	b, err := x.Start(ctx, other, q, all)
	if err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 3 {
		t.Fatalf("frozen questions after a second attempt = %d, want still 3", n)
	}

	// A process that has never seen the content (empty memory) reads the
	// attempt as it was started: same questions, same option order.
	fresh := mongo.NewAttemptService(db)
	for _, want := range []*academy.Attempt{a, b} {
		got, err := fresh.FindAttempt(ctx, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Questions, want.Questions) {
			t.Fatalf("attempt %s read back:\n got %+v\nwant %+v", want.ID, got.Questions, want.Questions)
		}
	}

	// Graded from the referenced keys, and still readable when closed.
	if _, err := x.SaveAnswers(ctx, trainee, a.ID, map[string]academy.Response{"q1": {Choice: "b"}, "q2": {Bool: new(true)}, "q3": {Order: []string{"x", "y", "z"}}}); err != nil {
		t.Fatal(err)
	}
	done, err := x.Submit(ctx, trainee, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if done.Percent != 100 {
		t.Fatalf("answers from the key scored %v%%", done.Percent)
	}
	closed, err := fresh.FindAttempt(ctx, a.ID)
	if err != nil || closed.Question("q3") == nil || closed.Question("q3").Key.Order[2] != "z" {
		t.Fatalf("closed attempt read back: %+v, %v", closed, err)
	}
}

func TestAttemptsWithInlineQuestionsStillRead(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	rdb := raw(t, db)
	q := bank()
	// The shape attempts were stored in before they held references.
	old := &academy.Attempt{ID: "old-attempt", Username: "wang", Quiz: "bank", State: academy.AttemptSubmitted, Number: 1,
		StartedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Percent: 50,
		Results: []academy.QuestionResult{{ID: "q1", Max: 1, Answered: true}}}
	for _, qq := range q.Questions {
		old.Questions = append(old.Questions, academy.AttemptQuestion{Question: qq, Source: "bank", Version: qq.Version()})
	}
	if _, err := rdb.Collection("attempts").InsertOne(ctx, old); err != nil {
		t.Fatal(err)
	}
	s := mongo.NewAttemptService(db)
	got, err := s.FindAttempt(ctx, "old-attempt")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Questions, old.Questions) {
		t.Fatalf("inline questions read back as %+v", got.Questions)
	}
	list, err := s.ListFinishedAttempts(ctx, "bank")
	if err != nil || len(list) != 1 || len(list[0].Questions) != 3 {
		t.Fatalf("finished attempts of the bank: %v, %v", list, err)
	}
}

func TestAttemptWithMissingQuestionContent(t *testing.T) {
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
	if _, err := rdb.Collection("frozen_questions").DeleteMany(ctx, bson.M{}); err != nil {
		t.Fatal(err)
	}
	_, err = mongo.NewAttemptService(db).FindAttempt(ctx, a.ID)
	if academy.ErrorCode(err) != academy.EINTERNAL || !strings.Contains(err.Error(), a.ID) || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("reading an attempt whose question content is gone: %v", err)
	}
}

// TestMatchingQuestionStoredOnce: a matching question's key is a map,
// which BSON writes in no fixed order. Its content must still get one
// digest, or every attempt stores (and every process caches) a copy.
func TestMatchingQuestionStoredOnce(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	rdb := raw(t, db)
	c := &clock{t: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}
	pairs := map[string]string{}
	var items, opts []academy.Option
	for i := range 6 {
		id := fmt.Sprintf("item%d", i)
		items = append(items, academy.Option{ID: id, Text: id})
		opts = append(opts, academy.Option{ID: fmt.Sprintf("o%d", i), Text: "o"})
		pairs[id] = fmt.Sprintf("o%d", i)
	}
	q := &academy.Quiz{Slug: "match", Title: "配对", PassMark: 60, Layout: academy.LayoutOnePage, Review: academy.ReviewExplanations, Status: academy.CourseActive,
		Questions: []academy.Question{{ID: "m1", Type: academy.QMatching, Points: 1, Prompt: "p", Items: items, Options: opts, Key: academy.Key{Pairs: pairs}}}}
	all := map[string]*academy.Quiz{"match": q}
	for i := range 8 {
		// A new service each time: one process remembers what it stored.
		x := &academy.Examiner{Attempts: mongo.NewAttemptService(db), Now: c.Now}
		u := &academy.User{ID: fmt.Sprintf("u%d", i), Username: fmt.Sprintf("u%d", i), Status: academy.StatusActive}
		a, err := x.Start(ctx, u, q, all)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := x.Submit(ctx, u, a.ID); err != nil {
			t.Fatal(err)
		}
	}
	n, err := rdb.Collection("frozen_questions").CountDocuments(ctx, bson.M{})
	if err != nil || n != 1 {
		t.Fatalf("one matching question stored %d times (%v), want once", n, err)
	}
}

// TestAttemptsWithUnpackedRefsStillRead: attempts closed before packing
// hold their references, answers and grades as fields of their own.
func TestAttemptsWithUnpackedRefsStillRead(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	rdb := raw(t, db)
	c := &clock{t: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}
	x := newExaminer(db, c)
	q := bank()
	all := map[string]*academy.Quiz{"bank": q}
	a, err := x.Start(ctx, trainee, q, all)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x.SaveAnswers(ctx, trainee, a.ID, map[string]academy.Response{"q1": {Choice: "b"}}); err != nil {
		t.Fatal(err)
	}
	done, err := x.Submit(ctx, trainee, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Rewrite it in the shape of before: the packed fields unpacked.
	var stored bson.M
	if err := rdb.Collection("attempts").FindOne(ctx, bson.M{"_id": a.ID}).Decode(&stored); err != nil {
		t.Fatal(err)
	}
	var packed bson.M
	if err := bson.Unmarshal(stored["packed"].(bson.Binary).Data, &packed); err != nil {
		t.Fatal(err)
	}
	delete(stored, "packed")
	maps.Copy(stored, packed)
	if _, err := rdb.Collection("attempts").ReplaceOne(ctx, bson.M{"_id": a.ID}, stored); err != nil {
		t.Fatal(err)
	}
	got, err := mongo.NewAttemptService(db).FindAttempt(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Questions, done.Questions) || !reflect.DeepEqual(got.Answers, done.Answers) || !reflect.DeepEqual(got.Results, done.Results) || got.Percent != done.Percent {
		t.Fatalf("unpacked attempt read back as\n%+v\nwant\n%+v", got, done)
	}
}

// TestEditedQuestionKeepsItsContent: a process remembers the digest of
// each question by bank, id and version, so an edit of a question (same
// id, new content) must store and show the new content, while attempts
// started before the edit keep the old one, in this process and in one
// that learnt the digests by reading attempts back.
func TestEditedQuestionKeepsItsContent(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	rdb := raw(t, db)
	c := &clock{t: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}
	x := newExaminer(db, c)
	before := bank()
	after := bank()
	after.Questions[0].Prompt = "改过的题干"
	after.Questions[0].Key.Choice = "c"
	learner := func(id string) *academy.User {
		return &academy.User{ID: id, Username: id, Status: academy.StatusActive}
	}
	start := func(x *academy.Examiner, who string, q *academy.Quiz) *academy.Attempt {
		t.Helper()
		a, err := x.Start(ctx, learner(who), q, map[string]*academy.Quiz{"bank": q})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	old := start(x, "zhao", before)
	edited := start(x, "qian", after)
	frozen := func() int64 { return frozenCount(t, rdb) }
	if n := frozen(); n != 4 {
		t.Fatalf("frozen questions after an edit of one = %d, want 4", n)
	}
	check := func(s academy.AttemptService, id, prompt, key string) {
		t.Helper()
		got, err := s.FindAttempt(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if q := got.Question("q1"); q == nil || q.Prompt != prompt || q.Key.Choice != key {
			t.Fatalf("attempt %s shows q1 as %+v, want prompt %q and key %q", id, q, prompt, key)
		}
	}
	check(x.Attempts, old.ID, "p", "b")
	check(x.Attempts, edited.ID, "改过的题干", "c")

	// A process that learnt the digests by reading both attempts starts
	// and closes new ones with the right content, and stores nothing new.
	fresh := mongo.NewAttemptService(db)
	check(fresh, old.ID, "p", "b")
	check(fresh, edited.ID, "改过的题干", "c")
	y := &academy.Examiner{Attempts: fresh, Now: c.Now}
	for _, tc := range []struct {
		who       string
		quiz      *academy.Quiz
		prompt    string
		key, resp string
	}{{"sun", before, "p", "b", "b"}, {"li", after, "改过的题干", "c", "c"}} {
		a := start(y, tc.who, tc.quiz)
		if _, err := y.SaveAnswers(ctx, learner(tc.who), a.ID, map[string]academy.Response{"q1": {Choice: tc.resp}}); err != nil {
			t.Fatal(err)
		}
		done, err := y.Submit(ctx, learner(tc.who), a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r := done.Result("q1"); r == nil || r.Score != 1 {
			t.Fatalf("%s's answer %q to q1 graded %+v, want full marks", tc.who, tc.resp, r)
		}
		check(mongo.NewAttemptService(db), a.ID, tc.prompt, tc.key)
	}
	if n := frozen(); n != 4 {
		t.Fatalf("frozen questions after two more attempts = %d, want still 4", n)
	}
}
