package academy

import (
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
