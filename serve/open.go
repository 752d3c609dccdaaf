package serve

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/wxaudit/wxaudit/report"
)

// Open returns the Source for a folder: a corpus folder (holding the store
// written by `wxaudit corpus`) is read through the store; a report folder
// written by `wxaudit analyze --out` is read whole and indexed in memory.
func Open(dir string) (Source, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("serve: %s is not a folder", dir)
	}
	if src, err := openStore(dir); src != nil || err != nil {
		return src, err
	}
	if _, err := os.Stat(filepath.Join(dir, report.FindingsFile)); err != nil {
		return nil, fmt.Errorf("serve: %s holds neither a corpus store nor %s: not a corpus or report folder", dir, report.FindingsFile)
	}
	r, err := report.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	if err := readExtras(dir, r); err != nil {
		return nil, err
	}
	title, _ := filepath.Abs(dir)
	// requests.jsonl carries the payloads when analyze kept them.
	var payload func(int) []byte
	for _, q := range r.Requests {
		if len(q.Payload) > 0 {
			payload = func(id int) []byte {
				if id < 0 || id >= len(r.Requests) {
					return nil
				}
				return r.Requests[id].Payload
			}
			break
		}
	}
	return NewReportSource(r, payload, filepath.Base(title)), nil
}

// readExtras reads the report files report.ReadDir leaves out: the claims
// and the policy gaps, each optional.
func readExtras(dir string, r *report.Report) error {
	if len(r.Claims) == 0 {
		var err error
		if r.Claims, r.Synthetic, err = report.ReadClaims(dir); err != nil {
			return fmt.Errorf("serve: %w", err)
		}
	}
	if r.Policy != nil {
		return nil
	}
	f, err := os.Open(filepath.Join(dir, report.GapsFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer f.Close()
	res := &report.PolicyResult{Gaps: []report.Gap{}}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for line := 1; sc.Scan(); line++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		// A gaps.jsonl line: the gap grouped over runs, with a sample
		// of its evidence.
		var g struct {
			Kind      string   `json:"kind"`
			DataType  string   `json:"data_type"`
			Feature   string   `json:"feature"`
			Recipient string   `json:"recipient"`
			Run       string   `json:"run"`
			Runs      []string `json:"runs"`
			Policy    string   `json:"policy"`
			Clause    string   `json:"clause"`
			Statement string   `json:"statement"`
			Evidence  []string `json:"evidence"`
		}
		if err := json.Unmarshal(sc.Bytes(), &g); err != nil {
			return fmt.Errorf("serve: %s line %d: %w", report.GapsFile, line, err)
		}
		if g.Run == "" {
			g.Run = strings.Join(g.Runs, ", ")
		}
		res.Model = g.Policy
		res.Gaps = append(res.Gaps, report.Gap{Kind: g.Kind, DataType: g.DataType, Feature: g.Feature, Recipient: g.Recipient,
			Run: g.Run, Clause: g.Clause, Statement: g.Statement, Findings: g.Evidence})
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("serve: %s: %w", report.GapsFile, err)
	}
	r.Policy = res
	return nil
}
