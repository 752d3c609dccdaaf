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
	runtime.GC()
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var mu sync.Mutex
	var peak uint64
	read := func() {
		mu.Lock()
		defer mu.Unlock()
		metrics.Read(s)
		peak = max(peak, s[0].Value.Uint64())
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
	return peak
}
