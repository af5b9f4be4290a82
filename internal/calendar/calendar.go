// Package calendar is the working calendar that office-hours SLA clocks
// count in: weekly hours, and per year the public holidays and the 调休
// weekend days worked in their place. It stands alone (the core imports
// it), so its messages are plain "中文 / English" text that callers wrap.
package calendar

import (
	"slices"
	"time"
)

// Span is one stretch of working hours in a day, as offsets from the
// local midnight: 09:00–12:00 is {9h, 12h}. End may be 24:00.
type Span struct {
	Start, End time.Duration
}

// Calendar is a validated working calendar. Its durations are wall-clock
// time in the zone it is read in: a 09:00–18:00 day counts nine hours.
// A nil *Calendar is the standard office week (09:00–18:00, Monday to
// Friday, no holidays), the rule from before calendars existed.
type Calendar struct {
	// Name and Zone are as written in the file; Zone (an IANA name) is
	// empty when the hours are read in the zone of each site.
	Name string
	Zone string
	zone *time.Location
	// Years lists the years with a holiday arrangement, in order.
	Years []Year

	week      [7][]Span // by time.Weekday
	weekTotal time.Duration
	weekCum   [8]time.Duration // working time of the first i days of an epoch week (Thursday first)
	// tables of the covered years, in order, for the clock arithmetic.
	tables []table
}

// Year is one year's arrangement as the file gives it.
type Year struct {
	Year     int
	Source   string
	Holidays []Holiday
	Workdays []Workday
}

// Holiday is a run of days off, From to To inclusive (dates YYYY-MM-DD).
type Holiday struct {
	Name     string
	From, To string
}

// Workday is a 调休 day worked with the hours of weekday As.
type Workday struct {
	Date string
	As   time.Weekday
	Name string
}

// table is one covered year precomputed per day, so that a clock over
// months costs a few lookups instead of a walk through the days.
type table struct {
	year  int
	first int64 // day number of 1 January
	hours [][]Span
	// cum[i] is the working time of the year's days before day i;
	// cum[len(hours)] the year's total.
	cum []time.Duration
	// delta is the year's total minus what the weekly hours alone give,
	// and before the sum of the deltas of the covered years before it.
	delta, before time.Duration
}

// Standard is the office week with no holidays: 09:00–18:00, Monday to
// Friday.
func Standard() *Calendar {
	c := &Calendar{Name: "标准工作周 / Standard office week"}
	for d := time.Monday; d <= time.Friday; d++ {
		c.week[d] = []Span{{9 * time.Hour, 18 * time.Hour}}
	}
	c.build()
	return c
}

// LastYear is the last year with a holiday arrangement, 0 when none:
// after it the clocks count the weekly hours only.
func (c *Calendar) LastYear() int {
	c = c.orStandard()
	if len(c.tables) == 0 {
		return 0
	}
	return c.tables[len(c.tables)-1].year
}

// Covers reports whether year has a holiday arrangement.
func (c *Calendar) Covers(year int) bool {
	return c.table(year) != nil
}

func (c *Calendar) orStandard() *Calendar {
	if c == nil {
		return Standard()
	}
	return c
}

func (c *Calendar) table(year int) *table {
	c = c.orStandard()
	i, ok := slices.BinarySearchFunc(c.tables, year, func(t table, y int) int { return t.year - y })
	if !ok {
		return nil
	}
	return &c.tables[i]
}

// build precomputes the weekly sums and the per-day tables; the fields
// it reads are already validated.
func (c *Calendar) build() {
	c.weekTotal = 0
	for i := range 7 {
		// Day number 0 (1970-01-01) is a Thursday.
		for _, s := range c.week[(i+4)%7] {
			c.weekTotal += s.End - s.Start
		}
		c.weekCum[i+1] = c.weekTotal
	}
	c.tables = c.tables[:0]
	var before time.Duration
	for _, y := range c.Years {
		first := dayNumber(y.Year, time.January, 1)
		n := int(dayNumber(y.Year+1, time.January, 1) - first)
		t := table{year: y.Year, first: first, hours: make([][]Span, n), cum: make([]time.Duration, n+1), before: before}
		for i := range n {
			t.hours[i] = c.week[weekday(first+int64(i))]
		}
		for _, h := range y.Holidays {
			from, to := mustDay(h.From), mustDay(h.To)
			for d := from; d <= to; d++ {
				t.hours[d-first] = nil
			}
		}
		for _, w := range y.Workdays {
			t.hours[mustDay(w.Date)-first] = c.week[w.As]
		}
		for i, spans := range t.hours {
			t.cum[i+1] = t.cum[i] + total(spans)
		}
		t.delta = t.cum[n] - (c.weeklyBefore(first+int64(n)) - c.weeklyBefore(first))
		before += t.delta
		c.tables = append(c.tables, t)
	}
}

func total(spans []Span) time.Duration {
	var d time.Duration
	for _, s := range spans {
		d += s.End - s.Start
	}
	return d
}

// dayNumber counts days from 1970-01-01 to a date.
func dayNumber(y int, m time.Month, d int) int64 {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

func weekday(dn int64) time.Weekday {
	return time.Weekday(((dn+4)%7 + 7) % 7)
}

// mustDay reads a date already validated by Parse.
func mustDay(s string) int64 {
	t, _ := time.Parse(time.DateOnly, s)
	return t.Unix() / 86400
}

// weeklyBefore is the working time of the weekly hours alone on the days
// before day number dn.
func (c *Calendar) weeklyBefore(dn int64) time.Duration {
	weeks, rest := dn/7, dn%7
	if rest < 0 {
		weeks, rest = weeks-1, rest+7
	}
	return time.Duration(weeks)*c.weekTotal + c.weekCum[rest]
}

// before is the working time on the days before day number dn, counted
// from the epoch: the weekly hours corrected by every covered year.
func (c *Calendar) before(dn int64) time.Duration {
	w := c.weeklyBefore(dn)
	i, _ := slices.BinarySearchFunc(c.tables, dn, func(t table, dn int64) int {
		switch {
		case dn < t.first:
			return 1
		case dn >= t.first+int64(len(t.hours)):
			return -1
		}
		return 0
	})
	if i < len(c.tables) && dn >= c.tables[i].first {
		t := &c.tables[i]
		return c.weeklyBefore(t.first) + t.before + t.cum[dn-t.first]
	}
	if i > 0 {
		t := &c.tables[i-1]
		return w + t.before + t.delta
	}
	return w
}

// day gives the working spans of day number dn.
func (c *Calendar) day(dn int64) []Span {
	for i := range c.tables {
		if t := &c.tables[i]; dn >= t.first && dn < t.first+int64(len(t.hours)) {
			return t.hours[dn-t.first]
		}
	}
	return c.week[weekday(dn)]
}

// at is the working time from the epoch up to t read in loc.
func (c *Calendar) at(t time.Time, loc *time.Location) time.Duration {
	dn, off := split(t, loc)
	w := c.before(dn)
	for _, s := range c.day(dn) {
		w += max(0, min(off, s.End)-s.Start)
	}
	return w
}

// split reads t in loc as a day number and the wall-clock offset from
// that day's midnight.
func split(t time.Time, loc *time.Location) (int64, time.Duration) {
	t = t.In(loc)
	y, m, d := t.Date()
	h, mi, s := t.Clock()
	return dayNumber(y, m, d), time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute + time.Duration(s)*time.Second + time.Duration(t.Nanosecond())
}

// WorkTime is the working time between from and to, read in loc (zero
// when to is not after from).
func (c *Calendar) WorkTime(from, to time.Time, loc *time.Location) time.Duration {
	c = c.orStandard()
	if !to.After(from) {
		return 0
	}
	loc = c.location(loc)
	return c.at(to, loc) - c.at(from, loc)
}

// DueAt is when a clock started at from with left working time to run
// runs out, read in loc. A clock that runs out at a day's closing time
// is due then, not at the next opening.
func (c *Calendar) DueAt(from time.Time, left time.Duration, loc *time.Location) time.Time {
	c = c.orStandard()
	if left <= 0 {
		return from.Add(left)
	}
	loc = c.location(loc)
	target := c.at(from, loc) + left
	start, _ := split(from, loc)
	// The weekly hours are never empty, so the working time grows without
	// bound: widen the window until it holds the target, then halve it.
	lo, hi := start, start+7
	for c.before(hi+1) < target {
		lo, hi = hi, start+2*(hi-start)
	}
	for lo < hi {
		mid := lo + (hi-lo)/2
		if c.before(mid+1) >= target {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	rest := target - c.before(lo)
	var off time.Duration
	for _, s := range c.day(lo) {
		if n := s.End - s.Start; rest <= n {
			off = s.Start + rest
			break
		} else {
			rest -= n
		}
	}
	y, m, d := time.Unix(lo*86400, 0).UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, int(off), loc)
}

// location is the zone the hours are read in: the calendar's own when it
// names one, else the site's loc.
func (c *Calendar) location(loc *time.Location) *time.Location {
	if c.zone != nil {
		return c.zone
	}
	if loc == nil {
		return time.UTC
	}
	return loc
}
