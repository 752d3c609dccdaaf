// This file inflates zlib payloads with pooled decompressors. See
// doc/protocol.md, section 4 (the header's compress bits and lengths).

package business

import (
	"bytes"
	"io"
	"sync"

	// klauspost/compress inflates the payloads of the real capture in
	// about 0.6x the CPU time of compress/flate (BENCHMARKS.md), with the
	// same API and the same checks (adler32, stream errors).
	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/zlib"

	"github.com/wxaudit/wxaudit/internal/worklog"
)

// Scratch output sizes: a pooled inflater starts with minScratch bytes and
// keeps a grown buffer only up to maxPooledScratch, so the pool never
// retains the memory of one huge payload.
const (
	minScratch       = 32 << 10
	maxPooledScratch = 1 << 20
)

// inflater is a zlib reader kept across payloads, with scratch output.
// zlib.newRecordReader allocates a 32 KiB window and Huffman tables (about
// 40 KiB) per call, which cost more than inflating a typical payload of a
// few hundred bytes; Reset reuses them. Inflating into scratch and
// copying out once allocates exactly the output, where growing it
// wasted up to half of every buffer.
type inflater struct {
	br  bytes.Reader
	zr  io.ReadCloser // zlib
	fr  io.ReadCloser // raw deflate, for InflateAny
	buf []byte
}

var inflaters = sync.Pool{New: func() any { return new(inflater) }}

// inflate decompresses the zlib stream b (or, with raw set and no zlib
// header, the raw deflate stream b) into a new slice of exactly the
// output's length (from alloc, if not nil), refusing to produce more than
// maxLen bytes (errTooLarge).
func inflate(b []byte, maxLen int64, raw bool, alloc func(int) []byte) ([]byte, error) {
	inf := inflaters.Get().(*inflater)
	defer inflaters.Put(inf)
	inf.br.Reset(b)
	defer inf.br.Reset(nil) // do not keep the caller's bytes reachable from the pool
	var err error
	if inf.zr == nil {
		var zr io.ReadCloser
		if zr, err = zlib.NewReader(&inf.br); err == nil {
			inf.zr = zr
		}
	} else {
		err = inf.zr.(zlib.Resetter).Reset(&inf.br, nil)
	}
	r := inf.zr
	if err != nil && raw {
		inf.br.Reset(b)
		if inf.fr == nil {
			inf.fr = flate.NewReader(&inf.br)
			err = nil
		} else {
			err = inf.fr.(flate.Resetter).Reset(&inf.br, nil)
		}
		r = inf.fr
	}
	if err != nil {
		return nil, err
	}
	if maxLen < 0 {
		return nil, errTooLarge
	}
	if inf.buf == nil {
		inf.buf = make([]byte, 0, minScratch)
	}
	out, err := readAtMost(r, inf.buf[:0], maxLen)
	if cap(out) <= maxPooledScratch {
		inf.buf = out[:0]
	} else {
		inf.buf = nil
	}
	if err != nil {
		return nil, err
	}
	if int64(len(out)) > maxLen {
		return nil, errTooLarge
	}
	if worklog.Rec != nil {
		worklog.Rec.Inflate(b, r == inf.fr)
	}
	return copyOut(alloc, out), nil
}

// readAtMost appends r's bytes to out until EOF (which, for zlib, verifies
// the adler32 checksum) or until one byte past maxLen, as
// io.LimitReader(r, maxLen+1) would. maxLen must not be negative.
func readAtMost(r io.Reader, out []byte, maxLen int64) ([]byte, error) {
	limit := maxLen + 1
	for {
		if len(out) == cap(out) {
			out = append(out, 0)[:len(out)]
		}
		room := out[len(out):cap(out)]
		if rest := limit - int64(len(out)); int64(len(room)) > rest {
			room = room[:rest]
		}
		n, err := r.Read(room)
		out = out[:len(out)+n]
		if err == io.EOF || int64(len(out)) == limit {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}
