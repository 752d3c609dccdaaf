package testkit

import (
	"bytes"
	"path/filepath"
	"testing"
)

func TestHex(t *testing.T) {
	if got := Hex("0a 6A # a comment 99\n\t12"); !bytes.Equal(got, []byte{0x0a, 0x6a, 0x12}) {
		t.Fatalf("got %x", got)
	}
}

func TestGolden(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.golden")
	Golden(t, path, "hello\n", true)
	Golden(t, path, "hello\n", false)
}
