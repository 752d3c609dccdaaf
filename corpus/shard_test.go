package corpus

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/wxaudit/wxaudit/internal/fixtures"
	"github.com/wxaudit/wxaudit/report"
	"github.com/wxaudit/wxaudit/store"
	"github.com/wxaudit/wxaudit/store/parquet"
)

// studyInputs are the 12 shared request logs, cumulative logs built from
// them (a chain of four runs whose last segments state no facts of their
// own), a sibling that extends the same base, and two synthetic capture
// runs.
func studyInputs(t *testing.T) []string {
	t.Helper()
	logs, _ := filepath.Glob(filepath.Join(fixtures.Dir(t), "report-logs", "*.log.jsonl"))
	if len(logs) != 12 {
		t.Fatalf("%d shared logs", len(logs))
	}
	dir := t.TempDir()
	paths := append([]string{}, logs...)
	var cum []byte
	for i, name := range []string{"startup_data_1", "login_1", "sendmsg_data_1", "post_moments_1"} {
		b, err := os.ReadFile(filepath.Join(fixtures.Dir(t), "report-logs", name+".log.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		cum = append(cum, b...)
		p := filepath.Join(dir, "chain", "step"+string(rune('1'+i))+".log.jsonl")
		writeFile(t, p, cum)
		paths = append(paths, p)
		if i == 1 {
			sibling := append(append([]byte{}, cum...), b...)
			p := filepath.Join(dir, "chain", "sibling.log.jsonl")
			writeFile(t, p, sibling)
			paths = append(paths, p)
		}
	}
	paths = append(paths, synthRun(t, dir, "synth-a", "", 1), synthRun(t, dir, "synth-b", "", 2))
	return paths
}

func writeFile(t *testing.T, p string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// dumpStore writes everything the store holds of every run, through its
// read API, as text to compare: the runs rows (but the time they were
// analysed), each run's requests and findings in order (Replay), gaps,
// payloads and strings.
func dumpStore(t *testing.T, dir string) string {
	t.Helper()
	ctx := context.Background()
	st, err := store.OpenReadOnly(filepath.Join(dir, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	runs, err := st.Runs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	for _, r := range runs {
		r.AnalysedAt = time.Time{}
		enc.Encode(r)
		err := st.Replay(ctx, r.Run, func(q *report.Request, fs []report.Finding) error {
			enc.Encode(q)
			return enc.Encode(fs)
		})
		if err != nil {
			t.Fatal(err)
		}
		gaps, err := runGaps(ctx, st, r.Run)
		if err != nil {
			t.Fatal(err)
		}
		enc.Encode(gaps)
		if err := st.Payloads(ctx, r.Run)(func(p store.Payload) error { return enc.Encode(p) }); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

// sameCorpus fails unless two corpus folders hold the same store, metrics,
// claims, report and Parquet requests/findings/gaps files.
func sameCorpus(t *testing.T, a, b string) {
	t.Helper()
	if da, db := dumpStore(t, a), dumpStore(t, b); da != db {
		la, lb := strings.Split(da, "\n"), strings.Split(db, "\n")
		for i := range min(len(la), len(lb)) {
			if la[i] != lb[i] {
				t.Fatalf("stores differ at line %d:\n%.600s\n%.600s", i, la[i], lb[i])
			}
		}
		t.Fatalf("stores differ in length: %d, %d lines", len(la), len(lb))
	}
	for _, f := range []string{MetricsFile, ClaimsFile, ReportFile} {
		x, err1 := os.ReadFile(filepath.Join(a, f))
		y, err2 := os.ReadFile(filepath.Join(b, f))
		if err1 != nil || err2 != nil || !bytes.Equal(x, y) {
			t.Errorf("%s differs (%v, %v)", f, err1, err2)
		}
	}
	files := func(dir string) map[string][]byte {
		out := map[string][]byte{}
		filepath.WalkDir(filepath.Join(dir, parquet.Dir), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && !strings.Contains(p, string(filepath.Separator)+"runs"+string(filepath.Separator)) {
				rel, _ := filepath.Rel(dir, p)
				out[rel], _ = os.ReadFile(p)
			}
			return nil
		})
		return out
	}
	fa, fb := files(a), files(b)
	if len(fa) == 0 || len(fa) != len(fb) {
		t.Fatalf("parquet files: %d, %d", len(fa), len(fb))
	}
	for p, x := range fa {
		if !bytes.Equal(x, fb[p]) {
			t.Errorf("%s differs", p)
		}
	}
}

// TestChainsAgreeWithOneJob: analysing each chain of request logs as its
// own job, in parallel, stores what one job over every log stored.
func TestChainsAgreeWithOneJob(t *testing.T) {
	paths := studyInputs(t)
	root := t.TempDir()
	chains, one := filepath.Join(root, "chains"), filepath.Join(root, "one")
	ctx := context.Background()
	key := bytes.Repeat([]byte{7}, 32)
	res, err := Run(ctx, paths, Options{Out: chains, Jobs: 2, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Failed) != 0 || len(res.Analysed) != len(paths) {
		t.Fatalf("analysed %d of %d, failed %v", len(res.Analysed), len(paths), res.Failed)
	}
	if _, err := Run(ctx, paths, Options{Out: one, Jobs: 2, Key: key, oneJob: true}); err != nil {
		t.Fatal(err)
	}
	runs := storedRuns(t, chains)
	if r := runs["step4"]; r.Extends != "step3" || r.SkipLines == 0 {
		t.Fatalf("step4: extends %q from line %d", r.Extends, r.SkipLines)
	}
	if r := runs["sibling"]; r.Extends != "step2" {
		t.Fatalf("sibling: extends %q", r.Extends)
	}
	sameCorpus(t, chains, one)
}

// TestShardsMerge: the shards of a study, merged, are the corpus of one
// run over all; each chain stays whole in one shard; the key file and
// the merged folder are the owner's only.
func TestShardsMerge(t *testing.T) {
	paths := studyInputs(t)
	root := t.TempDir()
	ctx := context.Background()
	keyFile := filepath.Join(root, "study.key")
	key, err := LoadKey(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := LoadKey(keyFile); err != nil || !bytes.Equal(again, key) {
		t.Fatalf("key read again: %v", err)
	}
	if fi, err := os.Stat(keyFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi.Mode(), err)
	}
	all := filepath.Join(root, "all")
	if _, err := Run(ctx, paths, Options{Out: all, Jobs: 2, Key: key}); err != nil {
		t.Fatal(err)
	}
	var shards []string
	seen := map[string]int{}
	for i := range 3 {
		dir := filepath.Join(root, "shard"+string(rune('0'+i)))
		res, err := Run(ctx, paths, Options{Out: dir, Jobs: 2, Key: key, Shard: Shard{I: i, N: 3}})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range res.Analysed {
			seen[l]++
		}
		if len(res.Analysed) == 0 || len(res.Analysed) == len(paths) {
			t.Fatalf("shard %d/3 analysed %d of %d runs", i, len(res.Analysed), len(paths))
		}
		shards = append(shards, dir)
	}
	if len(seen) != len(paths) {
		t.Fatalf("shards hold %d of %d runs", len(seen), len(paths))
	}
	chain := map[string]bool{}
	for _, dir := range shards {
		runs := storedRuns(t, dir)
		if _, ok := runs["step1"]; ok {
			for _, l := range []string{"step2", "step3", "step4", "sibling"} {
				if _, ok := runs[l]; !ok {
					t.Errorf("%s is not in step1's shard", l)
				}
				chain[l] = true
			}
		}
	}
	if len(chain) != 4 {
		t.Fatalf("chain step1..step4 not found whole in one shard")
	}
	merged := filepath.Join(root, "merged")
	if _, err := Merge(ctx, shards, Options{Out: merged}); err != nil {
		t.Fatal(err)
	}
	sameCorpus(t, all, merged)
	// The merged folder is as private as a corpus folder: owner-only
	// folders and files, the staging folder gone.
	checkPrivate(t, merged)
	if _, err := os.Stat(filepath.Join(merged, stagingDir)); !os.IsNotExist(err) {
		t.Errorf("merge left %s: %v", stagingDir, err)
	}
	// A run in two shards, and shards under different keys, are refused.
	if _, err := Merge(ctx, []string{shards[0], shards[0]}, Options{Out: filepath.Join(root, "twice")}); err == nil || !strings.Contains(err.Error(), "is in") {
		t.Errorf("merge of a shard with itself: %v", err)
	}
	if _, err := Merge(ctx, shards, Options{Out: shards[1]}); err == nil || !strings.Contains(err.Error(), "one of the shard folders") {
		t.Errorf("merge into a shard: %v", err)
	}
	other := filepath.Join(root, "other")
	if _, err := Run(ctx, paths[:1], Options{Out: other, Jobs: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := Merge(ctx, []string{shards[1], other}, Options{Out: filepath.Join(root, "keys")}); err == nil || !strings.Contains(err.Error(), "redaction keys") {
		t.Errorf("merge under two keys: %v", err)
	}
}

// TestShardStable: a run's shard depends on its chain's root label alone.
func TestShardStable(t *testing.T) {
	for _, bad := range []string{"", "1", "3/3", "-1/2", "a/b", "0/0"} {
		if _, err := ParseShard(bad); err == nil {
			t.Errorf("ParseShard(%q) accepted", bad)
		}
	}
	counts := make([]int, 4)
	for i := range 400 {
		label := "run-" + string(rune('a'+i%26)) + string(rune('0'+i/26%10)) + string(rune('0'+i/260))
		n := 0
		for s := range 4 {
			if (Shard{I: s, N: 4}).has(label) {
				n++
				counts[s]++
			}
		}
		if n != 1 {
			t.Fatalf("%s is in %d of 4 shards", label, n)
		}
	}
	sort.Ints(counts)
	if counts[0] < 60 {
		t.Errorf("shards unbalanced: %v", counts)
	}
}

// TestAddChains: --add analyses a chain again when any of its runs is new
// or changed, or its runs are no longer linked as stored, and keeps the
// chains that did not change.
func TestAddChains(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(fixtures.Dir(t), "report-logs", "startup_data_1.log.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	all := bytes.SplitAfter(src, []byte("\n"))
	lines := func(from, to int) []byte { return bytes.Join(all[from:to], nil) }
	// Parts of one log: distinct lines, so that only the prefixes made
	// here are prefixes.
	login, logout, startup := lines(0, 100), lines(100, 200), lines(300, 400)
	dir := t.TempDir()
	a, b, c, other := filepath.Join(dir, "a.log.jsonl"), filepath.Join(dir, "b.log.jsonl"), filepath.Join(dir, "c.log.jsonl"), filepath.Join(dir, "other.log.jsonl")
	writeFile(t, a, login)
	writeFile(t, b, append(append([]byte{}, login...), logout...))
	writeFile(t, other, lines(500, 600))
	out := filepath.Join(dir, "study")
	check := func(paths []string, analysed, skipped string) {
		t.Helper()
		res := runCorpus(t, out, paths, true)
		sort.Strings(res.Skipped)
		if got := strings.Join(res.Analysed, ","); got != analysed {
			t.Errorf("analysed %s, want %s", got, analysed)
		}
		if got := strings.Join(res.Skipped, ","); got != skipped {
			t.Errorf("skipped %s, want %s", got, skipped)
		}
	}
	check([]string{a, b, other}, "a,b,other", "")
	check([]string{a, b, other}, "", "a,b,other")
	// A new run extending a: its chain again, the other chain kept.
	writeFile(t, c, append(append([]byte{}, login...), startup...))
	check([]string{a, b, c, other}, "a,b,c", "other")
	if r := storedRuns(t, out)["c"]; r.Extends != "a" {
		t.Fatalf("c extends %q", r.Extends)
	}
	// b no longer extends a: b alone would keep a's stored context, so
	// a's chain (a, c) is analysed again too.
	writeFile(t, b, logout)
	check([]string{a, b, c, other}, "a,b,c", "other")
	if r := storedRuns(t, out)["b"]; r.Extends != "" {
		t.Fatalf("b still extends %q", r.Extends)
	}
	check([]string{a, b, c, other}, "", "a,b,c,other")
}
