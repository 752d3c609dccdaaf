// This file holds what the emulated endpoints share: configuration, the
// PSK a handshake issues, per-record key reporting and the sending and
// receiving halves of a connection. The endpoints produce and consume
// record bytes exactly as doc/protocol.md sections 2 and 3 describe, with no
// sockets, deterministically given a random source and a clock.
//
// # Flows
//
// 1-RTT ECDHE Longlink:
//
//	c.Hello()            -> ClientHello                      (client seq 0)
//	s.ReadClient(b)
//	s.Flight()           -> ServerHello, CertificateVerify,
//	                        NewSessionTicket, Finished       (server seq 0-3)
//	c.ReadServer(b)
//	c.Finished()         -> Finished                         (client seq 1)
//	s.Open(b)
//	c.Seal(data), s.Open / s.Seal(data), c.Open              (seq 2, 3, ...)
//
// 1-RTT Shortlink (as measured: a Shortlink that only fetches tickets) is
// the same without client Finished and data: request = ClientHello,
// response = the server flight. 1-RTT PSK Longlink (Config.Mode ModePSK):
// as ECDHE, but the server flight is ServerHello and Finished.
//
// 0-RTT PSK Shortlink (Mode ModeZeroRTT, PSK from an earlier handshake):
//
//	c.Hello()            -> 0x19 ClientHello, 0x19 EncryptedExtensions
//	c.Seal(request)      -> 0x17 early data
//	c.Alert()            -> 0x15 alert (end of early data)
//	s.ReadClient(b); s.Open(...) for the data and the alert
//	s.Flight()           -> 0x16 ServerHello, 0x16 Finished
//	s.Seal(response), s.Alert()
//	c.ReadServer(b); c.Open(...)

package mmtls

import (
	"crypto/ecdsa"
	"crypto/rand"
	"errors"
	"io"
	"time"
)

// PSK is a resumption ticket with its secret, as a client keeps it after an
// ECDHE handshake.
type PSK struct {
	Ticket SessionTicket
	// Access is PSK_ACCESS for a type 1 ticket (PSK_REFRESH for type 2).
	Access [32]byte
}

// RecordKey describes the key of one encrypted record, as a per-record key
// log (the Citizen Lab format, doc/protocol.md §7) records it.
type RecordKey struct {
	FromClient bool // the record travels from client to server
	Encrypt    bool // this endpoint sealed it (false: opened it)
	Seq        uint64
	Type       RecordType
	Key        [KeyLen]byte
	Nonce      [IVLen]byte
	AAD        [aadLen]byte
	Tail       [8]byte // the last 8 bytes of the body (ciphertext and tag)
}

// Config configures a Client or a Server.
type Config struct {
	// Rand supplies every random byte (randoms, ECDH keys, tickets). Nil
	// means crypto/rand. Give a deterministic reader for reproducible
	// traffic: the endpoints never use another source.
	Rand io.Reader
	// Time supplies the ClientHello timestamp. Nil means time.Now.
	Time func() time.Time
	// Mode selects the client's handshake: ModeECDHE (the zero value's
	// default), ModePSK or ModeZeroRTT. Ignored by a Server, which follows
	// the ClientHello.
	Mode Mode
	// PSK is the ticket and secret a client resumes with (ModePSK,
	// ModeZeroRTT). In ModeECDHE a non-nil PSK's ticket is offered too, as
	// the real client offers its refresh ticket; it does not change keys.
	PSK *PSK
	// LookupPSK resolves, on a Server, the opaque ticket bytes a client
	// presents to its PSK_ACCESS.
	LookupPSK func(ticket []byte) ([32]byte, bool)
	// SigningKey signs a Server's CertificateVerify (P-256). Nil means a
	// key drawn from Rand.
	SigningKey *ecdsa.PrivateKey
	// ServerKey, if set, makes a Client verify CertificateVerify with it.
	ServerKey *ecdsa.PublicKey
	// KeyLog, if set, is called for every encrypted record the endpoint
	// seals or opens.
	KeyLog func(RecordKey)
}

func (c *Config) rand() io.Reader {
	if c.Rand != nil {
		return c.Rand
	}
	return rand.Reader
}

func (c *Config) now() time.Time {
	if c.Time != nil {
		return c.Time()
	}
	return time.Now()
}

// errHandshake reports an endpoint call out of order or a peer's handshake
// message that does not fit.
var errHandshake = errors.New("mmtls: handshake state")

// halfConn is one direction of an endpoint: its next sequence number and
// current key.
type halfConn struct {
	fromClient bool
	seq        uint64
	key        TrafficKey
	aead       *XORNonceAEAD
}

func (h *halfConn) setKey(k TrafficKey) {
	h.key = k
	h.aead = NewXORNonceAEAD(k)
}

// appendPlain frames body as a plaintext record.
func (h *halfConn) appendPlain(dst []byte, typ RecordType, body []byte) []byte {
	h.seq++
	return appendRecord(dst, Record{Type: typ, Body: body})
}

// appendSealed encrypts plaintext as records of type typ (splitting data
// longer than maxPlaintextLen) and reports each key.
func (h *halfConn) appendSealed(dst []byte, typ RecordType, plaintext []byte, log func(RecordKey)) ([]byte, error) {
	if h.aead == nil {
		return nil, errHandshake
	}
	for first := true; first || len(plaintext) > 0; first = false {
		n := min(len(plaintext), maxPlaintextLen)
		start := len(dst)
		dst = h.aead.Seal(dst, h.seq, typ, plaintext[:n])
		plaintext = plaintext[n:]
		h.report(Record{Type: typ, Version: recordVersion, Body: dst[start+recordHeaderLen:]}, true, log)
		h.seq++
	}
	return dst, nil
}

func (h *halfConn) report(rec Record, encrypt bool, log func(RecordKey)) {
	if log == nil {
		return
	}
	k := RecordKey{
		FromClient: h.fromClient, Encrypt: encrypt, Seq: h.seq, Type: rec.Type, Key: h.key.Key,
		Nonce: h.key.nonce(h.seq), AAD: recordAAD(h.seq, rec.Type, rec.Version, len(rec.Body)),
	}
	copy(k.Tail[:], rec.Body[max(0, len(rec.Body)-8):])
	log(k)
}

// open decrypts rec with the current key and advances the sequence number.
func (h *halfConn) open(rec Record, log func(RecordKey)) ([]byte, error) {
	if h.aead == nil {
		return nil, errHandshake
	}
	pt, err := h.aead.Open(nil, h.seq, rec)
	if err != nil {
		return nil, err
	}
	h.report(rec, false, log)
	h.seq++
	return pt, nil
}

// readRecord parses the record at the start of b.
func readRecord(b []byte) (Record, []byte, error) {
	rec, n, err := ParseRecord(b)
	if err != nil {
		return Record{}, nil, err
	}
	return rec, b[n:], nil
}

// randomBytes fills b from r.
func randomBytes(r io.Reader, b []byte) error {
	_, err := io.ReadFull(r, b)
	return err
}
