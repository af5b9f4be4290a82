package academy

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestTTLCache(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := newTTLCache[string](2*time.Second, func() time.Time { return now })
	_, gen, ok := c.get("k")
	if ok {
		t.Fatal("hit in an empty cache")
	}
	c.put("k", "v1", gen)
	if v, _, ok := c.get("k"); !ok || v != "v1" {
		t.Fatalf("get after put: %q %v", v, ok)
	}
	now = now.Add(2 * time.Second)
	if _, _, ok := c.get("k"); ok {
		t.Fatal("hit after the TTL")
	}

	// A read that began before a write's invalidation must not cache what
	// it read: it may be the value the write replaced.
	_, gen, _ = c.get("k")
	c.drop(func(k string, _ string) bool { return k == "k" })
	c.put("k", "stale", gen)
	if v, _, ok := c.get("k"); ok {
		t.Fatalf("a read from before the invalidation was cached: %q", v)
	}
	_, gen, _ = c.get("k")
	c.put("k", "fresh", gen)
	if v, _, ok := c.get("k"); !ok || v != "fresh" {
		t.Fatalf("a read after the invalidation: %q %v", v, ok)
	}
}

func TestProgressCloneIsDeep(t *testing.T) {
	p := &Progress{Username: "u", Courses: map[string]*CourseProgress{"c": {Completed: map[string]time.Time{"l": {}}, Position: map[string]float64{"l": .5}}}}
	q := p.clone()
	q.Courses["c"].Completed["m"] = time.Time{}
	q.Courses["c"].Position["l"] = 1
	if len(p.Courses["c"].Completed) != 1 || p.Courses["c"].Position["l"] != .5 {
		t.Fatal("changing the clone changed the original")
	}
}

// TestCachedServicesForgetOnEveryWrite: with one instance the caches keep
// entries for SoleCacheTTL, so a write method of a cached service that the
// wrapper does not override would leave a stale session, user or progress
// for minutes (a disabled account still signed in). Every method of the
// wrapped interfaces is a read, overridden by the wrapper, or named here
// with the reason it needs nothing forgotten.
func TestCachedServicesForgetOnEveryWrite(t *testing.T) {
	needNothing := map[string]string{
		"CreateSession":         "a new session id was never cached",
		"DeleteExpiredSessions": "what it deletes is expired by the clock, which every read of a session checks",
		// CachedAttempts keeps no open list and no record.
		"DropOpen":   "the open list is never cached",
		"SetSummary": "the learner's record is never cached",
		"AddGrant":   "the learner's record is never cached",
	}
	fset := token.NewFileSet()
	methods := map[string][]string{} // type -> declared method names
	ifaces := map[string][]string{}  // interface -> method names
	for _, name := range []string{"cache.go", "user.go", "session.go", "progress.go", "attempt.go", "attemptcache.go"} {
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					continue
				}
				if star, ok := d.Recv.List[0].Type.(*ast.StarExpr); ok {
					if id, ok := star.X.(*ast.Ident); ok {
						methods[id.Name] = append(methods[id.Name], d.Name.Name)
					}
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					ts, ok := s.(*ast.TypeSpec)
					if !ok {
						continue
					}
					if it, ok := ts.Type.(*ast.InterfaceType); ok {
						for _, m := range it.Methods.List {
							for _, n := range m.Names {
								ifaces[ts.Name.Name] = append(ifaces[ts.Name.Name], n.Name)
							}
						}
					}
				}
			}
		}
	}
	for iface, wrapper := range map[string]string{"UserService": "CachedUsers", "SessionService": "CachedSessions", "ProgressService": "CachedProgress", "AttemptService": "CachedAttempts"} {
		if len(ifaces[iface]) == 0 {
			t.Fatalf("found no methods of %s", iface)
		}
		for _, m := range ifaces[iface] {
			read := strings.HasPrefix(m, "Find") || strings.HasPrefix(m, "List")
			if read || slices.Contains(methods[wrapper], m) || needNothing[m] != "" {
				continue
			}
			t.Errorf("%s.%s writes through %s without forgetting what it changes", iface, m, wrapper)
		}
	}
}
