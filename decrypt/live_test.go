package decrypt

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wxaudit/wxaudit/internal/fixtures"
	"github.com/wxaudit/wxaudit/keylog"
	"github.com/wxaudit/wxaudit/payload"
	"github.com/wxaudit/wxaudit/synth"
)

// liveInput is a synthetic capture with its secrets key log and the hex
// of every payload of its manifest, sorted.
type liveInput struct {
	capture  []byte
	keyLines []string // secrets key log lines, header first
	want     []string
}

func newLiveInput(t *testing.T) liveInput {
	t.Helper()
	dir := t.TempDir()
	res, err := synth.Generate(synth.Options{Scenario: "miniprogram-location", Seed: 11, OutDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	var in liveInput
	if in.capture, err = os.ReadFile(res.Capture); err != nil {
		t.Fatal(err)
	}
	kf, err := os.Open(res.Secrets)
	if err != nil {
		t.Fatal(err)
	}
	defer kf.Close()
	sc := bufio.NewScanner(kf)
	for sc.Scan() {
		in.keyLines = append(in.keyLines, sc.Text()+"\n")
	}
	mf, err := os.Open(res.Manifest)
	if err != nil {
		t.Fatal(err)
	}
	defer mf.Close()
	entries, err := synth.ReadManifest(mf)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		in.want = append(in.want, hex.EncodeToString(e.Payload.Payload))
	}
	sort.Strings(in.want)
	if len(in.want) == 0 || len(in.keyLines) < 3 {
		t.Fatalf("synthetic input too small: %d payloads, %d key lines", len(in.want), len(in.keyLines))
	}
	return in
}

// streamLive feeds the capture through a pipe in chunks, appending key
// lines to a growing file as keysAfter(chunk) says, and decodes it live.
func streamLive(t *testing.T, in liveInput, chunks int, keysAfter func(chunk int) int, lo LiveOptions) ([]string, *Stats) {
	t.Helper()
	keyPath := filepath.Join(t.TempDir(), "keys.log")
	kf, err := os.Create(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	defer kf.Close()
	pr, pw := io.Pipe()
	go func() {
		written := 0
		step := (len(in.capture) + chunks - 1) / chunks
		for i := 0; i < chunks; i++ {
			lo, hi := min(i*step, len(in.capture)), min((i+1)*step, len(in.capture))
			if _, err := pw.Write(in.capture[lo:hi]); err != nil {
				return
			}
			for ; written < min(keysAfter(i), len(in.keyLines)); written++ {
				kf.WriteString(in.keyLines[written])
			}
			time.Sleep(3 * time.Millisecond)
		}
		for ; written < len(in.keyLines); written++ {
			kf.WriteString(in.keyLines[written])
		}
		pw.Close()
	}()
	fl := keylog.NewFollower([]string{keyPath})
	defer fl.Close()
	lo.Poll = fl.Poll
	if lo.PollInterval == 0 {
		lo.PollInterval = time.Millisecond
	}
	var got []string
	st, err := Run(context.Background(), pr, Options{Keys: fl.Log(), CaptureName: "-", Live: &lo, OnRecord: func(e RecordEvent) {
		if e.State == stateFailed {
			t.Logf("failed: %+v", e)
		}
	}}, func(p *payload.Payload) error {
		got = append(got, hex.EncodeToString(p.Payload))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(got)
	return got, st
}

func TestLiveGrowingKeylog(t *testing.T) {
	in := newLiveInput(t)
	n := len(in.keyLines)
	for _, tc := range []struct {
		name      string
		keysAfter func(int) int
	}{
		{"keys first", func(int) int { return n }},
		{"keys lag the stream", func(i int) int { return (i - 3) * n / 20 }},
		{"keys after the last packet", func(int) int { return 0 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, st := streamLive(t, in, 20, tc.keysAfter, LiveOptions{})
			if diff := cmp.Diff(in.want, got); diff != "" {
				t.Errorf("payloads differ from the manifest (-want +got):\n%s", diff)
			}
			if len(st.RecordsNotDecrypted) > 0 || len(st.PayloadsNotDecrypted) > 0 {
				t.Errorf("not decrypted: records %v, payloads %v", st.RecordsNotDecrypted, st.PayloadsNotDecrypted)
			}
			if st.Live == nil || st.Live.KeysAdded == 0 {
				t.Fatalf("live stats = %+v", st.Live)
			}
			if tc.name == "keys after the last packet" && (st.Live.ConnsWaited == 0 || st.Live.RecordsLate == 0) {
				t.Errorf("nothing waited: %+v", *st.Live)
			}
		})
	}
}

// Waiting is bounded: with room for one closed connection, the others are
// given up and counted.
func TestLiveWaitBounds(t *testing.T) {
	in := newLiveInput(t)
	got, st := streamLive(t, in, 10, func(int) int { return 0 }, LiveOptions{MaxWaitingConns: 1, MaxWaitingBytes: 1 << 20})
	if len(got) >= len(in.want) {
		t.Fatalf("got all %d payloads despite the bound", len(got))
	}
	if st.Live.ConnsDropped == 0 || st.RecordsNotDecrypted[ReasonWaitLimit] != st.Live.RecordsDropped || st.Live.RecordsDropped == 0 {
		t.Errorf("drops not counted: live %+v, not decrypted %v", *st.Live, st.RecordsNotDecrypted)
	}
	if !bytes.Contains([]byte(ReasonWaitLimit), []byte("live")) {
		t.Error("reason does not say why")
	}
}

// Citizen Lab's capture, streamed with its Frida key log trailing the
// stream, decodes live to exactly what it decodes offline.
func TestLiveRealCapture(t *testing.T) {
	dir := fixtures.Dir(t)
	var in liveInput
	var err error
	if in.capture, err = os.ReadFile(filepath.Join(dir, realCapture)); err != nil {
		t.Fatal(err)
	}
	kf, err := os.Open(filepath.Join(dir, realKeylog))
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(kf)
	for sc.Scan() {
		in.keyLines = append(in.keyLines, sc.Text()+"\n")
	}
	kf.Close()
	offline, _ := decryptBytes(t, in.capture, loadKeys(t, filepath.Join(dir, realKeylog)))
	for _, p := range offline {
		in.want = append(in.want, hex.EncodeToString(p.Payload))
	}
	sort.Strings(in.want)
	n := len(in.keyLines)
	got, st := streamLive(t, in, 40, func(i int) int { return (i - 8) * n / 40 }, LiveOptions{})
	if diff := cmp.Diff(in.want, got); diff != "" {
		t.Errorf("live payloads differ from offline (-want +got):\n%s", diff)
	}
	if st.RecordsDecrypted != 117 || st.Live.RecordsLate == 0 {
		t.Errorf("%d records decrypted (want 117), live %+v", st.RecordsDecrypted, *st.Live)
	}
}
