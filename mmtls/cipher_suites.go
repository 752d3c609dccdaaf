// This file implements MMTLS record protection: AES-128-GCM with a nonce that
// is the base IV XOR the record sequence number, and the record header as
// additional data. See doc/protocol.md, section 2.

package mmtls

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"fmt"

	"github.com/wxaudit/wxaudit/internal/worklog"
)

// CipherSuite is a cipher suite number as listed in ClientHello and chosen
// in ServerHello.
type CipherSuite uint16

// Cipher suites MMTLS offers (doc/protocol.md §3). Both protect records with
// AES-128-GCM; they differ in how the handshake secret is established.
const (
	// cipherSuiteECDHE is TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: a full
	// handshake with P-256 key shares, signed by the server.
	cipherSuiteECDHE CipherSuite = 0xC02B
	// cipherSuitePSK is TLS_PSK_WITH_AES_128_GCM_SHA256: resumption with a
	// ticket and its PSK_ACCESS secret (0-RTT, or 1-RTT without ECDH).
	cipherSuitePSK CipherSuite = 0x00A8
)

func (c CipherSuite) String() string {
	switch c {
	case cipherSuiteECDHE:
		return "ECDHE-ECDSA-AES128-GCM-SHA256"
	case cipherSuitePSK:
		return "PSK-AES128-GCM-SHA256"
	}
	return fmt.Sprintf("0x%04x", uint16(c))
}

// Sizes of the record protection.
const (
	KeyLen = 16 // AES-128 key
	IVLen  = 12 // GCM nonce and base IV
	TagLen = 16 // GCM tag at the end of an encrypted body
	// aadLen is the size of the additional data: seq u64 | record header.
	aadLen = 8 + recordHeaderLen
	// maxPlaintextLen is the most plaintext one encrypted record can carry.
	maxPlaintextLen = maxRecordLen - TagLen
)

// TrafficKey is the key and base IV that protect every encrypted record of
// one direction of a connection (the sequence number selects the nonce).
type TrafficKey struct {
	Key [KeyLen]byte
	IV  [IVLen]byte // base IV
}

// nonce returns the nonce of the record with sequence number seq.
func (k TrafficKey) nonce(seq uint64) [IVLen]byte { return RecordNonce(k.IV, seq) }

// RecordNonce returns baseIV XOR seq, seq big-endian in the last 8 bytes
// (doc/protocol.md §2, measured: not "incremented by 1" as published).
func RecordNonce(baseIV [IVLen]byte, seq uint64) [IVLen]byte {
	n := baseIV
	binary.BigEndian.PutUint64(n[4:], binary.BigEndian.Uint64(n[4:])^seq)
	return n
}

// BaseIV recovers the base IV from the nonce logged for the record with
// sequence number seq. It is the inverse of RecordNonce, so one logged
// nonce opens every record of that direction.
func BaseIV(nonce [IVLen]byte, seq uint64) [IVLen]byte { return RecordNonce(nonce, seq) }

// recordAAD returns the additional data of a record: seq u64 | type u8 |
// version u16 | length u16, where length is the body length as sent
// (ciphertext plus tag). A zero version means recordVersion.
func recordAAD(seq uint64, typ RecordType, version uint16, bodyLen int) [aadLen]byte {
	if version == 0 {
		version = recordVersion
	}
	var a [aadLen]byte
	binary.BigEndian.PutUint64(a[:8], seq)
	a[8] = byte(typ)
	binary.BigEndian.PutUint16(a[9:11], version)
	binary.BigEndian.PutUint16(a[11:13], uint16(bodyLen))
	return a
}

// XORNonceAEAD protects the records of one direction with one TrafficKey.
//
// Open and Seal do not allocate when dst has room: build it once per key and
// reuse it. It keeps scratch space for nonce and additional data, so it is
// not safe for concurrent use.
type XORNonceAEAD struct {
	aead  cipher.AEAD
	key   []byte // only while worklog records
	iv    [IVLen]byte
	nonce [IVLen]byte
	aad   [aadLen]byte
}

// NewXORNonceAEAD returns the record protection for k.
func NewXORNonceAEAD(k TrafficKey) *XORNonceAEAD {
	block, err := aes.NewCipher(k.Key[:])
	if err != nil {
		panic("mmtls: internal error: " + err.Error())
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic("mmtls: internal error: " + err.Error())
	}
	a := &XORNonceAEAD{aead: aead, iv: k.IV}
	if worklog.Rec != nil {
		a.key = bytes.Clone(k.Key[:])
	}
	return a
}

// Open decrypts rec, the record with sequence number seq, appends the
// plaintext to dst and returns the extended slice. To decrypt in place, pass
// rec.Body[:0] as dst; the plaintext then overwrites the ciphertext.
// It returns ErrTagMismatch if the tag does not verify (then dst's spare
// capacity may have been overwritten) or the body is shorter than a tag.
func (a *XORNonceAEAD) Open(dst []byte, seq uint64, rec Record) ([]byte, error) {
	if len(rec.Body) < TagLen || len(rec.Body) > maxRecordLen {
		return nil, ErrTagMismatch
	}
	a.nonce = RecordNonce(a.iv, seq)
	a.aad = recordAAD(seq, rec.Type, rec.Version, len(rec.Body))
	var ct []byte
	if a.key != nil {
		ct = bytes.Clone(rec.Body) // dst may overwrite it
	}
	out, err := a.aead.Open(dst, a.nonce[:], rec.Body, a.aad[:])
	if err != nil {
		return nil, ErrTagMismatch
	}
	if a.key != nil && worklog.Rec != nil {
		worklog.Rec.GCM(a.key, a.nonce[:], a.aad[:], ct)
	}
	return out, nil
}

// Seal encrypts plaintext as a record of type typ with sequence number seq
// and appends the whole record (header, ciphertext, tag) to dst. plaintext
// must not overlap dst's spare capacity. It panics if len(plaintext) >
// maxPlaintextLen (split longer data first; the endpoints do).
func (a *XORNonceAEAD) Seal(dst []byte, seq uint64, typ RecordType, plaintext []byte) []byte {
	if len(plaintext) > maxPlaintextLen {
		panic("mmtls: internal error: plaintext too long for one record")
	}
	n := len(plaintext) + TagLen
	dst = append(dst, byte(typ), byte(recordVersion>>8), byte(recordVersion&0xff), byte(n>>8), byte(n))
	a.nonce = RecordNonce(a.iv, seq)
	a.aad = recordAAD(seq, typ, recordVersion, n)
	return a.aead.Seal(dst, a.nonce[:], plaintext, a.aad[:])
}

// openRecordWithKey decrypts one record with a logged key and base IV (see BaseIV
// to recover a base IV from a logged nonce), appending the plaintext to dst
// as XORNonceAEAD.Open does. It builds the AES-GCM state on every call; to
// decrypt many records with one key, use NewXORNonceAEAD.
func openRecordWithKey(key [KeyLen]byte, baseIV [IVLen]byte, seq uint64, rec Record, dst []byte) ([]byte, error) {
	return NewXORNonceAEAD(TrafficKey{Key: key, IV: baseIV}).Open(dst, seq, rec)
}

// sealRecord encrypts plaintext as one record and appends the record to dst,
// as XORNonceAEAD.Seal does.
func sealRecord(key [KeyLen]byte, baseIV [IVLen]byte, seq uint64, typ RecordType, plaintext, dst []byte) []byte {
	return NewXORNonceAEAD(TrafficKey{Key: key, IV: baseIV}).Seal(dst, seq, typ, plaintext)
}
