package analyze

import (
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// sharedLogs returns the Citizen Lab report logs, skipping the test when the
// shared fixtures are absent unless WXAUDIT_REQUIRE_SHARED=1.
func sharedLogs(t testing.TB) []string {
	t.Helper()
	dir := filepath.Join("..", "..", "shared", "fixtures", "citizenlab", "report-logs")
	files, _ := filepath.Glob(filepath.Join(dir, "*.log.jsonl"))
	if len(files) == 0 {
		if os.Getenv("WXAUDIT_REQUIRE_SHARED") == "1" {
			t.Fatalf("shared fixtures missing at %s (WXAUDIT_REQUIRE_SHARED=1)", dir)
		}
		t.Skipf("shared fixtures not found at %s", dir)
	}
	sort.Strings(files)
	return files
}

func sharedInputs(t testing.TB) []Input {
	var in []Input
	for _, f := range sharedLogs(t) {
		in = append(in, Input{Path: f})
	}
	return in
}
