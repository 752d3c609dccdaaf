// This file reads the common request-log line without encoding/json.
// Hand-written because encoding/json (a map, then a struct, by reflection)
// was a quarter of wxaudit decode's CPU on the shared logs; the scanner
// takes only the plain form and gives every other line to parseLine's
// general path, so what a line means never depends on which path read it
// (FuzzLogLineSame checks it).

package decode

import (
	"encoding/hex"

	"github.com/wxaudit/wxaudit/payload"
)

// logLineFast parses line when it is a JSON object whose members are
// "data" (a hex string), "req_id" (an integer or null) and "req_type" (a
// string or null), each at most once, with "data" present, strings with no
// escape and no byte outside printable ASCII, and integers of at most 9
// digits. For any other line, or bad hex, ok is false.
func logLineFast(line []byte, name string, n int) (p payload.Payload, ok bool) {
	s := scanner{b: line}
	if !s.byte('{') {
		return p, false
	}
	var data, reqType []byte
	var haveData, haveID, haveType bool
	var id int
	for first := true; ; first = false {
		s.space()
		if s.byte('}') {
			break
		}
		if !first {
			if !s.byte(',') {
				return p, false
			}
			s.space()
		}
		key, ok := s.str()
		if !ok {
			return p, false
		}
		s.space()
		if !s.byte(':') {
			return p, false
		}
		s.space()
		switch string(key) {
		case "data":
			if haveData {
				return p, false
			}
			data, haveData = s.str()
			if !haveData {
				return p, false
			}
		case "req_type":
			if haveType {
				return p, false
			}
			if haveType = true; !s.null() {
				if reqType, ok = s.str(); !ok {
					return p, false
				}
			}
		case "req_id":
			if haveID {
				return p, false
			}
			if haveID = true; !s.null() {
				if id, ok = s.int(); !ok {
					return p, false
				}
			}
		default:
			return p, false
		}
	}
	s.space()
	if !haveData || s.i != len(s.b) {
		return p, false
	}
	b := make([]byte, len(data)/2)
	if len(data)%2 != 0 {
		return p, false
	}
	if _, err := hex.Decode(b, data); err != nil {
		return p, false
	}
	p = payload.Payload{Link: payload.LinkLog, Direction: payload.DirRequest, Source: name, Line: n, Payload: b, ReqType: id}
	p.URI = string(reqType)
	return p, true
}

// scanner walks the plain JSON logLineFast accepts.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) byte(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// space skips JSON whitespace.
func (s *scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// null reads a JSON null.
func (s *scanner) null() bool {
	if len(s.b)-s.i >= 4 && string(s.b[s.i:s.i+4]) == "null" {
		s.i += 4
		return true
	}
	return false
}

// str reads a string of printable ASCII without escapes.
func (s *scanner) str() ([]byte, bool) {
	if !s.byte('"') {
		return nil, false
	}
	start := s.i
	for ; s.i < len(s.b); s.i++ {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return s.b[start : s.i-1], true
		case c == '\\' || c < 0x20 || c > 0x7e:
			return nil, false
		}
	}
	return nil, false
}

// int reads a JSON integer of at most 9 digits (no overflow of a 32-bit int).
func (s *scanner) int() (int, bool) {
	neg := s.byte('-')
	start, v := s.i, 0
	for ; s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9'; s.i++ {
		v = v*10 + int(s.b[s.i]-'0')
	}
	digits := s.i - start
	if digits == 0 || digits > 9 || (digits > 1 && s.b[start] == '0') {
		return 0, false
	}
	if s.i < len(s.b) && (s.b[s.i] == '.' || s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}
