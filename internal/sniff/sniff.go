// Package sniff recognises wxaudit's inputs by their first bytes, so every
// command names a wrong kind of input the same way ("this is a capture:
// run wxaudit decrypt first") instead of failing on it line by line.
//
// It looks at magic numbers (pcap in both byte orders and precisions,
// pcapng, gzip, whose inflated start is sniffed in turn) and, for text, at
// the keys of the first JSON object or the first line of a key log. It
// reads at most PeekSize bytes and never consumes them from a
// *bufio.Reader.
package sniff

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"unicode/utf8"
)

// ReportMarker is the file whose presence makes a folder a report folder:
// report.FindingsFile, restated so that sniff, which the first stages
// (capture, keylog) use, does not depend on the report stage
// (doc/architecture.md). TestReportMarker keeps the two equal.
const ReportMarker = "findings.jsonl"

// PeekSize is how many bytes Sniff looks at: enough for a file header and
// the keys of a first JSON line, which come before its long hex values.
const PeekSize = 64 << 10

// Kind is what an input is.
type Kind uint8

// Kinds of input.
const (
	Unknown       Kind = iota
	Empty              // no bytes, or only white space
	Capture            // pcap or pcapng
	RequestLog         // Citizen Lab request log: {"data", "req_id", "req_type"}
	Payloads           // wxaudit decrypt output
	KeylogOutput       // Citizen Lab decrypt-keylog.py output: {"metadata", "plaintext"}
	FridaKeylog        // Citizen Lab Frida key log: {"layer", "key", ...}
	SecretsKeylog      // wxaudit secrets key log
	ReportFolder       // a folder written by wxaudit analyze
	Folder             // another folder
	JSON               // JSON of none of the kinds above
	Text               // other text
	Binary             // other bytes
)

var names = [...]string{
	Unknown:       "an unknown input",
	Empty:         "empty",
	Capture:       "a capture",
	RequestLog:    "a request log",
	Payloads:      "a payload JSONL (wxaudit decrypt output)",
	KeylogOutput:  "decrypt-keylog.py output",
	FridaKeylog:   "a Frida key log",
	SecretsKeylog: "a wxaudit secrets key log",
	ReportFolder:  "a report folder",
	Folder:        "a folder",
	JSON:          "JSON of no known kind",
	Text:          "a text file of no known kind",
	Binary:        "a binary file of no known kind",
}

// String names the kind as it reads after "this is": "a capture".
func (k Kind) String() string {
	if int(k) < len(names) {
		return names[k]
	}
	return names[Unknown]
}

// Keylog reports whether k is a key log of either format.
func (k Kind) Keylog() bool { return k == FridaKeylog || k == SecretsKeylog }

// Requests reports whether k is JSON Lines that wxaudit decode reads.
func (k Kind) Requests() bool { return k == RequestLog || k == Payloads || k == KeylogOutput }

// Result is what Sniff found.
type Result struct {
	Kind Kind
	// Gzip is set when the bytes were gzip-compressed; Kind is then the
	// kind of the inflated start.
	Gzip bool
}

// String names the result for an error message.
func (r Result) String() string {
	if r.Gzip {
		return "gzip-compressed " + r.Kind.String()
	}
	return r.Kind.String()
}

// Bytes sniffs the start of an input. b may be cut anywhere.
func Bytes(b []byte) Result {
	if len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b {
		inner, ok := inflateStart(b)
		r := Bytes(inner)
		if r.Gzip || !ok { // gzip in gzip, or a broken header: not one of ours
			return Result{Kind: Binary, Gzip: true}
		}
		r.Gzip = true
		return r
	}
	return Result{Kind: kindOf(b)}
}

// Reader sniffs br without consuming anything. It waits only for what it
// needs (a magic number, or the first line of text), so a live stream on
// stdin is not held up until PeekSize bytes arrive.
func Reader(br *bufio.Reader) (Result, error) {
	limit := min(PeekSize, br.Size())
	for n := 1; ; {
		b, err := br.Peek(n)
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, bufio.ErrBufferFull) {
				return Bytes(b), nil
			}
			return Result{}, err
		}
		b, _ = br.Peek(br.Buffered())
		if enough(b) || len(b) >= limit {
			return Bytes(b), nil
		}
		n = len(b) + 1
	}
}

// enough reports whether b decides its kind: a capture magic number, or
// (for text that is not gzip) a first non-blank line ended by a newline.
func enough(b []byte) bool {
	if len(b) >= 4 && kindOf(b[:4]) == Capture {
		return true
	}
	if len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b {
		return false
	}
	t := bytes.TrimLeft(b, " \t\r\n\ufeff")
	return bytes.IndexByte(t, '\n') >= 0
}

// Path sniffs a file or folder. "-" is not a path: use Reader on stdin.
func Path(path string) (Result, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return Result{}, err
	}
	if fi.IsDir() {
		if _, err := os.Stat(filepath.Join(path, ReportMarker)); err == nil {
			return Result{Kind: ReportFolder}, nil
		}
		return Result{Kind: Folder}, nil
	}
	if !fi.Mode().IsRegular() {
		// A device or pipe: reading it to sniff would consume it (or, for
		// /dev/zero, look like a binary file of no known kind).
		return Result{Kind: Unknown}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return Result{}, err
	}
	defer f.Close()
	b := make([]byte, PeekSize)
	n, err := io.ReadFull(f, b)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return Result{}, err
	}
	return Bytes(b[:n]), nil
}

// inflateStart inflates as much of a gzip stream's start as b holds, up to
// PeekSize bytes; ok is false when the gzip header is broken.
func inflateStart(b []byte) (start []byte, ok bool) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, false
	}
	out := make([]byte, PeekSize)
	n, _ := io.ReadFull(zr, out) // a cut stream still yields its start
	return out[:n], true
}

// Capture magic numbers, as the file's first four bytes.
var captureMagics = []string{
	"\xd4\xc3\xb2\xa1", "\xa1\xb2\xc3\xd4", // pcap, microseconds, both byte orders
	"\x4d\x3c\xb2\xa1", "\xa1\xb2\x3c\x4d", // pcap, nanoseconds
	"\x0a\x0d\x0d\x0a", // pcapng Section Header Block (a palindrome)
}

func kindOf(b []byte) Kind {
	if len(b) >= 4 {
		for _, m := range captureMagics {
			if string(b[:4]) == m {
				return Capture
			}
		}
	}
	t := bytes.TrimLeft(b, " \t\r\n\ufeff")
	if len(t) == 0 {
		if len(b) == 0 || isText(b) {
			return Empty
		}
		return Binary
	}
	if !isText(t) {
		return Binary
	}
	if t[0] == '{' {
		return jsonKind(t)
	}
	if isSecrets(t) {
		return SecretsKeylog
	}
	if t[0] == '[' {
		return JSON
	}
	return Text
}

// isText reports whether b looks like UTF-8 text: valid (but for a rune
// cut at the end) and without control bytes other than white space.
func isText(b []byte) bool {
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n <= 1 {
			return len(b) < utf8.UTFMax && !utf8.FullRune(b)
		}
		if r < 0x20 && r != '\n' && r != '\r' && r != '\t' {
			return false
		}
		b = b[n:]
	}
	return true
}

// isSecrets reports whether the first line of t is the secrets header or
// starts with one of its labels.
func isSecrets(t []byte) bool {
	line, _, _ := bytes.Cut(t, []byte("\n"))
	if bytes.HasPrefix(line, []byte("# wxaudit-secrets ")) {
		return true
	}
	for _, l := range []string{"MMTLS_SECRET ", "MMTLS_PSK_ACCESS ", "WECHAT_SESSION_KEY ", "WECHAT_GCM_KEY "} {
		if bytes.HasPrefix(line, []byte(l)) {
			return true
		}
	}
	return false
}

// jsonKind reads the top-level keys of the first JSON object in t, which
// may be cut anywhere, and names the kind they belong to.
func jsonKind(t []byte) Kind {
	keys := topKeys(t)
	switch {
	case keys["layer"]:
		return FridaKeylog
	case keys["plaintext"]:
		return KeylogOutput
	case keys["data"] && (keys["req_id"] || keys["req_type"] || len(keys) == 1):
		return RequestLog
	case keys["payload"] || (keys["link"] && keys["direction"]):
		return Payloads
	}
	return JSON
}

// topKeys returns the keys of the outermost object of t seen before t ends
// or stops being JSON. Values are skipped by the tokenizer, so a long hex
// value cut by the peek does not hide the keys before it.
func topKeys(t []byte) map[string]bool {
	keys := map[string]bool{}
	dec := json.NewDecoder(bytes.NewReader(t))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return keys
	}
	for dec.More() {
		tok, err := dec.Token()
		k, ok := tok.(string)
		if err != nil || !ok {
			return keys
		}
		keys[k] = true
		if skipValue(dec) != nil {
			return keys
		}
	}
	return keys
}

// skipValue reads one JSON value, however nested.
func skipValue(dec *json.Decoder) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

// Error is an input of the wrong kind. Its Hint says what to run instead.
type Error struct {
	Op    string // the package that found it, printed first ("capture: …"), or ""
	Name  string // the input as the user named it; "" reads "the input"
	Got   Result
	Want  string // what the command reads, e.g. "a capture"
	Cause error  // a package's sentinel the error also is, or nil
	hint  string
}

func (e *Error) Error() string {
	name := e.Name
	switch name {
	case "":
		name = "the input"
	case "-":
		name = "stdin"
	}
	msg := fmt.Sprintf("%s is %s, not %s", name, e.Got, e.Want)
	if e.Op != "" {
		msg = e.Op + ": " + msg
	}
	return msg
}

// Unwrap returns Cause.
func (e *Error) Unwrap() error { return e.Cause }

// Hint says what to do instead.
func (e *Error) Hint() string { return e.hint }

// Hints per kind: what a user holding this input should run.
var hints = map[Kind]string{
	Capture:       "this is a capture: run wxaudit decrypt --keylog KEYLOG CAPTURE first, or wxaudit analyze --keylog KEYLOG CAPTURE --out DIR",
	RequestLog:    "this is a request log: run wxaudit decode or wxaudit analyze on it",
	Payloads:      "this is wxaudit decrypt output: run wxaudit decode or wxaudit analyze on it",
	KeylogOutput:  "this is decrypt-keylog.py output: run wxaudit decode or wxaudit analyze on it",
	FridaKeylog:   "this is a key log: pass it with --keylog",
	SecretsKeylog: "this is a key log: pass it with --keylog",
	ReportFolder:  "this is a report folder: open its report.html, or compare two with wxaudit diff",
	Folder:        "give a file, not a folder",
	Empty:         "the file is empty: was the capture or log still being written?",
}

// Mismatch returns an *Error for input name of kind got given where want
// was expected, with the hint for got; cause, if given, is what the error
// also is (a package's sentinel).
func Mismatch(name string, got Result, want string, cause ...error) *Error {
	h, ok := hints[got.Kind]
	if !ok {
		h = "expected " + want + "; wxaudit reads pcap/pcapng captures (gzip too), request logs, wxaudit decrypt output and key logs"
	}
	e := &Error{Name: name, Got: got, Want: want, hint: h}
	if len(cause) > 0 {
		e.Cause = cause[0]
	}
	return e
}

// IsCapture reports whether path is a pcap or pcapng capture, plain or
// gzip-compressed, by its magic numbers.
func IsCapture(path string) bool {
	r, err := Path(path)
	return err == nil && r.Kind == Capture
}
