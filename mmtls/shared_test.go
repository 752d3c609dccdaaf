package mmtls

import (
	"flag"
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

// dhex decodes an annotated hex literal (see internal/testkit).
var dhex = testkit.Hex
