package business

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"testing"

	"github.com/wxaudit/wxaudit/keylog"
)

// TestCBCWrongKeyWithValidPadding: a wrong key whose decryption happens to
// end in valid padding of the right length (1 in 256 when the true padding
// is one byte) must not win over the right key, which the signature (or,
// unsigned, the protobuf structure) confirms.
func TestCBCWrongKeyWithValidPadding(t *testing.T) {
	// 31 bytes of protobuf: one byte of PKCS#7 padding.
	plain := append([]byte{0x0a, 29}, bytes.Repeat([]byte{'x'}, 29)...)
	for _, sign := range []bool{true, false} {
		pkt := sealPacket(t, AlgoCBC, 522, plain, false, sign)
		_, body, err := parseHeader(pkt)
		if err != nil {
			t.Fatal(err)
		}
		wrong := findWrongKey(t, body)
		var l keylog.Log
		l.Add(keylog.Entry{Kind: keylog.KindSessionKey, Key16: wrong})
		l.Add(keylog.Entry{Kind: keylog.KindSessionKey, Key16: synthSessionKey})
		l.Add(keylog.Entry{Kind: keylog.KindSessionKey, Key16: synthK})
		// The wrong key is tried first: it is the state's learned key.
		st := &AuthState{SessionKeys: [][16]byte{wrong}}
		o, err := Open(pkt, &l, st)
		if err != nil {
			t.Fatalf("sign=%v: %v", sign, err)
		}
		if !bytes.Equal(o.Parts[0].Plaintext, plain) {
			t.Fatalf("sign=%v: the wrong key won: %x", sign, o.Parts[0].Plaintext)
		}
	}
}

// findWrongKey searches for a key other than the session key whose CBC
// decryption of body ends in 0x01 (valid one-byte padding) and is not
// protobuf.
func findWrongKey(t *testing.T, body []byte) [16]byte {
	t.Helper()
	out := make([]byte, len(body))
	for i := 0; i < 1<<20; i++ {
		var k [16]byte
		k[0], k[1], k[2], k[15] = byte(i), byte(i>>8), byte(i>>16), 0x5a
		block, _ := aes.NewCipher(k[:])
		cipher.NewCBCDecrypter(block, k[:]).CryptBlocks(out, body)
		if out[len(out)-1] == 1 && !isProtobuf(out[:len(out)-1]) {
			return k
		}
	}
	t.Fatal("no wrong key with valid padding found")
	return [16]byte{}
}
