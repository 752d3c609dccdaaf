package doc

import (
	"bufio"
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// modulePath is the module's import path prefix.
const modulePath = "github.com/wxaudit/wxaudit"

// readLayers reads the ```layers block of architecture.md: one line per
// layer, the top line first, packages separated by spaces, "#" starting a
// comment. It returns each package's rank, 0 for the bottom line.
func readLayers(t *testing.T, path string) map[string]int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines [][]string
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "```layers":
			in = true
			continue
		case in && line == "```":
			in = false
		}
		if !in {
			continue
		}
		line, _, _ = strings.Cut(line, "#")
		if pkgs := strings.Fields(line); len(pkgs) > 0 {
			lines = append(lines, pkgs)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(lines) < 2 {
		t.Fatalf("%s: no ```layers block with two or more lines", path)
	}
	rank := map[string]int{}
	for i, pkgs := range lines {
		for _, p := range pkgs {
			if _, dup := rank[p]; dup {
				t.Errorf("%s: %s is on two lines", path, p)
			}
			rank[p] = len(lines) - 1 - i
		}
	}
	return rank
}

// packages returns the module's packages (relative paths, "." for the
// root) and the module packages each imports outside its tests.
func packages(t *testing.T, root string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != root && (name == "testdata" || name == "node_modules" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			return filepath.SkipDir
		}
		pkg, err := build.ImportDir(path, 0)
		if err != nil {
			if _, ok := err.(*build.NoGoError); ok {
				return nil
			}
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		var imports []string
		for _, imp := range pkg.Imports {
			if imp == modulePath {
				imports = append(imports, ".")
			} else if r, ok := strings.CutPrefix(imp, modulePath+"/"); ok {
				imports = append(imports, r)
			}
		}
		out[rel] = imports
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestLayers checks every package's imports against architecture.md: a
// package imports only packages on lower lines, and every package has a
// line.
func TestLayers(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	rank := readLayers(t, "architecture.md")
	pkgs := packages(t, root)
	if len(pkgs) < 10 {
		t.Fatalf("found only %d packages under %s", len(pkgs), root)
	}
	checkLayers(t, rank, pkgs)
	for p := range rank {
		if _, ok := pkgs[p]; !ok {
			t.Errorf("architecture.md lists %s, which is not a package", p)
		}
	}
}

// checkLayers reports each package without a layer and each import of a
// package on the same line or a higher one.
func checkLayers(t testing.TB, rank map[string]int, pkgs map[string][]string) {
	t.Helper()
	for p, imports := range pkgs {
		r, ok := rank[p]
		if !ok {
			t.Errorf("%s has no line in architecture.md: add it to the layers", p)
			continue
		}
		for _, imp := range imports {
			ri, ok := rank[imp]
			if !ok {
				continue // reported as a package without a line
			}
			if ri >= r {
				t.Errorf("%s imports %s, which is not on a lower line of architecture.md", p, imp)
			}
		}
	}
}

// TestCheckLayersFails: the check reports an upward import, a same-line
// import and a package without a line.
func TestCheckLayersFails(t *testing.T) {
	rank := map[string]int{"report": 2, "analyze": 3, "capture": 1, "mmtls": 1, "internal/sniff": 0}
	for _, tc := range []struct {
		name string
		pkgs map[string][]string
		want int
	}{
		{"downward", map[string][]string{"capture": {"internal/sniff"}, "analyze": {"report", "capture"}}, 0},
		{"upward", map[string][]string{"internal/sniff": {"report"}}, 1},
		{"same line", map[string][]string{"capture": {"mmtls"}}, 1},
		{"no line", map[string][]string{"newpkg": nil}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &countingTB{TB: t}
			checkLayers(r, rank, tc.pkgs)
			if r.errors != tc.want {
				t.Errorf("%d errors, want %d", r.errors, tc.want)
			}
		})
	}
}

// countingTB counts Errorf calls instead of failing.
type countingTB struct {
	testing.TB
	errors int
}

func (c *countingTB) Helper()               {}
func (c *countingTB) Errorf(string, ...any) { c.errors++ }
