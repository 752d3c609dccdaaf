// This file holds the bounded big-endian reader and the length-prefix
// builders shared by the message parsers. See doc/protocol.md, section 3.

package mmtls

import (
	"encoding/binary"
	"io"
)

// reader reads big-endian fields from b, tracking the offset of b[0] within
// the buffer the caller parsed, so errors can name the position. Every read
// checks the bytes present before slicing.
type reader struct {
	b   []byte
	off int // offset of b[0] in the caller's buffer
}

func (r *reader) empty() bool { return len(r.b) == 0 }

func (r *reader) u8(v *uint8) bool {
	if len(r.b) < 1 {
		return false
	}
	*v = r.b[0]
	r.skip(1)
	return true
}

func (r *reader) u16(v *uint16) bool {
	if len(r.b) < 2 {
		return false
	}
	*v = binary.BigEndian.Uint16(r.b)
	r.skip(2)
	return true
}

func (r *reader) u32(v *uint32) bool {
	if len(r.b) < 4 {
		return false
	}
	*v = binary.BigEndian.Uint32(r.b)
	r.skip(4)
	return true
}

// bytes returns the next n bytes, aliasing the input.
func (r *reader) bytes(n int, v *[]byte) bool {
	if n < 0 || len(r.b) < n {
		return false
	}
	*v = r.b[:n:n]
	r.skip(n)
	return true
}

func (r *reader) array(v []byte) bool {
	if len(r.b) < len(v) {
		return false
	}
	copy(v, r.b)
	r.skip(len(v))
	return true
}

// prefixed16 reads a u16-length-prefixed field.
func (r *reader) prefixed16(v *[]byte) bool {
	var n uint16
	return r.u16(&n) && r.bytes(int(n), v)
}

// sub32 reads a u32-length-prefixed field as a reader of its own.
func (r *reader) sub32(v *reader) bool {
	var n uint32
	if !r.u32(&n) || uint64(n) > uint64(len(r.b)) {
		return false
	}
	*v = reader{b: r.b[:n:n], off: r.off}
	r.skip(int(n))
	return true
}

func (r *reader) skip(n int) {
	r.b = r.b[n:]
	r.off += n
}

// openMessage checks the u32 length that frames every plaintext handshake
// message and alert, and returns a reader over what follows it. A buffer
// shorter than the length announces is io.ErrUnexpectedEOF; a longer one is
// malformed (a record body holds exactly one message).
func openMessage(b []byte) (reader, error) {
	if len(b) < 4 {
		return reader{}, io.ErrUnexpectedEOF
	}
	n := binary.BigEndian.Uint32(b)
	if uint64(n) > uint64(len(b)-4) {
		return reader{}, io.ErrUnexpectedEOF
	}
	if uint64(n) < uint64(len(b)-4) {
		return reader{}, malformed(4+int(n), "trailing bytes after message")
	}
	return reader{b: b[4:], off: 4}, nil
}

// builder helpers: begin a length prefix, then patch it with end.

func beginU32(b []byte) ([]byte, int) { return append(b, 0, 0, 0, 0), len(b) + 4 }

func endU32(b []byte, start int) []byte {
	binary.BigEndian.PutUint32(b[start-4:], uint32(len(b)-start))
	return b
}

func appendU16(b []byte, v uint16) []byte { return binary.BigEndian.AppendUint16(b, v) }
func appendU32(b []byte, v uint32) []byte { return binary.BigEndian.AppendUint32(b, v) }

func appendPrefixed16(b, v []byte) []byte {
	if len(v) > 0xffff {
		panic("mmtls: internal error: field longer than its u16 length prefix")
	}
	return append(appendU16(b, uint16(len(v))), v...)
}

func checkCount(n int) uint8 {
	if n > 0xff {
		panic("mmtls: internal error: more than 255 list entries")
	}
	return uint8(n)
}
