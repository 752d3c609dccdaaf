package synth

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wxaudit/wxaudit/capture"
)

var update = flag.Bool("update", false, "rewrite golden files")

func generate(t testing.TB, opts Options) (capt, secrets, frida, manifest []byte, res *Result) {
	t.Helper()
	var c, s, f, m bytes.Buffer
	res, err := GenerateTo(Writers{&c, &s, &f, &m}, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c.Bytes(), s.Bytes(), f.Bytes(), m.Bytes(), res
}

func sum(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }

// TestGolden pins the bytes of a tiny scenario: any change to the output
// shows up here (go test -update to accept it).
func TestGolden(t *testing.T) {
	opts := Options{Scenario: "location-denied", Seed: 7}
	c, s, f, m, _ := generate(t, opts)
	got := "# options: scenario=location-denied seed=7 format=pcapng\n" +
		"capture " + sum(c) + "\nsecrets " + sum(s) + "\nfrida " + sum(f) + "\nmanifest " + sum(m) + "\n"
	path := filepath.Join("testdata", "golden-location-denied-7.txt")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != got {
		t.Errorf("golden mismatch (run go test -update if intended):\nwant\n%s\ngot\n%s", want, got)
	}
}

func TestDeterministic(t *testing.T) {
	for _, opts := range []Options{{Scenario: "all", Seed: 3}, {Scenario: "messaging", Seed: 3, Loss: 0.1, Reorder: 0.1, Retransmit: 0.1, Format: capture.FormatPcap}} {
		c1, s1, f1, m1, _ := generate(t, opts)
		c2, s2, f2, m2, _ := generate(t, opts)
		if !bytes.Equal(c1, c2) || !bytes.Equal(s1, s2) || !bytes.Equal(f1, f2) || !bytes.Equal(m1, m2) {
			t.Errorf("%+v: two runs differ", opts)
		}
	}
	a, _, _, _, _ := generate(t, Options{Seed: 1})
	b, _, _, _, _ := generate(t, Options{Seed: 2})
	if bytes.Equal(a, b) {
		t.Error("seeds 1 and 2 give the same capture")
	}
}

// TestStructure reads the capture back and checks the TCP streams carry
// well-formed MMTLS records and the manifest's planted values are in its
// payloads.
func TestStructure(t *testing.T) {
	for _, sc := range Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			c, s, f, m, res := generate(t, Options{Scenario: sc.Name, Seed: 11, Loss: 0.05, Reorder: 0.05, Retransmit: 0.05})
			r, err := capture.NewReader(bytes.NewReader(c))
			if err != nil {
				t.Fatal(err)
			}
			var n int64
			for {
				p, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				n++
				if p.Frame != n {
					t.Fatalf("frame %d numbered %d", n, p.Frame)
				}
			}
			if n != res.Packets {
				t.Errorf("read %d packets, wrote %d", n, res.Packets)
			}
			if !strings.HasPrefix(string(s), "# wxaudit-secrets v1\n") {
				t.Errorf("secrets key log starts %q", s[:min(len(s), 30)])
			}
			if !bytes.Contains(f, []byte(`"layer":"OUTER"`)) {
				t.Error("frida key log has no OUTER line")
			}
			es, err := ReadManifest(bytes.NewReader(m))
			if err != nil {
				t.Fatal(err)
			}
			if len(es) != res.Payloads || len(es) == 0 {
				t.Fatalf("manifest has %d entries, result says %d", len(es), res.Payloads)
			}
			for i, e := range es {
				for _, p := range e.Planted {
					if !bytes.Contains(e.Payload.Payload, p.Bytes()) {
						t.Errorf("entry %d (%s): planted %s %q not in payload", i, e.URI, p.DataType, p.Value)
					}
				}
			}
		})
	}
}

func TestSize(t *testing.T) {
	_, _, _, _, res := generate(t, Options{Scenario: "search", Size: 300 << 10})
	if res.CaptureBytes < 300<<10 || res.Rounds < 2 {
		t.Errorf("size: %d bytes in %d rounds", res.CaptureBytes, res.Rounds)
	}
}

func BenchmarkGenerate(b *testing.B) {
	b.ReportAllocs()
	var n int64
	for b.Loop() {
		res, err := GenerateTo(Writers{io.Discard, io.Discard, io.Discard, io.Discard}, Options{Seed: 1, Size: 4 << 20})
		if err != nil {
			b.Fatal(err)
		}
		n = res.CaptureBytes
	}
	b.SetBytes(n)
}
