package http_test

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/academy/academy/internal/academy"
)

// refusedWhole sends a request with one valid and one invalid part and
// checks that it is refused and that neither what read returns nor the
// audit log changed: nothing is half-written.
func (e *env) refusedWhole(t *testing.T, name string, send func() *response, read func() string) {
	t.Helper()
	before, audits := read(), e.auditTotal()
	res := send()
	if res.StatusCode/100 != 4 {
		t.Errorf("%s: %d %s, want a refusal", name, res.StatusCode, res.Body)
		return
	}
	if after := read(); after != before {
		t.Errorf("%s was refused (%d) but changed what is stored:\nbefore %s\nafter  %s", name, res.StatusCode, before, after)
	}
	if n := e.auditTotal(); n != audits {
		t.Errorf("%s was refused (%d) but wrote %d audit events", name, res.StatusCode, n-audits)
	}
}

func TestPatchUserAllOrNothing(t *testing.T) {
	e := newEnv(t)
	read := func() string { return e.api("GET", "/api/v1/users/trainee", "admin", nil).Body }
	for name, body := range map[string]map[string]any{
		"roles and a bad status":     {"roles": []string{"trainee", "agent"}, "status": "gone"},
		"sites and a bad legal name": {"sites": []string{"s2"}, "legal_name": "李\x01娜"},
		"a status and a bad role":    {"status": "disabled", "roles": []string{"wizard"}},
		"a legal name and no site":   {"legal_name": "李娜", "sites": []string{"nowhere"}},
		"roles and a long name":      {"roles": []string{"trainee", "agent"}, "legal_name": strings.Repeat("名", 65)},
		"a name and no roles":        {"legal_name": "李娜", "roles": []string{}},
	} {
		e.refusedWhole(t, "PATCH "+name, func() *response { return e.api("PATCH", "/api/v1/users/trainee", "admin", body) }, read)
	}
	// The same parts, all valid, are taken together and audited each.
	audits := e.auditTotal()
	res := e.api("PATCH", "/api/v1/users/trainee", "admin", map[string]any{"roles": []string{"trainee", "agent"}, "status": "disabled", "legal_name": "李娜"})
	if res.StatusCode != 200 {
		t.Fatalf("a valid patch: %d %s", res.StatusCode, res.Body)
	}
	var u academy.User
	res.json(t, &u)
	if len(u.Roles) != 2 || u.Status != academy.StatusDisabled || u.LegalName != "李娜" {
		t.Fatalf("after a valid patch: %+v", u)
	}
	if n := e.auditTotal(); n != audits+3 {
		t.Fatalf("a patch of three parts wrote %d audit events, want 3", n-audits)
	}
}

// The quiz settings form reads its numbers strictly: a time limit that is
// not a number refuses the whole form instead of saving the new title
// with the limit taken as 0 (no limit).
func TestQuizSettingsAllOrNothing(t *testing.T) {
	e := newEnv(t)
	tr := e.browser()
	tr.loginAs("trainer")
	q, err := e.deps.Library.Quizzes.FindQuiz(t.Context(), "ethics")
	if err != nil {
		t.Fatal(err)
	}
	read := func() string {
		q, err := e.deps.Library.Quizzes.FindQuiz(t.Context(), "ethics")
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%d %q %d %d %v %v", q.Revision, q.Title, q.PassMark, q.MaxAttempts, q.TimeLimit, q.Cooldown)
	}
	form := func(field, value string) url.Values {
		f := url.Values{"_csrf": {tr.csrf("/author/quizzes/ethics")}, "revision": {strconv.Itoa(q.Revision)}, "title": {"新的标题"},
			"pass_mark": {strconv.Itoa(q.PassMark)}, "max_attempts": {"3"}, "time_limit": {"20"}, "cooldown": {"0"},
			"layout": {q.Layout}, "review": {q.Review}}
		f.Set(field, value)
		return f
	}
	for _, c := range [][2]string{{"time_limit", "abc"}, {"pass_mark", "80%"}, {"max_attempts", "3.5"}, {"cooldown", "十"}} {
		var res *response
		e.refusedWhole(t, "quiz settings with "+c[0]+"="+c[1], func() *response {
			res = tr.post("/author/quizzes/ethics", form(c[0], c[1]))
			return res
		}, read)
		if res != nil && !strings.Contains(res.Body, c[0]+":") {
			t.Errorf("%s=%s: the page does not name the field", c[0], c[1])
		}
	}
	if res := tr.post("/author/quizzes/ethics", form("cooldown", "")); res.StatusCode != 303 {
		t.Fatalf("a valid form: %d", res.StatusCode)
	}
	if got := read(); !strings.Contains(got, "新的标题") || !strings.Contains(got, "20m0s") {
		t.Fatalf("after a valid form: %s", got)
	}
}

// The course details form likewise: an order that is not a number refuses
// the form instead of publishing the new title with the order as 0.
func TestCourseDetailsAllOrNothing(t *testing.T) {
	e := newEnv(t)
	tr := e.browser()
	tr.loginAs("trainer")
	read := func() string {
		cc, err := e.deps.Library.Courses.FindCourse(t.Context(), "ethics")
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%d %q %d %d", cc.Revision, cc.Title, cc.Minutes, cc.Order)
	}
	cc, err := e.deps.Library.Courses.FindCourse(t.Context(), "ethics")
	if err != nil {
		t.Fatal(err)
	}
	form := func(field, value string) url.Values {
		f := url.Values{"_csrf": {tr.csrf("/author/courses/ethics")}, "revision": {strconv.Itoa(cc.Revision)}, "slug": {"ethics"},
			"title": {"新的课程名"}, "summary": {cc.Summary}, "audience": {cc.Audience}, "minutes": {strconv.Itoa(cc.Minutes)}, "order": {"7"}}
		f.Set(field, value)
		return f
	}
	for _, c := range [][2]string{{"order", "abc"}, {"minutes", "30分钟"}} {
		var res *response
		e.refusedWhole(t, "course details with "+c[0]+"="+c[1], func() *response {
			res = tr.post("/author/courses/ethics", form(c[0], c[1]))
			return res
		}, read)
		if res != nil && !strings.Contains(res.Body, c[0]+": &#34;") {
			t.Errorf("%s=%s: the page does not name the field", c[0], c[1])
		}
	}
	if res := tr.post("/author/courses/ethics", form("order", "7")); res.StatusCode != 303 {
		t.Fatalf("a valid form: %d", res.StatusCode)
	}
	if got := read(); !strings.Contains(got, "新的课程名") || !strings.HasSuffix(got, " 7") {
		t.Fatalf("after a valid form: %s", got)
	}
}
