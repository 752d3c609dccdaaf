// This file parses the HTTP/1.1 heads that carry Shortlink and plain-HTTP
// traffic (doc/protocol.md, section 1).

package link

import (
	"bufio"
	"bytes"
	"net/http"
	"strings"
	"sync"
)

// parseHead parses one HTTP head b: a request or status line, header lines
// and the blank line, b ending at its first "\r\n\r\n" (as the Framer cuts
// it). The result and the errors are those of net/http.ReadRequest and
// ReadResponse: heads of the simple shape WeChat sends are parsed by
// parseSimpleHead, which FuzzParseHead holds to net/http's answer; every
// other head goes to net/http itself.
func parseHead(b []byte, request bool) (*Head, error) {
	if h, ok := parseSimpleHead(b, request); ok {
		return h, nil
	}
	return parseHeadHTTP(b, request)
}

// Why a hand-written parser: net/http allocates a textproto reader, a
// Request or Response with its URL and body reader, a header map and a
// string per canonicalised key and value for every head, about 30
// allocations; with one head per Shortlink message that was an eighth of
// the decrypt pipeline's CPU time and 1.5M allocations per 100 MB of
// capture. wxaudit needs only the request line, the status, Host,
// Content-Length and Transfer-Encoding, so Head has no header map (building
// one was a fifth of the decrypt pipeline's allocations). parseSimpleHead
// allocates one string for the whole head and the Head.
//
// It is deliberately narrow rather than complete: it accepts only heads
// whose every line is in a conservative subset of the grammar net/http
// accepts, and reports ok == false for anything else (net/http then
// decides, with its own errors). Within the subset the fields it returns
// equal net/http's.

// Bounds of the simple shape: longer or larger heads go to net/http.
const maxSimpleHeaders = 32

// The simple shape:
//
//	request-line = token SP "/" *(VCHAR, no "%" before "?") SP ("HTTP/1.1" | "HTTP/1.0")
//	status-line  = ("HTTP/1.1" | "HTTP/1.0") SP 3DIGIT [SP *(VCHAR | SP | HTAB)]
//	header-line  = token ":" *(VCHAR | SP | HTAB), token already canonical
//
// every line ending in CRLF, at most maxSimpleHeaders header lines, at
// most one Host, Content-Length (1 to 18 digits) or Transfer-Encoding
// ("chunked" alone, HTTP/1.1, without Content-Length), no Pragma or
// Trailer (net/http rewrites them), and no 1xx, 204 or 304 status
// (bodiless whatever the headers say).
func parseSimpleHead(b []byte, request bool) (*Head, bool) {
	if len(b) > maxHeadLen || len(b) < 4 || bytes.Index(b, crlfcrlf) != len(b)-4 {
		return nil, false
	}
	var lines [maxSimpleHeaders + 1][2]int // start, end of each line without CRLF
	n := 0
	for start := 0; start < len(b)-2; {
		end := start + bytes.Index(b[start:], crlf)
		if n == len(lines) {
			return nil, false
		}
		lines[n] = [2]int{start, end}
		n++
		start = end + 2
	}
	h := &Head{Request: request}
	var proto string
	// Only the first line and Host become strings (one allocation each):
	// the other lines are only checked.
	first := string(b[lines[0][0]:lines[0][1]])
	if request {
		method, rest, ok1 := strings.Cut(first, " ")
		target, p, ok2 := strings.Cut(rest, " ")
		if !ok1 || !ok2 || !isToken(method) || !simpleTarget(target) {
			return nil, false
		}
		h.Method, h.Target, proto = method, target, p
	} else {
		p, rest, ok := strings.Cut(first, " ")
		if !ok || len(rest) < 3 || (len(rest) > 3 && rest[3] != ' ') {
			return nil, false
		}
		code := 0
		for _, c := range []byte(rest[:3]) {
			if c < '0' || c > '9' {
				return nil, false
			}
			code = code*10 + int(c-'0')
		}
		if code/100 == 1 || code == http.StatusNoContent || code == http.StatusNotModified {
			return nil, false
		}
		for i := 3; i < len(rest); i++ {
			if !validHeaderValueByte(rest[i]) {
				return nil, false
			}
		}
		h.Status, proto = code, p
	}
	if proto != "HTTP/1.1" && proto != "HTTP/1.0" {
		return nil, false
	}
	h.Proto = proto

	// Header lines: check them all, keeping the three wxaudit reads.
	var nHost, nLen, nTE int
	var host string
	var cl, te []byte
	m := n - 1
	for i := range m {
		line := b[lines[i+1][0]:lines[i+1][1]]
		k, v, ok := bytes.Cut(line, []byte(":"))
		if !ok || !isCanonicalToken(k) {
			return nil, false
		}
		for j := 0; j < len(v); j++ {
			if !validHeaderValueByte(v[j]) {
				return nil, false
			}
		}
		v = bytes.Trim(v, " \t")
		switch string(k) {
		case "Host":
			nHost++
			host = string(v)
		case "Content-Length":
			nLen++
			cl = v
		case "Transfer-Encoding":
			nTE++
			te = v
		case "Pragma", "Trailer":
			return nil, false
		}
	}
	if nHost > 1 || nLen > 1 || nTE > 1 || (nTE == 1 && (nLen > 0 || proto != "HTTP/1.1" || !bytes.EqualFold(te, []byte("chunked")))) {
		return nil, false
	}
	switch {
	case nTE == 1:
		h.Chunked, h.BodyLen = true, -1
	case nLen == 1:
		if len(cl) == 0 || len(cl) > 18 {
			return nil, false
		}
		for j := 0; j < len(cl); j++ {
			c := cl[j]
			if c < '0' || c > '9' {
				return nil, false
			}
			h.BodyLen = h.BodyLen*10 + int64(c-'0')
		}
	case request:
		h.BodyLen = 0 // a request without length has no body
	default:
		h.BodyLen = -1 // a response without length runs to the end
	}
	if request {
		h.Host = host
	}
	return h, true
}

var (
	crlf     = []byte("\r\n")
	crlfcrlf = []byte("\r\n\r\n")
)

// simpleTarget reports whether t is an origin-form request target that
// url.ParseRequestURI accepts as it stands: visible ASCII starting with
// "/", with no percent escape in the path (net/url validates those).
func simpleTarget(t string) bool {
	if len(t) == 0 || t[0] != '/' {
		return false
	}
	inPath := true
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case c <= ' ' || c >= 0x7f:
			return false
		case c == '?':
			inPath = false
		case c == '%' && inPath:
			return false
		}
	}
	return true
}

// isToken reports whether s is a non-empty RFC 7230 token.
func isToken[S ~string | ~[]byte](s S) bool {
	if len(s) == 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !validHeaderFieldByte(s[i]) {
			return false
		}
	}
	return true
}

// isCanonicalToken reports whether s is a token already in the form
// textproto.CanonicalMIMEHeaderKey gives it (upper case at the start and
// after each '-', lower case elsewhere), so it can be a map key as is.
func isCanonicalToken[S ~string | ~[]byte](s S) bool {
	if !isToken(s) {
		return false
	}
	upper := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if upper && 'a' <= c && c <= 'z' || !upper && 'A' <= c && c <= 'Z' {
			return false
		}
		upper = c == '-'
	}
	return true
}

// tokenBytes and valueBytes are the byte classes of net/textproto: tchar
// (RFC 7230 section 3.2.6) and field-value bytes without obs-text.
var tokenBytes, valueBytes [256]bool

func init() {
	for c := '0'; c <= '9'; c++ {
		tokenBytes[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		tokenBytes[c] = true
		tokenBytes[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		tokenBytes[c] = true
	}
	for c := 0x20; c < 0x7f; c++ {
		valueBytes[c] = true
	}
	valueBytes['\t'] = true
}

func validHeaderFieldByte(c byte) bool { return tokenBytes[c] }
func validHeaderValueByte(c byte) bool { return valueBytes[c] }

// headReader is a bufio.Reader over a bytes.Reader, pooled: a 4 KiB
// bufio buffer per head was a quarter of the bytes the decrypt pipeline
// allocated. Nothing parseHeadHTTP returns aliases it (textproto copies the
// strings, and the request or response body reader is dropped).
type headReader struct {
	src bytes.Reader
	br  *bufio.Reader
}

var headReaders = sync.Pool{New: func() any {
	hr := new(headReader)
	hr.br = bufio.NewReader(&hr.src)
	return hr
}}

// parseHeadHTTP parses an HTTP head with net/http, which knows the whole
// grammar and its quirks.
func parseHeadHTTP(b []byte, request bool) (*Head, error) {
	hr := headReaders.Get().(*headReader)
	hr.src.Reset(b)
	hr.br.Reset(&hr.src)
	defer func() {
		// The pool must not keep b reachable.
		hr.src.Reset(nil)
		hr.br.Reset(&hr.src)
		headReaders.Put(hr)
	}()
	br := hr.br
	h := &Head{Request: request}
	if request {
		req, err := http.ReadRequest(br)
		if err != nil {
			return nil, err
		}
		h.Method, h.Target, h.Proto, h.Host = req.Method, req.RequestURI, req.Proto, req.Host
		h.BodyLen = req.ContentLength
		if h.BodyLen < 0 && !isChunked(req.TransferEncoding) {
			h.BodyLen = 0 // a request without length has no body
		}
		h.Chunked = isChunked(req.TransferEncoding)
		return h, nil
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return nil, err
	}
	h.Status, h.Proto = resp.StatusCode, resp.Proto
	h.BodyLen = resp.ContentLength
	h.Chunked = isChunked(resp.TransferEncoding)
	if resp.StatusCode == http.StatusNoContent || resp.StatusCode == http.StatusNotModified || resp.StatusCode/100 == 1 {
		h.BodyLen = 0
	}
	return h, nil
}

func isChunked(te []string) bool {
	for _, t := range te {
		if strings.EqualFold(t, "chunked") {
			return true
		}
	}
	return false
}
