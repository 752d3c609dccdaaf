package serve

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wxaudit/wxaudit/report"
)

// A report folder written by analyze is served with its claims and policy
// gaps; its requests are rebuilt from the findings when the folder has no
// request list.
func TestOpenReportFolder(t *testing.T) {
	_, rep := studySource(t)
	rep.Claims = []report.Claim{{ID: "c1", Title: "Claim <script>x</script>", Verdict: report.Supported,
		Statement: "WeChat sent the device id.", Why: "test", Evidence: []string{rep.Findings[0].ID}}}
	dir := t.TempDir()
	if err := rep.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	src, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	h := mustNew(t, src, Options{})
	_, page := get(t, h, "/")
	for _, want := range []string{`id="claims"`, "Claim &lt;script&gt;x&lt;/script&gt;", "all_permissions_on", "policy gap"} {
		if !strings.Contains(page, want) {
			t.Errorf("overview lacks %q", want)
		}
	}
	_, page = get(t, h, "/gaps")
	if strings.Count(page, `<article class="gap">`) == 0 {
		t.Error("no gaps read from gaps.jsonl")
	}
	// requests.jsonl carries the payloads: the request view decodes them.
	if _, body := get(t, h, "/api/requests/0"); !strings.Contains(body, `"tree"`) {
		t.Errorf("no decoded tree from a report folder: %.300s", body)
	}
	res, _ := get(t, h, "/findings/"+rep.Findings[0].ID)
	if res.StatusCode != 303 || !strings.HasPrefix(res.Header.Get("Location"), "/requests/") {
		t.Errorf("finding link: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	p, err := src.Requests(context.Background(), Query{})
	if err != nil || p.Total == 0 {
		t.Errorf("requests: %v, %d", err, p.Total)
	}

	for name, setup := range map[string]func(string) string{
		"missing": func(d string) string { return filepath.Join(d, "nope") },
		"file":    func(d string) string { f := filepath.Join(d, "f"); os.WriteFile(f, nil, 0o644); return f },
		"empty":   func(d string) string { return d },
		"bad gaps": func(d string) string {
			rep.WriteDir(d)
			os.WriteFile(filepath.Join(d, report.GapsFile), []byte("{bad\n"), 0o644)
			os.Remove(filepath.Join(d, report.PolicyFile)) // else the per-run gaps are read from it
			return d
		},
		"bad policy": func(d string) string {
			rep.WriteDir(d)
			os.WriteFile(filepath.Join(d, report.PolicyFile), []byte("{bad"), 0o644)
			return d
		},
	} {
		if _, err := Open(setup(t.TempDir())); err == nil {
			t.Errorf("%s: Open succeeded", name)
		}
	}
}
