// Command academy-load drives a running Academy server over its HTTP API
// with simulated trainees and managers, and reports per-endpoint
// throughput, latency percentiles and errors.
//
// It seeds its own accounts through the admin API, so it needs an admin
// account: -admin names it and the password comes from the environment
// variable ACADEMY_LOAD_PASSWORD only (a flag would show it in ps).
//
//	ACADEMY_LOAD_PASSWORD=... academy-load -url http://127.0.0.1:8080 -admin admin -mix lesson -duration 10s
//	ACADEMY_LOAD_PASSWORD=... academy-load -mix exam -n 1000 -spread 10s
//	ACADEMY_LOAD_PASSWORD=... academy-load -mix realistic -n 5000 -managers 5 -duration 5m
//
// The exam and lesson mixes read the server's process CPU time from its
// /metrics before and after, and report it per exam-taker or page as a
// multiple of the CPU time of one bare Fiber request. /metrics answers
// the server's own machine; from elsewhere, put the server's metrics
// token in ACADEMY_LOAD_METRICS_TOKEN.
//
// It exits with status 1 when any request failed (a transport error or an
// unexpected status of 400 and up), so it can gate a CI job.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"
)

func main() {
	if os.Getenv(bareServerEnv) != "" {
		os.Exit(serveBare(os.Stdin, os.Stdout))
	}
	os.Exit(runMain(os.Args[1:], os.Stdout, os.Stderr))
}

// runMain parses the command line and runs the load; it returns the exit
// status.
func runMain(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "academy-load:", err)
		return 2
	}
	if cfg.CPUProfile != "" {
		f, err := os.Create(cfg.CPUProfile)
		if err != nil {
			fmt.Fprintln(stderr, "academy-load:", err)
			return 2
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(stderr, "academy-load:", err)
			return 2
		}
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	sum, err := run(ctx, cfg, stdout)
	if err != nil {
		fmt.Fprintln(stderr, "academy-load:", err)
		return 1
	}
	if n := sum.Errors(); n > 0 {
		fmt.Fprintf(stderr, "academy-load: %d requests failed\n", n)
		return 1
	}
	return 0
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	cfg := defaultConfig()
	fs := flag.NewFlagSet("academy-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: ACADEMY_LOAD_PASSWORD=<admin password> academy-load [flags]")
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.BaseURL, "url", cfg.BaseURL, "base URL of the running server")
	fs.StringVar(&cfg.Admin, "admin", cfg.Admin, "admin account that seeds the load accounts (password from env ACADEMY_LOAD_PASSWORD)")
	fs.StringVar(&cfg.Prefix, "prefix", cfg.Prefix, "username prefix of the seeded accounts; the time-based default keeps reruns apart")
	fs.StringVar(&cfg.Site, "site", cfg.Site, "site (物业项目) the seeded accounts belong to; created if missing")
	fs.IntVar(&cfg.Trainees, "n", cfg.Trainees, "number of simulated trainees (the lesson mix uses one)")
	fs.IntVar(&cfg.Managers, "managers", cfg.Managers, "number of simulated managers opening dashboards (realistic mix)")
	fs.StringVar(&cfg.Mix, "mix", cfg.Mix, "workload: realistic, exam or lesson")
	fs.DurationVar(&cfg.Duration, "duration", cfg.Duration, "how long the realistic and lesson mixes run")
	fs.DurationVar(&cfg.ThinkMin, "think-min", cfg.ThinkMin, "shortest pause between two actions of a simulated user (realistic)")
	fs.DurationVar(&cfg.ThinkMax, "think-max", cfg.ThinkMax, "longest pause between two actions of a simulated user (realistic)")
	fs.StringVar(&cfg.Quiz, "quiz", cfg.Quiz, "quiz every trainee takes in the exam mix")
	fs.DurationVar(&cfg.Spread, "spread", cfg.Spread, "window within which all trainees start the exam")
	fs.IntVar(&cfg.Concurrency, "concurrency", cfg.Concurrency, "closed-loop workers of the lesson mix and the bare Fiber baseline")
	fs.StringVar(&cfg.LessonPath, "lesson", cfg.LessonPath, "page the lesson mix requests")
	fs.DurationVar(&cfg.BareDuration, "bare", cfg.BareDuration, "how long to measure the bare Fiber baseline (0 skips it)")
	fs.IntVar(&cfg.SeedConcurrency, "seed-concurrency", cfg.SeedConcurrency, "parallel account creations and logins while seeding")
	fs.DurationVar(&cfg.Timeout, "timeout", cfg.Timeout, "timeout of one request")
	// The client shares the machine with the server it measures; where
	// its own time goes says how much of a rate is the instrument's.
	fs.StringVar(&cfg.CPUProfile, "cpuprofile", "", "write a CPU profile of this client (not the server) to the file")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	cfg.Password = os.Getenv("ACADEMY_LOAD_PASSWORD")
	cfg.MetricsToken = os.Getenv("ACADEMY_LOAD_METRICS_TOKEN")
	return cfg, cfg.validate()
}

// defaultConfig is the configuration before flags: the realistic mix with
// a prefix unique to this minute and second.
func defaultConfig() config {
	return config{
		BaseURL:         "http://127.0.0.1:8080",
		Admin:           "admin",
		Prefix:          "load" + time.Now().Format("0102150405"),
		Site:            "load",
		Trainees:        100,
		Managers:        5,
		Mix:             mixRealistic,
		Duration:        time.Minute,
		ThinkMin:        30 * time.Second,
		ThinkMax:        90 * time.Second,
		Quiz:            "ethics",
		Spread:          10 * time.Second,
		Concurrency:     32,
		LessonPath:      "/courses/ethics/lessons/owner-privacy",
		BareDuration:    3 * time.Second,
		SeedConcurrency: 8,
		Timeout:         60 * time.Second,
	}
}
