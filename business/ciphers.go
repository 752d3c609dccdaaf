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
	cbc map[[16]byte]cipher.Block
	gcm map[[24]byte]cipher.AEAD
}

// cbcBlock returns the AES-128 block cipher of k.
func (st *AuthState) cbcBlock(k [16]byte) cipher.Block {
	if b, ok := st.ciphers.cbc[k]; ok {
		return b
	}
	b, err := aes.NewCipher(k[:])
	if err != nil {
		panic("business: internal error: " + err.Error())
	}
	if st.ciphers.cbc == nil || len(st.ciphers.cbc) >= maxCachedCiphers {
		st.ciphers.cbc = map[[16]byte]cipher.Block{}
	}
	st.ciphers.cbc[k] = b
	return b
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
