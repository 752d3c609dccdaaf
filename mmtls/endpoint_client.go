// This file implements the client endpoint. See endpoint.go for the flows
// and doc/protocol.md, section 3, for the handshake.

package mmtls

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"

	"github.com/wxaudit/wxaudit/internal/detkey"
)

// Measured constants of the real client's hellos.
const (
	keyShareIDECDH   = 5 // the share the server uses for ECDH
	keyShareIDVerify = 6
	ticketTypeAccess = 1 // resumes with PSK_ACCESS
	ticketTypeRefrsh = 2 // issued with PSK_REFRESH
)

// Client is the client side of one MMTLS connection. It is not safe for
// concurrent use. Returned record bytes are newly allocated and owned by the
// caller.
type Client struct {
	cfg     Config
	mode    Mode
	out, in halfConn

	// Set by Hello.
	ecdhKey *ecdh.PrivateKey
	hello   *ClientHello
	ch, ee  []byte

	// Set by ReadServer.
	sh, cv, nst []byte
	secret      []byte // SHA-256(ECDH X) or PSK_ACCESS
	finishedTH  transcriptHash
	appKeys     [2]TrafficKey
	issued      []PSK
	established bool
	finished    bool
}

// NewClient returns a client for one connection.
func NewClient(cfg Config) (*Client, error) {
	mode := cfg.Mode
	if mode == ModeUnknown {
		mode = ModeECDHE
	}
	if (mode == ModePSK || mode == ModeZeroRTT) && cfg.PSK == nil {
		return nil, fmt.Errorf("mmtls: %v client needs a PSK", mode)
	}
	c := &Client{cfg: cfg, mode: mode}
	c.out.fromClient, c.in.fromClient = true, false
	return c, nil
}

// Hello returns the first flight: the ClientHello record, and for 0-RTT the
// EncryptedExtensions record after it (both type 0x19).
func (c *Client) Hello() ([]byte, error) {
	if c.hello != nil {
		return nil, fmt.Errorf("%w: Hello called twice", errHandshake)
	}
	r := c.cfg.rand()
	ch := &ClientHello{Version: recordVersion, Timestamp: uint32(c.cfg.now().Unix())}
	if err := randomBytes(r, ch.Random[:]); err != nil {
		return nil, err
	}
	presented := func() PreSharedKeyExtension {
		t := c.cfg.PSK.Ticket
		t.AgeAdd = nil // measured: presented without the age add
		return PreSharedKeyExtension{Tickets: []SessionTicket{t}}
	}
	switch c.mode {
	case ModeECDHE:
		var err error
		if c.ecdhKey, err = detkey.ECDH(r); err != nil {
			return nil, err
		}
		verify, err := detkey.ECDH(r)
		if err != nil {
			return nil, err
		}
		ch.CipherSuites = []CipherSuite{cipherSuiteECDHE}
		if c.cfg.PSK != nil {
			ch.CipherSuites = append(ch.CipherSuites, cipherSuitePSK)
			ch.Extensions = append(ch.Extensions, presented().extension())
		}
		ch.Extensions = append(ch.Extensions, KeyShareExtension{
			Shares: []KeyShare{
				{ID: keyShareIDECDH, Point: c.ecdhKey.PublicKey().Bytes()},
				{ID: keyShareIDVerify, Point: verify.PublicKey().Bytes()},
			},
			Values: []uint32{3, 4},
		}.extension())
	case ModePSK, ModeZeroRTT:
		ch.CipherSuites = []CipherSuite{cipherSuitePSK}
		ch.Extensions = []Extension{presented().extension()}
		c.secret = c.cfg.PSK.Access[:]
	default:
		return nil, fmt.Errorf("mmtls: client mode %v", c.mode)
	}
	c.hello = ch
	c.ch = ch.marshal()
	if c.mode != ModeZeroRTT {
		return c.out.appendPlain(nil, RecordTypeHandshake, c.ch), nil
	}
	b := c.out.appendPlain(nil, RecordTypeEarlyHandshake, c.ch)
	c.out.setKey(earlyDataKey(c.secret, hashMessages(c.ch)))
	c.ee = (&encryptedExtensions{Extensions: []Extension{earlyDataExtension{Timestamp: ch.Timestamp}.extension()}}).marshal()
	return c.out.appendSealed(b, RecordTypeEarlyHandshake, c.ee, c.cfg.KeyLog)
}

// ReadServer consumes the server's handshake records at the start of b, up
// to and including the server Finished, and returns how many bytes they
// took; records after them (data, alerts) are left for Open. It returns
// io.ErrUnexpectedEOF if b ends before the Finished (call again with more
// bytes; nothing was consumed), ErrTagMismatch or errFinished if the server's
// records do not verify.
func (c *Client) ReadServer(b []byte) (int, error) {
	if c.hello == nil || c.established {
		return 0, fmt.Errorf("%w: ReadServer out of order", errHandshake)
	}
	// Work on a copy of the state, and hold back key reports, so a short
	// read consumes nothing and a retry reports each record once.
	saved := *c
	var held []RecordKey
	if saved.cfg.KeyLog != nil {
		c.cfg.KeyLog = func(k RecordKey) { held = append(held, k) }
	}
	n, err := c.readServer(b)
	if err != nil {
		*c = saved
		return 0, err
	}
	c.cfg.KeyLog = saved.cfg.KeyLog
	for _, k := range held {
		c.cfg.KeyLog(k)
	}
	return n, nil
}

func (c *Client) readServer(b []byte) (int, error) {
	total := len(b)
	rec, rest, err := readRecord(b)
	if err != nil {
		return 0, err
	}
	if rec.Type != RecordTypeHandshake || !IsPlaintext(rec) {
		return 0, fmt.Errorf("%w: want a plaintext ServerHello, got %v", errHandshake, rec.Type)
	}
	sh, err := ParseServerHello(rec.Body)
	if err != nil {
		return 0, err
	}
	c.sh = rec.Body
	c.in.seq++
	switch c.mode {
	case ModeECDHE:
		if sh.CipherSuite != cipherSuiteECDHE {
			return 0, fmt.Errorf("%w: server chose %v", errHandshake, sh.CipherSuite)
		}
		ks, ok := sh.KeyShare()
		if !ok {
			return 0, fmt.Errorf("%w: ServerHello without key share", errHandshake)
		}
		peer, err := ecdh.P256().NewPublicKey(ks.Point)
		if err != nil {
			return 0, fmt.Errorf("mmtls: server key share: %w", err)
		}
		secret, err := ecdhSecret(c.ecdhKey, peer)
		if err != nil {
			return 0, err
		}
		c.secret = secret[:]
		cl, sv := handshakeKeys(c.secret, hashMessages(c.ch, c.sh))
		c.out.setKey(cl)
		c.in.setKey(sv)
		// CertificateVerify.
		if rec, rest, err = c.readEncrypted(rest, handshakeTypeCertificateVerify); err != nil {
			return 0, err
		}
		cv, _ := parseCertificateVerify(rec.Body)
		if c.cfg.ServerKey != nil {
			digest := sha256.Sum256(func() []byte { th := hashMessages(c.ch, c.sh); return th[:] }())
			if !ecdsa.VerifyASN1(c.cfg.ServerKey, digest[:], cv.Signature) {
				return 0, fmt.Errorf("%w: bad CertificateVerify signature", errHandshake)
			}
		}
		c.cv = rec.Body
		pre := hashMessages(c.ch, c.sh, c.cv)
		access, refresh := pskAccess(c.secret, pre), pskRefresh(c.secret, pre)
		// NewSessionTicket.
		if rec, rest, err = c.readEncrypted(rest, handshakeTypeNewSessionTicket); err != nil {
			return 0, err
		}
		nst, _ := parseNewSessionTicket(rec.Body)
		c.nst = rec.Body
		for _, t := range nst.Tickets {
			switch t.Type {
			case ticketTypeAccess:
				c.issued = append(c.issued, PSK{Ticket: t, Access: access})
			case ticketTypeRefrsh:
				c.issued = append(c.issued, PSK{Ticket: t, Access: refresh})
			}
		}
		c.finishedTH = hashMessages(c.ch, c.sh, c.cv, c.nst)
		e := expandedSecret(c.secret, c.finishedTH)
		c.appKeys[client], c.appKeys[server] = applicationKeys(e[:], c.finishedTH)
	case ModePSK:
		if sh.CipherSuite != cipherSuitePSK {
			return 0, fmt.Errorf("%w: server chose %v", errHandshake, sh.CipherSuite)
		}
		c.finishedTH = hashMessages(c.ch, c.sh)
		cl, sv := handshakeKeys(c.secret, c.finishedTH)
		c.out.setKey(cl)
		c.in.setKey(sv)
		e := expandedSecret(c.secret, c.finishedTH)
		c.appKeys[client], c.appKeys[server] = applicationKeys(e[:], c.finishedTH)
	case ModeZeroRTT:
		if sh.CipherSuite != cipherSuitePSK {
			return 0, fmt.Errorf("%w: server chose %v", errHandshake, sh.CipherSuite)
		}
		c.finishedTH = hashMessages(c.ch, c.ee, c.sh)
		c.in.setKey(zeroRTTResponseKey(c.secret, c.finishedTH))
	}
	if rec, rest, err = c.readEncrypted(rest, handshakeTypeFinished); err != nil {
		return 0, err
	}
	fin, _ := parseFinished(rec.Body)
	want := finishedMAC(c.secret, false, c.finishedTH)
	if !hmac.Equal(fin.VerifyData, want[:]) {
		return 0, errFinished
	}
	if c.mode != ModeZeroRTT {
		c.in.setKey(c.appKeys[server])
	}
	c.sh, c.cv, c.nst = cloneBytes(c.sh), cloneBytes(c.cv), cloneBytes(c.nst)
	c.established = true
	return total - len(rest), nil
}

// readEncrypted opens the next record of b as a handshake message of type
// want; rec.Body is replaced by the plaintext.
func (c *Client) readEncrypted(b []byte, want HandshakeType) (Record, []byte, error) {
	return readEncryptedMessage(&c.in, b, want, c.cfg.KeyLog)
}

func readEncryptedMessage(h *halfConn, b []byte, want HandshakeType, log func(RecordKey)) (Record, []byte, error) {
	rec, rest, err := readRecord(b)
	if err != nil {
		return Record{}, nil, err
	}
	if rec.Type != RecordTypeHandshake && rec.Type != RecordTypeEarlyHandshake {
		return Record{}, nil, fmt.Errorf("%w: want %v, got a %v record", errHandshake, want, rec.Type)
	}
	pt, err := h.open(rec, log)
	if err != nil {
		return Record{}, nil, err
	}
	if typ, err := PeekHandshakeType(pt); err != nil || typ != want {
		return Record{}, nil, fmt.Errorf("%w: want %v, got %v (%v)", errUnexpectedMessage, want, typ, err)
	}
	if _, err := parseAndCheck(want, pt); err != nil {
		return Record{}, nil, err
	}
	rec.Body = pt
	return rec, rest, nil
}

// parseAndCheck parses a decrypted handshake message of a known type.
func parseAndCheck(t HandshakeType, b []byte) (any, error) {
	switch t {
	case handshakeTypeCertificateVerify:
		return parseCertificateVerify(b)
	case handshakeTypeNewSessionTicket:
		return parseNewSessionTicket(b)
	case handshakeTypeFinished:
		return parseFinished(b)
	case handshakeTypeEncryptedExtensions:
		return parseEncryptedExtensions(b)
	}
	return nil, fmt.Errorf("%w: %v", errUnexpectedMessage, t)
}

func cloneBytes(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte(nil), b...)
}

// Finished returns the client Finished record of a 1-RTT handshake (after
// ReadServer) and switches the client to its application key.
func (c *Client) Finished() ([]byte, error) {
	if !c.established || c.finished || c.mode == ModeZeroRTT {
		return nil, fmt.Errorf("%w: Finished out of order", errHandshake)
	}
	mac := finishedMAC(c.secret, true, c.finishedTH)
	b, err := c.out.appendSealed(nil, RecordTypeHandshake, (&finished{VerifyData: mac[:]}).marshal(), c.cfg.KeyLog)
	if err != nil {
		return nil, err
	}
	c.out.setKey(c.appKeys[client])
	c.finished = true
	return b, nil
}

// Seal returns data as application data records: early data in 0-RTT
// (after Hello), else after Finished. Data longer than maxPlaintextLen is
// split over several records. Noop heartbeats are ordinary data.
func (c *Client) Seal(data []byte) ([]byte, error) {
	if c.mode == ModeZeroRTT && c.hello == nil || c.mode != ModeZeroRTT && !c.finished {
		return nil, fmt.Errorf("%w: Seal before keys", errHandshake)
	}
	return c.out.appendSealed(nil, RecordTypeData, data, c.cfg.KeyLog)
}

// Alert returns an encrypted close-notify alert record, which closes the
// client's direction (and, in 0-RTT, ends the early data).
func (c *Client) Alert() ([]byte, error) {
	return c.out.appendSealed(nil, RecordTypeAlert, closeNotify.marshal(), c.cfg.KeyLog)
}

// Open decrypts the record at the start of b (after ReadServer) and returns
// its type, plaintext (newly allocated, or aliasing b for a plaintext alert)
// and length on the wire.
func (c *Client) Open(b []byte) (RecordType, []byte, int, error) {
	if !c.established {
		return 0, nil, 0, fmt.Errorf("%w: Open before ReadServer", errHandshake)
	}
	return openRecord(&c.in, b, c.cfg.KeyLog)
}

func openRecord(h *halfConn, b []byte, log func(RecordKey)) (RecordType, []byte, int, error) {
	rec, n, err := ParseRecord(b)
	if err != nil {
		return 0, nil, 0, err
	}
	if rec.Type == RecordTypeAlert && IsPlaintext(rec) {
		h.seq++
		return rec.Type, rec.Body, n, nil
	}
	pt, err := h.open(rec, log)
	if err != nil {
		return 0, nil, 0, err
	}
	return rec.Type, pt, n, nil
}

// Secrets returns what wxaudit's secrets key log records for the
// connection (valid after ReadServer for ECDHE, after Hello for PSK modes).
func (c *Client) Secrets() ConnSecrets {
	s := ConnSecrets{Mode: c.mode}
	if c.hello != nil {
		s.ClientRandom = c.hello.Random
	}
	switch c.mode {
	case ModeECDHE:
		s.Secret = cloneBytes(c.secret)
		for _, p := range c.issued {
			if p.Ticket.Type == ticketTypeAccess {
				s.PSKAccess = cloneBytes(p.Access[:])
			}
		}
	default:
		s.PSKAccess = cloneBytes(c.secret)
	}
	return s
}

// IssuedPSKs returns the tickets the server issued in an ECDHE handshake,
// each with its secret; a type 1 ticket's PSK resumes later connections
// (Config.PSK).
func (c *Client) IssuedPSKs() []PSK { return append([]PSK(nil), c.issued...) }
