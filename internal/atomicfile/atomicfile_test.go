package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "gaps.jsonl")
	if err := Write(path, func(w io.Writer) error { _, err := io.WriteString(w, "old\n"); return err }); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := Write(path, func(w io.Writer) error {
		io.WriteString(w, "half")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	b, _ := os.ReadFile(path)
	if string(b) != "old\n" {
		t.Errorf("a failed write changed the file: %q", b)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("temporary files left: %v", ents)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestWriteNoDir(t *testing.T) {
	if err := Write(filepath.Join(t.TempDir(), "no", "such"), func(io.Writer) error { return nil }); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
}

func TestCheckTarget(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "capture.pcap")
	other := filepath.Join(dir, "old.pcapng")
	link := filepath.Join(dir, "link.pcap")
	for _, p := range []string{in, other} {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(in, link); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		path      string
		force     bool
		wantInput bool
		ok        bool
	}{
		{"new file", filepath.Join(dir, "new.pcapng"), false, false, true},
		{"existing", other, false, false, false},
		{"existing forced", other, true, false, true},
		{"input", in, true, true, false},
		{"input through a link", link, true, true, false},
		{"folder", dir, true, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckTarget(tt.path, []string{"-", in}, tt.force)
			if tt.ok {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				return
			}
			var te *TargetError
			if !errors.As(err, &te) || te.Input != tt.wantInput {
				t.Fatalf("got %v, want a TargetError with Input %v", err, tt.wantInput)
			}
		})
	}
}
