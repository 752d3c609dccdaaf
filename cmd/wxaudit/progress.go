package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/wxaudit/wxaudit/corpus"
	"github.com/wxaudit/wxaudit/store"
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

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// corpusProgress draws a bar on a terminal, else one quiet line a run.
func corpusProgress(e *env, p corpus.Progress, bar bool) {
	r := p.Run
	if !bar {
		status := fmt.Sprintf("%d requests, %d findings", r.Requests, r.Findings)
		if r.Status == store.StatusFailed {
			status = "failed: " + r.Error
		}
		fmt.Fprintf(e.stderr, "wxaudit: corpus: [%d/%d] %s: %s\n", p.Done, p.Total, r.Run, status)
		return
	}
	const width = 30
	done := width * p.Done / max(p.Total, 1)
	eta := "?"
	if p.Done > 0 {
		left := time.Duration(float64(p.Elapsed) / float64(p.Done) * float64(p.Total-p.Done))
		eta = left.Round(time.Second).String()
	}
	fmt.Fprintf(e.stderr, "\r\033[K[%s%s] %d/%d runs, %d requests, ETA %s", strings.Repeat("=", done), strings.Repeat(" ", width-done), p.Done, p.Total, p.Requests, eta)
	if r.Status == store.StatusFailed {
		fmt.Fprintf(e.stderr, "\r\033[Kwxaudit: corpus: %s failed: %s\n", r.Run, r.Error)
	}
}
