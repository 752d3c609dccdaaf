package analyze

import (
	"context"
	"os"
	"sort"
	"testing"
)

// BenchmarkAnalyze measures analysis throughput on the longest shared log
// (every request once, no prefix pass): bytes/s of input and requests/s.
func BenchmarkAnalyze(b *testing.B) {
	files := sharedLogs(b)
	sort.Slice(files, func(i, j int) bool { return size(files[i]) > size(files[j]) })
	in := []Input{{Path: files[0]}}
	b.SetBytes(size(files[0]))
	b.ReportAllocs()
	reqs := 0
	for b.Loop() {
		rep, err := Run(context.Background(), in, Options{NoPrefix: true})
		if err != nil {
			b.Fatal(err)
		}
		reqs = rep.Runs[0].Requests
	}
	b.ReportMetric(float64(reqs)*float64(b.N)/b.Elapsed().Seconds(), "requests/s")
}

func size(p string) int64 {
	st, err := os.Stat(p)
	if err != nil {
		return 0
	}
	return st.Size()
}
