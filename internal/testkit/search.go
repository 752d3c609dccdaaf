package testkit

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// SearchClasses are the query classes of BENCHMARKS.md's search table,
// each with common, rare and absent queries from the shared request logs'
// strings; store's BenchmarkSearch and serve's BenchmarkServeSearch use
// them.
var SearchClasses = []struct {
	Name    string
	Queries []string
}{
	{"cjk1", []string{"程", "小", "滴", "门", "北"}},
	{"cjk2", []string{"程序", "滴滴", "搜索", "入口", "北京"}},
	{"ascii1", []string{"e", "x", "1", "/", "Q"}},
	{"ascii2", []string{"wx", "id", "HT", "zq", "0a"}},
	{"long", []string{"http", "appid", "小程序", "wxe5f52902", "com", "no such value"}},
}

// BenchRuns returns the corpus sizes of the search benchmarks:
// WXAUDIT_BENCH_RUNS, by default 12,100,300,1000.
func BenchRuns(b *testing.B) []int {
	env := os.Getenv("WXAUDIT_BENCH_RUNS")
	if env == "" {
		env = "12,100,300,1000"
	}
	var out []int
	for _, f := range strings.Split(env, ",") {
		n, err := strconv.Atoi(f)
		if err != nil {
			b.Fatalf("WXAUDIT_BENCH_RUNS: %v", err)
		}
		out = append(out, n)
	}
	return out
}

// Timed runs op once per benchmark iteration with the iteration's number
// and reports the p50 and p99 of its times (p50-ms, p99-ms) beside ns/op.
func Timed(b *testing.B, op func(i int)) {
	times := make([]time.Duration, 0, b.N)
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		op(i)
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
}
