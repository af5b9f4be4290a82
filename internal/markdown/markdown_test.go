package markdown

import (
	"bytes"
	"html"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

const base = "/courses/etiquette"

func render(t testing.TB, src, base string) *Doc {
	t.Helper()
	d, err := New().Render([]byte(src), Options{Base: base})
	if err != nil {
		t.Fatalf("Render(%q): %v", src, err)
	}
	return d
}

var (
	tagRe       = regexp.MustCompile(`<[^>]*>`)
	quotedRe    = regexp.MustCompile(`"[^"]*"`)
	eventAttrRe = regexp.MustCompile(`<[^>]*\son[a-z]+\s*=`)
	urlAttrRe   = regexp.MustCompile(`\s(?:href|src)="([^"]*)"`)
)

// unsafeReason returns why out is not safe to serve, or "". Only markup
// counts: "javascript:" or "onerror=" written as text in a paragraph or an
// alt attribute is harmless and is escaped by goldmark.
func unsafeReason(out string) string {
	if strings.Contains(strings.ToLower(out), "<script") {
		return "contains <script"
	}
	for _, tag := range tagRe.FindAllString(out, -1) {
		// goldmark always double-quotes attribute values and escapes quotes
		// inside them, so blanking quoted values leaves names only.
		if eventAttrRe.MatchString(quotedRe.ReplaceAllString(tag, `""`)) {
			return "event handler attribute in " + tag
		}
		for _, m := range urlAttrRe.FindAllStringSubmatch(tag, -1) {
			// Browsers ignore whitespace and control characters in a scheme.
			u := strings.Map(func(r rune) rune {
				if r <= ' ' {
					return -1
				}
				return r
			}, html.UnescapeString(m[1]))
			u = strings.ToLower(u)
			if strings.HasPrefix(u, "javascript:") || strings.HasPrefix(u, "vbscript:") || strings.HasPrefix(u, "data:text") {
				return "script URL in " + tag
			}
		}
	}
	return ""
}

func TestRawHTMLAndScriptURLs(t *testing.T) {
	tests := []struct {
		name, src string
		// asText: the payload may survive as escaped text (a link label, an
		// alt attribute); otherwise it must vanish from the output entirely.
		asText bool
	}{
		{"script block", "<script>alert(1)</script>", false},
		{"script inline", "文字 <script>alert(1)</script> 文字", false},
		{"img onerror block", "<img src=x onerror=alert(1)>", false},
		{"img onerror inline", "见图 <img src=x onerror=alert(1)>", false},
		{"raw anchor", `<a href="javascript:alert(1)">x</a>`, false},
		{"link", "[x](javascript:alert(1))", false},
		{"link mixed case", "[x](JaVaScRiPt:alert(1))", false},
		{"image", "![x](javascript:alert(1))", false},
		{"svg onload", "<svg onload=alert(1)>", false},
		{"entity in scheme", "[x](&#106;avascript:alert(1))", false},
		{"angle destination", "[x](<javascript:alert(1)>)", false},
		{"reference definition", "[x]: javascript:alert(1)\n\n[x]", false},
		{"vbscript", "[x](vbscript:msgbox(1))", false},
		{"data html", "[x](data:text/html;base64,PHNjcmlwdD4=)", false},
		{"script in callout title", "> [!NOTE] <script>alert(1)</script>\n> 正文", false},
		{"autolink", "<javascript:alert(1)>", true},
		{"event text in alt", "![ onerror=alert(1)](a.png)", true},
	}
	for _, tt := range tests {
		for _, b := range []string{"", base} {
			t.Run(tt.name, func(t *testing.T) {
				out := render(t, tt.src, b).HTML
				if r := unsafeReason(out); r != "" {
					t.Errorf("Base %q: %s\n%s", b, r, out)
				}
				lower := strings.ToLower(out)
				if !tt.asText && (strings.Contains(lower, "javascript:") || strings.Contains(lower, "onerror") || strings.Contains(lower, "onload")) {
					t.Errorf("Base %q: payload survived\n%s", b, out)
				}
			})
		}
	}
}

// The checker itself must catch what it is meant to catch.
func TestUnsafeReason(t *testing.T) {
	for _, s := range []string{
		`<script>`, `<SCRIPT src=x>`, `<img src=x onerror=alert(1)>`, `<svg onload="x">`,
		`<a href="javascript:alert(1)">`, `<a href="JavaScript:x">`, `<a href=" java&#x09;script:x">`,
		`<img src="data:text/html,x">`,
	} {
		if unsafeReason(s) == "" {
			t.Errorf("unsafeReason(%q) = \"\", want a reason", s)
		}
	}
	for _, s := range []string{
		`<p>javascript:alert(1) onerror=x</p>`, `<img src="a.png" alt=" onerror=x">`, `<a href="/javascript:x">`,
	} {
		if r := unsafeReason(s); r != "" {
			t.Errorf("unsafeReason(%q) = %q, want none", s, r)
		}
	}
}

func TestHeadingIDs(t *testing.T) {
	tests := []struct {
		name string
		src  string
		ids  []string
	}{
		{"chinese", "## 客服在物业管理中的位置", []string{"客服在物业管理中的位置"}},
		{"chinese punctuation", "## 角色一：信息枢纽\n\n## 协调，而不是传话", []string{"角色一-信息枢纽", "协调-而不是传话"}},
		{"ascii lowercased", "## Hello, World 你好", []string{"hello-world-你好"}},
		{"trimmed", "## （一）准备工作！", []string{"一-准备工作"}},
		{"markup ignored", "## 第一步：**热情**接待 `code`", []string{"第一步-热情接待-code"}},
		{"digits kept", "## 2024 年第３季度", []string{"2024-年第３季度"}},
		{"empty", "## ！！！\n\n## ……", []string{"section", "section-1"}},
		{"duplicates", "## 自测题\n\n### 自测题\n\n## 自测题", []string{"自测题", "自测题-1", "自测题-2"}},
		{"suffix taken", "## a\n\n## a-1\n\n## a", []string{"a", "a-1", "a-2"}},
		{"setext", "标题\n---", []string{"标题"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := render(t, tt.src, "")
			var ids []string
			for _, h := range d.Headings {
				ids = append(ids, h.ID)
				want := `id="` + h.ID + `"`
				if !strings.Contains(d.HTML, want) {
					t.Errorf("HTML lacks %s:\n%s", want, d.HTML)
				}
			}
			if !reflect.DeepEqual(ids, tt.ids) {
				t.Errorf("ids = %q, want %q", ids, tt.ids)
			}
		})
	}
	if out := render(t, "## 开场白", "").HTML; out != "<h2 id=\"开场白\">开场白</h2>\n" {
		t.Errorf("heading HTML = %q", out)
	}
}

func TestCallouts(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{
			"note",
			"> [!NOTE]\n> 正文",
			`<div class="callout callout-note" role="note"><p class="callout-title">说明</p>` + "\n<p>正文</p>\n</div>\n",
		},
		{
			"tip lowercase",
			"> [!tip]\n> 接电话时先报单位和姓名。",
			`<div class="callout callout-tip" role="note"><p class="callout-title">提示</p>` + "\n<p>接电话时先报单位和姓名。</p>\n</div>\n",
		},
		{
			"warning mixed case",
			"> [!Warning]\n> 不要替任何一方下结论。",
			`<div class="callout callout-warning" role="note"><p class="callout-title">注意</p>` + "\n<p>不要替任何一方下结论。</p>\n</div>\n",
		},
		{
			"important",
			"> [!IMPORTANT]\n> 先确认人员安全。",
			`<div class="callout callout-important" role="note"><p class="callout-title">重要</p>` + "\n<p>先确认人员安全。</p>\n</div>\n",
		},
		{
			"custom title",
			"> [!NOTE] 要点\n> 1. 第一条",
			`<div class="callout callout-note" role="note"><p class="callout-title">要点</p>` + "\n<ol>\n<li>第一条</li>\n</ol>\n</div>\n",
		},
		{
			// Self-test answers are folded until the learner opens them.
			"answers titled on the marker line",
			"> [!NOTE] 参考要点\n> 1. 第一条",
			`<details class="callout callout-note callout-answers"><summary class="callout-title">参考要点</summary>` + "\n<ol>\n<li>第一条</li>\n</ol>\n</details>\n",
		},
		{
			"answers titled by a bold line, as the lessons write them",
			"> [!NOTE]\n> **参考要点**\n>\n> 1. 第一条",
			`<details class="callout callout-note callout-answers"><summary class="callout-title">参考要点</summary>` + "\n<ol>\n<li>第一条</li>\n</ol>\n</details>\n",
		},
		{
			"a bold line that is not an answer title stays",
			"> [!NOTE]\n> **注意事项**\n>\n> 正文",
			`<div class="callout callout-note" role="note"><p class="callout-title">说明</p>` + "\n<p><strong>注意事项</strong></p>\n<p>正文</p>\n</div>\n",
		},
		{
			"custom title with markup",
			"> [!TIP] 记住 **三点**\n> 正文",
			`<div class="callout callout-tip" role="note"><p class="callout-title">记住 <strong>三点</strong></p>` + "\n<p>正文</p>\n</div>\n",
		},
		{
			"crlf",
			"> [!NOTE] 标题\r\n> 正文\r\n",
			`<div class="callout callout-note" role="note"><p class="callout-title">标题</p>` + "\n<p>正文</p>\n</div>\n",
		},
		{
			"nested",
			"> > [!IMPORTANT]\n> > 正文",
			"<blockquote>\n" + `<div class="callout callout-important" role="note"><p class="callout-title">重要</p>` + "\n<p>正文</p>\n</div>\n</blockquote>\n",
		},
		{
			"marker only",
			"> [!WARNING]",
			`<div class="callout callout-warning" role="note"><p class="callout-title">注意</p>` + "\n</div>\n",
		},
		{
			"table after marker",
			"> [!TIP]\n> | 应该 | 不应该 |\n> | --- | --- |\n> | 听完 | 打断 |",
			`<div class="callout callout-tip" role="note"><p class="callout-title">提示</p>` + "\n" +
				`<div class="table-wrap"><table>` + "\n<thead>\n<tr>\n<th>应该</th>\n<th>不应该</th>\n</tr>\n</thead>\n" +
				"<tbody>\n<tr>\n<td>听完</td>\n<td>打断</td>\n</tr>\n</tbody>\n</table>\n</div>\n</div>\n",
		},
		{
			"in a list",
			"- 要点\n\n  > [!TIP]\n  > 正文",
			"<ul>\n<li>\n<p>要点</p>\n" + `<div class="callout callout-tip" role="note"><p class="callout-title">提示</p>` + "\n<p>正文</p>\n</div>\n</li>\n</ul>\n",
		},
		{
			"plain blockquote",
			"> 业主说：“门禁坏了一周。”",
			"<blockquote>\n<p>业主说：“门禁坏了一周。”</p>\n</blockquote>\n",
		},
		{
			"dialogue: one turn per line stays one turn per line",
			"> 客服：您好。\n> 业主：门禁坏了。",
			"<blockquote>\n<p>客服：您好。<br>\n业主：门禁坏了。</p>\n</blockquote>\n",
		},
		{
			"marker not first",
			"> 正文\n> [!NOTE]",
			"<blockquote>\n<p>正文<br>\n[!NOTE]</p>\n</blockquote>\n",
		},
		{
			"unknown kind",
			"> [!CAUTION]\n> 正文",
			"<blockquote>\n<p>[!CAUTION]<br>\n正文</p>\n</blockquote>\n",
		},
		{
			"no space before title",
			"> [!NOTE]标题\n> 正文",
			"<blockquote>\n<p>[!NOTE]标题<br>\n正文</p>\n</blockquote>\n",
		},
		{
			"not in a blockquote",
			"[!NOTE]\n正文",
			"<p>[!NOTE]\n正文</p>\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := render(t, tt.src, "").HTML; got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestLinks(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		base  string
		want  string // expected in the HTML
		links []Link
	}{
		{
			"lesson with fragment", "[接听](02-phone.md#开场白)", base,
			`<a href="/courses/etiquette/lessons/phone#%E5%BC%80%E5%9C%BA%E7%99%BD">接听</a>`,
			[]Link{{Dest: "02-phone.md#开场白", Line: 1}},
		},
		{
			"lesson", "[第五课](05-address-and-phrases.md)", base + "/",
			`<a href="/courses/etiquette/lessons/address-and-phrases">第五课</a>`,
			[]Link{{Dest: "05-address-and-phrases.md", Line: 1}},
		},
		{
			"lesson with dot slash", "[下一课](./03-telephone.md)", base,
			`<a href="/courses/etiquette/lessons/telephone">`,
			[]Link{{Dest: "./03-telephone.md", Line: 1}},
		},
		{
			"image asset", "![流程](call-flow.svg)", base,
			`<img src="/courses/etiquette/assets/call-flow.svg" alt="流程">`,
			[]Link{{Dest: "call-flow.svg", Image: true, Line: 1}},
		},
		{
			"nested asset", "[表格](files/form.pdf)", base,
			`<a href="/courses/etiquette/assets/files/form.pdf">表格</a>`,
			[]Link{{Dest: "files/form.pdf", Line: 1}},
		},
		{
			"asset path cleaned", "[表格](files/../form.pdf)", base,
			`<a href="/courses/etiquette/assets/form.pdf">`,
			[]Link{{Dest: "files/../form.pdf", Line: 1}},
		},
		{
			"non-lesson markdown is an asset", "[说明](README.md)", base,
			`<a href="/courses/etiquette/assets/README.md">`,
			[]Link{{Dest: "README.md", Line: 1}},
		},
		{
			"escape left unresolved", "[别的课](../fees/01-fee-composition.md)", base,
			`<a href="../fees/01-fee-composition.md">`,
			[]Link{{Dest: "../fees/01-fee-composition.md", Line: 1}},
		},
		{
			"encoded escape left unresolved", "![x](%2e%2e/secret.png)", base,
			`<img src="%2e%2e/secret.png" alt="x">`,
			[]Link{{Dest: "%2e%2e/secret.png", Image: true, Line: 1}},
		},
		{
			"backslash escape left unresolved", `[x](a\\..\\..\\secret)`, base,
			`<a href="a%5C..%5C..%5Csecret">`,
			[]Link{{Dest: `a\..\..\secret`, Line: 1}},
		},
		{
			"markdown escapes resolved", `[x](my\_form.pdf)`, base,
			`<a href="/courses/etiquette/assets/my_form.pdf">`,
			[]Link{{Dest: "my_form.pdf", Line: 1}},
		},
		{
			"no base", "[接听](02-phone.md) ![图](flow.svg)", "",
			`<a href="02-phone.md">接听</a> <img src="flow.svg" alt="图">`,
			[]Link{{Dest: "02-phone.md", Line: 1}, {Dest: "flow.svg", Image: true, Line: 1}},
		},
		{
			"external", "[民法典](https://flk.npc.gov.cn/)", base,
			`<a href="https://flk.npc.gov.cn/" rel="noopener noreferrer">民法典</a>`,
			nil,
		},
		{
			"external autolink", "见 https://example.com 。", base,
			`<a href="https://example.com" rel="noopener noreferrer">https://example.com</a>`,
			nil,
		},
		{
			"anchor only", "[上文](#开场白)", base,
			`<a href="#%E5%BC%80%E5%9C%BA%E7%99%BD">上文</a>`,
			nil,
		},
		{
			"site absolute", "[首页](/courses)", base,
			`<a href="/courses">首页</a>`,
			nil,
		},
		{
			"mailto", "[邮件](mailto:desk@example.com)", base,
			`<a href="mailto:desk@example.com">邮件</a>`,
			nil,
		},
		{
			"reference style", "[表格][t]\n\n[t]: fees-table.pdf", base,
			`<a href="/courses/etiquette/assets/fees-table.pdf">表格</a>`,
			[]Link{{Dest: "fees-table.pdf", Line: 1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := render(t, tt.src, tt.base)
			if !strings.Contains(d.HTML, tt.want) {
				t.Errorf("HTML\n%s\nlacks\n%s", d.HTML, tt.want)
			}
			if !reflect.DeepEqual(d.Links, tt.links) {
				t.Errorf("Links = %+v, want %+v", d.Links, tt.links)
			}
		})
	}
}

func TestLinkLines(t *testing.T) {
	lines := []string{
		"![流程](call-flow.svg)",
		"",
		"第一行，",
		"第二行[表格](files/form.pdf)。",
		"",
		"- 列表",
		"  - 见[上一课](02-posture-and-expression.md#站姿)",
		"",
		"| 项目 | 附件 |",
		"| --- | --- |",
		"| 表 | [](files/empty.pdf) |",
		"",
		"> [!NOTE] 参考",
		"> 看[图](a/b.png)",
		"",
		"[![](inner.png)](outer.pdf)",
	}
	// lineOf is the 1-based line on which dest is written.
	lineOf := func(dest string) int {
		for i, l := range lines {
			if strings.Contains(l, "("+dest+")") {
				return i + 1
			}
		}
		t.Fatalf("%q not in the source", dest)
		return 0
	}
	want := []Link{
		{Dest: "call-flow.svg", Image: true},
		{Dest: "files/form.pdf"},
		{Dest: "02-posture-and-expression.md#站姿"},
		{Dest: "files/empty.pdf"},
		{Dest: "a/b.png"},
		{Dest: "outer.pdf"},
		{Dest: "inner.png", Image: true},
	}
	for i := range want {
		want[i].Line = lineOf(want[i].Dest)
	}
	src := []byte(strings.Join(lines, "\n"))
	d := render(t, string(src), base)
	if !reflect.DeepEqual(d.Links, want) {
		t.Errorf("Links =\n%+v\nwant\n%+v", d.Links, want)
	}

	// goldmark sets Pos on links; check the fallback for nodes without one.
	idx := newLineIndex(src)
	root := New().md.Parser().Parse(text.NewReader(src))
	var got []int
	_ = ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if k := n.Kind(); entering && (k == ast.KindLink || k == ast.KindImage) {
			n.SetPos(-1)
			got = append(got, idx.line(nodePos(n, src)))
		}
		return ast.WalkContinue, nil
	})
	for i, l := range want {
		if i >= len(got) || got[i] != l.Line {
			t.Errorf("fallback lines = %v, want the lines of %+v", got, want)
			break
		}
	}
}

func TestHeadingsAndTOC(t *testing.T) {
	src := "导语\n\n# 一级\n\n## 二级\n\n### 三级\n\n#### 四级\n\n二级之二\n--------\n\n> ## 引文中的二级\n"
	d := render(t, src, "")
	want := []Heading{
		{Level: 1, ID: "一级", Text: "一级", Line: 3},
		{Level: 2, ID: "二级", Text: "二级", Line: 5},
		{Level: 3, ID: "三级", Text: "三级", Line: 7},
		{Level: 4, ID: "四级", Text: "四级", Line: 9},
		{Level: 2, ID: "二级之二", Text: "二级之二", Line: 11},
		{Level: 2, ID: "引文中的二级", Text: "引文中的二级", Line: 14},
	}
	if !reflect.DeepEqual(d.Headings, want) {
		t.Errorf("Headings =\n%+v\nwant\n%+v", d.Headings, want)
	}
	toc := []Heading{want[1], want[2], want[4], want[5]}
	if !reflect.DeepEqual(d.TOC, toc) {
		t.Errorf("TOC =\n%+v\nwant\n%+v", d.TOC, toc)
	}
}

func TestFootnotesAndDefinitionList(t *testing.T) {
	d := render(t, "依据《物业管理条例》[^1]。\n\n[^1]: 2003 年施行。\n\n公共收益\n: 利用共有部分经营所得的收入。\n", "")
	for _, want := range []string{
		`<sup id="fnref:1"><a href="#fn:1" class="footnote-ref" role="doc-noteref">1</a></sup>`,
		`<div class="footnotes" role="doc-endnotes">`,
		`<li id="fn:1">`,
		"<dl>\n<dt>公共收益</dt>\n<dd>利用共有部分经营所得的收入。</dd>\n</dl>",
	} {
		if !strings.Contains(d.HTML, want) {
			t.Errorf("HTML\n%s\nlacks\n%s", d.HTML, want)
		}
	}
}

func TestGFM(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{
			"table wrapped",
			"| 步骤 | 工单状态 |\n| --- | :-: |\n| 接待 | 接待 |",
			`<div class="table-wrap"><table>` + "\n<thead>\n<tr>\n<th>步骤</th>\n<th style=\"text-align:center\">工单状态</th>\n</tr>\n</thead>\n" +
				"<tbody>\n<tr>\n<td>接待</td>\n<td style=\"text-align:center\">接待</td>\n</tr>\n</tbody>\n</table>\n</div>\n",
		},
		{"strikethrough", "~~旧规定~~", "<p><del>旧规定</del></p>\n"},
		{"task list", "- [x] 已完成\n- [ ] 未完成", "<ul>\n<li><span class=\"task-box\" aria-hidden=\"true\">☑</span> 已完成</li>\n<li><span class=\"task-box\" aria-hidden=\"true\">☐</span> 未完成</li>\n</ul>\n"},
		{"no typographer", `他说"好的"--然后...`, "<p>他说&quot;好的&quot;--然后...</p>\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := render(t, tt.src, "").HTML; got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestText(t *testing.T) {
	src := "## 第一步：**热情**接待\n\n" +
		"先让业主把话说完，\n不插话、`不辩解`。[^1]\n\n" +
		"- 记录房号\n- 记录[电话](02-phone.md)\n\n" +
		"| 应该 | 不应该 |\n| --- | --- |\n| 复述 | *打断* |\n\n" +
		"> [!TIP] 小技巧\n> 转义 \\* 与 &amp; 实体。<b>粗</b>\n\n" +
		"![流程图](flow.svg)\n\n" +
		"> [!NOTE]\n> 默认标题不算正文。\n\n" +
		"[^1]: 见第二课。\n"
	want := strings.Join([]string{
		"第一步：热情接待",
		"先让业主把话说完， 不插话、不辩解。",
		"记录房号",
		"记录电话",
		"应该\t不应该",
		"复述\t打断",
		"小技巧",
		"转义 * 与 & 实体。粗",
		"流程图",
		"默认标题不算正文。",
		"见第二课。",
	}, "\n")
	if got := render(t, src, base).Text; got != want {
		t.Errorf("Text =\n%s\nwant\n%s", got, want)
	}
}

// lessonBody cuts the front matter off a lesson file, as the content loader
// does before rendering.
func lessonBody(t testing.TB, path string) []byte {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	src = bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n"))
	if rest, ok := bytes.CutPrefix(src, []byte("---\n")); ok {
		if _, body, ok := bytes.Cut(rest, []byte("\n---\n")); ok {
			return body
		}
	}
	t.Fatalf("%s: no front matter", path)
	return nil
}

func lessonFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "courses", "*", "[0-9]*.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Skip("no lessons under ../../courses")
	}
	return files
}

func TestLessons(t *testing.T) {
	r := New()
	var callouts, tables int
	for _, f := range lessonFiles(t) {
		src := lessonBody(t, f)
		course := filepath.Base(filepath.Dir(f))
		d, err := r.Render(src, Options{Base: "/courses/" + course})
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if strings.Contains(d.HTML, "[!") {
			t.Errorf("%s: callout marker left in output", f)
		}
		if r := unsafeReason(d.HTML); r != "" {
			t.Errorf("%s: %s", f, r)
		}
		if len(d.Headings) == 0 || d.Text == "" {
			t.Errorf("%s: no headings or no text", f)
		}
		for _, l := range d.Links {
			if l.Line < 1 || l.Line > strings.Count(string(src), "\n")+1 {
				t.Errorf("%s: link %q on line %d", f, l.Dest, l.Line)
			}
		}
		callouts += strings.Count(d.HTML, `<div class="callout `)
		tables += strings.Count(d.HTML, `<div class="table-wrap"><table>`)
		// Every self-test's answers are folded, closed.
		if want := strings.Count(string(src), "参考要点"); strings.Count(d.HTML, `<details class="callout callout-note callout-answers"><summary class="callout-title">参考要点</summary>`) != want {
			t.Errorf("%s: %d answer blocks, not all folded:\n%s", f, want, d.HTML)
		}
	}
	if callouts == 0 || tables == 0 {
		t.Errorf("found %d callouts and %d tables across the lessons, want at least one of each", callouts, tables)
	}
}

func TestRenderConcurrent(t *testing.T) {
	r := New()
	files := lessonFiles(t)
	want := make([]string, len(files))
	srcs := make([][]byte, len(files))
	for i, f := range files {
		src := lessonBody(t, f)
		srcs[i] = src
		want[i] = render(t, string(src), base).HTML
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Go(func() {
			for i, src := range srcs {
				d, err := r.Render(src, Options{Base: base})
				if err != nil || d.HTML != want[i] {
					t.Errorf("%s: concurrent render differs (err %v)", files[i], err)
				}
			}
		})
	}
	wg.Wait()
}

func BenchmarkRender(b *testing.B) {
	path := filepath.Join("..", "..", "courses", "complaints", "03-six-steps.md")
	if _, err := os.Stat(path); err != nil {
		// Fall back to the largest lesson.
		var size int64
		for _, f := range lessonFiles(b) {
			if fi, err := os.Stat(f); err == nil && fi.Size() > size {
				path, size = f, fi.Size()
			}
		}
	}
	src := lessonBody(b, path)
	r := New()
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Render(src, Options{Base: "/courses/complaints"}); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzRender(f *testing.F) {
	for _, s := range []string{
		"",
		"---\ntitle: x\n---\n\n---\n",
		"## 标题\n\n正文[链接](02-phone.md#开场白)。\n",
		"> [!NOTE]\n> **参考要点**\n>\n> 1. 一\n",
		"> [!tip] 标题 *强调\n> 跨行*\n",
		"> [!WARNING]",
		"| a | b |\n| - | - |\n| [x](../y) | ![z](a/b.svg) |\n",
		"<script>alert(1)</script>",
		"x <img src=x onerror=alert(1)>",
		"<svg onload=alert(1)>",
		`<a href="javascript:alert(1)">x</a>`,
		"[x](JaVaScRiPt:alert(1)) ![x](javascript:alert(1))",
		"[x](&#106;avascript:alert(1)) <javascript:alert(1)>",
		"[x]: javascript:alert(1)\n\n[x]",
		"脚注[^1]\n\n[^1]: 内容\n\n术语\n: 定义\n",
		"- [ ] 任务\n- [x] ~~完成~~\n",
		"[](%2e%2e/x) [a](a\\..\\b) [b](<c d.pdf>)",
		"\t> [!NOTE]\ttab\n>\t正文",
		"> > [!IMPORTANT]\n> > 嵌套\n",
	} {
		f.Add(s, true)
	}
	r := New()
	f.Fuzz(func(t *testing.T, src string, withBase bool) {
		opts := Options{}
		if withBase {
			opts.Base = base
		}
		d, err := r.Render([]byte(src), opts)
		if err != nil {
			t.Fatalf("Render: %v", err)
		}
		if reason := unsafeReason(d.HTML); reason != "" {
			t.Fatalf("%s\n%s", reason, d.HTML)
		}
		lines := strings.Count(src, "\n") + 1
		ids := map[string]bool{}
		for _, h := range d.Headings {
			if ids[h.ID] {
				t.Errorf("duplicate heading id %q", h.ID)
			}
			ids[h.ID] = true
			if h.Line < 1 || h.Line > lines {
				t.Errorf("heading %q on line %d of %d", h.Text, h.Line, lines)
			}
		}
		for _, l := range d.Links {
			if l.Line < 1 || l.Line > lines {
				t.Errorf("link %q on line %d of %d", l.Dest, l.Line, lines)
			}
		}
	})
}
