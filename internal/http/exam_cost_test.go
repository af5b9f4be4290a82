package http_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
)

// TestExamDatabaseOps counts the commands each request of an exam sends
// to the database: on exam day a thousand learners start, save and submit
// within seconds, and on the embedded store every command costs a
// round of encoding, SQL and decoding. The limits are today's figures;
// a change that needs more must say why here. The server here is the
// embedded store's, the only writer, which keeps attempts in progress in
// memory, with their saved answers and markers: an autosave is one write,
// and the submit reads nothing of the attempt.
func TestExamDatabaseOps(t *testing.T) {
	e := newEnv(t)
	e.finishCourses("trainee", "ethics")
	// A first attempt by someone else warms what is kept in memory
	// (frozen questions); the learners of an exam day find it warm.
	e.finishCourses("agent", "ethics")
	var warm apiAttempt
	e.api("POST", "/api/v1/quizzes/ethics/attempts", "agent", nil).json(t, &warm)
	e.api("POST", "/api/v1/attempts/"+warm.ID+"/submit", "agent", nil)

	total := func(n map[string]int) int {
		sum := 0
		for _, v := range n {
			sum += v
		}
		return sum
	}
	show := func(n map[string]int) string {
		var b strings.Builder
		for _, k := range slices.Sorted(maps.Keys(n)) {
			fmt.Fprintf(&b, "\n  %3d %s", n[k], k)
		}
		return b.String()
	}
	step := func(name string, limit int, send func() *response) *response {
		t.Helper()
		e.ops.take()
		res := send()
		e.ops.mu.Lock()
		scans := e.ops.scans
		e.ops.mu.Unlock()
		ops := e.ops.take()
		if res.StatusCode >= 300 {
			t.Fatalf("%s: %d %s", name, res.StatusCode, res.Body)
		}
		// A filter on more than _id scans its collection on the embedded
		// store, which grows with every taker of the day.
		if len(scans) > 0 {
			t.Errorf("%s scans collections: %v", name, scans)
		}
		t.Logf("%s: %d database commands:%s", name, total(ops), show(ops))
		if total(ops) > limit {
			t.Errorf("%s sends %d database commands, more than %d:%s", name, total(ops), limit, show(ops))
		}
		return res
	}

	var a apiAttempt
	step("start", 7, func() *response { return e.api("POST", "/api/v1/quizzes/ethics/attempts", "trainee", nil) }).json(t, &a)
	answers := rightAnswers(t, e, a)
	step("autosave", 1, func() *response {
		return e.api("PUT", "/api/v1/attempts/"+a.ID+"/answers", "trainee", map[string]any{"answers": answers})
	})
	step("submit", 10, func() *response { return e.api("POST", "/api/v1/attempts/"+a.ID+"/submit", "trainee", nil) })

	// A learner who fails completes nothing: no certification check.
	e.createUser("wu", []string{academy.RoleTrainee}, []string{"s1"})
	e.tokens["wu"] = e.login("wu", testPassword)
	e.finishCourses("wu", "ethics")
	var f apiAttempt
	e.api("POST", "/api/v1/quizzes/ethics/attempts", "wu", nil).json(t, &f)
	res := step("failed submit", 6, func() *response { return e.api("POST", "/api/v1/attempts/"+f.ID+"/submit", "wu", nil) })
	var graded apiAttempt
	if res.json(t, &graded); graded.Passed != nil && *graded.Passed {
		t.Fatalf("a blank attempt passed: %+v", graded)
	}
}

// examTaker is one learner sitting the ethics quiz: start, one save of
// every answer, submit.
func (e *env) examTaker(tb testing.TB, who string) {
	var a apiAttempt
	if res := e.api("POST", "/api/v1/quizzes/ethics/attempts", who, nil); res.StatusCode != 201 {
		tb.Fatalf("start: %d %s", res.StatusCode, res.Body)
	} else {
		res.json(tb, &a)
	}
	answers := map[string]any{}
	for _, q := range a.Questions {
		if len(q.Options) > 0 && q.Type == academy.QSingle {
			answers[q.ID] = q.Options[0].ID
		}
	}
	if len(answers) > 0 {
		if res := e.api("PUT", "/api/v1/attempts/"+a.ID+"/answers", who, map[string]any{"answers": answers}); res.StatusCode != 200 {
			tb.Fatalf("autosave: %d %s", res.StatusCode, res.Body)
		}
	}
	if res := e.api("POST", "/api/v1/attempts/"+a.ID+"/submit", who, nil); res.StatusCode != 200 {
		tb.Fatalf("submit: %d %s", res.StatusCode, res.Body)
	}
}

// BenchmarkExamTaker measures one learner's exam (start, autosave,
// submit) against the embedded store, as TestExamDatabaseOps counts it.
// Each iteration is a new learner who has finished the course.
//
// Besides the time, it reports the process's CPU time per learner
// (cpu-ms/op): the embedded database runs in this process, and on a busy
// exam day CPU, not waiting, is what runs out. The test's own HTTP client
// is in that figure too.
func BenchmarkExamTaker(b *testing.B) {
	e := newEnv(b)
	i := 0
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		i++
		who := fmt.Sprintf("taker%d", i)
		e.createUser(who, []string{"trainee"}, []string{"s1"})
		e.tokens[who] = e.login(who, testPassword)
		e.finishCourses(who, "ethics")
		before := processCPU(b)
		b.StartTimer()
		e.examTaker(b, who)
		b.StopTimer()
		cpu += processCPU(b) - before
		b.StartTimer()
	}
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(i), "cpu-ms/op")
}

// processCPU is the CPU time this process has used, user and system.
func processCPU(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestLessonPageDatabaseOps: a learner reading a lesson page again within
// the caches' TTL costs the database nothing: session, user, progress and
// the header's unread count are all remembered.
func TestLessonPageDatabaseOps(t *testing.T) {
	e := newEnv(t)
	page := func() {
		t.Helper()
		if res := e.api("GET", "/courses/ethics/lessons/owner-privacy", "trainee", nil); res.StatusCode != 200 {
			t.Fatalf("lesson page: %d %s", res.StatusCode, res.Body)
		}
	}
	page()
	e.ops.take()
	page()
	if ops := e.ops.take(); len(ops) > 0 {
		t.Errorf("a lesson page read again sends database commands: %v", ops)
	}
}
