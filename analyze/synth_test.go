// The synthetic scoring tests: synth → decrypt → analyze, scored against
// the manifest. Synth lays its requests out as the real client does (the
// Citizen Lab report logs), so the endpoint rules and value detectors that
// work on real traffic are the ones scored here.

package analyze_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/wxaudit/wxaudit/analyze"
	"github.com/wxaudit/wxaudit/keylog"
	"github.com/wxaudit/wxaudit/payload"
	"github.com/wxaudit/wxaudit/report"
	"github.com/wxaudit/wxaudit/synth"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// synthSeeds are the seeds scored: more than one, so a detector that only
// fits one generated identity fails.
var synthSeeds = []int64{3, 11}

// synthStepFeature maps synth's step features to the catalog vocabulary
// (synth names its steps by scenario, not by catalog feature).
var synthStepFeature = map[string]string{
	"miniprogram": taxonomy.FeatureMiniPrograms,
	"messaging":   taxonomy.FeatureMessaging,
	"moments":     taxonomy.FeatureMoments,
	"channels":    taxonomy.FeatureChannels,
	"search":      taxonomy.FeatureSearch,
}

// synthCase is one generated scenario, decrypted and analysed.
type synthCase struct {
	name    string // scenario@seed
	truth   map[string]bool
	rep     *report.Report
	entries []synth.Entry
}

var (
	synthOnce  sync.Once
	synthCases []synthCase
	synthErr   error
)

// synthAnalyses generates every scenario for each seed, writes the capture
// and Frida key log to a temporary folder, and analyses the capture the
// way `wxaudit analyze --keylog` does: synth → decrypt → analyze. Shared by
// the tests of this file.
func synthAnalyses(t *testing.T) []synthCase {
	t.Helper()
	synthOnce.Do(func() {
		dir, err := os.MkdirTemp("", "wxaudit-analyze-synth")
		if err != nil {
			synthErr = err
			return
		}
		defer os.RemoveAll(dir)
		for _, seed := range synthSeeds {
			for _, sc := range synth.Scenarios() {
				if sc.Name == synth.ScenarioAll {
					continue
				}
				c, err := synthAnalyse(dir, sc.Name, seed)
				if err != nil {
					synthErr = err
					return
				}
				synthCases = append(synthCases, c)
			}
		}
	})
	if synthErr != nil {
		t.Fatal(synthErr)
	}
	return synthCases
}

func synthAnalyse(dir, scenario string, seed int64) (synthCase, error) {
	var capBuf, frida, man bytes.Buffer
	if _, err := synth.GenerateTo(synth.Writers{Capture: &capBuf, Secrets: &bytes.Buffer{}, Frida: &frida, Manifest: &man},
		synth.Options{Scenario: scenario, Seed: seed}); err != nil {
		return synthCase{}, err
	}
	entries, err := synth.ReadManifest(&man)
	if err != nil {
		return synthCase{}, err
	}
	keys, err := keylog.Parse(&frida)
	if err != nil {
		return synthCase{}, err
	}
	path := filepath.Join(dir, scenario+".pcapng")
	if err := os.WriteFile(path, capBuf.Bytes(), 0o644); err != nil {
		return synthCase{}, err
	}
	rep, err := analyze.Run(context.Background(), []analyze.Input{{Path: path, Label: scenario, Keys: keys}}, analyze.Options{})
	if err != nil {
		return synthCase{}, err
	}
	truth := map[string]bool{}
	for _, e := range entries {
		if e.Direction == payload.DirResponse {
			continue
		}
		for _, p := range e.Planted {
			truth[string(p.DataType)] = true
		}
	}
	return synthCase{name: scenario + "@" + itoa(seed), truth: truth, rep: rep, entries: entries}, nil
}

// TestSynthManifest scores the analysis of synthetic captures against their
// manifests, which are exact: per scenario and seed, the data types planted
// in requests versus the data types found; precision and recall per data
// type over all (scenario, data type) pairs must reach 0.9.
func TestSynthManifest(t *testing.T) {
	cases := synthAnalyses(t)
	labels := map[string]map[string]bool{}
	got := map[string]map[string]bool{}
	for _, c := range cases {
		labels[c.name] = c.truth
		got[c.name] = map[string]bool{}
		for _, dt := range c.rep.DataTypes(c.name[:strings.IndexByte(c.name, '@')]) {
			got[c.name][dt] = true
		}
		if d := c.rep.Runs[0].Decryption; d == nil || len(d.NotDecrypted()) > 0 {
			t.Errorf("%s: not everything decrypted: %+v", c.name, d)
		}
	}
	var b strings.Builder
	for _, s := range analyze.Score(labels, got, []string{"opaque_encrypted_blob"}) {
		b.WriteString(s.String() + "\n")
		if s.Precision() < 0.9 || s.Recall() < 0.9 {
			t.Errorf("%s below 0.9", s)
		}
	}
	t.Logf("synthetic manifest, per data type (tp fp fn):\n%s", b.String())
	if t.Failed() {
		for _, c := range cases {
			var miss, extra []string
			for dt := range c.truth {
				if !got[c.name][dt] {
					miss = append(miss, dt)
				}
			}
			for dt := range got[c.name] {
				if !c.truth[dt] && dt != "opaque_encrypted_blob" {
					extra = append(extra, dt)
				}
			}
			sort.Strings(miss)
			sort.Strings(extra)
			t.Logf("%s: missed %v, extra %v", c.name, miss, extra)
		}
	}
}

// TestSynthFeatures: each request is attributed to the feature of the
// scenario step that sent it, for the steps whose feature has a catalog
// name. Requests are matched to manifest entries by API path and request
// type in order.
func TestSynthFeatures(t *testing.T) {
	agree, total := 0, 0
	for _, c := range synthAnalyses(t) {
		want := map[string][]string{} // uri → step features in order
		for _, e := range c.entries {
			if e.Direction != payload.DirResponse {
				want[e.URI] = append(want[e.URI], e.Step.Feature)
			}
		}
		for _, q := range c.rep.Requests {
			ws := want[q.URI]
			if len(ws) == 0 {
				continue
			}
			w := synthStepFeature[ws[0]]
			want[q.URI] = ws[1:]
			if w == "" {
				continue // startup: many features
			}
			if q.Feature == taxonomy.FeatureTelemetry {
				// Batched client reports (newreportkvcomm) carry events of
				// earlier actions too (fixtures README): the catalog files
				// them under telemetry, whatever action flushed them.
				continue
			}
			total++
			if q.Feature == w {
				agree++
			} else {
				t.Logf("%s: %s attributed to %s, step feature %s", c.name, q.URI, q.Feature, w)
			}
		}
	}
	t.Logf("feature agreement %d/%d", agree, total)
	if total == 0 || float64(agree) < 0.9*float64(total) {
		t.Errorf("feature agreement %d/%d below 0.9", agree, total)
	}
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }
