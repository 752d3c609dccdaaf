// Package gcpace paces the garbage collector of a command whose live heap
// is usually small but may, on a large input, not be.
//
// A soft memory limit alone (debug.SetMemoryLimit) keeps the default pace
// while the heap is small, but once the live heap passes the limit the
// collector runs back to back: `wxaudit analyze` on 15k requests under a
// limit below its live heap took 88 CPU s instead of 18. A lower GOGC alone
// bounds the peak but makes every run, small or large, collect more often.
// Bounded does the first until the live heap nears the limit, then the
// second for the rest of the run.
package gcpace

import (
	"math"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"
)

// tightPercent is the pace once the live heap is large: the heap may grow
// to 1.5 times the live heap between collections.
const tightPercent = 50

// pollEvery is how often the live heap is read. A live heap grows by at
// most what the program allocates in that time, and reading the metric
// costs a few microseconds.
const pollEvery = 10 * time.Millisecond

// Bounded sets a soft heap limit of limit bytes at the default pace
// (GOGC=100). When the live heap passes half the limit, it removes the
// limit and sets GOGC=50 for good. restore puts back the settings found.
func Bounded(limit int64) (restore func()) {
	p := newPacer(limit)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(pollEvery)
		defer t.Stop()
		live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		for !p.tightened() {
			select {
			case <-done:
				return
			case <-t.C:
				metrics.Read(live)
				if live[0].Value.Kind() == metrics.KindUint64 {
					p.check(live[0].Value.Uint64())
				}
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
		p.restore()
	}
}

// pacer holds the settings Bounded changed, to check and restore them.
type pacer struct {
	limit    int64
	oldLimit int64
	oldGOGC  int
	mu       sync.Mutex
	tight    bool
}

func newPacer(limit int64) *pacer {
	p := &pacer{limit: limit}
	p.oldLimit = debug.SetMemoryLimit(limit)
	p.oldGOGC = debug.SetGCPercent(100)
	return p
}

// check switches to the tight pace once live, the heap marked live by
// the last collection, passes half the limit.
func (p *pacer) check(live uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tight || live <= uint64(p.limit/2) {
		return
	}
	p.tight = true
	debug.SetGCPercent(tightPercent)
	debug.SetMemoryLimit(math.MaxInt64)
}

func (p *pacer) tightened() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.tight
}

func (p *pacer) restore() {
	debug.SetGCPercent(p.oldGOGC)
	debug.SetMemoryLimit(p.oldLimit)
}
