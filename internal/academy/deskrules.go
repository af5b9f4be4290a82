package academy

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"
)

// Department is a department of a property service centre.
type Department struct {
	ID   string `json:"id" yaml:"id"`
	Name string `json:"name" yaml:"label"`
}

// DeskRules are the rules a desk works by: its departments, the fields
// its actions ask for, and a procedure with service levels per ticket
// type. A company keeps one document of them, a site may keep its own;
// every save is a new revision, and a ticket works by the revision it
// was opened under to the end.
type DeskRules struct {
	// Rev is the revision ("" for the rules shipped with the program).
	Rev         string       `json:"rev" yaml:"-"`
	Departments []Department `json:"departments" yaml:"departments"`
	Fields      []FieldDef   `json:"fields" yaml:"fields"`
	Procedures  []Procedure  `json:"procedures" yaml:"procedures"`
}

//go:embed deskrules.yaml
var shippedDeskRules []byte

// ShippedDeskRulesYAML is the text of the rules shipped with the program,
// comments included: where a company's own copy starts.
func ShippedDeskRulesYAML() []byte { return bytes.Clone(shippedDeskRules) }

// ShippedRules are the rules shipped with the program, which tickets
// without a revision follow. A test keeps the embedded text valid.
var ShippedRules = sync.OnceValue(func() *DeskRules {
	r, problems := ParseDeskRules("", shippedDeskRules)
	if len(problems) > 0 {
		panic("shipped desk rules: " + strings.Join(problems, "; "))
	}
	return r
})

// DeskRulesSource finds the rules of a desk: the revision new tickets of
// a site open under, and any revision by id. Revisions never change, so
// a source may keep them in memory.
type DeskRulesSource interface {
	CurrentRules(ctx context.Context, site string) (*DeskRules, error)
	RulesRevision(ctx context.Context, rev string) (*DeskRules, error)
}

// Procedure returns the procedure of a ticket type, or nil.
func (r *DeskRules) Procedure(typ string) *Procedure {
	for i := range r.Procedures {
		if r.Procedures[i].Type == typ {
			return &r.Procedures[i]
		}
	}
	return nil
}

// Types lists the ticket types, in document order.
func (r *DeskRules) Types() []string {
	out := make([]string, len(r.Procedures))
	for i, p := range r.Procedures {
		out[i] = p.Type
	}
	return out
}

// DepartmentName returns the name of a department id ("" if none).
func (r *DeskRules) DepartmentName(id string) string {
	for _, d := range r.Departments {
		if d.ID == id {
			return d.Name
		}
	}
	return ""
}

// FieldLabel returns the label of a field name, for showing events
// ("department" -> "处理部门"); unknown names are returned as they are.
func (r *DeskRules) FieldLabel(name string) string {
	for _, f := range r.Fields {
		if f.Name == name {
			return f.Label
		}
	}
	return name
}

// Limits of a desk-rules document: far above what a desk uses, low
// enough that a pasted mistake cannot weigh on every ticket page.
const (
	MaxDeskRulesBytes = 256 << 10
	maxRulesItems     = 100
)

// Escalation targets of an overdue ticket.
const (
	EscalateManager = "manager" // the site's managers (项目主管)
	EscalateNone    = "none"
)

var (
	ruleIDRE   = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
	prefixRE   = regexp.MustCompile(`^[A-Z]{2}$`)
	fieldKinds = []string{FieldText, FieldDepartment, FieldPriority, FieldSatisfaction, FieldTime}
	// reservedActions are the actions every ticket has besides its
	// procedure's: a transition by one of these names could never run.
	reservedActions = []string{ActionNote, ActionMessage, ActionAssign, ActionCreate, ActionEscalate}
)

// ParseDeskRules reads a desk-rules document and checks it. Each problem
// is "中文 / English" and names the procedure, state, transition or field
// it is about; with problems, the rules are nil.
func ParseDeskRules(rev string, text []byte) (*DeskRules, []string) {
	if len(text) > MaxDeskRulesBytes {
		return nil, []string{fmt.Sprintf("规则文件最多 %d KB / The rules are at most %d KB.", MaxDeskRulesBytes>>10, MaxDeskRulesBytes>>10)}
	}
	var r DeskRules
	dec := yaml.NewDecoder(bytes.NewReader(text))
	dec.KnownFields(true)
	if err := dec.Decode(&r); err != nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		return nil, []string{"YAML 格式有误：" + msg + " / The YAML does not parse: " + msg}
	}
	r.Rev = rev
	if problems := r.check(); len(problems) > 0 {
		return nil, problems
	}
	return &r, nil
}

// check validates the rules and resolves each transition's field names
// to their definitions.
func (r *DeskRules) check() []string {
	var out []string
	add := func(zh, en string, args ...any) {
		out = append(out, fmt.Sprintf(zh+" / "+en, args...))
	}
	label := func(what, l string) {
		if !hasHan(l) {
			add("%s：缺少中文名称（label）", "%s: needs a Chinese label", what, what)
		}
	}
	ident := func(what, id string) bool {
		if !ruleIDRE.MatchString(id) {
			add("%s：编号 %q 须以小写字母开头，由小写字母、数字和“_”组成，最多 40 个", "%s: id %q must start with a lowercase letter and hold lowercase letters, digits and '_', at most 40",
				what, id, what, id)
			return false
		}
		return true
	}
	if len(r.Departments) == 0 || len(r.Procedures) == 0 {
		add("至少需要一个部门（departments）和一个流程（procedures）", "at least one department and one procedure are needed")
	}
	if len(r.Departments) > maxRulesItems || len(r.Fields) > maxRulesItems || len(r.Procedures) > maxRulesItems {
		add("部门、字段、流程各最多 %d 个", "at most %d departments, fields and procedures each", maxRulesItems, maxRulesItems)
		return out
	}
	seen := map[string]bool{}
	for i, d := range r.Departments {
		what := fmt.Sprintf("部门 %d（%s）", i+1, d.ID)
		if ident(what, d.ID) && seen[d.ID] {
			add("%s：编号重复", "%s: duplicate id", what, what)
		}
		seen[d.ID] = true
		label(what, d.Name)
	}
	fields := map[string]FieldDef{}
	for i, f := range r.Fields {
		what := fmt.Sprintf("字段 %d（%s）", i+1, f.Name)
		if ident(what, f.Name) {
			if _, dup := fields[f.Name]; dup {
				add("%s：名称重复", "%s: duplicate name", what, what)
			}
		}
		fields[f.Name] = f
		label(what, f.Label)
		if !slices.Contains(fieldKinds, f.Kind) {
			add("%s：类型 %q 不是 %s 之一", "%s: kind %q is not one of %s", what, f.Kind, strings.Join(fieldKinds, ", "), what, f.Kind, strings.Join(fieldKinds, ", "))
		}
		if (f.NotPast || f.FollowUp) && f.Kind != FieldTime {
			add("%s：not_past 和 follow_up 只用于时间字段（kind: time）", "%s: not_past and follow_up apply to time fields (kind: time) only", what, what)
		}
	}
	types := map[string]bool{}
	prefixes := map[string]string{}
	for i := range r.Procedures {
		p := &r.Procedures[i]
		what := fmt.Sprintf("流程“%s”（%s）", p.Label, p.Type)
		if ident(what, p.Type) && types[p.Type] {
			add("%s：工单类型重复", "%s: duplicate ticket type", what, what)
		}
		types[p.Type] = true
		label(what, p.Label)
		switch other, dup := prefixes[p.Prefix]; {
		case p.Prefix == "":
		case !prefixRE.MatchString(p.Prefix):
			add("%s：编号前缀（prefix）%q 须是两个大写字母，如 BX", "%s: the number prefix %q must be two capital letters, such as BX", what, p.Prefix, what, p.Prefix)
		case dup:
			add("%s：编号前缀 %s 已用于 %s", "%s: the number prefix %s is already used by %s", what, p.Prefix, other, what, p.Prefix, other)
		}
		prefixes[p.Prefix] = p.Type
		out = append(out, p.check(what, fields)...)
	}
	// Types a transition names, once every type is known.
	for _, p := range r.Procedures {
		for _, t := range p.Transitions {
			tw := fmt.Sprintf("流程“%s”（%s）的操作“%s”（%s）", p.Label, p.Type, t.Label, t.Action)
			if t.Opens != "" && !types[t.Opens] {
				add("%s：opens 里的工单类型 %q 不存在", "%s: opens names unknown ticket type %q", tw, t.Opens, tw, t.Opens)
			}
			if t.RequiresNoneOpen != "" && !types[t.RequiresNoneOpen] {
				add("%s：requires_none_open 里的工单类型 %q 不存在", "%s: requires_none_open names unknown ticket type %q", tw, t.RequiresNoneOpen, tw, t.RequiresNoneOpen)
			}
		}
	}
	return out
}

// check validates one procedure; what names it in messages.
func (p *Procedure) check(what string, fields map[string]FieldDef) []string {
	var out []string
	add := func(zh, en string, args ...any) {
		out = append(out, fmt.Sprintf(zh+" / "+en, args...))
	}
	if len(p.States) > maxRulesItems || len(p.Transitions) > maxRulesItems {
		add("%s：状态和操作各最多 %d 个", "%s: at most %d states and transitions each", what, maxRulesItems, what, maxRulesItems)
		return out
	}
	states := map[string]StateDef{}
	for _, s := range p.States {
		sw := fmt.Sprintf("%s的状态“%s”（%s）", what, s.Label, s.ID)
		if !ruleIDRE.MatchString(s.ID) {
			add("%s：编号须以小写字母开头，由小写字母、数字和“_”组成", "%s: the id must start with a lowercase letter and hold lowercase letters, digits and '_'", sw, sw)
		} else if _, dup := states[s.ID]; dup {
			add("%s：编号重复", "%s: duplicate id", sw, sw)
		}
		if !hasHan(s.Label) {
			add("%s：缺少中文名称（label）", "%s: needs a Chinese label", sw, sw)
		}
		if s.Hold && s.Terminal {
			add("%s：办结状态不能同时是挂起状态", "%s: a terminal state cannot also be a hold", sw, sw)
		}
		states[s.ID] = s
	}
	if _, ok := states[p.Initial]; !ok {
		add("%s：初始状态（initial）%q 不在 states 里", "%s: the initial state %q is not in states", what, p.Initial, what, p.Initial)
	}
	actions := map[string]bool{}
	for i := range p.Transitions {
		t := &p.Transitions[i]
		tw := fmt.Sprintf("%s的操作“%s”（%s）", what, t.Label, t.Action)
		switch {
		case !ruleIDRE.MatchString(t.Action):
			add("%s：编号须以小写字母开头，由小写字母、数字和“_”组成", "%s: the action must start with a lowercase letter and hold lowercase letters, digits and '_'", tw, tw)
		case slices.Contains(reservedActions, t.Action):
			add("%s：%q 是每张工单都有的操作，请换一个编号", "%s: %q is an action every ticket has; choose another id", tw, t.Action, tw, t.Action)
		case actions[t.Action]:
			add("%s：编号重复", "%s: duplicate action", tw, tw)
		}
		actions[t.Action] = true
		if !hasHan(t.Label) {
			add("%s：缺少中文名称（label）", "%s: needs a Chinese label", tw, tw)
		}
		if len(t.From) == 0 {
			add("%s：from 至少列出一个状态", "%s: from must list at least one state", tw, tw)
		}
		for _, f := range t.From {
			s, ok := states[f]
			switch {
			case !ok:
				add("%s：from 里的状态 %q 不存在", "%s: from names unknown state %q", tw, f, tw, f)
			case s.Terminal:
				add("%s：状态“%s”已办结，不能再有操作", "%s: state %q is terminal and cannot have exits", tw, s.Label, tw, f)
			case t.To == "@prev" && !s.Hold:
				add("%s：“@prev”只能从挂起状态回去，而“%s”不是挂起状态", "%s: \"@prev\" returns from a hold state, and %q is not one", tw, s.Label, tw, f)
			}
		}
		if _, ok := states[t.To]; !ok && t.To != "" && t.To != "@prev" {
			add("%s：to 里的状态 %q 不存在", "%s: to names unknown state %q", tw, t.To, tw, t.To)
		}
		if t.Resolves && t.Reopens {
			add("%s：不能既是处理完成又是重新打开", "%s: cannot both resolve and reopen", tw, tw)
		}
		t.Fields = nil
		for _, name := range t.FieldNames {
			f, ok := fields[name]
			if !ok {
				add("%s：字段 %q 没有在 fields 里定义", "%s: field %q is not defined in fields", tw, name, tw, name)
				continue
			}
			if slices.ContainsFunc(t.Fields, func(d FieldDef) bool { return d.Name == name }) {
				add("%s：字段 %q 重复", "%s: field %q is listed twice", tw, name, tw, name)
			}
			t.Fields = append(t.Fields, f)
		}
	}
	// Reachability: every state can be reached from the initial one;
	// "@prev" leads back to states already reached.
	reached := map[string]bool{p.Initial: true}
	for grew := true; grew; {
		grew = false
		for _, t := range p.Transitions {
			if t.To == "" || t.To == "@prev" || reached[t.To] || !slices.ContainsFunc(t.From, func(f string) bool { return reached[f] }) {
				continue
			}
			reached[t.To], grew = true, true
		}
	}
	ends := false
	for _, s := range p.States {
		if _, known := states[p.Initial]; known && !reached[s.ID] {
			add("%s：状态“%s”（%s）从初始状态无法到达", "%s: state %q cannot be reached from the initial state", what, s.Label, s.ID, what, s.ID)
		}
		ends = ends || s.Terminal
	}
	if !ends {
		add("%s：至少需要一个办结状态（terminal: true）", "%s: needs at least one terminal state", what, what)
	}
	switch p.EscalateTo {
	case EscalateManager, EscalateNone:
	default:
		add("%s：escalate_to 是 manager（升级给项目主管）或 none（不升级），不是 %q", "%s: escalate_to is manager or none, not %q", what, p.EscalateTo, what, p.EscalateTo)
	}
	for _, pr := range Priorities {
		pol, ok := p.SLA[pr]
		pw := fmt.Sprintf("%s的“%s”优先级时限（sla.%s）", what, PriorityName(pr), pr)
		switch {
		case !ok:
			add("%s：缺少", "%s: missing", pw, pw)
		case pol.FirstResponse <= 0 || pol.Resolution <= 0:
			add("%s：first_response 和 resolution 都要大于 0（如 30m、4h）", "%s: first_response and resolution must both be above zero (such as 30m, 4h)", pw, pw)
		case pol.Resolution < pol.FirstResponse:
			add("%s：处理时限不能短于首次响应时限", "%s: resolution cannot be shorter than first_response", pw, pw)
		case pol.Resolution > 366*24*time.Hour:
			add("%s：处理时限最长一年（8784h）", "%s: resolution is at most a year (8784h)", pw, pw)
		}
	}
	for _, pr := range slices.Sorted(maps.Keys(p.SLA)) {
		if !slices.Contains(Priorities, pr) {
			add("%s：sla 里的 %q 不是优先级（%s）", "%s: sla names %q, which is not a priority (%s)", what, pr, strings.Join(Priorities, ", "), what, pr, strings.Join(Priorities, ", "))
		}
	}
	return append(out, p.checkQuality(what, fields)...)
}
