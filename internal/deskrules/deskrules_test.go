package deskrules_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/deskrules"
	"github.com/academy/academy/internal/mongo"
	"github.com/academy/academy/internal/mongo/mongotest"
)

func TestMain(m *testing.M) { os.Exit(mongotest.Main(m)) }

func newService(t *testing.T) *deskrules.Service {
	t.Helper()
	db := mongotest.Open(t)
	sites := mongo.NewSiteService(db)
	for _, id := range []string{"s1", "s2"} {
		if err := sites.CreateSite(context.Background(), &academy.Site{ID: id, Name: "项目" + id}); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	return &deskrules.Service{Store: mongo.NewDeskRulesStore(db), Now: func() time.Time { return now }, Sites: sites}
}

// withRepairResponse is the shipped text with the normal repair's first
// response set to d.
func withRepairResponse(t *testing.T, d string) string {
	t.Helper()
	text := string(academy.ShippedDeskRulesYAML())
	old := "normal: {first_response: 2h, resolution: 72h}"
	if strings.Count(text, old) < 1 {
		t.Fatalf("the shipped rules no longer hold %q", old)
	}
	return strings.Replace(text, old, "normal: {first_response: "+d+", resolution: 72h}", 1)
}

func repairResponse(t *testing.T, s *deskrules.Service, site string) time.Duration {
	t.Helper()
	r, err := s.CurrentRules(context.Background(), site)
	if err != nil {
		t.Fatal(err)
	}
	return r.Procedure(academy.TypeRepair).SLA[academy.PriorityNormal].FirstResponse
}

// A site follows its own rules, else the company's, else the shipped.
func TestSiteFallsBackToTheCompany(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	if got := repairResponse(t, s, "s1"); got != 2*time.Hour {
		t.Fatalf("shipped: %v", got)
	}
	if _, err := s.Save(ctx, deskrules.Company, "", withRepairResponse(t, "1h"), "admin"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Save(ctx, "s1", "", withRepairResponse(t, "30m"), "admin"); err != nil {
		t.Fatal(err)
	}
	for site, want := range map[string]time.Duration{"s1": 30 * time.Minute, "s2": time.Hour, deskrules.Company: time.Hour} {
		if got := repairResponse(t, s, site); got != want {
			t.Errorf("site %q: first response %v, want %v", site, got, want)
		}
	}
	cur, err := s.Current(ctx, "s2")
	if err != nil || cur.ID != "" || !strings.Contains(cur.YAML, "first_response: 1h, resolution: 72h") {
		t.Fatalf("s2 inherits the company's text: %+v %v", cur, err)
	}
}

// A refused save, a stale one and one for a scope that is no site save
// nothing.
func TestRefusedSavesKeepTheHistory(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	first, err := s.Save(ctx, deskrules.Company, "", withRepairResponse(t, "1h"), "admin")
	if err != nil {
		t.Fatal(err)
	}
	var problems deskrules.Problems
	broken := strings.Replace(withRepairResponse(t, "1h"), "initial: received", "initial: nowhere", 1)
	if _, err := s.Save(ctx, deskrules.Company, first.ID, broken, "admin"); !errors.As(err, &problems) || !strings.Contains(err.Error(), "nowhere") {
		t.Fatalf("broken rules: %v", err)
	}
	if _, err := s.Save(ctx, deskrules.Company, "", withRepairResponse(t, "3h"), "admin"); academy.ErrorCode(err) != academy.ECONFLICT {
		t.Fatalf("a save from before the first: %v", err)
	}
	if _, err := s.Save(ctx, "s9", "", withRepairResponse(t, "3h"), "admin"); academy.ErrorCode(err) != academy.ENOTFOUND {
		t.Fatalf("a site that does not exist: %v", err)
	}
	if _, err := s.Save(ctx, "S 1", "", withRepairResponse(t, "3h"), "admin"); academy.ErrorCode(err) != academy.EINVALID {
		t.Fatalf("a scope that cannot be a site: %v", err)
	}
	h, err := s.History(ctx, deskrules.Company)
	if err != nil || len(h) != 1 || h[0].ID != first.ID {
		t.Fatalf("history %v %v", h, err)
	}
	if got := repairResponse(t, s, deskrules.Company); got != time.Hour {
		t.Fatalf("in force: %v", got)
	}
}

func TestRestore(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	first, err := s.Save(ctx, deskrules.Company, "", withRepairResponse(t, "1h"), "admin")
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.Save(ctx, deskrules.Company, first.ID, withRepairResponse(t, "3h"), "admin")
	if err != nil {
		t.Fatal(err)
	}
	back, err := s.Restore(ctx, deskrules.Company, first.ID, "trainer")
	if err != nil {
		t.Fatal(err)
	}
	if back.Seq != 3 || back.Restored != first.ID || back.YAML != first.YAML || back.Author != "trainer" {
		t.Fatalf("restored %+v", back)
	}
	if got := repairResponse(t, s, "s1"); got != time.Hour {
		t.Fatalf("after restore: %v", got)
	}
	if _, err := s.Restore(ctx, deskrules.Company, back.ID, "admin"); academy.ErrorCode(err) != academy.ECONFLICT {
		t.Fatalf("restoring the revision in force: %v", err)
	}
	if _, err := s.Restore(ctx, "s1", second.ID, "admin"); academy.ErrorCode(err) != academy.ENOTFOUND {
		t.Fatalf("restoring the company's revision as a site's: %v", err)
	}
	// A revision, once read, is served from memory: the same rules.
	a, err := s.RulesRevision(ctx, second.ID)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := s.RulesRevision(ctx, second.ID); a != b || a.Rev != second.ID {
		t.Fatalf("revision %s read twice gave %p and %p", second.ID, a, b)
	}
	if _, err := s.RulesRevision(ctx, "c99"); academy.ErrorCode(err) != academy.ENOTFOUND {
		t.Fatalf("unknown revision: %v", err)
	}
}

func TestDiff(t *testing.T) {
	if d := deskrules.Diff("a\nb\n", "a\nb\n"); d != nil {
		t.Fatalf("same text: %v", d)
	}
	var kinds []string
	for _, l := range deskrules.Diff("a\nb\nc\n", "a\nB\nc\n") {
		kinds = append(kinds, l.Kind+" "+l.Text)
	}
	want := []string{"hunk @@ -1,3 +1,3 @@", "ctx  a", "del -b", "add +B", "ctx  c"}
	if strings.Join(kinds, "|") != strings.Join(want, "|") {
		t.Fatalf("diff %q, want %q", kinds, want)
	}
}
