package analyze

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/wxaudit/wxaudit/classify"
)

// TestRunOrientsCoordinates: a float pair that no request decides (both
// values under 90, an unknown request type) takes the axis order of a fix
// another request of the log stated under names; before, it is two
// readings at low confidence.
func TestRunOrientsCoordinates(t *testing.T) {
	f32 := func(field int, v float32) []byte {
		return binary.LittleEndian.AppendUint32([]byte{byte(field<<3 | 5)}, math.Float32bits(v))
	}
	pair := pbText(7, append(f32(1, 2.352222), f32(2, 48.856613)...)) // longitude first
	named := pbText(2, []byte(`{"latitude":48.856613,"longitude":2.352222}`))
	line := func(id int, b []byte) string {
		return `{"data": "` + hex.EncodeToString(b) + `", "req_id": ` + itoa(id) + `, "req_type": null}` + "\n"
	}
	for _, tt := range []struct {
		name string
		log  string
		want int // readings of the pair
	}{
		{"alone", line(876543, pair), 2},
		{"with a named fix later in the log", line(876543, pair) + line(876544, named), 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			log := filepath.Join(t.TempDir(), "places.log.jsonl")
			if err := os.WriteFile(log, []byte(tt.log), 0o600); err != nil {
				t.Fatal(err)
			}
			rep, err := Run(context.Background(), []Input{{Path: log}}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var got []*classify.Coord
			for _, f := range rep.Findings {
				if f.Coord != nil && f.ReqType == 876543 {
					got = append(got, f.Coord)
				}
			}
			if len(got) != tt.want {
				t.Fatalf("%d readings, want %d: %+v", len(got), tt.want, got)
			}
			if tt.want == 1 && (got[0].Axes != classify.AxesEvidence || math.Abs(got[0].Lat-48.856613) > 1e-5) {
				t.Fatalf("got %+v", got[0])
			}
		})
	}
}
