package keylog

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// gcmLines returns n distinct Frida GCM lines, shaped like the real hooks'
// (the kind a long capture's key log is made of).
func gcmLines(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"layer":"INNER","encrypt":false,"key":"000102030405060708090a0b0c0d0e0f%016x","iv":"9977ac15889d21bb%08x","metadata":"aec8","tail":"%016x","tag":"d20128c7bacedefe11269876c0884bc7"}`+"\n", i, i, i)
	}
	return b.String()
}

// TestMemoryPerEntry holds the bound MaxEntries' doc states: a loaded log
// costs at most 400 bytes per distinct entry.
func TestMemoryPerEntry(t *testing.T) {
	const n, perEntry = 20000, 400
	in := gcmLines(n)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	l, err := Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if got := len(l.entries); got != n {
		t.Fatalf("%d entries, want %d", got, n)
	}
	per := (int64(after.HeapAlloc) - int64(before.HeapAlloc)) / n
	t.Logf("%d bytes per entry", per)
	if per > perEntry {
		t.Errorf("%d bytes per entry, the stated bound is %d", per, perEntry)
	}
	runtime.KeepAlive(l)
}

// TestDroppedEntryIsError: an entry past MaxEntries is dropped, counted,
// and an error, not a silent loss.
func TestDroppedEntryIsError(t *testing.T) {
	defer func(m int) { maxEntries = m }(maxEntries)
	maxEntries = 3
	l, err := Parse(strings.NewReader(gcmLines(5)))
	if !errors.Is(err, ErrTooManyEntries) || !strings.Contains(err.Error(), "2 keys past the limit") {
		t.Fatalf("err = %v, want ErrTooManyEntries for 2 keys", err)
	}
	if l.Stats().Dropped != 2 {
		t.Errorf("Dropped = %d, want 2", l.Stats().Dropped)
	}
	if _, err := Parse(strings.NewReader(gcmLines(3))); err != nil {
		t.Errorf("a log at the bound: %v", err)
	}
}
