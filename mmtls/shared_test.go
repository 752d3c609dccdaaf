package mmtls

import (
	"encoding/hex"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/wxaudit/wxaudit/internal/fixtures"
	"github.com/wxaudit/wxaudit/internal/testkit"
)

var update = flag.Bool("update", false, "rewrite golden files")

// sharedDir returns the Citizen Lab fixture folder (see internal/fixtures).
func sharedDir(t testing.TB) string {
	t.Helper()
	return fixtures.Dir(t)
}

// readHexFile reads a fixture of whitespace-separated hex bytes. Lines in
// hexdump form ("0000  0A 6A ...  ascii") are accepted too: the offset column
// and the ASCII column are dropped.
func readHexFile(t testing.TB, path string) []byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []byte
	for line := range strings.Lines(string(raw)) {
		line = strings.TrimRight(line, "\r\n")
		if len(line) > 6 && line[4] == ' ' && line[5] == ' ' {
			line = line[6:]
			if i := strings.Index(line, "  "); i >= 0 {
				line = line[:i]
			}
		}
		b, err := hex.DecodeString(strings.Join(strings.Fields(line), ""))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, b...)
	}
	return out
}

// dhex decodes an annotated hex literal (see internal/testkit).
var dhex = testkit.Hex
