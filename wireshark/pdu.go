package wireshark

// This file defines the wechat message, the PDU of each exported packet:
// what wxaudit knows about one decrypted payload (its transport, the
// WeChat header fields, the Longlink packet header) followed by the
// plaintext. mmtls.lua's wechat dissector reads it. Layout, version 1:
//
//	u8 version (1)
//	fields: u8 tag | u16 length | value, big-endian, ending with tag 0
//	        (length 0); unknown tags are skipped, so later versions may
//	        add fields
//	body: the rest of the packet, the payload's plaintext
//
// String values are UTF-8 as decrypt produced them; numbers are
// big-endian unsigned.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/wxaudit/wxaudit/payload"
)

// pduVersion is the layout version written first in a wechat message.
const pduVersion = 1

// pduTag names a field of a wechat message.
type pduTag uint8

const (
	pduEnd           pduTag = 0
	pduLink          pduTag = 1  // string: shortlink, longlink, http
	pduDirection     pduTag = 2  // string: request, response
	pduURI           pduTag = 3  // string: API path
	pduHost          pduTag = 4  // string
	pduReqType       pduTag = 5  // u32
	pduUin           pduTag = 6  // u32
	pduClientVersion pduTag = 7  // u32
	pduCmdID         pduTag = 8  // u32: Longlink cmd id
	pduLonglinkSeq   pduTag = 9  // u32: Longlink seq
	pduInner         pduTag = 10 // string: aes-cbc, aes-gcm, none
	pduCompressed    pduTag = 11 // u8: 1 when the plaintext was inflated
	pduPart          pduTag = 12 // string: part of the auth exchange
	pduSignatureOK   pduTag = 13 // u8: 1 verified, 0 did not
	pduRecordSeq     pduTag = 14 // u64: MMTLS record sequence number
	pduFrames        pduTag = 15 // n x u32: original frame numbers
	pduEndpoint      pduTag = 16 // string: API path the catalog gives the request type (no uri)
)

// PDU is the content of a wechat message: a payload and, for payloads
// without a path of their own (Longlink), the endpoint the catalog names
// for their request type.
type PDU struct {
	payload.Payload
	Endpoint string
}

// maxPDUFrames is the most frame numbers one field holds; a payload
// spread over more frames keeps its first ones (the packet's
// original-frame tag still names the last).
const maxPDUFrames = math.MaxUint16 / 4

// PDUError is a malformed wechat message: the offset of the bad byte and
// what was wrong.
type PDUError struct {
	Offset int
	Err    error
}

func (e *PDUError) Error() string {
	return fmt.Sprintf("wireshark: wechat message at byte %d: %v", e.Offset, e.Err)
}
func (e *PDUError) Unwrap() error { return e.Err }

// AppendPDU appends m as a wechat message to b. Strings longer than a
// field can hold (64 KiB) are cut; numbers out of u32 range are left out.
func AppendPDU(b []byte, m *PDU) []byte {
	p := &m.Payload
	b = append(b, pduVersion)
	b = appendString(b, pduLink, p.Link)
	b = appendString(b, pduDirection, p.Direction)
	b = appendString(b, pduURI, p.URI)
	b = appendString(b, pduHost, p.Host)
	if p.ReqType > 0 && p.ReqType <= math.MaxUint32 {
		b = appendU32(b, pduReqType, uint32(p.ReqType))
	}
	if p.Uin != 0 {
		b = appendU32(b, pduUin, p.Uin)
	}
	if p.ClientVersion != 0 {
		b = appendU32(b, pduClientVersion, p.ClientVersion)
	}
	if p.CmdID != 0 {
		b = appendU32(b, pduCmdID, p.CmdID)
	}
	if p.LonglinkSeq != 0 {
		b = appendU32(b, pduLonglinkSeq, p.LonglinkSeq)
	}
	b = appendString(b, pduInner, p.Inner)
	if p.Compressed {
		b = append(appendField(b, pduCompressed, 1), 1)
	}
	b = appendString(b, pduPart, p.Part)
	if p.SignatureOK != nil {
		v := byte(0)
		if *p.SignatureOK {
			v = 1
		}
		b = append(appendField(b, pduSignatureOK, 1), v)
	}
	if p.RecordSeq != nil {
		b = binary.BigEndian.AppendUint64(appendField(b, pduRecordSeq, 8), *p.RecordSeq)
	}
	var frames []uint32
	for _, f := range p.Frames {
		if f > 0 && f <= math.MaxUint32 && len(frames) < maxPDUFrames {
			frames = append(frames, uint32(f))
		}
	}
	if len(frames) > 0 {
		b = appendField(b, pduFrames, 4*len(frames))
		for _, f := range frames {
			b = binary.BigEndian.AppendUint32(b, f)
		}
	}
	b = appendString(b, pduEndpoint, m.Endpoint)
	b = appendField(b, pduEnd, 0)
	return append(b, p.Payload...)
}

func appendField(b []byte, t pduTag, n int) []byte {
	return binary.BigEndian.AppendUint16(append(b, byte(t)), uint16(n))
}

func appendString(b []byte, t pduTag, s string) []byte {
	if s == "" {
		return b
	}
	s = s[:min(len(s), math.MaxUint16)]
	return append(appendField(b, t, len(s)), s...)
}

func appendU32(b []byte, t pduTag, v uint32) []byte {
	return binary.BigEndian.AppendUint32(appendField(b, t, 4), v)
}

// Errors of ParsePDU, wrapped in *PDUError.
var (
	ErrPDUVersion = errors.New("unknown version")
	ErrPDUField   = errors.New("bad field size")
)

// ParsePDU parses a wechat message back into what it was written from
// (without the payload's capture name and time, which the packet does not
// carry). The result's strings are copies; its Payload aliases b. Errors
// are *PDUError wrapping io.ErrUnexpectedEOF (truncated), ErrPDUVersion (a
// later layout) or ErrPDUField (a field of the wrong size).
func ParsePDU(b []byte) (*PDU, error) {
	if len(b) == 0 {
		return nil, &PDUError{0, fmt.Errorf("%w: empty message", io.ErrUnexpectedEOF)}
	}
	if b[0] != pduVersion {
		return nil, &PDUError{0, fmt.Errorf("%w %d", ErrPDUVersion, b[0])}
	}
	m := &PDU{}
	p := &m.Payload
	off := 1
	for {
		if len(b)-off < 3 {
			return nil, &PDUError{off, fmt.Errorf("%w: field header", io.ErrUnexpectedEOF)}
		}
		t, n := pduTag(b[off]), int(binary.BigEndian.Uint16(b[off+1:]))
		start := off
		off += 3
		if len(b)-off < n {
			return nil, &PDUError{start, fmt.Errorf("%w: tag %d: %d bytes, %d left", io.ErrUnexpectedEOF, t, n, len(b)-off)}
		}
		v := b[off : off+n]
		off += n
		if t == pduEnd {
			if n != 0 {
				return nil, &PDUError{start, fmt.Errorf("%w: end tag with %d bytes", ErrPDUField, n)}
			}
			break
		}
		if t == pduEndpoint {
			m.Endpoint = string(v)
		} else if err := setField(p, t, v); err != nil {
			return nil, &PDUError{start, err}
		}
	}
	p.Payload = payload.Hex(b[off:])
	return m, nil
}

// pduFieldSize is the size of each fixed-size field (0: variable).
var pduFieldSize = [256]int{pduReqType: 4, pduUin: 4, pduClientVersion: 4, pduCmdID: 4, pduLonglinkSeq: 4,
	pduCompressed: 1, pduSignatureOK: 1, pduRecordSeq: 8}

// setField stores one field's value in p; unknown tags are skipped.
func setField(p *payload.Payload, t pduTag, v []byte) error {
	if n := pduFieldSize[t]; n != 0 && len(v) != n {
		return fmt.Errorf("%w: tag %d: %d bytes, want %d", ErrPDUField, t, len(v), n)
	}
	switch t {
	case pduLink:
		p.Link = string(v)
	case pduDirection:
		p.Direction = string(v)
	case pduURI:
		p.URI = string(v)
	case pduHost:
		p.Host = string(v)
	case pduReqType:
		p.ReqType = int(binary.BigEndian.Uint32(v))
	case pduUin:
		p.Uin = binary.BigEndian.Uint32(v)
	case pduClientVersion:
		p.ClientVersion = binary.BigEndian.Uint32(v)
	case pduCmdID:
		p.CmdID = binary.BigEndian.Uint32(v)
	case pduLonglinkSeq:
		p.LonglinkSeq = binary.BigEndian.Uint32(v)
	case pduInner:
		p.Inner = string(v)
	case pduCompressed:
		p.Compressed = v[0] != 0
	case pduPart:
		p.Part = string(v)
	case pduSignatureOK:
		ok := v[0] != 0
		p.SignatureOK = &ok
	case pduRecordSeq:
		s := binary.BigEndian.Uint64(v)
		p.RecordSeq = &s
	case pduFrames:
		if len(v)%4 != 0 {
			return fmt.Errorf("%w: frames: %d bytes, not a multiple of 4", ErrPDUField, len(v))
		}
		p.Frames = slices.Grow(p.Frames[:0], len(v)/4)
		for i := 0; i < len(v); i += 4 {
			p.Frames = append(p.Frames, int64(binary.BigEndian.Uint32(v[i:])))
		}
	}
	return nil
}
