package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// This file runs the real binary with the real embedded database and kills
// it with SIGKILL in the middle of a burst of learner traffic: whatever the
// server acknowledged before it died must be there after a restart on the
// same data directory, and nothing may be there twice.

// syncBuffer collects a child's output while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// academyProc is an `academy serve` child process on a known address.
type academyProc struct {
	cmd            *exec.Cmd
	base           string
	stdout, stderr *syncBuffer
	exited         chan struct{} // closed when Wait returned; waitErr is set then
	waitErr        error
}

// freeAddr returns a loopback address that was free a moment ago. The port
// is handed to the child, so it can be taken in between; startAcademy
// retries with another one when that happens.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startAcademy runs `academy serve --addr <free port> args...` and returns
// once /readyz answers 200 and the start banner is out (so the demo
// passwords printed before it are in stdout).
func startAcademy(t *testing.T, bin string, args ...string) *academyProc {
	t.Helper()
	for try := 0; ; try++ {
		p, err := tryStartAcademy(t, bin, args...)
		if err == nil {
			return p
		}
		if try < 3 && strings.Contains(err.Error(), "address already in use") {
			continue // someone took the port between freeAddr and the child's bind
		}
		t.Fatal(err)
	}
}

func tryStartAcademy(t *testing.T, bin string, args ...string) (*academyProc, error) {
	t.Helper()
	addr := freeAddr(t)
	p := &academyProc{base: "http://" + addr, stdout: &syncBuffer{}, stderr: &syncBuffer{}, exited: make(chan struct{})}
	p.cmd = exec.Command(bin, append([]string{"serve", "--addr", addr}, args...)...)
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		p.waitErr = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(p.kill)
	// The listener is open before the store is, so early requests wait in
	// the backlog: a short client timeout keeps each poll bounded.
	poll := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(45 * time.Second)
	for {
		select {
		case <-p.exited:
			return nil, fmt.Errorf("academy serve exited before it was ready (%v)\nstdout:\n%s\nstderr:\n%s", p.waitErr, p.stdout, tail(p.stderr.String(), 4000))
		default:
		}
		if res, err := poll.Get(p.base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 && strings.Contains(p.stdout.String(), "is running at") {
				return p, nil
			}
		}
		if time.Now().After(deadline) {
			p.kill()
			return nil, fmt.Errorf("academy serve not ready within 45s\nstdout:\n%s\nstderr:\n%s", p.stdout, tail(p.stderr.String(), 4000))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill ends the process with SIGKILL (no shutdown code runs) and waits.
func (p *academyProc) kill() {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

// stop ends the process gracefully and reports how it exited.
func (p *academyProc) stop(t *testing.T) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
		if p.waitErr != nil {
			t.Errorf("exit after SIGTERM: %v\nstderr:\n%s", p.waitErr, tail(p.stderr.String(), 4000))
		}
	case <-time.After(20 * time.Second):
		t.Errorf("server did not stop within 20s of SIGTERM")
		p.kill()
	}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// apiClient keeps enough idle connections for the concurrent learners, so
// that the burst does not churn through ephemeral ports.
var apiClient = &http.Client{
	Timeout:   30 * time.Second,
	Transport: &http.Transport{MaxIdleConns: 100, MaxIdleConnsPerHost: 100, IdleConnTimeout: 30 * time.Second},
}

// call sends a JSON request. It returns the status (0 when no response
// arrived) and the body; a 2xx body is decoded into out when out is not nil.
func call(base, method, path, token string, in, out any) (int, []byte, error) {
	return callWith(apiClient, base, method, path, token, in, out)
}

// callWith is call with the client's timeout.
func callWith(client *http.Client, base, method, path, token string, in, out any) (int, []byte, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return 0, nil, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, base+path, body)
	if err != nil {
		return 0, nil, err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		// A response cut short is not an acknowledgement.
		return 0, raw, err
	}
	if res.StatusCode/100 == 2 && out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return res.StatusCode, raw, fmt.Errorf("decode %s %s: %v: %s", method, path, err, raw)
		}
	}
	return res.StatusCode, raw, nil
}

// mustCall is call for the setup and check phases, where anything but the
// wanted status is a failure.
func mustCall(t *testing.T, base, method, path, token string, want int, in, out any) {
	t.Helper()
	st, raw, err := call(base, method, path, token, in, out)
	if err != nil || st != want {
		t.Fatalf("%s %s: status %d, err %v, body %s; want %d", method, path, st, err, raw, want)
	}
}

func apiLogin(t *testing.T, base, username, password string) string {
	t.Helper()
	var res struct {
		Token string `json:"token"`
	}
	mustCall(t, base, "POST", "/api/v1/auth/login", "", 200, map[string]string{"username": username, "password": password}, &res)
	return res.Token
}

// Shapes of the API responses the test reads.
type (
	wireOption struct {
		ID string `json:"id"`
	}
	wireQuestion struct {
		ID      string          `json:"id"`
		Type    string          `json:"type"`
		Options []wireOption    `json:"options"`
		Items   []wireOption    `json:"items"`
		Answer  json.RawMessage `json:"answer"`
	}
	wireAttempt struct {
		ID          string         `json:"id"`
		Quiz        string         `json:"quiz"`
		Number      int            `json:"number"`
		State       string         `json:"state"`
		SubmittedAt *time.Time     `json:"submitted_at"`
		Questions   []wireQuestion `json:"questions"`
		Score       *float64       `json:"score"`
		Percent     *float64       `json:"percent"`
	}
	wireSummary struct {
		Quiz        string    `json:"quiz"`
		ID          string    `json:"id"`
		Number      int       `json:"number"`
		State       string    `json:"state"`
		SubmittedAt time.Time `json:"submitted_at"`
		Percent     float64   `json:"percent"`
	}
	wireCourse struct {
		Slug          string   `json:"slug"`
		Prerequisites []string `json:"prerequisites"`
		Lessons       []struct {
			Slug      string `json:"slug"`
			Completed bool   `json:"completed"`
		} `json:"lessons"`
	}
	wireQuizCard struct {
		Slug        string `json:"slug"`
		MaxAttempts int    `json:"max_attempts"`
		Left        int    `json:"attempts_left"`
		// What a learner must finish before the quiz opens.
		Missing []struct{ Kind, Slug string } `json:"missing"`
	}
)

// ackedAttempt is what the server acknowledged about one attempt.
type ackedAttempt struct {
	quiz        string
	number      int
	saved       int  // answers acknowledged by PUT …/answers; 0: none
	submitSent  bool // a submit was sent, acknowledged or not
	submitted   bool // … and acknowledged
	score       float64
	percent     float64
	submittedAt time.Time
}

// learner is one trainee's session and the ledger of what was sent and
// what was acknowledged.
type learner struct {
	name, token string

	mu         sync.Mutex
	sentLesson map[string]bool // "course/lesson" requested, acknowledged or not
	ackLesson  map[string]bool // "course/lesson" answered 2xx
	sentStarts map[string]int  // quiz -> start requests sent
	attempts   map[string]*ackedAttempt
}

// answersFor makes up a random answer of the right shape for every
// question, so that scores differ between attempts and a mix-up shows.
func answersFor(r *rand.Rand, qs []wireQuestion) map[string]any {
	ids := func(os []wireOption) []string {
		out := make([]string, len(os))
		for i, o := range os {
			out[i] = o.ID
		}
		return out
	}
	ans := map[string]any{}
	for _, q := range qs {
		opts := ids(q.Options)
		switch q.Type {
		case "single":
			ans[q.ID] = opts[r.IntN(len(opts))]
		case "multiple":
			var pick []string
			for _, o := range opts {
				if r.IntN(2) == 0 {
					pick = append(pick, o)
				}
			}
			if pick == nil {
				pick = opts[:1]
			}
			ans[q.ID] = pick
		case "truefalse":
			ans[q.ID] = r.IntN(2) == 0
		case "fill":
			ans[q.ID] = []string{"业主", "报修", "登记"}[r.IntN(3)]
		case "ordering":
			r.Shuffle(len(opts), func(i, j int) { opts[i], opts[j] = opts[j], opts[i] })
			ans[q.ID] = opts
		case "matching":
			m := map[string]string{}
			for _, it := range q.Items {
				m[it.ID] = opts[r.IntN(len(opts))]
			}
			ans[q.ID] = m
		case "numeric":
			ans[q.ID] = float64(r.IntN(20))
		}
	}
	return ans
}

// coursesInOrder returns the courses with every prerequisite before the
// courses that need it, so that one learner's completions never hit a
// locked course.
func coursesInOrder(t *testing.T, cs []wireCourse) []wireCourse {
	t.Helper()
	var out []wireCourse
	done := map[string]bool{}
	for len(out) < len(cs) {
		n := len(out)
		for _, c := range cs {
			if done[c.Slug] {
				continue
			}
			ready := true
			for _, p := range c.Prerequisites {
				ready = ready && done[p]
			}
			if ready {
				done[c.Slug] = true
				out = append(out, c)
			}
		}
		if len(out) == n {
			t.Fatalf("course prerequisites form a cycle: %+v", cs)
		}
	}
	return out
}

func TestSIGKILLDurability(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it mid-traffic")
	}
	const learners = 20
	// The kill comes once the burst is well under way: at least killAfter
	// into it and after minSubmits acknowledged submits (the slowest kind
	// of write), so that every kind of write is both acknowledged before
	// the kill and in flight at it, however fast the machine is.
	const killAfter, minSubmits, killBy = 1500 * time.Millisecond, 5, 20 * time.Second

	t0 := time.Now()
	bin := buildBinary(t)
	t.Logf("built in %v", time.Since(t0).Round(time.Millisecond))
	data := t.TempDir()
	args := []string{"--demo", "--data", data, "--content", "../.."}
	p := startAcademy(t, bin, args...)
	t.Logf("started in %v", time.Since(t0).Round(time.Millisecond))
	m := regexp.MustCompile(`admin\s+username admin\s+password (\S+)`).FindStringSubmatch(p.stdout.String())
	if m == nil {
		t.Fatalf("demo admin password not printed:\n%s", p.stdout)
	}
	admin := apiLogin(t, p.base, "admin", m[1])

	// The curriculum as a learner sees it: every course with its lessons,
	// and every quiz.
	var prog struct {
		Courses []wireCourse `json:"courses"`
	}
	mustCall(t, p.base, "GET", "/api/v1/me/progress", admin, 200, nil, &prog)
	courses := coursesInOrder(t, prog.Courses)
	var quizList struct {
		Items []wireQuizCard `json:"items"`
	}
	mustCall(t, p.base, "GET", "/api/v1/quizzes", admin, 200, nil, &quizList)
	if len(courses) == 0 || len(quizList.Items) == 0 {
		t.Fatalf("no content: %d courses, %d quizzes", len(courses), len(quizList.Items))
	}
	maxAttempts := map[string]int{}
	for _, q := range quizList.Items {
		maxAttempts[q.Slug] = q.MaxAttempts
	}

	// Trainees are made through the admin API and logged in before the
	// burst: their sessions are acknowledged writes too.
	ls := make([]*learner, learners)
	for i := range ls {
		l := &learner{name: fmt.Sprintf("durable%02d", i), sentLesson: map[string]bool{}, ackLesson: map[string]bool{},
			sentStarts: map[string]int{}, attempts: map[string]*ackedAttempt{}}
		pw := "pw of " + l.name + " long enough"
		mustCall(t, p.base, "POST", "/api/v1/users", admin, 201,
			map[string]any{"username": l.name, "roles": []string{"trainee"}, "sites": []string{"demo"}, "password": pw}, nil)
		l.token = apiLogin(t, p.base, l.name, pw)
		ls[i] = l
	}

	// The burst. Each trainee has two workers: one completes lessons course
	// by course, one takes every quiz (start, answer, submit). A worker
	// stops at its first failure; failures before the kill are bugs.
	var killed atomic.Bool
	var submits atomic.Int32
	var unexpected sync.Map // description -> struct{}
	fail := func(l *learner, what string, st int, raw []byte, err error) {
		if !killed.Load() {
			unexpected.Store(fmt.Sprintf("%s: %s before the kill: status %d, err %v, body %s", l.name, what, st, err, raw), struct{}{})
		}
	}
	// completeCourse reports false at the first failure.
	completeCourse := func(l *learner, c wireCourse) bool {
		for _, lesson := range c.Lessons {
			key := c.Slug + "/" + lesson.Slug
			l.mu.Lock()
			l.sentLesson[key] = true
			l.mu.Unlock()
			var ack struct {
				Course, Lesson string
				Completed      bool
			}
			st, raw, err := call(p.base, "POST", "/api/v1/courses/"+c.Slug+"/lessons/"+lesson.Slug+"/complete", l.token, nil, &ack)
			if err != nil || st != 200 {
				fail(l, "complete "+key, st, raw, err)
				return false
			}
			if ack.Course != c.Slug || ack.Lesson != lesson.Slug || !ack.Completed {
				unexpected.Store(fmt.Sprintf("%s: complete %s acknowledged as %s", l.name, key, raw), struct{}{})
				return false
			}
			l.mu.Lock()
			l.ackLesson[key] = true
			l.mu.Unlock()
		}
		return true
	}
	lessonWorker := func(l *learner) {
		for _, c := range courses {
			if !completeCourse(l, c) {
				return
			}
		}
	}

	quizWorker := func(l *learner, seed uint64) {
		r := rand.New(rand.NewPCG(seed, 1))
		done, next := map[string]bool{}, 0
	quizzes:
		for _, q := range quizList.Items {
			// A quiz opens once its course is complete: the worker
			// finishes the courses up to it, in order as their locks
			// need, racing the lesson worker over the same lessons. A quiz
			// waiting for other quizzes to be passed is out of reach of
			// random answers.
			for _, m := range q.Missing {
				if m.Kind != "course" {
					continue quizzes
				}
				for ; !done[m.Slug] && next < len(courses); next++ {
					if !completeCourse(l, courses[next]) {
						return
					}
					done[courses[next].Slug] = true
				}
			}
			l.mu.Lock()
			l.sentStarts[q.Slug]++
			l.mu.Unlock()
			var a wireAttempt
			st, raw, err := call(p.base, "POST", "/api/v1/quizzes/"+q.Slug+"/attempts", l.token, nil, &a)
			if err != nil || st != 201 {
				fail(l, "start "+q.Slug, st, raw, err)
				return
			}
			if a.Quiz != q.Slug || a.State != "in_progress" || a.Number < 1 || len(a.Questions) == 0 {
				unexpected.Store(fmt.Sprintf("%s: start %s acknowledged as %s", l.name, q.Slug, raw), struct{}{})
				return
			}
			rec := &ackedAttempt{quiz: q.Slug, number: a.Number}
			l.mu.Lock()
			l.attempts[a.ID] = rec
			l.mu.Unlock()

			ans := answersFor(r, a.Questions)
			var saved struct {
				Saved int `json:"saved"`
			}
			st, raw, err = call(p.base, "PUT", "/api/v1/attempts/"+a.ID+"/answers", l.token, map[string]any{"answers": ans}, &saved)
			if err != nil || st != 200 {
				fail(l, "save answers of "+a.ID, st, raw, err)
				return
			}
			l.mu.Lock()
			rec.saved, rec.submitSent = saved.Saved, true
			l.mu.Unlock()
			var done wireAttempt
			st, raw, err = call(p.base, "POST", "/api/v1/attempts/"+a.ID+"/submit", l.token, nil, &done)
			if err != nil || st != 200 {
				fail(l, "submit "+a.ID, st, raw, err)
				return
			}
			if done.ID != a.ID || done.State != "submitted" || done.Score == nil || done.Percent == nil || done.SubmittedAt == nil {
				unexpected.Store(fmt.Sprintf("%s: submit %s acknowledged as %s", l.name, a.ID, raw), struct{}{})
				return
			}
			l.mu.Lock()
			rec.submitted, rec.score, rec.percent, rec.submittedAt = true, *done.Score, *done.Percent, *done.SubmittedAt
			l.mu.Unlock()
			submits.Add(1)
		}
	}

	t.Logf("setup done at %v", time.Since(t0).Round(time.Millisecond))
	var wg sync.WaitGroup
	var running atomic.Int32
	burst := time.Now()
	for i, l := range ls {
		running.Add(2)
		wg.Go(func() { defer running.Add(-1); lessonWorker(l) })
		wg.Go(func() { defer running.Add(-1); quizWorker(l, uint64(i)+uint64(burst.UnixNano())) })
	}
	time.Sleep(killAfter)
	for submits.Load() < minSubmits && running.Load() > 0 && time.Since(burst) < killBy {
		time.Sleep(10 * time.Millisecond)
	}
	into := time.Since(burst)
	busy := running.Load()
	killed.Store(true)
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.exited
	var ee *exec.ExitError
	if !errors.As(p.waitErr, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("server was not killed by SIGKILL: %v", p.waitErr)
	}
	wg.Wait()
	unexpected.Range(func(k, _ any) bool {
		t.Error(k)
		return true
	})
	if t.Failed() {
		t.Fatalf("server log:\n%s", tail(p.stderr.String(), 8000))
	}

	var nLessons, nStarts, nSubmits int
	for _, l := range ls {
		nLessons += len(l.ackLesson)
		for _, a := range l.attempts {
			nStarts++
			if a.submitted {
				nSubmits++
			}
		}
	}
	t.Logf("killed after %v with %d of %d workers still busy; acknowledged: %d lesson completions, %d attempt starts, %d submits",
		into.Round(time.Millisecond), busy, 2*learners, nLessons, nStarts, nSubmits)
	if busy == 0 {
		// Everything was done before the kill: the restart below still
		// checks durability, but no write was cut short.
		t.Logf("warning: the burst finished before the kill; nothing was in flight")
	}
	if nLessons == 0 || nSubmits == 0 {
		t.Fatalf("nothing was acknowledged in %v: the test proves nothing", into)
	}

	// Restart on the same data: the lock of the killed process is gone
	// with it, and the store opens what SQLite committed.
	restart := time.Now()
	p2 := startAcademy(t, bin, args...)
	t.Logf("restarted in %v", time.Since(restart).Round(time.Millisecond))
	if strings.Contains(p2.stdout.String(), m[1]) {
		t.Errorf("demo passwords printed again after the restart:\n%s", p2.stdout)
	}
	for _, l := range ls {
		checkLearner(t, p2.base, l, maxAttempts)
	}
	t.Logf("checked in %v", time.Since(restart).Round(time.Millisecond))
	if t.Failed() {
		t.Logf("server log after the restart:\n%s", tail(p2.stderr.String(), 8000))
	}
	p2.stop(t)
}

// checkLearner compares what the restarted server has for l with what the
// killed one acknowledged, then finishes the attempts left open by the kill
// and checks that the record stays consistent.
func checkLearner(t *testing.T, base string, l *learner, maxAttempts map[string]int) {
	t.Helper()
	// The session was acknowledged before the burst: it must still work.
	var prog struct {
		Courses []wireCourse `json:"courses"`
	}
	if st, raw, err := call(base, "GET", "/api/v1/me/progress", l.token, nil, &prog); err != nil || st != 200 {
		t.Errorf("%s: progress after restart: status %d, err %v, body %s", l.name, st, err, raw)
		return
	}
	done := map[string]bool{}
	for _, c := range prog.Courses {
		for _, ls := range c.Lessons {
			if ls.Completed {
				done[c.Slug+"/"+ls.Slug] = true
			}
		}
	}
	for key := range l.ackLesson {
		if !done[key] {
			t.Errorf("%s: acknowledged completion of lesson %s is lost", l.name, key)
		}
	}
	for key := range done {
		if !l.sentLesson[key] {
			t.Errorf("%s: lesson %s is complete but was never requested", l.name, key)
		}
	}

	list := myAttempts(t, base, l)
	byID := map[string]wireSummary{}
	byQuiz := map[string][]int{}
	for _, s := range list {
		if _, dup := byID[s.ID]; dup {
			t.Errorf("%s: attempt %s listed twice", l.name, s.ID)
		}
		byID[s.ID] = s
		byQuiz[s.Quiz] = append(byQuiz[s.Quiz], s.Number)
	}
	checkNumbers(t, l, byQuiz)
	for quiz, nums := range byQuiz {
		if len(nums) > l.sentStarts[quiz] {
			t.Errorf("%s: %d attempts at %s but only %d starts were sent", l.name, len(nums), quiz, l.sentStarts[quiz])
		}
	}
	checkRecordCounts(t, base, l, byQuiz, maxAttempts)

	// Every listed attempt against the attempt itself, and every
	// acknowledged one against its acknowledgement.
	got := map[string]wireAttempt{}
	stale := map[string]bool{}
	for _, s := range list {
		var a wireAttempt
		if st, raw, err := call(base, "GET", "/api/v1/attempts/"+s.ID, l.token, nil, &a); err != nil || st != 200 {
			t.Errorf("%s: attempt %s after restart: status %d, err %v, body %s", l.name, s.ID, st, err, raw)
			continue
		}
		got[s.ID] = a
		if a.Quiz != s.Quiz || a.Number != s.Number {
			t.Errorf("%s: attempt %s is %s #%d but listed as %s #%d", l.name, s.ID, a.Quiz, a.Number, s.Quiz, s.Number)
		}
		if s.State == a.State {
			continue
		}
		// A submit cut short by the kill can have written the closed
		// attempt and died before writing the record; the next start or
		// submit repairs the record, which is checked below.
		if ack := l.attempts[s.ID]; ack != nil && ack.submitSent && !ack.submitted && s.State == "in_progress" && a.State == "submitted" {
			stale[s.ID] = true
			continue
		}
		t.Errorf("%s: attempt %s is %s but listed as %s", l.name, s.ID, a.State, s.State)
	}
	for id, ack := range l.attempts {
		s, listed := byID[id]
		a, read := got[id]
		if !listed || !read {
			t.Errorf("%s: acknowledged attempt %s (%s #%d) is lost (listed %v, readable %v)", l.name, id, ack.quiz, ack.number, listed, read)
			continue
		}
		if a.Quiz != ack.quiz || a.Number != ack.number {
			t.Errorf("%s: attempt %s is %s #%d, acknowledged as %s #%d", l.name, id, a.Quiz, a.Number, ack.quiz, ack.number)
		}
		switch {
		case ack.submitted:
			// The same close, not a second one: state, score and time.
			if a.State != "submitted" || a.Score == nil || *a.Score != ack.score || *a.Percent != ack.percent || s.Percent != ack.percent ||
				a.SubmittedAt == nil || !sameMillis(*a.SubmittedAt, ack.submittedAt) || !sameMillis(s.SubmittedAt, ack.submittedAt) {
				t.Errorf("%s: attempt %s after restart: %s score %v percent %v (listed %v) at %v; acknowledged submitted score %v percent %v at %v",
					l.name, id, a.State, deref(a.Score), deref(a.Percent), s.Percent, a.SubmittedAt, ack.score, ack.percent, ack.submittedAt)
			}
		case a.State == "in_progress" && ack.saved > 0:
			// Acknowledged autosave: the answers are there.
			answered := 0
			for _, q := range a.Questions {
				if len(q.Answer) > 0 && string(q.Answer) != "null" {
					answered++
				}
			}
			if answered != ack.saved {
				t.Errorf("%s: attempt %s has %d saved answers after restart; %d were acknowledged", l.name, id, answered, ack.saved)
			}
		}
	}

	// Starting a quiz whose attempt is listed in progress resumes that
	// attempt; if the attempt was in fact closed before the kill, the start
	// must notice, repair the record and answer (here: the cooldown)
	// instead of looping.
	quick := &http.Client{Timeout: 10 * time.Second}
	for _, s := range list {
		if s.State != "in_progress" {
			continue
		}
		var a wireAttempt
		st, raw, err := callWith(quick, base, "POST", "/api/v1/quizzes/"+s.Quiz+"/attempts", l.token, nil, &a)
		if want := 201; stale[s.ID] {
			if err != nil || st != 429 {
				t.Errorf("%s: start of %s whose attempt %s was closed before the kill: status %d, err %v, body %.300s; want 429 (cooldown)",
					l.name, s.Quiz, s.ID, st, err, raw)
			}
		} else if err != nil || st != want || a.ID != s.ID {
			t.Errorf("%s: start of %s with attempt %s in progress: status %d, err %v, body %.300s; want %d resuming it",
				l.name, s.Quiz, s.ID, st, err, raw, want)
		}
	}

	// Finish what the kill left open: a submit after the restart works,
	// and afterwards the record and the attempts agree on everything.
	list = myAttempts(t, base, l)
	for _, s := range list {
		if s.State != "in_progress" {
			continue
		}
		if st, raw, err := call(base, "POST", "/api/v1/attempts/"+s.ID+"/submit", l.token, nil, nil); err != nil || st != 200 {
			t.Errorf("%s: submit of %s after restart: status %d, err %v, body %s", l.name, s.ID, st, err, raw)
		}
	}
	after := myAttempts(t, base, l)
	if len(after) != len(list) {
		t.Errorf("%s: %d attempts listed before submitting the open ones, %d after", l.name, len(list), len(after))
	}
	byQuiz = map[string][]int{}
	for _, s := range after {
		byQuiz[s.Quiz] = append(byQuiz[s.Quiz], s.Number)
		var a wireAttempt
		if st, raw, err := call(base, "GET", "/api/v1/attempts/"+s.ID, l.token, nil, &a); err != nil || st != 200 {
			t.Errorf("%s: attempt %s: status %d, err %v, body %s", l.name, s.ID, st, err, raw)
			continue
		}
		if a.State != "submitted" || s.State != a.State || a.Percent == nil || s.Percent != *a.Percent {
			t.Errorf("%s: after submitting everything, attempt %s is %s %v%% and listed as %s %v%%", l.name, s.ID, a.State, deref(a.Percent), s.State, s.Percent)
		}
	}
	checkNumbers(t, l, byQuiz)
	checkRecordCounts(t, base, l, byQuiz, maxAttempts)
}

func myAttempts(t *testing.T, base string, l *learner) []wireSummary {
	t.Helper()
	var res struct {
		Items []wireSummary `json:"items"`
		Total int           `json:"total"`
	}
	mustCall(t, base, "GET", "/api/v1/me/attempts", l.token, 200, nil, &res)
	if res.Total != len(res.Items) {
		t.Errorf("%s: /me/attempts total %d for %d items", l.name, res.Total, len(res.Items))
	}
	return res.Items
}

// checkNumbers: the attempt numbers of each quiz are 1..n, each once.
func checkNumbers(t *testing.T, l *learner, byQuiz map[string][]int) {
	t.Helper()
	for quiz, nums := range byQuiz {
		slices.Sort(nums)
		for i, n := range nums {
			if n != i+1 {
				t.Errorf("%s: attempt numbers of %s are %v, want 1..%d each once", l.name, quiz, nums, len(nums))
				break
			}
		}
	}
}

// checkRecordCounts: the attempt count kept in the learner's quiz record
// (shown as attempts_left) matches the attempts listed, so no attempt
// was counted without being listed or listed without being counted.
func checkRecordCounts(t *testing.T, base string, l *learner, byQuiz map[string][]int, maxAttempts map[string]int) {
	t.Helper()
	var res struct {
		Items []wireQuizCard `json:"items"`
	}
	mustCall(t, base, "GET", "/api/v1/quizzes", l.token, 200, nil, &res)
	for _, q := range res.Items {
		if limit := maxAttempts[q.Slug]; limit > 0 && q.Left != limit-len(byQuiz[q.Slug]) {
			t.Errorf("%s: %s has %d attempts left of %d with %d attempts listed", l.name, q.Slug, q.Left, limit, len(byQuiz[q.Slug]))
		}
	}
}

func sameMillis(a, b time.Time) bool {
	// BSON keeps milliseconds; the acknowledgement carried the clock's
	// full precision.
	return a.Truncate(time.Millisecond).Equal(b.Truncate(time.Millisecond))
}

func deref(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}
