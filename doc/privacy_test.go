package doc

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestPrivacyRowsHeld: every row of privacy.md that names a test names one
// that exists, and every secret or shareable row (but stdout and tooling)
// names one: the table is a promise the tests keep.
func TestPrivacyRowsHeld(t *testing.T) {
	b, err := os.ReadFile("privacy.md")
	if err != nil {
		t.Fatal(err)
	}
	var src strings.Builder
	filepath.WalkDir("..", func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, "_test.go") {
			c, _ := os.ReadFile(p)
			src.Write(c)
		}
		return nil
	})
	all := src.String()
	testName := regexp.MustCompile("`(Test[A-Za-z0-9_]+)`")
	script := regexp.MustCompile("([a-z_]+\\.txt)`")
	rows := 0
	for _, line := range strings.Split(string(b), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) != 6 || strings.HasPrefix(strings.TrimSpace(cells[1]), "---") || strings.TrimSpace(cells[1]) == "command" {
			continue
		}
		rows++
		held := cells[4]
		for _, m := range testName.FindAllStringSubmatch(held, -1) {
			if !strings.Contains(all, "func "+m[1]+"(") {
				t.Errorf("row %q cites %s, which does not exist", strings.TrimSpace(cells[2]), m[1])
			}
		}
		for _, m := range script.FindAllStringSubmatch(held, -1) {
			if _, err := os.Stat(filepath.Join("..", "cmd", "wxaudit", "testdata", m[1])); err != nil {
				t.Errorf("row %q cites %s: %v", strings.TrimSpace(cells[2]), m[1], err)
			}
		}
		kind := cells[3]
		if strings.Contains(held, "—") && (strings.Contains(kind, "secret") || strings.Contains(kind, "shareable")) &&
			!strings.Contains(cells[2], "stdout") {
			t.Errorf("row %q is %s but no test holds it", strings.TrimSpace(cells[2]), strings.TrimSpace(kind))
		}
	}
	if rows < 20 {
		t.Errorf("read %d rows: the table's format changed", rows)
	}
}
