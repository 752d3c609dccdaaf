// This file parses, opens and seals the hybrid-ECDH body of algo 12 (the
// auth exchange). See doc/protocol.md, section 5, and the measured layout in
// the package doc.

package business

import (
	"bytes"
	"compress/zlib"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/wxaudit/wxaudit/internal/detkey"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// Plaintext names of the hybrid exchange.
const (
	partPayload      = "payload"
	partClientRandom = "client_random_"
)

// nidPrime256v1 is the OpenSSL curve id the body names P-256 with.
const nidPrime256v1 = 415

// maxHybridFields bounds the top-level fields of a hybrid body.
const maxHybridFields = 64

// hybridBody is a parsed algo-12 body.
type hybridBody struct {
	Version   uint64 // the top-level varint (1 in requests, 2 in responses)
	CurveNID  uint64 // 415 (P-256)
	PublicKey []byte // the sender's P-256 point, 65 bytes uncompressed
	// Blobs are the GCM blobs in wire order; they alias the input.
	Blobs []hybridBlob
}

// hybridBlob is one encrypted field of a hybrid body.
type hybridBlob struct {
	Field protowire.Number
	Raw   []byte // ciphertext | IV | tag
	// Prefix is the marshaled top-level fields before this blob; the
	// synthetic AAD rule hashes it.
	Prefix []byte
}

// parseHybridBody parses an algo-12 body: top-level varints, one
// length-delimited public-key message {1 curve NID, 2 point}, and GCM
// blobs (other length-delimited fields of at least 28 bytes). Empty fields
// are ignored.
func parseHybridBody(b []byte) (hybridBody, error) {
	fail := func(off int, err error) (hybridBody, error) {
		return hybridBody{}, &parseError{What: "hybrid body", Offset: int64(off), Err: err}
	}
	var hb hybridBody
	off, nFields := 0, 0
	for off < len(b) {
		if nFields++; nFields > maxHybridFields {
			return fail(off, errors.New("too many fields"))
		}
		num, typ, n := protowire.ConsumeTag(b[off:])
		if n < 0 {
			return fail(off, protowire.ParseError(n))
		}
		start := off
		off += n
		switch typ {
		case protowire.VarintType:
			v, n := protowire.ConsumeVarint(b[off:])
			if n < 0 {
				return fail(off, protowire.ParseError(n))
			}
			off += n
			hb.Version = v
		case protowire.BytesType:
			v, n := protowire.ConsumeBytes(b[off:])
			if n < 0 {
				return fail(off, protowire.ParseError(n))
			}
			off += n
			if nid, pub, ok := parsePublicKeyMsg(v); ok && hb.PublicKey == nil {
				hb.CurveNID, hb.PublicKey = nid, pub
				continue
			}
			if len(v) == 0 {
				continue
			}
			if len(v) < gcmIVLen+gcmTagLen {
				return fail(start, fmt.Errorf("field %d: blob of %d bytes", num, len(v)))
			}
			hb.Blobs = append(hb.Blobs, hybridBlob{Field: num, Raw: v, Prefix: b[:start]})
		default:
			return fail(start, fmt.Errorf("field %d: unexpected wire type %d", num, typ))
		}
	}
	if len(hb.Blobs) == 0 {
		return fail(0, errors.New("no encrypted blob"))
	}
	return hb, nil
}

// parsePublicKeyMsg recognises {1: nid, 2: 65-byte uncompressed point}.
func parsePublicKeyMsg(b []byte) (uint64, []byte, bool) {
	var nid uint64
	var pub []byte
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return 0, nil, false
		}
		b = b[n:]
		switch {
		case num == 1 && typ == protowire.VarintType:
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return 0, nil, false
			}
			nid, b = v, b[n:]
		case num == 2 && typ == protowire.BytesType:
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return 0, nil, false
			}
			pub, b = v, b[n:]
		default:
			return 0, nil, false
		}
	}
	if nid == 0 || len(pub) != 65 || pub[0] != 4 {
		return 0, nil, false
	}
	return nid, pub, true
}

// blobNames names n blobs: the last is the payload, the ones before it
// the client randoms.
func blobNames(n int) []string {
	names := make([]string, n)
	for i := range n - 1 {
		names[i] = fmt.Sprintf("%s%d", partClientRandom, i+1)
	}
	names[n-1] = partPayload
	return names
}

func openHybridBody(body []byte, keys Keys, st *AuthState) ([]Plaintext, error) {
	hb, err := parseHybridBody(body)
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, &OpenError{Reason: taxonomy.ReasonTruncated, Err: err}
		}
		return nil, &OpenError{Reason: taxonomy.ReasonMalformed, Err: err}
	}
	names := blobNames(len(hb.Blobs))
	parts := make([]Plaintext, 0, len(hb.Blobs))
	for i, bl := range hb.Blobs {
		p, err := openGCMBlob(bl.Raw, keys, st, [][]byte{syntheticAAD(bl.Prefix)})
		if err != nil {
			var oe *OpenError
			if errors.As(err, &oe) {
				oe.Reason = names[i] + ": " + oe.Reason
			}
			return nil, err
		}
		p.Name = names[i]
		parts = append(parts, p)
	}
	return parts, nil
}

// syntheticAAD is this package's AAD rule for sealed hybrid blobs:
// SHA-256 over the marshaled top-level fields before the blob. The real
// rule is unknown (see the package doc); real blobs are opened with the
// AAD the key log records.
func syntheticAAD(prefix []byte) []byte {
	h := sha256.Sum256(prefix)
	return h[:]
}

// hybridLabel is the HKDF info of the hybrid key derivation (doc/protocol.md §5).
const hybridLabel = "security hkdf key expand"

// HybridBlobKey is the key material of one sealed blob, as a Frida hook
// would log it.
type HybridBlobKey struct {
	Name string
	Key  [24]byte
	IV   [12]byte
	Tag  [16]byte
	AAD  []byte
	// Tail is the last 8 ciphertext bytes (logged when decrypting).
	Tail [8]byte
}

// HybridServerKey is the synthetic static server key pair of the hybrid
// scheme (the real one is pinned in the app; its private half is unknown).
type HybridServerKey struct {
	Private *ecdh.PrivateKey
}

// NewHybridServerKey generates a static server key from rand.
func NewHybridServerKey(rand io.Reader) (*HybridServerKey, error) {
	k, err := detkey.ECDH(rand)
	if err != nil {
		return nil, err
	}
	return &HybridServerKey{Private: k}, nil
}

// HybridClient is the client half of one hybrid exchange, kept to open the
// response.
type HybridClient struct {
	Private      *ecdh.PrivateKey
	ClientRandom [32]byte
}

// deriveHybridKeys is the synthetic derivation: HKDF-SHA256(ECDH X, salt =
// SHA-256(pub) || client_random, hybridLabel) -> n keys of 24 bytes.
func deriveHybridKeys(shared, pub []byte, clientRandom []byte, n int) ([][24]byte, error) {
	salt := sha256.Sum256(pub)
	out, err := hkdf.Key(sha256.New, shared, append(salt[:], clientRandom...), hybridLabel, 24*n)
	if err != nil {
		return nil, err
	}
	keys := make([][24]byte, n)
	for i := range keys {
		copy(keys[i][:], out[24*i:])
	}
	return keys, nil
}

func zlibCompress(b []byte) []byte {
	var buf bytes.Buffer
	zw := zlib.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func appendPublicKeyField(dst []byte, num protowire.Number, pub []byte) []byte {
	var msg []byte
	msg = protowire.AppendTag(msg, 1, protowire.VarintType)
	msg = protowire.AppendVarint(msg, nidPrime256v1)
	msg = protowire.AppendTag(msg, 2, protowire.BytesType)
	msg = protowire.AppendBytes(msg, pub)
	dst = protowire.AppendTag(dst, num, protowire.BytesType)
	return protowire.AppendBytes(dst, msg)
}

// sealBlob zlib-compresses plaintext, seals it and appends it as field num.
func sealBlob(rand io.Reader, dst []byte, num protowire.Number, name string, key [24]byte, plaintext []byte) ([]byte, HybridBlobKey, error) {
	var iv [12]byte
	if _, err := io.ReadFull(rand, iv[:]); err != nil {
		return nil, HybridBlobKey{}, err
	}
	aad := syntheticAAD(dst)
	blob := SealGCM(key, iv, aad, zlibCompress(plaintext))
	g, _ := ParseGCMBlob(blob)
	bk := HybridBlobKey{Name: name, Key: key, IV: iv, Tag: g.Tag, AAD: aad}
	bk.Tail, _ = g.Tail()
	dst = protowire.AppendTag(dst, num, protowire.BytesType)
	return protowire.AppendBytes(dst, blob), bk, nil
}

// SealHybridRequest builds an algo-12 request body in the measured layout
// (1 version, 2 public key, 3 and 4 the client random, 5 the payload)
// with a fresh client key pair from rand against the server's static key.
// Keys are synthetic: ECDH with the static key, HKDF as deriveHybridKeys
// (salt SHA-256(client pub) for the client randoms, SHA-256(client pub) ||
// client random for the payload). It returns the body, the client state
// that opens the response, and the per-blob key material for key logs.
func SealHybridRequest(rand io.Reader, server *ecdh.PublicKey, clientRandom [32]byte, payload []byte) ([]byte, *HybridClient, []HybridBlobKey, error) {
	priv, err := detkey.ECDH(rand)
	if err != nil {
		return nil, nil, nil, err
	}
	shared, err := priv.ECDH(server)
	if err != nil {
		return nil, nil, nil, err
	}
	pub := priv.PublicKey().Bytes()
	crKeys, err := deriveHybridKeys(shared, pub, nil, 2)
	if err != nil {
		return nil, nil, nil, err
	}
	pk, err := deriveHybridKeys(shared, pub, clientRandom[:], 1)
	if err != nil {
		return nil, nil, nil, err
	}
	var b []byte
	b = protowire.AppendTag(b, 1, protowire.VarintType)
	b = protowire.AppendVarint(b, 1)
	b = appendPublicKeyField(b, 2, pub)
	var blobs []HybridBlobKey
	for i, step := range []struct {
		name string
		key  [24]byte
		pt   []byte
	}{
		{"client_random_1", crKeys[0], clientRandom[:]},
		{"client_random_2", crKeys[1], clientRandom[:]},
		{partPayload, pk[0], payload},
	} {
		var bk HybridBlobKey
		b, bk, err = sealBlob(rand, b, protowire.Number(3+i), step.name, step.key, step.pt)
		if err != nil {
			return nil, nil, nil, err
		}
		blobs = append(blobs, bk)
	}
	return b, &HybridClient{Private: priv, ClientRandom: clientRandom}, blobs, nil
}

// OpenRequest is the server side of SealHybridRequest: it recovers the
// client random, the payload and the client's public key.
func (k *HybridServerKey) OpenRequest(body []byte) (clientRandom [32]byte, payload []byte, client *ecdh.PublicKey, err error) {
	hb, err := parseHybridBody(body)
	if err != nil {
		return clientRandom, nil, nil, err
	}
	if len(hb.Blobs) != 3 || hb.PublicKey == nil {
		return clientRandom, nil, nil, errors.New("business: hybrid request: want a public key and 3 blobs")
	}
	client, err = ecdh.P256().NewPublicKey(hb.PublicKey)
	if err != nil {
		return clientRandom, nil, nil, fmt.Errorf("business: hybrid request: %w", err)
	}
	shared, err := k.Private.ECDH(client)
	if err != nil {
		return clientRandom, nil, nil, err
	}
	crKeys, err := deriveHybridKeys(shared, hb.PublicKey, nil, 2)
	if err != nil {
		return clientRandom, nil, nil, err
	}
	cr, err := openSealedBlob(hb.Blobs[0], crKeys[0])
	if err != nil {
		return clientRandom, nil, nil, err
	}
	if len(cr) != len(clientRandom) {
		return clientRandom, nil, nil, errors.New("business: hybrid request: bad client random")
	}
	copy(clientRandom[:], cr)
	pk, err := deriveHybridKeys(shared, hb.PublicKey, cr, 1)
	if err != nil {
		return clientRandom, nil, nil, err
	}
	payload, err = openSealedBlob(hb.Blobs[2], pk[0])
	return clientRandom, payload, client, err
}

func openSealedBlob(bl hybridBlob, key [24]byte) ([]byte, error) {
	g, err := ParseGCMBlob(bl.Raw)
	if err != nil {
		return nil, &OpenError{Reason: taxonomy.ReasonTruncated}
	}
	pt, err := g.openWithKey(key, syntheticAAD(bl.Prefix))
	if err != nil {
		return nil, &OpenError{Reason: taxonomy.ReasonTagMismatch}
	}
	return inflateZlib(pt, DefaultMaxInflate, nil)
}

// SealHybridResponse builds an algo-12 response body in the measured
// layout (1 server ephemeral public key, 2 version 2, 3 the payload, 4
// empty), keyed by ECDH between a fresh server key from rand and the
// client's public key, salted with the client random.
func SealHybridResponse(rand io.Reader, client *ecdh.PublicKey, clientRandom [32]byte, payload []byte) ([]byte, HybridBlobKey, error) {
	eph, err := detkey.ECDH(rand)
	if err != nil {
		return nil, HybridBlobKey{}, err
	}
	shared, err := eph.ECDH(client)
	if err != nil {
		return nil, HybridBlobKey{}, err
	}
	pub := eph.PublicKey().Bytes()
	k, err := deriveHybridKeys(shared, pub, clientRandom[:], 1)
	if err != nil {
		return nil, HybridBlobKey{}, err
	}
	b := appendPublicKeyField(nil, 1, pub)
	b = protowire.AppendTag(b, 2, protowire.VarintType)
	b = protowire.AppendVarint(b, 2)
	b, bk, err := sealBlob(rand, b, 3, partPayload, k[0], payload)
	if err != nil {
		return nil, HybridBlobKey{}, err
	}
	b = protowire.AppendTag(b, 4, protowire.BytesType)
	b = protowire.AppendBytes(b, nil)
	return b, bk, nil
}

// openResponse opens a body sealed by SealHybridResponse.
func (c *HybridClient) openResponse(body []byte) ([]byte, error) {
	hb, err := parseHybridBody(body)
	if err != nil {
		return nil, err
	}
	if len(hb.Blobs) != 1 || hb.PublicKey == nil {
		return nil, errors.New("business: hybrid response: want a public key and 1 blob")
	}
	server, err := ecdh.P256().NewPublicKey(hb.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("business: hybrid response: %w", err)
	}
	shared, err := c.Private.ECDH(server)
	if err != nil {
		return nil, err
	}
	k, err := deriveHybridKeys(shared, hb.PublicKey, c.ClientRandom[:], 1)
	if err != nil {
		return nil, err
	}
	return openSealedBlob(hb.Blobs[0], k[0])
}
