// Command ferretdb serves FerretDB on PostgreSQL for CI's run of the tests
// against a MongoDB-compatible server that is not MongoDB. It is built
// from the FerretDB module in go.mod, the version the embedded store runs.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27018", "address to serve the MongoDB protocol on")
	pg := flag.String("postgresql-url", "postgres://localhost:5432/ferretdb", "PostgreSQL database to store in")
	flag.Parse()
	f, err := ferretdb.New(&ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: *listen},
		// Quiet: it logs every refused insert (a duplicate key, which the
		// tests provoke on purpose) as an error; failures show in the tests.
		Logger:        slog.New(slog.DiscardHandler),
		Handler:       "postgresql",
		PostgreSQLURL: *pg,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb:", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	f.Run(ctx)
}
