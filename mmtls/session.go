// This file implements the passive decrypter: it follows one connection's
// handshake from recorded records and per-connection secrets, derives every
// key the endpoints derive, and decrypts. See doc/protocol.md, sections 2, 3 and
// 7 (the secrets key log).

package mmtls

import (
	"bytes"
	"fmt"
	"sync"
)

// Mode is how a connection establishes its keys.
type Mode uint8

const (
	ModeUnknown Mode = iota
	// ModeECDHE is a 1-RTT full handshake: P-256 ECDH, a signed
	// CertificateVerify and NewSessionTicket (Longlink, or a Shortlink that
	// only fetches tickets).
	ModeECDHE
	// ModePSK is a 1-RTT resumption with a ticket and PSK_ACCESS and no ECDH
	// (measured on the full Longlink). The key use is measured (handshake
	// keys for Finished, separate application keys); the derivations are
	// inferred from the ECDHE ones, with PSK_ACCESS as the secret.
	ModePSK
	// ModeZeroRTT is a 0-RTT Shortlink: the request is encrypted with the
	// early data key, the response with the 0-RTT response key.
	ModeZeroRTT
)

func (m Mode) String() string {
	switch m {
	case ModeUnknown:
		return "unknown"
	case ModeECDHE:
		return "ecdhe"
	case ModePSK:
		return "psk"
	case ModeZeroRTT:
		return "0-rtt"
	}
	return fmt.Sprintf("mode %d", uint8(m))
}

// ConnSecrets are the per-connection secrets of wxaudit's secrets key log:
// from them the whole key schedule of a connection follows.
type ConnSecrets struct {
	// ClientRandom names the connection (the ClientHello random).
	ClientRandom [32]byte
	// Mode is informational; the Session learns the mode from the hellos.
	Mode Mode
	// Secret is SHA-256 of the ECDH X coordinate (ModeECDHE).
	Secret []byte
	// PSKAccess is the PSK_ACCESS the connection resumes with (ModePSK,
	// ModeZeroRTT). For an ECDHE connection it may hold the PSK_ACCESS the
	// connection issued; the Session does not need it.
	PSKAccess []byte
}

// Outcome says what Session.Record did with a record.
type Outcome uint8

const (
	// NotDecrypted: the record was not decrypted; the error says why.
	NotDecrypted Outcome = iota
	// Cleartext: the record was sent in the clear (hellos, some alerts).
	Cleartext
	// Decrypted: the record was decrypted and its tag verified.
	Decrypted
)

func (k Outcome) String() string {
	switch k {
	case NotDecrypted:
		return "none"
	case Cleartext:
		return "clear"
	case Decrypted:
		return "decrypted"
	}
	return fmt.Sprintf("outcome %d", uint8(k))
}

// TicketCache remembers the PSKs of tickets issued in handshakes a Session
// decrypted, so later resumptions presenting those tickets decrypt without
// a key-log line of their own. It is safe for concurrent use and holds at
// most its capacity of tickets, forgetting the oldest first.
type TicketCache struct {
	mu    sync.Mutex
	max   int
	psk   map[string][]byte
	order []string
}

// NewTicketCache returns a cache of at most max tickets (max <= 0 means 4096).
func NewTicketCache(max int) *TicketCache {
	if max <= 0 {
		max = 4096
	}
	return &TicketCache{max: max, psk: map[string][]byte{}}
}

// Add remembers psk for the opaque ticket bytes.
func (c *TicketCache) Add(ticket, psk []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := string(ticket)
	if _, ok := c.psk[k]; !ok {
		if len(c.order) >= c.max {
			delete(c.psk, c.order[0])
			c.order = c.order[1:]
		}
		c.order = append(c.order, k)
	}
	c.psk[k] = bytes.Clone(psk)
}

// Lookup returns the PSK remembered for ticket.
func (c *TicketCache) Lookup(ticket []byte) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.psk[string(ticket)]
	return p, ok
}

// Session decrypts one connection passively.
//
// Feed it every record of the connection with Record, each direction in
// order, with that direction's sequence number (the record's index in its
// direction, counting plaintext hellos: doc/protocol.md §2). How the two
// directions interleave does not matter, with one dependency: a record can
// only be decrypted once the messages its key derives from were fed (the
// ClientHello, and in 0-RTT the EncryptedExtensions, before server records;
// the ServerHello before a 1-RTT client Finished; CertificateVerify and
// NewSessionTicket before ECDHE application data). A record fed too early
// returns ErrNoKeys and changes no state, so the caller may feed it again
// later with the same sequence number.
//
// # Memory
//
// A Session keeps copies of the handshake messages of the transcript (a
// few hundred bytes) and the derived keys; it never retains records or
// application data.
type Session struct {
	lookup  func(clientRandom [32]byte) (ConnSecrets, bool)
	tickets *TicketCache

	// Set by the ClientHello.
	ch       []byte
	hello    *ClientHello
	chType   RecordType
	secrets  ConnSecrets
	haveSecr bool
	psk      []byte // PSK_ACCESS for PSK modes

	// Set by the server's messages (and EE for 0-RTT).
	mode        Mode
	ee, sh, cv  []byte
	nst         []byte
	early, resp *XORNonceAEAD // 0-RTT
	hs, app     [2]*XORNonceAEAD
}

const (
	client = 0
	server = 1
)

// NewSession returns a Session that asks lookup for the secrets of the
// connection once it has seen the ClientHello. tickets may be nil; if not,
// PSKs issued in this connection are added to it, and a resumption whose
// lookup fails is tried with the PSK it holds for the presented ticket.
func NewSession(lookup func(clientRandom [32]byte) (ConnSecrets, bool), tickets *TicketCache) *Session {
	return &Session{lookup: lookup, tickets: tickets}
}

// Mode returns the connection's mode once the hellos were seen.
func (s *Session) Mode() Mode { return s.mode }

// ClientHello returns the parsed ClientHello, or nil before it was fed.
func (s *Session) ClientHello() *ClientHello { return s.hello }

// Record processes one record and returns its plaintext: the body itself for
// a plaintext record (aliasing rec.Body), else a newly allocated decryption.
// outcome says which; on error it is NotDecrypted and the error is
//   - ErrNoSecret when no secrets are known for the connection,
//   - ErrNoKeys when the messages the record's key derives from were not
//     fed yet (see Session),
//   - ErrTagMismatch when no key opens the record,
//   - a *parseError for a malformed hello (a plaintext record whose handshake
//     message cannot be parsed is still returned, with outcome Cleartext).
func (s *Session) Record(fromClient bool, seq uint64, rec Record) (plaintext []byte, outcome Outcome, err error) {
	if IsPlaintext(rec) {
		return rec.Body, Cleartext, s.readPlain(fromClient, rec)
	}
	dir := server
	if fromClient {
		dir = client
	}
	cands := s.keysFor(dir, rec.Type)
	if len(cands) == 0 {
		if s.hello != nil && !s.haveSecr && s.psk == nil {
			return nil, NotDecrypted, ErrNoSecret
		}
		return nil, NotDecrypted, ErrNoKeys
	}
	for _, a := range cands {
		pt, err := a.Open(nil, seq, rec)
		if err != nil {
			continue
		}
		if rec.Type == RecordTypeHandshake || rec.Type == RecordTypeEarlyHandshake {
			if err := s.readEncrypted(dir, pt); err != nil {
				return pt, Decrypted, err
			}
		}
		return pt, Decrypted, nil
	}
	return nil, NotDecrypted, ErrTagMismatch
}

func (s *Session) keysFor(dir int, typ RecordType) []*XORNonceAEAD {
	var c []*XORNonceAEAD
	add := func(a *XORNonceAEAD) {
		if a != nil {
			c = append(c, a)
		}
	}
	if s.chType == RecordTypeEarlyHandshake {
		if dir == client {
			add(s.early)
		} else {
			add(s.resp)
		}
		return c
	}
	switch typ {
	case RecordTypeHandshake, RecordTypeEarlyHandshake:
		add(s.hs[dir])
	case RecordTypeData:
		add(s.app[dir])
	default: // alerts: after the handshake with application keys, during it with handshake keys
		add(s.app[dir])
		add(s.hs[dir])
	}
	return c
}

// readPlain handles a plaintext record: the hellos drive the key schedule.
func (s *Session) readPlain(fromClient bool, rec Record) error {
	if rec.Type == RecordTypeAlert {
		return nil
	}
	typ, err := PeekHandshakeType(rec.Body)
	if err != nil {
		return err
	}
	switch {
	case fromClient && typ == HandshakeTypeClientHello:
		if s.hello != nil {
			return nil // a repeated ClientHello (re-fed record) changes nothing
		}
		ch, err := ParseClientHello(rec.Body)
		if err != nil {
			return err
		}
		s.ch = bytes.Clone(rec.Body)
		s.hello, _ = ParseClientHello(s.ch)
		s.chType = rec.Type
		s.secrets, s.haveSecr = ConnSecrets{}, false
		if s.lookup != nil {
			s.secrets, s.haveSecr = s.lookup(ch.Random)
		}
		s.psk = s.resumptionPSK()
		if s.chType == RecordTypeEarlyHandshake && s.psk != nil {
			s.early = NewXORNonceAEAD(earlyDataKey(s.psk, hashMessages(s.ch)))
		}
		if s.chType == RecordTypeEarlyHandshake {
			s.mode = ModeZeroRTT
		}
		return nil
	case !fromClient && typ == HandshakeTypeServerHello:
		if s.sh != nil {
			return nil
		}
		if s.hello == nil {
			return ErrNoKeys
		}
		sh, err := ParseServerHello(rec.Body)
		if err != nil {
			return err
		}
		if s.chType == RecordTypeEarlyHandshake && s.ee == nil && s.psk != nil {
			return ErrNoKeys // the response key covers EncryptedExtensions
		}
		s.sh = bytes.Clone(rec.Body)
		return s.establishHandshakeKeys(sh)
	}
	return fmt.Errorf("%w: plaintext %v", errUnexpectedMessage, typ)
}

// resumptionPSK returns the PSK_ACCESS for a PSK ClientHello: the logged
// one, else the one a TicketCache learned for the presented ticket.
func (s *Session) resumptionPSK() []byte {
	if s.haveSecr && len(s.secrets.PSKAccess) > 0 {
		return s.secrets.PSKAccess
	}
	if s.tickets == nil {
		return nil
	}
	if psk, ok := s.hello.PreSharedKey(); ok {
		for _, t := range psk.Tickets {
			if p, ok := s.tickets.Lookup(t.Ticket); ok {
				return p
			}
		}
	}
	return nil
}

func (s *Session) establishHandshakeKeys(sh *ServerHello) error {
	switch {
	case s.chType == RecordTypeEarlyHandshake:
		s.mode = ModeZeroRTT
		if s.psk != nil {
			s.resp = NewXORNonceAEAD(zeroRTTResponseKey(s.psk, hashMessages(s.ch, s.ee, s.sh)))
		}
	case sh.CipherSuite == cipherSuitePSK:
		s.mode = ModePSK
		if s.psk != nil {
			th := hashMessages(s.ch, s.sh)
			s.hs = pair(handshakeKeys(s.psk, th))
			e := expandedSecret(s.psk, th)
			s.app = pair(applicationKeys(e[:], th))
		}
	default:
		s.mode = ModeECDHE
		if s.haveSecr && len(s.secrets.Secret) > 0 {
			s.hs = pair(handshakeKeys(s.secrets.Secret, hashMessages(s.ch, s.sh)))
		}
	}
	return nil
}

// pair returns the record protection of both directions, indexed by client
// and server.
func pair(c, srv TrafficKey) [2]*XORNonceAEAD {
	return [2]*XORNonceAEAD{client: NewXORNonceAEAD(c), server: NewXORNonceAEAD(srv)}
}

// readEncrypted handles a decrypted handshake message.
func (s *Session) readEncrypted(dir int, pt []byte) error {
	typ, err := PeekHandshakeType(pt)
	if err != nil {
		return err
	}
	switch {
	case dir == client && typ == handshakeTypeEncryptedExtensions && s.ee == nil:
		if _, err := parseEncryptedExtensions(pt); err != nil {
			return err
		}
		s.ee = bytes.Clone(pt)
	case dir == server && typ == handshakeTypeCertificateVerify && s.cv == nil && s.mode == ModeECDHE:
		if _, err := parseCertificateVerify(pt); err != nil {
			return err
		}
		s.cv = bytes.Clone(pt)
	case dir == server && typ == handshakeTypeNewSessionTicket && s.nst == nil && s.mode == ModeECDHE:
		nst, err := parseNewSessionTicket(pt)
		if err != nil {
			return err
		}
		s.nst = bytes.Clone(pt)
		secret := s.secrets.Secret
		if s.tickets != nil {
			pre := hashMessages(s.ch, s.sh, s.cv)
			access, refresh := pskAccess(secret, pre), pskRefresh(secret, pre)
			for _, t := range nst.Tickets {
				switch t.Type {
				case 1:
					s.tickets.Add(t.Ticket, access[:])
				case 2:
					s.tickets.Add(t.Ticket, refresh[:])
				}
			}
		}
		th := hashMessages(s.ch, s.sh, s.cv, s.nst)
		e := expandedSecret(secret, th)
		s.app = pair(applicationKeys(e[:], th))
	}
	return nil
}
