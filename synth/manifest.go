// This file writes the ground-truth manifest: one JSON line per payload
// the generator put on the wire, in the field names of `wxaudit decrypt`
// (package payload) plus the scenario step and the planted personal data.

package synth

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"

	"github.com/wxaudit/wxaudit/payload"
)

// Entry is one manifest line. The embedded payload.Payload holds what
// `wxaudit decrypt` prints for the same bytes: conn, link, direction,
// record_seq, uri, host, req_type, uin, client_version, cmd_id,
// longlink_seq, inner, compressed, part and payload (hex of the final
// plaintext, byte-identical to decrypt's). Its time is the moment the
// sender started sending (decrypt prints the time of the last frame, which
// is a little later), and frames are left empty.
type Entry struct {
	payload.Payload
	// Step is the scenario step the payload belongs to.
	Step Step `json:"step"`
	// Planted lists the personal data put into the payload (empty for
	// responses and for payloads that carry none).
	Planted []Planted `json:"planted"`
	// Round counts the repetitions of the scenario (Options.Size), from 0.
	Round int `json:"round"`
}

// manifestWriter writes Entries as JSON lines through a buffer.
type manifestWriter struct {
	bw  *bufio.Writer
	enc *json.Encoder
	n   int
}

func newManifestWriter(w io.Writer) *manifestWriter {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	return &manifestWriter{bw: bw, enc: enc}
}

func (m *manifestWriter) write(e *Entry) error {
	if e.Planted == nil {
		e.Planted = []Planted{}
	}
	m.n++
	return m.enc.Encode(e)
}

func (m *manifestWriter) flush() error { return m.bw.Flush() }

// maxManifestLine bounds one manifest line (a payload is hex-encoded in
// it); ReadManifest rejects longer lines.
const maxManifestLine = 16 << 20

// ReadManifest reads manifest lines from r, for tests and scoring tools.
// Blank lines are skipped. It stops at the first malformed line (not one
// JSON object, trailing data, longer than maxManifestLine, or a last line
// cut short) with a *manifestError naming the line, and returns the entries
// before it.
func ReadManifest(r io.Reader) ([]Entry, error) {
	var out []Entry
	br := bufio.NewReaderSize(r, 64<<10)
	var line []byte
	for n := 1; ; n++ {
		line = line[:0]
		var err error
		for {
			frag, isPrefix, rerr := br.ReadLine()
			line = append(line, frag...)
			if len(line) > maxManifestLine {
				return out, &manifestError{Line: n, Err: errors.New("line too long")}
			}
			if rerr != nil || !isPrefix {
				err = rerr
				break
			}
		}
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, &manifestError{Line: n, Err: err}
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var e Entry
		dec := json.NewDecoder(bytes.NewReader(line))
		if err := dec.Decode(&e); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return out, &manifestError{Line: n, Err: err}
		}
		if dec.More() {
			return out, &manifestError{Line: n, Err: errors.New("data after the JSON object")}
		}
		out = append(out, e)
	}
}

// manifestError reports a malformed manifest line.
type manifestError struct {
	Line int
	Err  error
}

func (e *manifestError) Error() string {
	return "synth: manifest line " + itoa(e.Line) + ": " + e.Err.Error()
}

func (e *manifestError) Unwrap() error { return e.Err }

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
