package capture

// This file reads pcapng (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-03.html):
// a sequence of blocks, each type | length | body | length. Sections start
// with a Section Header Block, which sets the byte order; Interface
// Description Blocks give each interface its link type and timestamp
// resolution; Enhanced, Simple and (obsolete) Packet Blocks hold frames.
// Other blocks are checked for framing and skipped. A section of a version
// other than 1.0 is skipped whole, as the format asks.

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"time"
)

// pcapng block types and the byte-order magic.
const (
	ngSectionHeader        = 0x0a0d0d0a
	ngInterfaceDescription = 1
	ngPacket               = 2 // obsolete, still written by old tools
	ngSimplePacket         = 3
	ngNameResolution       = 4
	ngInterfaceStatistics  = 5
	ngEnhancedPacket       = 6
	ngByteOrderMagic       = 0x1a2b3c4d
)

// Interface Description Block options used here.
const (
	optEndOfOptions = 0
	optTSResolution = 9  // if_tsresol: 1 byte
	optTSOffset     = 14 // if_tsoffset: 8 bytes, seconds
)

// pcapngState is the current section of a pcapng file.
type pcapngState struct {
	order  byteOrder // the section's
	ifaces []ngInterface
	nIDB   int // interface blocks in the whole file, see MaxInterfaces

	// inexact records an interface resolution that gopacket converted with
	// rounding (binary fractions, decimal exponents above 19), so the
	// differential fuzz test does not expect its timestamps.
	inexact bool
}

// ngInterface is one Interface Description Block.
type ngInterface struct {
	link    linkType
	snaplen uint32
	units   uint64 // timestamp units per second; 0 when 10^exp10 overflows 64 bits
	scale   uint64 // nanoseconds per unit when that is a whole number
	exp10   uint8  // set when units is 0
	offset  uint64 // if_tsoffset, in seconds
}

// block reads the next block and checks its framing: a byte-order magic in
// a section header, a length that is a multiple of 4, at least the header
// and trailer, at most MaxRecordSize, and repeated at the end. It returns
// the block type and the body between the header and the trailing length
// (for a section header, after the byte-order magic). body aliases the
// input buffer. At the end of the input it returns io.EOF when the input
// ended between blocks, io.ErrUnexpectedEOF inside one.
func (s *pcapngState) block(in *input) (typ uint32, body []byte, start int64, err error) {
	start = in.off
	h, err := in.take(8)
	if err != nil {
		return 0, nil, start, err
	}
	rawType, rawLen := [4]byte(h[0:4]), [4]byte(h[4:8])
	hn := 8
	typ = s.order.u32(rawType[:])
	if binary.LittleEndian.Uint32(rawType[:]) == ngSectionHeader { // a palindrome: either order
		typ, hn = ngSectionHeader, 12
		bom, err := in.take(4)
		if err != nil {
			return 0, nil, start, unexpected(err)
		}
		switch {
		case binary.BigEndian.Uint32(bom) == ngByteOrderMagic:
			s.order = bigEndian
		case binary.LittleEndian.Uint32(bom) == ngByteOrderMagic:
			s.order = littleEndian
		default:
			return 0, nil, start, &CorruptError{start, "section header without its byte-order magic"}
		}
	} else if typ == ngInterfaceDescription {
		if s.nIDB++; s.nIDB > MaxInterfaces {
			return 0, nil, start, &CorruptError{start, fmt.Sprintf("more than %d interface descriptions", MaxInterfaces)}
		}
	}
	length := s.order.u32(rawLen[:])
	switch {
	case length%4 != 0 || length < uint32(hn)+4:
		return 0, nil, start, &CorruptError{start, fmt.Sprintf("block length %d", length)}
	case length > MaxRecordSize:
		return 0, nil, start, &CorruptError{start, fmt.Sprintf("block of %d bytes, more than the %d MiB limit", length, MaxRecordSize>>20)}
	}
	rest, err := in.take(int(length) - hn)
	if err != nil {
		return 0, nil, start, unexpected(err)
	}
	body, trailer := rest[:len(rest)-4], rest[len(rest)-4:]
	if t := s.order.u32(trailer); t != length {
		return 0, nil, start, &CorruptError{start, fmt.Sprintf("length %d at its start, %d at its end", length, t)}
	}
	return typ, body, start, nil
}

// readFirstSection reads the section header that starts the file, skipping
// sections of unknown versions.
func (s *pcapngState) readFirstSection(in *input) error {
	_, body, start, err := s.block(in) // NewReader saw its type
	if err != nil {
		return err
	}
	return s.section(in, body, start)
}

// section starts a section from its header block's body. A section of
// another version than 1.0 is skipped up to the next section header; at
// the end of the input it returns io.EOF.
func (s *pcapngState) section(in *input, body []byte, start int64) error {
	for {
		s.ifaces = s.ifaces[:0]
		if len(body) < 12 {
			return short(start, "section header", len(body))
		}
		if s.order.u16(body[0:2]) == 1 && s.order.u16(body[2:4]) == 0 {
			_, err := s.options(body[12:], start, nil)
			return err
		}
		for {
			var typ uint32
			var err error
			typ, body, start, err = s.block(in)
			if err != nil {
				return err
			}
			if typ == ngSectionHeader {
				break
			}
		}
	}
}

// next reads blocks up to the next packet and fills rec. It returns io.EOF
// at the end of the input.
func (s *pcapngState) next(in *input, rec *record) error {
	for {
		typ, body, start, err := s.block(in)
		if err != nil {
			return err
		}
		switch typ {
		case ngSectionHeader:
			err = s.section(in, body, start)
		case ngInterfaceDescription:
			err = s.addInterface(body, start)
		case ngEnhancedPacket, ngPacket:
			return s.packet(typ, body, start, rec)
		case ngSimplePacket:
			return s.simplePacket(body, start, rec)
		case ngInterfaceStatistics:
			if len(body) < 12 {
				return short(start, "interface statistics block", len(body))
			}
			if _, err = s.iface(s.order.u32(body), start); err == nil {
				_, err = s.options(body[12:], start, nil)
			}
		case ngNameResolution:
			err = s.nameRecords(body, start)
		}
		if err != nil {
			return err
		}
	}
}

// addInterface reads an Interface Description Block.
func (s *pcapngState) addInterface(body []byte, start int64) error {
	if len(body) < 8 {
		return short(start, "interface description", len(body))
	}
	f := ngInterface{link: linkType(s.order.u16(body[0:2])), snaplen: s.order.u32(body[4:8])}
	res := byte(6) // microseconds unless if_tsresol says otherwise
	_, err := s.options(body[8:], start, func(code uint16, val []byte) {
		switch {
		case code == optTSResolution && len(val) >= 1 && val[0] != 0:
			res = val[0]
		case code == optTSOffset && len(val) >= 8:
			f.offset = s.order.u64(val)
		}
	})
	if err != nil {
		return err
	}
	exp := res & 0x7f
	if exp > 63 {
		return &CorruptError{start, fmt.Sprintf("timestamp resolution byte 0x%02x out of range", res)}
	}
	switch {
	case res&0x80 != 0: // a power of 2
		f.units = 1 << exp
		s.inexact = s.inexact || exp > 9
	case exp <= 19:
		f.units = 1
		for range exp {
			f.units *= 10
		}
	default:
		f.exp10 = exp
		s.inexact = true
	}
	if f.units != 0 && f.units <= 1e9 && 1e9%f.units == 0 {
		f.scale = 1e9 / f.units
	}
	s.ifaces = append(s.ifaces, f)
	return nil
}

// iface returns the interface of a packet.
func (s *pcapngState) iface(id uint32, start int64) (*ngInterface, error) {
	if uint64(id) >= uint64(len(s.ifaces)) {
		return nil, &CorruptError{start, fmt.Sprintf("interface %d not described in this section (it has %d)", id, len(s.ifaces))}
	}
	return &s.ifaces[id], nil
}

// packet reads an Enhanced Packet Block, or an obsolete Packet Block
// (whose interface number is 16 bits, followed by a drop count).
func (s *pcapngState) packet(typ uint32, body []byte, start int64, rec *record) error {
	if len(body) < 20 {
		return short(start, "packet block", len(body))
	}
	id := s.order.u32(body[0:4])
	if typ == ngPacket {
		id = uint32(s.order.u16(body[0:2]))
	}
	f, err := s.iface(id, start)
	if err != nil {
		return err
	}
	ts := uint64(s.order.u32(body[4:8]))<<32 | uint64(s.order.u32(body[8:12]))
	caplen, length := s.order.u32(body[12:16]), s.order.u32(body[16:20])
	data, opts, err := packetData(body[20:], caplen, start)
	if err != nil {
		return err
	}
	if typ == ngEnhancedPacket {
		if _, err := s.options(opts, start, nil); err != nil {
			return err
		}
	}
	*rec = record{data: data, link: f.link, time: f.time(ts), truncated: caplen < length}
	return nil
}

// simplePacket reads a Simple Packet Block: no timestamp, the first
// interface, and a captured length that is the original length cut at
// that interface's snap length.
func (s *pcapngState) simplePacket(body []byte, start int64, rec *record) error {
	if len(body) < 4 {
		return short(start, "simple packet block", len(body))
	}
	if len(s.ifaces) == 0 {
		return &CorruptError{start, "simple packet block before any interface description"}
	}
	f := &s.ifaces[0]
	length := s.order.u32(body[0:4])
	caplen := length
	if f.snaplen != 0 && caplen > f.snaplen {
		caplen = f.snaplen
	}
	data, _, err := packetData(body[4:], caplen, start)
	if err != nil {
		return err
	}
	*rec = record{data: data, link: f.link, truncated: caplen < length}
	return nil
}

// packetData splits b into caplen bytes of packet data and what follows
// their padding.
func packetData(b []byte, caplen uint32, start int64) (data, rest []byte, err error) {
	padded := (uint64(caplen) + 3) &^ 3
	if padded > uint64(len(b)) {
		return nil, nil, &CorruptError{start, fmt.Sprintf("packet of %d bytes in a block with room for %d", caplen, len(b))}
	}
	return b[:caplen], b[padded:], nil
}

// time converts a timestamp in f's units to a time.
func (f *ngInterface) time(ts uint64) time.Time {
	var sec, nsec uint64
	switch {
	case f.scale != 0:
		sec, nsec = ts/f.units, ts%f.units*f.scale
	case f.units != 0:
		sec = ts / f.units
		hi, lo := bits.Mul64(ts%f.units, 1e9)
		nsec, _ = bits.Div64(hi, lo, f.units) // hi < units: no overflow
	default: // 10^-20 s or finer: ts is under a second
		nsec = ts
		for range f.exp10 - 9 {
			nsec /= 10
		}
	}
	return time.Unix(int64(sec+f.offset), int64(nsec)).UTC()
}

// options walks a block's options, calling fn (if set) on each. The list
// ends with opt_endofopt or at the end of the block. It returns what
// follows opt_endofopt.
func (s *pcapngState) options(b []byte, start int64, fn func(code uint16, val []byte)) ([]byte, error) {
	for len(b) > 0 {
		if len(b) < 4 {
			return nil, &CorruptError{start, "option header cut by the end of its block"}
		}
		code, n := s.order.u16(b[0:2]), int(s.order.u16(b[2:4]))
		if code == optEndOfOptions {
			if n != 0 {
				return nil, &CorruptError{start, fmt.Sprintf("end of options with length %d", n)}
			}
			return b[4:], nil
		}
		padded := (n + 3) &^ 3
		if 4+padded > len(b) {
			return nil, &CorruptError{start, fmt.Sprintf("option %d of %d bytes overruns its block", code, n)}
		}
		if fn != nil {
			fn(code, b[4:4+n])
		}
		b = b[4+padded:]
	}
	return nil, nil
}

// Name resolution record types, and the address each starts with.
var nameRecordAddrLen = [...]int{1: 4, 2: 16, 3: 6, 4: 8} // IPv4, IPv6, EUI-48, EUI-64

// nameRecords checks the records of a Name Resolution Block, which the
// reader otherwise ignores: each must hold its address. A record longer
// than its block runs to the block's end, as pcapgo read it.
func (s *pcapngState) nameRecords(b []byte, start int64) error {
	for len(b) >= 4 {
		typ, n := s.order.u16(b[0:2]), int(s.order.u16(b[2:4]))
		b = b[4:]
		if typ == 0 { // nrb_record_end
			break
		}
		n = min(n, len(b)+4) // the trailing length included
		if int(typ) < len(nameRecordAddrLen) && n < nameRecordAddrLen[typ] {
			return &CorruptError{start, fmt.Sprintf("name record of type %d is too short for its address", typ)}
		}
		b = b[min((n+3)&^3, len(b)):]
	}
	return nil
}

// short reports a block too short for its fixed fields.
func short(start int64, what string, n int) error {
	return &CorruptError{start, fmt.Sprintf("%s of %d bytes is too short", what, n)}
}
