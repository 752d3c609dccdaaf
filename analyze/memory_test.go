package analyze

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/wxaudit/wxaudit/internal/fixtures"
	"github.com/wxaudit/wxaudit/internal/testkit"
	"github.com/wxaudit/wxaudit/policy"
	"github.com/wxaudit/wxaudit/report"
)

// repeatedLog writes the shared startup log n times over into one file:
// n times the requests, each seen n times (findings with "-k" IDs).
func repeatedLog(tb testing.TB, n int) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(fixtures.Dir(tb), "report-logs", "startup_data_1.log.jsonl"))
	if err != nil {
		tb.Fatal(err)
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		b = append(b, '\n')
	}
	path := filepath.Join(tb.TempDir(), "startup.log.jsonl")
	if err := os.WriteFile(path, bytes.Repeat(b, n), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// peakMemory runs fn while sampling the Go heap: the peak of the live heap
// (as marked by each collection), of the bytes in heap objects (live or
// not yet swept) and of all memory the runtime mapped, in bytes.
func peakMemory(fn func()) (live, heap, total uint64) {
	p := testkit.Peaks(fn, "/gc/heap/live:bytes", "/memory/classes/heap/objects:bytes", "/memory/classes/total:bytes")
	return p[0], p[1], p[2]
}

func writeRepeated(tb testing.TB, path string) (*Written, string) {
	tb.Helper()
	m, err := policy.Builtin("wechat")
	if err != nil {
		tb.Fatal(err)
	}
	out := filepath.Join(tb.TempDir(), "report")
	w, err := Write(context.Background(), []Input{{Path: path}}, Options{KeepPayloads: true, Policy: m}, out, report.RenderOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	return w, out
}

// TestWriteMemoryFlat: Write's live heap does not grow with the requests
// or the findings. The shared startup log given 2 and 12 times over makes
// 6 times the requests and findings; each is analysed twice. What may grow: the finding IDs that
// policy.json lists, packed (8 bytes a finding), and the summaries'
// distinct values. Holding each request's head (the timeline and evidence
// headings) measured about 1,000 bytes per added request, and the IDs as
// strings about 80 bytes per added finding.
func TestWriteMemoryFlat(t *testing.T) {
	if testing.Short() || testkit.Race {
		t.Skip("analyses 27k requests")
	}
	var lives [2]uint64
	var findings, requests [2]int
	for i, n := range []int{2, 12} {
		path := repeatedLog(t, n)
		// The smaller of two peaks: a sample may catch a collection late,
		// with an evidence page's garbage still counted live.
		for try := range 2 {
			requests[i] = 0
			live, heap, _ := peakMemory(func() {
				w, _ := writeRepeated(t, path)
				findings[i] = w.Findings
				for _, run := range w.Report.Runs {
					requests[i] += run.Requests
				}
			})
			if try == 0 || live < lives[i] {
				lives[i] = live
			}
			t.Logf("%dx: %d requests, %d findings, peak live heap %.1f MB, peak heap %.1f MB", n, requests[i], findings[i], float64(live)/1e6, float64(heap)/1e6)
		}
	}
	grew := float64(int64(lives[1]) - int64(lives[0]))
	perRequest := grew / float64(requests[1]-requests[0])
	perFinding := grew / float64(findings[1]-findings[0])
	t.Logf("live heap grew %.1f MB: %.0f bytes per added request, %.1f per added finding", grew/1e6, perRequest, perFinding)
	// Bounds far above what is held (8 bytes a finding, 12 findings a
	// request here) and far below what was: a collection's timing moves
	// the sampled peak by a megabyte or two.
	if perRequest > 500 {
		t.Errorf("the live heap grows by %.0f bytes per request: requests are held in memory", perRequest)
	}
	if perFinding > 40 {
		t.Errorf("the live heap grows by %.1f bytes per finding: findings are held in memory", perFinding)
	}
}

// BenchmarkWrite15k is analyze --out on the shared startup log 16 times
// over (15,232 requests): it reports the peak Go heap and the memory the
// runtime mapped. Run with -benchtime 1x; BENCHMARKS.md has the figures.
func BenchmarkWrite15k(b *testing.B) {
	path := repeatedLog(b, 16)
	st, _ := os.Stat(path)
	b.SetBytes(st.Size())
	var live, heap, total uint64
	for b.Loop() {
		l, h, tt := peakMemory(func() { writeRepeated(b, path) })
		live, heap, total = max(live, l), max(heap, h), max(total, tt)
	}
	b.ReportMetric(float64(live)/1e6, "peak-live-MB")
	b.ReportMetric(float64(heap)/1e6, "peak-heap-MB")
	b.ReportMetric(float64(total)/1e6, "peak-mapped-MB")
}
