package taxonomy

import (
	"bufio"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestSpelledOnce: every data-type name appears as a Go string literal in
// exactly one non-test file of the module, this package's taxonomy.go, so
// no other package can drift from the vocabulary. Other packages use the
// constants. A literal that is not a data type but happens to be spelled
// like one (a value WeChat puts on the wire, such as the network type
// "wifi") is marked on its line with the comment "// not a data type".
func TestSpelledOnce(t *testing.T) {
	root := filepath.Join("..")
	files := map[string]map[string]bool{} // name -> files
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != root && (n == "testdata" || strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		marked := map[int]bool{}
		for _, cg := range f.Comments {
			for _, c := range cg.List {
				if strings.HasPrefix(strings.TrimSpace(strings.TrimPrefix(c.Text, "//")), "not a data type") {
					marked[fset.Position(c.Pos()).Line] = true
				}
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ImportSpec:
				return false
			case *ast.Field:
				// A struct tag is not a value (`json:"ui_events"` names a
				// counter, not the type).
				if n.Tag != nil {
					n.Tag = nil
				}
			case *ast.BasicLit:
				if n.Kind != token.STRING {
					return true
				}
				v, err := strconv.Unquote(n.Value)
				if err != nil || !Known(DataType(v)) || marked[fset.Position(n.Pos()).Line] {
					return true
				}
				rel, _ := filepath.Rel(root, path)
				if files[v] == nil {
					files[v] = map[string]bool{}
				}
				files[v][filepath.ToSlash(rel)] = true
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, info := range All {
		got := slices.Sorted(mapKeys(files[string(info.Name)]))
		if !slices.Equal(got, []string{"taxonomy/taxonomy.go"}) {
			t.Errorf("%q is spelled in %v; use the taxonomy constant (or mark a different word spelled the same with // not a data type)", info.Name, got)
		}
	}
}

func mapKeys(m map[string]bool) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// TestDocumented: classify/TAXONOMY.md defines exactly the data types of
// All, each once.
func TestDocumented(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "classify", "TAXONOMY.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// A definition starts a line with the bold name(s) and a dash:
	// "**phone_number**, **email** — …".
	def := regexp.MustCompile(`^(\*\*[a-z_]+\*\*(?:, )?)+ —`)
	name := regexp.MustCompile(`\*\*([a-z_]+)\*\*`)
	seen := map[string]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := def.FindString(sc.Text())
		for _, n := range name.FindAllStringSubmatch(m, -1) {
			seen[n[1]]++
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for _, info := range All {
		if seen[string(info.Name)] != 1 {
			t.Errorf("TAXONOMY.md defines %s %d times, want 1", info.Name, seen[string(info.Name)])
		}
		delete(seen, string(info.Name))
	}
	for n := range seen {
		t.Errorf("TAXONOMY.md defines %s, which is not a data type", n)
	}
}

// TestVocabulary: the lists are complete and consistent.
func TestVocabulary(t *testing.T) {
	seen := map[DataType]bool{}
	for _, info := range All {
		if seen[info.Name] {
			t.Errorf("%s listed twice", info.Name)
		}
		seen[info.Name] = true
		if info.Description == "" || info.Phrase == "" {
			t.Errorf("%s lacks a description or phrase", info.Name)
		}
	}
	cats := map[string]bool{}
	for _, c := range Categories {
		if cats[c.Name] || Known(DataType(c.Name)) {
			t.Errorf("category %s defined twice or named like a data type", c.Name)
		}
		for _, inc := range c.Includes {
			if !Known(DataType(inc)) && !cats[inc] {
				t.Errorf("category %s includes %q, neither a data type nor an earlier category", c.Name, inc)
			}
		}
		cats[c.Name] = true
	}
	for _, c := range []Confidence{High, Medium, Low, "bogus"} {
		if (c.Rank() > 0) != (c != "bogus") {
			t.Errorf("Rank(%q) = %d", c, c.Rank())
		}
	}
	if !KnownFeature(FeatureOther) || KnownFeature(string(AccountID)) {
		t.Error("KnownFeature")
	}
}

// TestCommentsNameNoIssue: comments say what they mean, not which tracker
// issue asked for it (issue numbers mean nothing to a reader of the code).
func TestCommentsNameNoIssue(t *testing.T) {
	issue := regexp.MustCompile(`(?i)\bissues? ?#?[0-9]+`)
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != ".." && (n == "testdata" || strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		for _, cg := range f.Comments {
			for _, c := range cg.List {
				if m := issue.FindString(c.Text); m != "" {
					t.Errorf("%s: comment names %q", fset.Position(c.Pos()), m)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
