package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommandTable: every command is in the one table of main.go, once,
// with a summary and a testscript that runs it, and no file registers
// commands from an init function.
func TestCommandTable(t *testing.T) {
	var scripts strings.Builder
	ts, _ := filepath.Glob(filepath.Join("testdata", "*.txt"))
	for _, name := range ts {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		scripts.Write(b)
	}
	seen := map[string]bool{}
	for _, c := range commands {
		if seen[c.name] || c.summary == "" || c.run == nil {
			t.Errorf("command %q: duplicate, or no summary or run", c.name)
		}
		seen[c.name] = true
		if !strings.Contains(scripts.String(), "exec wxaudit "+c.name+" ") {
			t.Errorf("command %q: no testscript in testdata/ runs it", c.name)
		}
	}
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Name.Name == "init" && fn.Recv == nil {
				t.Errorf("%s: an init function; list commands in main.go's table", fset.Position(fn.Pos()))
			}
		}
	}
}
