//go:build wxaudit_roundtrip

// The round-trip property of issue 3: synth then decrypt with either key log
// recovers exactly the manifest's payloads. It is behind the build tag
// wxaudit_roundtrip until package decrypt builds; run it with
// `go test -tags wxaudit_roundtrip ./synth/`, and drop the tag once decrypt
// is complete.

package synth_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/wxaudit/wxaudit/decrypt"
	"github.com/wxaudit/wxaudit/keylog"
	"github.com/wxaudit/wxaudit/payload"
	"github.com/wxaudit/wxaudit/synth"
)

// key is what must match between a manifest entry and a decrypted payload.
func key(conn *payload.Conn, dir string, p []byte) string {
	c := ""
	if conn != nil {
		c = conn.Client + ">" + conn.Server
	}
	return fmt.Sprintf("%s %s %x", c, dir, p)
}

func roundTrip(t *testing.T, opts synth.Options) {
	t.Helper()
	var capt, secrets, frida, manifest bytes.Buffer
	if _, err := synth.GenerateTo(synth.Writers{Capture: &capt, Secrets: &secrets, Frida: &frida, Manifest: &manifest}, opts); err != nil {
		t.Fatal(err)
	}
	entries, err := synth.ReadManifest(&manifest)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, e := range entries {
		want = append(want, key(e.Conn, e.Direction, e.Payload.Payload))
	}
	slices.Sort(want)
	for name, kl := range map[string][]byte{"secrets": secrets.Bytes(), "frida": frida.Bytes()} {
		keys, err := keylog.Parse(bytes.NewReader(kl))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		_, err = decrypt.Run(context.Background(), bytes.NewReader(capt.Bytes()), decrypt.Options{Keys: keys}, func(p *payload.Payload) error {
			got = append(got, key(p.Conn, p.Direction, p.Payload))
			return nil
		})
		if err != nil {
			t.Fatalf("%+v %s: %v", opts, name, err)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%+v with the %s key log: %d payloads decrypted, manifest has %d; first difference at %d",
				opts, name, len(got), len(want), firstDiff(got, want))
		}
	}
}

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func TestRoundTrip(t *testing.T) {
	for _, sc := range synth.Scenarios() {
		for seed := range int64(4) {
			roundTrip(t, synth.Options{Scenario: sc.Name, Seed: seed})
		}
	}
}

func TestRoundTripImpaired(t *testing.T) {
	for seed := range int64(20) {
		roundTrip(t, synth.Options{Seed: seed, Loss: 0.1, Reorder: 0.1, Retransmit: 0.1})
	}
}
