package analyze

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInputs(t *testing.T) {
	dir := t.TempDir()
	logPath := filepath.Join(dir, "a.log.jsonl")
	capPath := filepath.Join(dir, "c.pcap")
	os.WriteFile(logPath, []byte("{}\n"), 0o600)
	// A pcap global header: magic, version 2.4, snaplen, link type 1.
	os.WriteFile(capPath, []byte{0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0}, 0o600)

	in, err := Inputs([]string{logPath, logPath}, []string{"off"}, []string{"off", "on"}, nil)
	if err != nil || len(in) != 2 || in[0].Label != "off" || in[1].Label != "" || in[1].Permissions != "on" || in[0].Keys != nil {
		t.Fatalf("Inputs = %+v, %v", in, err)
	}
	if _, err := Inputs([]string{logPath}, []string{"a", "b"}, nil, nil); err == nil {
		t.Error("more labels than inputs accepted")
	}
	if _, err := Inputs([]string{capPath}, nil, nil, nil); err == nil || !strings.Contains(err.Error(), "--keylog is required") {
		t.Errorf("capture without key log: %v", err)
	}
}

func TestOpenClassifierErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("canaries: [{name: x, type: no_such_type, value: 1}]\n"), 0o600)
	if _, err := OpenClassifier("", bad); err == nil {
		t.Error("a canary of an unknown type accepted")
	}
	if _, err := OpenClassifier(filepath.Join(t.TempDir(), "missing.yaml"), ""); err == nil {
		t.Error("a missing rules file accepted")
	}
	if c, err := OpenClassifier("", ""); err != nil || c == nil {
		t.Errorf("default classifier: %v", err)
	}
}
