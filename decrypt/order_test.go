package decrypt

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wxaudit/wxaudit/internal/fixtures"
	"github.com/wxaudit/wxaudit/keylog"
	"github.com/wxaudit/wxaudit/payload"
	"github.com/wxaudit/wxaudit/reassemble"
	"github.com/wxaudit/wxaudit/synth"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// runJSON decrypts capture with the given workers and returns the payload
// JSONL and the stats.
func runJSON(t *testing.T, capture []byte, keys *keylog.Log, workers int) ([]byte, *Stats) {
	t.Helper()
	return runOpts(t, capture, Options{Keys: keys, Workers: workers})
}

// runOpts is runJSON with any options.
func runOpts(t *testing.T, capture []byte, opts Options) ([]byte, *Stats) {
	t.Helper()
	var out bytes.Buffer
	opts.CaptureName = "c"
	st, err := Run(context.Background(), bytes.NewReader(capture), opts, func(p *payload.Payload) error {
		out.Write(append(p.AppendJSON(nil, false), '\n'))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.Bytes(), st
}

// checkWorkers checks that opening on several goroutines changes nothing:
// the same payloads in the same order, and the same stats.
func checkWorkers(t *testing.T, name string, capture []byte, keys *keylog.Log) {
	t.Helper()
	want, wantSt := runJSON(t, capture, keys, 0)
	if len(want) == 0 {
		t.Fatalf("%s: no payloads", name)
	}
	for _, w := range []int{0, 2, 3} {
		for _, reuse := range []bool{false, true} {
			if w == 0 && !reuse {
				continue
			}
			got, gotSt := runOpts(t, capture, Options{Keys: keys, Workers: w, ReusePayloads: reuse})
			if !bytes.Equal(got, want) {
				t.Errorf("%s, %d workers, reuse %v: output differs from in-line opening", name, w, reuse)
			}
			if d := cmp.Diff(wantSt, gotSt); d != "" {
				t.Errorf("%s, %d workers, reuse %v: stats differ (-in line +workers):\n%s", name, w, reuse, d)
			}
		}
	}
}

func TestWorkersSameOutput(t *testing.T) {
	for _, o := range []synth.Options{{Seed: 7}, {Seed: 3, Loss: 0.05, Reorder: 0.1, Retransmit: 0.05}} {
		c, k := synthCapture(t, o)
		checkWorkers(t, "synth", c, k)
	}
	// Each key log alone: keys are then learned from auth responses and
	// earlier packets, which the orderer must replay in order.
	var capt, secrets, frida bytes.Buffer
	if _, err := synth.GenerateTo(synth.Writers{Capture: &capt, Secrets: &secrets, Frida: &frida, Manifest: &bytes.Buffer{}}, synth.Options{Seed: 11}); err != nil {
		t.Fatal(err)
	}
	for _, kl := range []*bytes.Buffer{&secrets, &frida} {
		k, err := keylog.Parse(bytes.NewReader(kl.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		checkWorkers(t, "synth, one key log", capt.Bytes(), k)
	}
}

// TestWorkersSameOutputCapped checks that the caps on inflated output bind
// alike with and without workers: a total cap reached in the middle of the
// capture, and workers whose own per-payload cap is below the run's (their
// packets are then opened again at commit).
func TestWorkersSameOutputCapped(t *testing.T) {
	var capt, secrets, frida bytes.Buffer
	if _, err := synth.GenerateTo(synth.Writers{Capture: &capt, Secrets: &secrets, Frida: &frida, Manifest: &bytes.Buffer{}}, synth.Options{Seed: 5}); err != nil {
		t.Fatal(err)
	}
	keys, err := keylog.Parse(bytes.NewReader(secrets.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	checkWorkersCapped(t, "synth", capt.Bytes(), keys)
}

func checkWorkersCapped(t *testing.T, name string, capture []byte, keys *keylog.Log) {
	t.Helper()
	inflated := int64(0)
	if _, err := Run(context.Background(), bytes.NewReader(capture), Options{Keys: keys}, func(p *payload.Payload) error {
		if p.Compressed {
			inflated += int64(len(p.Payload))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if inflated == 0 {
		t.Fatalf("%s: no compressed payload", name)
	}
	defer func(m int) { workerMaxInflate = m }(workerMaxInflate)
	for _, workerMax := range []int{1 << 20, 64} {
		workerMaxInflate = workerMax
		for _, total := range []int64{0, inflated / 2} {
			// A per-payload cap well below the total lets workers' results
			// through until the total nears.
			perPayload := total / 8
			want, wantSt := runOpts(t, capture, Options{Keys: keys, MaxInflatedTotal: total, MaxInflated: perPayload})
			if total > 0 && wantSt.PayloadsNotDecrypted["inner: "+taxonomy.ReasonOutputCap]+wantSt.PayloadsNotDecrypted["inner: "+taxonomy.ReasonTooLarge] == 0 {
				t.Fatalf("%s: total cap %d: no payload stopped by the caps", name, total)
			}
			for _, w := range []int{2, 3} {
				got, gotSt := runOpts(t, capture, Options{Keys: keys, MaxInflatedTotal: total, MaxInflated: perPayload, Workers: w})
				if !bytes.Equal(got, want) {
					t.Errorf("%s: worker cap %d, total cap %d, %d workers: output differs from in-line opening", name, workerMax, total, w)
				}
				if d := cmp.Diff(wantSt, gotSt); d != "" {
					t.Errorf("%s: worker cap %d, total cap %d, %d workers: stats differ (-in line +workers):\n%s", name, workerMax, total, w, d)
				}
			}
		}
	}
}

func TestWorkersSameOutputReal(t *testing.T) {
	dir := fixtures.Dir(t)
	src, err := os.ReadFile(dir + "/" + realCapture)
	if err != nil {
		t.Fatal(err)
	}
	keys := loadKeys(t, dir+"/"+realKeylog)
	checkWorkers(t, "real", src, keys)
	checkWorkers(t, "real x20", replicate(t, src, 20*len(src)), keys)
	checkWorkersCapped(t, "real x20", replicate(t, src, 20*len(src)), keys)
}

// TestIdleTimeout checks that connections idle for DefaultIdleTimeout are
// closed (the replicated capture spans 20 minutes and its connections end
// without a FIN) and that this changes nothing in the output.
func TestIdleTimeout(t *testing.T) {
	dir := fixtures.Dir(t)
	src, err := os.ReadFile(dir + "/" + realCapture)
	if err != nil {
		t.Fatal(err)
	}
	keys := loadKeys(t, dir+"/"+realKeylog)
	capture := replicate(t, src, 40*len(src)) // copies 30 s apart
	run := func(idle time.Duration) ([]byte, *Stats) {
		var out bytes.Buffer
		st, err := Run(context.Background(), bytes.NewReader(capture), Options{Keys: keys, Reassembly: reassemble.Options{IdleTimeout: idle}}, func(p *payload.Payload) error {
			out.Write(append(p.AppendJSON(nil, false), '\n'))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out.Bytes(), st
	}
	idle, idleSt := run(0)
	open, openSt := run(-1)
	if idleSt.ConnectionsIdle == 0 || openSt.ConnectionsIdle != 0 {
		t.Errorf("connections closed idle: %d with the default timeout, %d without; want some, none", idleSt.ConnectionsIdle, openSt.ConnectionsIdle)
	}
	if !bytes.Equal(idle, open) {
		t.Error("closing idle connections changed the output")
	}
	if idleSt.Payloads != openSt.Payloads || idleSt.Connections != openSt.Connections {
		t.Errorf("payloads %d/%d, connections %d/%d with/without the timeout", idleSt.Payloads, openSt.Payloads, idleSt.Connections, openSt.Connections)
	}
}

// TestCutAnywhere decrypts the real capture cut short at many points, so
// that connections end, and are closed, in every state: with a message
// half collected, a record pending, a packet in flight. Closing must emit
// what it can without touching a conn that was already reused (conns and
// jobs are recycled, order.go), alike with and without workers.
func TestCutAnywhere(t *testing.T) {
	dir := fixtures.Dir(t)
	src, err := os.ReadFile(dir + "/" + realCapture)
	if err != nil {
		t.Fatal(err)
	}
	keys := loadKeys(t, dir+"/"+realKeylog)
	for cut := 64; cut < len(src); cut += len(src)/150 + 1 {
		var want []byte
		for _, w := range []int{0, 2} {
			var out bytes.Buffer
			_, err := Run(context.Background(), bytes.NewReader(src[:cut]), Options{Keys: keys, CaptureName: "c", Workers: w, ReusePayloads: true}, func(p *payload.Payload) error {
				out.Write(append(p.AppendJSON(nil, false), '\n'))
				return nil
			})
			if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("cut at %d, %d workers: %v", cut, w, err)
			}
			if w == 0 {
				want = out.Bytes()
			} else if !bytes.Equal(out.Bytes(), want) {
				t.Errorf("cut at %d: output with workers differs", cut)
			}
		}
	}
}
