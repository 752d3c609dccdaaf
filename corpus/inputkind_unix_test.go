//go:build unix

package corpus

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestInputKind: a device or a FIFO given as a run is refused by its
// kind, before it is read: /dev/zero would be hashed forever, a FIFO with
// no writer would block the open.
func TestInputKind(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip(err)
	}
	for _, p := range []string{"/dev/zero", fifo} {
		src, err := Discover([]string{p}, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(src) != 1 || src[0].Err == nil || !strings.Contains(src[0].Err.Error(), "not a regular file") {
			t.Errorf("%s: %+v", p, src)
		}
	}
}
