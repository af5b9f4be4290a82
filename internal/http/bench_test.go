package http_test

import (
	"io"
	nethttp "net/http"
	"testing"

	"github.com/academy/academy/internal/academy"
)

// BenchmarkLessonPage measures a logged-in trainee opening a lesson page
// over a real connection: session lookup, one progress read, template
// rendering from the in-memory catalog.
func BenchmarkLessonPage(b *testing.B) {
	e := newEnv(b)
	base := e.listen()
	client := &nethttp.Client{Transport: &nethttp.Transport{MaxIdleConnsPerHost: 64}}
	token := e.tokens["trainee"]
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := nethttp.NewRequest("GET", base+"/courses/ethics/lessons/owner-privacy", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			res, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != 200 {
				b.Fatalf("status %d", res.StatusCode)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
}

// BenchmarkScenarioRunStart measures a learner who already keeps the
// most sandboxes allowed starting one more scenario run: a sandbox is
// opened, the oldest scenario sandbox trimmed, the run stored and listed.
func BenchmarkScenarioRunStart(b *testing.B) {
	e := newEnv(b)
	start := func() {
		if res := e.api("POST", "/api/v1/scenarios/angry-owner/runs", "trainee", nil); res.StatusCode != 201 {
			b.Fatalf("start: %d %s", res.StatusCode, res.Body)
		}
	}
	for range academy.MaxSandboxes {
		start()
	}
	for b.Loop() {
		start()
	}
}
