package gcpace

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// settings returns GOGC and the memory limit without changing them.
func settings() (int, int64) {
	pct := debug.SetGCPercent(-1)
	debug.SetGCPercent(pct)
	return pct, debug.SetMemoryLimit(-1)
}

func TestCheck(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	const limit = 64 << 20
	p := newPacer(limit)
	p.check(limit / 2) // at half: still the default pace under the limit
	if pct, lim := settings(); pct != 100 || lim != limit {
		t.Fatalf("below half the limit: GOGC=%d limit=%d, want 100 and %d", pct, lim, limit)
	}
	p.check(limit/2 + 1)
	if pct, lim := settings(); pct != tightPercent || lim != math.MaxInt64 {
		t.Fatalf("past half the limit: GOGC=%d limit=%d, want %d and no limit", pct, lim, tightPercent)
	}
	p.check(0) // the switch is for good
	if pct, _ := settings(); pct != tightPercent {
		t.Fatalf("after the live heap shrank: GOGC=%d, want %d", pct, tightPercent)
	}
	p.restore()
	if pct, lim := settings(); pct != 100 || lim != math.MaxInt64 {
		t.Fatalf("restored: GOGC=%d limit=%d", pct, lim)
	}
}

func TestRestoreKeepsCallersSettings(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(80))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(1 << 40))
	restore := Bounded(32 << 20)
	if pct, lim := settings(); pct != 100 || lim != 32<<20 {
		t.Fatalf("under Bounded: GOGC=%d limit=%d", pct, lim)
	}
	restore()
	if pct, lim := settings(); pct != 80 || lim != 1<<40 {
		t.Fatalf("restored: GOGC=%d limit=%d, want 80 and %d", pct, lim, int64(1<<40))
	}
}

// TestBoundedTightens keeps more than half the limit live and waits for
// the poller to see it after a collection.
func TestBoundedTightens(t *testing.T) {
	const limit = 16 << 20
	restore := Bounded(limit)
	defer restore()
	live := make([][]byte, 0, 12)
	for range cap(live) {
		live = append(live, make([]byte, 1<<20))
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		runtime.GC()
		if pct, lim := settings(); pct == tightPercent && lim == math.MaxInt64 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("12 MiB live under a 16 MiB limit: still at the default pace")
		}
		time.Sleep(pollEvery)
	}
	runtime.KeepAlive(live)
}
