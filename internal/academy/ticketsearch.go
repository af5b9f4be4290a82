package academy

import (
	"slices"
	"strings"
)

// The desk's search box finds tickets by number, flat, resident name and
// phone. Every ticket has a search key: a few tokens naming its number and,
// by id, its flat and resident. What was typed is resolved against the
// site's directory in memory into the tokens it stands for, so a store
// finds tickets by exact tokens (an index lookup on any store) instead of
// matching text against every ticket. Names, labels and phone numbers stay
// in the directory alone: a renamed resident or relabelled flat is found
// by the new name without rewriting any key, and no phone digit is ever
// part of a key, so which searches may name a resident by phone is decided
// by the masking rules in residentsByPhone only.

// Kinds of search-key token.
const (
	keyNumber   = "n:"
	keyUnit     = "u:"
	keyResident = "r:"
)

// SearchKey returns the ticket's search key.
func (t *Ticket) SearchKey() []string { return searchKey(t.Number, t.Unit, t.Resident) }

// SearchKey returns the search key of the ticket s summarises.
func (s *TicketSummary) SearchKey() []string { return searchKey(s.Number, s.Unit, s.Resident) }

// searchKey: the number with and without its type prefix ("ZX-01999" is
// "n:ZX-1999" and "n:1999", for those who type only the digits), the
// flat and the resident.
func searchKey(number, unit, resident string) []string {
	var key []string
	if prefix, seq, ok := parseNumber(number); ok {
		key = append(key, keyNumber+seq)
		if prefix != "" {
			key = append(key, keyNumber+prefix+"-"+seq)
		}
	}
	if unit != "" {
		key = append(key, keyUnit+unit)
	}
	if resident != "" {
		key = append(key, keyResident+resident)
	}
	return key
}

// parseNumber reads a ticket number as people type it: "ZX-01999",
// "zx 1999", "zx01999" or just "1999"; seq is the digits without leading
// zeros, so that any of them names the same ticket.
func parseNumber(s string) (prefix, seq string, ok bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	i := strings.IndexFunc(s, func(r rune) bool { return r < 'A' || r > 'Z' })
	if i < 0 {
		return "", "", false
	}
	prefix, digits := s[:i], strings.TrimLeft(s[i:], "- ")
	if prefix == "" && len(digits) != len(s) || digits == "" || phoneDigits(digits) != digits {
		return "", "", false
	}
	if seq = strings.TrimLeft(digits, "0"); seq == "" {
		seq = "0"
	}
	return prefix, seq, true
}

// SearchKeys resolves what was typed in the search box into the tokens
// of the tickets it finds: a ticket is found when its key holds one of
// them. It finds a ticket by its number, flats by label or id (and the
// tickets of their residents), residents by a part of their name, and by
// phone only as residentsByPhone allows.
func SearchKeys(dir *Directory, q string) []string {
	keys, _, _ := searchKeys(dir, q)
	return keys
}

// searchKeys is SearchKeys, also telling whether q searched by phone
// and how the audit log records that search.
func searchKeys(dir *Directory, q string) (keys []string, phoneDetail string, byPhone bool) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, "", false
	}
	if prefix, seq, ok := parseNumber(q); ok {
		if prefix != "" {
			seq = prefix + "-" + seq
		}
		keys = append(keys, keyNumber+seq)
	}
	residents := residentsNamed(dir, q)
	ids, phoneDetail, byPhone := residentsByPhone(dir, q)
	residents = append(residents, ids...)
	units := unitsMatching(dir, q)
	residents = append(residents, residentsOfUnits(dir, units)...)
	for _, u := range units {
		keys = append(keys, keyUnit+u)
	}
	for _, r := range residents {
		if k := keyResident + r; !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys, phoneDetail, byPhone
}

// Selects reports whether the filter's type, state, assignee and search
// select the ticket s summarises. Whether it is open is for the caller,
// which keeps open tickets apart.
func (f *TicketFilter) Selects(s *TicketSummary) bool {
	return f.selects(s.Type, s.State, s.Assignee, s.SearchKey())
}

func (f *TicketFilter) selects(typ, state, assignee string, key []string) bool {
	switch {
	case f.Type != "" && typ != f.Type,
		f.State != "" && state != f.State,
		f.Assignee == "-" && assignee != "",
		f.Assignee != "" && f.Assignee != "-" && assignee != f.Assignee:
		return false
	}
	return f.Query == "" || slices.ContainsFunc(key, func(k string) bool { return slices.Contains(f.Keys, k) })
}
