package main

import (
	"fmt"
	"io"
	"os"
	"time"
)

// progressMinSize is the input size above which a progress bar is shown.
const progressMinSize = 64 << 20

// withProgress wraps r to draw a progress bar on stderr when stderr is a
// terminal and the input is large; otherwise it returns r unchanged.
func withProgress(e *env, r io.Reader, size int64) io.Reader {
	f, ok := e.stderr.(*os.File)
	if !ok || size < progressMinSize {
		return r
	}
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return r
	}
	return &progressReader{r: r, w: f, size: size}
}

type progressReader struct {
	r    io.Reader
	w    io.Writer
	size int64
	n    int64
	last time.Time
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.n += int64(n)
	if now := time.Now(); now.Sub(p.last) > 200*time.Millisecond || err != nil {
		p.last = now
		const width = 30
		done := int(float64(width) * float64(p.n) / float64(p.size))
		done = min(max(done, 0), width)
		bar := make([]byte, width)
		for i := range bar {
			bar[i] = ' '
			if i < done {
				bar[i] = '='
			}
		}
		fmt.Fprintf(p.w, "\r[%s] %5.1f%% %d MB", bar, 100*float64(p.n)/float64(p.size), p.n>>20)
		if err != nil {
			fmt.Fprint(p.w, "\r\033[K")
		}
	}
	return n, err
}
