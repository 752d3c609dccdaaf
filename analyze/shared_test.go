package analyze

import (
	"context"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/wxaudit/wxaudit/internal/fixtures"
	"github.com/wxaudit/wxaudit/report"
)

// sharedLogs returns the Citizen Lab report logs, skipping the test when the
// shared fixtures are absent unless WXAUDIT_REQUIRE_SHARED=1 (internal/fixtures).
func sharedLogs(t testing.TB) []string {
	t.Helper()
	dir := filepath.Join(fixtures.Dir(t), "report-logs")
	files, _ := filepath.Glob(filepath.Join(dir, "*.log.jsonl"))
	if len(files) == 0 {
		t.Fatalf("no report logs in %s", dir)
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

var (
	sharedOnce sync.Once
	sharedRep  *report.Report
	sharedErr  error
)

// sharedReport analyses all shared logs once per test binary (each run is
// its own segment); tests must not modify the report.
func sharedReport(t testing.TB) *report.Report {
	t.Helper()
	in := sharedInputs(t)
	sharedOnce.Do(func() { sharedRep, sharedErr = Run(context.Background(), in, Options{}) })
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return sharedRep
}
