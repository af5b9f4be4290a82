package http_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
)

// TestDeskSearchKinds: the live desk's search box finds tickets by
// number, flat, part of a name and phone as the masking rules allow,
// newest first, through the search index of the real store.
func TestDeskSearchKinds(t *testing.T) {
	e := newEnv(t)
	open := func(body map[string]any) apiTicket {
		t.Helper()
		var tk apiTicket
		res := e.api("POST", "/api/v1/workspaces/s1/tickets", "agent", body)
		if res.StatusCode != 201 {
			t.Fatalf("create %v: %d %s", body, res.StatusCode, res.Body)
		}
		res.json(t, &tk)
		e.clock.Advance(time.Minute)
		return tk
	}
	// r1 王芳 lives in 3-2-1202 (13812345678), r2 赵强 in 3-2-1302
	// (13987654321).
	wang := open(map[string]any{"type": "repair", "title": "卫生间渗水", "resident": "r1"})
	zhao := open(map[string]any{"type": "inquiry", "title": "问停车月卡", "resident": "r2"})
	flat := open(map[string]any{"type": "inquiry", "title": "门禁卡补办", "unit": "3-2-1302"})
	lamp := open(map[string]any{"type": "complaint", "title": "路灯不亮"})
	search := func(query string) []string {
		t.Helper()
		var out struct{ Items []academy.TicketSummary }
		res := e.api("GET", "/api/v1/workspaces/s1/tickets?"+query, "agent", nil)
		if res.StatusCode != 200 {
			t.Fatalf("search %s: %d %s", query, res.StatusCode, res.Body)
		}
		res.json(t, &out)
		numbers := []string{}
		for _, it := range out.Items {
			numbers = append(numbers, it.Number)
		}
		return numbers
	}
	digits := strings.TrimLeft(lamp.Number[strings.Index(lamp.Number, "-")+1:], "0")
	for _, c := range []struct {
		kind, q string
		want    []string
	}{
		{"number", lamp.Number, []string{lamp.Number}},
		{"number in lower case", strings.ToLower(wang.Number), []string{wang.Number}},
		{"number's digits without zeros", digits, []string{lamp.Number}},
		{"flat by label", "3栋2单元1302", []string{flat.Number, zhao.Number}},
		{"flat by room", "1302", []string{flat.Number, zhao.Number}},
		{"flat by id", "3-2-1302", []string{flat.Number, zhao.Number}},
		{"partial name", "芳", []string{wang.Number}},
		{"whole name", "赵强", []string{zhao.Number}},
		{"phone's last 4 digits with the flat", "1302 4321", []string{zhao.Number}},
		{"whole phone", "139-8765-4321", []string{zhao.Number}},
		{"nothing found", "没有这个人", []string{}},
		{"the digits masking hides", "8765", []string{}},
		{"a number's start, masked digits included", "1398765", []string{}},
		{"the last 4 digits without the flat", "4321", []string{}},
		{"the last 4 digits with another flat", "1202 4321", []string{}},
	} {
		if got := search("queue=all&q=" + url.QueryEscape(c.q)); !slices.Equal(got, c.want) {
			t.Errorf("%s %q finds %v, want %v", c.kind, c.q, got, c.want)
		}
	}
	// A search is at most 64 characters, like the site directory's.
	if res := e.api("GET", "/api/v1/workspaces/s1/tickets?q="+url.QueryEscape(strings.Repeat("王", 65)), "agent", nil); res.StatusCode != 400 || !strings.Contains(res.Body, "q: ") {
		t.Errorf("a search of 65 characters: %d %s", res.StatusCode, res.Body)
	}
	// The search narrows the queue, type and state chosen, and follows
	// a ticket's changes.
	if got := search("queue=all&type=repair&q=1302"); len(got) != 0 {
		t.Errorf("repairs of 1302: %v", got)
	}
	res := e.transition("s1", zhao.ID, "agent", "answer", zhao.Version, map[string]string{"answer": "月卡在物业前台办理"})
	if res.StatusCode != 200 {
		t.Fatalf("answer: %d %s", res.StatusCode, res.Body)
	}
	res.json(t, &zhao)
	if res := e.transition("s1", zhao.ID, "agent", "close", zhao.Version, nil); res.StatusCode != 200 {
		t.Fatalf("close: %d %s", res.StatusCode, res.Body)
	}
	if got := search("queue=open&q=1302"); !slices.Equal(got, []string{flat.Number}) {
		t.Errorf("open tickets of 1302: %v", got)
	}
	if got := search("queue=all&state=closed&q=" + url.QueryEscape("赵")); !slices.Equal(got, []string{zhao.Number}) {
		t.Errorf("closed tickets of 赵: %v", got)
	}
}
