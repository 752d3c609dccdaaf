package attribute

import (
	"bufio"
	"crypto/sha256"
	"fmt"
	"io"
	"sort"
)

// maxLine bounds one input line for hashing.
const maxLine = 64 << 20

// LineHashes reads r and returns, for each line i, the SHA-256 chain hash of
// lines 1..i (h_i = SHA-256(h_{i-1} || line_i || "\n")), and whether the
// input ended with a newline. Two inputs share their first n lines exactly
// when their n-th chain hashes are equal.
func LineHashes(r io.Reader) (hashes [][32]byte, complete bool, err error) {
	br := bufio.NewReaderSize(r, 1<<16)
	var prev [32]byte
	h := sha256.New()
	n := 0
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 {
			// Long lines arrive in pieces (ErrBufferFull); hash incrementally.
			h.Write(line)
			n += len(line)
			if n > maxLine {
				return nil, false, fmt.Errorf("attribute: line %d longer than %d bytes", len(hashes)+1, maxLine)
			}
		}
		switch err {
		case nil:
			h.Write(prev[:])
			copy(prev[:], h.Sum(nil))
			h.Reset()
			n = 0
			hashes = append(hashes, prev)
			continue
		case bufio.ErrBufferFull:
			continue
		case io.EOF:
			if n > 0 {
				h.Write(prev[:])
				copy(prev[:], h.Sum(nil))
				hashes = append(hashes, prev)
				return hashes, false, nil
			}
			return hashes, true, nil
		default:
			return nil, false, fmt.Errorf("attribute: %w", err)
		}
	}
}

// Segment is the part of one input that belongs to its own run.
type Segment struct {
	Input int // index of the input
	// Extends is the index of the longest other input that is a line prefix
	// of this one, or -1. Lines 1..SkipLines belong to that input's run.
	Extends   int
	SkipLines int
	Lines     int // total lines of the input
}

// Segments finds, for each input, the longest other input that is a prefix
// of it (line for line), so that each run's own requests are the lines it
// added. Identical inputs are not prefixes of each other (each keeps all its
// lines); an incomplete last line never makes a prefix.
func Segments(hashes [][][32]byte, complete []bool) []Segment {
	segs := make([]Segment, len(hashes))
	order := make([]int, len(hashes))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return len(hashes[order[a]]) < len(hashes[order[b]]) })
	for i := range hashes {
		segs[i] = Segment{Input: i, Extends: -1, Lines: len(hashes[i])}
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
