// This file implements the inner encryption of business packets, zlib and
// the header signature. See doc/protocol.md, sections 4 and 5.

package business

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"encoding/binary"
	"errors"
	"hash/adler32"
	"slices"

	"github.com/wxaudit/wxaudit/internal/worklog"
)

// Sizes of the inner AES-GCM layout `ciphertext | IV | tag`.
const (
	gcmIVLen   = 12
	gcmTagLen  = 16
	gcmKeyLen  = 24 // AES-192 (measured)
	cbcKeyLen  = 16
	zlibMagic  = 0x78
	adlerNoKey = 1
)

// DefaultMaxInflate caps an inflated payload when AuthState.MaxInflate is 0.
const DefaultMaxInflate = 64 << 20

// errTooLarge is returned by inflateZlib when the output would exceed its cap.
var errTooLarge = errors.New("business: inflated payload too large")

// inflateZlib decompresses the zlib stream b, refusing to produce more than
// max bytes (errTooLarge): a zlib bomb never costs more than max bytes of
// memory.
func inflateZlib(b []byte, max int64, alloc func(int) []byte) ([]byte, error) {
	return inflate(b, max, false, alloc)
}

// InflateAny inflates a zlib stream or, when b has no zlib header, a raw
// deflate stream (plain-HTTP bodies such as newgetdns's come either way),
// bounded like inflateZlib.
func InflateAny(b []byte, max int64) ([]byte, error) {
	return inflate(b, max, true, nil)
}

// InflateBody is InflateAny under st's caps: the output counts towards
// MaxInflateTotal like a business payload's, so plain-HTTP bodies cannot
// amplify a capture's output past it either.
func (st *AuthState) InflateBody(b []byte) ([]byte, error) {
	out, err := inflate(b, st.maxInflate(), true, st.Alloc)
	if errors.Is(err, errTooLarge) {
		st.capped = true
	}
	st.inflated += int64(len(out))
	return out, err
}

// cbcPaddingOK decrypts only the last block of c under key (IV = key) and
// reports whether it ends in valid PKCS#7 padding: a cheap filter before
// the full decryption when trying many keys.
func cbcPaddingOK(block cipher.Block, key, c []byte) bool {
	var last [aes.BlockSize]byte
	block.Decrypt(last[:], c[len(c)-aes.BlockSize:])
	prev := key
	if len(c) > aes.BlockSize {
		prev = c[len(c)-2*aes.BlockSize : len(c)-aes.BlockSize]
	}
	for i := range last {
		last[i] ^= prev[i]
	}
	_, ok := unpad(last[:])
	return ok
}

func unpad(b []byte) (int, bool) {
	if len(b) == 0 {
		return 0, false
	}
	n := int(b[len(b)-1])
	if n == 0 || n > aes.BlockSize || n > len(b) {
		return 0, false
	}
	for _, c := range b[len(b)-n:] {
		if int(c) != n {
			return 0, false
		}
	}
	return len(b) - n, true
}

// openCBCWithKey decrypts an inner AES-128-CBC body with key = IV = key and
// removes PKCS#7 padding. It returns errBadPadding when the padding is
// invalid (the usual sign of a wrong key) and errTruncated when c is not
// whole blocks.
func openCBCWithKey(key [16]byte, c []byte) ([]byte, error) {
	if len(c) == 0 || len(c)%aes.BlockSize != 0 {
		return nil, errTruncated
	}
	return openCBCInto(newCBCCipher(key), key, c, nil)
}

// openCBCInto is OpenCBC with the cipher of key already built, writing the
// plaintext over dst's backing array when it is large enough.
func openCBCInto(cc *cbcCipher, key [16]byte, c, dst []byte) ([]byte, error) {
	if len(c) == 0 || len(c)%aes.BlockSize != 0 {
		return nil, errTruncated
	}
	if !cbcPaddingOK(cc.block, key[:], c) {
		return nil, errBadPadding
	}
	out := slices.Grow(dst[:0], len(c))[:len(c)]
	if worklog.Rec != nil {
		worklog.Rec.CBC(key[:], c)
	}
	cc.decrypter(key[:]).CryptBlocks(out, c)
	n, _ := unpad(out)
	return out[:n], nil
}

// SealCBC encrypts plaintext with AES-128-CBC, key = IV = key, PKCS#7.
func SealCBC(key [16]byte, plaintext []byte) []byte {
	block, err := aes.NewCipher(key[:])
	if err != nil {
		panic("business: internal error: " + err.Error())
	}
	pad := aes.BlockSize - len(plaintext)%aes.BlockSize
	out := make([]byte, len(plaintext)+pad)
	copy(out, plaintext)
	for i := len(plaintext); i < len(out); i++ {
		out[i] = byte(pad)
	}
	cipher.NewCBCEncrypter(block, key[:]).CryptBlocks(out, out)
	return out
}

// GCMBlob is one inner AES-GCM body: ciphertext | IV (12) | tag (16).
type GCMBlob struct {
	Ciphertext []byte // aliases the parsed input
	IV         [12]byte
	Tag        [16]byte
}

// ParseGCMBlob splits b into ciphertext, IV and tag.
func ParseGCMBlob(b []byte) (GCMBlob, error) {
	if len(b) < gcmIVLen+gcmTagLen {
		return GCMBlob{}, errTruncated
	}
	var g GCMBlob
	n := len(b) - gcmIVLen - gcmTagLen
	g.Ciphertext = b[:n]
	copy(g.IV[:], b[n:])
	copy(g.Tag[:], b[n+gcmIVLen:])
	return g, nil
}

// Tail returns the last 8 ciphertext bytes (what the key-log hooks record
// as tail when decrypting), or false when the ciphertext is shorter.
func (g GCMBlob) Tail() ([8]byte, bool) {
	var t [8]byte
	if len(g.Ciphertext) < 8 {
		return t, false
	}
	copy(t[:], g.Ciphertext[len(g.Ciphertext)-8:])
	return t, true
}

// openWithKey decrypts the blob with an AES-192-GCM key and aad; errTagMismatch
// when the tag does not verify.
func (g GCMBlob) openWithKey(key [24]byte, aad []byte) ([]byte, error) {
	return g.open(newGCM(key), aad, nil)
}

// open is openWithKey with the AEAD of the key already built; the plaintext is
// written over dst's backing array when it is large enough.
func (g GCMBlob) open(aead cipher.AEAD, aad, dst []byte) ([]byte, error) {
	ct := slices.Grow(dst[:0], len(g.Ciphertext)+gcmTagLen)
	ct = append(append(ct, g.Ciphertext...), g.Tag[:]...)
	pt, err := aead.Open(ct[:0], g.IV[:], ct, aad)
	if err != nil {
		return nil, errTagMismatch
	}
	return pt, nil
}

// SealGCM encrypts plaintext with AES-192-GCM under key, iv and aad and
// returns ciphertext | IV | tag (the algo 13 and algo 12 blob layout).
func SealGCM(key [24]byte, iv [12]byte, aad, plaintext []byte) []byte {
	block, err := aes.NewCipher(key[:])
	if err != nil {
		panic("business: internal error: " + err.Error())
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic("business: internal error: " + err.Error())
	}
	sealed := aead.Seal(nil, iv[:], plaintext, aad)
	n := len(plaintext)
	out := make([]byte, 0, len(sealed)+gcmIVLen)
	out = append(out, sealed[:n]...)
	out = append(out, iv[:]...)
	return append(out, sealed[n:]...)
}

// Signature computes the WeChat header signature (doc/protocol.md, section 4,
// measured on 21 of 21 requests):
//
//	adler32(plaintext, seed = adler32(md5(be32(len(plaintext)) || K || md5(be32(uin) || K))))
//
// over the uncompressed plaintext, where K is the signature key (see
// learnFromAuthResponse).
func Signature(plaintext []byte, uin uint32, k []byte) uint32 {
	// md5.Sum over buffers on the stack: md5.New and Sum(nil) allocated
	// twice per call, and a packet is checked against every known key.
	var buf [4 + 16 + md5.Size + 32]byte
	b := binary.BigEndian.AppendUint32(buf[:0], uin)
	b = append(b, k...)
	inner := md5.Sum(b)
	b = binary.BigEndian.AppendUint32(buf[:0], uint32(len(plaintext)))
	b = append(b, k...)
	b = append(b, inner[:]...)
	outer := md5.Sum(b)
	seed := adler32.Checksum(outer[:])
	return adlerUpdate(seed, plaintext)
}

// adlerUpdate continues an adler32 checksum from a previous value, as
// zlib's adler32(seed, buf, len) does.
func adlerUpdate(adler uint32, p []byte) uint32 {
	const mod = 65521
	const nmax = 5552
	s1, s2 := adler&0xffff, adler>>16
	for len(p) > 0 {
		q := p
		if len(q) > nmax {
			q = q[:nmax]
		}
		p = p[len(q):]
		for _, c := range q {
			s1 += uint32(c)
			s2 += s1
		}
		s1 %= mod
		s2 %= mod
	}
	return s2<<16 | s1
}
