package attribute

import (
	"bufio"
	"crypto/sha256"
	"fmt"
	"hash/fnv"
	"io"
	"sort"
)

// maxLine bounds one input line for hashing.
const maxLine = 64 << 20

// lineHashes reads r and returns, for each line i, the SHA-256 chain hash of
// lines 1..i (h_i = SHA-256(h_{i-1} || line_i || "\n")), and whether the
// input ended with a newline. Two inputs share their first n lines exactly
// when their n-th chain hashes are equal.
func lineHashes(r io.Reader) (hashes [][32]byte, complete bool, err error) {
	l, err := ReadLines(r)
	return l.Chain, l.Complete, err
}

// Lines is what segmentation and overlap checks keep of one input: per
// line, the chain hash (see lineHashes) and a 64-bit digest of the line
// alone; 40 bytes a line, never the lines.
type Lines struct {
	Chain    [][32]byte
	Digest   []uint64
	Complete bool // the input ended with a newline
}

// ReadLines reads r and returns its Lines.
func ReadLines(r io.Reader) (Lines, error) {
	var out Lines
	br := bufio.NewReaderSize(r, 1<<16)
	var prev [32]byte
	h := sha256.New()
	d := fnv.New64a()
	n := 0
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 {
			// Long lines arrive in pieces (ErrBufferFull); hash incrementally.
			h.Write(line)
			d.Write(line)
			n += len(line)
			if n > maxLine {
				return Lines{}, fmt.Errorf("attribute: line %d longer than %d bytes", len(out.Chain)+1, maxLine)
			}
		}
		end := func() {
			h.Write(prev[:])
			copy(prev[:], h.Sum(nil))
			h.Reset()
			out.Chain = append(out.Chain, prev)
			out.Digest = append(out.Digest, d.Sum64())
			d.Reset()
			n = 0
		}
		switch err {
		case nil:
			end()
			continue
		case bufio.ErrBufferFull:
			continue
		case io.EOF:
			if n > 0 {
				end()
				return out, nil
			}
			out.Complete = true
			return out, nil
		default:
			return Lines{}, fmt.Errorf("attribute: %w", err)
		}
	}
}

// LogRun is the part of one input that belongs to its own run.
type LogRun struct {
	Input int // index of the input
	// Extends is the index of the longest other input that is a line prefix
	// of this one, or -1. Lines 1..SkipLines belong to that input's run.
	Extends   int
	SkipLines int
	Lines     int // total lines of the input
}

// SplitRuns finds, for each input, the longest other input that is a prefix
// of it (line for line), so that each run's own requests are the lines it
// added. Identical inputs are not prefixes of each other (each keeps all its
// lines); an incomplete last line never makes a prefix.
func SplitRuns(hashes [][][32]byte, complete []bool) []LogRun {
	segs := make([]LogRun, len(hashes))
	order := make([]int, len(hashes))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return len(hashes[order[a]]) < len(hashes[order[b]]) })
	for i := range hashes {
		segs[i] = LogRun{Input: i, Extends: -1, Lines: len(hashes[i])}
		best := -1
		for _, j := range order {
			n := len(hashes[j])
			if j == i || n == 0 || n >= len(hashes[i]) || !complete[j] {
				continue
			}
			if hashes[i][n-1] == hashes[j][n-1] && (best < 0 || n > len(hashes[best])) {
				best = j
			}
		}
		if best >= 0 {
			segs[i].Extends = best
			segs[i].SkipLines = len(hashes[best])
		}
	}
	return segs
}

// Overlap is a pair of inputs that share most of their lines although
// neither is a line prefix of the other: shuffled, merged or re-exported
// logs of one session. SplitRuns cannot split them, so each keeps all its
// lines and what they share is counted in both runs.
type Overlap struct {
	A, B   int // input indexes, A < B
	Shared int // distinct lines the two have in common
	Of     int // distinct lines of the smaller input
}

// minOverlap is the share of the smaller input's distinct lines above
// which two inputs count as overlapping.
const minOverlap = 0.5

// Overlaps finds the pairs of inputs that share more than minOverlap of
// the smaller one's distinct lines without one being a line prefix of the
// other (identical inputs included).
func Overlaps(ls []Lines) []Overlap {
	sets := make([]map[uint64]struct{}, len(ls))
	for i, l := range ls {
		sets[i] = make(map[uint64]struct{}, len(l.Digest))
		for _, d := range l.Digest {
			sets[i][d] = struct{}{}
		}
	}
	var out []Overlap
	for a := range ls {
		for b := a + 1; b < len(ls); b++ {
			small, large := sets[a], sets[b]
			if len(large) < len(small) {
				small, large = large, small
			}
			if len(small) == 0 || prefixOf(ls[a], ls[b]) {
				continue
			}
			shared := 0
			for d := range small {
				if _, ok := large[d]; ok {
					shared++
				}
			}
			if float64(shared) > minOverlap*float64(len(small)) {
				out = append(out, Overlap{A: a, B: b, Shared: shared, Of: len(small)})
			}
		}
	}
	return out
}

// prefixOf reports whether the shorter of two inputs is a complete line
// prefix of the longer (and not identical to it: identical inputs are not
// split, so they overlap).
func prefixOf(a, b Lines) bool {
	if len(a.Chain) > len(b.Chain) {
		a, b = b, a
	}
	n := len(a.Chain)
	return n > 0 && n < len(b.Chain) && a.Complete && a.Chain[n-1] == b.Chain[n-1]
}
