package quality

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/academy/academy/internal/academy"
)

// Line is the figures of one agent, or of a whole site, over some weeks.
type Line struct {
	Tickets int
	IDs     []string          // the records counted, oldest week first
	Checks  map[string]*Count // by CheckKey
	Clocks  map[string]*Count // by clock name
	SatSum  int
	SatN    int
}

func (l *Line) add(t *Tally) {
	if l.Checks == nil {
		l.Checks, l.Clocks = map[string]*Count{}, map[string]*Count{}
	}
	l.Tickets += t.N
	l.SatSum += t.SatSum
	l.SatN += t.SatN
	for _, m := range []struct{ to, from map[string]*Count }{{l.Checks, t.Checks}, {l.Clocks, t.Clocks}} {
		for k, c := range m.from {
			if m.to[k] == nil {
				m.to[k] = &Count{}
			}
			m.to[k].Pass += c.Pass
			m.to[k].Fail += c.Fail
			m.to[k].NA += c.NA
		}
	}
}

// Merge adds another line's counts to l.
func (l *Line) Merge(o *Line) {
	l.add(&Tally{N: o.Tickets, Checks: o.Checks, Clocks: o.Clocks, SatSum: o.SatSum, SatN: o.SatN})
}

// Rate is a share in percent, with whether there was anything to share.
type Rate struct {
	Pct int
	Of  int
}

// Known reports whether the rate counts anything.
func (r Rate) Known() bool { return r.Of > 0 }

func rate(part, of int) Rate {
	if of == 0 {
		return Rate{}
	}
	return Rate{Pct: (part*100 + of/2) / of, Of: of}
}

// PassRate is the share of the line's tickets that passed check key.
func (l *Line) PassRate(key string) Rate {
	c := l.Checks[key]
	if c == nil {
		return Rate{}
	}
	return rate(c.Pass, c.Pass+c.Fail)
}

// AllChecks is the share of all checks on the line's tickets that passed.
func (l *Line) AllChecks() Rate {
	p, n := 0, 0
	for _, c := range l.Checks {
		p, n = p+c.Pass, n+c.Pass+c.Fail
	}
	return rate(p, n)
}

// BreachRate is the share of SLA clocks that ran over.
func (l *Line) BreachRate() Rate {
	f, n := 0, 0
	for _, c := range l.Clocks {
		f, n = f+c.Fail, n+c.Pass+c.Fail
	}
	return rate(f, n)
}

// Satisfaction is the average return-visit score in tenths (43 is 4.3),
// with how many visits it averages.
func (l *Line) Satisfaction() Rate {
	if l.SatN == 0 {
		return Rate{}
	}
	return Rate{Pct: (l.SatSum*10 + l.SatN/2) / l.SatN, Of: l.SatN}
}

// Failures is how often the line failed check key.
func (l *Line) Failures(key string) int {
	if c := l.Checks[key]; c != nil {
		return c.Fail
	}
	return 0
}

// CheckInfo names a check for the pages: its procedure and its labels.
type CheckInfo struct {
	Key       string
	Type      string
	TypeLabel string
	Check     academy.QualityCheck
}

// SiteFigures are one site's figures over a period.
type SiteFigures struct {
	Site  string
	Total Line
	// ByWeek is the site's line per week of the period, oldest first.
	ByWeek []Line
	// Agents are the lines of the agents who handled tickets in the
	// period, with AgentWeeks their lines per week.
	Agents     map[string]*Line
	AgentWeeks map[string][]Line
}

// AgentNames lists the agents of the site's figures, sorted.
func (f *SiteFigures) AgentNames() []string {
	out := make([]string, 0, len(f.Agents))
	for a := range f.Agents {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}

// Report is the quality figures of some sites over a period.
type Report struct {
	Weeks  []academy.Date // oldest first
	Sites  []*SiteFigures
	Checks []CheckInfo // those with counts, in procedure order
}

// MaxWeeks bounds a period: a year of weeks, one stored document each.
const MaxWeeks = 53

// Weeks are the n weeks that end with the one holding now, oldest
// first, in loc.
func Weeks(now time.Time, loc *time.Location, n int) []academy.Date {
	last := WeekOf(now, loc).Start(loc)
	out := make([]academy.Date, n)
	for i := range n {
		out[n-1-i] = academy.DateOf(last.AddDate(0, 0, -7*i), loc)
	}
	return out
}

// Figures reads the stored weekly counts of sites over weeks: one read
// by key per site and week, whatever the number of tickets.
func (s *Service) Figures(ctx context.Context, sites []string, weeks []academy.Date) (*Report, error) {
	if len(weeks) == 0 || len(weeks) > MaxWeeks {
		return nil, academy.Errorf(academy.EINVALID, "weeks: 统计周期为 1 到 %d 周 / the period is 1 to %d weeks", MaxWeeks, MaxWeeks)
	}
	rep := &Report{Weeks: weeks}
	keys := map[string]bool{}
	index := map[academy.Date]int{}
	for i, w := range weeks {
		index[w] = i
	}
	for _, site := range sites {
		ws, err := s.Store.FindWeeks(ctx, site, weeks)
		if err != nil {
			return nil, err
		}
		f := &SiteFigures{Site: site, ByWeek: make([]Line, len(weeks)), Agents: map[string]*Line{}, AgentWeeks: map[string][]Line{}}
		for _, w := range ws {
			i := index[w.Week]
			for agent, t := range w.Agents {
				if f.Agents[agent] == nil {
					f.Agents[agent], f.AgentWeeks[agent] = &Line{}, make([]Line, len(weeks))
				}
				f.Agents[agent].add(t)
				f.AgentWeeks[agent][i].add(t)
				f.Total.add(t)
				f.ByWeek[i].add(t)
				for k := range t.Checks {
					keys[k] = true
				}
			}
		}
		rep.Sites = append(rep.Sites, f)
	}
	var err error
	if rep.Checks, err = s.checkInfo(ctx, sites, keys); err != nil {
		return nil, err
	}
	return rep, nil
}

// appendChecks adds to out the checks of r that keep admits and that are
// not in seen yet, in the rules' order.
func appendChecks(out []CheckInfo, seen map[string]bool, r *academy.DeskRules, keep func(key string) bool) []CheckInfo {
	for _, p := range r.Procedures {
		for _, c := range p.Checks {
			k := CheckKey(p.Type, c.ID)
			if keep(k) && !seen[k] {
				seen[k] = true
				out = append(out, CheckInfo{Key: k, Type: p.Type, TypeLabel: p.Label, Check: c})
			}
		}
	}
	return out
}

// Checks lists the checks a remediation rule may name: those of the
// company's rules in force, then any the shipped rules add.
func (s *Service) Checks(ctx context.Context) ([]CheckInfo, error) {
	var out []CheckInfo
	seen := map[string]bool{}
	all := func(string) bool { return true }
	if s.Rules != nil {
		r, err := s.Rules.CurrentRules(ctx, "")
		if err != nil {
			return nil, err
		}
		out = appendChecks(out, seen, r, all)
	}
	return appendChecks(out, seen, academy.ShippedRules(), all), nil
}

// checkInfo names the checks with counts by the sites' current rules,
// then the shipped ones; a check that neither has any more (a company
// removed it) is still shown, by its procedure and id.
func (s *Service) checkInfo(ctx context.Context, sites []string, keys map[string]bool) ([]CheckInfo, error) {
	var out []CheckInfo
	seen := map[string]bool{}
	counted := func(k string) bool { return keys[k] }
	for _, site := range sites {
		if s.Rules == nil {
			break
		}
		r, err := s.Rules.CurrentRules(ctx, site)
		if err != nil {
			return nil, err
		}
		out = appendChecks(out, seen, r, counted)
	}
	out = appendChecks(out, seen, academy.ShippedRules(), counted)
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		if !seen[k] {
			typ, id, _ := strings.Cut(k, ":")
			label := typ
			if p := academy.ShippedRules().Procedure(typ); p != nil {
				label = p.Label
			}
			out = append(out, CheckInfo{Key: k, Type: typ, TypeLabel: label, Check: academy.QualityCheck{ID: id, Label: label + "：" + id}})
		}
	}
	return out, nil
}
