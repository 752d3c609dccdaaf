package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wxaudit/wxaudit/internal/testkit"
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
// Each op is one query of the class, cycling through
// testkit.SearchClasses; the p50 and p99 of the ops' times are reported
// beside ns/op.
func BenchmarkSearch(b *testing.B) {
	src := os.Getenv("WXAUDIT_BENCH_CORPUS")
	if src == "" {
		b.Skip("WXAUDIT_BENCH_CORPUS is not set: the corpus.db of `wxaudit corpus` over the shared request logs")
	}
	dir := os.Getenv("WXAUDIT_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	for _, n := range testkit.BenchRuns(b) {
		st := benchStore(b, src, filepath.Join(dir, fmt.Sprintf("runs-%d.db", n)), n)
		for _, c := range testkit.SearchClasses {
			for _, impl := range []string{"before", "after"} {
				search := st.Search
				if impl == "before" {
					search = st.searchBefore
				}
				// Limit 1001: what serve asks for (its MaxLimit and one more).
				b.Run(fmt.Sprintf("runs=%d/%s/%s", n, c.Name, impl), func(b *testing.B) {
					ctx := context.Background()
					testkit.Timed(b, func(i int) {
						if _, err := search(ctx, c.Queries[i%len(c.Queries)], SearchFilter{Page: Page{Limit: 1001}}); err != nil {
							b.Fatal(err)
						}
					})
				})
			}
		}
		st.Close()
	}
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
