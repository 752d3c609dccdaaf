// This file is the sending side of MMTLS (PROTOCOL.md, sections 2 and 3)
// for the generator: both endpoints of a 1-RTT ECDHE Longlink handshake and
// of a 0-RTT PSK Shortlink, built from the mmtls package's messages and
// record protection with the HKDF-Expand key schedule of section 3. It is an
// adapter: when package mmtls exports its own Client/Server endpoints, the
// generator should switch to them so both sides share one key schedule.

package synth

import (
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"hash"
	"time"

	"github.com/wxaudit/wxaudit/keylog"
	"github.com/wxaudit/wxaudit/mmtls"
)

// Key-schedule labels (PROTOCOL.md, section 3).
const (
	labelHandshake   = "handshake key expansion"
	labelExpanded    = "expanded secret"
	labelApplication = "application data key expansion"
	labelPSKAccess   = "PSK_ACCESS"
	labelEarlyData   = "early data key expansion"
	labelServerFin   = "server finished"
	labelClientFin   = "client finished"
)

func expand(secret []byte, label string, th []byte, n int) []byte {
	info := append([]byte(label), th...)
	out, err := hkdf.Expand(sha256.New, secret, string(info), n)
	if err != nil {
		panic("synth: internal error: " + err.Error())
	}
	return out
}

// trafficKeys splits a 56-byte handshake/application expansion.
func trafficKeys(b []byte) (client, server mmtls.TrafficKey) {
	copy(client.Key[:], b[0:16])
	copy(server.Key[:], b[16:32])
	copy(client.IV[:], b[32:44])
	copy(server.IV[:], b[44:56])
	return
}

// halfConn is one direction of an emulated MMTLS connection: its sequence
// counter and the key of the records it sends.
type halfConn struct {
	seq     uint64
	key     mmtls.TrafficKey
	encrypt bool // the client's side encrypts, the server's decrypts (Frida view)
}

// mmConn emulates both ends of one MMTLS connection and logs what the
// Frida hooks on the client would log.
type mmConn struct {
	fw             *keylog.FridaWriter
	client, server halfConn
	err            error
}

// plain appends a plaintext record.
func (h *halfConn) plain(b []byte, typ mmtls.RecordType, body []byte) []byte {
	h.seq++
	return mmtls.AppendRecord(b, mmtls.Record{Type: typ, Body: body})
}

// seal appends one encrypted record and logs its key.
func (c *mmConn) seal(h *halfConn, b []byte, typ mmtls.RecordType, p []byte) []byte {
	start := len(b)
	b = mmtls.SealRecord(h.key.Key, h.key.IV, h.seq, typ, p, b)
	var hdr [5]byte
	copy(hdr[:], b[start:start+5])
	var tail [8]byte
	copy(tail[:], b[len(b)-8:])
	if err := c.fw.Outer(h.encrypt, h.key.Key, h.key.IV, h.seq, hdr, tail); err != nil && c.err == nil {
		c.err = err
	}
	h.seq++
	return b
}

// sealData appends application data, split into records of at most
// mmtls.MaxPlaintextLen bytes.
func (c *mmConn) sealData(h *halfConn, b []byte, p []byte) []byte {
	for len(p) > 0 {
		n := min(len(p), mmtls.MaxPlaintextLen)
		b = c.seal(h, b, mmtls.RecordTypeData, p[:n])
		p = p[n:]
	}
	return b
}

// longlinkHandshake is the result of a full handshake.
type longlinkHandshake struct {
	conn           *mmConn
	clientHello    []byte // client's first flight
	serverFlight   []byte // ServerHello and encrypted server records
	clientFinished []byte
	random         [32]byte
	secret         [32]byte
	pskAccess      []byte
	ticket         mmtls.SessionTicket
	rttOffset      time.Duration // how long before the first call it starts
}

type transcript struct{ h hash.Hash }

func (t *transcript) add(b []byte) { t.h.Write(b) }
func (t *transcript) sum() []byte  { return t.h.Sum(nil) }

// newLonglink runs the 1-RTT ECDHE handshake between an emulated client and
// server. ecdh keys come from r, so the bytes are reproducible.
func newLonglink(r *rng, fw *keylog.FridaWriter, unix uint32) (*longlinkHandshake, error) {
	cpriv, err := ecdh.P256().NewPrivateKey(p256Scalar(r))
	if err != nil {
		return nil, err
	}
	spriv, err := ecdh.P256().NewPrivateKey(p256Scalar(r))
	if err != nil {
		return nil, err
	}
	hs := &longlinkHandshake{conn: &mmConn{fw: fw}}
	hs.conn.client.encrypt = true
	r.fill(hs.random[:])
	ch := &mmtls.ClientHello{
		Version:      mmtls.Version,
		CipherSuites: []mmtls.CipherSuite{mmtls.CipherSuiteECDHE, mmtls.CipherSuitePSK},
		Random:       hs.random,
		Timestamp:    unix,
		Extensions: []mmtls.Extension{mmtls.KeyShareExtension{
			Shares:   []mmtls.KeyShare{{ID: 5, Point: cpriv.PublicKey().Bytes()}, {ID: 6, Point: spriv.PublicKey().Bytes()}},
			Reserved: 0, Values: []uint32{3, 4},
		}.Extension()},
	}
	var srand [32]byte
	r.fill(srand[:])
	sh := &mmtls.ServerHello{Version: mmtls.Version, CipherSuite: mmtls.CipherSuiteECDHE, Random: srand,
		Extensions: []mmtls.Extension{mmtls.KeyShare{ID: 5, Point: spriv.PublicKey().Bytes()}.Extension()}}
	chb, shb := ch.Marshal(), sh.Marshal()
	// crypto/ecdh returns the X coordinate as 32 bytes, left-padded: the
	// pitfall of section 3 cannot happen here.
	x, err := cpriv.ECDH(spriv.PublicKey())
	if err != nil {
		return nil, err
	}
	hs.secret = sha256.Sum256(x)
	secret := hs.secret[:]
	th := transcript{sha256.New()}
	th.add(chb)
	th.add(shb)
	c := hs.conn
	cHS, sHS := trafficKeys(expand(secret, labelHandshake, th.sum(), 56))
	c.client.key, c.server.key = cHS, sHS

	hs.clientHello = c.client.plain(nil, mmtls.RecordTypeHandshake, chb)
	out := c.server.plain(nil, mmtls.RecordTypeHandshake, shb)
	cv := (&mmtls.CertificateVerify{Signature: r.bytes(71)}).Marshal()
	th.add(cv)
	out = c.seal(&c.server, out, mmtls.RecordTypeHandshake, cv)
	hs.ticket = mmtls.SessionTicket{Type: 1, Lifetime: 172800, AgeAdd: r.bytes(4), Reserved: 0x3d, Nonce: r.bytes(12), Ticket: r.bytes(92)}
	nst := (&mmtls.NewSessionTicket{Tickets: []mmtls.SessionTicket{hs.ticket,
		{Type: 2, Lifetime: 172800, AgeAdd: r.bytes(4), Reserved: 0x48, Nonce: r.bytes(12), Ticket: r.bytes(92)}}}).Marshal()
	th.add(nst)
	out = c.seal(&c.server, out, mmtls.RecordTypeHandshake, nst)
	sfin := (&mmtls.Finished{VerifyData: finishedMAC(secret, labelServerFin, th.sum())}).Marshal()
	th.add(sfin)
	out = c.seal(&c.server, out, mmtls.RecordTypeHandshake, sfin)
	hs.serverFlight = out
	cfin := (&mmtls.Finished{VerifyData: finishedMAC(secret, labelClientFin, th.sum())}).Marshal()
	hs.clientFinished = c.seal(&c.client, nil, mmtls.RecordTypeHandshake, cfin)

	sum := th.sum()
	hs.pskAccess = expand(secret, labelPSKAccess, sum, 32)
	expanded := expand(secret, labelExpanded, sum, 32)
	c.client.key, c.server.key = trafficKeys(expand(expanded, labelApplication, sum, 56))
	return hs, c.err
}

func finishedMAC(secret []byte, label string, th []byte) []byte {
	m := hmac.New(sha256.New, expand(secret, label, nil, 32))
	m.Write(th)
	return m.Sum(nil)
}

// p256Scalar draws a valid P-256 private scalar.
func p256Scalar(r *rng) []byte {
	for {
		b := r.bytes(32)
		if _, err := ecdh.P256().NewPrivateKey(b); err == nil {
			return b
		}
	}
}

// shortlink0RTT builds a 0-RTT PSK Shortlink exchange: the client's four
// records (0x19 ClientHello, 0x19 EncryptedExtensions, 0x17 early data,
// 0x15 alert) and the server's (0x16 ServerHello, 0x16 Finished, 0x17 data,
// 0x15 alert). It returns both flights and the ClientHello random.
func shortlink0RTT(r *rng, fw *keylog.FridaWriter, pskAccess []byte, ticket mmtls.SessionTicket, unix uint32, req, resp []byte) (cl, sv []byte, random [32]byte, err error) {
	if len(pskAccess) != 32 {
		return nil, nil, random, errors.New("synth: internal error: no psk")
	}
	c := &mmConn{fw: fw}
	c.client.encrypt = true
	r.fill(random[:])
	ch := &mmtls.ClientHello{
		Version:      mmtls.Version,
		CipherSuites: []mmtls.CipherSuite{mmtls.CipherSuitePSK},
		Random:       random,
		Timestamp:    unix,
		Extensions:   []mmtls.Extension{mmtls.PreSharedKeyExtension{Tickets: []mmtls.SessionTicket{ticket}}.Extension()},
	}
	chb := ch.Marshal()
	chHash := sha256.Sum256(chb)
	ek := expand(pskAccess, labelEarlyData, chHash[:], 28)
	copy(c.client.key.Key[:], ek[:16])
	copy(c.client.key.IV[:], ek[16:28])
	cl = c.client.plain(nil, mmtls.RecordTypeEarlyHandshake, chb)
	ee := (&mmtls.EncryptedExtensions{Extensions: []mmtls.Extension{mmtls.EarlyDataExtension{Timestamp: unix}.Extension()}}).Marshal()
	cl = c.seal(&c.client, cl, mmtls.RecordTypeEarlyHandshake, ee)
	cl = c.sealData(&c.client, cl, req)
	alert := mmtls.CloseNotify.Marshal()
	cl = c.seal(&c.client, cl, mmtls.RecordTypeAlert, alert)

	var srand [32]byte
	r.fill(srand[:])
	sh := (&mmtls.ServerHello{Version: mmtls.Version, CipherSuite: mmtls.CipherSuitePSK, Random: srand}).Marshal()
	th := transcript{sha256.New()}
	th.add(chb)
	th.add(sh)
	_, skey := trafficKeys(expand(pskAccess, labelHandshake, th.sum(), 56))
	c.server.key = skey
	sv = c.server.plain(nil, mmtls.RecordTypeHandshake, sh)
	fin := (&mmtls.Finished{VerifyData: finishedMAC(pskAccess, labelServerFin, th.sum())}).Marshal()
	sv = c.seal(&c.server, sv, mmtls.RecordTypeHandshake, fin)
	sv = c.sealData(&c.server, sv, resp)
	sv = c.seal(&c.server, sv, mmtls.RecordTypeAlert, alert)
	return cl, sv, random, c.err
}
