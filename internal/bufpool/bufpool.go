// Package bufpool recycles byte buffers by power-of-two size class. A
// decryption run that writes each payload at once fills thousands of
// payload and packet buffers that live only from the moment a packet is
// opened to the moment its payload is written: allocating each anew was
// two fifths of what `wxaudit decrypt` allocated on the replicated real
// capture (BENCHMARKS.md), and every 2 MB allocated cost a garbage
// collection there. Only code that gives its buffers back should take
// them from here: sizes are rounded up to a power of two.
package bufpool

import (
	"math/bits"
	"sync"
)

// Buffers from 512 B to 1 MiB are pooled; others are left to the garbage
// collector (small ones are cheap, large ones rare).
const (
	minShift = 9
	maxShift = 20
)

var pools [maxShift - minShift + 1]sync.Pool

// Get returns a slice of length n. Its array may have held another
// buffer's bytes: the caller overwrites all n of them.
func Get(n int) []byte {
	if n < 1<<minShift || n > 1<<maxShift {
		return make([]byte, n)
	}
	c := bits.Len(uint(n-1)) - minShift
	if p, _ := pools[c].Get().(*[]byte); p != nil {
		return (*p)[:n]
	}
	return make([]byte, n, 1<<(c+minShift))
}

// Clone returns a copy of b in a buffer from Get.
func Clone(b []byte) []byte {
	out := Get(len(b))
	copy(out, b)
	return out
}

// Append appends src to dst, which the caller owns alone: when dst's array
// is too small, its bytes move to a larger one from Get and dst's array
// goes back to the pool.
func Append(dst, src []byte) []byte {
	n := len(dst) + len(src)
	if n <= cap(dst) {
		return append(dst, src...)
	}
	grown := Get(max(n, 2*cap(dst)))[:n]
	copy(grown, dst)
	copy(grown[len(dst):], src)
	Put(dst)
	return grown
}

// Put gives b's array back for reuse by Get. The caller must hold the only
// reference to it. Arrays whose capacity is not a pooled size class are
// left to the garbage collector, so Put accepts any slice.
func Put(b []byte) {
	c := cap(b)
	if c < 1<<minShift || c > 1<<maxShift || c&(c-1) != 0 {
		return
	}
	b = b[:0]
	pools[bits.Len(uint(c))-1-minShift].Put(&b)
}
