// This file frames business packets with package business (doc/protocol.md,
// sections 4 and 5): the WeChat header with its signature, inner AES-CBC
// with the round's session key, AES-192-GCM for newsync, and the algo-12
// hybrid-ECDH exchange of the auth request. It also writes the inner keys
// a Frida hook on the client would log.

package synth

import (
	"bytes"
	"compress/zlib"
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/wxaudit/wxaudit/business"
	"github.com/wxaudit/wxaudit/taxonomy"
)

const (
	cookieLen = 15
	// authKeyVersion is the server key version the auth request names
	// (measured; see package business).
	authKeyVersion = 10007
	// requestField5 is the header varint after the key version: 2 in
	// requests, 0 in responses (measured).
	requestField5 = 2
)

// roundKeys are the inner keys of a run (every round logs in again and
// gets the same keys): what the auth response delivers (session key, signature key K, the two newsync GCM keys) and the
// synthetic static server key of the hybrid exchange.
type roundKeys struct {
	session, sig   [16]byte
	gcmUp, gcmDown [24]byte
	cookie         []byte
	hybrid         *business.HybridServerKey
}

func newRoundKeys(r *rng) (*roundKeys, error) {
	k := &roundKeys{cookie: r.bytes(cookieLen)}
	r.fill(k.session[:])
	r.fill(k.sig[:])
	r.fill(k.gcmUp[:])
	r.fill(k.gcmDown[:])
	var err error
	if k.hybrid, err = business.NewHybridServerKey(r); err != nil {
		return nil, fmt.Errorf("synth: hybrid server key: %w", err)
	}
	return k, nil
}

// sealedPart is one plaintext of a sealed packet as decrypt names it.
type sealedPart struct {
	name  string // business.Plaintext.Name
	plain []byte
}

// sealed is a business packet and what decrypt reports for it.
type sealed struct {
	wire       []byte
	inner      string
	compressed bool
	parts      []sealedPart
}

// hybridExchange is the client state of one algo-12 exchange, kept from
// the request to the response.
type hybridExchange struct {
	client *business.HybridClient
	body   []byte // the request body, which the server opens
}

// seal builds the business packet of plain for call c in direction
// request (or response), logging the inner keys the client's Frida hooks
// would log.
func (g *generator) seal(c *call, k *roundKeys, request bool, plain []byte, cookie []byte, hx *hybridExchange) (sealed, error) {
	if c.algo == algoNone {
		return sealed{wire: plain, inner: taxonomy.InnerNone, parts: []sealedPart{{"", plain}}}, nil
	}
	h := business.Header{
		Algo: business.Algo(c.algo), ClientVersion: g.id.ClientVersion, Uin: g.id.Uin, Cookie: cookie,
		ReqType: uint64(c.reqType), UncompressedLen: uint64(len(plain)), Compress: business.CompressNone,
	}
	if request {
		h.Field5 = requestField5
		h.Signature = uint64(business.Signature(plain, g.id.Uin, k.sig[:]))
	}
	var body []byte
	out := sealed{parts: []sealedPart{{"", plain}}}
	switch c.algo {
	case algoCBC:
		body = plain
		if c.compress {
			body = g.deflate(plain)
			h.Compress = business.CompressZlib
			out.compressed = true
		}
		h.CompressedLen = uint64(len(body))
		body = business.SealCBC(k.session, body)
		g.logErr(g.fw.CBC(request, k.session, [8]byte(body[len(body)-8:])))
		out.inner = taxonomy.InnerAESCBC
	case algoGCM:
		// Algo 13 bodies are zlib whatever the header says (doc/protocol.md §5).
		z := g.deflate(plain)
		h.Compress, h.CompressedLen = business.CompressZlib, uint64(len(z))
		key := k.gcmUp
		if !request {
			key = k.gcmDown
		}
		var iv [12]byte
		g.r.fill(iv[:])
		body = business.SealGCM(key, iv, nil, z)
		gb, _ := business.ParseGCMBlob(body)
		tail, _ := gb.Tail()
		g.logErr(g.fw.GCM(request, key, iv, gb.Tag, nil, tail))
		out.inner, out.compressed = taxonomy.InnerAESGCM, true
	case algoHybrid:
		var err error
		if body, out.parts, err = g.sealHybrid(k, request, plain, hx); err != nil {
			return sealed{}, err
		}
		h.Compress, h.CompressedLen = business.CompressNone, uint64(len(body))
		h.Signature = 0 // the auth request is unsigned (measured)
		if request {
			h.KeyVersion = authKeyVersion
		}
		out.inner, out.compressed = taxonomy.InnerAESGCM, true
	default:
		return sealed{}, fmt.Errorf("synth: internal error: algo %d", c.algo)
	}
	wire, err := business.AppendHeader(make([]byte, 0, 64+len(body)), h)
	if err != nil {
		return sealed{}, fmt.Errorf("synth: internal error: %w", err)
	}
	out.wire = append(wire, body...)
	return out, nil
}

// sealHybrid seals the algo-12 body of the auth request (three blobs: the
// client random twice and the payload) or its response (one blob), and
// logs every blob key: Frida GCM lines with the AAD, and WECHAT_GCM_KEY
// lines, since no secret of the secrets key log derives them.
func (g *generator) sealHybrid(k *roundKeys, request bool, plain []byte, hx *hybridExchange) ([]byte, []sealedPart, error) {
	var body []byte
	var blobs []business.HybridBlobKey
	var parts []sealedPart
	if request {
		var random [32]byte
		g.r.fill(random[:])
		var err error
		body, hx.client, blobs, err = business.SealHybridRequest(g.r, k.hybrid.Private.PublicKey(), random, plain)
		if err != nil {
			return nil, nil, fmt.Errorf("synth: hybrid request: %w", err)
		}
		hx.body = body
		for _, b := range blobs {
			pt := plain
			if b.Name != "payload" {
				pt = random[:]
			}
			parts = append(parts, sealedPart{b.Name, pt})
		}
	} else {
		random, _, client, err := k.hybrid.OpenRequest(hx.body)
		if err != nil {
			return nil, nil, fmt.Errorf("synth: internal error: hybrid request: %w", err)
		}
		b, bk, err := business.SealHybridResponse(g.r, client, random, plain)
		if err != nil {
			return nil, nil, fmt.Errorf("synth: hybrid response: %w", err)
		}
		body, blobs = b, []business.HybridBlobKey{bk}
		parts = []sealedPart{{bk.Name, plain}}
		// The client then decrypts the session key at field 3.3.2 with K.
		enc := business.SealCBC(k.sig, k.session[:])
		g.logErr(g.fw.CBC(false, k.sig, [8]byte(enc[len(enc)-8:])))
	}
	for _, b := range blobs {
		g.logErr(g.fw.GCM(request, b.Key, b.IV, b.Tag, b.AAD, b.Tail))
		g.logSecret(g.kw.GCMKey(b.Key))
	}
	return body, parts, nil
}

// authResponse builds the secautoauth response payload: field 3 carries
// the account and, as the real one does, the session key sealed with K at
// 3.3.2 and the newsync GCM keys at 3.23.2 and 3.24.2
// (business.AuthResponseFields).
func authResponse(id *identity, k *roundKeys, r *rng) []byte {
	frag := business.AuthResponseFields(k.sig, k.session, &k.gcmUp, &k.gcmDown)
	// frag is field 3 as a whole; put the account fields in front of its
	// contents.
	inner := frag[protoPrefixLen(frag):]
	f3 := pb(nil).varint(1, uint64(id.Uin))
	f3 = append(f3, inner...)
	f3 = f3.str(4, id.Wxid).str(5, id.Nickname)
	m := pb(nil).msg(1, pb(nil).varint(1, 0).msg(2, pb(nil).str(1, "")))
	m = m.msg(3, f3)
	return m.bytes(4, r.bytes(32))
}

// deflate zlib-compresses p with the generator's compressor: a new one
// allocates about 1 MB, and a sync.Pool is emptied by every collection,
// which this allocation-heavy generator triggers often.
func (g *generator) deflate(p []byte) []byte {
	var buf bytes.Buffer
	if g.zw == nil {
		g.zw, _ = zlib.NewWriterLevel(&buf, zlib.BestSpeed)
	} else {
		g.zw.Reset(&buf)
	}
	g.zw.Write(p)
	g.zw.Close()
	return buf.Bytes()
}

// protoPrefixLen is the length of the tag and length prefix of the
// length-delimited field at the start of b.
func protoPrefixLen(b []byte) int {
	_, _, n := protowire.ConsumeTag(b)
	_, m := protowire.ConsumeVarint(b[n:])
	return n + m
}
