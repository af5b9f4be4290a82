// Package deskrules keeps each company's desk rules (departments,
// procedures, SLA policies) as revisions: every save is a new, immutable
// revision with who and when, a site may keep its own, and any revision
// can be restored. Tickets name the revision they opened under and are
// served it from memory.
package deskrules

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/pmezard/go-difflib/difflib"

	"github.com/academy/academy/internal/academy"
)

// Company is the scope of the company's own rules; a site's scope is its
// id.
const Company = ""

// Revision is one saved version of a scope's rules.
type Revision struct {
	ID    string `json:"rev" bson:"_id"`
	Scope string `json:"scope" bson:"scope"` // Company or a site id
	Seq   int    `json:"seq" bson:"seq"`
	YAML  string `json:"yaml,omitempty" bson:"yaml"`
	// Author is who saved it, At when.
	Author string    `json:"author" bson:"author"`
	At     time.Time `json:"at" bson:"at"`
	// Restored names the revision this one brought back, if any.
	Restored string `json:"restored,omitempty" bson:"restored,omitempty"`
}

// RevisionID names revision seq of scope: "c3" for the company's third,
// "s_<site>_2" for a site's second: ids that travel in a URL path
// and name one scope (site ids hold no "_").
func RevisionID(scope string, seq int) string {
	if scope == Company {
		return fmt.Sprintf("c%d", seq)
	}
	return fmt.Sprintf("s_%s_%d", scope, seq)
}

// Store keeps revisions and, per scope, the one in force (its head).
type Store interface {
	// Head returns the revision in force for scope, "" and 0 if none.
	Head(ctx context.Context, scope string) (rev string, seq int, err error)
	// Publish inserts r and makes it the head of its scope if the head is
	// still at seq r.Seq-1; ECONFLICT if someone saved meanwhile.
	Publish(ctx context.Context, r *Revision) error
	FindRevision(ctx context.Context, id string) (*Revision, error)
	// ListRevisions lists a scope's revisions, newest first, without
	// their text.
	ListRevisions(ctx context.Context, scope string) ([]*Revision, error)
}

// Service saves and serves desk rules.
type Service struct {
	Store Store
	Now   func() time.Time
	// Sites checks that a scope names a site.
	Sites academy.SiteService

	mu     sync.Mutex
	parsed map[string]*academy.DeskRules // by revision id; revisions never change
}

var _ academy.DeskRulesSource = (*Service)(nil)

// CurrentRules are the rules new tickets of site open under: the site's
// own, else the company's, else the shipped.
func (s *Service) CurrentRules(ctx context.Context, site string) (*academy.DeskRules, error) {
	scopes := []string{Company}
	if site != Company {
		scopes = []string{site, Company}
	}
	for _, scope := range scopes {
		rev, _, err := s.Store.Head(ctx, scope)
		if err != nil {
			return nil, err
		}
		if rev != "" {
			return s.RulesRevision(ctx, rev)
		}
	}
	return academy.ShippedRules(), nil
}

// RulesRevision returns the rules of revision rev ("" for the shipped).
func (s *Service) RulesRevision(ctx context.Context, rev string) (*academy.DeskRules, error) {
	if rev == "" {
		return academy.ShippedRules(), nil
	}
	s.mu.Lock()
	r := s.parsed[rev]
	s.mu.Unlock()
	if r != nil {
		return r, nil
	}
	doc, err := s.Store.FindRevision(ctx, rev)
	if err != nil {
		return nil, err
	}
	r, problems := academy.ParseDeskRules(rev, []byte(doc.YAML))
	if len(problems) > 0 {
		// Saved revisions were checked; only a newer program with
		// stricter rules finds fault with one.
		zh, en := academy.JoinMessages(problems)
		return nil, academy.Errorf(academy.EINVALID, "工单规则 %s 有误：%s / desk rules %s: %s", rev, zh, rev, en)
	}
	s.mu.Lock()
	if s.parsed == nil {
		s.parsed = map[string]*academy.DeskRules{}
	}
	s.parsed[rev] = r
	s.mu.Unlock()
	return r, nil
}

// Label is the Chinese label that the rules in force anywhere give a
// ticket type (state and action ""), a state, an action or a field
// (typ ""), "" if none does: the name of something a company added,
// which no translation catalog knows.
func (s *Service) Label(typ, state, action, field string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.parsed {
		if field != "" {
			if l := r.FieldLabel(field); l != field {
				return l
			}
			continue
		}
		p := r.Procedure(typ)
		switch {
		case p == nil:
		case state != "":
			if st := p.State(state); st.Label != state {
				return st.Label
			}
		case action != "":
			if t := p.Transition(action); t != nil {
				return t.Label
			}
		default:
			return p.Label
		}
	}
	return ""
}

// Current returns the revision in force for scope; for a scope without
// one, a revision with no id holding the text it inherits (the company's
// or the shipped).
func (s *Service) Current(ctx context.Context, scope string) (*Revision, error) {
	rev, _, err := s.Store.Head(ctx, scope)
	if err != nil {
		return nil, err
	}
	if rev != "" {
		return s.Store.FindRevision(ctx, rev)
	}
	if scope != Company {
		inherited, err := s.Current(ctx, Company)
		if err != nil {
			return nil, err
		}
		return &Revision{Scope: scope, YAML: inherited.YAML}, nil
	}
	return &Revision{Scope: scope, YAML: string(academy.ShippedDeskRulesYAML())}, nil
}

// CheckScope refuses a scope that is neither the company nor a site.
func (s *Service) CheckScope(ctx context.Context, scope string) error {
	if scope == Company {
		return nil
	}
	if err := academy.CheckIdent(academy.IdentSite, "site", scope); err != nil {
		return err
	}
	_, err := s.Sites.FindSite(ctx, scope)
	return err
}

// Problems is a refused save: the rules' problems, each "中文 / English".
type Problems []string

func (p Problems) Error() string { return strings.Join(p, "; ") }

// Save checks text and makes it the scope's new revision, if the scope
// is still at revision base (what the editor started from: "" when it
// had none). A refused text saves nothing; its problems come back as
// Problems.
func (s *Service) Save(ctx context.Context, scope, base, text, author string) (*Revision, error) {
	if err := s.CheckScope(ctx, scope); err != nil {
		return nil, err
	}
	if _, problems := academy.ParseDeskRules("", []byte(text)); len(problems) > 0 {
		return nil, Problems(problems)
	}
	return s.publish(ctx, scope, base, text, author, "")
}

// Restore makes an earlier revision of scope the new one.
func (s *Service) Restore(ctx context.Context, scope, rev, author string) (*Revision, error) {
	if err := s.CheckScope(ctx, scope); err != nil {
		return nil, err
	}
	old, err := s.Store.FindRevision(ctx, rev)
	if err != nil {
		return nil, err
	}
	if old.Scope != scope {
		return nil, academy.Errorf(academy.ENOTFOUND, "%q 不是这套规则的版本 / revision %q is not one of these rules", rev, rev)
	}
	head, _, err := s.Store.Head(ctx, scope)
	if err != nil {
		return nil, err
	}
	if head == rev {
		return nil, academy.Errorf(academy.ECONFLICT, "这个版本已经在使用中 / This revision is already in force.")
	}
	return s.publish(ctx, scope, head, old.YAML, author, rev)
}

func (s *Service) publish(ctx context.Context, scope, base, text, author, restored string) (*Revision, error) {
	head, seq, err := s.Store.Head(ctx, scope)
	if err != nil {
		return nil, err
	}
	if head != base {
		return nil, stale()
	}
	r := &Revision{ID: RevisionID(scope, seq+1), Scope: scope, Seq: seq + 1, YAML: text, Author: author, At: s.Now().UTC(), Restored: restored}
	if err := s.Store.Publish(ctx, r); err != nil {
		if academy.ErrorCode(err) == academy.ECONFLICT {
			return nil, stale()
		}
		return nil, err
	}
	return r, nil
}

func stale() error {
	return academy.Errorf(academy.ECONFLICT, "规则在您编辑期间已被他人保存，请重新打开后再改 / Someone saved these rules while you were editing; reopen them and make your change again.")
}

// History lists a scope's revisions, newest first.
func (s *Service) History(ctx context.Context, scope string) ([]*Revision, error) {
	return s.Store.ListRevisions(ctx, scope)
}

// DiffLine is a line of a unified diff, its +/- mark kept in Text so
// that it reads without colour: Kind is "add", "del", "hunk" (a header)
// or "ctx".
type DiffLine struct {
	Kind string `json:"kind"`
	Text string `json:"text"`
}

// Diff is the change from text a to text b, a few lines of context
// around each change; nil when they are the same.
func Diff(a, b string) []DiffLine {
	text, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{A: lines(a), B: lines(b), Context: 2})
	if err != nil {
		// The diff writes to memory only.
		return []DiffLine{{Kind: "hunk", Text: err.Error()}}
	}
	var out []DiffLine
	for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		kind := "ctx"
		switch {
		case line == "", strings.HasPrefix(line, "---"), strings.HasPrefix(line, "+++"):
			continue
		case strings.HasPrefix(line, "@@"):
			kind = "hunk"
		case strings.HasPrefix(line, "+"):
			kind = "add"
		case strings.HasPrefix(line, "-"):
			kind = "del"
		}
		out = append(out, DiffLine{Kind: kind, Text: line})
	}
	return out
}

// lines splits text into lines that keep their "\n". difflib.SplitLines
// adds an empty last line to a text that ends in one, which showed in
// every diff as a blank line of context.
func lines(text string) []string {
	out := strings.SplitAfter(text, "\n")
	if out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}
