package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Workloads.
const (
	mixRealistic = "realistic"
	mixExam      = "exam"
	mixLesson    = "lesson"
)

// config is everything a load run needs; flags fill it in main, tests
// build it directly.
type config struct {
	CPUProfile      string
	BaseURL         string
	Admin, Password string
	Prefix, Site    string
	Trainees        int
	Managers        int
	Mix             string
	Duration        time.Duration
	ThinkMin        time.Duration
	ThinkMax        time.Duration
	Quiz            string
	Spread          time.Duration
	Concurrency     int
	LessonPath      string
	BareDuration    time.Duration
	SeedConcurrency int
	// MetricsToken is the server's metrics token (--metrics-token), for
	// reading its CPU time from another machine.
	MetricsToken string
	Timeout      time.Duration
}

func (c *config) validate() error {
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("-url: %q is not an http(s) base URL", c.BaseURL)
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.Admin == "" {
		return fmt.Errorf("-admin: required")
	}
	if c.Password == "" {
		return fmt.Errorf("the admin password is read from the environment variable ACADEMY_LOAD_PASSWORD, which is empty")
	}
	// The seeded names are <prefix>-t00001 and must pass the server's
	// username rule (at most 32 characters).
	if !regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,23}$`).MatchString(c.Prefix) {
		return fmt.Errorf("-prefix: 1–24 letters, digits, '.', '_' or '-', starting with a letter or digit")
	}
	if !regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`).MatchString(c.Site) {
		return fmt.Errorf("-site: lowercase letters, digits and '-'")
	}
	switch c.Mix {
	case mixRealistic, mixExam, mixLesson:
	default:
		return fmt.Errorf("-mix: %q is not one of realistic, exam, lesson", c.Mix)
	}
	if c.Trainees < 1 || c.Trainees > 99999 {
		return fmt.Errorf("-n: 1 to 99999 trainees")
	}
	if c.Managers < 0 || c.Managers > 999 {
		return fmt.Errorf("-managers: 0 to 999")
	}
	if c.Duration <= 0 || c.Spread < 0 || c.BareDuration < 0 || c.Timeout <= 0 {
		return fmt.Errorf("-duration and -timeout must be positive, -spread and -bare not negative")
	}
	if c.ThinkMin < 0 || c.ThinkMax < c.ThinkMin {
		return fmt.Errorf("-think-min and -think-max: 0 <= min <= max")
	}
	if c.Concurrency < 1 || c.SeedConcurrency < 1 {
		return fmt.Errorf("-concurrency and -seed-concurrency: at least 1")
	}
	if c.Quiz == "" || !strings.HasPrefix(c.LessonPath, "/") {
		return fmt.Errorf("-quiz: required; -lesson: a path starting with /")
	}
	return nil
}

// run measures the bare Fiber baseline, seeds the accounts, runs the chosen
// mix and prints a report per phase and a summary. It returns an error
// only when the run could not happen (seeding failed, bad input); failed
// requests of the mix are counted in the summary.
func run(ctx context.Context, cfg config, out io.Writer) (*summary, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	c := &client{base: cfg.BaseURL, hc: newHTTPClient(cfg.Timeout)}
	defer c.hc.CloseIdleConnections()
	sum := &summary{Mix: cfg.Mix, Concurrency: cfg.Concurrency}

	if cfg.BareDuration > 0 {
		fmt.Fprintf(out, "measuring a bare Fiber handler for %s with %d workers…\n", cfg.BareDuration, cfg.Concurrency)
		r, report, err := measureBareFiber(ctx, c.hc, cfg.Concurrency, cfg.BareDuration)
		if err != nil {
			return nil, fmt.Errorf("bare Fiber baseline: %w", err)
		}
		sum.Bare = &r
		sum.add(report)
		report.print(out)
	}

	trainees, managers := cfg.Trainees, cfg.Managers
	switch cfg.Mix {
	case mixLesson:
		trainees, managers = 1, 0 // one logged-in trainee is what the page costs
	case mixExam:
		managers = 0
	}
	fmt.Fprintf(out, "seeding %d trainees and %d managers (prefix %s, site %s) on %s…\n", trainees, managers, cfg.Prefix, cfg.Site, cfg.BaseURL)
	seedRec := newRecorder("seed")
	stopProgress := progress(out, seedRec, 15*time.Second)
	accts, err := seed(ctx, c, seedRec, cfg, trainees, managers)
	if err == nil && cfg.Mix == mixExam {
		err = prepareExam(ctx, c, seedRec, cfg, accts.trainees)
	}
	stopProgress()
	seedReport := seedRec.report()
	sum.add(seedReport)
	seedReport.print(out)
	if err != nil {
		return sum, fmt.Errorf("seeding: %w", err)
	}

	rec := newRecorder(cfg.Mix)
	stopProgress = progress(out, rec, 30*time.Second)
	switch cfg.Mix {
	case mixRealistic:
		fmt.Fprintf(out, "realistic mix: %d trainees, %d managers, think %s–%s, for %s…\n", len(accts.trainees), len(accts.managers), cfg.ThinkMin, cfg.ThinkMax, cfg.Duration)
		runRealistic(ctx, c, rec, cfg, accts)
	case mixExam:
		fmt.Fprintf(out, "exam mix: %d trainees start %s within %s…\n", len(accts.trainees), cfg.Quiz, cfg.Spread)
		cpu := startCPU(ctx, c.hc, cfg.BaseURL, cfg.MetricsToken)
		sum.Notes = append(sum.Notes, runExam(ctx, c, rec, cfg, accts.trainees).String())
		sum.Work = &serverWork{Unit: "exam-taker", Count: len(accts.trainees)}
		sum.Work.CPU, sum.Work.Err = cpu.used(ctx)
	case mixLesson:
		fmt.Fprintf(out, "lesson mix: %d workers request %s for %s…\n", cfg.Concurrency, cfg.LessonPath, cfg.Duration)
		cpu := startCPU(ctx, c.hc, cfg.BaseURL, cfg.MetricsToken)
		r := runLesson(ctx, c, rec, cfg, accts.trainees[0].Token)
		sum.Lesson = &r
		sum.Work = &serverWork{Unit: "lesson page", Count: r.Requests}
		sum.Work.CPU, sum.Work.Err = cpu.used(ctx)
	}
	stopProgress()
	mixReport := rec.report()
	sum.add(mixReport)
	mixReport.print(out)
	sum.print(out)
	return sum, nil
}
