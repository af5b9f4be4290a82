package http_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/academy/academy/internal/academy"
)

// shellState is what the crawl of the header reads: whether the menu
// button and the menu show, the button's state, the header's height and
// which element has the focus.
type shellState struct {
	Toggle   bool   `json:"toggle"`
	Menu     bool   `json:"menu"`
	Expanded string `json:"expanded"`
	Header   int    `json:"header"`
	Focus    string `json:"focus"`
	Links    int    `json:"links"`
}

const shellStateJS = `(() => {
	const shown = el => !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
	const b = document.getElementById('menu-toggle');
	return {
		toggle: shown(b), menu: shown(document.getElementById('site-menu')),
		expanded: b ? b.getAttribute('aria-expanded') || '' : '',
		header: Math.round(document.querySelector('header.topbar').getBoundingClientRect().height),
		focus: document.activeElement ? document.activeElement.id : '',
		links: [...document.querySelectorAll('#site-menu nav a')].filter(shown).length,
	};
})()`

func shell(t *testing.T, ctx context.Context) shellState {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[shellState](shellStateJS))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestBrowserPhoneMenu: on a phone the header is one row, the menu opens
// and closes with its button from the keyboard, its links and the logout
// work, and the language switch stays at hand; on a desktop the menu shows
// without the button; without scripts it shows too.
func TestBrowserPhoneMenu(t *testing.T) {
	ctx := chrome(t)
	e := newEnv(t)
	base := e.listen()
	loginChrome(t, ctx, base, "admin")

	step(t, ctx, "phone", chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+"/home"), chromedp.WaitVisible("#menu-toggle"))
	s := shell(t, ctx)
	// The admin's menu has the most links: it took five rows before.
	if s.Menu || s.Expanded != "false" || s.Header > 70 {
		t.Fatalf("phone, menu closed: %+v", s)
	}
	screenshot(t, ctx, "phone-menu-closed")
	step(t, ctx, "open the menu with the keyboard", chromedp.Focus("#menu-toggle"), chromedp.KeyEvent("\r"), chromedp.WaitVisible("#site-menu nav"))
	if s := shell(t, ctx); !s.Menu || s.Expanded != "true" || s.Links < 10 {
		t.Fatalf("phone, menu open: %+v", s)
	}
	if got := text(t, ctx, "#site-menu"); !strings.Contains(got, "用户管理") || !strings.Contains(got, "退出登录") {
		t.Errorf("open menu: %q", got)
	}
	screenshot(t, ctx, "phone-menu-open")
	step(t, ctx, "close it with Escape", chromedp.KeyEvent("\x1b"), chromedp.WaitNotVisible("#site-menu"))
	if s := shell(t, ctx); s.Expanded != "false" || s.Focus != "menu-toggle" {
		t.Fatalf("after Escape: %+v", s)
	}
	step(t, ctx, "follow a link", chromedp.Click("#menu-toggle"), chromedp.WaitVisible(`#site-menu a[href="/admin/users"]`),
		chromedp.Click(`#site-menu a[href="/admin/users"]`), chromedp.WaitVisible("#new-user"))
	if s := shell(t, ctx); s.Menu || !s.Toggle {
		t.Fatalf("the next page opens with the menu folded: %+v", s)
	}

	// The language switch in the footer works at this size and is kept.
	step(t, ctx, "switch to English", chromedp.ScrollIntoView("#lang-select"), chromedp.SetValue("#lang-select", "en"),
		chromedp.Click(".lang-switch button"), chromedp.WaitVisible(`html[lang="en"] #menu-toggle`))
	if got := text(t, ctx, "#menu-toggle"); !strings.Contains(got, "Menu") {
		t.Errorf("menu button in English: %q", got)
	}
	if u, err := e.accounts.Users.FindUser(context.Background(), "admin"); err != nil || u.Lang != "en" {
		t.Errorf("language kept for the user: %v %+v", err, u)
	}

	step(t, ctx, "desktop", chromedp.EmulateViewport(1366, 900), chromedp.Navigate(base+"/home"), chromedp.WaitVisible("#site-menu nav"))
	// Menu and name beside the site's name: two rows at most, not four.
	if s := shell(t, ctx); s.Toggle || !s.Menu || s.Header > 110 {
		t.Fatalf("desktop: %+v", s)
	}
	screenshot(t, ctx, "desktop-menu")

	// Log out from the phone menu: the session ends.
	step(t, ctx, "phone again", chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+"/home"), chromedp.WaitVisible("#menu-toggle"),
		chromedp.Click("#menu-toggle"), chromedp.WaitVisible(".who button"), chromedp.Click(".who button"), chromedp.WaitVisible("#login-form"))
	step(t, ctx, "the session is gone", chromedp.Navigate(base+"/home"), chromedp.WaitVisible("#login-form"))

	// Without scripts the button stays hidden and the menu is open.
	step(t, ctx, "desktop to log in", chromedp.EmulateViewport(1366, 900))
	loginChrome(t, ctx, base, "admin")
	step(t, ctx, "phone", chromedp.EmulateViewport(390, 844))
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	step(t, ctx, "no scripts", chromedp.Navigate(base+"/home"), chromedp.WaitVisible("#site-menu nav"))
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false}); err != nil {
		t.Fatal(err)
	}
	if s := shell(t, ctx); s.Toggle || !s.Menu || s.Links < 10 {
		t.Fatalf("phone without scripts: %+v", s)
	}
}

// teamLook is what a manager sees of the team dashboard on a phone.
type teamLook struct {
	PageWide   bool     `json:"pageWide"`
	GridScroll bool     `json:"gridScroll"`
	NameStays  bool     `json:"nameStays"`
	CutHeads   []string `json:"cutHeads"`
	Heads      []string `json:"heads"`
	Bars       []string `json:"bars"`
	BarFont    float64  `json:"barFont"`
	Months     []string `json:"months"`
	MonthPx    float64  `json:"monthPx"`
}

const teamLookJS = `(() => {
	const box = document.querySelector('#matrix').parentElement;
	const name = document.querySelector('#matrix tbody th');
	const before = name.getBoundingClientRect().left;
	box.scrollLeft = box.scrollWidth;
	const stays = Math.abs(name.getBoundingClientRect().left - before) < 1;
	box.scrollLeft = 0;
	const heads = [...document.querySelectorAll('#matrix thead th')].slice(4);
	const label = document.querySelector('#chart .bar-label');
	const months = [...document.querySelectorAll('#timeline text')].filter((_, i) => i % 2 === 1);
	return {
		pageWide: document.documentElement.scrollWidth > innerWidth,
		gridScroll: box.scrollWidth > box.clientWidth,
		nameStays: stays,
		cutHeads: heads.filter(h => h.scrollWidth > h.clientWidth + 1 || h.scrollHeight > h.clientHeight + 1 || getComputedStyle(h).writingMode !== 'horizontal-tb').map(h => h.textContent),
		heads: heads.map(h => h.textContent.trim()),
		bars: [...document.querySelectorAll('#chart li')].map(li => li.querySelector('.bar-label').textContent + '=' + li.querySelector('.bar-value').textContent),
		barFont: parseFloat(getComputedStyle(label).fontSize),
		months: months.map(t => t.textContent),
		monthPx: months[0].getBoundingClientRect().height,
	};
})()`

// TestBrowserTeamOnPhone: at 390 px the dashboard does not scroll
// sideways; the matrix scrolls in its card with the names kept in view and
// whole requirement names; the completion chart is a list whose names read
// at text size; the months read in the page's language.
func TestBrowserTeamOnPhone(t *testing.T) {
	ctx := chrome(t)
	e := newEnv(t)
	base := e.listen()
	e.createUser("xiaoli", []string{academy.RoleTrainee}, []string{"s1"})
	e.tokens["xiaoli"] = e.login("xiaoli", testPassword)
	e.certify("xiaoli")
	loginChrome(t, ctx, base, "manager")
	step(t, ctx, "phone", chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+"/team"), chromedp.WaitVisible(`#matrix tr[data-user="xiaoli"]`))
	look, err := chromedp.Run(ctx, chromedp.Evaluate[teamLook](teamLookJS))
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "team-phone")
	if look.PageWide || !look.GridScroll || !look.NameStays {
		t.Errorf("page scrolls sideways %v, grid scrolls in its card %v, names stay in view %v", look.PageWide, look.GridScroll, look.NameStays)
	}
	if len(look.CutHeads) > 0 {
		t.Errorf("requirement names cut short or standing: %q", look.CutHeads)
	}
	// One bar per requirement of the matrix, under the same name; xiaoli
	// finished every course, so the first (a course) is not at 0 %.
	if len(look.Bars) != len(look.Heads) || len(look.Heads) == 0 {
		t.Fatalf("chart %q for requirements %q", look.Bars, look.Heads)
	}
	for i, b := range look.Bars {
		if !strings.HasPrefix(b, look.Heads[i]+"=") || i == 0 && strings.HasSuffix(b, "=0%") {
			t.Errorf("bar %d: %q, requirement %q", i, b, look.Heads[i])
		}
	}
	if look.BarFont < 13 || look.MonthPx < 9 {
		t.Errorf("chart text: names %.1f px, months %.1f px", look.BarFont, look.MonthPx)
	}
	now := e.clock.Now()
	if len(look.Months) != 12 || look.Months[11] != fmt.Sprintf("%d月", now.Month()) {
		t.Errorf("months in Chinese: %q", look.Months)
	}
	step(t, ctx, "English", chromedp.ScrollIntoView("#lang-select"), chromedp.SetValue("#lang-select", "en"),
		chromedp.Click(".lang-switch button"), chromedp.WaitVisible(`html[lang="en"] #timeline`))
	look, err = chromedp.Run(ctx, chromedp.Evaluate[teamLook](teamLookJS))
	if err != nil {
		t.Fatal(err)
	}
	if len(look.Months) != 12 || look.Months[11] != now.Month().String()[:3] || look.PageWide {
		t.Errorf("months in English: %q, page scrolls sideways %v", look.Months, look.PageWide)
	}
	screenshot(t, ctx, "team-phone-en")
}

// TestBrowserWideTablesOnPhone: at 390 px a table wider than the screen
// scrolls by itself, not the page, and takes the focus so that it scrolls
// from the keyboard; axe finds nothing serious.
func TestBrowserWideTablesOnPhone(t *testing.T) {
	ctx := chrome(t)
	axe := axeSource(t)
	e := newEnv(t)
	base := e.listen()
	loginChrome(t, ctx, base, "admin")
	step(t, ctx, "phone", chromedp.EmulateViewport(390, 844))
	e.useAttempts("trainee", "ethics", 3, time.Now())
	// English words are longer: the learner's table with its grant form
	// is widest in English.
	if _, err := e.accounts.UpdateProfile(context.Background(), "admin", "", "en"); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/admin/audit", "/admin/users", "/author/quizzes", "/learners/trainee"} {
		step(t, ctx, "open "+p, chromedp.Navigate(base+p), chromedp.WaitVisible("main table"))
		got, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, innerWidth,
			[...document.querySelectorAll('main table, .table-scroll, .table-wrap')].filter(t => t.scrollWidth > t.clientWidth + 1 && t.tabIndex !== 0).length]`))
		if err != nil {
			t.Fatal(err)
		}
		if got[0] > got[1] || got[2] > 0 {
			t.Errorf("%s: page %d px wide in %d, %d scrolling tables without the focus", p, got[0], got[1], got[2])
		}
		audit(t, ctx, axe, p)
	}
	screenshot(t, ctx, "quizzes-phone")
}

// TestBrowserSandboxBannerInLandmark: the practice desk's banner is in a
// landmark, as axe's region rule asks, so that screen-reader users who move
// by landmarks do not skip the warning that nothing here is real.
func TestBrowserSandboxBannerInLandmark(t *testing.T) {
	ctx := chrome(t)
	axe := axeSource(t)
	e := newEnv(t)
	base := e.listen()
	sb := e.openSandbox(t, "trainee", "练习台")
	loginChrome(t, ctx, base, "trainee")
	step(t, ctx, "open the practice desk", chromedp.Navigate(base+"/desk/"+sb.ID), chromedp.WaitVisible("#sandbox-banner"),
		chromedp.Evaluate[chromedp.Void](axe))
	outside, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`axe.run(document, {runOnly: ['region']}).then(r =>
		r.violations.flatMap(v => v.nodes.map(n => n.target.join(' '))))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if len(outside) > 0 {
		t.Errorf("outside any landmark: %q", outside)
	}
}
