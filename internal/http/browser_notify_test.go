package http_test

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/academy/academy/internal/notify"
)

// TestBrowserNotificationBadge: the header shows the unread count on a
// phone, the bell opens the list, and marking all read clears the count.
func TestBrowserNotificationBadge(t *testing.T) {
	ctx := chrome(t)
	e := newEnv(t)
	if err := e.deps.Notify.Enqueue(context.Background(),
		notify.Message{Key: "granted/ethics/trainee/1", Kind: notify.KindAttemptGranted, To: "trainee", Params: map[string]string{"title": "职业道德测验", "by": "张老师"}, Link: "/quizzes/ethics"}); err != nil {
		t.Fatal(err)
	}
	// A second one, opened from the home page: that reads it.
	if err := e.deps.Notify.Enqueue(context.Background(),
		notify.Message{Key: "granted/ethics/trainee/2", Kind: notify.KindAttemptGranted, To: "trainee", Params: map[string]string{"title": "职业道德测验", "by": "张老师"}, Link: "/quizzes"}); err != nil {
		t.Fatal(err)
	}
	e.flush()
	base := e.listen()
	loginChrome(t, ctx, base, "trainee")
	step(t, ctx, "the home page", chromedp.Navigate(base+"/home"), chromedp.WaitVisible(`#panel-notifications button.link[value="/quizzes"]`))
	newPage(t, ctx, "open one from the home page", chromedp.Click(`#panel-notifications button.link[value="/quizzes"]`))
	if at, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`)); err != nil || at != "/quizzes" {
		t.Fatalf("the home page's notification opened %q (%v)", at, err)
	}
	step(t, ctx, "badge on a phone", chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+"/courses"),
		chromedp.Click("#menu-toggle"), chromedp.WaitVisible("#notify-bell .count"))
	if count, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#notify-bell .count').textContent`)); err != nil || count != "1" {
		t.Fatalf("badge %q (%v), want 1", count, err)
	}
	step(t, ctx, "open the list", chromedp.Click("#notify-bell"), chromedp.WaitVisible("#notifications li.unread"))
	step(t, ctx, "mark all read", chromedp.EmulateViewport(1366, 900), chromedp.Click(`form[action="/notifications/read"] button`), chromedp.WaitNotPresent("#notifications li.unread"))
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#notify-bell .count').length`)); err != nil || n != 0 {
		t.Fatalf("the count stays after marking all read (%d, %v)", n, err)
	}
}
