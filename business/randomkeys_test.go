package business

import (
	"crypto/aes"
	"crypto/cipher"
	"math/rand/v2"
	"testing"

	"github.com/wxaudit/wxaudit/keylog"
)

// randomKeyLog is a key log of n random AES-CBC keys: half bare session
// keys, half Frida CBC lines whose tails name other ciphertexts.
func randomKeyLog(rng *rand.Rand, n int) *keylog.Log {
	var l keylog.Log
	for i := range n {
		var k [16]byte
		for j := range k {
			k[j] = byte(rng.Uint32())
		}
		if i%2 == 0 {
			l.Add(keylog.Entry{Kind: keylog.KindSessionKey, Key16: k})
			continue
		}
		var tail [8]byte
		for j := range tail {
			tail[j] = byte(rng.Uint32())
		}
		l.Add(keylog.Entry{Kind: keylog.KindCBC, Key16: k, Tail: tail})
	}
	return &l
}

// TestRandomCBCKeysOpenNothing: a key log of random AES-CBC keys opens no
// packet of a capture whose keys it lacks, although hundreds of the tries
// pass the padding and length checks (which alone once accepted garbage).
func TestRandomCBCKeysOpenNothing(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 34))
	packets := 1500
	if testing.Short() {
		packets = 200
	}
	keys := randomKeyLog(rng, 2*maxBlindKeys)
	st := &AuthState{}
	paddingPasses := 0
	for i := range packets {
		// 31 bytes: one byte of PKCS#7 padding, so a wrong key's
		// plaintext ending in 0x01 has the header's length.
		plain := make([]byte, 31)
		for j := range plain {
			plain[j] = byte(rng.Uint32())
		}
		pkt := sealPacket(t, AlgoCBC, uint64(i), plain, false, i%2 == 0)
		_, body, _ := parseHeader(pkt)
		for _, k := range blindKeys(keys) {
			if lastPlainByte(k, body) == 1 {
				paddingPasses++
			}
		}
		if o, err := Open(pkt, keys, st); err == nil {
			t.Fatalf("packet %d opened with a random key: %x", i, o.Parts[0].Plaintext)
		}
	}
	t.Logf("%d packets × %d keys: %d tries passed the padding and length checks; none opened", packets, maxBlindKeys, paddingPasses)
	if !testing.Short() && paddingPasses == 0 {
		t.Fatal("no try passed the padding check: the test proves nothing")
	}
}

func lastPlainByte(k [16]byte, body []byte) byte {
	b, _ := aes.NewCipher(k[:])
	out := make([]byte, len(body))
	cipher.NewCBCDecrypter(b, k[:]).CryptBlocks(out, body)
	return out[len(out)-1]
}

// TestBlindKeysBounded: with 10k keys in the key log, a packet no line
// names tries at most maxBlindKeys of them (AES states built, counted by
// the AuthState's cache), for the body and for the signature.
func TestBlindKeysBounded(t *testing.T) {
	keys := randomKeyLog(rand.New(rand.NewPCG(5, 6)), 10_000)
	st := &AuthState{}
	pkt := sealPacket(t, AlgoCBC, 1, []byte("\x0a\x07payload"), false, true)
	if _, err := Open(pkt, keys, st); err == nil {
		t.Fatal("opened without its key")
	}
	if n := len(st.ciphers.cbc); n > maxBlindKeys {
		t.Fatalf("%d keys tried, at most %d", n, maxBlindKeys)
	}
}
