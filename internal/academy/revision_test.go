package academy

import "testing"

// TestRevisionChange reads back every message Library writes.
func TestRevisionChange(t *testing.T) {
	for msg, want := range map[string]RevisionChange{
		"import":                       {Kind: ChangeImport},
		"created":                      {Kind: ChangeCreated},
		"metadata":                     {Kind: ChangeMetadata},
		"lesson clean-conduct added":   {Kind: ChangeLessonAdded, Lesson: "clean-conduct"},
		"lesson clean-conduct updated": {Kind: ChangeLessonUpdated, Lesson: "clean-conduct"},
		"restored revision 4":          {Kind: ChangeRestored, Number: 4},
		"restored revision x":          {Kind: ChangeOther},
		"lesson x removed":             {Kind: ChangeOther},
	} {
		if got := (&Revision{Message: msg}).Change(); got != want {
			t.Errorf("%q: %+v, want %+v", msg, got, want)
		}
	}
}

// TestAuditActionsListed keeps the filter's list complete: each action
// recorded anywhere is in AuditActions once.
func TestAuditActionsListed(t *testing.T) {
	seen := map[string]bool{}
	for _, a := range AuditActions {
		if seen[a] {
			t.Errorf("%s listed twice", a)
		}
		seen[a] = true
	}
	if len(seen) != 24 {
		t.Errorf("%d actions listed; a new action needs its place (and a label in web/locales)", len(seen))
	}
}
