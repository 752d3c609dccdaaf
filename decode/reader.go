// This file reads the three JSON Lines input formats of wxaudit decode:
// wxaudit decrypt output, Citizen Lab's plaintext request logs and the
// output of Citizen Lab's decrypt-keylog.py (see doc/protocol.md, section 4 for
// the Shortlink envelope its metadata starts with).

package decode

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/wxaudit/wxaudit/internal/sniff"
	"github.com/wxaudit/wxaudit/payload"
)

// maxLineSize bounds one input line (a hex-encoded payload plus metadata).
const maxLineSize = 64 << 20

// inputFormat names an input format, detected per line.
type inputFormat string

// Input formats.
const (
	formatPayload inputFormat = "payload" // wxaudit decrypt JSONL
	formatLog     inputFormat = "log"     // Citizen Lab request log: data, req_id, req_type
	formatKeylog  inputFormat = "keylog"  // decrypt-keylog.py: metadata, plaintext
)

// ParseError reports a line that is not one of the input formats. It is not
// sticky: the next call to Next reads the following line.
type ParseError struct {
	Name string
	Line int
	Err  error
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("decode: %s:%d: %v", e.Name, e.Line, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// Reader pulls Payloads from JSON Lines input, one line at a time, so memory
// is bounded by maxLineSize whatever the input length.
type Reader struct {
	r    *bufio.Reader
	name string
	line int
	err  error // sticky I/O error
	buf  []byte
	// sniffed is set once the input's kind was checked.
	sniffed bool
	// last is the format of the last line returned.
	last inputFormat
}

// NewReader returns a Reader over r; name is recorded as the payloads'
// Source for request logs and key-log output.
func NewReader(r io.Reader, name string) *Reader {
	return &Reader{r: bufio.NewReaderSize(r, 1<<16), name: name}
}

// Next returns the next payload, io.EOF at the end, a *ParseError for a
// malformed line (reading may continue), or a sticky I/O error. An input
// of another kind (a capture, a key log, text) is a sticky *sniff.Error
// on the first call, instead of one ParseError per line.
func (r *Reader) Next() (payload.Payload, error) {
	if !r.sniffed {
		r.sniffed = true
		got, err := sniff.Reader(r.r)
		switch {
		case err != nil:
			r.err = fmt.Errorf("decode: %s: %w", r.name, err)
		case got.Gzip || !(got.Kind.Requests() || got.Kind == sniff.Empty || got.Kind == sniff.JSON):
			// Unknown JSON goes on line by line: one odd first line
			// must not reject a log.
			r.err = fmt.Errorf("decode: %w", sniff.Mismatch(r.name, got, "JSON Lines of requests (a request log, wxaudit decrypt output or decrypt-keylog.py output)"))
		}
	}
	for {
		if r.err != nil {
			return payload.Payload{}, r.err
		}
		line, err := r.readLine()
		if errors.Is(err, ErrLineTooLong) {
			// The rest of the line was skipped: the next line is fine.
			r.line++
			return payload.Payload{}, &ParseError{Name: r.name, Line: r.line, Err: err}
		}
		if err != nil {
			r.err = err
			if len(line) == 0 {
				return payload.Payload{}, err
			}
		}
		r.line++
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		p, f, perr := parseLine(line, r.name, r.line)
		if perr != nil {
			return payload.Payload{}, &ParseError{Name: r.name, Line: r.line, Err: perr}
		}
		r.last = f
		return p, nil
	}
}

// ErrLineTooLong is the error (in a *ParseError) for a line longer than
// 64 MiB: it is skipped and reading goes on. Callers say so: a skipped
// request is data the report does not show.
var ErrLineTooLong = fmt.Errorf("line longer than %d bytes: skipped", maxLineSize)

// readLine reads one line without its newline, bounded by maxLineSize. A
// longer line is read to its end without being kept and gives
// ErrLineTooLong.
func (r *Reader) readLine() ([]byte, error) {
	r.buf = r.buf[:0]
	for {
		chunk, err := r.r.ReadSlice('\n')
		if len(r.buf)+len(chunk) > maxLineSize {
			r.buf = r.buf[:0]
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = r.r.ReadSlice('\n')
			}
			if err != nil && err != io.EOF {
				return nil, err
			}
			return nil, ErrLineTooLong
		}
		r.buf = append(r.buf, chunk...)
		switch {
		case err == nil:
			return r.buf, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err == io.EOF:
			if len(r.buf) > 0 {
				return r.buf, io.EOF
			}
			return nil, io.EOF
		default:
			return r.buf, err
		}
	}
}

// logLine is a Citizen Lab request-log line.
type logLine struct {
	Data    *string `json:"data"`
	ReqID   *int    `json:"req_id"`
	ReqType *string `json:"req_type"`
}

// keylogLine is a decrypt-keylog.py output line.
type keylogLine struct {
	Metadata  *string `json:"metadata"`
	Plaintext *string `json:"plaintext"`
}

func parseLine(line []byte, name string, n int) (payload.Payload, inputFormat, error) {
	if p, ok := logLineFast(line, name, n); ok {
		return p, formatLog, nil
	}
	return parseLineJSON(line, name, n)
}

// parseLineJSON is parseLine's general path, by encoding/json.
func parseLineJSON(line []byte, name string, n int) (payload.Payload, inputFormat, error) {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(line, &keys); err != nil {
		return payload.Payload{}, "", fmt.Errorf("not a JSON object: %w", err)
	}
	switch {
	case keys["data"] != nil:
		var l logLine
		if err := json.Unmarshal(line, &l); err != nil {
			return payload.Payload{}, "", fmt.Errorf("request log line: %w", err)
		}
		if l.Data == nil {
			return payload.Payload{}, "", errors.New(`request log line: "data" is null, want a hex string`)
		}
		b, err := hex.DecodeString(*l.Data)
		if err != nil {
			return payload.Payload{}, "", fmt.Errorf("request log data: %w", err)
		}
		p := payload.Payload{Link: payload.LinkLog, Direction: payload.DirRequest, Source: name, Line: n, Payload: b}
		if l.ReqID != nil {
			p.ReqType = *l.ReqID
		}
		if l.ReqType != nil {
			p.URI = *l.ReqType
		}
		return p, formatLog, nil
	case keys["plaintext"] != nil:
		var l keylogLine
		if err := json.Unmarshal(line, &l); err != nil || l.Plaintext == nil {
			return payload.Payload{}, "", fmt.Errorf("key-log output line: %v", err)
		}
		b, err := hex.DecodeString(*l.Plaintext)
		if err != nil {
			return payload.Payload{}, "", fmt.Errorf("key-log plaintext: %w", err)
		}
		p := payload.Payload{Link: payload.LinkShortlink, Direction: payload.DirRequest, Source: name, Line: n, Payload: b}
		if l.Metadata != nil {
			if md, err := hex.DecodeString(*l.Metadata); err == nil {
				p.URI, p.Host = shortlinkEnvelope(md)
			}
		}
		return p, formatKeylog, nil
	case keys["payload"] != nil:
		var p payload.Payload
		if err := json.Unmarshal(line, &p); err != nil {
			return payload.Payload{}, "", fmt.Errorf("payload line: %w", err)
		}
		return p, formatPayload, nil
	}
	return payload.Payload{}, "", errors.New(`unknown line format: want "payload", "data" (request log) or "plaintext" (key-log output)`)
}

// shortlinkEnvelope reads URI and host from the start of a Shortlink request
// envelope: u32 total | u16 len + URI | u16 len + host (doc/protocol.md §4).
// Truncated or implausible envelopes give empty strings.
func shortlinkEnvelope(md []byte) (uri, host string) {
	if len(md) < 6 {
		return "", ""
	}
	p := md[4:]
	l := int(binary.BigEndian.Uint16(p))
	if 2+l > len(p) {
		return "", ""
	}
	uri = string(p[2 : 2+l])
	p = p[2+l:]
	if len(p) >= 2 {
		if h := int(binary.BigEndian.Uint16(p)); 2+h <= len(p) {
			host = string(p[2 : 2+h])
		}
	}
	if len(uri) == 0 || uri[0] != '/' {
		return "", ""
	}
	return uri, host
}
