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
// finding IDs of every gap make it as large as the findings are many.
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
		g, err := json.MarshalIndent(&p.Gaps[k], "    ", "  ")
		if err != nil {
			return err
		}
		sep := ",\n"
		if k == len(p.Gaps)-1 {
			sep = "\n"
		}
		if _, err := fmt.Fprintf(w, "    %s%s", g, sep); err != nil {
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
