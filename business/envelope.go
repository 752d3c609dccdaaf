// This file parses the Shortlink request envelope and the Longlink packet
// framing. See doc/protocol.md, section 4.

package business

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// parseError is malformed input at a byte offset.
type parseError struct {
	What   string // the unit being parsed, e.g. "shortlink request"
	Offset int64
	Err    error
}

func (e *parseError) Error() string {
	return fmt.Sprintf("business: %s: offset %d: %v", e.What, e.Offset, e.Err)
}

func (e *parseError) Unwrap() error { return e.Err }

// ShortlinkRequest is the envelope of a Shortlink request body.
type ShortlinkRequest struct {
	URI  string // e.g. /cgi-bin/micromsg-bin/newsync
	Host string
	// Packet is the business packet; it aliases the parsed input.
	Packet []byte
}

// ParseShortlinkRequest parses `u32 total | u16 len + URI | u16 len + host
// | u32 len + business packet`. total counts the bytes after itself
// (measured) and must equal len(b)-4: trailing bytes are an error.
// It returns io.ErrUnexpectedEOF (wrapped in *parseError) for truncation.
func ParseShortlinkRequest(b []byte) (ShortlinkRequest, error) {
	fail := func(off int, err error) (ShortlinkRequest, error) {
		return ShortlinkRequest{}, &parseError{What: "shortlink request", Offset: int64(off), Err: err}
	}
	if len(b) < 4 {
		return fail(0, io.ErrUnexpectedEOF)
	}
	total := binary.BigEndian.Uint32(b)
	if uint64(total) > uint64(len(b)-4) {
		return fail(0, io.ErrUnexpectedEOF)
	}
	if int(total) != len(b)-4 {
		return fail(0, fmt.Errorf("total length %d, have %d bytes", total, len(b)-4))
	}
	off := 4
	var r ShortlinkRequest
	for _, dst := range []*string{&r.URI, &r.Host} {
		if len(b)-off < 2 {
			return fail(off, io.ErrUnexpectedEOF)
		}
		n := int(binary.BigEndian.Uint16(b[off:]))
		off += 2
		if len(b)-off < n {
			return fail(off-2, io.ErrUnexpectedEOF)
		}
		*dst = string(b[off : off+n])
		off += n
	}
	if len(b)-off < 4 {
		return fail(off, io.ErrUnexpectedEOF)
	}
	n := binary.BigEndian.Uint32(b[off:])
	off += 4
	if uint64(n) > uint64(len(b)-off) {
		return fail(off-4, io.ErrUnexpectedEOF)
	}
	if int(n) != len(b)-off {
		return fail(off-4, fmt.Errorf("packet length %d, %d bytes remain", n, len(b)-off))
	}
	r.Packet = b[off:]
	return r, nil
}

// AppendShortlinkRequest appends the envelope of r to dst. URI and Host
// must be shorter than 64 KiB.
func AppendShortlinkRequest(dst []byte, r ShortlinkRequest) []byte {
	total := 2 + len(r.URI) + 2 + len(r.Host) + 4 + len(r.Packet)
	dst = binary.BigEndian.AppendUint32(dst, uint32(total))
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(r.URI)))
	dst = append(dst, r.URI...)
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(r.Host)))
	dst = append(dst, r.Host...)
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(r.Packet)))
	return append(dst, r.Packet...)
}

// CmdID is a Longlink command id.
type CmdID uint32

// Longlink command ids (doc/protocol.md, section 4, measured).
const (
	CmdNoop     CmdID = 6   // heartbeat
	CmdNewSync  CmdID = 121 // newsync over Longlink (AES-GCM algo 13)
	CmdIdentify CmdID = 205 // identify / sync check: no inner encryption
	// CmdResponseOffset is added to a request's cmd id in its response.
	CmdResponseOffset CmdID = 1_000_000_000
)

// IsResponse reports whether c is a response cmd id.
func (c CmdID) IsResponse() bool { return c >= CmdResponseOffset }

// Request returns the request cmd id of a response (c itself otherwise).
func (c CmdID) Request() CmdID {
	if c.IsResponse() {
		return c - CmdResponseOffset
	}
	return c
}

// Plain reports whether packets with this cmd id carry no WeChat header
// and no inner encryption (measured for noop and identify).
func (c CmdID) Plain() bool {
	r := c.Request()
	return r == CmdNoop || r == CmdIdentify
}

// String prints known ids by name and others numerically.
func (c CmdID) String() string {
	name := ""
	switch c.Request() {
	case CmdNoop:
		name = "noop"
	case CmdNewSync:
		name = "newsync"
	case CmdIdentify:
		name = "identify"
	default:
		return strconv.FormatUint(uint64(c), 10)
	}
	if c.IsResponse() {
		return name + "-response"
	}
	return name
}

// LonglinkVersion is the version field of every measured Longlink packet.
const LonglinkVersion = 1

// Longlink packet header constants.
const (
	longlinkHeaderLen = 16
	// MaxLonglinkPacket bounds one Longlink packet (header and body).
	MaxLonglinkPacket = 16 << 20
)

// LonglinkPacket is one Longlink packet.
type LonglinkPacket struct {
	Version uint16 // 1
	Cmd     CmdID
	Seq     uint32
	// Body aliases the parsed input.
	Body []byte
}

// parseLonglinkPacket parses one packet from the start of b: `u32 total |
// u16 header length (16) | u16 version | u32 cmd id | u32 seq | body`. It
// returns the bytes consumed; io.ErrUnexpectedEOF (unwrapped, so callers
// can wait for more data) when b holds only part of a packet; a
// *parseError when the header is invalid.
func parseLonglinkPacket(b []byte) (LonglinkPacket, int, error) {
	if len(b) < longlinkHeaderLen {
		if len(b) >= 6 {
			if err := checkLonglinkHeader(b); err != nil {
				return LonglinkPacket{}, 0, err
			}
		}
		return LonglinkPacket{}, 0, io.ErrUnexpectedEOF
	}
	if err := checkLonglinkHeader(b); err != nil {
		return LonglinkPacket{}, 0, err
	}
	total := int(binary.BigEndian.Uint32(b))
	if len(b) < total {
		return LonglinkPacket{}, 0, io.ErrUnexpectedEOF
	}
	return LonglinkPacket{
		Version: binary.BigEndian.Uint16(b[6:]),
		Cmd:     CmdID(binary.BigEndian.Uint32(b[8:])),
		Seq:     binary.BigEndian.Uint32(b[12:]),
		Body:    b[longlinkHeaderLen:total],
	}, total, nil
}

// checkLonglinkHeader validates the first 6 bytes (total, header length).
func checkLonglinkHeader(b []byte) error {
	total := binary.BigEndian.Uint32(b)
	if total < longlinkHeaderLen || total > MaxLonglinkPacket {
		return &parseError{What: "longlink packet", Offset: 0, Err: fmt.Errorf("bad total length %d", total)}
	}
	if hl := binary.BigEndian.Uint16(b[4:]); hl != longlinkHeaderLen {
		return &parseError{What: "longlink packet", Offset: 4, Err: fmt.Errorf("bad header length %d", hl)}
	}
	return nil
}

// AppendLonglinkPacket appends p; set p.Version to LonglinkVersion.
func AppendLonglinkPacket(dst []byte, p LonglinkPacket) []byte {
	v := p.Version
	dst = binary.BigEndian.AppendUint32(dst, uint32(longlinkHeaderLen+len(p.Body)))
	dst = binary.BigEndian.AppendUint16(dst, longlinkHeaderLen)
	dst = binary.BigEndian.AppendUint16(dst, v)
	dst = binary.BigEndian.AppendUint32(dst, uint32(p.Cmd))
	dst = binary.BigEndian.AppendUint32(dst, p.Seq)
	return append(dst, p.Body...)
}

// LonglinkReader reassembles Longlink packets from the plaintexts of
// successive application-data records of one direction: a packet may span
// several records and a record may hold several packets. It buffers at
// most MaxLonglinkPacket bytes. Errors are sticky.
type LonglinkReader struct {
	buf []byte
	off int
	err error
}

// errLonglinkOverflow is returned when more than MaxLonglinkPacket bytes
// are buffered without completing a packet.
var errLonglinkOverflow = errors.New("business: longlink packet exceeds buffer limit")

// Write appends one record plaintext. It copies p.
func (r *LonglinkReader) Write(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	if r.off > 0 {
		r.buf = append(r.buf[:0], r.buf[r.off:]...)
		r.off = 0
	}
	if len(r.buf)+len(p) > MaxLonglinkPacket {
		r.err = errLonglinkOverflow
		return 0, r.err
	}
	r.buf = append(r.buf, p...)
	return len(p), nil
}

// Next returns the next whole packet, or io.EOF when the buffered bytes
// hold no whole packet yet (call Write again, then Next). The packet's Body
// is valid until the next Write; copy to keep. A malformed header is a
// sticky error.
func (r *LonglinkReader) Next() (LonglinkPacket, error) {
	if r.err != nil {
		return LonglinkPacket{}, r.err
	}
	p, n, err := parseLonglinkPacket(r.buf[r.off:])
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return LonglinkPacket{}, io.EOF
	}
	if err != nil {
		r.err = err
		return LonglinkPacket{}, err
	}
	r.off += n
	return p, nil
}

// Buffered returns the number of bytes held that do not yet form a packet
// (non-zero at the end of a connection means a truncated packet).
func (r *LonglinkReader) Buffered() int { return len(r.buf) - r.off }
