// Package detkey draws P-256 keys from a caller's random source. Since Go
// 1.26, crypto/ecdh's and crypto/ecdsa's GenerateKey ignore a custom reader
// (unless GODEBUG cryptocustomrand=1), but the synthetic traffic generator
// must produce identical captures from identical seeds. Keys are built from
// raw scalars instead; with crypto/rand.Reader they are as good as
// GenerateKey's.
package detkey

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"errors"
	"io"
)

// maxTries bounds the retries on an invalid scalar (zero or ≥ the group
// order), which happens with probability about 2^-32 per try.
const maxTries = 64

// ErrNoKey is returned when the source keeps yielding invalid scalars.
var ErrNoKey = errors.New("detkey: random source yields no valid p-256 scalar")

// ECDH draws a P-256 ECDH private key from r.
func ECDH(r io.Reader) (*ecdh.PrivateKey, error) {
	var b [32]byte
	for range maxTries {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, err
		}
		if k, err := ecdh.P256().NewPrivateKey(b[:]); err == nil {
			return k, nil
		}
	}
	return nil, ErrNoKey
}

// ECDSA draws a P-256 ECDSA private key from r.
func ECDSA(r io.Reader) (*ecdsa.PrivateKey, error) {
	var b [32]byte
	for range maxTries {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, err
		}
		if k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), b[:]); err == nil {
			return k, nil
		}
	}
	return nil, ErrNoKey
}
