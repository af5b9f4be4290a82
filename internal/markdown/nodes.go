package markdown

import (
	"regexp"
	"slices"
	"strings"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Node kinds are registered with goldmark once; they act as constants.
var (
	kindCallout      = ast.NewNodeKind("Callout")
	kindCalloutTitle = ast.NewNodeKind("CalloutTitle")
	kindTableWrap    = ast.NewNodeKind("TableWrap")
)

// calloutTitles maps a callout kind to its default title.
var calloutTitles = map[string]string{
	"note":      "说明",
	"tip":       "提示",
	"warning":   "注意",
	"important": "重要",
}

// calloutMarker matches the first line of a callout blockquote: the kind, then
// an optional custom title on the same line.
var calloutMarker = regexp.MustCompile(`^[ \t]*\[!((?i:note|tip|warning|important))\](?:[ \t]+([^\r\n]*?))?[ \t]*\r?\n?$`)

// answerTitles are the titles that mark a callout as the answers to a
// lesson's self-test. Such a callout is folded (a closed <details>), so
// that a learner tries the questions before reading the answers. Lessons
// write them "> [!NOTE]" then "> **参考要点**", or with the title on the
// marker line.
var answerTitles = []string{"参考要点", "参考答案"}

// callout replaces a blockquote that starts with a marker.
type callout struct {
	ast.BaseBlock
	kind   string // key of calloutTitles
	folded bool   // rendered as a closed <details>
}

func (n *callout) Kind() ast.NodeKind { return kindCallout }

func (n *callout) Dump(src []byte, level int) {
	ast.DumpHelper(n, src, level, map[string]string{"Kind": n.kind}, nil)
}

// calloutTitle is the first child of a callout. Its lines hold the custom
// title, so goldmark parses inline Markdown in it like in any paragraph;
// without lines the default title is rendered.
type calloutTitle struct {
	ast.BaseBlock
	kind string
}

func (n *calloutTitle) Kind() ast.NodeKind { return kindCalloutTitle }

func (n *calloutTitle) Dump(src []byte, level int) {
	ast.DumpHelper(n, src, level, map[string]string{"Kind": n.kind}, nil)
}

// tableWrap lets wide tables scroll horizontally on phones.
type tableWrap struct {
	ast.BaseBlock
}

func (n *tableWrap) Kind() ast.NodeKind { return kindTableWrap }

func (n *tableWrap) Dump(src []byte, level int) { ast.DumpHelper(n, src, level, nil, nil) }

// calloutParagraphTransformer removes the marker line from the first
// paragraph of a blockquote and puts a calloutTitle in front of it. It works
// on the paragraph's lines, before inline parsing, because "[!NOTE]" is
// split into several text nodes afterwards. The blockquote itself is still
// open in the block parser at this point, so it is replaced later, in
// astTransformer.
type calloutParagraphTransformer struct{}

func (calloutParagraphTransformer) Transform(p *ast.Paragraph, reader text.Reader, _ parser.Context) {
	bq, ok := p.Parent().(*ast.Blockquote)
	if !ok || bq.FirstChild() != p || p.Lines().Len() == 0 {
		return
	}
	first := p.Lines().At(0)
	first.Padding = 0 // offsets below are into the source
	line := first.Value(reader.Source())
	m := calloutMarker.FindSubmatchIndex(line)
	if m == nil {
		return
	}
	kind := strings.ToLower(string(line[m[2]:m[3]]))
	if _, ok := calloutTitles[kind]; !ok {
		return
	}
	title := &calloutTitle{kind: kind}
	title.SetPos(first.Start)
	if m[4] >= 0 && m[5] > m[4] {
		title.Lines().Append(text.NewSegment(first.Start+m[4], first.Start+m[5]))
	}
	bq.InsertBefore(bq, p, title)

	rest := p.Lines().Sliced(1, p.Lines().Len())
	if len(rest) == 0 {
		bq.RemoveChild(bq, p)
		return
	}
	p.Lines().SetSliced(1, p.Lines().Len())
	p.SetPos(rest[0].Start)
}

// astTransformer turns marked blockquotes into callouts, wraps tables,
// assigns heading ids and keeps the lines of a quote apart: lessons quote
// dialogue one turn per line (> 客服：… / > 业主：…), which a soft break would
// run together into one paragraph.
type astTransformer struct{}

func (astTransformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	var quotes, tables, headings []ast.Node
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n.Kind() {
		case ast.KindBlockquote:
			if _, ok := n.FirstChild().(*calloutTitle); ok {
				quotes = append(quotes, n)
			}
		case east.KindTable:
			tables = append(tables, n)
		case ast.KindHeading:
			headings = append(headings, n)
		case ast.KindText:
			if t := n.(*ast.Text); t.SoftLineBreak() && inQuote(t) {
				t.SetHardLineBreak(true)
			}
		}
		return ast.WalkContinue, nil
	})

	// The tree is changed only after the walk, which must not see it move.
	for _, bq := range quotes {
		c := &callout{kind: bq.FirstChild().(*calloutTitle).kind}
		c.SetPos(bq.Pos())
		for child := bq.FirstChild(); child != nil; {
			next := child.NextSibling()
			c.AppendChild(c, child)
			child = next
		}
		bq.Parent().ReplaceChild(bq.Parent(), bq, c)
		foldAnswers(c, reader.Source())
	}
	for _, t := range tables {
		w := &tableWrap{}
		w.SetPos(t.Pos())
		t.Parent().ReplaceChild(t.Parent(), t, w)
		w.AppendChild(w, t)
	}
	for _, h := range headings {
		id := pc.IDs().Generate([]byte(plainText(h, reader.Source())), ast.KindHeading)
		h.SetAttributeString("id", id)
	}
}

func inQuote(n ast.Node) bool {
	for p := n.Parent(); p != nil; p = p.Parent() {
		if p.Kind() == ast.KindBlockquote {
			return true
		}
	}
	return false
}

// foldAnswers folds c if its title, or a bold line that opens it, is one
// of answerTitles; a bold line becomes the title.
func foldAnswers(c *callout, src []byte) {
	title := c.FirstChild().(*calloutTitle)
	if title.Lines().Len() > 0 {
		c.folded = slices.Contains(answerTitles, strings.TrimSpace(string(title.Lines().Value(src))))
		return
	}
	p, ok := title.NextSibling().(*ast.Paragraph)
	if !ok || p.ChildCount() != 1 {
		return
	}
	strong, ok := p.FirstChild().(*ast.Emphasis)
	if !ok || strong.Level != 2 || !slices.Contains(answerTitles, plainText(strong, src)) {
		return
	}
	for child := strong.FirstChild(); child != nil; {
		next := child.NextSibling()
		title.AppendChild(title, child)
		child = next
	}
	c.RemoveChild(c, p)
	c.folded = true
}

// nodeRenderer renders the package's own nodes.
type nodeRenderer struct{}

func (nodeRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(kindCallout, renderCallout)
	reg.Register(kindCalloutTitle, renderCalloutTitle)
	reg.Register(kindTableWrap, renderTableWrap)
	reg.Register(east.KindTaskCheckBox, renderTaskCheckBox)
}

// A lesson's checklist (- [ ] …) is for the reader to go through, not a
// form: a disabled checkbox there is an unlabelled control to a screen
// reader and tells it nothing, so the box is drawn as a character that
// assistive technology skips, the item's text saying the rest.
func renderTaskCheckBox(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	box := "☐"
	if n.(*east.TaskCheckBox).IsChecked {
		box = "☑"
	}
	_, _ = w.WriteString(`<span class="task-box" aria-hidden="true">` + box + `</span> `)
	return ast.WalkContinue, nil
}

// The kind comes from calloutTitles, so it needs no escaping.
func renderCallout(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	c := n.(*callout)
	switch {
	case entering && c.folded:
		_, _ = w.WriteString(`<details class="callout callout-` + c.kind + ` callout-answers">`)
	case entering:
		_, _ = w.WriteString(`<div class="callout callout-` + c.kind + `" role="note">`)
	case c.folded:
		_, _ = w.WriteString("</details>\n")
	default:
		_, _ = w.WriteString("</div>\n")
	}
	return ast.WalkContinue, nil
}

func renderCalloutTitle(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	tag := "p"
	if c, ok := n.Parent().(*callout); ok && c.folded {
		tag = "summary"
	}
	if entering {
		_, _ = w.WriteString("<" + tag + ` class="callout-title">`)
		if !n.HasChildren() {
			_, _ = w.WriteString(calloutTitles[n.(*calloutTitle).kind])
		}
	} else {
		_, _ = w.WriteString("</" + tag + ">\n")
	}
	return ast.WalkContinue, nil
}

func renderTableWrap(w util.BufWriter, _ []byte, _ ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		_, _ = w.WriteString(`<div class="table-wrap">`)
	} else {
		_, _ = w.WriteString("</div>\n")
	}
	return ast.WalkContinue, nil
}
