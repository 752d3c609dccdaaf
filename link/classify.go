package link

import (
	"bytes"
	"strconv"
)

// Kind is what a TCP connection carries.
type Kind uint8

const (
	KindUnknown   Kind = iota // not yet decided, or nothing recognisable
	KindShortlink             // HTTP POST /mmtls/… with MMTLS records in the body
	KindLonglink              // MMTLS records directly on TCP
	KindHTTP                  // HTTP without MMTLS
	KindEmpty                 // no payload bytes at all
)

func (k Kind) String() string {
	switch k {
	case KindUnknown:
		return "unknown"
	case KindShortlink:
		return "shortlink"
	case KindLonglink:
		return "longlink"
	case KindHTTP:
		return "http"
	case KindEmpty:
		return "empty"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// mmtlsVersion is the record-layer version, doc/protocol.md §2.
const mmtlsVersion = 0xF104

// httpMethods are the request methods recognised at a stream start.
var httpMethods = [][]byte{
	[]byte("GET "), []byte("POST "), []byte("HEAD "), []byte("PUT "),
	[]byte("OPTIONS "), []byte("DELETE "), []byte("CONNECT "), []byte("PATCH "),
}

// shortlinkPrefix starts every Shortlink request line (doc/protocol.md §1).
var shortlinkPrefix = []byte("POST /mmtls/")

// Classify decides the link kind from the first bytes the client sent.
// more is true when b is too short to decide and more bytes could change
// the answer.
func Classify(b []byte) (k Kind, more bool) {
	if len(b) == 0 {
		return KindUnknown, true
	}
	if isRecordStart(b) {
		if len(b) < 3 {
			return KindUnknown, true
		}
		return KindLonglink, false
	}
	for _, m := range httpMethods {
		n := min(len(b), len(m))
		if !bytes.Equal(b[:n], m[:n]) {
			continue
		}
		if n < len(m) {
			return KindUnknown, true
		}
		// A POST decides between Shortlink and plain HTTP by its path.
		if m[0] == 'P' && m[1] == 'O' {
			n := min(len(b), len(shortlinkPrefix))
			if bytes.Equal(b[:n], shortlinkPrefix[:n]) {
				if n < len(shortlinkPrefix) {
					return KindUnknown, true
				}
				return KindShortlink, false
			}
		}
		return KindHTTP, false
	}
	return KindUnknown, false
}

// isRecordStart reports whether b can begin an MMTLS record header: a known
// record type followed by the version (as far as b goes).
func isRecordStart(b []byte) bool {
	switch b[0] {
	case 0x15, 0x16, 0x17, 0x19:
	default:
		return false
	}
	if len(b) >= 2 && b[1] != mmtlsVersion>>8 {
		return false
	}
	if len(b) >= 3 && b[2] != mmtlsVersion&0xff {
		return false
	}
	return true
}
