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

// known reports whether t is one of the four record types MMTLS uses.
func (t RecordType) known() bool {
	switch t {
	case RecordTypeAlert, RecordTypeHandshake, RecordTypeData, RecordTypeEarlyHandshake:
		return true
	}
	return false
}

// recordVersion is the record-layer protocol version of every measured record.
const recordVersion uint16 = 0xF104

const (
	// recordHeaderLen is the size of a record header:
	// type u8 | version u16 | length u16.
	recordHeaderLen = 5
	// maxRecordLen is the largest record body: the range of the u16 length
	// field. Every u16 is in range, so the bound that protects a reader is
	// the 64 KiB it may buffer per record; sealRecord and the endpoints
	// split longer application data.
	maxRecordLen = 1<<16 - 1
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
// number of bytes it occupies (recordHeaderLen + len(rec.Body)). rec.Body
// aliases b.
//
// The type and version are checked on the bytes available, before the
// length, so that garbage is reported as soon as it is seen:
//   - a type byte that is not a known RecordType: a *parseError at offset 0
//     wrapping errRecordType; the caller may skip bytes to resync and count
//     the loss;
//   - a version other than recordVersion: a *parseError at offset 1 wrapping
//     errRecordVersion;
//   - fewer bytes than the header or than the length announces:
//     io.ErrUnexpectedEOF (wait for more bytes).
func ParseRecord(b []byte) (rec Record, n int, err error) {
	t, l, err := parseHeader(b)
	if err != nil {
		return Record{}, 0, err
	}
	n = recordHeaderLen + l
	if len(b) < n {
		return Record{}, 0, io.ErrUnexpectedEOF
	}
	return Record{Type: t, Version: recordVersion, Body: b[recordHeaderLen:n:n]}, n, nil
}

// parseHeader checks the header bytes present in b and returns the type and
// body length; see ParseRecord for the errors.
func parseHeader(b []byte) (RecordType, int, error) {
	if len(b) == 0 {
		return 0, 0, io.ErrUnexpectedEOF
	}
	t := RecordType(b[0])
	if !t.known() {
		return 0, 0, &parseError{Offset: 0, Err: fmt.Errorf("%w 0x%02x", errRecordType, b[0])}
	}
	if err := checkVersionPrefix(b[1:min(len(b), 3)]); err != nil {
		return 0, 0, err
	}
	if len(b) < recordHeaderLen {
		return 0, 0, io.ErrUnexpectedEOF
	}
	return t, int(binary.BigEndian.Uint16(b[3:5])), nil
}

// checkVersionPrefix checks the version bytes present in v (0 to 2 bytes).
func checkVersionPrefix(v []byte) error {
	want := [2]byte{byte(recordVersion >> 8), byte(recordVersion & 0xff)}
	for i, c := range v {
		if c != want[i] {
			var got [2]byte
			copy(got[:], v)
			return &parseError{Offset: 1, Err: fmt.Errorf("%w 0x%x", errRecordVersion, got[:len(v)])}
		}
	}
	return nil
}

// appendRecord appends rec's header and body to b and returns the extended
// slice. A zero rec.Version is written as recordVersion. It panics if
// len(rec.Body) > maxRecordLen: a record that long cannot be framed, and
// every caller in this package splits data first.
func appendRecord(b []byte, rec Record) []byte {
	if len(rec.Body) > maxRecordLen {
		panic("mmtls: internal error: record body too long")
	}
	v := rec.Version
	if v == 0 {
		v = recordVersion
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

// recordReader reads records from one direction of a connection's byte stream.
//
// # Memory
//
// A recordReader holds one buffer of at most recordHeaderLen + maxRecordLen bytes.
// The Body of a returned Record aliases that buffer and is valid until the
// next call to Next; copy it to keep it.
type recordReader struct {
	r   io.Reader
	buf []byte
	off int64 // stream offset of the next record
	err error
}

// newRecordReader returns a recordReader reading records from r.
func newRecordReader(r io.Reader) *recordReader { return &recordReader{r: r} }

// Offset returns the stream offset of the record the next call to Next will
// return (the number of bytes consumed so far).
func (r *recordReader) Offset() int64 { return r.off }

// Next returns the next record. At a clean end of stream it returns io.EOF;
// if the stream ends inside a record, io.ErrUnexpectedEOF. A bad header is a
// *parseError whose Offset is the stream offset. Errors are sticky: after the
// first one, every call returns it.
func (r *recordReader) Next() (Record, error) {
	if r.err != nil {
		return Record{}, r.err
	}
	if cap(r.buf) < recordHeaderLen {
		r.buf = make([]byte, recordHeaderLen, 1024)
	}
	hdr := r.buf[:recordHeaderLen]
	if _, err := io.ReadFull(r.r, hdr); err != nil {
		r.err = err
		return Record{}, err
	}
	if _, _, err := parseHeader(hdr); err != nil {
		if pe, ok := err.(*parseError); ok {
			err = &parseError{Offset: r.off + pe.Offset, Err: pe.Err}
		}
		r.err = err
		return Record{}, err
	}
	l := int(binary.BigEndian.Uint16(hdr[3:5]))
	if cap(r.buf) < recordHeaderLen+l {
		nb := make([]byte, recordHeaderLen+l)
		copy(nb, hdr)
		r.buf = nb
	}
	r.buf = r.buf[:recordHeaderLen+l]
	if _, err := io.ReadFull(r.r, r.buf[recordHeaderLen:]); err != nil {
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
