package reassemble

import (
	"time"

	"github.com/google/btree"
)

// chunk is a buffered out-of-order piece of one direction.
type chunk struct {
	off   int64
	data  []byte
	frame int64
	time  time.Time
}

func (c chunk) end() int64 { return c.off + int64(len(c.data)) }

// chunks is the ordered set of one direction's buffered chunks, which
// never overlap. A B-tree keeps every insertion O(log n) however segments
// arrive (a sorted slice made descending or random order quadratic).
type chunks struct {
	t *btree.BTreeG[chunk]
}

func chunkLess(a, b chunk) bool { return a.off < b.off }

// newTree makes a direction's tree; tests count its comparisons.
var newTree = func() *btree.BTreeG[chunk] { return btree.NewG(16, chunkLess) }

func (s *chunks) Len() int {
	if s.t == nil {
		return 0
	}
	return s.t.Len()
}

// Min returns the first chunk; ok is false when there is none.
func (s *chunks) Min() (chunk, bool) {
	if s.t == nil {
		return chunk{}, false
	}
	return s.t.Min()
}

// DeleteMin removes the first chunk and frees the tree when it empties.
func (s *chunks) DeleteMin() {
	if s.t == nil {
		return
	}
	s.t.DeleteMin()
	if s.t.Len() == 0 {
		s.t = nil
	}
}

func (s *chunks) insert(c chunk) {
	if s.t == nil {
		s.t = newTree()
	}
	s.t.ReplaceOrInsert(c)
}

// ascendFrom calls fn with every chunk ending after off, in order, until
// fn returns false.
func (s *chunks) ascendFrom(off int64, fn func(chunk) bool) {
	if s.t == nil {
		return
	}
	start := off
	s.t.DescendLessOrEqual(chunk{off: off}, func(c chunk) bool {
		if c.end() > off {
			start = c.off // it holds off: begin with it
		}
		return false
	})
	s.t.AscendGreaterOrEqual(chunk{off: start}, fn)
}

// each calls fn with every chunk in order.
func (s *chunks) each(fn func(chunk) bool) {
	if s.t != nil {
		s.t.Ascend(fn)
	}
}
