package report

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
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
// keeps the values found (for local work); the files meant to be shared
// (report.html, report.md, claims.json, gaps.jsonl, summary.json) are
// written from a redacted copy unless r.Render.Reveal is set.
//
// The folder is written whole or not at all: the files go into a new
// temporary folder beside dir, which then replaces dir, so an interrupted
// run never leaves a truncated findings.jsonl beside an older report.html,
// and no file of an earlier run (a gaps.jsonl from a run with --policy)
// survives. An existing dir is replaced only if it is empty or a report
// folder. Files hold identifiers, so they are readable by their owner
// only (0600, folder 0700).
func (r *Report) WriteDir(dir string) error {
	return writeDirAtomic(dir, r.writeFiles)
}

// writeFiles writes the report files into the new folder dir.
func (r *Report) writeFiles(dir string) error {
	rd := NewRevealer(r)
	if !r.Render.Reveal {
		rd = NewRedactor(r, r.Render.RedactionKey)
	}
	shared := r.Redacted(rd)
	sum := shared.Summarize()
	files := []struct {
		name  string
		write func(io.Writer) error
	}{
		{FindingsFile, r.WriteFindings},
		{SummaryFile, func(w io.Writer) error { return writeJSON(w, sum) }},
		{RunsFile, func(w io.Writer) error { return writeJSON(w, r.Runs) }},
		{RequestsFile, r.WriteRequests},
		{FlowsFile, shared.WriteFlows},
		{ClaimsFile, shared.WriteClaims},
		{MarkdownFile, func(w io.Writer) error { return shared.WriteMarkdown(w, sum) }},
		{HTMLFile, func(w io.Writer) error { return shared.WriteHTML(w, sum) }},
	}
	if r.Policy != nil {
		files = append(files, struct {
			name  string
			write func(io.Writer) error
		}{GapsFile, shared.WriteGaps}, struct {
			name  string
			write func(io.Writer) error
		}{PolicyFile, func(w io.Writer) error { return writeJSON(w, r.Policy) }})
	}
	// Evidence beyond one page's worth goes to evidence-N.html.
	for i, name := range shared.HTMLPages()[1:] {
		n := i + 1
		files = append(files, struct {
			name  string
			write func(io.Writer) error
		}{name, func(w io.Writer) error { return shared.WriteHTMLPage(w, sum, n) }})
	}
	var errs []error
	for _, f := range files {
		if err := writeFile(filepath.Join(dir, f.name), f.write); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
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
	doc := claimsDoc{Claims: r.Claims}
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

// WriteFlows writes flows.csv: one row per (run, data type, feature,
// recipient) with the count of findings and the request types.
func (r *Report) WriteFlows(w io.Writer) error {
	type key struct{ run, dt, feat, rcpt, perm string }
	counts := map[key]int{}
	reqs := map[key]map[string]bool{}
	var order []key
	for _, f := range r.Findings {
		k := key{f.Run, f.DataType, f.Feature, f.Recipient, f.Permissions}
		if _, ok := counts[k]; !ok {
			order = append(order, k)
			reqs[k] = map[string]bool{}
		}
		counts[k]++
		reqs[k][reqKey(f.URI, f.ReqType)] = true
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"run", "permissions", "data_type", "feature", "recipient", "findings", "endpoints"})
	for _, k := range order {
		eps := make([]string, 0, len(reqs[k]))
		for e := range reqs[k] {
			eps = append(eps, e)
		}
		sortStrings(eps)
		cw.Write([]string{k.run, k.perm, k.dt, k.feat, k.rcpt, strconv.Itoa(counts[k]), joinSemi(eps)})
	}
	cw.Flush()
	return cw.Error()
}

func joinSemi(xs []string) string {
	out := ""
	for i, x := range xs {
		if i > 0 {
			out += ";"
		}
		out += x
	}
	return out
}
