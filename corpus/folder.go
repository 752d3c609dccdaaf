package corpus

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/wxaudit/wxaudit/store"
)

// checkOut refuses a corpus folder that is something else: a folder that
// holds files but no corpus store (a folder of runs, a report) would get
// corpus.db, parquet/ and report.html written into it, over files of the
// same names.
func checkOut(dir string) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("corpus: %w", err)
	}
	if !fi.IsDir() {
		return &notCorpusError{dir: dir, what: "is not a folder"}
	}
	if _, err := os.Stat(filepath.Join(dir, store.FileName)); err == nil {
		return nil
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("corpus: %w", err)
	}
	for _, e := range ents {
		if e.Name() != lockFile && e.Name() != stagingDir {
			return &notCorpusError{dir: dir, what: "holds files but no " + store.FileName}
		}
	}
	return nil
}

type notCorpusError struct{ dir, what string }

func (e *notCorpusError) Error() string {
	return fmt.Sprintf("corpus: --out %s %s: it is not a corpus folder", e.dir, e.what)
}

// Hint says what to do instead.
func (e *notCorpusError) Hint() string {
	return "give --out a new or empty folder, or an earlier corpus folder to add to"
}
