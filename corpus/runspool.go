package corpus

import (
	"bufio"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/wxaudit/wxaudit/report"
)

// runSpool keeps a job's completed requests and findings on disk (they
// come from analyze.Stream, a run's consecutive), so that a chain of many
// runs is stored with one run's rows in memory at a time. Each run's
// records are one gob stream of their own, readable from its offset.
type runSpool struct {
	f     *os.File
	w     *bufio.Writer
	n     int64 // bytes written
	enc   *gob.Encoder
	cur   string
	spans map[string][2]int64 // run → [start, end) offsets
}

type spooledRequest struct {
	Request  report.Request
	Findings []report.Finding
}

func newRunSpool(dir string) (*runSpool, error) {
	f, err := os.CreateTemp(dir, "runs-")
	if err != nil {
		return nil, err
	}
	s := &runSpool{f: f, spans: map[string][2]int64{}}
	s.w = bufio.NewWriterSize(countingWriter{f, &s.n}, 256<<10)
	return s, nil
}

type countingWriter struct {
	w io.Writer
	n *int64
}

func (c countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	*c.n += int64(n)
	return n, err
}

// add is analyze.Stream's callback.
func (s *runSpool) add(q *report.Request, fs []report.Finding) error {
	if q.Run != s.cur || s.enc == nil {
		if _, seen := s.spans[q.Run]; seen {
			return fmt.Errorf("corpus: run %s: its requests are not consecutive", q.Run)
		}
		if err := s.endRun(); err != nil {
			return err
		}
		s.cur = q.Run
		s.spans[q.Run] = [2]int64{s.n, s.n}
		s.enc = gob.NewEncoder(s.w)
	}
	return s.enc.Encode(spooledRequest{Request: *q, Findings: fs})
}

func (s *runSpool) endRun() error {
	if err := s.w.Flush(); err != nil {
		return err
	}
	if sp, ok := s.spans[s.cur]; ok {
		s.spans[s.cur] = [2]int64{sp[0], s.n}
	}
	return nil
}

// report returns run's requests and findings.
func (s *runSpool) report(run string) (*report.Report, error) {
	sub := &report.Report{}
	sp, ok := s.spans[run]
	if !ok {
		return sub, nil
	}
	dec := gob.NewDecoder(bufio.NewReaderSize(io.NewSectionReader(s.f, sp[0], sp[1]-sp[0]), 256<<10))
	for {
		var r spooledRequest
		err := dec.Decode(&r)
		if errors.Is(err, io.EOF) {
			return sub, nil
		}
		if err != nil {
			return nil, fmt.Errorf("corpus: run spool: %w", err)
		}
		sub.Requests = append(sub.Requests, r.Request)
		sub.Findings = append(sub.Findings, r.Findings...)
	}
}

func (s *runSpool) close() {
	s.f.Close()
	os.Remove(s.f.Name())
}
