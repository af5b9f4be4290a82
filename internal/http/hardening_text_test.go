package http_test

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// textCase is one field a person types that gets stored: how to send a
// value for it, and what to read back to see that a refused value changed
// nothing.
type textCase struct {
	route, field string
	max          int
	json         bool // sent as a JSON body (else as a form)
	send         func(v string) *response
	state        func() string
}

// jsonWith is body with every "@" string replaced by v. Invalid UTF-8 goes
// in byte for byte: json.Marshal would turn it into U+FFFD.
func jsonWith(body map[string]any, v string) string {
	b, _ := json.Marshal(body)
	quoted, _ := json.Marshal(v)
	if !utf8.ValidString(v) {
		quoted = []byte(`"` + v + `"`)
	}
	return strings.ReplaceAll(string(b), `"@"`, string(quoted))
}

func TestTypedTextIsRefusedWithControlsAndLength(t *testing.T) {
	e := newEnv(t)
	get := func(path, who string) func() string {
		return func() string {
			res := e.api("GET", path, who, nil)
			return res.Status + res.Body
		}
	}
	// The ticket list shows times relative to now; what is stored is the
	// tickets and their versions.
	tickets := func() string {
		var l struct {
			Items []struct {
				ID, Title string
				Version   int
			}
		}
		e.api("GET", "/api/v1/workspaces/s1/tickets?queue=all", "agent", nil).json(t, &l)
		return fmt.Sprint(l.Items)
	}
	// One ticket's SLA clocks run in business hours; what is stored is its
	// version and its events.
	ticketState := func(id string) func() string {
		return func() string {
			var tk struct {
				Version int
				Events  []map[string]any
			}
			e.api("GET", "/api/v1/workspaces/s1/tickets/"+id, "agent", nil).json(t, &tk)
			return fmt.Sprint(tk)
		}
	}
	apiCase := func(method, path, who string, body map[string]any) func(string) *response {
		return func(v string) *response { return e.api(method, path, who, jsonWith(body, v)) }
	}
	formCase := func(path, who string, form url.Values, field string) func(string) *response {
		return func(v string) *response {
			f := url.Values{}
			for k, x := range form {
				f[k] = x
			}
			f.Set(field, v)
			req := httptest.NewRequest("POST", path, strings.NewReader(f.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Accept", "application/json")
			req.Header.Set("Authorization", "Bearer "+e.tokens[who])
			return e.do(req)
		}
	}

	// A ticket to act on, a run waiting for a reply.
	var ticket struct{ ID string }
	if res := e.api("POST", "/api/v1/workspaces/s1/tickets", "agent", map[string]any{"type": "inquiry", "title": "咨询停车"}); res.StatusCode != 201 {
		t.Fatalf("ticket: %d %s", res.StatusCode, res.Body)
	}
	var list struct{ Items []struct{ ID string } }
	e.api("GET", "/api/v1/workspaces/s1/tickets?queue=all", "agent", nil).json(t, &list)
	ticket.ID = list.Items[0].ID
	run := runToReply(t, e, "trainee")

	cases := []textCase{
		{route: "POST /api/v1/users", field: "display_name", max: 64, json: true,
			send:  apiCase("POST", "/api/v1/users", "admin", map[string]any{"username": "xiaozhang", "display_name": "@", "roles": []string{"trainee"}, "sites": []string{"s1"}, "password": testPassword}),
			state: get("/api/v1/users/xiaozhang", "admin")},
		{route: "POST /api/v1/users", field: "legal_name", max: 64, json: true,
			send:  apiCase("POST", "/api/v1/users", "admin", map[string]any{"username": "xiaozhang", "legal_name": "@", "roles": []string{"trainee"}, "sites": []string{"s1"}, "password": testPassword}),
			state: get("/api/v1/users/xiaozhang", "admin")},
		{route: "PATCH /api/v1/users/:username", field: "legal_name", max: 64, json: true,
			send:  apiCase("PATCH", "/api/v1/users/trainee", "admin", map[string]any{"legal_name": "@"}),
			state: get("/api/v1/users/trainee", "admin")},
		{route: "POST /api/v1/sites", field: "name", max: 64, json: true,
			send:  apiCase("POST", "/api/v1/sites", "admin", map[string]any{"id": "s9", "name": "@"}),
			state: get("/api/v1/sites", "admin")},
		{route: "POST /api/v1/sandboxes", field: "name", max: 100, json: true,
			send:  apiCase("POST", "/api/v1/sandboxes", "trainee", map[string]any{"name": "@"}),
			state: get("/api/v1/sandboxes", "trainee")},
		{route: "POST /api/v1/workspaces/:ws/tickets", field: "title", max: 100, json: true,
			send:  apiCase("POST", "/api/v1/workspaces/s1/tickets", "agent", map[string]any{"type": "inquiry", "title": "@"}),
			state: tickets},
		{route: "POST /api/v1/workspaces/:ws/tickets", field: "description", max: 4000, json: true,
			send:  apiCase("POST", "/api/v1/workspaces/s1/tickets", "agent", map[string]any{"type": "inquiry", "title": "咨询", "description": "@"}),
			state: tickets},
		{route: "POST /api/v1/workspaces/:ws/tickets/:id/transitions", field: "fields.text", max: 4000, json: true,
			send:  apiCase("POST", "/api/v1/workspaces/s1/tickets/"+ticket.ID+"/transitions", "agent", map[string]any{"action": "note", "version": 1, "fields": map[string]any{"text": "@"}}),
			state: ticketState(ticket.ID)},
		{route: "POST /api/v1/users/:username/quizzes/:slug/grants", field: "reason", max: 500, json: true,
			send:  apiCase("POST", "/api/v1/users/trainee/quizzes/ethics/grants", "trainer", map[string]any{"kind": "extra_attempt", "reason": "@"}),
			state: get("/api/v1/audit", "admin")},
		{route: "POST /api/v1/runs/:id/choices", field: "reply", max: 1000, json: true,
			send:  apiCase("POST", "/api/v1/runs/"+run.ID+"/choices", "trainee", map[string]any{"step": run.Current.ID, "reply": "@"}),
			state: get("/api/v1/runs/"+run.ID, "trainee")},
		{route: "PUT /api/v1/courses/:slug/lessons/:lesson", field: "title", max: 100, json: true,
			send:  apiCase("PUT", "/api/v1/courses/ethics/lessons/role-of-the-desk", "trainer", map[string]any{"title": "@", "minutes": 5, "objectives": []string{"知道"}, "body": "正文", "revision": 1}),
			state: get("/api/v1/courses/ethics/lessons/role-of-the-desk", "trainer")},
		{route: "PUT /api/v1/courses/:slug/lessons/:lesson", field: "objectives", max: 200, json: true,
			send:  apiCase("PUT", "/api/v1/courses/ethics/lessons/role-of-the-desk", "trainer", map[string]any{"title": "标题", "minutes": 5, "objectives": []string{"@"}, "body": "正文", "revision": 1}),
			state: get("/api/v1/courses/ethics/lessons/role-of-the-desk", "trainer")},
		{route: "POST /account/profile", field: "display_name", max: 64,
			send:  formCase("/account/profile", "trainee", url.Values{"lang": {"zh"}}, "display_name"),
			state: get("/api/v1/me", "trainee")},
		{route: "POST /admin/sites", field: "name", max: 64,
			send:  formCase("/admin/sites", "admin", url.Values{"id": {"s8"}}, "name"),
			state: get("/api/v1/sites", "admin")},
		{route: "POST /sandboxes", field: "name", max: 100,
			send:  formCase("/sandboxes", "trainee", nil, "name"),
			state: get("/api/v1/sandboxes", "trainee")},
		{route: "POST /desk/:ws/tickets", field: "description", max: 4000,
			send:  formCase("/desk/s1/tickets", "agent", url.Values{"type": {"inquiry"}, "title": {"咨询"}}, "description"),
			state: tickets},
		{route: "POST /certificates/:number/revoke", field: "reason", max: 500,
			send:  formCase("/certificates/AC-7K2M-9QXD-4HPW-T3NB/revoke", "manager", nil, "reason"),
			state: get("/api/v1/audit", "admin")},
	}
	for _, tc := range cases {
		values := map[string]string{
			"NUL":          "甲\x00乙",
			"escape":       "甲\x1b[2J乙",
			"RLO":          "甲\u202E乙",
			"invalid":      "甲\xff乙",
			"one too long": strings.Repeat("长", tc.max+1),
		}
		for what, v := range values {
			t.Run(tc.route+" "+tc.field+" "+what, func(t *testing.T) {
				before := tc.state()
				res := tc.send(v)
				if res.StatusCode != 400 {
					t.Fatalf("%d %.300s", res.StatusCode, res.Body)
				}
				named := tc.field + ": "
				if what == "invalid" && tc.json {
					named = "body: " // the JSON body as a whole is not UTF-8
				}
				if !strings.Contains(res.Body, named) {
					t.Errorf("the message does not name %q: %.300s", named, res.Body)
				}
				if after := tc.state(); after != before {
					t.Errorf("a refused value changed what is stored:\nbefore %.300s\nafter  %.300s", before, after)
				}
			})
		}
	}
}

// runToReply starts a run of a scenario with a free-text step and answers
// its conversation until that step.
func runToReply(t *testing.T, e *env, who string) apiRun {
	t.Helper()
	var r apiRun
	if res := e.api("POST", "/api/v1/scenarios/angry-owner/runs", who, nil); res.StatusCode != 201 {
		t.Fatalf("start: %d %s", res.StatusCode, res.Body)
	} else {
		res.json(t, &r)
	}
	sc := e.deps.Catalog.Snapshot().Scenarios["angry-owner"]
	for i := 0; ; i++ {
		if r.Current == nil || r.Current.Kind != "dialogue" || i > 20 {
			t.Fatal("the conversation has no free-text step")
		}
		st := sc.Step(r.Current.ID)
		if st.Reply != nil {
			return r
		}
		res := e.api("POST", "/api/v1/runs/"+r.ID+"/choices", who, map[string]any{"step": st.ID, "choice": slices.Index(r.Current.Choices, bestChoice(st).Text)})
		if res.StatusCode != 200 {
			t.Fatalf("choice at %s: %d %s", st.ID, res.StatusCode, res.Body)
		}
		r = apiRun{}
		res.json(t, &r)
	}
}

// A program's name is printed on every certificate: written into its YAML
// with escapes, a control or direction character is refused too.
func TestProgramNamesAreCheckedText(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.loginAs("admin")
	token := b.csrf("/admin/programs/new")
	for _, name := range []string{`"甲\0乙"`, `"甲\e[2J乙"`, `"甲\u202E乙"`, `"甲\u0085乙"`, strings.Repeat("长", 101)} {
		res := b.post("/admin/programs", url.Values{"_csrf": {token}, "new": {"1"}, "slug": {"hostile"},
			"yaml": {"name: " + name + "\nvalidity_months: 12\nrequirements:\n  courses: [emergencies]\n"}})
		if res.StatusCode != 400 || !strings.Contains(res.Body, "name: ") {
			t.Errorf("name %s: %d", name, res.StatusCode)
		}
	}
	if e.deps.Catalog.Snapshot().Programs["hostile"] != nil {
		t.Fatal("a refused program was stored")
	}
}
