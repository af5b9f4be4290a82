package http_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// confirmYes makes window.confirm answer yes, as a learner clicking OK.
func confirmYes() chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void]("window.confirm = () => true, null")
}

func TestBrowserQuizAndExam(t *testing.T) {
	e := newEnv(t)
	e.finishCourses("trainee", "ethics")
	base := e.listen()
	ctx := chrome(t)
	loginChrome(t, ctx, base, "trainee")

	step(t, ctx, "open the quiz", chromedp.Navigate(base+"/quizzes/ethics"), chromedp.WaitVisible("#start"))
	step(t, ctx, "start", confirmYes(), chromedp.Click("#start"), chromedp.WaitVisible("#attempt-form"))
	// The countdown says the time left in words, as the rest of the site
	// does, not as a clock reading.
	if cd := text(t, ctx, "#countdown"); !regexp.MustCompile(`^剩余 (\d+ 小时 )?\d+ 分钟$`).MatchString(cd) {
		t.Fatalf("countdown shows %q", cd)
	}
	// Answer the first question of a choice type; autosave reports it.
	step(t, ctx, "answer", chromedp.Click(`#attempt-form fieldset[data-type="single"] input[type=radio]`), chromedp.WaitVisible(`#autosave`))
	pctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if _, err := chromedp.Run(pctx, chromedp.Poll[bool](`document.getElementById("autosave").textContent === "已自动保存"`)); err != nil {
		t.Fatalf("autosave never confirmed: %v", err)
	}
	screenshot(t, ctx, "quiz-attempt")
	step(t, ctx, "submit", confirmYes(), chromedp.Click("#submit"), chromedp.WaitVisible("#result"))
	if v := text(t, ctx, "#verdict"); !strings.Contains(v, "未达到及格线") {
		t.Fatalf("verdict after one answer: %q", v)
	}
	if !strings.Contains(text(t, ctx, "main"), "解析") {
		t.Fatal("review without explanations")
	}
	screenshot(t, ctx, "quiz-result")

	// The final exam: one question per page, once everything before it is done.
	e.openFinalExam("trainee")
	step(t, ctx, "open the exam", chromedp.Navigate(base+"/quizzes/final-exam"), chromedp.WaitVisible("#start"))
	step(t, ctx, "start the exam", confirmYes(), chromedp.Click("#start"), chromedp.WaitVisible(".qnav"))
	step(t, ctx, "go to question 2", chromedp.Click(`.qnav button[value="2"]`), chromedp.WaitVisible(`.qnav button[value="2"][aria-current="step"]`))
	screenshot(t, ctx, "exam-attempt")
	step(t, ctx, "submit the exam", confirmYes(), chromedp.Click("#submit"), chromedp.WaitVisible("#result"))
	if got := text(t, ctx, "main"); !strings.Contains(got, "✗") || strings.Contains(got, "正确答案") {
		t.Fatal("exam review should show right/wrong but not the answers")
	}
}
