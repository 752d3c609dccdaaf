package serve

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wxaudit/wxaudit/store"
)

// BenchmarkServeSearch times /api/search, redaction and the endpoint and
// finding matches included, over the corpora store's BenchmarkSearch
// builds (run it first): WXAUDIT_BENCH_DIR holds runs-N.db, and
// WXAUDIT_BENCH_RUNS lists the N (default 12,100,300,1000). Each op is one
// query of the class; p50 and p99 are reported beside ns/op.
func BenchmarkServeSearch(b *testing.B) {
	dir := os.Getenv("WXAUDIT_BENCH_DIR")
	if dir == "" {
		b.Skip("WXAUDIT_BENCH_DIR is not set: the folder where store's BenchmarkSearch built its corpora")
	}
	sizes := os.Getenv("WXAUDIT_BENCH_RUNS")
	if sizes == "" {
		sizes = "12,100,300,1000"
	}
	classes := []struct {
		name    string
		queries []string
	}{
		{"cjk1", []string{"程", "小", "滴", "门", "北"}},
		{"cjk2", []string{"程序", "滴滴", "搜索", "入口", "北京"}},
		{"ascii1", []string{"e", "x", "1", "/", "Q"}},
		{"ascii2", []string{"wx", "id", "HT", "zq", "0a"}},
		{"long", []string{"http", "appid", "小程序", "wxe5f52902", "com", "no such value"}},
	}
	for _, f := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(f)
		if err != nil {
			b.Fatal(err)
		}
		path := filepath.Join(dir, fmt.Sprintf("runs-%d.db", n))
		st, err := store.OpenReadOnly(path)
		if err != nil {
			b.Fatal(err)
		}
		h, err := New(context.Background(), NewStoreSource(st, path), Options{})
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range classes {
			b.Run(fmt.Sprintf("runs=%d/%s", n, c.name), func(b *testing.B) {
				times := make([]time.Duration, 0, b.N)
				for i := 0; b.Loop(); i++ {
					req := httptest.NewRequest("GET", "/api/search?q="+url.QueryEscape(c.queries[i%len(c.queries)]), nil)
					req.Host = "127.0.0.1"
					rec := httptest.NewRecorder()
					start := time.Now()
					h.ServeHTTP(rec, req)
					times = append(times, time.Since(start))
					if rec.Code != http.StatusOK {
						b.Fatalf("%d %s", rec.Code, rec.Body)
					}
				}
				slices.Sort(times)
				b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
			})
		}
		st.Close()
	}
}
