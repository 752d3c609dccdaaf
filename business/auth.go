// This file learns the session key, the signature key and the AES-GCM
// keys from a decrypted auth response. See doc/protocol.md, sections 4 and 5,
// and the measured layout in the package doc.

package business

import "google.golang.org/protobuf/encoding/protowire"

// Protobuf paths in the secautoauth response payload (measured).
var (
	pathEncSessionKey = []protowire.Number{3, 3, 2} // AES-CBC(K, session key), 32 bytes
	pathGCMKeyUp      = []protowire.Number{3, 23, 2}
	pathGCMKeyDown    = []protowire.Number{3, 24, 2}
)

const maxAuthFields = 4096 // fields scanned per message level

// authSecrets are the keys an auth response delivers.
type authSecrets struct {
	// SessionKey is the inner AES-CBC key of later payloads.
	SessionKey [16]byte
	// SignatureKey is K of Signature: the key that decrypts field 3.3.2.
	SignatureKey [16]byte
	// GCMKeys are the inner AES-GCM keys (fields 3.23.2 and 3.24.2) when
	// present.
	GCMKeys [][24]byte
}

// learnFromAuthResponse extracts authSecrets from the decrypted (and
// inflated) payload of an auth response. The session key sits AES-CBC
// encrypted at field 3.3.2; the key that decrypts it is K, which the
// client derives from its own ECDH key and which only a key log reveals:
// it is looked up in keys by the field's tail, then among the first
// maxBlindKeys AES-CBC keys (keys may be nil). It reports false when plaintext is not an auth
// response or no key decrypts the field to 16 bytes with valid padding.
func learnFromAuthResponse(plaintext []byte, keys Keys) (authSecrets, bool) {
	if keys == nil {
		keys = noKeys{}
	}
	enc, ok := findBytes(plaintext, pathEncSessionKey)
	if !ok || len(enc) != 32 {
		return authSecrets{}, false
	}
	var tail [8]byte
	copy(tail[:], enc[len(enc)-8:])
	var cands [][16]byte
	for _, e := range keys.CBCByTail(tail) {
		cands = addKey(cands, e.Key16)
	}
	for _, k := range blindKeys(keys) {
		cands = addKey(cands, k)
	}
	for _, k := range cands {
		pt, err := openCBCWithKey(k, enc)
		if err != nil || len(pt) != 16 {
			continue
		}
		a := authSecrets{SignatureKey: k}
		copy(a.SessionKey[:], pt)
		for _, p := range [][]protowire.Number{pathGCMKeyUp, pathGCMKeyDown} {
			if g, ok := findBytes(plaintext, p); ok && len(g) == 24 {
				a.GCMKeys = append(a.GCMKeys, [24]byte(g))
			}
		}
		return a, true
	}
	return authSecrets{}, false
}

// findBytes returns the first length-delimited field along path.
func findBytes(b []byte, path []protowire.Number) ([]byte, bool) {
	for _, want := range path {
		found := false
		for i := 0; len(b) > 0 && i < maxAuthFields; i++ {
			num, typ, n := protowire.ConsumeTag(b)
			if n < 0 {
				return nil, false
			}
			b = b[n:]
			if num == want && typ == protowire.BytesType {
				v, n := protowire.ConsumeBytes(b)
				if n < 0 {
					return nil, false
				}
				b, found = v, true
				break
			}
			n = protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return nil, false
			}
			b = b[n:]
		}
		if !found {
			return nil, false
		}
	}
	return b, true
}

// AuthResponseFields builds the protobuf fragment learnFromAuthResponse
// reads (field 3 with 3.3 {1: 32, 2: encrypted session key} and, when
// given, 3.23 and 3.24 GCM keys), for the synthetic generator: the session
// key is sealed with K by AES-CBC.
func AuthResponseFields(k, sessionKey [16]byte, gcmUp, gcmDown *[24]byte) []byte {
	sub := func(dst []byte, num protowire.Number, val []byte) []byte {
		var m []byte
		m = protowire.AppendTag(m, 1, protowire.VarintType)
		m = protowire.AppendVarint(m, uint64(len(val)))
		m = protowire.AppendTag(m, 2, protowire.BytesType)
		m = protowire.AppendBytes(m, val)
		dst = protowire.AppendTag(dst, num, protowire.BytesType)
		return protowire.AppendBytes(dst, m)
	}
	var f3 []byte
	f3 = sub(f3, 3, SealCBC(k, sessionKey[:]))
	if gcmUp != nil {
		f3 = sub(f3, 23, gcmUp[:])
	}
	if gcmDown != nil {
		f3 = sub(f3, 24, gcmDown[:])
	}
	out := protowire.AppendTag(nil, 3, protowire.BytesType)
	return protowire.AppendBytes(out, f3)
}
