package serve

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/wxaudit/wxaudit/analyze"
	"github.com/wxaudit/wxaudit/corpus"
	"github.com/wxaudit/wxaudit/internal/fixtures"
	"github.com/wxaudit/wxaudit/report"
)

// One computation everywhere: on the shared logs, analyze (its report
// folder), corpus (its claims.json) and serve over each of them state the
// same claims with the same numbers.
func TestClaimsSameOnEveryPath(t *testing.T) {
	logs, err := filepath.Glob(filepath.Join(fixtures.Dir(t), "report-logs", "*.log.jsonl"))
	if err != nil || len(logs) == 0 {
		t.Fatalf("no shared logs: %v", err)
	}
	ctx := context.Background()
	wechat, err := analyze.OpenPolicy("wechat")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	rdir, cdir := filepath.Join(dir, "report"), filepath.Join(dir, "corpus")
	inputs, err := analyze.Inputs(logs, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	w, err := analyze.Write(ctx, inputs, analyze.Options{Policy: wechat}, rdir, report.RenderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := corpus.Run(ctx, logs, corpus.Options{Out: cdir, Jobs: 2, Analyze: analyze.Options{Policy: wechat}})
	if err != nil {
		t.Fatal(err)
	}
	paths := map[string][]report.Claim{"analyze": w.Report.Claims, "corpus": res.Claims.Claims}
	for name, d := range map[string]string{"serve report folder": rdir, "serve corpus": cdir} {
		src, err := Open(d)
		if err != nil {
			t.Fatal(err)
		}
		o, err := src.Overview(ctx)
		if err != nil {
			t.Fatal(err)
		}
		paths[name] = o.Claims
	}
	want := canonical(t, paths["analyze"])
	if len(paths["analyze"]) != 7 {
		t.Fatalf("analyze stated %d claims", len(paths["analyze"]))
	}
	for name, cs := range paths {
		if got := canonical(t, cs); got != want {
			t.Errorf("%s states other claims than analyze:\n%s\nanalyze:\n%s", name, got, want)
		}
	}
}

// canonical is the claims' JSON (numbers through JSON, as a reader sees
// them).
func canonical(t *testing.T, cs []report.Claim) string {
	t.Helper()
	b, err := json.MarshalIndent(cs, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	b, _ = json.MarshalIndent(v, "", " ")
	return string(b)
}
