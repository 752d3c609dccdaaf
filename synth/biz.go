// This file frames business packets (PROTOCOL.md, section 4): the WeChat header with its
// signature, and the inner encryption of section 5 (AES-CBC with the session
// key, AES-192-GCM with the IV and tag after the ciphertext). It is an
// adapter until package business exports its sealers.

package synth

import (
	"bytes"
	"compress/zlib"
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"encoding/binary"
	"hash/adler32"
	"sync"

	"google.golang.org/protobuf/encoding/protowire"
)

const (
	wechatMagic  = 0xBF
	compressZlib = 1
	compressNone = 2
	cookieLen    = 15
)

// signature is adler32(plaintext) seeded with adler32(md5(be32(len) || K ||
// md5(be32(uin) || K))) (PROTOCOL.md, section 4).
func signature(plain []byte, uin uint32, key []byte) uint32 {
	inner := md5.New()
	inner.Write(binary.BigEndian.AppendUint32(nil, uin))
	inner.Write(key)
	outer := md5.New()
	outer.Write(binary.BigEndian.AppendUint32(nil, uint32(len(plain))))
	outer.Write(key)
	outer.Write(inner.Sum(nil))
	seed := adler32.Checksum(outer.Sum(nil))
	return adler32Update(seed, plain)
}

// adler32Update continues an Adler-32 checksum from state s.
func adler32Update(s uint32, p []byte) uint32 {
	const mod = 65521
	a, b := s&0xffff, s>>16
	for len(p) > 0 {
		n := min(len(p), 5552)
		for _, c := range p[:n] {
			a += uint32(c)
			b += a
		}
		a %= mod
		b %= mod
		p = p[n:]
	}
	return b<<16 | a
}

// wechatHeader builds the WeChat header for a body.
func wechatHeader(algo int, compressed bool, clientVersion, uin uint32, cookie []byte, reqType int, plainLen, compLen int, sig uint32) []byte {
	var v []byte
	v = protowire.AppendVarint(v, uint64(reqType))
	v = protowire.AppendVarint(v, uint64(plainLen))
	v = protowire.AppendVarint(v, uint64(compLen))
	v = protowire.AppendVarint(v, uint64(sig))
	v = protowire.AppendVarint(v, 1) // further field: measured 1
	hlen := 3 + 4 + 4 + len(cookie) + len(v)
	comp := byte(compressNone)
	if compressed {
		comp = compressZlib
	}
	b := make([]byte, 0, hlen)
	b = append(b, wechatMagic, byte(hlen<<2)|comp, byte(algo<<4)|byte(len(cookie)))
	b = binary.BigEndian.AppendUint32(b, clientVersion)
	b = binary.BigEndian.AppendUint32(b, uin)
	b = append(b, cookie...)
	return append(b, v...)
}

// zlibWriters reuses compressor state: a new one allocates about 1 MB,
// which dominated the generator's cost.
var zlibWriters = sync.Pool{New: func() any {
	w, _ := zlib.NewWriterLevel(nil, zlib.BestSpeed)
	return w
}}

func deflate(p []byte) []byte {
	var buf bytes.Buffer
	w := zlibWriters.Get().(*zlib.Writer)
	w.Reset(&buf)
	w.Write(p)
	w.Close()
	zlibWriters.Put(w)
	return buf.Bytes()
}

// cbcSeal is AES-128-CBC with key = IV and PKCS#7 padding.
func cbcSeal(key, p []byte) []byte {
	block, err := aes.NewCipher(key)
	if err != nil {
		panic("synth: internal error: " + err.Error())
	}
	pad := aes.BlockSize - len(p)%aes.BlockSize
	out := make([]byte, len(p)+pad)
	copy(out, p)
	for i := len(p); i < len(out); i++ {
		out[i] = byte(pad)
	}
	cipher.NewCBCEncrypter(block, key).CryptBlocks(out, out)
	return out
}

// gcmSeal is AES-192-GCM with empty AAD: ciphertext | IV | tag.
func gcmSeal(key, iv, p []byte) (out []byte, tag []byte) {
	block, err := aes.NewCipher(key)
	if err != nil {
		panic("synth: internal error: " + err.Error())
	}
	g, err := cipher.NewGCM(block)
	if err != nil {
		panic("synth: internal error: " + err.Error())
	}
	sealed := g.Seal(nil, iv, p, nil)
	ct, tag := sealed[:len(sealed)-16], sealed[len(sealed)-16:]
	out = append(append(append([]byte(nil), ct...), iv...), tag...)
	return out, tag
}

// shortlinkEnvelope is u32 total | u16 len + URI | u16 len + host | u32 len
// + business packet, total counting the bytes after itself (the layout
// business.ParseShortlinkRequest reads).
func shortlinkEnvelope(uri, host string, pkt []byte) []byte {
	n := 2 + len(uri) + 2 + len(host) + 4 + len(pkt)
	b := make([]byte, 0, 4+n)
	b = binary.BigEndian.AppendUint32(b, uint32(n))
	b = binary.BigEndian.AppendUint16(b, uint16(len(uri)))
	b = append(b, uri...)
	b = binary.BigEndian.AppendUint16(b, uint16(len(host)))
	b = append(b, host...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(pkt)))
	return append(b, pkt...)
}

// longlinkPacket is u32 total | u16 16 | u16 1 | u32 cmd id | u32 seq |
// body (business.ParseLonglinkPacket).
func longlinkPacket(cmd, seq uint32, body []byte) []byte {
	b := make([]byte, 0, 16+len(body))
	b = binary.BigEndian.AppendUint32(b, uint32(16+len(body)))
	b = binary.BigEndian.AppendUint16(b, 16)
	b = binary.BigEndian.AppendUint16(b, 1)
	b = binary.BigEndian.AppendUint32(b, cmd)
	b = binary.BigEndian.AppendUint32(b, seq)
	return append(b, body...)
}
