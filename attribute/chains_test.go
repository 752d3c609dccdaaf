package attribute

import (
	"bytes"
	"io"
	"math/rand"
	"reflect"
	"strings"
	"testing"
)

// TestSegmentsIsSplitRuns checks the streaming segmentation against
// SplitRuns on random families of logs: cumulative prefixes, copies,
// siblings, unterminated last lines, empty inputs and skipped ones.
func TestSegmentsIsSplitRuns(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for trial := range 300 {
		base := make([]string, 1+rng.Intn(12))
		for i := range base {
			base[i] = string(rune('a'+rng.Intn(3))) + "\n"
		}
		var inputs []string
		for range 1 + rng.Intn(9) {
			switch rng.Intn(5) {
			case 0: // a prefix
				inputs = append(inputs, strings.Join(base[:rng.Intn(len(base)+1)], ""))
			case 1: // a copy of an earlier input
				if len(inputs) > 0 {
					inputs = append(inputs, inputs[rng.Intn(len(inputs))])
				}
			case 2: // an earlier input extended
				if len(inputs) > 0 {
					inputs = append(inputs, inputs[rng.Intn(len(inputs))]+"x\n")
				}
			case 3: // unterminated
				inputs = append(inputs, strings.Join(base[:rng.Intn(len(base)+1)], "")+"z")
			default:
				inputs = append(inputs, strings.Join(base, ""))
			}
		}
		skipped := map[int]bool{}
		if len(inputs) > 0 && rng.Intn(4) == 0 {
			skipped[rng.Intn(len(inputs))] = true
		}
		if len(inputs) == 0 {
			continue
		}
		hs := make([][][32]byte, len(inputs))
		complete := make([]bool, len(inputs))
		for i, in := range inputs {
			if skipped[i] {
				continue
			}
			l, err := ReadLines(strings.NewReader(in))
			if err != nil {
				t.Fatal(err)
			}
			hs[i], complete[i] = l.Chain, l.Complete
		}
		want := SplitRuns(hs, complete)
		got, errs := Segments(len(inputs), func(i int) (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader([]byte(inputs[i]))), nil
		}, func(i int) bool { return skipped[i] })
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("trial %d: inputs %q\nSegments  %+v\nSplitRuns %+v", trial, inputs, got, want)
		}
	}
}
