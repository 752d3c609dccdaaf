package attribute

import (
	"bufio"
	"crypto/sha256"
	"fmt"
	"io"
)

// Segments is SplitRuns over inputs read as streams, for a corpus of many
// logs: it keeps a few bytes per input, never a hash per line. Pass 1 reads
// each input for its line count and last chain hash; pass 2 reads each
// again and looks its running chain hash up among the complete inputs' last
// hashes, so a line prefix is found where it ends. open(i) opens input i;
// skip(i) leaves it out (a capture: it keeps all its lines). The result is
// SplitRuns' for the same inputs (TestSegmentsIsSplitRuns). An input that
// cannot be read has its error in errs and is then left out like a
// skipped one, so that one bad log does not stop the others.
func Segments(n int, open func(i int) (io.ReadCloser, error), skip func(i int) bool) (segs []LogRun, errs []error) {
	type end struct {
		lines int
		chain [32]byte
	}
	segs = make([]LogRun, n)
	errs = make([]error, n)
	// ends maps a complete input's (lines, last chain hash) to the first
	// input with it: SplitRuns prefers, among equal candidates, the first.
	ends := map[end]int{}
	for i := range n {
		segs[i] = LogRun{Input: i, Extends: -1}
		if skip(i) {
			continue
		}
		var last [32]byte
		lines, complete, err := walkChain(open, i, func(k int, h *[32]byte) { last = *h })
		if err != nil {
			errs[i] = err
			continue
		}
		segs[i].Lines = lines
		if _, dup := ends[end{lines, last}]; complete && lines > 0 && !dup {
			ends[end{lines, last}] = i
		}
	}
	if len(ends) == 0 {
		return segs, errs
	}
	for i := range n {
		if skip(i) || errs[i] != nil || segs[i].Lines < 2 {
			continue
		}
		best := -1
		_, _, err := walkChain(open, i, func(k int, h *[32]byte) {
			if k >= segs[i].Lines {
				return // the input itself (or an identical one): not a prefix
			}
			if j, ok := ends[end{k, *h}]; ok && j != i {
				best = j // later lines mean a longer prefix
			}
		})
		if err != nil {
			errs[i] = err
			continue
		}
		if best >= 0 {
			segs[i].Extends, segs[i].SkipLines = best, segs[best].Lines
		}
	}
	return segs, errs
}

// walkChain reads input i and calls fn with each line's number (from 1)
// and chain hash, as ReadLines computes them; it returns the line count
// and whether the input ended with a newline.
func walkChain(open func(int) (io.ReadCloser, error), i int, fn func(k int, h *[32]byte)) (int, bool, error) {
	f, err := open(i)
	if err != nil {
		return 0, false, fmt.Errorf("attribute: %w", err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<16)
	var prev [32]byte
	h := sha256.New()
	lines, n := 0, 0
	end := func() {
		h.Write(prev[:])
		h.Sum(prev[:0])
		h.Reset()
		lines++
		n = 0
		fn(lines, &prev)
	}
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 {
			h.Write(line)
			n += len(line)
			if n > maxLine {
				return 0, false, fmt.Errorf("attribute: line %d longer than %d bytes", lines+1, maxLine)
			}
		}
		switch err {
		case nil:
			end()
		case bufio.ErrBufferFull:
		case io.EOF:
			if n > 0 {
				end()
				return lines, false, nil
			}
			return lines, true, nil
		default:
			return 0, false, fmt.Errorf("attribute: %w", err)
		}
	}
}
