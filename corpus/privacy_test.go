package corpus

import (
	"context"
	"encoding/json"
	"io/fs"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	pq "github.com/parquet-go/parquet-go"

	"github.com/wxaudit/wxaudit/report"
	"github.com/wxaudit/wxaudit/serve"
	"github.com/wxaudit/wxaudit/store"
	"github.com/wxaudit/wxaudit/store/parquet"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// identifyingTypes are the data types whose values a shared file must not
// hold (report.Redactor pseudonymises them).
var identifyingTypes = map[string]bool{
	string(taxonomy.AccountID): true, string(taxonomy.DeviceID): true, string(taxonomy.SessionToken): true,
	string(taxonomy.IPAddress): true, string(taxonomy.SearchQuery): true, string(taxonomy.WiFi): true,
	string(taxonomy.ProfileName): true, string(taxonomy.PhoneNumber): true,
}

// TestParquetShareable: parquet/ holds the shareable tables (no value of
// an identifying type, coordinates coarsened, no payloads), parquet-raw/
// the raw ones only with --reveal; every file of the corpus folder is the
// owner's only.
func TestParquetShareable(t *testing.T) {
	dir := t.TempDir()
	a := synthRun(t, dir, "loc", "miniprogram-location", 5)
	b := synthRun(t, dir, "search", "search", 6)
	out := filepath.Join(dir, "study")
	if _, err := Run(context.Background(), []string{a, b}, Options{Out: out, Jobs: 2}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, parquet.RawDir)); !os.IsNotExist(err) {
		t.Errorf("%s written without Reveal: %v", parquet.RawDir, err)
	}
	raw := storeFindings(t, out)
	secrets, located, redactedStrings := 0, 0, 0
	for label, fs := range raw {
		rows, err := pq.ReadFile[parquet.FindingRow](filepath.Join(parquet.PartitionDir(out, "findings", label), "part-0.parquet"))
		if err != nil || len(rows) != len(fs) {
			t.Fatalf("%s: %d rows (%v), store %d", label, len(rows), err, len(fs))
		}
		hidden := map[string]bool{}
		for _, f := range fs {
			if identifyingTypes[f.DataType] && len(f.Evidence.Value) >= 4 {
				hidden[f.Evidence.Value] = true
			}
		}
		for i, row := range rows {
			for v := range hidden {
				if strings.Contains(row.Value, v) || strings.Contains(row.URI, v) || strings.Contains(row.Reason, v) {
					t.Errorf("%s: parquet finding %s holds %q in clear", label, row.ID, v)
				}
			}
			if identifyingTypes[row.DataType] {
				secrets++
			}
			if row.Lat != nil {
				located++
				if *row.Lat != report.Coord(*row.Lat) || *row.Lon != report.Coord(*row.Lon) {
					t.Errorf("%s: %s: coordinate %v,%v not coarsened", label, rows[i].ID, *row.Lat, *row.Lon)
				}
			}
		}
		reqs, err := pq.ReadFile[parquet.RequestRow](filepath.Join(parquet.PartitionDir(out, "requests", label), "part-0.parquet"))
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range reqs {
			if q.Payload != nil {
				t.Fatalf("%s: request %d: a payload in the shareable table", label, q.ID)
			}
		}
		strs, err := pq.ReadFile[parquet.StringRow](filepath.Join(parquet.PartitionDir(out, "strings", label), "part-0.parquet"))
		if err != nil || len(strs) != storeStrings(t, out, label) {
			t.Fatalf("%s: %d shareable strings (%v), store %d", label, len(strs), err, storeStrings(t, out, label))
		}
		for _, row := range strs {
			for v := range hidden {
				if strings.Contains(row.Value, v) {
					t.Errorf("%s: parquet string at %s holds %q in clear", label, row.FieldPath, v)
				}
			}
			redactedStrings += len(hidden)
		}
	}
	if secrets == 0 || located == 0 || redactedStrings == 0 {
		t.Fatalf("the runs have %d identifying and %d located findings, %d strings checked against a hidden value: the test checks nothing", secrets, located, redactedStrings)
	}
	checkPrivate(t, out)

	// --reveal adds the raw tables, values and payloads in clear.
	if _, err := Run(context.Background(), []string{a, b}, Options{Out: out, Jobs: 2, Reveal: true, Add: true, Settings: "reveal"}); err != nil {
		t.Fatal(err)
	}
	payloads, rawSecrets := 0, 0
	for label, fs := range raw {
		rows, err := pq.ReadFile[parquet.FindingRow](filepath.Join(parquet.RawPartitionDir(out, "findings", label), "part-0.parquet"))
		if err != nil {
			t.Fatal(err)
		}
		byID := map[string]string{}
		for _, f := range fs {
			byID[f.ID] = f.Evidence.Value
		}
		for _, row := range rows {
			if row.Value != byID[row.ID] {
				t.Errorf("%s: raw finding %s = %q, store %q", label, row.ID, row.Value, byID[row.ID])
			}
		}
		strs, err := pq.ReadFile[parquet.StringRow](filepath.Join(parquet.RawPartitionDir(out, "strings", label), "part-0.parquet"))
		if err != nil || len(strs) != storeStrings(t, out, label) {
			t.Errorf("%s: %d raw strings (%v), store %d", label, len(strs), err, storeStrings(t, out, label))
		}
		for _, row := range strs {
			for _, f := range fs {
				if identifyingTypes[f.DataType] && len(f.Evidence.Value) >= 4 && strings.Contains(row.Value, f.Evidence.Value) {
					rawSecrets++
				}
			}
			d, err := storeRequest(t, out, label, int(row.Request))
			if err != nil || !slices.Contains(d.Strings, store.String{FieldPath: row.FieldPath, Value: row.Value}) {
				t.Errorf("%s: raw string %s=%q is not the store's (%v)", label, row.FieldPath, row.Value, err)
			}
		}
		reqs, _ := pq.ReadFile[parquet.RequestRow](filepath.Join(parquet.RawPartitionDir(out, "requests", label), "part-0.parquet"))
		for _, q := range reqs {
			if q.Payload != nil {
				payloads++
			}
		}
	}
	if payloads == 0 || rawSecrets == 0 {
		t.Errorf("the raw tables hold %d payloads, %d strings with an identifying value: the shareable strings were tested on nothing", payloads, rawSecrets)
	}
	checkPrivate(t, out)
}

// storeFindings reads every run's findings from the store, in id order.
func storeFindings(t *testing.T, out string) map[string][]report.Finding {
	t.Helper()
	st, err := store.OpenReadOnly(filepath.Join(out, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m := map[string][]report.Finding{}
	for label := range storedRuns(t, out) {
		fs, _, err := st.Findings(context.Background(), store.FindingFilter{Run: label, Page: store.Page{Limit: store.MaxLimit}})
		if err != nil {
			t.Fatal(err)
		}
		m[label] = fs
	}
	return m
}

// storeStrings counts the decoded strings the store holds for a run.
func storeStrings(t *testing.T, out, label string) int {
	t.Helper()
	st, err := store.OpenReadOnly(filepath.Join(out, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var n int
	if err := st.DB().QueryRow(`SELECT count(*) FROM strings WHERE run = ?`, label).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func storeRequest(t *testing.T, out, label string, id int) (*store.RequestDetail, error) {
	t.Helper()
	st, err := store.OpenReadOnly(filepath.Join(out, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	return st.Request(context.Background(), label, id)
}

// checkPrivate: every file under dir is 0600, every folder 0700.
func checkPrivate(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		fi, _ := d.Info()
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", p, fi.Mode().Perm(), want)
		}
		return nil
	})
}

// TestLockWaits: a corpus run on a folder another run holds waits, says
// so, and touches nothing (not even the other run's staging folder) until
// the lock is free; then it stores every run once.
func TestLockWaits(t *testing.T) {
	dir := t.TempDir()
	a := synthRun(t, dir, "a", "search", 1)
	out := filepath.Join(dir, "study")
	os.MkdirAll(filepath.Join(out, stagingDir), 0o700)
	marker := filepath.Join(out, stagingDir, "spool-of-the-other-run")
	os.WriteFile(marker, nil, 0o600)
	unlock, err := lock(context.Background(), out, nil)
	if err != nil {
		t.Fatal(err)
	}
	waiting := make(chan string, 1)
	done := make(chan error, 1)
	var notices []string // written by Run's goroutine, read after done
	go func() {
		_, err := Run(context.Background(), []string{a}, Options{Out: out, Notice: func(s string) {
			notices = append(notices, s)
			select {
			case waiting <- s:
			default:
			}
		}})
		done <- err
	}()
	if msg := <-waiting; !strings.Contains(msg, "waiting for another corpus run") {
		t.Fatalf("first notice %q", msg)
	}
	if _, err := os.Stat(marker); err != nil {
		t.Fatalf("the waiting run touched the staging folder: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, store.FileName)); !os.IsNotExist(err) {
		t.Fatalf("the waiting run opened the store: %v", err)
	}
	unlock()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if runs := storedRuns(t, out); len(runs) != 1 {
		t.Errorf("%d runs stored, want 1", len(runs))
	}
	// Once it holds the lock, what is in the staging folder was left by a
	// killed run: removed, and said.
	if len(notices) != 2 || !strings.Contains(notices[1], "removed 1 files") || !strings.Contains(notices[1], "killed") {
		t.Errorf("notices %q, want the wait then the removal", notices)
	}
	if _, err := os.Stat(marker); !os.IsNotExist(err) {
		t.Errorf("the killed run's spool is still there: %v", err)
	}
}

// TestConcurrentAdd: two corpus --add on one folder at once both succeed
// and the store ends with every run once.
func TestConcurrentAdd(t *testing.T) {
	dir := t.TempDir()
	a := synthRun(t, dir, "a", "search", 1)
	b := synthRun(t, dir, "b", "channels", 2)
	out := filepath.Join(dir, "study")
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			_, err := Run(context.Background(), []string{a, b}, Options{Out: out, Add: true, Jobs: 1})
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	runs := storedRuns(t, out)
	if len(runs) != 2 || runs["a"].Status != store.StatusOK || runs["b"].Status != store.StatusOK {
		t.Errorf("stored %+v", runs)
	}
}

// TestServeUsesParquetPseudonyms: serve over a corpus shows the pseudonyms
// of its shareable Parquet files, so a reader can go from one to the
// other.
func TestServeUsesParquetPseudonyms(t *testing.T) {
	dir := t.TempDir()
	a := synthRun(t, dir, "search", "search", 6)
	out := filepath.Join(dir, "study")
	if _, err := Run(context.Background(), []string{a}, Options{Out: out}); err != nil {
		t.Fatal(err)
	}
	rows, err := pq.ReadFile[parquet.FindingRow](filepath.Join(parquet.PartitionDir(out, "findings", "search"), "part-0.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	want := ""
	for _, r := range rows {
		if r.DataType == string(taxonomy.SearchQuery) {
			want = r.Value
			break
		}
	}
	if !strings.HasPrefix(want, "[search_query ") {
		t.Fatalf("no pseudonymised search query in the Parquet findings (%q)", want)
	}
	src, err := serve.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	h, err := serve.New(context.Background(), src, serve.Options{})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/api/search?q="+url.QueryEscape(want), nil)
	req.Host = "localhost:8765"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var res serve.SearchResult
	if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) == 0 || !strings.Contains(res.Hits[0].Text, want) {
		t.Errorf("serve does not show the Parquet pseudonym %s: %+v", want, res.Hits)
	}
}
