package decrypt

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"testing"

	"github.com/wxaudit/wxaudit/internal/fixtures"
	"github.com/wxaudit/wxaudit/keylog"
	"github.com/wxaudit/wxaudit/payload"
	"github.com/wxaudit/wxaudit/synth"
)

// synthCapture generates every synth scenario with the given impairments
// and returns the capture and its two key logs merged.
func synthCapture(tb testing.TB, opts synth.Options) ([]byte, *keylog.Log) {
	tb.Helper()
	var capt, secrets, frida bytes.Buffer
	if _, err := synth.GenerateTo(synth.Writers{Capture: &capt, Secrets: &secrets, Frida: &frida, Manifest: io.Discard}, opts); err != nil {
		tb.Fatal(err)
	}
	keys, err := keylog.Parse(io.MultiReader(&secrets, bytes.NewReader([]byte("\n")), &frida))
	if err != nil {
		tb.Fatal(err)
	}
	return capt.Bytes(), keys
}

// TestPayloadJSONMatchesEncodingJSON checks that the payload JSONL written
// without reflection is byte-for-byte what `wxaudit decrypt` wrote with
// encoding/json, over synth captures, clean and impaired.
func TestPayloadJSONMatchesEncodingJSON(t *testing.T) {
	for _, o := range []synth.Options{{Seed: 7}, {Seed: 3, Loss: 0.05, Reorder: 0.1, Retransmit: 0.05}} {
		c, k := synthCapture(t, o)
		checkJSON(t, "synth", c, k)
	}
}

// TestPayloadJSONMatchesEncodingJSONReal is the same check on the real
// capture.
func TestPayloadJSONMatchesEncodingJSONReal(t *testing.T) {
	dir := fixtures.Dir(t)
	c, err := os.ReadFile(dir + "/" + realCapture)
	if err != nil {
		t.Fatal(err)
	}
	checkJSON(t, "real", c, loadKeys(t, dir+"/"+realKeylog))
}

func checkJSON(t *testing.T, name string, capture []byte, keys *keylog.Log) {
	t.Helper()
	var want, got bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	n := 0
	_, err := Run(context.Background(), bytes.NewReader(capture), Options{Keys: keys, CaptureName: "in <&> \"quoted\".pcap"}, func(p *payload.Payload) error {
		n++
		got.Write(append(p.AppendJSON(nil, false), '\n'))
		return enc.Encode(p)
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatalf("%s: no payloads", name)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Errorf("%s: %d payloads: output differs from encoding/json", name, n)
	}
}
