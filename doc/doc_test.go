// Package doc holds the documents the code's comments cite; its test checks
// that every cited Markdown file exists in the repository.
package doc

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// mdRef matches a Markdown file name in a comment, with an optional path.
var mdRef = regexp.MustCompile(`[A-Za-z0-9_./-]*[A-Za-z0-9_-]\.md\b`)

// outputs are file names wxaudit writes, which comments name without
// citing a document.
var outputs = map[string]bool{"report.md": true, "gaps.md": true}

// TestCitedDocsExist scans the comments of every non-test .go file for
// citations of *.md files and fails when a cited file is not in the
// repository. A name with a directory is resolved from the repository root;
// a bare name from the citing file's directory, then from the root.
func TestCitedDocsExist(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	exists := func(p string) bool {
		fi, err := os.Stat(p)
		return err == nil && !fi.IsDir()
	}
	n := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules" || name == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		for _, cg := range f.Comments {
			for _, c := range cg.List {
				for _, loc := range mdRef.FindAllStringIndex(c.Text, -1) {
					ref := c.Text[loc[0]:loc[1]]
					start := strings.LastIndexAny(c.Text[:loc[0]], " \t\n(") + 1
					if strings.Contains(c.Text[start:loc[1]], "://") {
						continue // part of a URL
					}
					n++
					var ok bool
					switch {
					case outputs[ref]:
						ok = true
					case strings.Contains(ref, "/"):
						clean := filepath.Clean(filepath.FromSlash(ref))
						ok = !strings.HasPrefix(clean, "..") && exists(filepath.Join(root, clean))
					default:
						ok = exists(filepath.Join(filepath.Dir(path), ref)) || exists(filepath.Join(root, ref))
					}
					if !ok {
						t.Errorf("%s: comment cites %s, which is not in the repository", rel, ref)
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("found no citations: the scan is broken")
	}
	t.Logf("%d citations checked", n)
}
