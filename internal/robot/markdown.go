package robot

import (
	"strings"
	"unicode/utf8"
)

// The callers write a small common markdown: "#" headings, **bold**,
// [text](url) links and "- " or "* " bullets. Each platform renders its own
// dialect of it; render turns the common form into the platform's.
//
//   - 企业微信 (群机器人配置说明, markdown 类型): headings, bold, links, quotes,
//     no lists: a bullet becomes "• ".
//   - 钉钉 (自定义机器人发送群消息, markdown 类型): headings, bold, links and
//     "- " lists, all as written.
//   - 飞书 (自定义机器人使用指南, 卡片 markdown 组件): bold, links and "- "
//     lists, no headings: a heading becomes a bold line.
//
// Mention syntax ("<@userid>" in 企业微信, "<at id=all></at>" in 飞书) would
// let a name typed by a user ping a whole group; "<" is shown as "＜", which
// reads the same and mentions nobody.
func render(k Kind, md string) string {
	md = strings.ReplaceAll(strings.ReplaceAll(md, "\r\n", "\n"), "<", "＜")
	lines := strings.Split(md, "\n")
	for i, line := range lines {
		trimmed := strings.TrimLeft(line, " ")
		indent := line[:len(line)-len(trimmed)]
		if item, ok := bullet(trimmed); ok {
			switch k {
			case WeCom:
				lines[i] = indent + "• " + item
			default:
				lines[i] = indent + "- " + item
			}
			continue
		}
		if text, ok := heading(trimmed); ok && k == Feishu {
			lines[i] = "**" + text + "**"
		}
	}
	return strings.Join(lines, "\n")
}

func bullet(line string) (string, bool) {
	for _, p := range []string{"- ", "* "} {
		if item, ok := strings.CutPrefix(line, p); ok {
			return item, true
		}
	}
	return "", false
}

func heading(line string) (string, bool) {
	text := strings.TrimLeft(line, "#")
	if n := len(line) - len(text); n == 0 || n > 6 || !strings.HasPrefix(text, " ") {
		return "", false
	}
	return strings.TrimSpace(text), true
}

// ellipsis ends a text cut to fit a platform's limit, so readers see that
// something is missing (the link to the app has it all).
const ellipsis = "…"

// truncate cuts s to at most limit bytes on a rune boundary, ending in "…"
// when it cut.
func truncate(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	cut := limit - len(ellipsis)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:max(cut, 0)] + ellipsis
}

// truncateJSON cuts s so that its JSON string encoding (escapes counted)
// takes at most limit bytes: 飞书 limits the whole request body, and a
// quote or a line break takes two bytes there.
func truncateJSON(s string, limit int) string {
	size, cut := 0, 0
	for i, r := range s {
		n := jsonSize(r)
		if size+n > limit-len(ellipsis) && cut == 0 {
			cut = i // the last place where "…" still fits
		}
		if size += n; size > limit {
			return s[:cut] + ellipsis
		}
	}
	return s
}

// jsonSize is how many bytes encoding/json writes for r in a string.
func jsonSize(r rune) int {
	switch {
	case r == '"' || r == '\\' || r == '\n' || r == '\r' || r == '\t':
		return 2
	case r < 0x20 || r == '\u2028' || r == '\u2029' || r == utf8.RuneError:
		return 6
	}
	return utf8.RuneLen(r)
}
