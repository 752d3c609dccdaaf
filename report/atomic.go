package report

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/wxaudit/wxaudit/internal/leftover"
)

// writeDirAtomic calls write with a new, empty, owner-only folder beside
// dir and, when it succeeds, puts that folder in dir's place. A failed or
// interrupted write leaves dir as it was (and at worst a hidden
// ".NAME.tmp-*" folder beside it).
func writeDirAtomic(dir string, write func(tmp string) error) error {
	abs, tmp, err := newTempDir(dir)
	if err != nil {
		return err
	}
	if err := write(tmp); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	return commitDir(abs, tmp)
}

// newTempDir checks that dir may be replaced and makes the new folder
// beside it.
func newTempDir(dir string) (abs, tmp string, err error) {
	abs, err = filepath.Abs(dir)
	if err != nil {
		return "", "", fmt.Errorf("report: %w", err)
	}
	parent, base := filepath.Dir(abs), filepath.Base(abs)
	if err := checkReplaceable(abs); err != nil {
		return "", "", err
	}
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return "", "", fmt.Errorf("report: %w", err)
	}
	tmp, err = os.MkdirTemp(parent, leftover.Pattern(base, leftover.Temp)) // mode 0700
	if err != nil {
		return "", "", fmt.Errorf("report: %w", err)
	}
	return abs, tmp, nil
}

// commitDir puts the finished folder tmp in abs's place.
func commitDir(abs, tmp string) error {
	// Move the old folder aside, the new one in, then drop the old one:
	// rename cannot replace a non-empty folder in one step.
	var old string
	if _, err := os.Lstat(abs); err == nil {
		old = tmp + ".old"
		if err := os.Rename(abs, old); err != nil {
			os.RemoveAll(tmp)
			return fmt.Errorf("report: %w", err)
		}
	}
	if err := os.Rename(tmp, abs); err != nil {
		if old != "" {
			os.Rename(old, abs)
		}
		os.RemoveAll(tmp)
		return fmt.Errorf("report: %w", err)
	}
	if old != "" {
		os.RemoveAll(old)
	}
	return nil
}

// checkReplaceable refuses to replace a folder that is not a report: --out
// pointing at a folder of captures must not delete them.
func checkReplaceable(dir string) error {
	fi, err := os.Lstat(dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("report: %s exists and is not a folder", dir)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if len(ents) == 0 {
		return nil
	}
	for _, name := range []string{FindingsFile, SummaryFile} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return nil
		}
	}
	return &notReportError{dir}
}

type notReportError struct{ dir string }

func (e *notReportError) Error() string {
	return fmt.Sprintf("report: %s exists and is not a report folder: it would be replaced", e.dir)
}

// Hint says what to do instead.
func (e *notReportError) Hint() string {
	return "give --out a new folder, or an earlier report folder to replace"
}
