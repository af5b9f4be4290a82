package http_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
)

type apiSandbox struct {
	ID     string
	Name   string
	Offset time.Duration
}

func (e *env) sandboxes(t *testing.T, who string) []apiSandbox {
	t.Helper()
	var l struct{ Items []apiSandbox }
	e.api("GET", "/api/v1/sandboxes", who, nil).json(t, &l)
	return l.Items
}

func (e *env) openSandbox(t *testing.T, who, name string) apiSandbox {
	t.Helper()
	res := e.api("POST", "/api/v1/sandboxes", who, map[string]string{"name": name})
	if res.StatusCode != 201 {
		t.Fatalf("open %q: %d %s", name, res.StatusCode, res.Body)
	}
	var sb apiSandbox
	res.json(t, &sb)
	return sb
}

// A learner keeps the newest sandboxes; opening more deletes the oldest
// with their tickets, and a huge name is refused before anything is kept.
func TestSandboxesPerLearnerAreBounded(t *testing.T) {
	e := newEnv(t)
	first := e.openSandbox(t, "trainee", "练习1")
	if res := e.api("POST", "/api/v1/workspaces/"+first.ID+"/tickets", "trainee", map[string]any{"type": "inquiry", "title": "咨询"}); res.StatusCode != 201 {
		t.Fatalf("ticket: %d %s", res.StatusCode, res.Body)
	}
	for i := 2; i <= academy.MaxSandboxes+2; i++ {
		e.openSandbox(t, "trainee", fmt.Sprintf("练习%d", i))
	}
	list := e.sandboxes(t, "trainee")
	if len(list) != academy.MaxSandboxes {
		t.Fatalf("%d sandboxes kept, want %d", len(list), academy.MaxSandboxes)
	}
	if list[0].Name != fmt.Sprintf("练习%d", academy.MaxSandboxes+2) || list[len(list)-1].Name != "练习3" {
		t.Errorf("kept %s … %s, want the newest", list[0].Name, list[len(list)-1].Name)
	}
	if res := e.api("GET", "/api/v1/workspaces/"+first.ID+"/tickets?queue=all", "trainee", nil); res.StatusCode != 404 {
		t.Errorf("the oldest sandbox's tickets: %d, want 404", res.StatusCode)
	}
	// Another learner's sandboxes are theirs to keep.
	if n := len(e.sandboxes(t, "trainer")); n != 0 {
		t.Fatalf("trainer has %d sandboxes", n)
	}
	e.openSandbox(t, "trainer", "自己的")
	if n := len(e.sandboxes(t, "trainee")); n != academy.MaxSandboxes {
		t.Errorf("someone else's sandbox changed the trainee's: %d", n)
	}

	huge := strings.Repeat("n", 1<<20-64) // as much as a request body may hold
	for _, res := range []*response{
		e.api("POST", "/api/v1/sandboxes", "trainee", map[string]string{"name": huge}),
		e.form("/sandboxes", "trainee", url.Values{"name": {huge}}),
	} {
		if res.StatusCode != 400 || !strings.Contains(res.Body, "name: ") || !strings.Contains(res.Body, "100") {
			t.Errorf("1 MiB name: %d %.200s", res.StatusCode, res.Body)
		}
	}
	if after := e.sandboxes(t, "trainee"); after[0].ID != list[0].ID || len(after) != academy.MaxSandboxes {
		t.Error("a refused name still removed or added a sandbox")
	}
}

// The clock takes whole minutes from 1 to 30 days, and runs at most a year
// ahead in all, so that no count or repetition overflows it.
func TestSandboxClockIsBounded(t *testing.T) {
	e := newEnv(t)
	sb := e.openSandbox(t, "trainee", "时钟")
	clock := "/api/v1/sandboxes/" + sb.ID + "/clock"
	offset := func() time.Duration { return e.sandboxes(t, "trainee")[0].Offset }

	for _, body := range []string{
		`{"minutes":9223372036854775807}`, // math.MaxInt64
		`{"minutes":9007199254740992}`,    // 2^53
		`{"minutes":-1}`, `{"minutes":0}`, `{}`,
		`{"minutes":43201}`, // 30 days and a minute
		`{"minutes":1.5}`, `{"minutes":"60"}`, `{"minutes":1e30}`, `{"minutes":null}`,
	} {
		res := e.api("POST", clock, "trainee", body)
		if res.StatusCode != 400 || !strings.Contains(res.Body, "minutes: ") {
			t.Errorf("%s: %d %s", body, res.StatusCode, res.Body)
		}
	}
	for _, v := range []string{"9223372036854775807", "99999999999999999999", "1.5", "-5", "0", "abc", ""} {
		res := e.form("/desk/"+sb.ID+"/clock", "trainee", url.Values{"minutes": {v}})
		if res.StatusCode != 400 || !strings.Contains(res.Body, "minutes: ") {
			t.Errorf("form minutes=%q: %d %.200s", v, res.StatusCode, res.Body)
		}
	}
	if off := offset(); off != 0 {
		t.Fatalf("refused advances moved the clock by %v", off)
	}

	// Twelve advances of 30 days are 360 days; five more days reach the
	// year; past it is refused, and the clock never wraps.
	month := fmt.Sprintf(`{"minutes":%d}`, int(academy.MaxAdvance/time.Minute))
	for i := 0; i < 12; i++ {
		if res := e.api("POST", clock, "trainee", month); res.StatusCode != 200 {
			t.Fatalf("advance %d: %d %s", i+1, res.StatusCode, res.Body)
		}
	}
	if res := e.api("POST", clock, "trainee", month); res.StatusCode != 400 || !strings.Contains(res.Body, "365") {
		t.Fatalf("past a year: %d %s", res.StatusCode, res.Body)
	}
	var out struct{ Now time.Time }
	res := e.api("POST", clock, "trainee", `{"minutes":7200}`)
	res.json(t, &out)
	if res.StatusCode != 200 || offset() != academy.MaxOffset {
		t.Fatalf("up to the year: %d %s (offset %v)", res.StatusCode, res.Body, offset())
	}
	if year := time.Now().Year(); out.Now.Year() < year || out.Now.Year() > year+2 {
		t.Errorf("the sandbox clock reads %v", out.Now)
	}
	if res := e.api("POST", clock, "trainee", `{"minutes":1}`); res.StatusCode != 400 {
		t.Fatalf("a minute past the year: %d", res.StatusCode)
	}
	// A reset starts the year again.
	if res := e.api("POST", "/api/v1/sandboxes/"+sb.ID+"/reset", "trainee", nil); res.StatusCode != 200 {
		t.Fatalf("reset: %d", res.StatusCode)
	}
	if res := e.api("POST", clock, "trainee", month); res.StatusCode != 200 {
		t.Fatalf("after a reset: %d %s", res.StatusCode, res.Body)
	}
}

// A site id with the sandbox prefix would name a desk that routes to the
// sandboxes, so it cannot be created, by the API or the web form.
func TestSiteIDsWithTheSandboxPrefixAreReserved(t *testing.T) {
	e := newEnv(t)
	before := e.api("GET", "/api/v1/sites", "admin", nil).Body
	for _, res := range []*response{
		e.api("POST", "/api/v1/sites", "admin", map[string]string{"id": academy.SandboxPrefix + "lobby", "name": "大堂"}),
		e.form("/admin/sites", "admin", url.Values{"id": {academy.SandboxPrefix + "lobby"}, "name": {"大堂"}}),
	} {
		// The API answers in English, the page in the viewer's Chinese.
		if res.StatusCode != 400 || !strings.Contains(res.Body, "id: ") || !strings.Contains(res.Body, "reserved for practice sandboxes") && !strings.Contains(res.Body, "留给演练环境") {
			t.Errorf("%d %.300s", res.StatusCode, res.Body)
		}
	}
	if after := e.api("GET", "/api/v1/sites", "admin", nil).Body; after != before {
		t.Errorf("a refused site was stored: %s", after)
	}
	// Only the prefix is reserved.
	if res := e.api("POST", "/api/v1/sites", "admin", map[string]string{"id": "sbx-lobby", "name": "大堂"}); res.StatusCode != 201 {
		t.Errorf("sbx-lobby: %d %s", res.StatusCode, res.Body)
	}
}

// The desk's "advance by" form takes any whole number of minutes or
// hours up to 30 days: 23 minutes for a task that needs them. Anything
// else is refused with the desk shown again, naming the field, the amount
// as typed kept, and the clock left where it was.
func TestSandboxClockFormTakesAnyAmount(t *testing.T) {
	e := newEnv(t)
	sb := e.openSandbox(t, "trainee", "时钟")
	clock := "/desk/" + sb.ID + "/clock"
	offset := func() time.Duration { return e.sandboxes(t, "trainee")[0].Offset }

	for _, c := range []struct{ amount, unit, field string }{
		{"0", "minutes", "amount: "}, {"-5", "minutes", "amount: "}, {"-1", "hours", "amount: "},
		{"43201", "minutes", "amount: "}, {"721", "hours", "amount: "},
		{"99999999999999999999", "hours", "amount: "}, {"9223372036854775807", "minutes", "amount: "},
		{"abc", "minutes", "amount: "}, {"1.5", "hours", "amount: "}, {"", "minutes", "amount: "}, {"1e3", "minutes", "amount: "},
		{"23", "days", "unit: "}, {"23", "", "unit: "},
	} {
		res := e.form(clock, "trainee", url.Values{"amount": {c.amount}, "unit": {c.unit}, "next": {"/desk/" + sb.ID}})
		if res.StatusCode != 400 || !strings.Contains(res.Body, c.field) || !strings.Contains(res.Body, `id="advance-form"`) {
			t.Errorf("amount=%q unit=%q: %d %.300s", c.amount, c.unit, res.StatusCode, res.Body)
		}
		if c.amount != "" && !strings.Contains(res.Body, `value="`+c.amount+`"`) {
			t.Errorf("amount=%q: the refused amount is not kept in the form", c.amount)
		}
	}
	if off := offset(); off != 0 {
		t.Fatalf("refused advances moved the clock by %v", off)
	}

	res := e.form(clock, "trainee", url.Values{"amount": {" 23 "}, "unit": {"minutes"}, "next": {"/desk/" + sb.ID}})
	if res.StatusCode != 303 || offset() != 23*time.Minute {
		t.Fatalf("23 minutes: %d, offset %v", res.StatusCode, offset())
	}
	if res := e.form(clock, "trainee", url.Values{"amount": {"720"}, "unit": {"hours"}}); res.StatusCode != 303 || offset() != 23*time.Minute+30*24*time.Hour {
		t.Fatalf("720 hours: %d, offset %v", res.StatusCode, offset())
	}
	// The quick buttons still post whole minutes.
	if res := e.form(clock, "trainee", url.Values{"minutes": {"15"}}); res.StatusCode != 303 || offset() != 38*time.Minute+30*24*time.Hour {
		t.Fatalf("+15: %d, offset %v", res.StatusCode, offset())
	}
}
