// This file parses and marshals the WeChat header that starts every
// business packet. See doc/protocol.md, section 4 (measured layout).

package business

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"

	"google.golang.org/protobuf/encoding/protowire"
)

// magic is the first byte of a business packet.
const magic = 0xBF

// Algo is the inner encryption algorithm of a business packet.
type Algo uint8

const (
	AlgoCBC    Algo = 5  // AES-128-CBC, key = IV = session key, PKCS#7
	AlgoHybrid Algo = 12 // hybrid ECDH, AES-192-GCM blobs in a protobuf (auth)
	AlgoGCM    Algo = 13 // AES-192-GCM, ciphertext | IV | tag, empty AAD
)

// String names known algorithms and prints others as hex.
func (a Algo) String() string {
	switch a {
	case AlgoCBC:
		return "aes-cbc"
	case AlgoHybrid:
		return "hybrid-ecdh-aes-gcm"
	case AlgoGCM:
		return "aes-gcm"
	}
	return "algo 0x" + strconv.FormatUint(uint64(a), 16)
}

// Compression flags in the low two bits of header byte 1.
const (
	CompressZlib uint8 = 1
	CompressNone uint8 = 2
)

const (
	headerFixedLen = 11 // magic, len/compress, algo/cookie len, version, uin
	maxHeaderLen   = 63 // 6 bits
	maxCookieLen   = 15 // 4 bits
	knownVarints   = 6
	minVarints     = 3
)

// Header is the WeChat header of a business packet.
type Header struct {
	Compress      uint8 // CompressZlib or CompressNone (2 bits)
	Algo          Algo  // 4 bits
	ClientVersion uint32
	Uin           uint32
	Cookie        []byte // up to 15 bytes

	// The leading varints, in wire order.
	ReqType         uint64
	UncompressedLen uint64
	CompressedLen   uint64
	KeyVersion      uint64 // server key version: 10007 in the auth request
	Field5          uint64 // 2 in requests, 0 in responses; meaning unknown
	Signature       uint64 // adler32 signature (see Signature), 0 when unsigned

	// Fields is how many of the six varints above are present (3 to 6);
	// marshalHeader writes all six when it is 0.
	Fields int
	// Extra holds the header bytes after those varints, unparsed.
	Extra []byte
}

// parseHeader parses the WeChat header at the start of pkt and returns it
// with the body that follows. Cookie and Extra alias pkt. Errors are
// *parseError; truncation wraps io.ErrUnexpectedEOF.
func parseHeader(pkt []byte) (Header, []byte, error) {
	fail := func(off int, err error) (Header, []byte, error) {
		return Header{}, nil, &parseError{What: "wechat header", Offset: int64(off), Err: err}
	}
	if len(pkt) < 3 {
		return fail(0, io.ErrUnexpectedEOF)
	}
	if pkt[0] != magic {
		return fail(0, fmt.Errorf("bad magic 0x%02x", pkt[0]))
	}
	hl := int(pkt[1] >> 2)
	cookieLen := int(pkt[2] & 0x0f)
	if hl < headerFixedLen+cookieLen+minVarints {
		return fail(1, fmt.Errorf("header length %d too short for cookie length %d", hl, cookieLen))
	}
	if len(pkt) < hl {
		return fail(0, io.ErrUnexpectedEOF)
	}
	h := Header{
		Compress:      pkt[1] & 3,
		Algo:          Algo(pkt[2] >> 4),
		ClientVersion: binary.BigEndian.Uint32(pkt[3:]),
		Uin:           binary.BigEndian.Uint32(pkt[7:]),
		Cookie:        pkt[headerFixedLen : headerFixedLen+cookieLen],
	}
	off := headerFixedLen + cookieLen
	dst := []*uint64{&h.ReqType, &h.UncompressedLen, &h.CompressedLen, &h.KeyVersion, &h.Field5, &h.Signature}
	for h.Fields < knownVarints && off < hl {
		v, n := protowire.ConsumeVarint(pkt[off:hl])
		if n < 0 {
			return fail(off, fmt.Errorf("bad varint %d: %w", h.Fields+1, protowire.ParseError(n)))
		}
		*dst[h.Fields] = v
		h.Fields++
		off += n
	}
	if h.Fields < minVarints {
		return fail(off, fmt.Errorf("only %d header varints", h.Fields))
	}
	if off < hl {
		h.Extra = pkt[off:hl]
	}
	return h, pkt[hl:], nil
}

// errHeaderTooLong is returned by marshalHeader when the header would not
// fit its 6-bit length field.
var errHeaderTooLong = errors.New("business: header longer than 63 bytes")

// AppendHeader appends the marshaled header to dst.
func AppendHeader(dst []byte, h Header) ([]byte, error) {
	if len(h.Cookie) > maxCookieLen {
		return dst, fmt.Errorf("business: cookie of %d bytes, max %d", len(h.Cookie), maxCookieLen)
	}
	if h.Compress > 3 || h.Algo > 15 {
		return dst, fmt.Errorf("business: compress %d or algo %d out of range", h.Compress, h.Algo)
	}
	n := h.Fields
	if n == 0 {
		n = knownVarints
	}
	if n < minVarints || n > knownVarints {
		return dst, fmt.Errorf("business: %d header varints, want 3 to 6", n)
	}
	start := len(dst)
	dst = append(dst, magic, 0, byte(h.Algo)<<4|byte(len(h.Cookie)))
	dst = binary.BigEndian.AppendUint32(dst, h.ClientVersion)
	dst = binary.BigEndian.AppendUint32(dst, h.Uin)
	dst = append(dst, h.Cookie...)
	for _, v := range []uint64{h.ReqType, h.UncompressedLen, h.CompressedLen, h.KeyVersion, h.Field5, h.Signature}[:n] {
		dst = protowire.AppendVarint(dst, v)
	}
	dst = append(dst, h.Extra...)
	hl := len(dst) - start
	if hl > maxHeaderLen {
		return dst[:start], errHeaderTooLong
	}
	dst[start+1] = byte(hl)<<2 | h.Compress
	return dst, nil
}

// marshalHeader returns the marshaled header.
func marshalHeader(h Header) ([]byte, error) { return AppendHeader(nil, h) }
