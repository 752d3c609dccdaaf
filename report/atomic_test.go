package report

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// TestWriteDirReplacesWhole: a later run without a policy leaves no
// gaps.jsonl of an earlier run; files are owner-only.
func TestWriteDirReplacesWhole(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "rep")
	r := sampleReport()
	if err := r.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, GapsFile)); err != nil {
		t.Fatalf("first run: %v", err)
	}
	r.Policy = nil
	if err := r.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, GapsFile)); !os.IsNotExist(err) {
		t.Fatalf("stale %s survived: %v", GapsFile, err)
	}
	if runtime.GOOS == "windows" {
		return
	}
	fi, _ := os.Stat(dir)
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("folder mode %v, want 0700", fi.Mode().Perm())
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		fi, _ := e.Info()
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", e.Name(), fi.Mode().Perm())
		}
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), ".rep.tmp-*"))
	if len(left) != 0 {
		t.Errorf("temporary folders left: %v", left)
	}
}

// TestWriteDirFailureKeepsOld: a write that fails half-way (an interrupted
// run) leaves the previous report as it was.
func TestWriteDirFailureKeepsOld(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "rep")
	if err := sampleReport().WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(dir, FindingsFile))
	boom := errors.New("interrupted")
	err := writeDirAtomic(dir, func(tmp string) error {
		os.WriteFile(filepath.Join(tmp, FindingsFile), []byte("{\"trunc"), 0o600)
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, FindingsFile))
	if string(after) != string(before) {
		t.Fatal("the old findings.jsonl was changed by a failed write")
	}
}

// TestWriteDirRefusesOtherFolders: --out naming a folder of other files
// is an error, and the files stay.
func TestWriteDirRefusesOtherFolders(t *testing.T) {
	dir := t.TempDir()
	capture := filepath.Join(dir, "capture.pcapng")
	os.WriteFile(capture, []byte("x"), 0o600)
	if err := sampleReport().WriteDir(dir); err == nil {
		t.Fatal("replaced a folder that is not a report")
	}
	if _, err := os.Stat(capture); err != nil {
		t.Fatal(err)
	}
}
