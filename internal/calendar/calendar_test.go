package calendar

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

var beijing, _ = time.LoadLocation("Asia/Shanghai")

func bj(m time.Month, d, h, mi int) time.Time { return time.Date(2026, m, d, h, mi, 0, 0, beijing) }

func TestDefaultIsTheStateCouncilArrangement(t *testing.T) {
	c := Default()
	if c.LastYear() != 2026 || !c.Covers(2026) || c.Covers(2027) || !strings.Contains(c.Years[0].Source, "国办发明电〔2025〕7号") {
		t.Fatalf("default covers up to %d, source %q", c.LastYear(), c.Years[0].Source)
	}
	for _, tc := range []struct {
		what     string
		from, to time.Time
		want     time.Duration
	}{
		{"国庆: the afternoon before to the morning after", bj(9, 30, 15, 0), bj(10, 8, 10, 0), 4 * time.Hour},
		{"a 调休 Saturday is worked", bj(10, 10, 0, 0), bj(10, 11, 0, 0), 9 * time.Hour},
		{"an ordinary Saturday is not", bj(10, 17, 0, 0), bj(10, 18, 0, 0), 0},
		{"春节 week is off, both 调休 Saturdays worked", bj(2, 14, 0, 0), bj(3, 1, 0, 0), 9*time.Hour + 4*9*time.Hour + 9*time.Hour},
		{"元旦 crosses from the year before", time.Date(2025, 12, 31, 17, 0, 0, 0, beijing), bj(1, 5, 10, 0), time.Hour + 9*time.Hour + time.Hour},
		{"after the last year: weekly hours", time.Date(2027, 10, 1, 9, 0, 0, 0, beijing), time.Date(2027, 10, 1, 18, 0, 0, 0, beijing), 9 * time.Hour},
	} {
		if got := c.WorkTime(tc.from, tc.to, beijing); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.what, got, tc.want)
		}
	}
	for _, tc := range []struct {
		what string
		from time.Time
		left time.Duration
		want time.Time
	}{
		{"国庆 pushes the deadline past the holiday", bj(9, 30, 15, 0), 8 * time.Hour, bj(10, 8, 14, 0)},
		{"a 调休 Saturday counts its hours", bj(10, 10, 9, 30), 2 * time.Hour, bj(10, 10, 11, 30)},
		{"Friday evening runs into the 调休 Saturday", bj(2, 13, 17, 0), 2 * time.Hour, bj(2, 14, 10, 0)},
		{"the 调休 Saturday's end runs past 春节", bj(2, 14, 17, 0), 2 * time.Hour, bj(2, 24, 10, 0)},
		{"due at closing time, not next morning", bj(9, 30, 15, 0), 3 * time.Hour, bj(9, 30, 18, 0)},
	} {
		if got := c.DueAt(tc.from, tc.left, beijing); !got.Equal(tc.want) {
			t.Errorf("%s: %v, want %v", tc.what, got, tc.want)
		}
	}
	// Without the calendar, the same clocks run through the holiday.
	if got := (*Calendar)(nil).DueAt(bj(9, 30, 15, 0), 8*time.Hour, beijing); !got.Equal(bj(10, 1, 14, 0)) {
		t.Errorf("standard week: %v", got)
	}
}

// naive walks the day minute by minute: the arithmetic's reference.
func naive(c *Calendar, from, to time.Time, loc *time.Location) time.Duration {
	var n time.Duration
	for t := from.In(loc); t.Before(to); t = t.Add(time.Minute) {
		dn, off := split(t, loc)
		for _, s := range c.day(dn) {
			if off >= s.Start && off < s.End {
				n += time.Minute
			}
		}
	}
	return n
}

func TestArithmeticMatchesAMinuteWalk(t *testing.T) {
	c, err := Parse([]byte(`
week:
  monday: ["08:30-12:00", "13:30-17:30"]
  wednesday: ["00:00-24:00"]
  saturday: ["10:00-12:00"]
years:
  - year: 2025
    holidays: [{from: 2025-12-29, to: 2025-12-31}]
  - year: 2026
    holidays: [{from: 2026-01-01, to: 2026-01-07}, {from: 2026-03-02}]
    workdays: [{date: 2026-01-10, as: wednesday}]
  - year: 2028
    holidays: [{from: 2028-01-03}]
`))
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2025, 12, 20, 0, 0, 0, 0, beijing)
	for range 120 {
		from := base.Add(time.Duration(r.IntN(60*24*800)) * time.Minute)
		to := from.Add(time.Duration(r.IntN(60*24*20)) * time.Minute)
		if got, want := c.WorkTime(from, to, beijing), naive(c, from, to, beijing); got != want {
			t.Fatalf("WorkTime(%v, %v) = %v, want %v", from, to, got, want)
		}
		left := time.Duration(1+r.IntN(60*80)) * time.Minute
		due := c.DueAt(from, left, beijing)
		if got := c.WorkTime(from, due, beijing); got != left {
			t.Fatalf("DueAt(%v, %v) = %v, which leaves %v", from, left, due, got)
		}
		if c.WorkTime(from, due.Add(-time.Minute), beijing) >= left {
			t.Fatalf("DueAt(%v, %v) = %v is late", from, left, due)
		}
	}
}

func TestZoneOfTheFileOverridesTheSite(t *testing.T) {
	c, err := Parse([]byte("zone: Asia/Shanghai\nweek: {monday: [\"09:00-18:00\"]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	urumqi, _ := time.LoadLocation("Asia/Urumqi")
	mon := time.Date(2026, 3, 9, 9, 0, 0, 0, beijing)
	if got := c.DueAt(mon, time.Hour, urumqi); !got.Equal(mon.Add(time.Hour)) {
		t.Errorf("hours read in the file's zone: %v", got)
	}
}

func TestParseRefusesWithClearMessages(t *testing.T) {
	for _, tc := range []struct{ src, field, want string }{
		{"week: {monday: [\"09:00-18:00\"]}\nyears:\n  - year: 2026\n    holidays: [{from: 2026-10-10}]\n    workdays: [{date: 2026-10-10, as: monday}]\n", "years[0].workdays[0].date", "both a holiday"},
		{"week: {monday: [\"09:00-18:00\"]}\nyears:\n  - year: 2026\n    holidays: [{from: 2027-01-01}]\n", "years[0].holidays[0].from", "not in 2026"},
		{"week: {monday: [\"09:00-12:00\", \"11:00-18:00\"]}\n", "week.monday", "overlap"},
		{"week: {monday: [\"09:00-25:00\"]}\n", "week.monday[0]", "within 00:00–24:00"},
		{"week: {monday: [\"18:00-09:00\"]}\n", "week.monday[0]", "starting before it ends"},
		{"week: {funday: [\"09:00-18:00\"]}\n", "week.funday", "not a weekday"},
		{"week: {}\n", "week", "at least one day"},
		{"week: {monday: [\"09:00-18:00\"]}\nyears:\n  - year: 2026\n    workdays: [{date: 2026-10-10, as: sunday}]\n", "years[0].workdays[0].as", "no working hours"},
		{"week: {monday: [\"09:00-18:00\"]}\nyears:\n  - year: 2026\n    workdays: [{date: 2026-10-10}]\n", "years[0].workdays[0].as", "must name the weekday"},
		{"week: {monday: [\"09:00-18:00\"]}\nyears:\n  - year: 2026\n    holidays: [{from: 2026-10-07, to: 2026-10-01}]\n", "years[0].holidays[0].to", "before it starts"},
		{"week: {monday: [\"09:00-18:00\"]}\nyears:\n  - year: 2026\n    holidays: [{from: 2026-10-01, to: 2026-10-07}, {from: 2026-10-05}]\n", "years[0].holidays[1]", "already a holiday"},
		{"week: {monday: [\"09:00-18:00\"]}\nyears: [{year: 2026}, {year: 2026}]\n", "years[1].year", "listed twice"},
		{"week: {monday: [\"09:00-18:00\"]}\nyears: [{year: 1900}]\n", "years[0].year", "from 2000 to 2100"},
		{"week: {monday: [\"09:00-18:00\"]}\nyears: [{year: 2026, holidays: [{from: 2026-13-01}]}]\n", "years[0].holidays[0].from", "date such as"},
		{"zone: Mars/Base\nweek: {monday: [\"09:00-18:00\"]}\n", "zone", "time zone name"},
		{"week: {monday: [\"09:00-18:00\"]}\ncolour: red\n", "yaml", "line 2"},
		{"week: [\n", "yaml", "line"},
	} {
		_, err := Parse([]byte(tc.src))
		ps, ok := err.(Problems)
		if !ok || len(ps) == 0 {
			t.Errorf("%q: accepted (%v)", tc.src, err)
			continue
		}
		if ps[0].Field != tc.field || !strings.Contains(ps[0].EN, tc.want) || ps[0].ZH == "" || strings.Contains(ps[0].String(), "%!") {
			t.Errorf("%q: %v, want %s: …%s…", tc.src, ps, tc.field, tc.want)
		}
	}
	if _, err := Parse(make([]byte, MaxSize+1)); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Errorf("size: %v", err)
	}
}

func TestProblemsMessageIsBilingual(t *testing.T) {
	ps := Problems{{"week", "甲", "a"}, {"zone", "乙", "b"}}
	if got := ps.Message(); got != "week: 甲；zone: 乙 / week: a; zone: b" {
		t.Error(got)
	}
}
