package report

// Finding IDs, packed: a policy.json lists nearly every finding, and a Go
// string per ID (a 16-byte header and a 16-byte allocation, in a slice
// that doubles as it grows) made them the largest thing `wxaudit analyze`
// held, growing with the findings. analyze's IDs ("f" and 12 hex digits,
// "-N" for a repeat) take 7 or 8 bytes here; any other ID is kept as its
// bytes.

import (
	"encoding/binary"
	"encoding/hex"
	"strconv"
)

const (
	idRaw    = 0 // uvarint length, then the bytes
	idHashed = 1 // 6 bytes of hash, then a uvarint: 0, or the N of "-N"
)

// FindingIDs is a sequence of finding IDs, packed; the zero value is
// empty.
type FindingIDs struct {
	b []byte
	n int
}

// Len is the number of IDs.
func (l *FindingIDs) Len() int { return l.n }

// Add appends id.
func (l *FindingIDs) Add(id string) {
	l.n++
	if h, rep, ok := hashedID(id); ok {
		l.b = append(l.b, idHashed)
		l.b = append(l.b, h[:]...)
		l.b = binary.AppendUvarint(l.b, rep)
		return
	}
	l.b = append(l.b, idRaw)
	l.b = binary.AppendUvarint(l.b, uint64(len(id)))
	l.b = append(l.b, id...)
}

// Strings unpacks the IDs; nil when there are none.
func (l *FindingIDs) Strings() []string {
	if l.n == 0 {
		return nil
	}
	out := make([]string, 0, l.n)
	l.Each(func(id []byte) bool {
		out = append(out, string(id))
		return true
	})
	return out
}

// Each calls fn with each ID in turn, until fn returns false; id is
// reused after fn returns.
func (l *FindingIDs) Each(fn func(id []byte) bool) {
	b := l.b
	var buf []byte
	for len(b) > 0 {
		tag := b[0]
		b = b[1:]
		var id []byte
		switch tag {
		case idHashed:
			buf = append(buf[:0], 'f')
			buf = hex.AppendEncode(buf, b[:6])
			rep, k := binary.Uvarint(b[6:])
			b = b[6+k:]
			if rep > 0 {
				buf = append(buf, '-')
				buf = strconv.AppendUint(buf, rep, 10)
			}
			id = buf
		default:
			n, k := binary.Uvarint(b)
			id = b[k : k+int(n)]
			b = b[k+int(n):]
		}
		if !fn(id) {
			return
		}
	}
}

// hashedID reads an ID of the form analyze gives, "f" and 12 lowercase
// hex digits with an optional "-N" (N >= 2, no leading zero); ok is false
// for any other string, so that every ID unpacks to itself.
func hashedID(id string) (h [6]byte, rep uint64, ok bool) {
	if len(id) < 13 || id[0] != 'f' {
		return h, 0, false
	}
	for i := 1; i < 13; i++ {
		c := id[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return h, 0, false
		}
	}
	if _, err := hex.Decode(h[:], []byte(id[1:13])); err != nil {
		return h, 0, false
	}
	if len(id) == 13 {
		return h, 0, true
	}
	s := id[13:]
	if len(s) < 2 || s[0] != '-' || s[1] == '0' {
		return h, 0, false
	}
	rep, err := strconv.ParseUint(s[1:], 10, 64)
	if err != nil || rep < 2 || strconv.FormatUint(rep, 10) != s[1:] {
		return h, 0, false
	}
	return h, rep, true
}
