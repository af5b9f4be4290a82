package mongo

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Server describes the database server, as it answers buildInfo and hello.
type Server struct {
	Product  string // "MongoDB" or "FerretDB"
	Version  string // the product's own version
	Topology string // "replica set", "sharded cluster" or "standalone"
}

// Atomic reports whether the server applies a write to one document
// atomically, which correctness under several instances rests on (a
// versioned replace, a conditional $set, an update with $min): MongoDB
// does. FerretDB v1 reads the document and writes it back without a lock,
// so two instances can both be told their write won while one is lost;
// the embedded store makes up for it by queueing its own writes.
func (s Server) Atomic() bool { return s.Product == "MongoDB" }

// Supported reports whether the server is a MongoDB the app is tested
// for: 6.0 or later.
func (s Server) Supported() bool {
	if !s.Atomic() {
		return false
	}
	major, _, _ := strings.Cut(s.Version, ".")
	n, err := strconv.Atoi(major)
	return err == nil && n >= 6
}

func (s Server) String() string { return s.Product + " " + s.Version + " (" + s.Topology + ")" }

// Server asks the server what it is. FerretDB reports MongoDB's version
// for the protocol it speaks, and its own as ferretdbVersion.
func (db *DB) Server(ctx context.Context) (Server, error) {
	var build struct {
		Version  string `bson:"version"`
		FerretDB string `bson:"ferretdbVersion"`
	}
	admin := db.client.Database("admin")
	if err := admin.RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&build); err != nil {
		return Server{}, fmt.Errorf("ask the database server for its version: %w", FormatError(err))
	}
	var hello struct {
		SetName string `bson:"setName"`
		Msg     string `bson:"msg"`
	}
	if err := admin.RunCommand(ctx, bson.D{{Key: "hello", Value: 1}}).Decode(&hello); err != nil {
		return Server{}, fmt.Errorf("ask the database server for its topology: %w", FormatError(err))
	}
	s := Server{Product: "MongoDB", Version: build.Version, Topology: "standalone"}
	if build.FerretDB != "" {
		s.Product, s.Version = "FerretDB", build.FerretDB
	}
	switch {
	case hello.Msg == "isdbgrid":
		s.Topology = "sharded cluster"
	case hello.SetName != "":
		s.Topology = "replica set"
	}
	return s, nil
}
