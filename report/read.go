package report

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// maxReadLine bounds one findings.jsonl line when reading a report back.
const maxReadLine = 4 << 20

// ReadDir reads a report directory written by WriteDir back into a Report:
// runs, requests (with their payloads when kept), findings, claims and the
// policy comparison.
func ReadDir(dir string) (*Report, error) {
	r := &Report{}
	b, err := os.ReadFile(filepath.Join(dir, RunsFile))
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	if err := json.Unmarshal(b, &r.Runs); err != nil {
		return nil, fmt.Errorf("report: %s: %w", RunsFile, err)
	}
	err = eachFinding(filepath.Join(dir, FindingsFile), func(fd *Finding) error {
		r.Findings = append(r.Findings, *fd)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := readExtras(dir, r); err != nil {
		return nil, err
	}
	if err := readRequests(dir, r); err != nil {
		return nil, err
	}
	return r, nil
}

// maxRequestLine bounds one requests.jsonl line (a payload in hex).
const maxRequestLine = 64 << 20

// readRequests reads requests.jsonl when present (folders written before
// it existed have none).
func readRequests(dir string, r *Report) error {
	f, err := os.Open(filepath.Join(dir, RequestsFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), maxRequestLine)
	for line := 1; sc.Scan(); line++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var q Request
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			return fmt.Errorf("report: %s line %d: %w", RequestsFile, line, err)
		}
		r.Requests = append(r.Requests, q)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("report: %s: %w", RequestsFile, err)
	}
	return nil
}

// ReadClaims reads dir's claims.json (a report folder's or a corpus's):
// the claims and whether the traffic was synthetic. A folder without one
// gives no claims and no error.
func ReadClaims(dir string) (claims []Claim, synthetic bool, err error) {
	b, err := os.ReadFile(filepath.Join(dir, ClaimsFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("report: %w", err)
	}
	var doc claimsDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, false, fmt.Errorf("report: %s: %w", ClaimsFile, err)
	}
	return doc.Claims, doc.Synthetic, nil
}

// readExtras reads the optional claims.json and policy.json.
func readExtras(dir string, r *Report) error {
	var err error
	if r.Claims, r.Synthetic, err = ReadClaims(dir); err != nil {
		return err
	}
	if b, err := os.ReadFile(filepath.Join(dir, PolicyFile)); err == nil {
		var p PolicyResult
		if err := json.Unmarshal(b, &p); err != nil {
			return fmt.Errorf("report: %s: %w", PolicyFile, err)
		}
		r.Policy = &p
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}
