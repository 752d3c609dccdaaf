package report

// The requests' heads (a request without its payload) wait in a spool
// file inside the folder being built, not in memory: report.html draws a
// timeline dot per request and each evidence page heads a request's
// findings with it, so the heads are read back, in order, as the pages
// are written. The file is encoding/gob, read by the same process only,
// and removed before the folder is committed.

import (
	"bufio"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// headsFile is the spool's name inside the folder being built.
const headsFile = ".requests.spool"

// headSpool writes the heads as they are added.
type headSpool struct {
	path string
	f    *os.File
	w    *bufio.Writer
	enc  *gob.Encoder
	n    int
}

func newHeadSpool(dir string) (*headSpool, error) {
	path := filepath.Join(dir, headsFile)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	w := bufio.NewWriterSize(f, 64<<10)
	return &headSpool{path: path, f: f, w: w, enc: gob.NewEncoder(w)}, nil
}

// add spools q without its payload.
func (s *headSpool) add(q *Request) error {
	head := *q
	head.Payload = nil
	if err := s.enc.Encode(&head); err != nil {
		return fmt.Errorf("report: requests spool: %w", err)
	}
	s.n++
	return nil
}

// close flushes the spool for reading.
func (s *headSpool) close() error {
	if s.f == nil {
		return nil
	}
	err := s.w.Flush()
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	s.f = nil
	if err != nil {
		return fmt.Errorf("report: requests spool: %w", err)
	}
	return nil
}

// heads reads the spooled heads back, each redacted for the shared files.
type heads struct {
	path   string
	n      int
	redact func(Request) Request
}

// each calls fn with every head in the order added; q is reused after fn
// returns.
func (h *heads) each(fn func(q *Request) error) error {
	c, err := h.cursor()
	if err != nil {
		return err
	}
	defer c.close()
	for {
		q, err := c.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(q); err != nil {
			return err
		}
	}
}

// headCursor reads the heads forward.
type headCursor struct {
	h   *heads
	f   *os.File
	dec *gob.Decoder
	q   Request
	at  int // index of q among the heads; -1 before the first
}

func (h *heads) cursor() (*headCursor, error) {
	f, err := os.Open(h.path)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return &headCursor{h: h, f: f, dec: gob.NewDecoder(bufio.NewReaderSize(f, 64<<10)), at: -1}, nil
}

func (c *headCursor) next() (*Request, error) {
	var q Request
	if err := c.dec.Decode(&q); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		return nil, fmt.Errorf("report: requests spool: %w", err)
	}
	c.q = c.h.redact(q)
	c.at++
	return &c.q, nil
}

// index returns the i-th head added. Reading forward is cheap; an
// earlier index reads the spool again from its start.
func (c *headCursor) index(i int) (*Request, error) {
	if i < c.at {
		c.close()
		nc, err := c.h.cursor()
		if err != nil {
			return nil, err
		}
		*c = *nc
	}
	for c.at < i {
		if _, err := c.next(); err != nil {
			return nil, err
		}
	}
	return &c.q, nil
}

func (c *headCursor) close() { c.f.Close() }
