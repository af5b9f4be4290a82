package academy

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// bilingualExempt lists user-facing messages that may stay in one
// language, by file (under internal/) and the literal's text. Keep it
// tiny: every entry is a message a Chinese reader sees in English.
var bilingualExempt = map[string]string{}

// TestMessagesAreBilingual: the people here read Chinese, and a message
// with no Chinese half reaches them in English (MessageIn shows a
// one-language message as it is). Every user-facing error made in
// internal/ from a literal format must carry Chinese; internal errors are
// exempt: a user is told only academy.InternalMessage of them.
func TestMessagesAreBilingual(t *testing.T) {
	root := ".."
	fset := token.NewFileSet()
	seen := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		helpers := errorHelpers(f)
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			at := -1 // the position of the message among the arguments
			switch name := calleeName(call.Fun, f.Name.Name); name {
			case "academy.Errorf":
				if len(call.Args) > 1 && calleeName(call.Args[0], f.Name.Name) != "academy.EINTERNAL" {
					at = 1
				}
			case "fiber.NewError":
				at = 1
			default:
				if id, ok := call.Fun.(*ast.Ident); ok {
					if i, ok := helpers[id.Name]; ok {
						at = i
					}
				}
			}
			if at < 0 || at >= len(call.Args) {
				return true
			}
			msg := call.Args[at]
			text, ok := literal(msg)
			if !ok || countHan(text) > 0 || !hasWords(text) {
				return true
			}
			if _, ok := bilingualExempt[rel+" "+text]; ok {
				seen[rel+" "+text] = true
				return true
			}
			t.Errorf("%s: message %q has no Chinese: write it as \"中文 / English\"", fset.Position(msg.Pos()), text)
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for k := range bilingualExempt {
		if !seen[k] {
			t.Errorf("bilingualExempt holds %q, which no longer occurs: drop it", k)
		}
	}
}

// errorHelpers finds the functions of f that take a format and its
// arguments and make an error with it (CheckResponse's bad): a call of
// one is a message too. It maps each name to the format's position.
func errorHelpers(f *ast.File) map[string]int {
	out := map[string]int{}
	add := func(name string, typ *ast.FuncType, body *ast.BlockStmt) {
		// The format is the string just before the variadic arguments.
		ps := typ.Params.List
		if len(ps) < 2 || body == nil {
			return
		}
		if _, ok := ps[len(ps)-1].Type.(*ast.Ellipsis); !ok {
			return
		}
		if id, ok := ps[len(ps)-2].Type.(*ast.Ident); !ok || id.Name != "string" {
			return
		}
		at := -1
		for _, p := range ps[:len(ps)-1] {
			at += max(len(p.Names), 1)
		}
		makesError := false
		ast.Inspect(body, func(n ast.Node) bool {
			if c, ok := n.(*ast.CallExpr); ok && calleeName(c.Fun, f.Name.Name) == "academy.Errorf" {
				makesError = true
			}
			return !makesError
		})
		if makesError {
			out[name] = at
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncDecl:
			if n.Name.Name != "Errorf" {
				add(n.Name.Name, n.Type, n.Body)
			}
		case *ast.AssignStmt:
			for i, r := range n.Rhs {
				if fl, ok := r.(*ast.FuncLit); ok && i < len(n.Lhs) {
					if id, ok := n.Lhs[i].(*ast.Ident); ok {
						add(id.Name, fl.Type, fl.Body)
					}
				}
			}
		}
		return true
	})
	return out
}

// hasWords reports whether a format holds words of its own: "%s" or
// "answers.%s: %s" only pass on a message made elsewhere, which this test
// checks where it is made.
func hasWords(format string) bool {
	rest := fieldPrefix.ReplaceAllString(verb.ReplaceAllString(format, ""), "")
	return strings.ContainsFunc(rest, unicode.IsLetter)
}

var verb = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)

// calleeName names a function or constant as "pkg.Name", a bare name
// inside package academy being academy's own.
func calleeName(e ast.Expr, pkg string) string {
	switch e := e.(type) {
	case *ast.Ident:
		if pkg == "academy" {
			return "academy." + e.Name
		}
	case *ast.SelectorExpr:
		if x, ok := e.X.(*ast.Ident); ok {
			return x.Name + "." + e.Sel.Name
		}
	}
	return ""
}

// literal returns the text of a string literal, or of literals joined
// with +.
func literal(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		a, ok := literal(e.X)
		if !ok {
			return "", false
		}
		b, ok := literal(e.Y)
		return a + b, ok
	case *ast.ParenExpr:
		return literal(e.X)
	}
	return "", false
}
