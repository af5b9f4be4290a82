package content

import (
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// kind is the type a YAML field must have.
type kind int

const (
	kString kind = iota
	kInt
	kStringList
	kFloat
	kBool
	kDuration // "20m", "1h30m", or 0
	kNode     // any YAML; the caller decodes it
)

type field struct {
	name     string
	kind     kind
	required bool
}

// fields reads a YAML mapping against a list of fields, reporting missing,
// unknown and mistyped fields at their own lines, and returns the values
// that were well-formed (string, int or []string).
func fields(doc *yaml.Node, spec []field, report func(line int, format string, args ...any)) map[string]any {
	out := map[string]any{}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}
	if doc.Kind != yaml.MappingNode {
		report(doc.Line, "应为“名称: 值”形式的字段 / expected a mapping of fields (name: value)")
		return out
	}
	known := map[string]field{}
	for _, f := range spec {
		known[f.name] = f
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		k, v := doc.Content[i], doc.Content[i+1]
		f, ok := known[k.Value]
		if !ok {
			report(k.Line, "%s: 未知字段（可用：%s） / unknown field (known: %s)", k.Value, names(spec), names(spec))
			continue
		}
		if seen[k.Value] {
			report(k.Line, "%s: 写了两次 / given twice", k.Value)
			continue
		}
		seen[k.Value] = true
		switch f.kind {
		case kString:
			if v.Kind != yaml.ScalarNode || v.Tag == "!!null" || v.Tag == "!!map" || v.Tag == "!!seq" {
				report(v.Line, "%s: 须为文字 / must be text", f.name)
				continue
			}
			out[f.name] = v.Value
		case kInt:
			n, err := strconv.Atoi(v.Value)
			if v.Kind != yaml.ScalarNode || v.Tag != "!!int" || err != nil {
				report(v.Line, "%s: 须为整数，不能是 %q / must be a whole number, not %q", f.name, v.Value, v.Value)
				continue
			}
			out[f.name] = n
		case kFloat:
			n, err := strconv.ParseFloat(v.Value, 64)
			if v.Kind != yaml.ScalarNode || (v.Tag != "!!int" && v.Tag != "!!float") || err != nil {
				report(v.Line, "%s: 须为数字，不能是 %q / must be a number, not %q", f.name, v.Value, v.Value)
				continue
			}
			out[f.name] = n
		case kBool:
			if v.Kind != yaml.ScalarNode || v.Tag != "!!bool" {
				report(v.Line, "%s: 须为 true 或 false，不能是 %q / must be true or false, not %q", f.name, v.Value, v.Value)
				continue
			}
			out[f.name] = v.Value == "true"
		case kDuration:
			d, err := time.ParseDuration(v.Value)
			if v.Value == "0" {
				d, err = 0, nil
			}
			if v.Kind != yaml.ScalarNode || err != nil {
				report(v.Line, "%s: 须为 20m、1h30m 这样的时长，不能是 %q / must be a duration like 20m or 1h30m, not %q", f.name, v.Value, v.Value)
				continue
			}
			out[f.name] = d
		case kNode:
			out[f.name] = v
		case kStringList:
			if v.Kind != yaml.SequenceNode {
				report(v.Line, "%s: 须为列表，例如 [a, b] / must be a list, e.g. [a, b]", f.name)
				continue
			}
			var list []string
			for _, item := range v.Content {
				if item.Kind != yaml.ScalarNode || item.Tag == "!!null" {
					report(item.Line, "%s: 每一项都须为文字 / every item must be text", f.name)
					continue
				}
				list = append(list, item.Value)
			}
			out[f.name] = list
		}
	}
	for _, f := range spec {
		if f.required && !seen[f.name] {
			report(doc.Line, "%s: 缺少必填字段 / required field is missing", f.name)
		}
	}
	return out
}

// keyLines maps each key of a mapping node to its line, so that a domain
// validation message ("answer: …") can be reported where the field is.
func keyLines(m *yaml.Node) map[string]int {
	lines := map[string]int{}
	if m == nil || m.Kind != yaml.MappingNode {
		return lines
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		lines[m.Content[i].Value] = m.Content[i].Line
	}
	return lines
}

func names(spec []field) string {
	var n []string
	for _, f := range spec {
		n = append(n, f.name)
	}
	return strings.Join(n, ", ")
}

// parseYAML parses src, reporting a syntax error at its line.
func parseYAML(src []byte, report func(line int, format string, args ...any)) *yaml.Node {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		line := 1
		msg := err.Error()
		// yaml.v3 says "yaml: line N: ..." for syntax errors.
		if rest, ok := strings.CutPrefix(msg, "yaml: line "); ok {
			if n, tail, ok := strings.Cut(rest, ":"); ok {
				if v, err := strconv.Atoi(n); err == nil {
					line, msg = v, strings.TrimSpace(tail)
				}
			}
		}
		report(line, "YAML 格式有误：%s / YAML: %s", msg, msg)
		return nil
	}
	if doc.Kind == 0 {
		report(1, "文件是空的 / empty file")
		return nil
	}
	return &doc
}

func str(v map[string]any, k string) string {
	s, _ := v[k].(string)
	return s
}

func num(v map[string]any, k string) int {
	n, _ := v[k].(int)
	return n
}

func list(v map[string]any, k string) []string {
	l, _ := v[k].([]string)
	return l
}
