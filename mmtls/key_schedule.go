// This file computes the MMTLS key schedule. See doc/protocol.md, section 3.
// Every derivation is HKDF-Expand with SHA-256 and no Extract step; the info
// is a label followed by a transcript hash. Which messages each transcript
// hash covers was learned from duo/gommtls, which interoperates with the real
// servers: the Finished messages are never part of it.

package mmtls

import (
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
)

// Key schedule labels (doc/protocol.md §3).
const (
	labelHandshakeKey   = "handshake key expansion"
	labelExpandedSecret = "expanded secret"
	labelApplicationKey = "application data key expansion"
	labelPSKAccess      = "PSK_ACCESS"
	labelPSKRefresh     = "PSK_REFRESH"
	labelClientFinished = "client finished"
	labelServerFinished = "server finished"
	labelEarlyDataKey   = "early data key expansion"
	trafficKeyPairLen   = 2*KeyLen + 2*IVLen // 56: client key, server key, client IV, server IV
	trafficKeySingleLen = KeyLen + IVLen     // 28: key, IV
	secretLen           = sha256.Size
	finishedKeyLen      = sha256.Size
	ecdhCoordinateLen   = 32
)

// transcriptHash is SHA-256 over the concatenated handshake message bodies
// (each as carried in its record, u32 length included) so far.
type transcriptHash [sha256.Size]byte

// transcript accumulates handshake messages in protocol order.
type transcript struct {
	h hash.Hash
}

// newTranscript returns an empty transcript.
func newTranscript() *transcript { return &transcript{h: sha256.New()} }

// Add appends one handshake message body.
func (t *transcript) Add(msg []byte) {
	t.h.Write(msg)
}

// Sum returns the hash of the messages added so far.
func (t *transcript) Sum() transcriptHash {
	var th transcriptHash
	t.h.Sum(th[:0])
	return th
}

// hashMessages returns the transcript hash of msgs.
func hashMessages(msgs ...[]byte) transcriptHash {
	t := newTranscript()
	for _, m := range msgs {
		t.Add(m)
	}
	return t.Sum()
}

// expand is HKDF-Expand(SHA-256, secret, label || th, n).
func expand(secret []byte, label string, th []byte, n int) []byte {
	out, err := hkdf.Expand(sha256.New, secret, label+string(th), n)
	if err != nil {
		panic("mmtls: internal error: " + err.Error())
	}
	return out
}

// secretFromX returns the handshake secret SHA-256(X) for an ECDH X
// coordinate given as a big-endian integer of at most 32 bytes, left-padding
// it to 32 bytes first: hashing a short X unpadded gives a wrong secret in
// about one handshake of 256 (doc/protocol.md §3).
func secretFromX(x []byte) ([32]byte, error) {
	if len(x) > ecdhCoordinateLen {
		return [32]byte{}, fmt.Errorf("mmtls: ecdh coordinate of %d bytes", len(x))
	}
	var padded [ecdhCoordinateLen]byte
	copy(padded[ecdhCoordinateLen-len(x):], x)
	return sha256.Sum256(padded[:]), nil
}

// ecdhSecret performs P-256 ECDH and returns the handshake secret
// SHA-256(X) (crypto/ecdh already returns X as 32 fixed bytes).
func ecdhSecret(priv *ecdh.PrivateKey, peer *ecdh.PublicKey) ([32]byte, error) {
	if priv.Curve() != ecdh.P256() {
		return [32]byte{}, errors.New("mmtls: ecdh key is not P-256")
	}
	x, err := priv.ECDH(peer)
	if err != nil {
		return [32]byte{}, fmt.Errorf("mmtls: ecdh: %w", err)
	}
	return secretFromX(x)
}

// splitPair splits a 56-byte expansion into client and server keys.
func splitPair(b []byte) (client, server TrafficKey) {
	copy(client.Key[:], b[0:16])
	copy(server.Key[:], b[16:32])
	copy(client.IV[:], b[32:44])
	copy(server.IV[:], b[44:56])
	return client, server
}

func splitSingle(b []byte) (k TrafficKey) {
	copy(k.Key[:], b[:KeyLen])
	copy(k.IV[:], b[KeyLen:])
	return k
}

// handshakeKeys returns the keys that protect the encrypted handshake
// records of a 1-RTT handshake: Expand(secret, "handshake key expansion" ||
// th, 56), th covering ClientHello and ServerHello. secret is SHA-256(ECDH
// X) for ECDHE and PSK_ACCESS for a 1-RTT PSK handshake.
func handshakeKeys(secret []byte, th transcriptHash) (client, server TrafficKey) {
	return splitPair(expand(secret, labelHandshakeKey, th[:], trafficKeyPairLen))
}

// expandedSecret returns Expand(secret, "expanded secret" || th, 32), th
// covering the handshake up to NewSessionTicket (Finished excluded).
func expandedSecret(secret []byte, th transcriptHash) [32]byte {
	return [32]byte(expand(secret, labelExpandedSecret, th[:], secretLen))
}

// applicationKeys returns the keys of Longlink application data after a
// 1-RTT handshake: Expand(expanded, "application data key expansion" || th,
// 56), with the same th as expandedSecret.
func applicationKeys(expanded []byte, th transcriptHash) (client, server TrafficKey) {
	return splitPair(expand(expanded, labelApplicationKey, th[:], trafficKeyPairLen))
}

// pskAccess returns Expand(secret, "PSK_ACCESS" || th, 32), th covering
// ClientHello, ServerHello and CertificateVerify. It is the PSK of the type 1
// ticket the server issues in the same flight.
func pskAccess(secret []byte, th transcriptHash) [32]byte {
	return [32]byte(expand(secret, labelPSKAccess, th[:], secretLen))
}

// pskRefresh is pskAccess with the label "PSK_REFRESH" (the PSK of the type 2
// ticket).
func pskRefresh(secret []byte, th transcriptHash) [32]byte {
	return [32]byte(expand(secret, labelPSKRefresh, th[:], secretLen))
}

// finishedMAC returns HMAC-SHA256(Expand(secret, label, 32), th), the
// verify data of a Finished message; the label is "client finished" or
// "server finished" (fromClient) and carries no transcript hash.
func finishedMAC(secret []byte, fromClient bool, th transcriptHash) [sha256.Size]byte {
	label := labelServerFinished
	if fromClient {
		label = labelClientFinished
	}
	m := hmac.New(sha256.New, expand(secret, label, nil, finishedKeyLen))
	m.Write(th[:])
	return [sha256.Size]byte(m.Sum(nil))
}

// earlyDataKey returns the key of a 0-RTT request's encrypted records
// (EncryptedExtensions, early data, alert): Expand(pskAccess, "early data
// key expansion" || SHA-256(ClientHello), 28) -> key, IV.
func earlyDataKey(pskAccess []byte, clientHello transcriptHash) TrafficKey {
	return splitSingle(expand(pskAccess, labelEarlyDataKey, clientHello[:], trafficKeySingleLen))
}

// zeroRTTResponseKey returns the key of a 0-RTT response's encrypted
// records (Finished, data, alert): Expand(pskAccess, "handshake key
// expansion" || th, 28), th covering ClientHello, EncryptedExtensions and
// ServerHello (the order gommtls hashes them in).
func zeroRTTResponseKey(pskAccess []byte, th transcriptHash) TrafficKey {
	return splitSingle(expand(pskAccess, labelHandshakeKey, th[:], trafficKeySingleLen))
}
