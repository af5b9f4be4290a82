// Package markdown renders lesson Markdown to safe HTML with goldmark.
package markdown

import (
	"bytes"
	"sort"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Options are per-document settings.
type Options struct {
	// Base is the URL prefix of the course the document belongs to, e.g. "/courses/etiquette".
	// Relative links and images are resolved against it (see below). Empty: leave them as written.
	Base string
}

// Heading is one heading of the document.
type Heading struct {
	Level int    // 1..6
	ID    string // the id attribute it was rendered with
	Text  string // plain text
	Line  int    // 1-based line in the source
}

// Link is a relative link or image destination as written in the source (before resolving), for linting.
type Link struct {
	Dest  string // e.g. "flow.svg", "02-phone.md#开场白", "files/form.pdf"
	Image bool
	Line  int // 1-based line in the source
}

// Doc is a rendered document.
type Doc struct {
	HTML     string
	TOC      []Heading // headings of level 2 and 3, in order
	Headings []Heading // every heading, in order
	Links    []Link    // relative links and images only (no scheme, not starting with "/" or "#", not "mailto:")
	Text     string    // plain text of the whole document (for search): paragraphs, headings, list items, table cells; no markup; blocks separated by newlines
}

// Renderer holds a configured goldmark; it is safe for concurrent use.
type Renderer struct {
	md goldmark.Markdown
}

// New builds the goldmark instance once; every Render shares it.
func New() *Renderer {
	md := goldmark.New(
		goldmark.WithExtensions(
			extension.GFM,
			extension.Footnote,
			extension.DefinitionList,
		),
		goldmark.WithParserOptions(
			// Before the table and link-reference transformers (200, 100), so
			// that the marker line is gone before they look at the paragraph.
			parser.WithParagraphTransformers(util.Prioritized(calloutParagraphTransformer{}, 300)),
			// After the footnote (999) and table (0) transformers: headings in
			// footnotes and every table exist by then.
			parser.WithASTTransformers(util.Prioritized(astTransformer{}, -100)),
		),
		goldmark.WithRendererOptions(
			renderer.WithNodeRenderers(util.Prioritized(nodeRenderer{}, 100)), // before GFM's (500): ours draws task boxes
		),
	)
	return &Renderer{md: md}
}

// Render converts src to HTML and collects the headings, relative links and
// plain text. src is Markdown only: the caller cuts off a lesson's front
// matter, and lines are counted from the start of src.
func (r *Renderer) Render(src []byte, opts Options) (*Doc, error) {
	lines := newLineIndex(src)

	pc := parser.NewContext(parser.WithIDs(newHeadingIDs()))
	root := r.md.Parser().Parse(text.NewReader(src), parser.WithContext(pc))

	doc := &Doc{}
	base := strings.TrimRight(opts.Base, "/")
	err := ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			h := Heading{
				Level: n.Level,
				Text:  plainText(n, src),
				Line:  lines.line(nodePos(n, src)),
			}
			if id, ok := n.AttributeString("id"); ok {
				if b, ok := id.([]byte); ok {
					h.ID = string(b)
				}
			}
			doc.Headings = append(doc.Headings, h)
			if h.Level == 2 || h.Level == 3 {
				doc.TOC = append(doc.TOC, h)
			}
		case *ast.Link:
			doc.addLink(n, &n.Destination, false, base, src, lines)
		case *ast.Image:
			doc.addLink(n, &n.Destination, true, base, src, lines)
		case *ast.AutoLink:
			if n.AutoLinkType == ast.AutoLinkURL && isExternal(string(n.URL(src))) {
				n.SetAttributeString("rel", []byte(externalRel))
			}
		}
		return ast.WalkContinue, nil
	})
	if err != nil {
		return nil, err
	}

	var buf bytes.Buffer
	buf.Grow(len(src) * 2)
	if err := r.md.Renderer().Render(&buf, src, root); err != nil {
		return nil, err
	}
	doc.HTML = buf.String()
	doc.Text = documentText(root, src)
	return doc, nil
}

// addLink records a relative destination, rewrites it against base and marks
// external links. dest points into the node so it can be rewritten in place.
func (d *Doc) addLink(n ast.Node, dest *[]byte, image bool, base string, src []byte, lines lineIndex) {
	written := unescapeDest(*dest)
	if !isRelative(written) {
		if !image && isExternal(written) {
			n.SetAttributeString("rel", []byte(externalRel))
		}
		return
	}
	d.Links = append(d.Links, Link{Dest: written, Image: image, Line: lines.line(nodePos(n, src))})
	if base == "" {
		return
	}
	if resolved, ok := resolve(base, written); ok {
		*dest = escapeDest(resolved)
	}
}

// lineIndex holds the offset of the first byte of each line.
type lineIndex []int

func newLineIndex(src []byte) lineIndex {
	starts := lineIndex{0}
	for i, c := range src {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// line returns the 1-based line holding byte offset pos.
func (l lineIndex) line(pos int) int {
	// The number of line starts <= pos.
	return sort.Search(len(l), func(i int) bool { return l[i] > pos })
}

// nodePos returns a byte offset inside the node's first line. goldmark sets
// Pos for most nodes; the fallbacks cover nodes created without one: blocks
// use their lines, inline nodes their first text or that of what follows them
// on the line, and finally the enclosing block.
func nodePos(n ast.Node, src []byte) int {
	if p := n.Pos(); p >= 0 && p <= len(src) {
		return p
	}
	if n.Type() == ast.TypeBlock {
		if n.Lines().Len() > 0 {
			return n.Lines().At(0).Start
		}
		if c := n.FirstChild(); c != nil {
			return nodePos(c, src)
		}
		return 0
	}
	for m := n; m != nil && m.Type() == ast.TypeInline; m = m.Parent() {
		for s := m; s != nil; s = s.NextSibling() {
			if t := firstText(s); t != nil {
				return t.Segment.Start
			}
		}
	}
	for p := n.Parent(); p != nil; p = p.Parent() {
		if p.Type() == ast.TypeBlock {
			return nodePos(p, src)
		}
	}
	return 0
}

func firstText(n ast.Node) *ast.Text {
	if t, ok := n.(*ast.Text); ok {
		return t
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if t := firstText(c); t != nil {
			return t
		}
	}
	return nil
}
