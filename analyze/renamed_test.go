package analyze

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wxaudit/wxaudit/report"
)

// renameEndpoints rewrites the shared logs as a later client might send
// them: every API path renamed (…/newsendmsg → …/newsendmsgv2), request ids
// kept. Each line is rewritten on its own, so logs stay line prefixes of
// one another.
func renameEndpoints(t *testing.T, rename func(string) string) []Input {
	return rewriteLogs(t, func(line map[string]any) {
		if p, ok := line["req_type"].(string); ok && p != "" {
			line["req_type"] = rename(p)
		}
	})
}

// rewriteLogs copies the shared logs, rewriting each line's JSON object.
func rewriteLogs(t *testing.T, edit func(map[string]any)) []Input {
	t.Helper()
	dir := t.TempDir()
	var in []Input
	for _, src := range sharedLogs(t) {
		dst := filepath.Join(dir, filepath.Base(src))
		r, err := os.Open(src)
		if err != nil {
			t.Fatal(err)
		}
		w, err := os.Create(dst)
		if err != nil {
			t.Fatal(err)
		}
		bw := bufio.NewWriter(w)
		sc := bufio.NewScanner(r)
		sc.Buffer(nil, 64<<20)
		for sc.Scan() {
			var line map[string]any
			if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
				t.Fatal(err)
			}
			edit(line)
			b, _ := json.Marshal(line)
			bw.Write(append(b, '\n'))
		}
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
		r.Close()
		if err := bw.Flush(); err != nil {
			t.Fatal(err)
		}
		w.Close()
		in = append(in, Input{Path: dst})
	}
	return in
}

// TestRenamedEndpoints: with every endpoint path renamed and the request
// ids kept, presence (per run and data type, scored against the
// independent labels) keeps its recall ≥ 0.97 and precision ≥ 0.98.
func TestRenamedEndpoints(t *testing.T) {
	in := renameEndpoints(t, func(p string) string { return p + "v2" })
	rep, err := Run(context.Background(), in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]bool{}
	for _, r := range rep.Runs {
		got[r.Label] = map[string]bool{}
		for _, dt := range rep.DataTypes(r.Label) {
			got[r.Label][dt] = true
		}
	}
	renamed := 0
	for _, q := range rep.Requests {
		if strings.HasSuffix(q.URI, "v2") {
			renamed++
		}
	}
	if renamed < len(rep.Requests)/2 {
		t.Fatalf("only %d of %d requests carry a renamed path", renamed, len(rep.Requests))
	}
	// Per request: the data types found with the real paths and with the
	// renamed ones (requests match by run and sequence number).
	type key struct {
		run string
		seq int
		dt  string
	}
	pairs := func(rq []report.Request) map[key]bool {
		m := map[key]bool{}
		for _, q := range rq {
			for _, dt := range q.DataTypes {
				m[key{q.Run, q.Seq, dt}] = true
			}
		}
		return m
	}
	orig := sharedReport(t)
	before, after := pairs(orig.Requests), pairs(rep.Requests)
	// The feature of each request should not depend on the path's spelling.
	feat := map[[2]any]string{}
	for _, q := range orig.Requests {
		feat[[2]any{q.Run, q.Seq}] = q.Feature
	}
	same := 0
	for _, q := range rep.Requests {
		if feat[[2]any{q.Run, q.Seq}] == q.Feature {
			same++
		}
	}
	t.Logf("renamed paths: %d of %d requests keep their feature", same, len(rep.Requests))
	if float64(same) < 0.97*float64(len(rep.Requests)) {
		t.Errorf("renamed paths: only %d of %d requests keep their feature", same, len(rep.Requests))
	}
	kept := 0
	for k := range before {
		if after[k] {
			kept++
		}
	}
	t.Logf("renamed paths: %d of %d (request, data type) findings kept, %d new", kept, len(before), len(after)-kept)
	if float64(kept) < 0.97*float64(len(before)) {
		t.Errorf("renamed paths keep %d of %d (request, data type) findings, want ≥ 97%%", kept, len(before))
	}
	scores, misses := ScoreLabels(loadLabels(t), got)
	var tp, fp, fn int
	for _, s := range scores {
		tp, fp, fn = tp+s.TP, fp+s.FP, fn+s.FN
	}
	p, r := float64(tp)/float64(tp+fp), float64(tp)/float64(tp+fn)
	t.Logf("renamed paths: micro precision %.3f recall %.3f (tp %d fp %d fn %d); disagreements:\n%s", p, r, tp, fp, fn, strings.Join(misses, "\n"))
	if p < 0.98 || r < 0.97 {
		t.Errorf("renamed paths: precision %.3f recall %.3f, want ≥ 0.98 and ≥ 0.97", p, r)
	}
}

// TestUnknownEndpoints: with no paths and request ids no table knows, the
// value detectors still find what the requests carry and the features of
// messaging, Moments and Channels requests are guessed from their content,
// marked as such.
func TestUnknownEndpoints(t *testing.T) {
	in := rewriteLogs(t, func(line map[string]any) {
		line["req_type"] = nil
		if id, ok := line["req_id"].(float64); ok {
			line["req_id"] = 900000 + id
		}
	})
	rep, err := Run(context.Background(), in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	orig := sharedReport(t)
	feat := map[[2]any]string{}
	for _, q := range orig.Requests {
		feat[[2]any{q.Run, q.Seq}] = q.Feature
	}
	byFeature := map[string][2]int{} // original feature → kept, total
	for _, q := range rep.Requests {
		f := feat[[2]any{q.Run, q.Seq}]
		c := byFeature[f]
		c[1]++
		if q.Feature == f {
			c[0]++
			if f != "other" && q.FeatureReason == "" {
				t.Errorf("request %d: feature %s guessed without a reason", q.ID, f)
			}
		}
		byFeature[f] = c
	}
	t.Logf("unknown endpoints, requests keeping their feature: %v", byFeature)
	got := map[string]map[string]bool{}
	for _, r := range rep.Runs {
		got[r.Label] = map[string]bool{}
		for _, dt := range rep.DataTypes(r.Label) {
			got[r.Label][dt] = true
		}
	}
	scores, misses := ScoreLabels(loadLabels(t), got)
	var tp, fp, fn int
	for _, s := range scores {
		tp, fp, fn = tp+s.TP, fp+s.FP, fn+s.FN
	}
	p, r := float64(tp)/float64(tp+fp), float64(tp)/float64(tp+fn)
	t.Logf("unknown endpoints: micro precision %.3f recall %.3f (tp %d fp %d fn %d); disagreements:\n%s",
		p, r, tp, fp, fn, strings.Join(misses, "\n"))
	// Without ids and paths the client's own IP (getnetworkinfo) cannot be
	// told from a server's; the rest is read from the values.
	if p < 0.98 || r < 0.95 {
		t.Errorf("unknown endpoints: precision %.3f recall %.3f, want ≥ 0.98 and ≥ 0.95", p, r)
	}
	for _, f := range []string{"messaging", "moments", "channels", "telemetry", "miniprograms", "search"} {
		if byFeature[f][0] == 0 {
			t.Errorf("no %s request recognised from its content", f)
		}
	}
}
