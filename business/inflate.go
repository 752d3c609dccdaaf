// This file inflates zlib payloads with pooled decompressors. See
// PROTOCOL.md, section 4 (the header's compress bits and lengths).

package business

import (
	"bytes"
	"compress/zlib"
	"io"
	"sync"
)

// maxInflateGuess bounds the output buffer allocated before any byte is
// inflated: a header or a compression ratio only suggests the size, so a
// hostile one must not make inflation allocate up to its cap up front.
const maxInflateGuess = 1 << 20

// inflater is a zlib reader kept across payloads. zlib.NewReader allocates
// a 32 KiB window and Huffman tables (about 40 KiB) per call, which cost
// more than inflating a typical payload of a few hundred bytes; Reset
// reuses them. Its state has a fixed size, so pooling it retains no
// memory that grows with the input.
type inflater struct {
	br bytes.Reader
	zr io.ReadCloser
}

var inflaters = sync.Pool{New: func() any { return new(inflater) }}

// inflate decompresses the zlib stream b into a new slice, refusing to
// produce more than maxLen bytes (ErrTooLarge). guess is the expected size; it
// sizes the first allocation (bounded by maxInflateGuess and maxLen+1) so that
// an honest length needs no regrowth.
func inflate(b []byte, maxLen, guess int64) ([]byte, error) {
	inf := inflaters.Get().(*inflater)
	defer inflaters.Put(inf)
	inf.br.Reset(b)
	defer inf.br.Reset(nil) // do not keep the caller's bytes reachable from the pool
	var err error
	if inf.zr == nil {
		inf.zr, err = zlib.NewReader(&inf.br)
	} else {
		err = inf.zr.(zlib.Resetter).Reset(&inf.br, nil)
	}
	if err != nil {
		return nil, err
	}
	if maxLen < 0 {
		return nil, ErrTooLarge
	}
	// Read until EOF (which verifies the adler32 checksum) or until one
	// byte past maxLen, as io.LimitReader(zr, maxLen+1) would.
	limit := maxLen + 1
	out := make([]byte, 0, min(limit, max(guess, 64), maxInflateGuess))
	for {
		if len(out) == cap(out) {
			out = append(out, 0)[:len(out)]
		}
		room := out[len(out):cap(out)]
		if rest := limit - int64(len(out)); int64(len(room)) > rest {
			room = room[:rest]
		}
		n, err := inf.zr.Read(room)
		out = out[:len(out)+n]
		if int64(len(out)) > maxLen {
			return nil, ErrTooLarge
		}
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
	}
}
