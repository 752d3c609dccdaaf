package serve

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/wxaudit/wxaudit/internal/testkit"
	"github.com/wxaudit/wxaudit/store"
)

// BenchmarkServeSearch times /api/search, redaction and the endpoint and
// finding matches included, over the corpora store's BenchmarkSearch
// builds (run it first): WXAUDIT_BENCH_DIR holds runs-N.db, and
// WXAUDIT_BENCH_RUNS lists the N (default 12,100,300,1000). Each op is one
// query of the class (testkit.SearchClasses); p50 and p99 are reported
// beside ns/op.
func BenchmarkServeSearch(b *testing.B) {
	dir := os.Getenv("WXAUDIT_BENCH_DIR")
	if dir == "" {
		b.Skip("WXAUDIT_BENCH_DIR is not set: the folder where store's BenchmarkSearch built its corpora")
	}
	for _, n := range testkit.BenchRuns(b) {
		path := filepath.Join(dir, fmt.Sprintf("runs-%d.db", n))
		st, err := store.OpenReadOnly(path)
		if err != nil {
			b.Fatal(err)
		}
		h, err := New(context.Background(), NewStoreSource(st, path), Options{})
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range testkit.SearchClasses {
			b.Run(fmt.Sprintf("runs=%d/%s", n, c.Name), func(b *testing.B) {
				testkit.Timed(b, func(i int) {
					req := httptest.NewRequest("GET", "/api/search?q="+url.QueryEscape(c.Queries[i%len(c.Queries)]), nil)
					req.Host = "127.0.0.1"
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK {
						b.Fatalf("%d %s", rec.Code, rec.Body)
					}
				})
			})
		}
		st.Close()
	}
}
