package academy

import (
	"fmt"
	"regexp"
	"slices"
)

// Kinds of a procedure's quality check (质检项): the conduct its live
// tickets are held to, in the terms practice is graded in.
const (
	QualityOrder  = "order"  // Actions happened in this order
	QualityAbsent = "absent" // Action never happened
	QualityFields = "fields" // Fields were recorded (by Action, if named)
	QualitySLA    = "sla"    // the ticket's Clock met its time limit
)

// SLA clocks a quality check can name.
const (
	ClockFirstResponse = "first_response"
	ClockResolution    = "resolution"
)

// maxQualityChecks bounds a procedure's checks: each is counted per
// agent and week, so the list is what a quality page shows.
const maxQualityChecks = 20

// QualityCheck is one check a procedure's closed live tickets are held
// to. The quality team reads its label; Practice names the scenario
// checks ("scenario/check-id") that grade the same conduct in practice,
// and so the scenario and lesson that teach it.
type QualityCheck struct {
	ID       string   `json:"id" yaml:"id"`
	Label    string   `json:"label" yaml:"label"`
	LabelEN  string   `json:"label_en,omitempty" yaml:"label_en,omitempty"`
	Kind     string   `json:"kind" yaml:"kind"`
	Actions  []string `json:"actions,omitempty" yaml:"actions,omitempty,flow"`
	Action   string   `json:"action,omitempty" yaml:"action,omitempty"`
	Fields   []string `json:"fields,omitempty" yaml:"fields,omitempty,flow"`
	Clock    string   `json:"clock,omitempty" yaml:"clock,omitempty"`
	Practice []string `json:"practice,omitempty" yaml:"practice,omitempty,flow"`
	// Ends limits the check to tickets that ended in one of these
	// terminal states: a move-out refused for unpaid fees never gets a
	// release pass, and holding it to the pass's order would count a
	// right refusal as a failure. Empty: every closed ticket.
	Ends []string `json:"ends,omitempty" yaml:"ends,omitempty,flow"`
}

// AppliesTo says whether the check holds a ticket that ended in state.
func (c QualityCheck) AppliesTo(state string) bool {
	return len(c.Ends) == 0 || slices.Contains(c.Ends, state)
}

// Name is the check's label in lang ("en" or Chinese).
func (c QualityCheck) Name(lang string) string {
	if lang == "en" && c.LabelEN != "" {
		return c.LabelEN
	}
	return c.Label
}

var practiceRefRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,63}/[a-z0-9][a-z0-9_-]{0,63}$`)

// checkQuality validates the procedure's quality checks; what names the
// procedure and fields are the rules' field definitions.
func (p *Procedure) checkQuality(what string, fields map[string]FieldDef) []string {
	var out []string
	add := func(zh, en string, args ...any) {
		out = append(out, fmt.Sprintf(zh+" / "+en, args...))
	}
	if len(p.Checks) > maxQualityChecks {
		add("%s：质检项最多 %d 个", "%s: at most %d checks", what, maxQualityChecks, what, maxQualityChecks)
		return out
	}
	action := func(a string) bool { return a == ActionCreate || p.Transition(a) != nil }
	seen := map[string]bool{}
	for _, c := range p.Checks {
		cw := fmt.Sprintf("%s的质检项“%s”（%s）", what, c.Label, c.ID)
		switch {
		case !ruleIDRE.MatchString(c.ID):
			add("%s：编号须以小写字母开头，由小写字母、数字和“_”组成", "%s: the id must start with a lowercase letter and hold lowercase letters, digits and '_'", cw, cw)
		case seen[c.ID]:
			add("%s：编号重复", "%s: duplicate id", cw, cw)
		}
		seen[c.ID] = true
		if !hasHan(c.Label) {
			add("%s：缺少中文名称（label）", "%s: needs a Chinese label", cw, cw)
		}
		switch c.Kind {
		case QualityOrder:
			if len(c.Actions) < 2 {
				add("%s：actions 至少按顺序列出两个操作", "%s: actions must list at least two actions in order", cw, cw)
			}
			for _, a := range c.Actions {
				if !action(a) {
					add("%s：actions 里的 %q 不是这个流程的操作", "%s: actions names %q, which is not an action of the procedure", cw, a, cw, a)
				}
			}
		case QualityAbsent:
			if !action(c.Action) {
				add("%s：action %q 不是这个流程的操作", "%s: action %q is not an action of the procedure", cw, c.Action, cw, c.Action)
			}
		case QualityFields:
			if len(c.Fields) == 0 {
				add("%s：fields 至少列出一个字段", "%s: fields must list at least one field", cw, cw)
			}
			for _, f := range c.Fields {
				if _, ok := fields[f]; !ok {
					add("%s：字段 %q 没有在 fields 里定义", "%s: field %q is not defined in fields", cw, f, cw, f)
				}
			}
			if c.Action != "" && !action(c.Action) {
				add("%s：action %q 不是这个流程的操作", "%s: action %q is not an action of the procedure", cw, c.Action, cw, c.Action)
			}
		case QualitySLA:
			if c.Clock != ClockFirstResponse && c.Clock != ClockResolution {
				add("%s：clock 是 first_response（首次响应）或 resolution（处理完成），不是 %q", "%s: clock is first_response or resolution, not %q", cw, c.Clock, cw, c.Clock)
			}
		default:
			add("%s：kind 是 order、absent、fields 或 sla，不是 %q", "%s: kind is order, absent, fields or sla, not %q", cw, c.Kind, cw, c.Kind)
		}
		for _, st := range c.Ends {
			if !p.State(st).Terminal || !slices.ContainsFunc(p.States, func(d StateDef) bool { return d.ID == st }) {
				add("%s：ends 里的 %q 不是这个流程的办结状态", "%s: ends names %q, which is not a terminal state of the procedure", cw, st, cw, st)
			}
		}
		for _, ref := range c.Practice {
			if !practiceRefRE.MatchString(ref) {
				add("%s：practice 里的 %q 应写成“情景演练/检查编号”，如 water-leak/visit-before-close", "%s: practice names %q; write scenario/check-id, such as water-leak/visit-before-close", cw, ref, cw, ref)
			}
		}
	}
	return out
}

// QualityCheck returns the procedure's check with id, or nil.
func (p *Procedure) QualityCheck(id string) *QualityCheck {
	for i := range p.Checks {
		if p.Checks[i].ID == id {
			return &p.Checks[i]
		}
	}
	return nil
}
