package analyze

// Between the two passes each request waits in a spool: in memory for Run,
// in a file for Write, so that Write's memory does not grow with the
// requests. The file is encoding/gob: typed, compact, and read back by
// the same process only.

import (
	"bufio"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/wxaudit/wxaudit/internal/leftover"
	"github.com/wxaudit/wxaudit/report"
)

// spool holds the analysed requests until the second pass.
type spool interface {
	put(*record) error
	// replay calls fn with each record in the order put; fn may change
	// it, and must not keep it.
	replay(fn func(*record) error) error
}

type memSpool struct{ recs []*record }

func (s *memSpool) put(r *record) error { s.recs = append(s.recs, r); return nil }

func (s *memSpool) replay(fn func(*record) error) error {
	for i, r := range s.recs {
		s.recs[i] = nil
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

type fileSpool struct {
	f   *os.File
	w   *bufio.Writer
	enc *gob.Encoder
}

// newFileSpool makes a hidden spool file beside the report folder dir (the
// same file system, where the report is going anyway). It holds decrypted
// payloads, so it is the owner's only, and removed at the end.
func newFileSpool(dir string) (*fileSpool, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("analyze: %w", err)
	}
	// The name carries our process id: after a kill -9 the next run
	// removes it (leftover.Sweep).
	f, err := os.CreateTemp(filepath.Dir(abs), leftover.Pattern(filepath.Base(abs), leftover.Spool)) // mode 0600
	if err != nil {
		return nil, fmt.Errorf("analyze: spool: %w", err)
	}
	w := bufio.NewWriterSize(f, 256<<10)
	return &fileSpool{f: f, w: w, enc: gob.NewEncoder(w)}, nil
}

func (s *fileSpool) put(r *record) error {
	if err := s.enc.Encode(r); err != nil {
		return fmt.Errorf("analyze: spool: %w", err)
	}
	return nil
}

func (s *fileSpool) replay(fn func(*record) error) error {
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("analyze: spool: %w", err)
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("analyze: spool: %w", err)
	}
	dec := gob.NewDecoder(bufio.NewReaderSize(s.f, 256<<10))
	for {
		var r record
		err := dec.Decode(&r)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("analyze: spool: %w", err)
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
}

func (s *fileSpool) remove() {
	s.f.Close()
	os.Remove(s.f.Name())
}

// sink receives each completed request with its findings.
type sink interface {
	add(q *report.Request, fs []report.Finding) error
}

// memSink keeps everything: Run's report.
type memSink struct{ rep *report.Report }

func (s *memSink) add(q *report.Request, fs []report.Finding) error {
	s.rep.Requests = append(s.rep.Requests, *q)
	s.rep.Findings = append(s.rep.Findings, fs...)
	return nil
}

// folderSink writes into a report folder being built, noting the data
// types of each run for the command line.
type folderSink struct {
	b     *report.Builder
	types map[string]map[string]bool
}

func (s *folderSink) add(q *report.Request, fs []report.Finding) error {
	if err := s.b.AddRequest(q); err != nil {
		return err
	}
	for i := range fs {
		if err := s.b.AddFinding(&fs[i]); err != nil {
			return err
		}
		m := s.types[fs[i].Run]
		if m == nil {
			m = map[string]bool{}
			s.types[fs[i].Run] = m
		}
		m[fs[i].DataType] = true
	}
	return nil
}
