package corpus

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/wxaudit/wxaudit/analyze"
	"github.com/wxaudit/wxaudit/claims"
	"github.com/wxaudit/wxaudit/keylog"
	"github.com/wxaudit/wxaudit/report"
	"github.com/wxaudit/wxaudit/synth"
)

// The numbers of claims.json are recounted against what synth generated
// (truth.json), for every scenario, through both production paths: analyze
// writing a report folder, and corpus over the run folders.
func TestClaimsAgainstTruth(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and analyses every scenario")
	}
	dir, out := t.TempDir(), t.TempDir()
	wechat, err := analyze.OpenPolicy("wechat")
	if err != nil {
		t.Fatal(err)
	}
	truths := map[string]*synth.Truth{}
	analysed := map[string][]report.Claim{}
	var paths []string
	active := 0
	for _, sc := range synth.Scenarios() {
		if sc.Name == synth.ScenarioAll {
			continue
		}
		name := sc.Name + "-5"
		p := synthRun(t, dir, name, sc.Name, 5)
		truth, err := synth.ReadTruth(p)
		if err != nil {
			t.Fatal(err)
		}
		truths[name] = truth
		active += len(truth.MiniPrograms)
		paths = append(paths, p)
		keys, err := keylog.Load([]string{filepath.Join(p, synth.FileFrida)})
		if err != nil {
			t.Fatal(err)
		}
		rdir := filepath.Join(dir, "report-"+name)
		in := analyze.Input{Path: filepath.Join(p, synth.FileCapturePcapng), Label: name, Keys: keys, Permissions: truth.Permissions["location"]}
		if _, err := analyze.Write(context.Background(), []analyze.Input{in}, analyze.Options{Policy: wechat}, rdir, report.RenderOptions{}); err != nil {
			t.Fatal(err)
		}
		analysed[name] = readClaims(t, filepath.Join(rdir, report.ClaimsFile))
	}
	if active == 0 {
		t.Fatal("no scenario generated Mini Program activity: the check cannot fail")
	}
	res, err := Run(context.Background(), paths, Options{Out: out, Jobs: 2, Analyze: analyze.Options{Policy: wechat}})
	if err != nil {
		t.Fatal(err)
	}
	for name, truth := range truths {
		checkTruth(t, "analyze "+name, truth, analysed[name])
		checkTruth(t, "corpus "+name, truth, res.Claims.Runs[name])
	}
}

func readClaims(t *testing.T, path string) []report.Claim {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Claims []report.Claim `json:"claims"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Claims
}

// checkTruth compares one run's claims with its truth. Numbers are read
// through JSON, as a reader of claims.json reads them.
func checkTruth(t *testing.T, where string, truth *synth.Truth, cs []report.Claim) {
	t.Helper()
	byID := map[string]report.Claim{}
	for _, c := range cs {
		byID[c.ID] = c
	}
	var got struct {
		WithActivity int                         `json:"miniprograms_with_activity"`
		MPs          map[string]claims.MPNumbers `json:"miniprograms"`
	}
	remarshal(t, byID[claims.MiniProgramTracking].Numbers, &got)
	if got.WithActivity != len(truth.MiniPrograms) {
		t.Errorf("%s: %d Mini Programs with activity, generated %d (%v)", where, got.WithActivity, len(truth.MiniPrograms), got.MPs)
	}
	for app, want := range truth.MiniPrograms {
		g := got.MPs[app]
		if g.Sessions != want.Sessions || !reflect.DeepEqual(g.Pages, want.Pages) || g.UIEvents != want.UIEvents || g.StayTimes != want.StayTimes {
			t.Errorf("%s: %s: got sessions %d, pages %v, UI events %d, stay times %d; generated %d, %v, %d, %d", where, app,
				g.Sessions, g.Pages, g.UIEvents, g.StayTimes, want.Sessions, want.Pages, want.UIEvents, want.StayTimes)
		}
	}
	wantVerdict := report.NotTestable
	if len(truth.MiniPrograms) > 0 {
		wantVerdict = report.Supported
	}
	if v := byID[claims.MiniProgramTracking].Verdict; v != wantVerdict {
		t.Errorf("%s: miniprogram_tracking %s, want %s", where, v, wantVerdict)
	}
	var loc struct {
		Requests int `json:"location_requests"`
	}
	remarshal(t, byID[claims.LocationWithPermission].Numbers, &loc)
	if loc.Requests != truth.LocationRequests {
		t.Errorf("%s: %d requests carrying location, generated %d", where, loc.Requests, truth.LocationRequests)
	}
	// One run alone never has both permission states.
	if v := byID[claims.LocationWithPermission].Verdict; v != report.NotTestable {
		t.Errorf("%s: location_with_permission %s on one run", where, v)
	}
}

func remarshal(t *testing.T, in, out any) {
	t.Helper()
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatal(fmt.Errorf("%s: %w", b, err))
	}
}
