package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/ferret"
)

// Config is what every subcommand reads from flags, with environment
// variables as defaults, so that a flag and its variable mean the same
// everywhere.
type Config struct {
	Addr     string
	DataDir  string
	MongoURI string
	DBName   string
	Demo     bool
	Sync     string
	// AllowLostUpdates lets several instances write to a server whose
	// updates are not atomic (see openStore).
	AllowLostUpdates bool
	// TZ is the company's zone, the calendar of people on no site or on
	// several and of sites without their own; Zone is it loaded.
	TZ   string
	Zone *time.Location
	// Serving is set by serve: the other commands open the store for a
	// few seconds.
	Serving bool
}

func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

// flagSet prints its usage only on --help; errors are reported as one line
// by the caller.
type flagSet struct {
	*flag.FlagSet
	summary string
	out     io.Writer
}

func newFlagSet(name, summary string, out io.Writer) *flagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &flagSet{FlagSet: fs, summary: summary, out: out}
}

func (fs *flagSet) printUsage() {
	fmt.Fprintf(fs.out, "Usage: %s [flags]\n\n", fs.Name())
	if fs.summary != "" {
		fmt.Fprintf(fs.out, "%s\n\n", fs.summary)
	}
	fmt.Fprintln(fs.out, "Flags:")
	fs.SetOutput(fs.out)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// commonFlags registers the flags shared by all subcommands.
func commonFlags(fs *flagSet) (*Config, error) {
	demo, err := strconv.ParseBool(envOr("ACADEMY_DEMO", "false"))
	if err != nil {
		return nil, fmt.Errorf("ACADEMY_DEMO=%q is not a boolean", os.Getenv("ACADEMY_DEMO"))
	}
	lostUpdates, err := strconv.ParseBool(envOr("ACADEMY_ALLOW_LOST_UPDATES", "false"))
	if err != nil {
		return nil, fmt.Errorf("ACADEMY_ALLOW_LOST_UPDATES=%q is not a boolean", os.Getenv("ACADEMY_ALLOW_LOST_UPDATES"))
	}
	c := &Config{}
	fs.StringVar(&c.Addr, "addr", envOr("ACADEMY_ADDR", "127.0.0.1:8080"), "address to listen on (env ACADEMY_ADDR)")
	fs.StringVar(&c.DataDir, "data", envOr("ACADEMY_DATA", "./data"), "data directory for the embedded database (env ACADEMY_DATA)")
	fs.StringVar(&c.MongoURI, "mongo-uri", envOr("MONGODB_URI", ""), "MongoDB connection string; empty starts the embedded database (env MONGODB_URI)")
	fs.StringVar(&c.DBName, "db", envOr("ACADEMY_DB", "academy"), "database name (env ACADEMY_DB)")
	fs.StringVar(&c.Sync, "db-sync", envOr("ACADEMY_DB_SYNC", string(ferret.SyncNormal)), "embedded database: normal forces writes to disk at checkpoints, full at every commit (slower; survives power loss with nothing lost) (env ACADEMY_DB_SYNC)")
	// Only serve has the flag (site add's --tz is the site's own zone);
	// the other commands read the variable, for the dates they check.
	c.TZ = envOr("ACADEMY_TZ", academy.DefaultZone)
	fs.BoolVar(&c.AllowLostUpdates, "allow-lost-updates", lostUpdates, "with --mongo-uri on a server that is not MongoDB (FerretDB): run even while another instance writes to the same database. Such a server does not update a document atomically, so two instances can both be told they won the same change and one write is lost; without this flag one instance writes at a time and the others refuse to start (env ACADEMY_ALLOW_LOST_UPDATES)")
	fs.BoolVar(&c.Demo, "demo", demo, "create the demo site and one account per role at first start (env ACADEMY_DEMO)")
	return c, nil
}

// parse parses args and checks for leftovers.
func parse(fs *flagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			fs.printUsage()
			return err
		}
		return fmt.Errorf("%s: %v (see %s --help)", fs.Name(), err, fs.Name())
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%s: unexpected argument %q (see %s --help)", fs.Name(), fs.Arg(0), fs.Name())
	}
	return nil
}

func (c *Config) validate() error {
	if strings.TrimSpace(c.DBName) == "" || strings.ContainsAny(c.DBName, `/\. "$`) {
		return fmt.Errorf("--db %q: a database name cannot be empty or contain / \\ . space \" $", c.DBName)
	}
	if c.MongoURI == "" && strings.TrimSpace(c.DataDir) == "" {
		return fmt.Errorf("--data: required when no --mongo-uri is given")
	}
	zone, err := academy.LoadZone("--tz", c.TZ)
	if err != nil {
		return fmt.Errorf("--tz / ACADEMY_TZ %q: want a time zone name such as Asia/Shanghai or Asia/Urumqi (env ACADEMY_TZ)", c.TZ)
	}
	c.Zone = zone
	if _, err := ferret.ParseSync(c.Sync); err != nil {
		return fmt.Errorf("--db-sync: %v", err)
	}
	if c.MongoURI != "" && !strings.HasPrefix(c.MongoURI, "mongodb://") && !strings.HasPrefix(c.MongoURI, "mongodb+srv://") {
		return fmt.Errorf("--mongo-uri: must start with mongodb:// or mongodb+srv://")
	}
	return nil
}
