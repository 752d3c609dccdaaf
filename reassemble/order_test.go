package reassemble

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/google/btree"

	"github.com/wxaudit/wxaudit/capture"
	"github.com/wxaudit/wxaudit/internal/testkit"
)

// holeThenOneByteSegments is n one-byte client segments after a one-byte
// hole, in the given order, then the byte that fills the hole.
func holeThenOneByteSegments(n int, order string) []capture.Packet {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i + 1 // offset 0 is the hole
	}
	switch order {
	case "descending":
		for i, j := 0, n-1; i < j; i, j = i+1, j-1 {
			idx[i], idx[j] = idx[j], idx[i]
		}
	case "random":
		rand.New(rand.NewPCG(1, 2)).Shuffle(n, func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
	}
	pkts := handshake()
	for _, off := range idx {
		pkts = append(pkts, c2s(isnC+1+uint32(off), 0, string(rune('a'+off%26))))
	}
	return append(pkts, c2s(isnC+1, 0, "a"))
}

// countComparisons runs the segments and returns the tree comparisons
// made, checking that every byte came out in order without a gap.
func countComparisons(t *testing.T, n int, order string) int {
	t.Helper()
	var cmps int
	defer func(f func() *btree.BTreeG[chunk]) { newTree = f }(newTree)
	newTree = func() *btree.BTreeG[chunk] {
		return btree.NewG(16, func(a, b chunk) bool { cmps++; return a.off < b.off })
	}
	rec, st := run(t, Options{}, holeThenOneByteSegments(n, order))
	want := make([]byte, n+1)
	for i := range want {
		want[i] = byte('a' + i%26)
	}
	if got := rec.streams[0].raw[ClientToServer].Bytes(); !bytes.Equal(got, want) || st.Gaps != 0 {
		t.Fatalf("%s: %d bytes delivered, %d gaps; want %d bytes in order", order, len(got), st.Gaps, n+1)
	}
	return cmps
}

// TestOutOfOrderIsNotQuadratic: however one-byte segments after a hole are
// ordered, the work (tree comparisons) grows as n log n: doubling n about
// doubles it. A sorted slice took 17 s for 100k descending segments; the
// benchmark below measures the time.
func TestOutOfOrderIsNotQuadratic(t *testing.T) {
	n := 20_000
	if testing.Short() || testkit.Race {
		n = 5_000
	}
	for _, order := range []string{"descending", "random", "ascending"} {
		c1, c2 := countComparisons(t, n, order), countComparisons(t, 2*n, order)
		if ratio := float64(c2) / float64(c1); ratio > 2.5 || c2 > 2*n*100 {
			t.Errorf("%s: %d comparisons for %d segments, %d for %d (ratio %.2f): superlinear", order, c1, n, c2, 2*n, ratio)
		}
		t.Logf("%s: %d comparisons for %d segments, %d for %d", order, c1, n, c2, 2*n)
	}
}

// BenchmarkOutOfOrder100k measures 100k one-byte segments after a hole.
func BenchmarkOutOfOrder100k(b *testing.B) {
	for _, order := range []string{"descending", "random"} {
		pkts := holeThenOneByteSegments(100_000, order)
		b.Run(order, func(b *testing.B) {
			for b.Loop() {
				a := NewAssembler(nopHandler{}, Options{})
				for i, p := range pkts {
					p.Frame = int64(i + 1)
					a.Add(p)
				}
				a.Flush()
			}
		})
	}
}

// TestChunkLimit: a flood of one-byte segments is bounded by the chunk
// limit, not only by bytes: past it the assembler skips ahead with a gap.
func TestChunkLimit(t *testing.T) {
	rec, st := run(t, Options{MaxBufferedChunksPerConn: 100}, holeThenOneByteSegments(1000, "ascending"))
	if st.Gaps == 0 || !bytes.Contains(rec.streams[0].buf[ClientToServer].Bytes(), []byte("[gap 1 buffer limit]")) {
		t.Fatalf("no buffer-limit gap: %+v", st)
	}
}
