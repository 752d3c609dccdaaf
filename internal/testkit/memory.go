package testkit

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"time"
)

// PeakLive runs fn and returns the peak of the live heap (as each
// collection marked it) in bytes, sampled every 2 ms: for tests that bound
// memory without timing anything.
func PeakLive(fn func()) uint64 {
	return Peaks(fn, "/gc/heap/live:bytes")[0]
}

// Peaks runs fn after a collection and returns the peak of each named
// runtime/metrics sample (all uint64 kinds), sampled every 2 ms and once
// at the end.
func Peaks(fn func(), names ...string) []uint64 {
	runtime.GC()
	s := make([]metrics.Sample, len(names))
	for i, n := range names {
		s[i].Name = n
	}
	peaks := make([]uint64, len(names))
	var mu sync.Mutex
	read := func() {
		mu.Lock()
		defer mu.Unlock()
		metrics.Read(s)
		for i := range s {
			peaks[i] = max(peaks[i], s[i].Value.Uint64())
		}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				read()
			}
		}
	})
	fn()
	close(done)
	wg.Wait()
	read()
	return peaks
}
