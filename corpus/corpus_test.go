package corpus

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	pq "github.com/parquet-go/parquet-go"

	"github.com/wxaudit/wxaudit/store"
	"github.com/wxaudit/wxaudit/store/parquet"
	"github.com/wxaudit/wxaudit/synth"
)

// synthRun writes a synthetic run folder and returns its path.
func synthRun(t *testing.T, dir, name, scenario string, seed int64) string {
	t.Helper()
	out := filepath.Join(dir, name)
	if _, err := synth.Generate(synth.Options{Scenario: scenario, Seed: seed, OutDir: out}); err != nil {
		t.Fatal(err)
	}
	return out
}

func runCorpus(t *testing.T, out string, paths []string, add bool) *Result {
	t.Helper()
	res, err := Run(context.Background(), paths, Options{Out: out, Jobs: 2, Add: add})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func storedRuns(t *testing.T, out string) map[string]store.Run {
	t.Helper()
	st, err := store.OpenReadOnly(filepath.Join(out, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	runs, err := st.Runs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]store.Run{}
	for _, r := range runs {
		m[r.Run] = r
	}
	return m
}

// Each run is decrypted with its own folder's keys only: a capture beside
// another run's key log decrypts nothing, although that key log opens the
// other capture.
func TestOwnKeysAndBrowsing(t *testing.T) {
	dir, out := t.TempDir(), t.TempDir()
	a := synthRun(t, dir, "mp", "miniprogram-browse", 1)
	b := synthRun(t, dir, "msg", "messaging", 2)
	// wrong-keys: mp's capture with msg's key logs.
	wrong := filepath.Join(dir, "wrong-keys")
	os.MkdirAll(wrong, 0o755)
	copyFile(t, filepath.Join(a, synth.FileCapturePcapng), filepath.Join(wrong, synth.FileCapturePcapng))
	copyFile(t, filepath.Join(b, synth.FileSecrets), filepath.Join(wrong, synth.FileSecrets))
	res := runCorpus(t, out, []string{a, b, wrong}, false)
	runs := storedRuns(t, out)
	if r := runs["mp"]; !r.MiniProgramBrowsing || r.DecryptedPayloads == 0 || r.Coverage == nil || *r.Coverage != 1 {
		t.Errorf("mp = %+v", r)
	}
	if r := runs["msg"]; r.MiniProgramBrowsing || r.DecryptedPayloads == 0 {
		t.Errorf("msg = %+v", r)
	}
	// Either failed ("the key log does not match") or stored with nothing
	// decrypted: never decrypted with the other folder's keys.
	if r := runs["wrong-keys"]; r.DecryptedPayloads != 0 || r.MiniProgramBrowsing ||
		(r.Status == store.StatusFailed) != slices.Equal(res.Failed, []string{"wrong-keys"}) {
		t.Errorf("wrong-keys decrypted with keys that are not its own: %+v", r)
	}
	var m Metrics
	readJSON(t, filepath.Join(out, MetricsFile), &m)
	if m.RunsWithDecryptedPayload != 2 || m.RunsWithMiniProgramBrowsing != 1 || *m.ShareRunsWithMiniProgramBrowsing != 0.5 {
		t.Errorf("metrics: %d of %d", m.RunsWithMiniProgramBrowsing, m.RunsWithDecryptedPayload)
	}
	html, _ := os.ReadFile(filepath.Join(out, ReportFile))
	if !strings.Contains(string(html), "50.0%") || !strings.Contains(string(html), "Content-Security-Policy") {
		t.Error("report.html lacks the share or the CSP")
	}
	// Parquet findings equal the store's, run by run.
	for label, r := range runs {
		rows, err := pq.ReadFile[parquet.FindingRow](filepath.Join(parquet.PartitionDir(out, "findings", label), "part-0.parquet"))
		if err != nil || len(rows) != r.Findings {
			t.Errorf("%s: parquet findings %d, store %d (%v)", label, len(rows), r.Findings, err)
		}
	}
}

func TestPairing(t *testing.T) {
	dir := t.TempDir()
	a := synthRun(t, dir, "a", "search", 1)
	os.WriteFile(filepath.Join(a, "notes.txt"), []byte("phone on the desk\n"), 0o644)
	src, err := Discover([]string{a}, "")
	if err != nil {
		t.Fatal(err)
	}
	s := src[0]
	if s.Err != nil || filepath.Base(s.Capture) != synth.FileCapturePcapng {
		t.Fatalf("source = %+v", s)
	}
	var kl []string
	for _, k := range s.Keylogs {
		kl = append(kl, filepath.Base(k))
	}
	if !slices.Equal(kl, []string{synth.FileFrida, synth.FileSecrets}) {
		t.Errorf("key logs = %v (notes.txt and manifest.jsonl are not key logs)", kl)
	}
	// run.yaml picks the files and the label.
	os.WriteFile(filepath.Join(a, "run.yaml"), []byte("version: 1\nlabel: chosen\ncategory: health\nkeylogs: ["+synth.FileSecrets+"]\npermissions: {location: off}\n"), 0o644)
	src, _ = Discover([]string{a}, "")
	assignLabels(src, nil)
	if s := src[0]; s.Err != nil || len(s.Keylogs) != 1 || s.Label != "chosen" || s.Meta.Category != "health" {
		t.Errorf("with run.yaml: %+v", s)
	}
	// Folders that cannot be used say why.
	two := filepath.Join(dir, "two")
	os.MkdirAll(two, 0o755)
	copyFile(t, filepath.Join(a, synth.FileCapturePcapng), filepath.Join(two, "one.pcapng"))
	copyFile(t, filepath.Join(a, synth.FileCapturePcapng), filepath.Join(two, "two.pcapng"))
	nokeys := filepath.Join(dir, "nokeys")
	os.MkdirAll(nokeys, 0o755)
	copyFile(t, filepath.Join(a, synth.FileCapturePcapng), filepath.Join(nokeys, "c.pcapng"))
	badyaml := filepath.Join(dir, "badyaml")
	os.MkdirAll(badyaml, 0o755)
	os.WriteFile(filepath.Join(badyaml, "run.yaml"), []byte("version: 1\ncolour: red\n"), 0o644)
	src, _ = Discover([]string{two, nokeys, badyaml}, "")
	want := map[string]string{"two": "2 captures", "nokeys": "no key log", "badyaml": "field colour not found"}
	for _, s := range src {
		if s.Err == nil || !strings.Contains(s.Err.Error(), want[filepath.Base(s.Path)]) {
			t.Errorf("%s: err = %v, want %q", s.Path, s.Err, want[filepath.Base(s.Path)])
		}
	}
}

func TestLabels(t *testing.T) {
	srcs := []Source{
		{Path: "/x/phone-a/run1", Kind: store.KindCapture},
		{Path: "/x/phone-b/run1", Kind: store.KindCapture},
		{Path: "/x/phone-a/定位 开/", Kind: store.KindCapture},
		{Path: "/x/logs/startup_1.log.jsonl", Kind: store.KindLog},
		{Path: "/x/new/kept", Kind: store.KindCapture},
		{Path: "/x/old/kept", Kind: store.KindCapture},
		{Path: "/x/q/../..", Kind: store.KindCapture},
	}
	known := map[string]string{"/x/old/kept": "kept"}
	assignLabels(srcs, known)
	var got []string
	for _, s := range srcs {
		got = append(got, s.Label)
	}
	want := []string{"phone-a-run1", "phone-b-run1", "定位_开", "startup_1", "new-kept", "kept", "run"}
	if !slices.Equal(got, want) {
		t.Errorf("labels = %q, want %q", got, want)
	}
	// Stable: the same sources with the store's labels give the same labels.
	known2 := map[string]string{}
	for _, s := range srcs {
		known2[s.Path] = s.Label
	}
	again := slices.Clone(srcs)
	assignLabels(again, known2)
	for i := range again {
		if again[i].Label != srcs[i].Label {
			t.Errorf("label of %s changed: %s → %s", srcs[i].Path, srcs[i].Label, again[i].Label)
		}
	}
	if l := cleanLabel(strings.Repeat("长", 60)); len(l) > maxLabel || !strings.HasPrefix(l, "长") {
		t.Errorf("long label = %q", l)
	}
}

func TestAdd(t *testing.T) {
	dir, out := t.TempDir(), t.TempDir()
	a := synthRun(t, dir, "a", "search", 1)
	b := synthRun(t, dir, "b", "moments", 1)
	res := runCorpus(t, out, []string{a, b}, false)
	if len(res.Analysed) != 2 {
		t.Fatalf("first: %+v", res)
	}
	before := storedRuns(t, out)
	res = runCorpus(t, out, []string{a, b}, true)
	if len(res.Analysed) != 0 || len(res.Skipped) != 2 {
		t.Errorf("--add with nothing new: %+v", res)
	}
	if _, err := os.Stat(filepath.Join(out, MetricsFile)); err != nil {
		t.Errorf("metrics.json after --add: %v", err)
	}
	// A changed key log and a new run are analysed; the rest is not.
	os.WriteFile(filepath.Join(b, "extra.keylog"), []byte("# wxaudit-secrets v1\n"), 0o644)
	c := synthRun(t, dir, "c", "channels", 1)
	res = runCorpus(t, out, []string{a, b, c}, true)
	if !slices.Equal(res.Analysed, []string{"b", "c"}) || !slices.Equal(res.Skipped, []string{"a"}) {
		t.Errorf("--add: analysed %v, skipped %v", res.Analysed, res.Skipped)
	}
	after := storedRuns(t, out)
	if !after["a"].AnalysedAt.Equal(before["a"].AnalysedAt) || after["b"].Fingerprint == before["b"].Fingerprint || len(after) != 3 {
		t.Errorf("store after --add: %+v", after)
	}
}

// One run that fails is stored as failed with its reason; the others are
// analysed and the metrics leave it out of the denominator.
func TestFailingRunAmongGood(t *testing.T) {
	dir, out := t.TempDir(), t.TempDir()
	a := synthRun(t, dir, "good1", "search", 1)
	b := synthRun(t, dir, "good2", "miniprogram-location", 1)
	bad := filepath.Join(dir, "broken")
	os.MkdirAll(bad, 0o755)
	// A pcapng magic number followed by garbage.
	os.WriteFile(filepath.Join(bad, "capture.pcapng"), append([]byte{0x0a, 0x0d, 0x0d, 0x0a}, make([]byte, 100)...), 0o644)
	copyFile(t, filepath.Join(a, synth.FileSecrets), filepath.Join(bad, "k.keylog"))
	empty := filepath.Join(dir, "empty.log.jsonl")
	os.WriteFile(empty, []byte("not a request log\n"), 0o644)
	res := runCorpus(t, out, []string{a, bad, b, empty}, false)
	if !slices.Equal(res.Failed, []string{"broken", "empty"}) {
		t.Errorf("failed = %v", res.Failed)
	}
	runs := storedRuns(t, out)
	if runs["good1"].Status != store.StatusOK || runs["good2"].Status != store.StatusOK || runs["broken"].Error == "" {
		t.Errorf("runs = %+v", runs)
	}
	var m Metrics
	readJSON(t, filepath.Join(out, MetricsFile), &m)
	if m.RunsFailed != 2 || m.RunsWithDecryptedPayload != 2 {
		t.Errorf("metrics: %+v", m)
	}
}

// Interrupted after the first run: the store holds whole runs only, no
// metrics claim to describe the corpus, nothing is left staged, and
// --add finishes the job.
func TestInterrupt(t *testing.T) {
	dir, out := t.TempDir(), t.TempDir()
	var paths []string
	for i, s := range []string{"search", "moments", "channels", "messaging"} {
		paths = append(paths, synthRun(t, dir, s, s, int64(i)))
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := Run(ctx, paths, Options{Out: out, Jobs: 1, Progress: func(Progress) { cancel() }})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	runs := storedRuns(t, out)
	if len(runs) != 1 {
		t.Fatalf("stored %d runs after an interruption at the first", len(runs))
	}
	st, _ := store.OpenReadOnly(filepath.Join(out, store.FileName))
	for label, r := range runs {
		_, n, _ := st.Requests(context.Background(), store.RequestFilter{Run: label})
		if n != r.Requests {
			t.Errorf("%s: %d requests stored, run says %d", label, n, r.Requests)
		}
	}
	st.Close()
	for _, f := range []string{MetricsFile, ReportFile, stagingDir} {
		if _, err := os.Stat(filepath.Join(out, f)); !os.IsNotExist(err) {
			t.Errorf("%s exists after an interruption", f)
		}
	}
	parts, _ := filepath.Glob(filepath.Join(out, parquet.Dir, "*", parquet.PartitionKey+"=*"))
	if len(parts) != len(parquet.Tables) {
		t.Errorf("partitions after interruption: %v", parts)
	}
	res := runCorpus(t, out, paths, true)
	if len(res.Analysed) != 3 || len(storedRuns(t, out)) != 4 {
		t.Errorf("--add after interruption: %+v", res)
	}
}

// Decoded strings are searchable by any substring, Chinese included.
func TestSearchCJK(t *testing.T) {
	dir, out := t.TempDir(), t.TempDir()
	runCorpus(t, out, []string{synthRun(t, dir, "msg", "messaging", 1), synthRun(t, dir, "search", "search", 1)}, false)
	st, err := store.OpenReadOnly(filepath.Join(out, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for q, run := range map[string]string{"开会改": "msg", "下午": "msg", "地铁": "search", "深圳 地": "search"} {
		hits, err := st.Search(context.Background(), q, store.SearchFilter{})
		if err != nil || len(hits) == 0 || hits[0].Run != run {
			t.Errorf("search %q: %+v, %v", q, hits, err)
		}
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}
