// Package testkit holds the helpers the packages' tests share: golden-file
// comparison (rewritten with -update), annotated hex literals, the list
// of a package's exported identifiers, and the peak live heap of a call.
package testkit

import (
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Golden compares got with the golden file at path, first rewriting the
// file when update is set (the -update flag of the calling package).
// Failures print a diff "(-want +got)".
func Golden(tb testing.TB, path, got string, update bool) {
	tb.Helper()
	if update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (run the test with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		tb.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}

// Hex decodes a hex literal laid out as test vectors are: any white space
// between bytes, and "#" comments to the end of a line. It panics on a
// malformed literal: that is a mistake in the test itself.
func Hex(s string) []byte {
	var sb strings.Builder
	for line := range strings.Lines(s) {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		sb.WriteString(strings.Join(strings.Fields(line), ""))
	}
	b, err := hex.DecodeString(sb.String())
	if err != nil {
		panic("testkit: bad hex literal: " + err.Error())
	}
	return b
}
