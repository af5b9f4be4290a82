package mongo_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/mongo"
	"github.com/academy/academy/internal/mongo/mongotest"
)

// TestCachedRoleHolders: the managers of a site are read from the store
// once, whatever the order of the sites asked for, and read again after
// any write of any account: a new manager, a disabled one, one moved to
// another site; and so are lists of everyone on a site.
func TestCachedRoleHolders(t *testing.T) {
	ctx := context.Background()
	reads := countCommands(func(c mongo.Command) bool { return c.Name == "find" && c.Collection == "users" })
	db := mongotest.Open(t, mongo.Observe(reads.observe))
	users := academy.NewCachedUsers(mongo.NewUserService(db), academy.SoleCacheTTL, time.Now)
	for _, u := range []*academy.User{
		newUser("m1", []string{academy.RoleManager}, []string{"s1"}),
		newUser("m2", []string{academy.RoleManager}, []string{"s2"}),
		newUser("t1", []string{academy.RoleTrainee}, []string{"s1"}),
	} {
		if err := users.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	managers := func(sites ...string) []string {
		t.Helper()
		list, err := users.ListUsersOn(ctx, sites, academy.RoleManager)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, u := range list {
			out = append(out, u.ID+":"+u.Status)
		}
		slices.Sort(out)
		return out
	}
	reads.take()
	want := []string{"m1:active", "m2:active"}
	if got := managers("s1", "s2"); !slices.Equal(got, want) {
		t.Fatalf("managers of s1 and s2: %v, want %v", got, want)
	}
	// A caller's change to what it got stays with it.
	list, _ := users.ListUsersOn(ctx, []string{"s2", "s1"}, academy.RoleManager)
	list[0].Roles[0], list[0].Status = academy.RoleAdmin, academy.StatusDisabled
	if got := managers("s2", "s1"); !slices.Equal(got, want) {
		t.Fatalf("managers after a caller changed its copy: %v", got)
	}
	if n := reads.take(); n != 1 {
		t.Fatalf("three lists of the same managers read the store %d times, want 1", n)
	}

	// Everyone on a site, kept the same way.
	everyone := func(want int) {
		t.Helper()
		if all, err := users.ListUsersOn(ctx, []string{"s1"}, ""); err != nil || len(all) != want {
			t.Fatalf("everyone on s1: %d %v, want %d", len(all), err, want)
		}
	}
	everyone(2)
	everyone(2)
	if n := reads.take(); n != 1 {
		t.Fatalf("two lists of everyone on s1 read the store %d times, want 1", n)
	}
	if err := users.CreateUser(ctx, newUser("t2", []string{academy.RoleTrainee}, []string{"s1"})); err != nil {
		t.Fatal(err)
	}
	everyone(3)

	if err := users.CreateUser(ctx, newUser("m3", []string{academy.RoleManager}, []string{"s1"})); err != nil {
		t.Fatal(err)
	}
	if got := managers("s1"); !slices.Equal(got, []string{"m1:active", "m3:active"}) {
		t.Fatalf("managers of s1 after a new one: %v", got)
	}
	disabled := academy.StatusDisabled
	if _, err := users.UpdateUser(ctx, "m1", academy.UserUpdate{Status: &disabled}); err != nil {
		t.Fatal(err)
	}
	if got := managers("s1"); !slices.Equal(got, []string{"m1:disabled", "m3:active"}) {
		t.Fatalf("managers of s1 after m1 was disabled: %v", got)
	}
	if _, err := users.UpdateUser(ctx, "m3", academy.UserUpdate{Sites: []string{"s2"}}); err != nil {
		t.Fatal(err)
	}
	if got := managers("s1"); !slices.Equal(got, []string{"m1:disabled"}) {
		t.Fatalf("managers of s1 after m3 moved to s2: %v", got)
	}
	if got := managers("s2"); !slices.Equal(got, []string{"m2:active", "m3:active"}) {
		t.Fatalf("managers of s2 after m3 moved there: %v", got)
	}
	if n := reads.take(); n < 4 {
		t.Fatalf("four lists after three writes read the store %d times", n)
	}
}
