package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// File names inside a report directory.
const (
	FindingsFile = "findings.jsonl"
	SummaryFile  = "summary.json"
	FlowsFile    = "flows.csv"
	MarkdownFile = "report.md"
	HTMLFile     = "report.html"
	GapsFile     = "gaps.jsonl"
	RunsFile     = "runs.json"
	// RequestsFile holds every request, with its payload when kept:
	// decrypted data, never shared.
	RequestsFile = "requests.jsonl"
	// PolicyFile holds the policy comparison per run, unredacted, so that
	// the report reads back whole (gaps.jsonl groups the gaps for readers).
	PolicyFile = "policy.json"
)

// WriteDir writes every report file into dir, creating it. findings.jsonl
// and requests.jsonl keep the values found (for local work); the files
// meant to be shared (report.html, report.md, claims.json, gaps.jsonl,
// summary.json, flows.csv) are written redacted unless r.Render.Reveal is
// set. The findings must be grouped by request, as analyze makes them.
//
// The folder is written whole or not at all: the files go into a new
// temporary folder beside dir, which then replaces dir, so an interrupted
// run never leaves a truncated findings.jsonl beside an older report.html,
// and no file of an earlier run (a gaps.jsonl from a run with --policy)
// survives. An existing dir is replaced only if it is empty or a report
// folder. Files hold identifiers, so they are readable by their owner
// only (0600, folder 0700). A report too large to hold in memory is
// written with a Builder instead, as the analysis runs.
func (r *Report) WriteDir(dir string) error {
	b, err := Create(dir, r.Render)
	if err != nil {
		return err
	}
	for i := range r.Requests {
		if err := b.AddRequest(&r.Requests[i]); err != nil {
			b.Abort()
			return err
		}
	}
	for i := range r.Findings {
		if err := b.AddFinding(&r.Findings[i]); err != nil {
			b.Abort()
			return err
		}
	}
	return b.Finish(r)
}

// WriteRequests writes requests.jsonl: one request a line.
func (r *Report) WriteRequests(w io.Writer) error {
	enc := json.NewEncoder(w)
	for i := range r.Requests {
		if err := enc.Encode(&r.Requests[i]); err != nil {
			return err
		}
	}
	return nil
}

// WriteClaims writes claims.json.
func (r *Report) WriteClaims(w io.Writer) error {
	doc := claimsDoc{Study: studyRef{StudyTitle, StudyURL}, Synthetic: r.Synthetic, Claims: r.Claims}
	if doc.Claims == nil {
		doc.Claims = []Claim{}
	}
	return writeJSON(w, doc)
}

func writeFile(path string, fn func(io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	bw := bufio.NewWriter(f)
	err = fn(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("report: %s: %w", filepath.Base(path), err)
	}
	return nil
}

// writePolicy writes policy.json as writeJSON does, a gap at a time: the
// finding IDs of every gap make it as large as the findings are many, and
// a gap's packed IDs are unpacked one at a time as they are written.
func writePolicy(w io.Writer, p *PolicyResult) error {
	if len(p.Gaps) == 0 {
		return writeJSON(w, p)
	}
	head := *p
	head.Gaps = nil
	b, err := json.MarshalIndent(&head, "", "  ")
	if err != nil {
		return err
	}
	// b ends with `"gaps": null` and the closing brace.
	i := bytes.LastIndex(b, []byte("null"))
	if i < 0 {
		return errors.New("report: policy.json: no gaps field")
	}
	if _, err := w.Write(append(b[:i:i], "[\n"...)); err != nil {
		return err
	}
	for k := range p.Gaps {
		if _, err := io.WriteString(w, "    "); err != nil {
			return err
		}
		if err := writeGap(w, &p.Gaps[k]); err != nil {
			return err
		}
		sep := ",\n"
		if k == len(p.Gaps)-1 {
			sep = "\n"
		}
		if _, err := io.WriteString(w, sep); err != nil {
			return err
		}
	}
	_, err = io.WriteString(w, "  ]\n}\n")
	return err
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// WriteFindings writes findings.jsonl: one finding a line.
func (r *Report) WriteFindings(w io.Writer) error {
	enc := json.NewEncoder(w)
	for i := range r.Findings {
		if err := enc.Encode(&r.Findings[i]); err != nil {
			return err
		}
	}
	return nil
}

// WriteGaps writes gaps.jsonl: one line per distinct gap (kind × data
// type × feature × recipient × clause) with its runs and the count of
// findings behind it, most serious first.
func (r *Report) WriteGaps(w io.Writer) error {
	enc := json.NewEncoder(w)
	for _, g := range r.GroupGaps() {
		if err := enc.Encode(g); err != nil {
			return err
		}
	}
	return nil
}

// gapIDsMark stands for a gap's finding IDs in its JSON while the rest is
// marshalled; no finding ID is the empty string's escape of NUL.
const gapIDsMark = "\x00"

// writeGap writes one gap of policy.json, indented at its depth, as
// json.MarshalIndent would with the IDs in Findings.
func writeGap(w io.Writer, g *Gap) error {
	if g.Packed == nil || g.Packed.Len() == 0 {
		b, err := json.MarshalIndent(g, "    ", "  ")
		if err == nil {
			_, err = w.Write(b)
		}
		return err
	}
	shell := *g
	shell.Findings, shell.Packed = []string{gapIDsMark}, nil
	b, err := json.MarshalIndent(&shell, "    ", "  ")
	if err != nil {
		return err
	}
	mark := []byte(`"\u0000"`)
	at := bytes.Index(b, mark)
	if at < 0 {
		return errors.New("report: policy.json: no place for a gap's findings")
	}
	indent := b[bytes.LastIndexByte(b[:at], '\n')+1 : at]
	if _, err := w.Write(b[:at]); err != nil {
		return err
	}
	var line []byte
	first := true
	g.Packed.Each(func(id []byte) bool {
		if !first {
			line = append(line, ",\n"...)
			line = append(line, indent...)
		}
		first = false
		line = appendJSONString(line, id)
		if len(line) >= 32<<10 {
			_, err = w.Write(line)
			line = line[:0]
		}
		return err == nil
	})
	if err != nil {
		return err
	}
	line = append(line, b[at+len(mark):]...)
	_, err = w.Write(line)
	return err
}

// appendJSONString appends s as encoding/json writes a string (with its
// HTML escaping); plain ASCII, as finding IDs are, is copied.
func appendJSONString(dst, s []byte) []byte {
	for _, c := range s {
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(string(s))
			return append(dst, q...)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}
