package http_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
	ahttp "github.com/academy/academy/internal/http"
)

// TestTeamDashboardsReuseTheirEvidence: with a MaxAge, the dashboards count
// from evidence gathered once and say when; older evidence is shown while
// a fresh copy is gathered behind the view, a manager may ask for a
// recount, and evidence from before a quiet spell is not shown at all.
func TestTeamDashboardsReuseTheirEvidence(t *testing.T) {
	const maxAge = 30 * time.Second
	e := newEnv(t, func(d *ahttp.Deps) { d.TeamBoard = &academy.TeamBoard{MaxAge: maxAge} })
	counted := regexp.MustCompile(`· (\d+) 人`)
	fresh := regexp.MustCompile(`<p class="muted" id="fresh">数据统计于 (\d\d:\d\d:\d\d)（每 30 秒重新统计） · <a href="([^"]+)">`)
	view := func(path string) (people, at, refresh string) {
		t.Helper()
		res := e.api("GET", path, "manager", nil)
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d", path, res.StatusCode)
		}
		f := fresh.FindStringSubmatch(res.Body)
		if f == nil {
			t.Fatalf("%s does not say when its figures were counted", path)
		}
		if m := counted.FindStringSubmatch(res.Body); m != nil {
			people = m[1]
		}
		return people, f[1], strings.ReplaceAll(f[2], "&amp;", "&")
	}
	hire := func(name string) { e.createUser(name, []string{academy.RoleTrainee}, []string{"s1"}) }

	before, at, refresh := view("/team?site=s1")
	if !strings.Contains(refresh, "refresh=1") || !strings.Contains(refresh, "site=s1") {
		t.Fatalf("the recount link %q loses the filters", refresh)
	}
	hire("new1")
	if people, again, _ := view("/team?site=s1"); people != before || again != at {
		t.Fatalf("within MaxAge the dashboard counted again: %s people at %s, before %s at %s", people, again, before, at)
	}
	if _, wat, _ := view("/team/weak-spots"); wat != at {
		t.Fatalf("weak spots counted at %s, the dashboard at %s: not the same evidence", wat, at)
	}

	// Past MaxAge: this view still shows the old figures, and starts a
	// gathering that the next views see.
	e.clock.Advance(maxAge + time.Second)
	if people, _, _ := view("/team?site=s1"); people != before {
		t.Fatalf("past MaxAge the view waited for a recount: %s people", people)
	}
	want := fmt.Sprint(atoi(t, before) + 1)
	deadline := time.Now().Add(10 * time.Second)
	for {
		people, newAt, _ := view("/team?site=s1")
		if people == want && newAt != at {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the gathering behind the view never landed: %s people at %s", people, newAt)
		}
		time.Sleep(20 * time.Millisecond)
	}

	// A recount on request: not again within MinRefresh, then at once.
	hire("new2")
	if people, _, _ := view(refresh); people != want {
		t.Fatalf("a recount right after one counted again: %s people", people)
	}
	e.clock.Advance(academy.MinRefresh)
	want = fmt.Sprint(atoi(t, want) + 1)
	if people, _, _ := view(refresh); people != want {
		t.Fatalf("a recount did not count the new hire: %s people, want %s", people, want)
	}

	// After a quiet spell the old figures are not shown: the view waits.
	hire("new3")
	e.clock.Advance(academy.Expire * maxAge)
	want = fmt.Sprint(atoi(t, want) + 1)
	if people, _, _ := view("/team?site=s1"); people != want {
		t.Fatalf("evidence older than Expire×MaxAge was shown: %s people, want %s", people, want)
	}

	// Kept fresh behind the scenes: not while the evidence is young, then
	// once it is half way to Expire, so that a view after a quiet spell
	// as long as that finds evidence to show instead of waiting.
	board := e.deps.TeamBoard
	_, at, _ = view("/team?site=s1")
	hire("new4")
	e.clock.Advance(board.KeepFreshEvery())
	if _, err := board.KeepFresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	if people, again, _ := view("/team?site=s1"); people != want || again != at {
		t.Fatalf("young evidence was gathered again: %s people at %s, before %s at %s", people, again, want, at)
	}
	e.clock.Advance(board.KeepFreshEvery())
	if _, err := board.KeepFresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	want = fmt.Sprint(atoi(t, want) + 1)
	people, kept, _ := view("/team?site=s1")
	if people != want || kept == at {
		t.Fatalf("evidence half way to Expire was not gathered: %s people at %s, want %s after %s", people, kept, want, at)
	}
	hire("new5")
	e.clock.Advance(academy.Expire*maxAge - time.Second)
	if people, again, _ := view("/team?site=s1"); people != want || again != kept {
		t.Fatalf("a view within Expire of the kept evidence waited for a gathering: %s people at %s, want %s at %s", people, again, want, kept)
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return n
}
