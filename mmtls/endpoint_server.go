// This file implements the server endpoint. See endpoint.go for the flows
// and doc/protocol.md, section 3, for the handshake.

package mmtls

import (
	"bytes"
	"crypto"
	"crypto/ecdh"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"

	"github.com/wxaudit/wxaudit/internal/detkey"
)

// Measured shapes of the real server's messages.
const (
	ticketLifetimeAccess  = 604800  // 7 days
	ticketLifetimeRefresh = 2592000 // 30 days
	ticketReserved        = 0x3d
	ticketNonceLen        = 12
	ticketLenAccess       = 72
	ticketLenRefresh      = 105
	ticketAgeAddLen       = 32
	extensionServerExtra  = ExtensionType(0x13) // unknown meaning; measured "00000001 00000003"
)

// Server is the server side of one MMTLS connection. It is not safe for
// concurrent use. Returned record bytes are newly allocated and owned by the
// caller.
type Server struct {
	cfg     Config
	mode    Mode
	out, in halfConn

	hello      *ClientHello
	ch, ee     []byte
	secret     []byte // SHA-256(ECDH X) or PSK_ACCESS
	finishedTH transcriptHash
	appKeys    [2]TrafficKey
	issued     []PSK
	flightSent bool
	finished   bool // client Finished verified (1-RTT)
}

// NewServer returns a server for one connection.
func NewServer(cfg Config) *Server {
	s := &Server{cfg: cfg}
	s.in.fromClient, s.out.fromClient = true, false
	return s
}

// ReadClient consumes the client's first flight at the start of b: the
// ClientHello, and for 0-RTT the EncryptedExtensions after it. It returns
// how many bytes it took. A resumption whose ticket Config.LookupPSK does not
// know fails with ErrNoSecret.
func (s *Server) ReadClient(b []byte) (int, error) {
	if s.hello != nil {
		return 0, fmt.Errorf("%w: ReadClient called twice", errHandshake)
	}
	total := len(b)
	rec, rest, err := readRecord(b)
	if err != nil {
		return 0, err
	}
	if !IsPlaintext(rec) || (rec.Type != RecordTypeHandshake && rec.Type != RecordTypeEarlyHandshake) {
		return 0, fmt.Errorf("%w: want a plaintext ClientHello, got %v", errHandshake, rec.Type)
	}
	ch, err := ParseClientHello(rec.Body)
	if err != nil {
		return 0, err
	}
	hasSuite := func(cs CipherSuite) bool {
		for _, c := range ch.CipherSuites {
			if c == cs {
				return true
			}
		}
		return false
	}
	switch {
	case rec.Type == RecordTypeEarlyHandshake:
		s.mode = ModeZeroRTT
	case hasSuite(cipherSuiteECDHE):
		s.mode = ModeECDHE
	case hasSuite(cipherSuitePSK):
		s.mode = ModePSK
	default:
		return 0, fmt.Errorf("%w: no supported cipher suite", errHandshake)
	}
	if s.mode != ModeECDHE {
		psk, ok := ch.PreSharedKey()
		if !ok || len(psk.Tickets) == 0 || s.cfg.LookupPSK == nil {
			return 0, fmt.Errorf("%w: resumption without a known ticket", ErrNoSecret)
		}
		access, ok := s.cfg.LookupPSK(psk.Tickets[0].Ticket)
		if !ok {
			return 0, fmt.Errorf("%w: unknown ticket", ErrNoSecret)
		}
		s.secret = access[:]
	}
	s.ch = bytes.Clone(rec.Body)
	s.hello, _ = ParseClientHello(s.ch)
	s.in.seq++
	if s.mode == ModeZeroRTT {
		s.in.setKey(earlyDataKey(s.secret, hashMessages(s.ch)))
		rec, rest, err = readEncryptedMessage(&s.in, rest, handshakeTypeEncryptedExtensions, s.cfg.KeyLog)
		if err != nil {
			s.hello = nil
			return 0, err
		}
		s.ee = rec.Body
	}
	return total - len(rest), nil
}

// Flight returns the server's handshake flight after ReadClient: ECDHE:
// ServerHello, CertificateVerify, NewSessionTicket (a type 1 and a type 2
// ticket) and Finished; PSK and 0-RTT: ServerHello and Finished. After it the
// server seals application data.
func (s *Server) Flight() ([]byte, error) {
	if s.hello == nil || s.flightSent {
		return nil, fmt.Errorf("%w: Flight out of order", errHandshake)
	}
	r := s.cfg.rand()
	sh := &ServerHello{Version: recordVersion, CipherSuite: cipherSuitePSK}
	if err := randomBytes(r, sh.Random[:]); err != nil {
		return nil, err
	}
	var out []byte
	switch s.mode {
	case ModeECDHE:
		ks, ok := s.hello.KeyShare()
		if !ok || len(ks.Shares) == 0 {
			return nil, fmt.Errorf("%w: ClientHello without key share", errHandshake)
		}
		peer, err := ecdh.P256().NewPublicKey(ks.Shares[0].Point)
		if err != nil {
			return nil, fmt.Errorf("mmtls: client key share: %w", err)
		}
		priv, err := detkey.ECDH(r)
		if err != nil {
			return nil, err
		}
		secret, err := ecdhSecret(priv, peer)
		if err != nil {
			return nil, err
		}
		s.secret = secret[:]
		sh.CipherSuite = cipherSuiteECDHE
		sh.Extensions = []Extension{
			KeyShare{ID: ks.Shares[0].ID, Point: priv.PublicKey().Bytes()}.extension(),
			{Type: extensionServerExtra, Data: []byte{0, 0, 0, 1, 0, 0, 0, 3}},
		}
		shBytes := sh.marshal()
		out = s.out.appendPlain(out, RecordTypeHandshake, shBytes)
		th := hashMessages(s.ch, shBytes)
		cl, sv := handshakeKeys(s.secret, th)
		s.in.setKey(cl)
		s.out.setKey(sv)

		signer := s.cfg.SigningKey
		if signer == nil {
			if signer, err = detkey.ECDSA(r); err != nil {
				return nil, err
			}
		}
		digest := sha256.Sum256(th[:])
		sig, err := signer.Sign(nil, digest[:], crypto.SHA256) // nil: deterministic RFC 6979
		if err != nil {
			return nil, err
		}
		cv := (&certificateVerify{Signature: sig}).marshal()
		if out, err = s.out.appendSealed(out, RecordTypeHandshake, cv, s.cfg.KeyLog); err != nil {
			return nil, err
		}
		pre := hashMessages(s.ch, shBytes, cv)
		access, refresh := pskAccess(s.secret, pre), pskRefresh(s.secret, pre)
		t1, err := newTicket(r, ticketTypeAccess, ticketLifetimeAccess, 0, ticketLenAccess)
		if err != nil {
			return nil, err
		}
		t2, err := newTicket(r, ticketTypeRefrsh, ticketLifetimeRefresh, ticketAgeAddLen, ticketLenRefresh)
		if err != nil {
			return nil, err
		}
		s.issued = []PSK{{Ticket: t1, Access: access}, {Ticket: t2, Access: refresh}}
		nst := (&newSessionTicket{Tickets: []SessionTicket{t1, t2}}).marshal()
		if out, err = s.out.appendSealed(out, RecordTypeHandshake, nst, s.cfg.KeyLog); err != nil {
			return nil, err
		}
		s.finishedTH = hashMessages(s.ch, shBytes, cv, nst)
		e := expandedSecret(s.secret, s.finishedTH)
		s.appKeys[client], s.appKeys[server] = applicationKeys(e[:], s.finishedTH)
	case ModePSK:
		shBytes := sh.marshal()
		out = s.out.appendPlain(out, RecordTypeHandshake, shBytes)
		s.finishedTH = hashMessages(s.ch, shBytes)
		cl, sv := handshakeKeys(s.secret, s.finishedTH)
		s.in.setKey(cl)
		s.out.setKey(sv)
		e := expandedSecret(s.secret, s.finishedTH)
		s.appKeys[client], s.appKeys[server] = applicationKeys(e[:], s.finishedTH)
	case ModeZeroRTT:
		shBytes := sh.marshal()
		out = s.out.appendPlain(out, RecordTypeHandshake, shBytes)
		s.finishedTH = hashMessages(s.ch, s.ee, shBytes)
		s.out.setKey(zeroRTTResponseKey(s.secret, s.finishedTH))
	}
	mac := finishedMAC(s.secret, false, s.finishedTH)
	out, err := s.out.appendSealed(out, RecordTypeHandshake, (&finished{VerifyData: mac[:]}).marshal(), s.cfg.KeyLog)
	if err != nil {
		return nil, err
	}
	if s.mode != ModeZeroRTT {
		s.out.setKey(s.appKeys[server])
	}
	s.flightSent = true
	return out, nil
}

// newTicket draws a ticket of the measured shape from r.
func newTicket(r interface{ Read([]byte) (int, error) }, typ uint8, lifetime uint32, ageAdd, n int) (SessionTicket, error) {
	t := SessionTicket{
		Type: typ, Lifetime: lifetime, Reserved: ticketReserved,
		Nonce: make([]byte, ticketNonceLen), Ticket: make([]byte, n),
	}
	if ageAdd > 0 {
		t.AgeAdd = make([]byte, ageAdd)
		if err := randomBytes(r, t.AgeAdd); err != nil {
			return SessionTicket{}, err
		}
	}
	if err := randomBytes(r, t.Nonce); err != nil {
		return SessionTicket{}, err
	}
	if err := randomBytes(r, t.Ticket); err != nil {
		return SessionTicket{}, err
	}
	return t, nil
}

// Open decrypts the client record at the start of b and returns its type,
// plaintext and length on the wire. A 1-RTT client Finished is verified
// (errFinished) and switches the server to the client's application key; it
// is returned with type RecordTypeHandshake.
func (s *Server) Open(b []byte) (RecordType, []byte, int, error) {
	if s.hello == nil {
		return 0, nil, 0, fmt.Errorf("%w: Open before ReadClient", errHandshake)
	}
	if s.mode != ModeZeroRTT && !s.finished {
		if !s.flightSent {
			return 0, nil, 0, fmt.Errorf("%w: Open before Flight", errHandshake)
		}
		saved := s.in
		rec, rest, err := readEncryptedMessage(&s.in, b, handshakeTypeFinished, s.cfg.KeyLog)
		if err != nil {
			s.in = saved
			return 0, nil, 0, err
		}
		fin, _ := parseFinished(rec.Body)
		want := finishedMAC(s.secret, true, s.finishedTH)
		if !hmac.Equal(fin.VerifyData, want[:]) {
			s.in = saved
			return 0, nil, 0, errFinished
		}
		s.in.setKey(s.appKeys[client])
		s.finished = true
		return RecordTypeHandshake, rec.Body, len(b) - len(rest), nil
	}
	return openRecord(&s.in, b, s.cfg.KeyLog)
}

// Seal returns data as application data records (after Flight).
func (s *Server) Seal(data []byte) ([]byte, error) {
	if !s.flightSent {
		return nil, fmt.Errorf("%w: Seal before Flight", errHandshake)
	}
	return s.out.appendSealed(nil, RecordTypeData, data, s.cfg.KeyLog)
}

// Alert returns an encrypted close-notify alert record (after Flight).
func (s *Server) Alert() ([]byte, error) {
	if !s.flightSent {
		return nil, fmt.Errorf("%w: Alert before Flight", errHandshake)
	}
	return s.out.appendSealed(nil, RecordTypeAlert, closeNotify.marshal(), s.cfg.KeyLog)
}

// Mode returns the mode the ClientHello asked for.
func (s *Server) Mode() Mode { return s.mode }

// Secrets returns the connection's secrets (after Flight for ECDHE).
func (s *Server) Secrets() ConnSecrets {
	cs := ConnSecrets{Mode: s.mode}
	if s.hello != nil {
		cs.ClientRandom = s.hello.Random
	}
	if s.mode == ModeECDHE {
		cs.Secret = cloneBytes(s.secret)
		if len(s.issued) > 0 {
			cs.PSKAccess = cloneBytes(s.issued[0].Access[:])
		}
	} else {
		cs.PSKAccess = cloneBytes(s.secret)
	}
	return cs
}

// IssuedPSKs returns the tickets issued in an ECDHE Flight with their
// secrets (type 1: PSK_ACCESS, type 2: PSK_REFRESH), for a ticket store that
// backs Config.LookupPSK of later servers.
func (s *Server) IssuedPSKs() []PSK { return append([]PSK(nil), s.issued...) }
