package http_test

import (
	"strings"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
)

// A program whose refresher is limited to what the holder fails at work
// (delta_recert) asks a holder flagged on live tickets for the scenario
// that teaches the check, and not for the refresher's other scenarios;
// a holder with no flag renews with the refresher's quizzes alone.
func TestDeltaRecertification(t *testing.T) {
	e := newEnv(t)
	prog := e.deps.Catalog.Snapshot().Programs["desk"]
	prog.DeltaRecert = true
	for _, who := range []string{"newbie", "veteran"} {
		e.createUser(who, []string{academy.RoleTrainee}, []string{"s1"})
		e.tokens[who] = e.login(who, testPassword)
	}
	cert := e.certify("newbie")
	e.certify("veteran")
	// Three repairs closed without a return visit flag the check that
	// the water-leak call teaches.
	e.lenientRepairRules(t)
	for range 3 {
		e.closeTicket(t, "newbie", "repair", "dispatch", "start", "complete", "close")
	}
	e.clock.Advance(cert.ExpiresAt.Sub(e.clock.Now()) - 10*24*time.Hour)
	for _, who := range []string{"newbie", "veteran"} {
		e.passQuizzes(who, prog.Recert.Quizzes, e.clock.Now())
	}
	page := e.api("GET", "/certificates", "newbie", nil)
	if page.StatusCode != 200 || len(e.awards("newbie")) != 1 {
		t.Fatalf("renewed without the flagged check's scenario: %d, %d awards", page.StatusCode, len(e.awards("newbie")))
	}
	_, desk, _ := strings.Cut(page.Body, `data-program="desk"`)
	desk, _, _ = strings.Cut(desk, "</section>")
	if !strings.Contains(desk, "楼上漏水") || strings.Contains(desk, "情绪激动的业主") || strings.Contains(desk, "电梯困人") {
		t.Errorf("the refresher does not ask for just the water-leak call:\n%s", desk)
	}
	if e.api("GET", "/certificates", "veteran", nil); len(e.awards("veteran")) != 2 {
		t.Fatalf("a holder with no flag is not renewed by the quizzes: %d awards", len(e.awards("veteran")))
	}
	e.passScenarios("newbie", []string{"water-leak"}, e.clock.Now())
	if e.api("GET", "/certificates", "newbie", nil); len(e.awards("newbie")) != 2 {
		t.Fatalf("the flagged scenario passed, still %d awards", len(e.awards("newbie")))
	}
}
