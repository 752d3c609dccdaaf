package testkit

import (
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// API lists the exported identifiers of the package in dir, one per line
// and sorted: "func F", "type T", "method T.M", "field T.F", "const C",
// "var V" (test files excluded). A package's TestAPI compares it with a
// golden file, so that growing a public surface is a deliberate edit.
func API(tb testing.TB, dir string) string {
	tb.Helper()
	pkg, err := build.ImportDir(dir, 0)
	if err != nil {
		tb.Fatal(err)
	}
	fset := token.NewFileSet()
	var lines []string
	add := func(kind, name string) { lines = append(lines, kind+" "+name) }
	for _, name := range pkg.GoFiles {
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			tb.Fatal(err)
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if !d.Name.IsExported() {
					continue
				}
				if d.Recv == nil {
					add("func", d.Name.Name)
				} else if recv := recvName(d.Recv.List[0].Type); ast.IsExported(recv) {
					add("method", recv+"."+d.Name.Name)
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						if s.Name.IsExported() {
							add("type", s.Name.Name)
							apiMembers(s, add)
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() {
								add(d.Tok.String(), n.Name)
							}
						}
					}
				}
			}
		}
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n") + "\n"
}

// apiMembers adds the exported fields of a struct type and the exported
// methods of an interface type.
func apiMembers(s *ast.TypeSpec, add func(kind, name string)) {
	var fields *ast.FieldList
	kind := "field"
	switch t := s.Type.(type) {
	case *ast.StructType:
		fields = t.Fields
	case *ast.InterfaceType:
		fields, kind = t.Methods, "method"
	default:
		return
	}
	for _, f := range fields.List {
		for _, n := range f.Names {
			if n.IsExported() {
				add(kind, s.Name.Name+"."+n.Name)
			}
		}
		if len(f.Names) == 0 { // embedded
			if n := recvName(f.Type); ast.IsExported(n) {
				add(kind, s.Name.Name+"."+n)
			}
		}
	}
}

// recvName is the type name in a receiver or embedded field expression.
func recvName(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.StarExpr:
		return recvName(t.X)
	case *ast.IndexExpr:
		return recvName(t.X)
	case *ast.IndexListExpr:
		return recvName(t.X)
	case *ast.SelectorExpr:
		return t.Sel.Name
	case *ast.Ident:
		return t.Name
	}
	return ""
}
