package http_test

import (
	"regexp"
	"strings"
	"testing"
)

// The review marks the learner's own choice and the key in words next to
// each option, not by a faint disabled control alone.
func TestQuizReviewMarksChoiceAndKey(t *testing.T) {
	e := newEnv(t)
	e.finishCourses("trainee", "ethics")
	var a apiAttempt
	e.api("POST", "/api/v1/quizzes/ethics/attempts", "trainee", nil).json(t, &a)
	answers := map[string]any{}
	var single, tf string
	for _, q := range a.Questions {
		switch {
		case q.Type == "single" && single == "":
			single = q.ID
			answers[q.ID] = q.Options[len(q.Options)-1].ID
		case q.Type == "truefalse" && tf == "":
			tf = q.ID
			answers[q.ID] = false
		}
	}
	if res := e.api("PUT", "/api/v1/attempts/"+a.ID+"/answers", "trainee", map[string]any{"answers": answers}); res.StatusCode != 200 {
		t.Fatalf("answers: %d %s", res.StatusCode, res.Body)
	}
	if res := e.api("POST", "/api/v1/attempts/"+a.ID+"/submit", "trainee", nil); res.StatusCode != 200 {
		t.Fatalf("submit: %d %s", res.StatusCode, res.Body)
	}
	b := e.browser()
	b.loginAs("trainee")
	page := b.get("/attempts/" + a.ID).Body
	for _, id := range []string{single, tf} {
		m := regexp.MustCompile(`(?s)<fieldset[^>]*id="q-` + regexp.QuoteMeta(id) + `".*?</fieldset>`).FindString(page)
		if strings.Count(m, `<span class="badge mine">你的选择</span>`) != 1 || strings.Count(m, `<span class="badge key">正确答案</span>`) != 1 {
			t.Errorf("question %s: want one 你的选择 and one 正确答案 badge:\n%s", id, m)
		}
	}
	// The chosen option carries the mark.
	chosen := regexp.MustCompile(`value="` + regexp.QuoteMeta(answers[single].(string)) + `" checked disabled> <span>[^<]*<span class="badge mine">`)
	if !chosen.MatchString(page) {
		t.Error("the chosen option is not marked as the learner's")
	}
	// While the attempt runs, nothing is marked.
	var next apiAttempt
	e.api("POST", "/api/v1/quizzes/ethics/attempts", "trainee", nil).json(t, &next)
	if live := b.get("/attempts/" + next.ID).Body; strings.Contains(live, "badge mine") || strings.Contains(live, "badge key") {
		t.Error("a running attempt shows review marks")
	}
}
