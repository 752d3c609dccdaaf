// This file follows key logs that grow while a capture is decrypted live
// (a hook writes keys as the app uses them): like `tail -f`, by polling.

package keylog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// followChunk is how much one file read takes; a poll reads until the end
// of each file in chunks of this size, so memory stays bounded by the
// chunk plus one partial line.
const followChunk = 64 << 10

// Follower adds the lines appended to key-log files to a Log. Poll it from
// the goroutine that reads the Log: Log is not safe for a concurrent writer.
type Follower struct {
	log   *Log
	files []*followed
	buf   []byte
}

type followed struct {
	path    string
	f       *os.File // nil until the file exists
	off     int64
	partial []byte // an incomplete last line
	long    bool   // inside a line longer than MaxLineLen
	lineNo  int
	version int
}

// NewFollower returns a Follower of paths with an empty Log; call Poll to
// load what the files hold so far. A path that does not exist yet is
// opened by a later Poll (a capture tool may create the key log after
// decryption starts).
func NewFollower(paths []string) *Follower {
	fl := &Follower{log: newLog(), buf: make([]byte, followChunk)}
	for _, p := range paths {
		fl.files = append(fl.files, &followed{path: p})
	}
	return fl
}

// Log returns the Log the Follower feeds.
func (fl *Follower) Log() *Log { return fl.log }

// Poll reads what was appended to each file since the last Poll and adds
// its complete lines to the Log. It returns how many entries the Log
// gained. A file that shrank (rewritten) is read again from its start.
func (fl *Follower) Poll() (added int, err error) {
	before := len(fl.log.entries)
	for _, f := range fl.files {
		if err := fl.poll(f); err != nil {
			return len(fl.log.entries) - before, err
		}
	}
	fl.log.stats.Lines = 0
	for _, f := range fl.files {
		fl.log.stats.Lines += f.lineNo
	}
	return len(fl.log.entries) - before, fl.log.errDropped()
}

func (fl *Follower) poll(f *followed) error {
	if f.f == nil {
		file, err := os.Open(f.path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("keylog: follow: %w", err)
		}
		f.f = file
	}
	if fi, err := f.f.Stat(); err == nil && fi.Size() < f.off {
		f.off, f.partial, f.long = 0, f.partial[:0], false
	}
	for {
		n, err := f.f.ReadAt(fl.buf, f.off)
		f.off += int64(n)
		fl.lines(f, fl.buf[:n])
		if errors.Is(err, io.EOF) || n == 0 {
			return nil
		}
		if err != nil {
			return fmt.Errorf("keylog: follow %s: %w", f.path, err)
		}
	}
}

// lines adds the complete lines of chunk, keeping an incomplete tail.
func (fl *Follower) lines(f *followed, chunk []byte) {
	for len(chunk) > 0 {
		i := bytes.IndexByte(chunk, '\n')
		if i < 0 {
			fl.keep(f, chunk)
			return
		}
		fl.keep(f, chunk[:i])
		chunk = chunk[i+1:]
		f.lineNo++
		if f.long {
			fl.log.addMalformed(lineError{Line: f.lineNo, Reason: "line too long"})
		} else {
			fl.log.addVersioned(f.lineNo, f.partial, &f.version)
		}
		f.partial, f.long = f.partial[:0], false
	}
}

func (fl *Follower) keep(f *followed, b []byte) {
	if f.long {
		return
	}
	if len(f.partial)+len(b) > MaxLineLen+2 {
		f.long, f.partial = true, f.partial[:0]
		return
	}
	f.partial = append(f.partial, b...)
}

// Close closes the files.
func (fl *Follower) Close() error {
	var first error
	for _, f := range fl.files {
		if f.f != nil {
			if err := f.f.Close(); err != nil && first == nil {
				first = err
			}
			f.f = nil
		}
	}
	return first
}
