package main

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/wxaudit/wxaudit/internal/fixtures"
	"github.com/wxaudit/wxaudit/keylog"
)

// TestFloorReplaysTheWork: on the real capture, the recorded work is
// there (every kind), replays without error (each GCM tag verifies again,
// each stream inflates), and the hex written is that of every payload.
func TestFloorReplaysTheWork(t *testing.T) {
	dir := fixtures.Dir(t)
	keys, err := keylog.Load([]string{filepath.Join(dir, "frida-logged-in-all-keys.log")})
	if err != nil {
		t.Fatal(err)
	}
	capture := filepath.Join(dir, "capture-logged-in-all-keys.pcapng")
	w, err := record(capture, keys)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.gcm) == 0 || len(w.cbc) == 0 || len(w.inflate) == 0 || len(w.payloads) == 0 {
		t.Fatalf("work recorded: %d GCM, %d CBC, %d inflates, %d payloads", len(w.gcm), len(w.cbc), len(w.inflate), len(w.payloads))
	}
	var out bytes.Buffer
	f := &floor{w: w, out: &out}
	for range 2 { // buffers reused
		out.Reset()
		if err := f.run(capture); err != nil {
			t.Fatal(err)
		}
	}
	want := 0
	for _, p := range w.payloads {
		want += 2*len(p) + 2
	}
	if out.Len() != want || f.hexed != want {
		t.Errorf("hex written: %d bytes (counted %d), want %d", out.Len(), f.hexed, want)
	}
	if f.inflated == 0 || f.captureLen == 0 {
		t.Errorf("inflated %d bytes, read %d", f.inflated, f.captureLen)
	}
}
