package http_test

import (
	"regexp"
	"strings"
	"testing"
)

// A practice call's desk shows the call's task and leads back to the call
// in the same tab: while the owner is still talking it says so, at the task
// it shows what to do and what will be checked, in words, on the queue,
// the new-ticket form and a ticket's page. A practice desk opened by hand
// has no panel, and the run page opens the desk in the same tab.
func TestDeskShowsTheCallsTask(t *testing.T) {
	e := newEnv(t)
	var r apiRun
	e.api("POST", "/api/v1/scenarios/water-leak/runs", "trainee", nil).json(t, &r)
	desk := "/desk/" + r.Sandbox
	back := `id="back-to-call" href="/runs/` + r.ID + `"`

	run := e.api("GET", "/runs/"+r.ID, "trainee", nil).Body
	if !strings.Contains(run, `href="`+desk+`"`) || strings.Contains(run, "_blank") {
		t.Errorf("the run page does not open its desk in the same tab")
	}
	page := e.api("GET", desk, "trainee", nil).Body
	if !strings.Contains(page, back) || !strings.Contains(page, "返回通话") || !strings.Contains(page, "通话还在进行") {
		t.Fatalf("desk during the talk:\n%s", page)
	}

	r = talkToTask(t, e, "trainee", "water-leak", r)
	var tk apiTicket
	e.api("POST", "/api/v1/workspaces/"+r.Sandbox+"/tickets", "trainee", map[string]any{"type": "repair", "title": "渗水"}).json(t, &tk)
	for _, path := range []string{desk, desk + "/new", desk + "/tickets/" + tk.ID} {
		res := e.api("GET", path, "trainee", nil)
		page := res.Body
		for _, want := range []string{back, `id="task-panel"`, "要做什么", "系统会检查",
			"来电业主的报修工单", "处理部门：工程", // a ticket check, with its fields by name
			"报修工单依次：受理建单 → 派单", // an order check, by the actions' names
		} {
			if !strings.Contains(page, want) {
				t.Errorf("%s: no %q", path, want)
			}
		}
		for _, code := range []string{"engineering", ">order<", "persona"} {
			if strings.Contains(page[strings.Index(page, `id="task-panel"`):], code+"：") {
				t.Errorf("%s: the task panel shows %q", path, code)
			}
		}
		// The ticket's page folds the task so that its actions come first.
		open := strings.Contains(page, `<details class="task-text" open>`)
		if open == strings.Contains(path, "/tickets/") {
			t.Errorf("%s: task text open=%v", path, open)
		}
	}

	// Another learner's desk is not reachable, and a desk opened by hand has no task.
	if res := e.api("GET", desk, "agent", nil); res.StatusCode == 200 {
		t.Errorf("another user's practice call desk: %d", res.StatusCode)
	}
	sb := e.openSandbox(t, "trainee", "自由练习")
	if page := e.api("GET", "/desk/"+sb.ID, "trainee", nil).Body; strings.Contains(page, `id="task-panel"`) {
		t.Error("a practice desk shows a task panel")
	}
}

// The scenarios page lists the calls by module, under the course's title,
// easiest first, with the difficulty in words; no slug is shown.
func TestScenariosListedByModuleAndDifficulty(t *testing.T) {
	e := newEnv(t)
	page := e.api("GET", "/scenarios", "trainee", nil).Body
	snap := e.deps.Catalog.Snapshot()
	course := regexp.MustCompile(`<h2 id="group-\d+">([^<]+)</h2>`)
	card := regexp.MustCompile(`id="scenario-([a-z0-9-]+)"[\s\S]*?<span class="badge difficulty-(\w+)">难度：([^<]+)</span>`)
	groups := course.FindAllStringSubmatchIndex(page, -1)
	if len(groups) < 2 {
		t.Fatalf("groups: %d\n%s", len(groups), page)
	}
	words := map[string]string{"easy": "入门", "medium": "进阶", "hard": "挑战"}
	seen := 0
	for i, g := range groups {
		title := page[g[2]:g[3]]
		end := len(page)
		if i+1 < len(groups) {
			end = groups[i+1][0]
		}
		last := -1
		for _, m := range card.FindAllStringSubmatch(page[g[1]:end], -1) {
			sc := snap.Scenarios[m[1]]
			seen++
			if c := snap.Course(sc.Modules[0]); c == nil || c.Title != title {
				t.Errorf("%s is listed under %q", m[1], title)
			}
			if rank := difficultyRank(m[2]); rank < last {
				t.Errorf("%s (%s) comes after a harder call under %q", m[1], m[2], title)
			} else {
				last = rank
			}
			if m[3] != words[m[2]] || m[2] != sc.Difficulty {
				t.Errorf("%s: difficulty %s shown as %q", m[1], m[2], m[3])
			}
		}
	}
	if seen != len(snap.ActiveScenarios) {
		t.Errorf("%d of %d scenarios listed", seen, len(snap.ActiveScenarios))
	}
}

func difficultyRank(d string) int { return strings.Index("easy medium hard", d) }
