package report

// Building a report folder while the analysis runs. findings.jsonl and
// requests.jsonl are written as the requests are analysed, into the new
// folder that replaces the old one at the end; the shared files are then
// rendered by reading the findings back, a request at a time. What stays
// in memory is what the shared files summarise (counts, the Mini
// Programs' pages, the locations), the values to redact, and one evidence
// page (findingsPerPage findings); the requests' heads, for the timeline
// and the evidence headings, wait in a spool file (heads.go).

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Builder writes a report folder a request at a time. Findings are added
// grouped by request (all the findings of a request together), as
// analyze produces them.
type Builder struct {
	abs, tmp string
	render   RenderOptions
	files    [2]*os.File
	bufs     [2]*bufio.Writer
	reqs     *json.Encoder
	finds    *json.Encoder
	rd       *Redactor  // learning the values to redact
	heads    *headSpool // the requests without payloads: the timeline and evidence headings
	findings int
	done     bool
}

// Create starts a report folder that will replace dir (see WriteDir).
func Create(dir string, render RenderOptions) (*Builder, error) {
	abs, tmp, err := newTempDir(dir)
	if err != nil {
		return nil, err
	}
	b := &Builder{abs: abs, tmp: tmp, render: render, rd: newLearner(render.RedactionKey, render.Reveal)}
	for i, name := range []string{RequestsFile, FindingsFile} {
		f, err := os.OpenFile(filepath.Join(tmp, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			b.Abort()
			return nil, fmt.Errorf("report: %w", err)
		}
		b.files[i], b.bufs[i] = f, bufio.NewWriterSize(f, 64<<10)
	}
	b.reqs, b.finds = json.NewEncoder(b.bufs[0]), json.NewEncoder(b.bufs[1])
	if b.heads, err = newHeadSpool(tmp); err != nil {
		b.Abort()
		return nil, err
	}
	return b, nil
}

// AddRequest writes one request to requests.jsonl.
func (b *Builder) AddRequest(q *Request) error {
	if err := b.reqs.Encode(q); err != nil {
		return fmt.Errorf("report: %s: %w", RequestsFile, err)
	}
	return b.heads.add(q)
}

// AddFinding writes one finding to findings.jsonl.
func (b *Builder) AddFinding(f *Finding) error {
	if err := b.finds.Encode(f); err != nil {
		return fmt.Errorf("report: %s: %w", FindingsFile, err)
	}
	b.rd.learn(f)
	b.findings++
	return nil
}

// Findings counts the findings added.
func (b *Builder) Findings() int { return b.findings }

// Abort removes the folder being built; dir stays as it was.
func (b *Builder) Abort() {
	if b.done {
		return
	}
	b.done = true
	for _, f := range b.files {
		if f != nil {
			f.Close()
		}
	}
	if b.heads != nil {
		b.heads.close()
	}
	os.RemoveAll(b.tmp)
}

// Finish writes the other files and puts the folder in dir's place. head
// gives the runs, errors, policy comparison and claims; its requests and
// findings are those added.
func (b *Builder) Finish(head *Report) error {
	if b.done {
		return errors.New("report: folder already finished")
	}
	err := b.finish(head)
	if err == nil {
		err = os.Remove(b.heads.path)
	}
	if err != nil {
		b.Abort()
		return err
	}
	b.done = true
	return commitDir(b.abs, b.tmp)
}

func (b *Builder) finish(head *Report) error {
	for i, w := range b.bufs {
		err := w.Flush()
		if cerr := b.files[i].Close(); err == nil {
			err = cerr
		}
		b.files[i] = nil
		if err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}
	if err := b.heads.close(); err != nil {
		return err
	}
	rd := b.rd
	rd.build()
	h := *head
	h.Requests, h.Findings = nil, nil
	shared := h.Redacted(rd)
	d := newDigest(shared)
	if err := d.setRequests(&heads{path: b.heads.path, n: b.heads.n, redact: rd.request}); err != nil {
		return err
	}
	findings := filepath.Join(b.tmp, FindingsFile)
	if err := eachRequest(findings, func(fs []Finding) error {
		for i := range fs {
			fs[i] = rd.finding(fs[i])
		}
		d.findings(fs)
		return nil
	}); err != nil {
		return err
	}
	sum := d.sum.summary()
	d.sumDone = sum
	files := []struct {
		name  string
		write func(io.Writer) error
	}{
		{SummaryFile, func(w io.Writer) error { return writeJSON(w, sum) }},
		{RunsFile, func(w io.Writer) error { return writeJSON(w, head.Runs) }},
		{FlowsFile, d.flows.write},
		{ClaimsFile, shared.WriteClaims},
		{MarkdownFile, func(w io.Writer) error { return d.writeMarkdown(w) }},
	}
	if head.Policy != nil {
		files = append(files, struct {
			name  string
			write func(io.Writer) error
		}{GapsFile, shared.WriteGaps}, struct {
			name  string
			write func(io.Writer) error
		}{PolicyFile, func(w io.Writer) error { return writePolicy(w, head.Policy) }})
	}
	var errs []error
	for _, f := range files {
		if err := writeFile(filepath.Join(b.tmp, f.name), f.write); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return d.writePages(b.tmp, func(fn func([]Finding) error) error {
		return eachRequest(findings, func(fs []Finding) error {
			for i := range fs {
				fs[i] = rd.finding(fs[i])
			}
			return fn(fs)
		})
	})
}

// eachRequest reads findings.jsonl and calls fn with the findings of each
// request in turn (a run of consecutive findings of one request). fs is
// reused after fn returns.
func eachRequest(path string, fn func(fs []Finding) error) error {
	var group []Finding
	flush := func() error {
		if len(group) == 0 {
			return nil
		}
		err := fn(group)
		clear(group)
		group = group[:0]
		return err
	}
	err := eachFinding(path, func(f *Finding) error {
		if len(group) > 0 && group[0].Request != f.Request {
			if err := flush(); err != nil {
				return err
			}
		}
		group = append(group, *f)
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

// eachFinding reads findings.jsonl a line at a time.
func eachFinding(path string, fn func(*Finding) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), maxReadLine)
	line := 0
	for sc.Scan() {
		line++
		if len(sc.Bytes()) == 0 {
			continue
		}
		var fd Finding
		if err := json.Unmarshal(sc.Bytes(), &fd); err != nil {
			return fmt.Errorf("report: %s line %d: %w", FindingsFile, line, err)
		}
		if err := fn(&fd); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("report: %s: %w", FindingsFile, err)
	}
	return nil
}
