package mongo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/mongo"
	"github.com/academy/academy/internal/mongo/mongotest"
)

func newUser(name string, roles, sites []string) *academy.User {
	u := &academy.User{Username: name, Roles: roles, Sites: sites, PasswordHash: "h"}
	u.Normalize()
	return u
}

func TestUsers(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	users := mongo.NewUserService(db)

	if err := users.CreateUser(ctx, newUser("Alice", []string{"trainee"}, []string{"s1"})); err != nil {
		t.Fatal(err)
	}
	if err := users.CreateUser(ctx, newUser("ALICE", []string{"trainee"}, []string{"s1"})); academy.ErrorCode(err) != academy.ECONFLICT {
		t.Fatalf("duplicate username in other case: got %v, want conflict", err)
	}
	u, err := users.FindUser(ctx, "aLiCe")
	if err != nil {
		t.Fatal(err)
	}
	if u.Username != "Alice" || u.ID != "alice" || u.Status != academy.StatusActive {
		t.Fatalf("read back %+v", u)
	}
	if _, err := users.FindUser(ctx, "bob"); academy.ErrorCode(err) != academy.ENOTFOUND {
		t.Fatalf("missing user: %v", err)
	}

	for _, n := range []string{"bob", "carol", "dave"} {
		if err := users.CreateUser(ctx, newUser(n, []string{"manager"}, []string{"s2"})); err != nil {
			t.Fatal(err)
		}
	}
	list, total, err := users.ListUsers(ctx, academy.UserFilter{Site: "s2", Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if total != 3 || len(list) != 2 || list[0].ID != "bob" || list[1].ID != "carol" {
		t.Fatalf("page 1: total %d, %d users", total, len(list))
	}
	list, _, _ = users.ListUsers(ctx, academy.UserFilter{Site: "s2", Offset: 2, Limit: 2})
	if len(list) != 1 || list[0].ID != "dave" {
		t.Fatalf("page 2: %v", list)
	}
	list, total, _ = users.ListUsers(ctx, academy.UserFilter{Query: "AR"})
	if total != 1 || list[0].ID != "carol" {
		t.Fatalf("query: %d", total)
	}
	list, total, _ = users.ListUsers(ctx, academy.UserFilter{Query: ".*"})
	if total != 0 {
		t.Fatalf("query is a regexp, not a literal: %d %v", total, list)
	}

	st := academy.StatusDisabled
	u, err = users.UpdateUser(ctx, "BOB", academy.UserUpdate{Status: &st, Roles: []string{"trainer"}})
	if err != nil {
		t.Fatal(err)
	}
	if u.Status != st || len(u.Roles) != 1 || u.Roles[0] != "trainer" || len(u.Sites) != 1 {
		t.Fatalf("update: %+v", u)
	}
	if _, err := users.UpdateUser(ctx, "nobody", academy.UserUpdate{Status: &st}); academy.ErrorCode(err) != academy.ENOTFOUND {
		t.Fatalf("update missing: %v", err)
	}
	if err := users.SetPasswordHash(ctx, "nobody", "x"); academy.ErrorCode(err) != academy.ENOTFOUND {
		t.Fatalf("set password on missing: %v", err)
	}
}

func TestSessions(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	sessions := mongo.NewSessionService(db)
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)

	a, tokA := academy.NewSession("Alice", academy.SessionWeb, "127.0.0.1", now)
	b, _ := academy.NewSession("alice", academy.SessionAPI, "127.0.0.1", now.Add(-13*time.Hour))
	c, _ := academy.NewSession("bob", academy.SessionAPI, "127.0.0.1", now)
	for _, s := range []*academy.Session{a, b, c} {
		if err := sessions.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	got, err := sessions.FindSession(ctx, academy.HashToken(tokA))
	if err != nil {
		t.Fatal(err)
	}
	if got.Username != "alice" || got.CSRF != a.CSRF || !got.ExpiresAt.Equal(a.ExpiresAt) {
		t.Fatalf("read back %+v", got)
	}
	if err := sessions.TouchSession(ctx, a.ID, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, _ = sessions.FindSession(ctx, a.ID)
	if !got.LastSeen.Equal(now.Add(time.Hour)) {
		t.Fatalf("touch: %v", got.LastSeen)
	}
	n, err := sessions.DeleteExpiredSessions(ctx, now)
	if err != nil || n != 1 {
		t.Fatalf("expired sweep deleted %d (%v), want 1", n, err)
	}
	if _, err := sessions.FindSession(ctx, b.ID); academy.ErrorCode(err) != academy.ENOTFOUND {
		t.Fatalf("expired session survived the sweep: %v", err)
	}
	if err := sessions.DeleteUserSessions(ctx, "ALICE"); err != nil {
		t.Fatal(err)
	}
	if _, err := sessions.FindSession(ctx, a.ID); academy.ErrorCode(err) != academy.ENOTFOUND {
		t.Fatal("user's session survived DeleteUserSessions")
	}
	if _, err := sessions.FindSession(ctx, c.ID); err != nil {
		t.Fatalf("another user's session was deleted: %v", err)
	}
}

func TestAuditAndSites(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	audit := mongo.NewAuditService(db)
	base := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	for i, act := range []string{academy.AuditLoginOK, academy.AuditLoginFailed, academy.AuditLoginOK} {
		if err := audit.RecordAudit(ctx, &academy.AuditEvent{Time: base.Add(time.Duration(i) * time.Minute), Actor: "a", Action: act, Target: "a"}); err != nil {
			t.Fatal(err)
		}
	}
	list, total, err := audit.ListAudit(ctx, academy.AuditFilter{Action: academy.AuditLoginOK})
	if err != nil || total != 2 || !list[0].Time.After(list[1].Time) {
		t.Fatalf("audit list: %d %v", total, err)
	}

	sites := mongo.NewSiteService(db)
	if err := sites.CreateSite(ctx, &academy.Site{ID: "demo", Name: "示范小区"}); err != nil {
		t.Fatal(err)
	}
	if err := sites.CreateSite(ctx, &academy.Site{ID: "demo", Name: "again"}); academy.ErrorCode(err) != academy.ECONFLICT {
		t.Fatalf("duplicate site: %v", err)
	}
	if err := sites.CreateSite(ctx, &academy.Site{ID: "Bad Id", Name: "x"}); academy.ErrorCode(err) != academy.EINVALID {
		t.Fatalf("bad id: %v", err)
	}
	s, err := sites.FindSite(ctx, "demo")
	if err != nil || s.Name != "示范小区" {
		t.Fatalf("find site: %v %v", s, err)
	}
}

func TestSchemaVersionAndIdempotentOpen(t *testing.T) {
	ctx := context.Background()
	db := mongotest.Open(t)
	v, err := db.StoredSchemaVersion(ctx)
	if err != nil || v != mongo.SchemaVersion {
		t.Fatalf("schema version %d %v", v, err)
	}
	again, err := mongo.Open(ctx, mongotest.URI(), db.Name())
	if err != nil {
		t.Fatalf("second open of the same database: %v", err)
	}
	_ = again.Close(ctx)
}

func TestUnreachableIsUnavailable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := mongo.Open(ctx, "mongodb://someone:s3cret@127.0.0.1:1/", "x")
	if err == nil {
		t.Fatal("open of a dead address succeeded")
	}
	if !strings.Contains(err.Error(), "not reachable") || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("error should say unreachable and hide credentials: %v", err)
	}
}

// An employee number is unique among the people who have one: a second
// holder is refused on insert and on update with the holder named, and a
// cleared number is removed so that any number of people may have none.
func TestEmployeeNumbersUnique(t *testing.T) {
	ctx := context.Background()
	users := mongo.NewUserService(mongotest.Open(t))
	first := newUser("first", []string{"trainee"}, []string{"s1"})
	first.DisplayName, first.EmployeeNo = "王一", "E1"
	if err := users.CreateUser(ctx, first); err != nil {
		t.Fatal(err)
	}
	second := newUser("second", []string{"trainee"}, []string{"s1"})
	second.EmployeeNo = "E1"
	if err := users.CreateUser(ctx, second); academy.ErrorCode(err) != academy.ECONFLICT || !strings.Contains(academy.ErrorMessage(err), "王一") {
		t.Fatalf("insert of a taken number: %v", err)
	}
	second.EmployeeNo = ""
	if err := users.CreateUser(ctx, second); err != nil {
		t.Fatal(err)
	}
	taken, none := "E1", ""
	if _, err := users.UpdateUser(ctx, "second", academy.UserUpdate{EmployeeNo: &taken}); academy.ErrorCode(err) != academy.ECONFLICT ||
		!strings.Contains(academy.ErrorMessage(err), "employee_no") || !strings.Contains(academy.ErrorMessage(err), "王一") {
		t.Fatalf("update to a taken number: %v", err)
	}
	if _, err := users.UpdateUser(ctx, "first", academy.UserUpdate{EmployeeNo: &none}); err != nil {
		t.Fatal(err)
	}
	third := newUser("third", []string{"trainee"}, []string{"s1"})
	if err := users.CreateUser(ctx, third); err != nil {
		t.Fatalf("a third person without a number: %v", err)
	}
	if u, err := users.UpdateUser(ctx, "second", academy.UserUpdate{EmployeeNo: &taken}); err != nil || u.EmployeeNo != "E1" {
		t.Fatalf("the freed number: %+v %v", u, err)
	}
}

// Expired set-password links go, used or not; a link still valid stays
// and can still be taken once.
func TestExpiredPasswordLinksAreRemoved(t *testing.T) {
	ctx := context.Background()
	links := mongo.NewPasswordLinkService(mongotest.Open(t))
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	for id, expires := range map[string]time.Time{"old": now.Add(-time.Hour), "edge": now, "live": now.Add(time.Hour)} {
		if err := links.CreatePasswordLink(ctx, &academy.PasswordLink{ID: id, Username: "u-" + id, CreatedAt: expires.Add(-academy.PasswordLinkTTL), ExpiresAt: expires}); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := links.DeleteExpiredPasswordLinks(ctx, now); err != nil || n != 2 {
		t.Fatalf("removed %d (%v), want the two expired at or before now", n, err)
	}
	for _, id := range []string{"old", "edge"} {
		if _, err := links.FindPasswordLink(ctx, id); academy.ErrorCode(err) != academy.ENOTFOUND {
			t.Errorf("%s after the sweep: %v, want not found", id, err)
		}
	}
	if l, err := links.TakePasswordLink(ctx, "live"); err != nil || l.Username != "u-live" {
		t.Fatalf("the live link: %+v, %v", l, err)
	}
	if n, err := links.DeleteExpiredPasswordLinks(ctx, now); err != nil || n != 0 {
		t.Fatalf("a second sweep removed %d (%v)", n, err)
	}
}
