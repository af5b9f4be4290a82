package notify

import (
	"regexp"
	"testing"
)

// TestChineseTemplatesPunctuation: the Chinese subject and text of every
// kind take full-width punctuation and “…” quotes, as the rest of the
// product's Chinese does; the template actions in {{ }} are left out.
func TestChineseTemplatesPunctuation(t *testing.T) {
	actions := regexp.MustCompile(`\{\{.*?\}\}`)
	bad := regexp.MustCompile(`\p{Han}[,;:!?(]|[,;:!?)]\p{Han}|[「」]`)
	for _, k := range kinds {
		for _, tpl := range []string{k.Subject[0].Root.String(), k.Text[0].Root.String()} {
			if hit := bad.FindString(actions.ReplaceAllString(tpl, "")); hit != "" {
				t.Errorf("%s: %q in %s", k.Kind, hit, tpl)
			}
		}
	}
}
