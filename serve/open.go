package serve

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/wxaudit/wxaudit/report"
)

// Open returns the Source for a folder: a report folder written by
// `wxaudit analyze --out` is read whole and indexed in memory.
func Open(dir string) (Source, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("serve: %s is not a folder", dir)
	}
	if _, err := os.Stat(filepath.Join(dir, report.FindingsFile)); err != nil {
		return nil, fmt.Errorf("serve: %s holds no %s: not a report folder", dir, report.FindingsFile)
	}
	r, err := report.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	title, _ := filepath.Abs(dir)
	return NewReportSource(r, nil, filepath.Base(title), nil), nil
}
