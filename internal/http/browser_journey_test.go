package http_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/academy/academy/internal/academy"
)

// answerKey is what the filler script needs of a question's key.
type answerKey struct {
	Choice  string            `json:"choice"`
	Choices []string          `json:"choices"`
	Bool    bool              `json:"bool"`
	Text    string            `json:"text"`
	Value   float64           `json:"value"`
	Order   []string          `json:"order"`
	Pairs   map[string]string `json:"pairs"`
}

// fillScript sets the right answer in every question shown on the page,
// the way a learner's clicks and typing would, firing change events for
// the autosave.
const fillScript = `((keys) => {
  const set = (el, v) => { el.value = v; el.dispatchEvent(new Event("change", {bubbles: true})); };
  const tick = (el) => { el.checked = true; el.dispatchEvent(new Event("change", {bubbles: true})); };
  for (const fs of document.querySelectorAll("#attempt-form fieldset[data-qid]")) {
    const id = fs.dataset.qid, k = keys[id];
    if (!k) continue;
    switch (fs.dataset.type) {
    case "single": tick(fs.querySelector('input[value="' + k.choice + '"]')); break;
    case "multiple": for (const c of k.choices) tick(fs.querySelector('input[value="' + c + '"]')); break;
    case "truefalse": tick(fs.querySelector('input[value="' + k.bool + '"]')); break;
    case "fill": set(fs.querySelector("input"), k.text); break;
    case "numeric": set(fs.querySelector("input"), String(k.value)); break;
    case "ordering": k.order.forEach((o, i) => set(fs.querySelector('select[name="a.' + id + '.' + i + '"]'), o)); break;
    case "matching": for (const [item, o] of Object.entries(k.pairs)) set(fs.querySelector('select[name="a.' + id + '.' + item + '"]'), o); break;
    }
  }
  return null;
})(%s)`

// passQuizInBrowser takes a quiz as the learner would, answering from the
// attempt's own key (read from the store), page by page, and returns the
// score shown.
func passQuizInBrowser(t *testing.T, e *env, ctx context.Context, base, slug string) string {
	t.Helper()
	step(t, ctx, "open quiz "+slug, chromedp.Navigate(base+"/quizzes/"+slug), chromedp.WaitVisible("#start"))
	step(t, ctx, "start "+slug, confirmYes(), chromedp.Click("#start"), chromedp.WaitVisible("#attempt-form"))
	id, err := chromedp.Run(ctx, chromedp.AttributeValue("#attempt-form", "data-attempt"))
	if err != nil || id.Value == "" {
		t.Fatalf("attempt id: %v", err)
	}
	a, err := e.deps.Examiner.Attempts.FindAttempt(context.Background(), id.Value)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]answerKey{}
	for _, q := range a.Questions {
		k := answerKey{Choice: q.Key.Choice, Choices: q.Key.Choices, Bool: q.Key.Bool, Value: q.Key.Value, Order: q.Key.Order, Pairs: q.Key.Pairs}
		if len(q.Key.Texts) > 0 {
			k.Text = q.Key.Texts[0]
		}
		keys[q.ID] = k
	}
	js, _ := json.Marshal(keys)
	for page := 0; ; page++ {
		if page > len(a.Questions) {
			t.Fatalf("%s: more pages than questions", slug)
		}
		step(t, ctx, "answer "+slug, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(fillScript, js)))
		last, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!document.getElementById("next-question")`))
		if err != nil {
			t.Fatal(err)
		}
		if last {
			break
		}
		next, err := chromedp.Run(ctx, chromedp.AttributeValue("#next-question", "value"))
		if err != nil {
			t.Fatal(err)
		}
		// Wait for the next page itself: the old form stays visible until
		// the navigation lands.
		step(t, ctx, "next question", chromedp.Click("#next-question"),
			chromedp.WaitVisible(`#attempt-form button[aria-current="step"][value="`+next.Value+`"]`))
	}
	step(t, ctx, "submit "+slug, confirmYes(), chromedp.Click("#submit"), chromedp.WaitVisible("#result, .alert, .error-page"))
	if msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector(".alert, .error-page") || {}).textContent || ""`)); msg != "" {
		screenshot(t, ctx, "quiz-"+slug+"-refused")
		t.Fatalf("submitting %s: %s", slug, strings.TrimSpace(msg))
	}
	if done, err := e.deps.Examiner.Attempts.FindAttempt(context.Background(), id.Value); err == nil && !done.Passed {
		for _, r := range done.Results {
			if !r.Correct {
				q := done.Question(r.ID)
				t.Logf("%s: %s (%s) wrong: answered %+v, key %+v", slug, r.ID, q.Type, done.Answers[r.ID], q.Key)
			}
		}
	}
	return text(t, ctx, "#verdict")
}

// TestBrowserNewcomerJourney is the new hire's first weeks in one test:
// every lesson of the seven modules, the module quizzes and the final exam
// in the browser; the five owner calls the program asks for, each handled
// on its sandbox desk and debriefed as passed, in the browser; then the
// certificate the last pass earns, its public verification, a live ticket,
// and the manager's dashboard. Screenshots of each stage are kept as
// artefacts.
func TestBrowserNewcomerJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("the whole journey takes a minute")
	}
	e := newEnv(t)
	base := e.listen()
	e.createUser("xinren", []string{academy.RoleTrainee}, []string{"s1"})
	ctx := chrome(t)
	loginChrome(t, ctx, base, "xinren")
	screenshot(t, ctx, "journey-1-home")

	snap := e.deps.Catalog.Snapshot()
	prog := snap.Programs["desk"]
	for _, slug := range prog.Requirements.Courses {
		for _, l := range snap.Course(slug).Lessons {
			step(t, ctx, "read "+slug+"/"+l.Slug, chromedp.Navigate(base+"/courses/"+slug+"/lessons/"+l.Slug),
				chromedp.WaitVisible("#mark-complete"), chromedp.Click("#mark-complete"), chromedp.WaitVisible(".flash, .notice"))
		}
	}
	step(t, ctx, "courses", chromedp.Navigate(base+"/courses"), chromedp.WaitVisible("main"))
	screenshot(t, ctx, "journey-2-courses-done")

	for _, q := range prog.Requirements.Quizzes {
		if v := passQuizInBrowser(t, e, ctx, base, q.Quiz); !strings.Contains(v, "✓") {
			t.Fatalf("quiz %s answered from its key was not passed: %q", q.Quiz, v)
		}
	}
	screenshot(t, ctx, "journey-3-exam-passed")

	if len(deskPlays) != prog.Requirements.MinScenarios {
		t.Fatalf("the journey plays %d scenarios, the program asks for %d", len(deskPlays), prog.Requirements.MinScenarios)
	}
	for i, p := range deskPlays {
		if !slices.Contains(prog.Requirements.Scenarios, p.Slug) {
			t.Fatalf("%s does not count for the desk program", p.Slug)
		}
		// The certificate must come from the last passed run, not before.
		if got := e.awards("xinren"); len(got) != 0 {
			t.Fatalf("certified after %d of %d scenarios", i, len(deskPlays))
		}
		shot := fmt.Sprintf("journey-4-%d-%s", i+1, p.Slug)
		passedDebrief(t, p.Slug, playScenario(t, e, ctx, base, p, shot))
		screenshot(t, ctx, shot+"-debrief")
	}

	step(t, ctx, "the certificate", chromedp.Navigate(base+"/certificates"), chromedp.WaitVisible(`[data-program="desk"] .cert-number`))
	number := strings.TrimSpace(text(t, ctx, `[data-program="desk"] .cert-number`))
	screenshot(t, ctx, "journey-5-certificate")
	step(t, ctx, "verify publicly", chromedp.Navigate(base+"/verify/"+url.PathEscape(number)), chromedp.WaitVisible(`.verify-status[data-status="valid"]`))
	screenshot(t, ctx, "journey-6-verified")

	step(t, ctx, "take a live ticket", chromedp.Navigate(base+"/desk/s1/new"), chromedp.WaitVisible("main form"))
	screenshot(t, ctx, "journey-7-live-desk")

	mctx := chrome(t)
	loginChrome(t, mctx, base, "manager")
	step(t, mctx, "the manager sees it", chromedp.Navigate(base+"/team"), chromedp.WaitVisible(`#matrix tr[data-user="xinren"]`))
	if row := text(t, mctx, `#matrix tr[data-user="xinren"]`); !strings.Contains(row, "有效") {
		t.Fatalf("manager's row for the new hire: %q", row)
	}
	screenshot(t, mctx, "journey-8-manager")
}
