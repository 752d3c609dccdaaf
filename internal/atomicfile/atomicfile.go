// Package atomicfile writes a file so that readers see either the old file
// or the whole new one: the bytes go to a temporary file in the same
// directory, which is renamed into place only once written and closed. A
// failed write leaves any previous file intact and no temporary file behind.
package atomicfile

import (
	"io"
	"os"
	"path/filepath"
)

// Write creates or replaces path with what write writes. The file is
// readable by its owner only: outputs of wxaudit hold decrypted data.
func Write(path string, write func(w io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return err
	}
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}
