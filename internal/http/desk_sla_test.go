package http_test

import (
	"slices"
	"strings"
	"testing"
	"time"
)

type queueItem struct {
	ID      string
	Overdue bool
	Band    string `json:"sla_band"`
}

// queueOf lists a queue through the API, keeping only the tickets in ids
// (the desks start with tickets of their own).
func (e *env) queueOf(ws, who, query string, ids ...string) []queueItem {
	e.t.Helper()
	var q struct{ Items []queueItem }
	if res := e.api("GET", "/api/v1/workspaces/"+ws+"/tickets?"+query, who, nil); res.StatusCode != 200 {
		e.t.Fatalf("queue %s?%s: %d %s", ws, query, res.StatusCode, res.Body)
	} else {
		res.json(e.t, &q)
	}
	return slices.DeleteFunc(q.Items, func(it queueItem) bool { return !slices.Contains(ids, it.ID) })
}

// The live queue shows each ticket's SLA band in words and sorts closest
// to breach first; the bands move with the clock.
func TestLiveQueueSLABands(t *testing.T) {
	e := newEnv(t)
	e.deps.Desk.Now = e.clock.Now
	open := func(priority string) string {
		var tk apiTicket
		res := e.api("POST", "/api/v1/workspaces/s1/tickets", "agent", map[string]any{"type": "repair", "title": "电梯异响", "resident": "r1", "priority": priority})
		if res.StatusCode != 201 {
			t.Fatalf("create: %d %s", res.StatusCode, res.Body)
		}
		res.json(t, &tk)
		return tk.ID
	}
	// Respond within 15 minutes (urgent) and 2 hours (normal), around the clock.
	urgent := open("urgent")
	normal := open("normal")
	check := func(query string, want ...string) {
		t.Helper()
		got := e.queueOf("s1", "agent", query, urgent, normal)
		var s []string
		for _, it := range got {
			s = append(s, it.ID+":"+it.Band)
		}
		if strings.Join(s, " ") != strings.Join(want, " ") {
			t.Fatalf("%s: %v, want %v", query, s, want)
		}
	}
	check("queue=open", normal+":fresh", urgent+":fresh")
	e.clock.Advance(10 * time.Minute) // urgent at 2/3 of its 15 minutes
	check("queue=open", normal+":fresh", urgent+":half")
	check("queue=open&sort=breach", urgent+":half", normal+":fresh")
	e.clock.Advance(3 * time.Minute) // 13 of 15 minutes
	check("queue=open&sort=breach", urgent+":near", normal+":fresh")
	e.clock.Advance(3 * time.Minute)
	check("queue=open&sort=breach", urgent+":breached", normal+":fresh")

	b := e.browser()
	b.loginAs("agent")
	page := b.get("/desk/s1?queue=open&sort=breach")
	if page.StatusCode != 200 || !strings.Contains(page.Body, `<option value="breach" selected>`) || !strings.Contains(page.Body, "时限未过半") {
		t.Fatalf("queue page: %d, sort kept %v, band in words %v", page.StatusCode,
			strings.Contains(page.Body, `<option value="breach" selected>`), strings.Contains(page.Body, "时限未过半"))
	}
	if i, j := strings.Index(page.Body, "/tickets/"+urgent), strings.Index(page.Body, "/tickets/"+normal); i < 0 || j < 0 || i > j {
		t.Fatalf("page order: urgent at %d, normal at %d", i, j)
	}
	if res := e.api("GET", "/api/v1/workspaces/s1/tickets?sort=oldest", "agent", nil); res.StatusCode != 400 || !strings.Contains(res.Body, "sort") {
		t.Fatalf("bad sort: %d %s", res.StatusCode, res.Body)
	}
}

// The practice desk runs on its simulated clock: the bands follow it.
func TestPracticeQueueSLABands(t *testing.T) {
	e := newEnv(t)
	var sb struct{ ID string }
	e.api("POST", "/api/v1/sandboxes", "trainee", nil).json(t, &sb)
	var tk apiTicket
	e.api("POST", "/api/v1/workspaces/"+sb.ID+"/tickets", "trainee", map[string]any{"type": "repair", "title": "电梯异响", "priority": "urgent"}).json(t, &tk)
	if got := e.queueOf(sb.ID, "trainee", "queue=open", tk.ID); len(got) != 1 || got[0].Band != "fresh" {
		t.Fatalf("new practice ticket: %+v", got)
	}
	if res := e.api("POST", "/api/v1/sandboxes/"+sb.ID+"/clock", "trainee", map[string]int{"minutes": 12}); res.StatusCode != 200 {
		t.Fatalf("advance: %d %s", res.StatusCode, res.Body)
	}
	got := e.queueOf(sb.ID, "trainee", "queue=open&sort=breach", tk.ID)
	if len(got) != 1 || got[0].Band != "near" {
		t.Fatalf("after 12 of 15 minutes: %+v", got)
	}
	b := e.browser()
	b.loginAs("trainee")
	if page := b.get("/desk/" + sb.ID + "?sort=breach"); page.StatusCode != 200 || !strings.Contains(page.Body, "时限已过八成") {
		t.Fatalf("practice queue page: %d", page.StatusCode)
	}
}
