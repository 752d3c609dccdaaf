package corpus

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	pq "github.com/parquet-go/parquet-go"

	"github.com/wxaudit/wxaudit/internal/fixtures"
	"github.com/wxaudit/wxaudit/store"
	"github.com/wxaudit/wxaudit/store/parquet"
	"github.com/wxaudit/wxaudit/synth"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// plantedBrowsing reads a synthetic run's ground truth: a request planted
// with a Mini Program page path, or with UI events or stay times beside
// the Mini Program's id.
func plantedBrowsing(t *testing.T, dir string) bool {
	f, err := os.Open(filepath.Join(dir, synth.FileManifest))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	entries, err := synth.ReadManifest(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		types := map[taxonomy.DataType]bool{}
		for _, p := range e.Planted {
			types[p.DataType] = true
		}
		if types[taxonomy.MiniProgramPagePath] || (types[taxonomy.MiniProgramID] && (types[taxonomy.UIEvents] || types[taxonomy.UsageStatistics])) {
			return true
		}
	}
	return false
}

// Over 24 synthetic run folders of every scenario (and the published
// request logs when present), every run is analysed, runs.miniprogram_browsing
// matches what synth planted run by run, and the Parquet files hold
// exactly the store's rows.
func TestSyntheticCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 24 synthetic runs")
	}
	dir, out := t.TempDir(), t.TempDir()
	var paths []string
	truth := map[string]bool{}
	for seed := int64(1); seed <= 3; seed++ {
		for _, sc := range synth.Scenarios() {
			if sc.Name == "all" {
				continue
			}
			name := fmt.Sprintf("%s-%d", sc.Name, seed)
			p := synthRun(t, dir, name, sc.Name, seed)
			truth[name] = plantedBrowsing(t, p)
			paths = append(paths, p)
		}
	}
	if len(paths) < 24 {
		t.Fatalf("%d synthetic runs", len(paths))
	}
	logs, _ := filepath.Glob(filepath.Join(fixtures.Dir(t), "report-logs", "*.log.jsonl"))
	paths = append(paths, logs...)
	res := runCorpus(t, out, paths, false)
	if len(res.Failed) != 0 || len(res.Analysed) != len(paths) {
		t.Fatalf("analysed %d of %d, failed %v", len(res.Analysed), len(paths), res.Failed)
	}
	runs := storedRuns(t, out)
	positives := 0
	for name, want := range truth {
		r, ok := runs[name]
		if !ok || r.MiniProgramBrowsing != want {
			t.Errorf("%s: miniprogram_browsing = %v, planted %v", name, r.MiniProgramBrowsing, want)
		}
		if want {
			positives++
		}
	}
	if positives == 0 || positives == len(truth) {
		t.Errorf("ground truth has %d positives of %d: the check cannot fail", positives, len(truth))
	}
	// Parquet against the store, with an independent reader.
	st, err := store.OpenReadOnly(filepath.Join(out, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var storeFindings, storeRequests int
	st.DB().QueryRow(`SELECT count(*) FROM findings`).Scan(&storeFindings)
	st.DB().QueryRow(`SELECT count(*) FROM requests`).Scan(&storeRequests)
	pf, pr := 0, 0
	for label := range runs {
		f, err := pq.ReadFile[parquet.FindingRow](filepath.Join(parquet.PartitionDir(out, "findings", label), "part-0.parquet"))
		if err != nil {
			t.Fatal(err)
		}
		r, err := pq.ReadFile[parquet.RequestRow](filepath.Join(parquet.PartitionDir(out, "requests", label), "part-0.parquet"))
		if err != nil {
			t.Fatal(err)
		}
		pf += len(f)
		pr += len(r)
	}
	if pf != storeFindings || pr != storeRequests || storeFindings == 0 {
		t.Errorf("parquet %d findings, %d requests; store %d, %d", pf, pr, storeFindings, storeRequests)
	}
	if res.Metrics.Findings != storeFindings {
		t.Errorf("metrics.json findings %d, store %d", res.Metrics.Findings, storeFindings)
	}
}
