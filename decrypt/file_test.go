package decrypt_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/wxaudit/wxaudit/decrypt"
	"github.com/wxaudit/wxaudit/keylog"
	"github.com/wxaudit/wxaudit/synth"
)

// TestFile: a synth capture decrypted to a file gives one JSON line per
// payload, in a file only its owner can read.
func TestFile(t *testing.T) {
	dir := t.TempDir()
	res, err := synth.Generate(synth.Options{Scenario: "miniprogram-location", Seed: 3, OutDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	keys, err := keylog.Load([]string{res.Secrets})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "payloads.jsonl")
	st, err := decrypt.File(context.Background(), res.Capture, out, decrypt.Options{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(b, []byte("\n")); n == 0 || n != st.Payloads || n != res.Payloads {
		t.Errorf("%d lines, %d payloads in stats, %d planted", n, st.Payloads, res.Payloads)
	}
	if fi, _ := os.Stat(out); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	if _, err := decrypt.File(context.Background(), filepath.Join(dir, "missing.pcap"), out, decrypt.Options{}); err == nil {
		t.Error("a missing capture decrypted")
	}
}

// File writes its output whole or not at all: a capture that fails leaves
// no payload file and no temporary file behind.
func TestFileAtomic(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "not-a-capture.pcap")
	if err := os.WriteFile(bad, []byte("this is not a capture at all, not even close"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := decrypt.File(context.Background(), bad, filepath.Join(dir, "payloads.jsonl"), decrypt.Options{}); err == nil {
		t.Fatal("decrypting a non-capture succeeded")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("left behind: %v (want only the input)", names)
	}
}
