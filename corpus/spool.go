package corpus

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/wxaudit/wxaudit/analyze"
	"github.com/wxaudit/wxaudit/classify"
	"github.com/wxaudit/wxaudit/store"
)

// Bounds on what is kept per request for search.
const (
	maxStrings     = 4096    // string values per request
	maxStringBytes = 4 << 10 // bytes per value (longer ones are cut at a rune boundary)
	maxSpoolRecord = 64 << 20
)

// spool keeps each request's plaintext and decoded strings on disk while
// a run is analysed, so memory does not grow with the run's payloads.
// Records: run label, request id, payload, strings; all length-prefixed.
type spool struct {
	f   *os.File
	w   *bufio.Writer
	err error
	buf []byte
}

func newSpool(dir string) (*spool, error) {
	f, err := os.CreateTemp(dir, "spool-")
	if err != nil {
		return nil, err
	}
	return &spool{f: f, w: bufio.NewWriterSize(f, 256<<10)}, nil
}

// add records one request; it is the analyze.Options.OnRequest hook.
func (s *spool) add(ev analyze.RequestEvent) {
	if s.err != nil {
		return
	}
	b := s.buf[:0]
	b = appendString(b, ev.Request.Run)
	b = binary.AppendUvarint(b, uint64(ev.Request.ID))
	b = appendString(b, string(ev.Payload.Payload))
	n := 0
	var seen map[[2]string]bool
	for _, f := range ev.Fields {
		if f.Kind != classify.KindText || f.Container || f.Text == "" || n == maxStrings {
			continue
		}
		if seen == nil {
			seen = map[[2]string]bool{}
		}
		k := [2]string{f.Path, f.Text}
		if seen[k] {
			continue
		}
		seen[k] = true
		n++
	}
	b = binary.AppendUvarint(b, uint64(n))
	clear(seen)
	n = 0
	for _, f := range ev.Fields {
		if f.Kind != classify.KindText || f.Container || f.Text == "" || n == maxStrings {
			continue
		}
		k := [2]string{f.Path, f.Text}
		if seen[k] {
			continue
		}
		seen[k] = true
		n++
		b = appendString(b, f.Path)
		b = appendString(b, cut(f.Text, maxStringBytes))
	}
	var hdr [binary.MaxVarintLen64]byte
	if _, err := s.w.Write(hdr[:binary.PutUvarint(hdr[:], uint64(len(b)))]); err != nil {
		s.err = err
	}
	if _, err := s.w.Write(b); err != nil {
		s.err = err
	}
	s.buf = b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// cut shortens s to at most n bytes at a rune boundary.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// finish flushes the spool; it must be called before payloads.
func (s *spool) finish() error {
	if s.err == nil {
		s.err = s.w.Flush()
	}
	return s.err
}

func (s *spool) close() {
	s.f.Close()
	os.Remove(s.f.Name())
}

// payloads returns an iterator over the spooled requests of run, with
// their ids less base (the run's first request id in a multi-run report).
func (s *spool) payloads(run string, base int) func(func(store.Payload) error) error {
	return func(yield func(store.Payload) error) error {
		if _, err := s.f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		br := bufio.NewReaderSize(s.f, 256<<10)
		var rec []byte
		for {
			n, err := binary.ReadUvarint(br)
			if err == io.EOF {
				return nil
			}
			if err != nil || n > maxSpoolRecord {
				return fmt.Errorf("corpus: spool: bad record")
			}
			if cap(rec) < int(n) {
				rec = make([]byte, n)
			}
			rec = rec[:n]
			if _, err := io.ReadFull(br, rec); err != nil {
				return fmt.Errorf("corpus: spool: %w", err)
			}
			d := decoder{b: rec}
			label := d.str()
			id := int(d.uvarint())
			if label != run {
				continue
			}
			p := store.Payload{Request: id - base}
			if b := d.str(); b != "" {
				p.Bytes = []byte(b)
			}
			for k := d.uvarint(); k > 0 && d.err == nil; k-- {
				p.Strings = append(p.Strings, store.String{FieldPath: d.str(), Value: d.str()})
			}
			if d.err != nil {
				return d.err
			}
			if err := yield(p); err != nil {
				return err
			}
		}
	}
}

type decoder struct {
	b   []byte
	err error
}

var errSpool = errors.New("corpus: spool: truncated record")

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errSpool
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) str() string {
	n := d.uvarint()
	if d.err != nil || n > uint64(len(d.b)) {
		d.err = errSpool
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}
