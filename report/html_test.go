package report

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/wxaudit/wxaudit/taxonomy"
)

// bigReport has more findings than one HTML page holds.
func bigReport(n int) *Report {
	r := sampleReport()
	for i := 0; i < n; i++ {
		id := len(r.Requests)
		r.Requests = append(r.Requests, Request{ID: id, Run: "off", Seq: id + 1, Feature: "telemetry", Recipient: "wechat",
			URI: "/cgi-bin/micromsg-bin/newreportkvcomm", Time: fmt.Sprintf("2023-04-13T10:%02d:%02dZ", i/60%60, i%60)})
		for k := 0; k < 3; k++ {
			r.Findings = append(r.Findings, Finding{ID: fmt.Sprintf("b%d-%d", i, k), DataType: string(taxonomy.ActivityTimestamps),
				Confidence: "low", Feature: "telemetry", Recipient: "wechat", Run: "off", Request: id,
				Evidence: Evidence{FieldPath: "4.4.2.$3", Value: fmt.Sprint(1681380000 + i), Rule: "detector:ts", Reason: "a time"}})
		}
	}
	r.Claims = []Claim{{ID: "x", Verdict: Supported, Title: "T", Statement: "S", Why: "W", Numbers: map[string]any{}, Evidence: []string{"b0-0", fmt.Sprintf("b%d-2", n-1)}}}
	r.Policy.Gaps = append(r.Policy.Gaps, Gap{Kind: "ambiguous", DataType: "activity_timestamps", Feature: "telemetry", Recipient: "wechat", Run: "off", Findings: []string{fmt.Sprintf("b%d-1", n/2)}})
	return r
}

func TestNoDanglingLinks(t *testing.T) {
	for _, n := range []int{0, 10, findingsPerPage} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			dir := t.TempDir()
			r := bigReport(n)
			if err := r.WriteDir(dir); err != nil {
				t.Fatal(err)
			}
			bad, err := DanglingLinks(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range bad {
				t.Error(b)
			}
			// Every finding has its anchor on some page.
			anchors := map[string]bool{}
			pages, _ := filepath.Glob(filepath.Join(dir, "*.html"))
			for _, p := range pages {
				b, _ := os.ReadFile(p)
				for _, m := range idAttr.FindAllSubmatch(b, -1) {
					anchors[string(m[1])] = true
				}
			}
			for _, f := range r.Findings {
				if !anchors[f.ID] {
					t.Fatalf("finding %s has no anchor", f.ID)
				}
			}
			if n >= findingsPerPage && len(pages) < 2 {
				t.Errorf("%d findings on %d page(s)", len(r.Findings), len(pages))
			}
		})
	}
}

func TestDanglingLinksFindsThem(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "report.html"), []byte(`<a href="#nope"></a><a href="evidence-9.html#x"></a><a href="https://example.org/"></a><p id="yes"></p><a href="#yes"></a>`), 0o600)
	bad, err := DanglingLinks(dir)
	if err != nil || len(bad) != 3 {
		t.Errorf("got %v, %v", bad, err)
	}
}
