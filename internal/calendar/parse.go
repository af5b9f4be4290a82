package calendar

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// DefaultYAML is the company calendar shipped with the program: office
// hours Monday to Friday and the State Council's holiday arrangement,
// with its source noted in the file.
//
//go:embed default.yaml
var DefaultYAML []byte

// Default is the shipped company calendar.
func Default() *Calendar {
	c, err := Parse(DefaultYAML)
	if err != nil {
		// The file is part of the program and a test parses it.
		panic("calendar: shipped default does not parse: " + err.Error())
	}
	return c
}

// Limits of a calendar file: an editor's paste, not a data dump.
const (
	MaxSize     = 64 << 10
	maxYears    = 30
	maxEntries  = 100 // holidays or workdays in a year
	maxSpans    = 6   // spans in a day
	maxNameLen  = 64
	maxTextLen  = 300 // a source note
	firstYear   = 2000
	lastYearMax = 2100
)

// Problem is one thing wrong with a calendar file: the field it is about
// and what is wrong, in Chinese and in English.
type Problem struct {
	Field  string
	ZH, EN string
}

func (p Problem) String() string { return p.Field + ": " + p.ZH + " / " + p.EN }

// Problems is every problem found in a file, in the file's order.
type Problems []Problem

func (ps Problems) Error() string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, "\n")
}

// Message joins the problems into one "中文 / English" message, each half
// naming the fields.
func (ps Problems) Message() string {
	zh, en := make([]string, len(ps)), make([]string, len(ps))
	for i, p := range ps {
		zh[i], en[i] = p.Field+": "+p.ZH, p.Field+": "+p.EN
	}
	return strings.Join(zh, "；") + " / " + strings.Join(en, "; ")
}

func (ps *Problems) add(field, zh, en string, args ...any) {
	*ps = append(*ps, Problem{field, fmt.Sprintf(zh, args...), fmt.Sprintf(en, args...)})
}

// file is the YAML form of a calendar.
type file struct {
	Name  string              `yaml:"name"`
	Zone  string              `yaml:"zone"`
	Week  map[string][]string `yaml:"week"`
	Years []yearFile          `yaml:"years"`
}

type yearFile struct {
	Year     int           `yaml:"year"`
	Source   string        `yaml:"source"`
	Holidays []holidayFile `yaml:"holidays"`
	Workdays []workdayFile `yaml:"workdays"`
}

type holidayFile struct {
	Name string `yaml:"name"`
	From string `yaml:"from"`
	To   string `yaml:"to"`
}

type workdayFile struct {
	Date string `yaml:"date"`
	As   string `yaml:"as"`
	Name string `yaml:"name"`
}

// weekdays are the keys of week and the values of a workday's as.
var weekdays = map[string]time.Weekday{"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday,
	"wednesday": time.Wednesday, "thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday}

const weekdayList = "monday, tuesday, wednesday, thursday, friday, saturday, sunday"

var weekdayZH = [7]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

// spanRE is "HH:MM-HH:MM".
var spanRE = regexp.MustCompile(`^(\d{2}):(\d{2})\s*-\s*(\d{2}):(\d{2})$`)

// yamlLineRE picks the line out of the YAML library's messages.
var yamlLineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*?)(?: in type [\w.]+)?$`)

// Parse reads and validates a calendar file; the error is Problems.
func Parse(src []byte) (*Calendar, error) {
	var ps Problems
	if len(src) > MaxSize {
		ps.add("yaml", "文件过大，最多 %d KB", "the file is too large: at most %d KB", MaxSize>>10)
		return nil, ps
	}
	var f file
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		var te *yaml.TypeError
		msgs := []string{err.Error()}
		if errors.As(err, &te) {
			msgs = te.Errors
		}
		for _, m := range msgs {
			if g := yamlLineRE.FindStringSubmatch(m); g != nil {
				ps.add("yaml", "第 %s 行无法读取（%s）", "line %s: %s", g[1], g[2])
			} else {
				ps.add("yaml", "无法读取（%s）", "cannot be read (%s)", strings.TrimPrefix(m, "yaml: "))
			}
		}
		return nil, ps
	}
	c := &Calendar{Name: strings.TrimSpace(f.Name), Zone: strings.TrimSpace(f.Zone)}
	if n := utf8.RuneCountInString(c.Name); n > maxNameLen {
		ps.add("name", "最多 %d 个字", "at most %d characters", maxNameLen)
	}
	if c.Zone != "" {
		loc, err := time.LoadLocation(c.Zone)
		if err != nil || c.Zone == "Local" || len(c.Zone) > 64 {
			ps.add("zone", "请填写时区名称，如 Asia/Shanghai，或留空使用各项目的时区", "must be a time zone name such as Asia/Shanghai, or empty for each site's zone")
		} else {
			c.zone = loc
		}
	}
	c.readWeek(f.Week, &ps)
	c.readYears(f.Years, &ps)
	if len(ps) > 0 {
		return nil, ps
	}
	c.build()
	return c, nil
}

func (c *Calendar) readWeek(week map[string][]string, ps *Problems) {
	keys := make([]string, 0, len(week))
	for k := range week {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		d, ok := weekdays[k]
		field := "week." + k
		if !ok {
			ps.add(field, "不是星期名称，应为 %s 之一", "is not a weekday: use one of %s", weekdayList)
			continue
		}
		if len(week[k]) > maxSpans {
			ps.add(field, "每天最多 %d 个时间段", "at most %d spans a day", maxSpans)
			continue
		}
		var spans []Span
		for i, raw := range week[k] {
			sp, ok := parseSpan(raw)
			if !ok {
				ps.add(fmt.Sprintf("%s[%d]", field, i), "%q 应为 09:00-18:00 这样的时间段，在 00:00 至 24:00 之间，开始早于结束",
					"%q must be a span such as 09:00-18:00 within 00:00–24:00, starting before it ends", raw)
				continue
			}
			spans = append(spans, sp)
		}
		slices.SortFunc(spans, func(a, b Span) int { return int(a.Start - b.Start) })
		for i := 1; i < len(spans); i++ {
			if spans[i].Start < spans[i-1].End {
				ps.add(field, "时间段 %s 与 %s 重叠", "spans %s and %s overlap", spans[i-1], spans[i])
			}
		}
		c.week[d] = spans
	}
	if slices.IndexFunc(c.week[:], func(s []Span) bool { return len(s) > 0 }) < 0 {
		ps.add("week", "至少要有一天有工作时间，否则按工作时间计的时限永远不会到期",
			"needs working hours on at least one day, or office-hours deadlines would never come")
	}
}

func (s Span) String() string {
	f := func(d time.Duration) string { return fmt.Sprintf("%02d:%02d", int(d.Hours()), int(d.Minutes())%60) }
	return f(s.Start) + "-" + f(s.End)
}

// parseSpan reads "HH:MM-HH:MM" within 00:00–24:00, start before end.
func parseSpan(s string) (Span, bool) {
	m := spanRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return Span{}, false
	}
	n := make([]int, 4)
	for i := range n {
		n[i], _ = strconv.Atoi(m[i+1])
	}
	if n[1] > 59 || n[3] > 59 {
		return Span{}, false
	}
	start := time.Duration(n[0])*time.Hour + time.Duration(n[1])*time.Minute
	end := time.Duration(n[2])*time.Hour + time.Duration(n[3])*time.Minute
	if end > 24*time.Hour || start >= end {
		return Span{}, false
	}
	return Span{start, end}, true
}

func (c *Calendar) readYears(years []yearFile, ps *Problems) {
	if len(years) > maxYears {
		ps.add("years", "最多 %d 年", "at most %d years", maxYears)
		return
	}
	seen := map[int]bool{}
	for i, yf := range years {
		field := fmt.Sprintf("years[%d]", i)
		if yf.Year < firstYear || yf.Year > lastYearMax {
			ps.add(field+".year", "应为 %d 至 %d 之间的年份", "must be a year from %d to %d", firstYear, lastYearMax)
			continue
		}
		if seen[yf.Year] {
			ps.add(field+".year", "%d 年已写过一次", "%d is listed twice", yf.Year)
			continue
		}
		seen[yf.Year] = true
		y := Year{Year: yf.Year, Source: strings.TrimSpace(yf.Source)}
		if utf8.RuneCountInString(y.Source) > maxTextLen {
			ps.add(field+".source", "最多 %d 个字", "at most %d characters", maxTextLen)
		}
		if len(yf.Holidays) > maxEntries || len(yf.Workdays) > maxEntries {
			ps.add(field, "假期和调休上班日各最多 %d 项", "at most %[1]d holidays and %[1]d workdays", maxEntries)
			continue
		}
		off := map[string]string{} // date -> the field that made it a day off
		for j, h := range yf.Holidays {
			hf := fmt.Sprintf("%s.holidays[%d]", field, j)
			h := Holiday{Name: strings.TrimSpace(h.Name), From: strings.TrimSpace(h.From), To: strings.TrimSpace(h.To)}
			if h.To == "" {
				h.To = h.From
			}
			if utf8.RuneCountInString(h.Name) > maxNameLen {
				ps.add(hf+".name", "最多 %d 个字", "at most %d characters", maxNameLen)
			}
			from, ok1 := dateIn(h.From, yf.Year, hf+".from", ps)
			to, ok2 := dateIn(h.To, yf.Year, hf+".to", ps)
			if !ok1 || !ok2 {
				continue
			}
			if to < from {
				ps.add(hf+".to", "结束日期 %s 早于开始日期 %s", "ends (%s) before it starts (%s)", h.To, h.From)
				continue
			}
			for d := from; d <= to; d++ {
				ds := dateOf(d)
				if prev, ok := off[ds]; ok {
					ps.add(hf, "%s 已在 %s 中放假", "%s is already a holiday in %s", ds, prev)
					break
				}
				off[ds] = hf
			}
			y.Holidays = append(y.Holidays, h)
		}
		worked := map[string]string{}
		for j, w := range yf.Workdays {
			wf := fmt.Sprintf("%s.workdays[%d]", field, j)
			w := workdayFile{Date: strings.TrimSpace(w.Date), As: strings.TrimSpace(strings.ToLower(w.As)), Name: strings.TrimSpace(w.Name)}
			if utf8.RuneCountInString(w.Name) > maxNameLen {
				ps.add(wf+".name", "最多 %d 个字", "at most %d characters", maxNameLen)
			}
			d, ok := dateIn(w.Date, yf.Year, wf+".date", ps)
			as, known := weekdays[w.As]
			if !known {
				ps.add(wf+".as", "请写明这天按星期几的工作时间上班，应为 %s 之一", "must name the weekday whose hours this day is worked with: one of %s", weekdayList)
			} else if len(c.week[as]) == 0 {
				ps.add(wf+".as", "%[1]s 没有工作时间，调休上班日应按有工作时间的一天上班", "%[2]s has no working hours: a workday takes the hours of a working weekday", weekdayZH[as], time.Weekday(as))
			}
			if !ok {
				continue
			}
			if prev, dup := worked[w.Date]; dup {
				ps.add(wf+".date", "%s 已在 %s 中写过", "%s is already listed in %s", w.Date, prev)
				continue
			}
			worked[w.Date] = wf
			if h, clash := off[dateOf(d)]; clash {
				ps.add(wf+".date", "%s 既是假期（%s）又是调休上班日", "%s is both a holiday (%s) and a workday", w.Date, h)
				continue
			}
			if known {
				y.Workdays = append(y.Workdays, Workday{Date: w.Date, As: as, Name: w.Name})
			}
		}
		c.Years = append(c.Years, y)
	}
	slices.SortFunc(c.Years, func(a, b Year) int { return a.Year - b.Year })
}

// dateIn reads a YYYY-MM-DD date that must fall in year.
func dateIn(s string, year int, field string, ps *Problems) (int64, bool) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		ps.add(field, "%q 应为 2026-10-01 这样的日期", "%q must be a date such as 2026-10-01", s)
		return 0, false
	}
	if t.Year() != year {
		ps.add(field, "%s 不在 %d 年内", "%s is not in %d", s, year)
		return 0, false
	}
	return t.Unix() / 86400, true
}

func dateOf(dn int64) string {
	return time.Unix(dn*86400, 0).UTC().Format(time.DateOnly)
}
