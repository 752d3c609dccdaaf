// The round-trip property: synth then decrypt with either key log
// recovers exactly the manifest's payloads, field by field (everything
// decrypt prints except the capture time and frame numbers), also through
// lost, reordered and retransmitted segments.

package synth_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wxaudit/wxaudit/capture"
	"github.com/wxaudit/wxaudit/decrypt"
	"github.com/wxaudit/wxaudit/keylog"
	"github.com/wxaudit/wxaudit/payload"
	"github.com/wxaudit/wxaudit/synth"
)

// comparable returns the JSON of p without the fields the manifest does
// not predict (capture time, frames, capture name, signature check).
func comparable(p payload.Payload) string {
	p.Time, p.Frames, p.Capture, p.SignatureOK = "", nil, "", nil
	b, err := json.Marshal(p)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// roundTrip generates opts and decrypts the capture with each key log. It
// returns a description of the first failure, or "".
func roundTrip(opts synth.Options) string {
	var capt, secrets, frida, manifest bytes.Buffer
	if _, err := synth.GenerateTo(synth.Writers{Capture: &capt, Secrets: &secrets, Frida: &frida, Manifest: &manifest}, opts); err != nil {
		return err.Error()
	}
	entries, err := synth.ReadManifest(&manifest)
	if err != nil {
		return err.Error()
	}
	want := make([]string, 0, len(entries))
	for _, e := range entries {
		want = append(want, comparable(e.Payload))
	}
	slices.Sort(want)
	for _, kl := range []struct {
		name string
		b    []byte
	}{{"secrets", secrets.Bytes()}, {"frida", frida.Bytes()}} {
		keys, err := keylog.Parse(bytes.NewReader(kl.b))
		if err != nil {
			return err.Error()
		}
		if keys.Stats().Malformed > 0 {
			return fmt.Sprintf("%s key log: %d malformed lines", kl.name, keys.Stats().Malformed)
		}
		var got []string
		st, err := decrypt.Run(context.Background(), bytes.NewReader(capt.Bytes()), decrypt.Options{Keys: keys, CaptureName: "synth"}, func(p *payload.Payload) error {
			got = append(got, comparable(*p))
			return nil
		})
		if err != nil {
			return fmt.Sprintf("%s key log: %v", kl.name, err)
		}
		slices.Sort(got)
		if d := cmp.Diff(want, got); d != "" {
			return fmt.Sprintf("%s key log: %d payloads decrypted, manifest has %d (-manifest +decrypt):\n%s", kl.name, len(got), len(want), d)
		}
		if n := sumMap(st.RecordsNotDecrypted) + sumMap(st.PayloadsNotDecrypted); n > 0 || st.SignaturesBad > 0 || st.HandshakeErrors > 0 {
			return fmt.Sprintf("%s key log: records not decrypted %v, payloads not decrypted %v, bad signatures %d, handshake errors %d",
				kl.name, st.RecordsNotDecrypted, st.PayloadsNotDecrypted, st.SignaturesBad, st.HandshakeErrors)
		}
		if st.SignaturesOK == 0 {
			return kl.name + " key log: no signature verified"
		}
	}
	return ""
}

func sumMap(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func check(t *testing.T, opts synth.Options) {
	t.Helper()
	if msg := roundTrip(opts); msg != "" {
		t.Errorf("scenario %q seed %d loss %v reorder %v retransmit %v: %s", opts.Scenario, opts.Seed, opts.Loss, opts.Reorder, opts.Retransmit, msg)
	}
}

// TestRoundTrip runs every scenario on a few seeds, clean and impaired.
func TestRoundTrip(t *testing.T) {
	for _, sc := range synth.Scenarios() {
		if sc.Name == synth.ScenarioAll {
			continue // covered by TestRoundTripProperty
		}
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			for seed := range int64(3) {
				check(t, synth.Options{Scenario: sc.Name, Seed: seed})
				check(t, synth.Options{Scenario: sc.Name, Seed: seed, Loss: 0.15, Reorder: 0.15, Retransmit: 0.15})
			}
		})
	}
}

// TestRoundTripFormats covers classic pcap and several rounds (Size): keys
// of one round must not be needed in another.
func TestRoundTripFormats(t *testing.T) {
	check(t, synth.Options{Scenario: "messaging", Seed: 9, Format: capture.FormatPcap, Loss: 0.1})
	check(t, synth.Options{Scenario: "search", Seed: 9, Size: 200 << 10, Reorder: 0.1, Retransmit: 0.1})
}

// TestRoundTripProperty runs the whole session ("all") on many seeds with
// impairments that vary with the seed, including none and heavy ones.
// WXAUDIT_SYNTH_SEEDS=N runs N seeds instead of 24.
func TestRoundTripProperty(t *testing.T) {
	n := int64(24)
	if testing.Short() {
		n = 6
	}
	if v, err := strconv.ParseInt(os.Getenv("WXAUDIT_SYNTH_SEEDS"), 10, 64); err == nil && v > 0 {
		n = v
	}
	levels := []float64{0, 0.02, 0.1, 0.3}
	var failed []string
	for seed := range n {
		opts := synth.Options{Seed: 1000 + seed,
			Loss: levels[seed%4], Reorder: levels[(seed/2)%4], Retransmit: levels[(seed/3)%4]}
		if seed%8 == 5 {
			opts.Size = 400 << 10 // several rounds
		}
		if msg := roundTrip(opts); msg != "" {
			failed = append(failed, fmt.Sprintf("seed %d %+v: %s", opts.Seed, opts, msg))
		}
	}
	if len(failed) > 0 {
		t.Errorf("%d of %d seeds fail:\n%s", len(failed), n, strings.Join(failed, "\n"))
	}
}
