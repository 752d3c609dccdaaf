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
)

// WriteDir writes every report file into dir, creating it.
func (r *Report) WriteDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	sum := r.Summarize()
	files := []struct {
		name  string
		write func(io.Writer) error
	}{
		{FindingsFile, r.WriteFindings},
		{SummaryFile, func(w io.Writer) error { return writeJSON(w, sum) }},
		{RunsFile, func(w io.Writer) error { return writeJSON(w, r.Runs) }},
		{FlowsFile, r.WriteFlows},
		{MarkdownFile, func(w io.Writer) error { return r.WriteMarkdown(w, sum) }},
		{HTMLFile, func(w io.Writer) error { return r.WriteHTML(w, sum) }},
	}
	if r.Policy != nil {
		files = append(files, struct {
			name  string
			write func(io.Writer) error
		}{GapsFile, r.WriteGaps})
	}
	var errs []error
	for _, f := range files {
		if err := writeFile(filepath.Join(dir, f.name), f.write); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func writeFile(path string, fn func(io.Writer) error) error {
	f, err := os.Create(path)
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

// WriteGaps writes gaps.jsonl.
func (r *Report) WriteGaps(w io.Writer) error {
	if r.Policy == nil {
		return nil
	}
	enc := json.NewEncoder(w)
	for i := range r.Policy.Gaps {
		g := r.Policy.Gaps[i]
		line := struct {
			Kind      string   `json:"kind"`
			DataType  string   `json:"data_type"`
			Feature   string   `json:"feature"`
			Recipient string   `json:"recipient"`
			Run       string   `json:"run,omitempty"`
			Policy    string   `json:"policy"`
			Clause    string   `json:"clause,omitempty"`
			Statement string   `json:"statement"`
			Evidence  []string `json:"evidence"`
		}{g.Kind, g.DataType, g.Feature, g.Recipient, g.Run, r.Policy.Model, g.Clause, g.Statement, g.Findings}
		if err := enc.Encode(line); err != nil {
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
