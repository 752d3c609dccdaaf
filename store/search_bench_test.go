package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wxaudit/wxaudit/report"
)

// BenchmarkSearch times Search ("after") and the code it replaced
// ("before": a LIKE scan for one or two characters, the trigram index
// with a sort of every hit for more) on corpora of 12 to 1,000 runs, built from a corpus of the
// shared request logs by copying its runs under new labels through
// PutRun (BENCHMARKS.md has the commands):
//
//	WXAUDIT_BENCH_CORPUS  a corpus.db to copy runs from (required)
//	WXAUDIT_BENCH_DIR     where the copies are kept between invocations
//	WXAUDIT_BENCH_RUNS    corpus sizes, default 12,100,300,1000
//
// Each op is one query of the class, cycling through searchClasses; the
// p50 and p99 of the ops' times are reported beside ns/op.
func BenchmarkSearch(b *testing.B) {
	src := os.Getenv("WXAUDIT_BENCH_CORPUS")
	if src == "" {
		b.Skip("WXAUDIT_BENCH_CORPUS is not set: the corpus.db of `wxaudit corpus` over the shared request logs")
	}
	dir := os.Getenv("WXAUDIT_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	sizes := os.Getenv("WXAUDIT_BENCH_RUNS")
	if sizes == "" {
		sizes = "12,100,300,1000"
	}
	for _, f := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(f)
		if err != nil {
			b.Fatalf("WXAUDIT_BENCH_RUNS: %v", err)
		}
		st := benchStore(b, src, filepath.Join(dir, fmt.Sprintf("runs-%d.db", n)), n)
		for _, c := range searchClasses {
			for _, impl := range []string{"before", "after"} {
				search := st.Search
				if impl == "before" {
					search = st.searchBefore
				}
				b.Run(fmt.Sprintf("runs=%d/%s/%s", n, c.name, impl), func(b *testing.B) {
					ctx := context.Background()
					times := make([]time.Duration, 0, b.N)
					slowest, slowestQ := time.Duration(0), ""
					for i := 0; b.Loop(); i++ {
						q := c.queries[i%len(c.queries)]
						start := time.Now()
						if _, err := search(ctx, q, SearchFilter{Page: Page{Limit: 1001}}); err != nil {
							b.Fatal(err)
						}
						d := time.Since(start)
						times = append(times, d)
						if d > slowest {
							slowest, slowestQ = d, q
						}
					}
					b.Logf("slowest: %q %v", slowestQ, slowest)
					slices.Sort(times)
					b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
					b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
				})
			}
		}
		st.Close()
	}
}

// searchClasses are the query classes of BENCHMARKS.md, each with common,
// rare and absent queries from the shared logs' strings. Limit 1001 is
// what serve asks for (its MaxLimit and one more).
var searchClasses = []struct {
	name    string
	queries []string
}{
	{"cjk1", []string{"程", "小", "滴", "门", "北"}},
	{"cjk2", []string{"程序", "滴滴", "搜索", "入口", "北京"}},
	{"ascii1", []string{"e", "x", "1", "/", "Q"}},
	{"ascii2", []string{"wx", "id", "HT", "zq", "0a"}},
	{"long", []string{"http", "appid", "小程序", "wxe5f52902", "com", "no such value"}},
}

// benchStore opens path, first filling it with n runs copied from the
// store at src (labels c0000-<label>, c0001-<label>, …) if it holds
// none.
func benchStore(b *testing.B, src, path string, n int) *Store {
	b.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		b.Fatal(err)
	}
	st, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if runs, err := st.Runs(ctx); err != nil || len(runs) == n {
		if err != nil {
			b.Fatal(err)
		}
		return st
	} else if len(runs) != 0 {
		b.Fatalf("%s holds %d runs, not %d: remove it", path, len(runs), n)
	}
	from, err := OpenReadOnly(src)
	if err != nil {
		b.Fatal(err)
	}
	defer from.Close()
	runs, err := from.Runs(ctx)
	if err != nil || len(runs) == 0 {
		b.Fatalf("%s: %d runs, %v", src, len(runs), err)
	}
	start := time.Now()
	for i := range n {
		r := runs[i%len(runs)]
		if err := copyRun(ctx, from, st, r, fmt.Sprintf("c%04d-%s", i/len(runs), r.Run)); err != nil {
			b.Fatal(err)
		}
	}
	fi, _ := os.Stat(path)
	b.Logf("built %s: %d runs in %v, %d bytes", path, n, time.Since(start).Round(time.Millisecond), fi.Size())
	return st
}

// copyRun stores run r of from in to under label, with its requests,
// findings, payloads and strings.
func copyRun(ctx context.Context, from, to *Store, r Run, label string) error {
	rep := &report.Report{}
	err := from.Replay(ctx, r.Run, func(q *report.Request, fs []report.Finding) error {
		q.Run = label
		rep.Requests = append(rep.Requests, *q)
		for _, f := range fs {
			f.Run = label
			rep.Findings = append(rep.Findings, f)
		}
		return nil
	})
	if err != nil {
		return err
	}
	r.Run = label
	return to.PutRun(ctx, r, rep, func(yield func(Payload) error) error {
		for _, q := range rep.Requests {
			d, err := from.Request(ctx, strings.SplitN(label, "-", 2)[1], q.ID)
			if err != nil {
				return err
			}
			if err := yield(Payload{Request: q.ID, Bytes: d.Payload, Strings: d.Strings}); err != nil {
				return err
			}
		}
		return nil
	})
}
