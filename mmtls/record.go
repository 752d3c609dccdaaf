// This file implements the MMTLS record layer: framing, plaintext detection
// and a record reader. See doc/protocol.md, section 2.

package mmtls

import (
	"encoding/binary"
	"fmt"
	"io"
)

// RecordType is the first byte of a record header.
type RecordType uint8

// Record types seen on the wire (doc/protocol.md §2).
const (
	// RecordTypeAlert carries an Alert; a client also sends one to end
	// early data.
	RecordTypeAlert RecordType = 0x15
	// RecordTypeHandshake carries hellos, handshake messages and Finished.
	RecordTypeHandshake RecordType = 0x16
	// RecordTypeData carries application data (Longlink packets, Shortlink
	// envelopes, early data).
	RecordTypeData RecordType = 0x17
	// RecordTypeEarlyHandshake carries the ClientHello and the encrypted
	// EncryptedExtensions of a 0-RTT Shortlink request.
	RecordTypeEarlyHandshake RecordType = 0x19
)

// String returns the type's name, or its value in hex when it is unknown,
// because a reverse-engineered protocol grows new types.
func (t RecordType) String() string {
	switch t {
	case RecordTypeAlert:
		return "alert"
	case RecordTypeHandshake:
		return "handshake"
	case RecordTypeData:
		return "data"
	case RecordTypeEarlyHandshake:
		return "early handshake"
	}
	return fmt.Sprintf("0x%02x", uint8(t))
}

// Known reports whether t is one of the four record types MMTLS uses.
func (t RecordType) Known() bool {
	switch t {
	case RecordTypeAlert, RecordTypeHandshake, RecordTypeData, RecordTypeEarlyHandshake:
		return true
	}
	return false
}

// Version is the record-layer protocol version of every measured record.
const Version uint16 = 0xF104

const (
	// RecordHeaderLen is the size of a record header:
	// type u8 | version u16 | length u16.
	RecordHeaderLen = 5
	// MaxRecordLen is the largest record body: the range of the u16 length
	// field. Every u16 is in range, so the bound that protects a reader is
	// the 64 KiB it may buffer per record; SealRecord and the endpoints
	// split longer application data.
	MaxRecordLen = 1<<16 - 1
)

// Record is one record as framed on the wire.
type Record struct {
	Type    RecordType
	Version uint16
	// Body is the record payload after the header. For an encrypted record
	// it is the ciphertext including the 16-byte AES-GCM tag.
	Body []byte
}

// ParseRecord parses the record at the start of b and returns it with the
// number of bytes it occupies (RecordHeaderLen + len(rec.Body)). rec.Body
// aliases b.
//
// The type and version are checked on the bytes available, before the
// length, so that garbage is reported as soon as it is seen:
//   - a type byte that is not a known RecordType: a *ParseError at offset 0
//     wrapping ErrRecordType; the caller may skip bytes to resync and count
//     the loss;
//   - a version other than Version: a *ParseError at offset 1 wrapping
//     ErrRecordVersion;
//   - fewer bytes than the header or than the length announces:
//     io.ErrUnexpectedEOF (wait for more bytes).
func ParseRecord(b []byte) (rec Record, n int, err error) {
	t, l, err := parseHeader(b)
	if err != nil {
		return Record{}, 0, err
	}
	n = RecordHeaderLen + l
	if len(b) < n {
		return Record{}, 0, io.ErrUnexpectedEOF
	}
	return Record{Type: t, Version: Version, Body: b[RecordHeaderLen:n:n]}, n, nil
}

// parseHeader checks the header bytes present in b and returns the type and
// body length; see ParseRecord for the errors.
func parseHeader(b []byte) (RecordType, int, error) {
	if len(b) == 0 {
		return 0, 0, io.ErrUnexpectedEOF
	}
	t := RecordType(b[0])
	if !t.Known() {
		return 0, 0, &ParseError{Offset: 0, Err: fmt.Errorf("%w 0x%02x", ErrRecordType, b[0])}
	}
	if err := checkVersionPrefix(b[1:min(len(b), 3)]); err != nil {
		return 0, 0, err
	}
	if len(b) < RecordHeaderLen {
		return 0, 0, io.ErrUnexpectedEOF
	}
	return t, int(binary.BigEndian.Uint16(b[3:5])), nil
}

// checkVersionPrefix checks the version bytes present in v (0 to 2 bytes).
func checkVersionPrefix(v []byte) error {
	want := [2]byte{byte(Version >> 8), byte(Version & 0xff)}
	for i, c := range v {
		if c != want[i] {
			var got [2]byte
			copy(got[:], v)
			return &ParseError{Offset: 1, Err: fmt.Errorf("%w 0x%x", ErrRecordVersion, got[:len(v)])}
		}
	}
	return nil
}

// AppendRecord appends rec's header and body to b and returns the extended
// slice. A zero rec.Version is written as Version. It panics if
// len(rec.Body) > MaxRecordLen: a record that long cannot be framed, and
// every caller in this package splits data first.
func AppendRecord(b []byte, rec Record) []byte {
	if len(rec.Body) > MaxRecordLen {
		panic("mmtls: internal error: record body too long")
	}
	v := rec.Version
	if v == 0 {
		v = Version
	}
	b = append(b, byte(rec.Type), byte(v>>8), byte(v), byte(len(rec.Body)>>8), byte(len(rec.Body)))
	return append(b, rec.Body...)
}

// IsPlaintext reports whether rec is a plaintext record: a handshake,
// early-handshake or alert record whose body starts with a u32 length of the
// rest of the body (doc/protocol.md §2, measured). Encrypted bodies match by
// chance with probability 2^-32. Data records are never plaintext.
func IsPlaintext(rec Record) bool {
	switch rec.Type {
	case RecordTypeHandshake, RecordTypeEarlyHandshake, RecordTypeAlert:
	default:
		return false
	}
	return len(rec.Body) >= 4 && uint64(binary.BigEndian.Uint32(rec.Body)) == uint64(len(rec.Body)-4)
}

// Reader reads records from one direction of a connection's byte stream.
//
// # Memory
//
// A Reader holds one buffer of at most RecordHeaderLen + MaxRecordLen bytes.
// The Body of a returned Record aliases that buffer and is valid until the
// next call to Next; copy it to keep it.
type Reader struct {
	r   io.Reader
	buf []byte
	off int64 // stream offset of the next record
	err error
}

// NewReader returns a Reader reading records from r.
func NewReader(r io.Reader) *Reader { return &Reader{r: r} }

// Offset returns the stream offset of the record the next call to Next will
// return (the number of bytes consumed so far).
func (r *Reader) Offset() int64 { return r.off }

// Next returns the next record. At a clean end of stream it returns io.EOF;
// if the stream ends inside a record, io.ErrUnexpectedEOF. A bad header is a
// *ParseError whose Offset is the stream offset. Errors are sticky: after the
// first one, every call returns it.
func (r *Reader) Next() (Record, error) {
	if r.err != nil {
		return Record{}, r.err
	}
	if cap(r.buf) < RecordHeaderLen {
		r.buf = make([]byte, RecordHeaderLen, 1024)
	}
	hdr := r.buf[:RecordHeaderLen]
	if _, err := io.ReadFull(r.r, hdr); err != nil {
		r.err = err
		return Record{}, err
	}
	if _, _, err := parseHeader(hdr); err != nil {
		if pe, ok := err.(*ParseError); ok {
			err = &ParseError{Offset: r.off + pe.Offset, Err: pe.Err}
		}
		r.err = err
		return Record{}, err
	}
	l := int(binary.BigEndian.Uint16(hdr[3:5]))
	if cap(r.buf) < RecordHeaderLen+l {
		nb := make([]byte, RecordHeaderLen+l)
		copy(nb, hdr)
		r.buf = nb
	}
	r.buf = r.buf[:RecordHeaderLen+l]
	if _, err := io.ReadFull(r.r, r.buf[RecordHeaderLen:]); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		r.err = err
		return Record{}, err
	}
	rec, n, err := ParseRecord(r.buf)
	if err != nil {
		panic("mmtls: internal error: reparse failed")
	}
	r.off += int64(n)
	return rec, nil
}
