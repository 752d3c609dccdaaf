package keylog

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/wxaudit/wxaudit/internal/sniff"
)

// MaxFileSize bounds one key-log file. A real Frida log of a long session
// is a few MB; the limit only stops a wrong path (/dev/zero, a disk
// image) from being read forever.
const MaxFileSize = 1 << 30

// Load reads and merges the key-log files at paths (either format, mixed
// freely). Each must look like a key log (sniff), hold at most
// MaxFileSize bytes, and together they must hold at least one key: a
// key log with no valid line is an error, not a run that decrypts
// nothing. The errors carry a Hint.
func Load(paths []string) (*Log, error) {
	var readers []io.Reader
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, sniff.Hinted(fmt.Errorf("key log: %w", err), "--keylog takes the Frida key log or a wxaudit secrets key log")
		}
		defer f.Close()
		br := bufio.NewReaderSize(&limitReader{r: f, name: p, left: MaxFileSize}, 64<<10)
		got, err := sniff.Reader(br)
		if err != nil {
			return nil, fmt.Errorf("key log: %w", err)
		}
		if !got.Kind.Keylog() || got.Gzip {
			return nil, fmt.Errorf("key log: %w", sniff.Mismatch(p, got, "a key log (Frida or wxaudit secrets)"))
		}
		// A newline between files keeps the last line of one from joining
		// the first of the next.
		readers = append(readers, br, strings.NewReader("\n"))
	}
	l, err := Parse(io.MultiReader(readers...))
	if err != nil {
		return nil, err
	}
	if len(l.entries) == 0 {
		return nil, sniff.Hinted(fmt.Errorf("key log: no key in %s (%s)", strings.Join(paths, ", "), l.stats.brief()),
			"each line must be a Frida hook JSON object with layer OUTER or INNER, or a wxaudit secrets line (see keylog/doc.go)")
	}
	return l, nil
}

// brief summarises what a key log held, for an error message.
// Warning says, in one line, that malformed lines were skipped and which
// was the first; "" when there were none. It holds no key material.
func (s Stats) Warning() string {
	if s.Malformed == 0 {
		return ""
	}
	w := fmt.Sprintf("key log: %d malformed lines skipped", s.Malformed)
	if len(s.MalformedLines) > 0 {
		e := s.MalformedLines[0]
		w += fmt.Sprintf(" (the first: line %d: %s)", e.Line, e.Reason)
	}
	return w
}

func (s Stats) brief() string {
	b := fmt.Sprintf("%d malformed lines", s.Malformed)
	for reason, n := range s.Skipped {
		b += fmt.Sprintf(", %d %s", n, reason)
	}
	if len(s.MalformedLines) > 0 {
		e := s.MalformedLines[0]
		b += fmt.Sprintf("; line %d: %s", e.Line, e.Reason)
	}
	return b
}

// limitReader fails once more than left bytes are read.
type limitReader struct {
	r    io.Reader
	name string
	left int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left < 0 {
		return 0, &sniff.LimitError{Name: l.name, Limit: MaxFileSize}
	}
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return n, &sniff.LimitError{Name: l.name, Limit: MaxFileSize}
	}
	return n, err
}
