// This file caches the AES states of inner keys. See doc/protocol.md, section
// 5: a capture uses a handful of inner keys (the session key, the GCM
// keys of newsync) for many packets.

package business

import (
	"crypto/aes"
	"crypto/cipher"
)

// maxCachedCiphers bounds each cache of a AuthState; past it the cache starts
// afresh, so a key log with very many keys costs time, not memory.
const maxCachedCiphers = 1024

// cipherCache holds the expanded AES states of keys seen by a AuthState.
// Building them per packet (and per candidate key) allocated and expanded
// the key schedule every time.
type cipherCache struct {
	cbc map[[16]byte]*cbcCipher
	gcm map[[24]byte]cipher.AEAD
}

// cbcCipher is an AES-128 block cipher and a CBC decrypter over it, kept
// together: cipher.NewCBCDecrypter copies the expanded key (about 500
// bytes) on every call, once per packet; the kept decrypter only has its
// IV reset.
type cbcCipher struct {
	block cipher.Block
	dec   cipher.BlockMode
}

// ivSetter is implemented by the standard library's CBC modes.
type ivSetter interface{ SetIV([]byte) }

func newCBCCipher(k [16]byte) *cbcCipher {
	b, err := aes.NewCipher(k[:])
	if err != nil {
		panic("business: internal error: " + err.Error())
	}
	return &cbcCipher{block: b, dec: cipher.NewCBCDecrypter(b, k[:])}
}

// decrypter returns a CBC decrypter with IV iv.
func (c *cbcCipher) decrypter(iv []byte) cipher.BlockMode {
	if s, ok := c.dec.(ivSetter); ok {
		s.SetIV(iv)
		return c.dec
	}
	return cipher.NewCBCDecrypter(c.block, iv)
}

// cbcCipher returns the AES-128 CBC cipher of k.
func (st *AuthState) cbcCipher(k [16]byte) *cbcCipher {
	if c, ok := st.ciphers.cbc[k]; ok {
		return c
	}
	c := newCBCCipher(k)
	if st.ciphers.cbc == nil || len(st.ciphers.cbc) >= maxCachedCiphers {
		st.ciphers.cbc = map[[16]byte]*cbcCipher{}
	}
	st.ciphers.cbc[k] = c
	return c
}

// gcmAEAD returns the AES-192-GCM AEAD of k.
func (st *AuthState) gcmAEAD(k [24]byte) cipher.AEAD {
	if a, ok := st.ciphers.gcm[k]; ok {
		return a
	}
	a := newGCM(k)
	if st.ciphers.gcm == nil || len(st.ciphers.gcm) >= maxCachedCiphers {
		st.ciphers.gcm = map[[24]byte]cipher.AEAD{}
	}
	st.ciphers.gcm[k] = a
	return a
}

func newGCM(k [24]byte) cipher.AEAD {
	block, err := aes.NewCipher(k[:])
	if err != nil {
		panic("business: internal error: " + err.Error())
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic("business: internal error: " + err.Error())
	}
	return aead
}
