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
	return NewReportSource(r, nil, filepath.Base(title)), nil
}

// readExtras reads the report files report.ReadDir leaves out: the claims
// and the policy gaps, each optional.
func readExtras(dir string, r *report.Report) error {
	if len(r.Claims) == 0 {
		b, err := os.ReadFile(filepath.Join(dir, report.ClaimsFile))
		switch {
		case err == nil:
			var doc struct {
				Claims []report.Claim `json:"claims"`
			}
			if err := json.Unmarshal(b, &doc); err != nil {
				return fmt.Errorf("serve: %s: %w", report.ClaimsFile, err)
			}
			r.Claims = doc.Claims
		case !errors.Is(err, fs.ErrNotExist):
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
		var g struct {
			report.Gap
			Policy   string   `json:"policy"`
			Runs     []string `json:"runs"`
			Evidence []string `json:"evidence"`
		}
		if err := json.Unmarshal(sc.Bytes(), &g); err != nil {
			return fmt.Errorf("serve: %s line %d: %w", report.GapsFile, line, err)
		}
		if g.Run == "" {
			g.Run = strings.Join(g.Runs, ", ")
		}
		g.Findings = g.Evidence
		res.Model = g.Policy
		res.Gaps = append(res.Gaps, g.Gap)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("serve: %s: %w", report.GapsFile, err)
	}
	r.Policy = res
	return nil
}
