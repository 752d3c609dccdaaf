// Package atomicfile writes a file so that readers see either the old file
// or the whole new one: the bytes go to a temporary file in the same
// directory, which is renamed into place only once written and closed. A
// failed write leaves any previous file intact and no temporary file behind.
//
// Temporary names carry the writer's process id (see leftover), so that a
// later run can tell a file a killed process left from one another process
// is still writing, and remove only the first.
package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/wxaudit/wxaudit/internal/leftover"
)

// Write creates or replaces path with what write writes. The file is
// readable by its owner only: outputs of wxaudit hold decrypted data.
func Write(path string, write func(w io.Writer) error) error {
	f, err := Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Abort()
		return err
	}
	return f.Commit()
}

// File is an output being written under a temporary name beside its
// final path. Exactly one of Commit and Abort must be called.
type File struct {
	*os.File
	path string
	done bool
}

// Create starts writing path: a new owner-only temporary file in path's
// folder, named for leftover.Sweep.
func Create(path string) (*File, error) {
	f, err := os.CreateTemp(filepath.Dir(path), leftover.Pattern(filepath.Base(path), leftover.Temp)) // mode 0600
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) { // name the file the user asked for
			err = &os.PathError{Op: "create", Path: path, Err: pe.Err}
		}
		return nil, err
	}
	return &File{File: f, path: path}, nil
}

// Commit closes the file and renames it to its final path.
func (f *File) Commit() error {
	if f.done {
		return errors.New("atomicfile: internal error: file finished twice")
	}
	f.done = true
	err := f.File.Close()
	if err == nil {
		err = os.Rename(f.File.Name(), f.path)
	}
	if err != nil {
		os.Remove(f.File.Name())
	}
	return err
}

// Abort closes and removes the temporary file; the final path is not
// touched. It is a no-op after Commit.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.File.Close()
	os.Remove(f.File.Name())
}

// ErrExists is returned by CheckTarget for an existing file without force.
var ErrExists = errors.New("exists")

// TargetError says why an output path was refused.
type TargetError struct {
	Path string
	// Input is set when Path is one of the command's inputs.
	Input bool
	Err   error
}

func (e *TargetError) Error() string {
	if e.Input {
		return fmt.Sprintf("%s is one of the inputs: it would be overwritten", e.Path)
	}
	return fmt.Sprintf("%s already exists: it would be overwritten", e.Path)
}

func (e *TargetError) Unwrap() error { return e.Err }

// Hint says what to do instead.
func (e *TargetError) Hint() string {
	if e.Input {
		return "write the output to another file"
	}
	return "give a new file name, or --force to replace it"
}

// CheckTarget refuses an output path that is one of inputs (the same file,
// through any name), whatever force says, and an existing file unless
// force is set. A folder at path is refused too. "-" and inputs that do not
// exist are ignored.
func CheckTarget(path string, inputs []string, force bool) error {
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, in := range inputs {
		if in == "" || in == "-" {
			continue
		}
		if ii, err := os.Stat(in); err == nil && os.SameFile(fi, ii) {
			return &TargetError{Path: path, Input: true, Err: ErrExists}
		}
	}
	if fi.IsDir() || !force {
		return &TargetError{Path: path, Err: ErrExists}
	}
	return nil
}
