package mongo_test

import (
	"context"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	driver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/academy/academy/internal/mongo"
	"github.com/academy/academy/internal/mongo/mongotest"
)

// TestClientOptions: writes wait for a journaled majority and reads go to
// the primary, unless the connection string says otherwise.
func TestClientOptions(t *testing.T) {
	for _, c := range []struct {
		uri         string
		w           any
		journal     bool
		readPrimary bool
	}{
		{"mongodb://db1,db2/?replicaSet=rs0", writeconcern.WCMajority, true, true},
		{"mongodb://db1/?w=1", 1, false, true},
		{"mongodb://db1/?journal=false", nil, false, true},
		{"mongodb://db1/?readPreference=secondaryPreferred", writeconcern.WCMajority, true, false},
	} {
		opts, err := mongo.ClientOptions(c.uri)
		if err != nil {
			t.Fatal(err)
		}
		wc := opts.WriteConcern
		var w any
		journal := false
		if wc != nil {
			w = wc.W
			journal = wc.Journal != nil && *wc.Journal
		}
		if w != c.w || journal != c.journal {
			t.Errorf("%s: write concern w=%v j=%v, want w=%v j=%v", c.uri, w, journal, c.w, c.journal)
		}
		if primary := opts.ReadPreference != nil && opts.ReadPreference.Mode() == readpref.PrimaryMode; primary != c.readPrimary {
			t.Errorf("%s: read preference %v, want primary %v", c.uri, opts.ReadPreference, c.readPrimary)
		}
	}
	if _, err := mongo.ClientOptions("mongodb://db1/?w=majority&journal=maybe"); err == nil {
		t.Error("a malformed connection string was accepted")
	}
}

// TestWritesCarryMajority: the commands the app sends ask for the
// majority, as the server sees them.
func TestWritesCarryMajority(t *testing.T) {
	opts, err := mongo.ClientOptions(mongotest.URI())
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var concerns []bson.Raw
	opts.SetMonitor(&event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		if e.CommandName == "insert" {
			mu.Lock()
			concerns = append(concerns, e.Command.Lookup("writeConcern").Document())
			mu.Unlock()
		}
	}})
	client, err := driver.Connect(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(context.Background())
	db := client.Database(mongotest.Name(t))
	defer db.Drop(context.Background())
	if _, err := db.Collection("probe").InsertOne(context.Background(), bson.M{"_id": "probe"}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(concerns) != 1 || concerns[0].Lookup("w").StringValue() != "majority" || !concerns[0].Lookup("j").Boolean() {
		t.Fatalf("insert sent write concern %v, want {w: majority, j: true}", concerns)
	}
}
