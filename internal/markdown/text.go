package markdown

import (
	"strings"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/util"
)

// plainText returns the text of n's inline content without markup.
func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	writeInline(&b, n, src)
	return strings.TrimSpace(b.String())
}

func writeInline(b *strings.Builder, n ast.Node, src []byte) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			v := c.Segment.Value(src)
			if !c.IsRaw() {
				// What goldmark's writer does when rendering text.
				v = util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(v)))
			}
			b.Write(v)
			switch {
			case c.HardLineBreak():
				b.WriteByte('\n')
			case c.SoftLineBreak():
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(c.Value)
		case *ast.CodeSpan:
			// Code is shown as written: no unescaping.
			for cc := c.FirstChild(); cc != nil; cc = cc.NextSibling() {
				switch cc := cc.(type) {
				case *ast.Text:
					b.Write(cc.Segment.Value(src))
				case *ast.String:
					b.Write(cc.Value)
				}
			}
		case *ast.AutoLink:
			b.Write(c.Label(src))
		case *ast.RawHTML, *east.FootnoteLink, *east.FootnoteBacklink, *east.TaskCheckBox:
			// Markup or generated numbers, not text.
		default:
			writeInline(b, c, src)
		}
	}
}

// documentText returns the plain text of every text block, one per line;
// a table row is one line with its cells separated by tabs.
func documentText(root ast.Node, src []byte) string {
	var lines []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			lines = append(lines, s)
		}
	}
	var walk func(n ast.Node)
	walk = func(n ast.Node) {
		switch n := n.(type) {
		case *ast.HTMLBlock:
			return // raw HTML is not rendered, so it is not searchable either
		case *ast.CodeBlock, *ast.FencedCodeBlock:
			var b strings.Builder
			for i := 0; i < n.Lines().Len(); i++ {
				seg := n.Lines().At(i)
				b.Write(seg.Value(src))
			}
			add(b.String())
			return
		case *east.TableHeader, *east.TableRow:
			var cells []string
			for c := n.FirstChild(); c != nil; c = c.NextSibling() {
				cells = append(cells, plainText(c, src))
			}
			add(strings.Join(cells, "\t"))
			return
		}
		if c := n.FirstChild(); c != nil && c.Type() == ast.TypeInline {
			add(plainText(n, src))
			return
		}
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			walk(c)
		}
	}
	walk(root)
	return strings.Join(lines, "\n")
}
