package http_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/academy/academy/internal/academy"
)

func TestAdminEditsPrograms(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.loginAs("admin")
	page := b.get("/admin/programs/desk")
	if page.StatusCode != 200 || !strings.Contains(page.Body, "validity_months: 12") {
		t.Fatalf("edit page: %d", page.StatusCode)
	}
	token := b.csrf("/admin/programs/desk")
	orig := e.deps.Catalog.Snapshot().Programs["desk"]
	yaml := func(body string) url.Values {
		return url.Values{"_csrf": {token}, "slug": {"desk"}, "yaml": {body}}
	}
	good := strings.Replace(page.Body[strings.Index(page.Body, "name: "):strings.Index(page.Body, "</textarea>")], "validity_months: 12", "validity_months: 6", 1)
	good = strings.NewReplacer("&#34;", `"`, "&lt;", "<", "&gt;", ">", "&amp;", "&", "&#39;", "'").Replace(good)

	// Bad input is refused with the problem named, and nothing changes.
	for _, tc := range []struct{ body, want string }{
		{"name: x\nvalidity_months: [", "YAML"},
		{"name: x\nbogus_field: 1\nvalidity_months: 6\nrequirements: {courses: [ethics]}", "bogus_field"},
		{strings.Replace(good, "courses: [ethics,", "courses: [no-such-course,", 1), "没有课程"},
		{strings.Replace(good, "grants: [agent]", "grants: [admin]", 1), "admin"},
	} {
		res := b.post("/admin/programs", yaml(tc.body))
		if res.StatusCode != 400 || !strings.Contains(res.Body, tc.want) {
			t.Errorf("save %q: %d, want 400 naming %q", tc.body[:min(len(tc.body), 30)], res.StatusCode, tc.want)
		}
	}
	if p := e.deps.Catalog.Snapshot().Programs["desk"]; p.ValidityMonths != 12 || p.Hash != orig.Hash {
		t.Fatal("a refused edit changed the program")
	}

	if res := b.post("/admin/programs", yaml(good)); res.StatusCode != 303 {
		t.Fatalf("save: %d %s", res.StatusCode, res.Body)
	}
	if p := e.deps.Catalog.Snapshot().Programs["desk"]; p.ValidityMonths != 6 || len(p.Requirements.Courses) != 7 {
		t.Fatalf("after saving: %+v", p)
	}
	audit, _, _ := e.accounts.Audit.ListAudit(context.Background(), academy.AuditFilter{Action: academy.AuditProgramSaved, Limit: 5})
	if len(audit) != 1 || audit[0].Target != "desk" || audit[0].Actor != "admin" {
		t.Fatalf("audit %+v", audit)
	}

	// New programs: the slug must be new and well formed.
	create := func(slug string) *response {
		return b.post("/admin/programs", url.Values{"_csrf": {token}, "new": {"1"}, "slug": {slug},
			"yaml": {"name: 应急专项\nvalidity_months: 12\nrequirements:\n  courses: [emergencies]\n"}})
	}
	if res := create("desk"); res.StatusCode != 409 {
		t.Errorf("new program over an existing one: %d", res.StatusCode)
	}
	if res := create("Bad Slug"); res.StatusCode != 400 || !strings.Contains(res.Body, "slug") {
		t.Errorf("bad slug: %d", res.StatusCode)
	}
	if res := create("emergency-specialist"); res.StatusCode != 303 {
		t.Fatalf("create: %d %s", res.StatusCode, res.Body)
	}
	if p := e.deps.Catalog.Snapshot().Programs["emergency-specialist"]; p == nil || p.Name != "应急专项" {
		t.Fatal("created program not in force")
	}
	if list := b.get("/admin/programs"); !strings.Contains(list.Body, "emergency-specialist") {
		t.Fatal("list does not show the new program")
	}
}
