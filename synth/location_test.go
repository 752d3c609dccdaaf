package synth_test

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/wxaudit/wxaudit/analyze"
	"github.com/wxaudit/wxaudit/classify"
	"github.com/wxaudit/wxaudit/keylog"
	"github.com/wxaudit/wxaudit/payload"
	"github.com/wxaudit/wxaudit/synth"
)

// TestFixesWorldwide runs the location scenario for enough seeds to place
// the user in every quadrant and where both values are under 90, analyses
// each capture as `wxaudit analyze --keylog` does, and checks every planted
// coordinate pair against the manifest: the place in the right axis order
// (never the swapped reading, never left ambiguous), and the precision its
// encoding carries.
func TestFixesWorldwide(t *testing.T) {
	dir := t.TempDir()
	quadrants := map[string]bool{}
	pairs := 0
	for seed := int64(1); seed <= 40 && len(quadrants) < 5; seed++ {
		var capBuf, frida, man bytes.Buffer
		if _, err := synth.GenerateTo(synth.Writers{Capture: &capBuf, Secrets: &bytes.Buffer{}, Frida: &frida, Manifest: &man},
			synth.Options{Scenario: "miniprogram-location", Seed: seed}); err != nil {
			t.Fatal(err)
		}
		entries, err := synth.ReadManifest(&man)
		if err != nil {
			t.Fatal(err)
		}
		keys, err := keylog.Parse(&frida)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, strconv.FormatInt(seed, 10)+".pcapng")
		if err := os.WriteFile(path, capBuf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		rep, err := analyze.Run(context.Background(), []analyze.Input{{Path: path, Label: "loc", Keys: keys}}, analyze.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.Direction == payload.DirResponse {
				continue
			}
			for _, p := range e.Planted {
				if p.Fix == nil {
					continue
				}
				pairs++
				fx := p.Fix
				quadrants[quadrant(fx.Lat, fx.Lon)] = true
				var got []*classify.Coord
				for i := range rep.Findings {
					f := &rep.Findings[i]
					fp := f.Evidence.FieldPath
					if f.Coord != nil && f.URI == e.URI && (fp == p.FieldPath || strings.HasPrefix(fp, p.FieldPath+"+")) {
						got = append(got, f.Coord)
					}
				}
				if len(got) == 0 {
					t.Errorf("seed %d %s %s: no coordinate for %+v", seed, e.URI, p.FieldPath, *fx)
					continue
				}
				for _, co := range got {
					if math.Abs(co.Lat-fx.Lat) > 1e-5 || math.Abs(co.Lon-fx.Lon) > 1e-5 {
						t.Errorf("seed %d %s %s: got %.6f,%.6f (%s), want %.6f,%.6f sent %s", seed, e.URI, p.FieldPath, co.Lat, co.Lon, co.Axes, fx.Lat, fx.Lon, fx.Order)
					}
					if co.Axes == classify.AxesAmbiguous || co.Axes == classify.AxesSwapped {
						t.Errorf("seed %d %s %s: left ambiguous", seed, e.URI, p.FieldPath)
					}
					if math.Abs(co.PrecisionM-fx.PrecisionM) > 0.051 {
						t.Errorf("seed %d %s %s: precision %.2f m, the encoding carries %.2f m", seed, e.URI, p.FieldPath, co.PrecisionM, fx.PrecisionM)
					}
				}
			}
		}
	}
	for _, q := range []string{"NE", "NW", "SE", "SW", "both under 90"} {
		if !quadrants[q] {
			t.Errorf("no fix placed %s in %d pairs: %v", q, pairs, quadrants)
		}
	}
}

// quadrant names the hemisphere pair of a fix, or "both under 90" where
// magnitude cannot tell latitude from longitude (checked first, so the
// seed loop stops only once it has all five).
func quadrant(lat, lon float64) string {
	if math.Abs(lon) < 90 && lat > 0 && lon > 0 {
		return "both under 90"
	}
	q := "N"
	if lat < 0 {
		q = "S"
	}
	if lon < 0 {
		return q + "W"
	}
	return q + "E"
}
