package corpus

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/wxaudit/wxaudit/internal/fixtures"
	"github.com/wxaudit/wxaudit/internal/testkit"
)

// chainLogs writes a chain of n cumulative logs: step k is the shared
// login log k times over, so each run's own segment is one login log.
func chainLogs(t *testing.T, n int) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtures.Dir(t), "report-logs", "login_1.log.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var paths []string
	for k := 1; k <= n; k++ {
		p := filepath.Join(dir, fmt.Sprintf("step%02d.log.jsonl", k))
		writeFile(t, p, bytes.Repeat(b, k))
		paths = append(paths, p)
	}
	return paths
}

// TestCorpusMemoryFlat: the live heap of a corpus over one chain of
// request logs does not grow with the chain's length (4 runs against 28):
// a chain is streamed and stored a run at a time. Before (the whole
// chain's report in memory, oneJob) it grew by about 0.4 MB a run, 10 MB
// here; now by what analyze keeps per finding (the IDs given) and per run.
func TestCorpusMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("analyses 20 runs")
	}
	if testkit.Race {
		t.Skip("the race detector's shadow memory changes the live heap this test measures")
	}
	measure := func(n int, oneJob bool) uint64 {
		paths := chainLogs(t, n)
		out := filepath.Join(t.TempDir(), "study")
		var err error
		live := testkit.PeakLive(func() {
			_, err = Run(context.Background(), paths, Options{Out: out, Jobs: 1, oneJob: oneJob})
		})
		if err != nil {
			t.Fatal(err)
		}
		if r := storedRuns(t, out)[fmt.Sprintf("step%02d", n)]; r.SkipLines == 0 {
			t.Fatalf("the chain was not split: %+v", r)
		}
		return live
	}
	short, long := measure(4, false), measure(28, false)
	t.Logf("peak live heap: 4 runs %.1f MB, 28 runs %.1f MB", float64(short)/1e6, float64(long)/1e6)
	if long > short+5<<20 {
		t.Errorf("peak live heap grows with the chain: %.1f MB for 4 runs, %.1f MB for 28", float64(short)/1e6, float64(long)/1e6)
	}
	if testing.Verbose() {
		t.Logf("the whole chain in memory (before): 4 runs %.1f MB, 28 runs %.1f MB", float64(measure(4, true))/1e6, float64(measure(28, true))/1e6)
	}
}
