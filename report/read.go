package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// maxReadLine bounds one findings.jsonl line when reading a report back.
const maxReadLine = 4 << 20

// ReadDir reads a report directory written by WriteDir (findings.jsonl and
// runs.json) back into a Report without its request list.
func ReadDir(dir string) (*Report, error) {
	r := &Report{}
	b, err := os.ReadFile(filepath.Join(dir, RunsFile))
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	if err := json.Unmarshal(b, &r.Runs); err != nil {
		return nil, fmt.Errorf("report: %s: %w", RunsFile, err)
	}
	f, err := os.Open(filepath.Join(dir, FindingsFile))
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
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
			return nil, fmt.Errorf("report: %s line %d: %w", FindingsFile, line, err)
		}
		r.Findings = append(r.Findings, fd)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("report: %s: %w", FindingsFile, err)
	}
	return r, nil
}
