package academy

import (
	"fmt"
	"testing"
)

// TestScenarioSandboxesGoFirst: at the cap, the oldest scenario sandboxes
// make room before any practice desk, which goes only when nothing else
// is left to trim.
func TestScenarioSandboxesGoFirst(t *testing.T) {
	var have []SandboxRef // newest first, as the store lists them
	for i := MaxSandboxes; i >= 1; i-- {
		sb := SandboxRef{ID: fmt.Sprint(i), Scenario: "water-leak"}
		if i == 1 || i == 5 {
			sb.Scenario = "" // practice desks: the oldest and one in the middle
		}
		have = append(have, sb)
	}
	got := sandboxesToTrim(have)
	if len(got) != 1 || got[0].ID != "2" {
		t.Fatalf("trimmed %v, want the oldest scenario sandbox (2)", ids(got))
	}
	for i := range have {
		have[i].Scenario = ""
	}
	if got := sandboxesToTrim(have); len(got) != 1 || got[0].ID != "1" {
		t.Fatalf("with practice desks only, trimmed %v, want the oldest (1)", ids(got))
	}
	if got := sandboxesToTrim(have[:MaxSandboxes-1]); len(got) != 0 {
		t.Fatalf("under the cap, trimmed %v", ids(got))
	}
}

func ids(sbs []SandboxRef) []string {
	out := make([]string, len(sbs))
	for i, sb := range sbs {
		out[i] = sb.ID
	}
	return out
}
