// Package ctxio makes a blocking reader honour cancellation: Ctrl-C on an
// idle `wxaudit decrypt -` must end the run, but a Read on a pipe or
// terminal cannot be interrupted, so it runs in a goroutine that Read
// stops waiting for.
package ctxio

import (
	"context"
	"io"
)

// chunk is one Read's result.
type chunk struct {
	b   []byte
	err error
}

type reader struct {
	ctx      context.Context
	r        io.Reader
	results  chan chunk
	inFlight bool
	pending  []byte
	err      error
}

// Reader returns a reader over r whose Read returns ctx.Err() as soon as
// ctx is done, even while r blocks. The blocked Read of r is abandoned
// (its goroutine ends when r returns), so use it for inputs the process
// owns to the end, such as stdin.
func Reader(ctx context.Context, r io.Reader) io.Reader {
	return &reader{ctx: ctx, r: r, results: make(chan chunk, 1)}
}

func (c *reader) Read(p []byte) (int, error) {
	if len(c.pending) == 0 && c.err == nil {
		if !c.inFlight {
			c.inFlight = true
			go func() {
				b := make([]byte, 64<<10)
				n, err := c.r.Read(b)
				c.results <- chunk{b[:n], err}
			}()
		}
		select {
		case <-c.ctx.Done():
			return 0, c.ctx.Err()
		case ch := <-c.results:
			c.inFlight = false
			c.pending, c.err = ch.b, ch.err
		}
	}
	if len(c.pending) > 0 {
		n := copy(p, c.pending)
		c.pending = c.pending[n:]
		return n, nil
	}
	return 0, c.err
}
