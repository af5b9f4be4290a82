package main

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

// recorder collects the latency and outcome of every request of one phase.
// Every simulated user writes to it, hence the lock; the work under the
// lock is an append.
type recorder struct {
	name  string
	start time.Time

	mu     sync.Mutex
	routes map[string]*routeLog
	total  int
	failed int
}

type routeLog struct {
	latencies []time.Duration
	errors    map[string]int    // by kind: a status ("503"), "timeout", "transport", "bad body"
	samples   map[string]string // the first message of each kind, not thousands of copies
}

func newRecorder(name string) *recorder {
	return &recorder{name: name, start: time.Now(), routes: map[string]*routeLog{}}
}

// add records one request; kind is empty for a success, else the class of
// failure, and problem its message.
func (r *recorder) add(route string, took time.Duration, kind, problem string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	l := r.routes[route]
	if l == nil {
		l = &routeLog{errors: map[string]int{}, samples: map[string]string{}}
		r.routes[route] = l
	}
	l.latencies = append(l.latencies, took)
	r.total++
	if kind != "" {
		r.failed++
		l.errors[kind]++
		if _, ok := l.samples[kind]; !ok {
			l.samples[kind] = problem
		}
	}
}

// counts returns the requests and errors so far.
func (r *recorder) counts() (total, failed int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.total, r.failed
}

// report summarises the phase up to now.
func (r *recorder) report() phaseReport {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := phaseReport{Name: r.name, Elapsed: time.Since(r.start)}
	for route, l := range r.routes {
		lat := slices.Clone(l.latencies)
		slices.Sort(lat)
		rs := routeStats{
			Route: route, Count: len(lat), PerSec: float64(len(lat)) / p.Elapsed.Seconds(),
			P50: percentile(lat, 50), P95: percentile(lat, 95), P99: percentile(lat, 99),
		}
		for kind, n := range l.errors {
			rs.Errors += n
			rs.Kinds = append(rs.Kinds, errorKind{Kind: kind, Count: n, Sample: l.samples[kind]})
		}
		slices.SortFunc(rs.Kinds, func(a, b errorKind) int { return b.Count - a.Count })
		p.Routes = append(p.Routes, rs)
	}
	slices.SortFunc(p.Routes, func(a, b routeStats) int { return strings.Compare(a.Route, b.Route) })
	return p
}

// percentile returns the nearest-rank percentile of sorted durations.
func percentile(sorted []time.Duration, pct int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*pct + 99) / 100 // ceil(n·p/100), 1-based
	return sorted[max(i, 1)-1]
}

// progress prints the phase's counts every so often until the returned
// function is called, so that a run of minutes shows it is alive.
func progress(out io.Writer, r *recorder, every time.Duration) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				n, failed := r.counts()
				fmt.Fprintf(out, "  %s: %s elapsed, %s requests, %d errors\n", r.name, time.Since(r.start).Round(time.Second), thousands(float64(n)), failed)
			}
		}
	}()
	return func() { close(done); <-finished }
}

// routeStats is one line of a phase report.
type routeStats struct {
	Route         string
	Count, Errors int
	PerSec        float64
	P50, P95, P99 time.Duration
	Kinds         []errorKind // most frequent first
}

// errorKind counts one class of failure of a route, with an example.
type errorKind struct {
	Kind   string
	Count  int
	Sample string
}

// phaseReport is what one phase (seeding, a mix) measured.
type phaseReport struct {
	Name    string
	Elapsed time.Duration
	Routes  []routeStats
}

func (p phaseReport) errors() int {
	n := 0
	for _, r := range p.Routes {
		n += r.Errors
	}
	return n
}

func (p phaseReport) requests() int {
	n := 0
	for _, r := range p.Routes {
		n += r.Count
	}
	return n
}

// route returns the stats of a route, or nil.
func (p phaseReport) route(name string) *routeStats {
	for i := range p.Routes {
		if p.Routes[i].Route == name {
			return &p.Routes[i]
		}
	}
	return nil
}

func (p phaseReport) print(w io.Writer) {
	fmt.Fprintf(w, "\n== %s: %s requests in %s (%s req/s), %d errors\n",
		p.Name, thousands(float64(p.requests())), p.Elapsed.Round(time.Millisecond),
		thousands(float64(p.requests())/p.Elapsed.Seconds()), p.errors())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "count\treq/s\tp50\tp95\tp99\terrors\t\troute")
	for _, r := range p.Routes {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t\t%s\n", thousands(float64(r.Count)), rate(r.PerSec),
			ms(r.P50), ms(r.P95), ms(r.P99), r.Errors, r.Route)
	}
	tw.Flush()
	for _, r := range p.Routes {
		for _, k := range r.Kinds {
			fmt.Fprintf(w, "  %s: %d × %s, e.g. %s\n", r.Route, k.Count, k.Kind, k.Sample)
		}
	}
}

// throughput is a closed-loop measurement: requests done in a time.
type throughput struct {
	Requests int
	Elapsed  time.Duration
	// CPU is the server's process CPU time over the phase, when its
	// metrics could be read.
	CPU time.Duration
}

func (t throughput) PerSec() float64 { return float64(t.Requests) / t.Elapsed.Seconds() }

// CPUPer is the server's CPU time per request.
func (t throughput) CPUPer() time.Duration {
	if t.Requests == 0 {
		return 0
	}
	return t.CPU / time.Duration(t.Requests)
}

// examOutcome counts what happened to the exam attempts.
type examOutcome struct {
	Started, Submitted, Passed int
	// Span runs from the first start request to the last submit answer.
	Span time.Duration
}

func (e examOutcome) String() string {
	return fmt.Sprintf("exam: %d attempts started, %d submitted (%d passed), first start to last submit %s",
		e.Started, e.Submitted, e.Passed, e.Span.Round(time.Millisecond))
}

// summary is the result of a run.
type summary struct {
	Mix         string
	Concurrency int
	Phases      []phaseReport
	Bare        *throughput // the bare Fiber baseline, when measured
	Lesson      *throughput // the lesson mix
	Notes       []string
	// Work is what the server spent its CPU on in the exam and lesson
	// mixes: the exam-takers, or the pages served.
	Work *serverWork
}

// serverWork is the server's CPU time over a mix and what it was for.
type serverWork struct {
	Unit  string // "exam-taker", "lesson page"
	Count int
	CPU   time.Duration
	Err   error // the metrics could not be read
}

func (s *summary) add(p phaseReport) { s.Phases = append(s.Phases, p) }

// Errors counts the failed requests of every phase.
func (s *summary) Errors() int {
	n := 0
	for _, p := range s.Phases {
		n += p.errors()
	}
	return n
}

// phase returns the report of the named phase, or nil.
func (s *summary) phase(name string) *phaseReport {
	for i := range s.Phases {
		if s.Phases[i].Name == name {
			return &s.Phases[i]
		}
	}
	return nil
}

// BaselineLine compares the lesson page with the bare Fiber handler, or
// states the baseline alone for the other mixes.
func (s *summary) BaselineLine() string {
	switch {
	case s.Bare == nil && s.Lesson == nil:
		return "bare Fiber baseline not measured (-bare 0)"
	case s.Bare == nil:
		return fmt.Sprintf("lesson page %s req/s (bare Fiber baseline not measured)", thousands(s.Lesson.PerSec()))
	case s.Lesson == nil:
		return fmt.Sprintf("bare Fiber %s req/s (same client, %d workers, loopback)", thousands(s.Bare.PerSec()), s.Concurrency)
	}
	ratio := s.Lesson.PerSec() / s.Bare.PerSec()
	digits := 2
	if ratio < 0.1 {
		digits = 3 // 0.05 would hide a 20 % difference between runs
	}
	return fmt.Sprintf("lesson page %s req/s = %.*f × bare Fiber %s req/s (same client, %d workers)",
		thousands(s.Lesson.PerSec()), digits, ratio, thousands(s.Bare.PerSec()), s.Concurrency)
}

// CPULine states the server's CPU time per unit of work and as a multiple
// of the CPU time of one bare Fiber request of the same run, or "" when
// the mix does not measure it.
func (s *summary) CPULine() string {
	w := s.Work
	switch {
	case w == nil:
		return ""
	case w.Err != nil:
		return fmt.Sprintf("CPU per %s: not measured: %v", w.Unit, w.Err)
	case w.Count == 0:
		return fmt.Sprintf("CPU per %s: nothing was done", w.Unit)
	}
	per := w.CPU / time.Duration(w.Count)
	line := fmt.Sprintf("CPU per %s: %s", w.Unit, cpuTime(per))
	if s.Bare == nil || s.Bare.CPUPer() <= 0 {
		return line + " (bare Fiber CPU not measured)"
	}
	return fmt.Sprintf("%s = %s bare requests (server %s for %s; bare Fiber %s CPU per request, %s requests)",
		line, multiple(float64(per)/float64(s.Bare.CPUPer())), cpuTime(w.CPU), n(w.Count, w.Unit),
		cpuTime(s.Bare.CPUPer()), thousands(float64(s.Bare.Requests)))
}

// multiple shows a ratio with a decimal while it is small.
func multiple(v float64) string {
	if v < 10 {
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return thousands(v)
}

// n counts things: "1,000 exam-takers".
func n(count int, unit string) string {
	if count != 1 {
		unit += "s"
	}
	return thousands(float64(count)) + " " + unit
}

// cpuTime shows a CPU time in the unit that keeps three digits.
func cpuTime(d time.Duration) string {
	switch {
	case d >= time.Second:
		return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + " s"
	case d >= time.Millisecond:
		return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 2, 64) + " ms"
	}
	return strconv.FormatFloat(float64(d)/float64(time.Microsecond), 'f', 1, 64) + " µs"
}

func (s *summary) print(w io.Writer) {
	fmt.Fprintln(w, "\n== summary")
	for _, n := range s.Notes {
		fmt.Fprintln(w, n)
	}
	fmt.Fprintln(w, s.BaselineLine())
	if line := s.CPULine(); line != "" {
		fmt.Fprintln(w, line)
	}
	fmt.Fprintf(w, "total errors: %d\n", s.Errors())
}

// thousands formats a number rounded to an integer with comma separators.
func thousands(v float64) string {
	s := strconv.FormatInt(int64(v+0.5), 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// rate shows small rates with a decimal, where rounding would hide them.
func rate(v float64) string {
	if v < 10 {
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return thousands(v)
}

// ms shows a latency in milliseconds, with two decimals below one so that
// loopback latencies do not all read 0.0.
func ms(d time.Duration) string {
	digits := 1
	if d < time.Millisecond {
		digits = 2
	}
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', digits, 64) + "ms"
}
