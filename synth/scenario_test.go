package synth

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/wxaudit/wxaudit/taxonomy"
)

var testStart = time.Date(2024, 10, 1, 9, 30, 0, 0, time.UTC)

func runScript(t *testing.T, name string, seed int64) *script {
	t.Helper()
	run, err := lookupScenario(name)
	if err != nil {
		t.Fatal(err)
	}
	r := newRNG(seed, 1)
	s := &script{id: newIdentity(newRNG(seed, 0)), r: r, now: testStart, truth: newTruth(name)}
	s.keys, _ = newRoundKeys(r)
	run(s)
	return s
}

// validProto reports whether b parses as a sequence of protobuf fields.
func validProto(b []byte) bool {
	for len(b) > 0 {
		_, _, n := protowire.ConsumeField(b)
		if n < 0 {
			return false
		}
		b = b[n:]
	}
	return true
}

func TestScenariosPlantedValuesPresent(t *testing.T) {
	for _, sc := range Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			for seed := range int64(5) {
				s := runScript(t, sc.Name, seed)
				if len(s.calls) == 0 {
					t.Fatal("no calls")
				}
				for i, c := range s.calls {
					if c.link != linkHTTP && !validProto(c.req.b) {
						t.Errorf("seed %d call %d (%s): request is not protobuf", seed, i, c.uri)
					}
					for _, p := range c.req.planted {
						if !taxonomy.Known(p.DataType) {
							t.Errorf("call %d: data type %q not in the taxonomy", i, p.DataType)
						}
						if !bytes.Contains(c.req.b, p.Bytes()) {
							t.Errorf("seed %d call %d (%s): planted %s %q (%s) at %s not in payload",
								seed, i, c.uri, p.DataType, p.Value, p.Encoding, p.FieldPath)
						}
					}
				}
			}
		})
	}
}

func TestLocationDeniedSendsNoCoordinates(t *testing.T) {
	for seed := range int64(10) {
		s := runScript(t, "location-denied", seed)
		lat := []byte(coord(s.id.Lat)[:6])
		for _, c := range s.calls {
			for _, p := range c.req.planted {
				if p.DataType == taxonomy.Location {
					t.Errorf("seed %d: %s plants a location", seed, c.uri)
				}
			}
			if bytes.Contains(c.req.b, lat) {
				t.Errorf("seed %d: %s contains the latitude %s", seed, c.uri, lat)
			}
		}
		g := runScript(t, "miniprogram-location", seed)
		n := 0
		for _, c := range g.calls {
			for _, p := range c.req.planted {
				if p.DataType == taxonomy.Location {
					n++
				}
			}
		}
		if n < 4 {
			t.Errorf("seed %d: miniprogram-location plants %d coordinates, want >= 4", seed, n)
		}
	}
}

func TestScriptDeterministic(t *testing.T) {
	a, b := runScript(t, ScenarioAll, 42), runScript(t, ScenarioAll, 42)
	if len(a.calls) != len(b.calls) {
		t.Fatalf("call counts differ: %d, %d", len(a.calls), len(b.calls))
	}
	for i := range a.calls {
		if !bytes.Equal(a.calls[i].req.b, b.calls[i].req.b) || !a.calls[i].at.Equal(b.calls[i].at) {
			t.Fatalf("call %d differs", i)
		}
		if d := cmp.Diff(a.calls[i].req.planted, b.calls[i].req.planted); d != "" {
			t.Fatalf("call %d planted (-a +b):\n%s", i, d)
		}
	}
	c := runScript(t, ScenarioAll, 43)
	if bytes.Equal(a.calls[1].req.b, c.calls[1].req.b) {
		t.Error("seeds 42 and 43 give the same auth request")
	}
	// The clock only moves forward.
	if !slices.IsSortedFunc(a.calls, func(x, y call) int { return x.at.Compare(y.at) }) {
		t.Error("call times not increasing")
	}
}

func TestIdentityShapes(t *testing.T) {
	for seed := range int64(50) {
		id := newIdentity(newRNG(seed, 0))
		if len(id.DeviceID) != 16 || id.DeviceID[0] != 'A' {
			t.Errorf("device id %q", id.DeviceID)
		}
		for _, mp := range id.MiniPrograms {
			if len(mp.AppID) != 18 || mp.AppID[:2] != "wx" {
				t.Errorf("appid %q", mp.AppID)
			}
		}
		if id.Lat < -90 || id.Lat > 90 || id.Lon < -180 || id.Lon > 180 {
			t.Errorf("coordinates %v,%v", id.Lat, id.Lon)
		}
	}
}

func TestUnknownScenario(t *testing.T) {
	if _, err := lookupScenario("nope"); err == nil {
		t.Fatal("no error")
	}
}
