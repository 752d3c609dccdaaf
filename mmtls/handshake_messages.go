// This file implements the MMTLS handshake messages: ClientHello,
// ServerHello, EncryptedExtensions, CertificateVerify, NewSessionTicket and
// Finished, with their extensions. See doc/protocol.md, section 3. Layouts were
// learned from duo/gommtls and checked on the real capture (every plaintext
// hello, and the handshake records the Citizen Lab key log opens).
//
// Every message is framed as u32 length | u8 HandshakeType | fields, the
// length counting everything after itself; a record carries exactly one.

package mmtls

import (
	"encoding/binary"
	"fmt"
)

// HandshakeType is the byte after a handshake message's u32 length. The
// values are TLS's.
type HandshakeType uint8

const (
	HandshakeTypeClientHello         HandshakeType = 0x01
	HandshakeTypeServerHello         HandshakeType = 0x02
	handshakeTypeNewSessionTicket    HandshakeType = 0x04
	handshakeTypeEncryptedExtensions HandshakeType = 0x08
	handshakeTypeCertificateVerify   HandshakeType = 0x0f
	handshakeTypeFinished            HandshakeType = 0x14
)

func (t HandshakeType) String() string {
	switch t {
	case HandshakeTypeClientHello:
		return "ClientHello"
	case HandshakeTypeServerHello:
		return "ServerHello"
	case handshakeTypeNewSessionTicket:
		return "NewSessionTicket"
	case handshakeTypeEncryptedExtensions:
		return "EncryptedExtensions"
	case handshakeTypeCertificateVerify:
		return "CertificateVerify"
	case handshakeTypeFinished:
		return "Finished"
	}
	return fmt.Sprintf("0x%02x", uint8(t))
}

// PeekHandshakeType returns the type of the handshake message in body (a
// decrypted or plaintext handshake record body) after checking its framing.
func PeekHandshakeType(body []byte) (HandshakeType, error) {
	r, err := openMessage(body)
	if err != nil {
		return 0, err
	}
	var t uint8
	if !r.u8(&t) {
		return 0, malformed(r.off, "handshake type")
	}
	return HandshakeType(t), nil
}

// ExtensionType names an extension in a hello or EncryptedExtensions.
type ExtensionType uint16

const (
	// extensionPreSharedKey (ClientHello) lists resumption tickets.
	extensionPreSharedKey ExtensionType = 0x0f
	// extensionKeyShare (ClientHello) lists the client's P-256 key shares.
	extensionKeyShare ExtensionType = 0x10
	// extensionServerKeyShare (ServerHello) holds the server's key share.
	extensionServerKeyShare ExtensionType = 0x11
	// extensionEarlyData (EncryptedExtensions of a 0-RTT request) holds the
	// ClientHello timestamp.
	extensionEarlyData ExtensionType = 0x12
)

func (t ExtensionType) String() string {
	switch t {
	case extensionPreSharedKey:
		return "pre_shared_key"
	case extensionKeyShare:
		return "key_share"
	case extensionServerKeyShare:
		return "server_key_share"
	case extensionEarlyData:
		return "early_data"
	}
	return fmt.Sprintf("0x%04x", uint16(t))
}

// Extension is one extension as on the wire. Extensions whose layout is not
// known (e.g. 0x13 in an ECDHE ServerHello) are kept as bytes so a parsed
// message marshals back to the same bytes.
type Extension struct {
	Type ExtensionType
	Data []byte
}

// minExtensionLen is the smallest extension on the wire: u32 length | u16
// type. It bounds the capacity allocated for a count read from the wire.
const minExtensionLen = 6

// readExtensions reads u32 list length | u8 count | count × (u32 length | u16
// type | data), checking each known extension's layout.
func readExtensions(r *reader) ([]Extension, error) {
	var list reader
	if !r.sub32(&list) {
		return nil, malformed(r.off, "extensions length")
	}
	var count uint8
	if !list.u8(&count) {
		return nil, malformed(list.off, "extension count")
	}
	exts := make([]Extension, 0, min(int(count), len(list.b)/minExtensionLen))
	for range count {
		var e reader
		var typ uint16
		start := list.off
		if !list.sub32(&e) || !e.u16(&typ) {
			return nil, malformed(start, "extension")
		}
		ext := Extension{Type: ExtensionType(typ), Data: e.b}
		if err := checkExtension(ext, e.off); err != nil {
			return nil, err
		}
		exts = append(exts, ext)
	}
	if !list.empty() {
		return nil, malformed(list.off, "trailing bytes after extensions")
	}
	return exts, nil
}

// checkExtension parses a known extension to validate it; off is the offset
// of ext.Data.
func checkExtension(ext Extension, off int) error {
	var err error
	switch ext.Type {
	case extensionPreSharedKey:
		_, err = parsePreSharedKey(reader{b: ext.Data, off: off})
	case extensionKeyShare:
		_, err = parseKeyShareExtension(reader{b: ext.Data, off: off})
	case extensionServerKeyShare:
		r := reader{b: ext.Data, off: off}
		if _, err = readKeyShare(&r); err == nil && !r.empty() {
			err = malformed(r.off, "trailing bytes after server key share")
		}
	case extensionEarlyData:
		_, err = parseEarlyData(reader{b: ext.Data, off: off})
	}
	return err
}

func appendExtensions(b []byte, exts []Extension) []byte {
	b, list := beginU32(b)
	b = append(b, checkCount(len(exts)))
	for _, e := range exts {
		var s int
		b, s = beginU32(b)
		b = appendU16(b, uint16(e.Type))
		b = append(b, e.Data...)
		b = endU32(b, s)
	}
	return endU32(b, list)
}

func findExtension(exts []Extension, t ExtensionType) (Extension, bool) {
	for _, e := range exts {
		if e.Type == t {
			return e, true
		}
	}
	return Extension{}, false
}

// SessionTicket is a resumption ticket as issued in NewSessionTicket and
// presented in a ClientHello's pre_shared_key extension. Measured: type 1
// tickets (lifetime 7 days) resume 0-RTT and 1-RTT PSK connections; type 2
// tickets (30 days, with a 32-byte AgeAdd) are offered alongside a new ECDHE
// handshake. A ClientHello presents the ticket with an empty AgeAdd.
type SessionTicket struct {
	Type     uint8
	Lifetime uint32 // seconds
	AgeAdd   []byte
	Reserved uint32 // meaning unknown; measured 0x3d and 0x48
	Nonce    []byte // 12 bytes in all measured tickets
	Ticket   []byte // opaque to the client
}

// minTicketLen: type u8 | lifetime u32 | u16 | reserved u32 | u16 | u16.
const minTicketLen = 15

func readSessionTicket(r *reader) (SessionTicket, error) {
	var t SessionTicket
	var body reader
	start := r.off
	if !r.sub32(&body) {
		return SessionTicket{}, malformed(start, "session ticket length")
	}
	if !body.u8(&t.Type) || !body.u32(&t.Lifetime) || !body.prefixed16(&t.AgeAdd) ||
		!body.u32(&t.Reserved) || !body.prefixed16(&t.Nonce) || !body.prefixed16(&t.Ticket) {
		return SessionTicket{}, malformed(body.off, "session ticket")
	}
	if !body.empty() {
		return SessionTicket{}, malformed(body.off, "trailing bytes after session ticket")
	}
	return t, nil
}

func (t *SessionTicket) appendTo(b []byte) []byte {
	b, s := beginU32(b)
	b = append(b, t.Type)
	b = appendU32(b, t.Lifetime)
	b = appendPrefixed16(b, t.AgeAdd)
	b = appendU32(b, t.Reserved)
	b = appendPrefixed16(b, t.Nonce)
	b = appendPrefixed16(b, t.Ticket)
	return endU32(b, s)
}

// readTickets reads u8 count | count × ticket.
func readTickets(r *reader) ([]SessionTicket, error) {
	var count uint8
	if !r.u8(&count) {
		return nil, malformed(r.off, "ticket count")
	}
	ts := make([]SessionTicket, 0, min(int(count), len(r.b)/(4+minTicketLen)))
	for range count {
		t, err := readSessionTicket(r)
		if err != nil {
			return nil, err
		}
		ts = append(ts, t)
	}
	return ts, nil
}

func appendTickets(b []byte, ts []SessionTicket) []byte {
	b = append(b, checkCount(len(ts)))
	for i := range ts {
		b = ts[i].appendTo(b)
	}
	return b
}

// PreSharedKeyExtension is the ClientHello extension that presents tickets.
type PreSharedKeyExtension struct {
	Tickets []SessionTicket
}

func parsePreSharedKey(r reader) (PreSharedKeyExtension, error) {
	ts, err := readTickets(&r)
	if err != nil {
		return PreSharedKeyExtension{}, err
	}
	if !r.empty() {
		return PreSharedKeyExtension{}, malformed(r.off, "trailing bytes after pre_shared_key")
	}
	return PreSharedKeyExtension{Tickets: ts}, nil
}

// extension returns e in its wire form.
func (e PreSharedKeyExtension) extension() Extension {
	return Extension{Type: extensionPreSharedKey, Data: appendTickets(nil, e.Tickets)}
}

// KeyShare is one P-256 public key, uncompressed (65 bytes, 0x04 | X | Y).
// ID numbers the share (measured: 5 and 6 in a ClientHello; the ServerHello
// echoes the one it used).
type KeyShare struct {
	ID    uint32
	Point []byte
}

// p256PointLen is the size of an uncompressed P-256 point.
const p256PointLen = 65

// readKeyShare reads u32 id | u16 length | point.
func readKeyShare(r *reader) (KeyShare, error) {
	var ks KeyShare
	start := r.off
	if !r.u32(&ks.ID) || !r.prefixed16(&ks.Point) {
		return KeyShare{}, malformed(start, "key share")
	}
	return ks, nil
}

func (ks *KeyShare) appendTo(b []byte) []byte {
	return appendPrefixed16(appendU32(b, ks.ID), ks.Point)
}

// extension returns ks as a ServerHello server_key_share extension.
func (ks KeyShare) extension() Extension {
	return Extension{Type: extensionServerKeyShare, Data: ks.appendTo(nil)}
}

// KeyShareExtension is the ClientHello extension that offers key shares
// (measured: two, IDs 5 and 6; gommtls sends an ECDH share and a second key it
// uses to verify the server's signature). It ends with fields of unknown
// meaning, kept for a faithful round trip: measured Reserved 0 and Values
// [3 4].
type KeyShareExtension struct {
	Shares   []KeyShare
	Reserved uint32
	Values   []uint32
}

func parseKeyShareExtension(r reader) (KeyShareExtension, error) {
	var e KeyShareExtension
	var count uint8
	if !r.u8(&count) {
		return e, malformed(r.off, "key share count")
	}
	e.Shares = make([]KeyShare, 0, min(int(count), len(r.b)/10))
	for range count {
		var s reader
		start := r.off
		if !r.sub32(&s) {
			return KeyShareExtension{}, malformed(start, "key share length")
		}
		ks, err := readKeyShare(&s)
		if err != nil {
			return KeyShareExtension{}, err
		}
		if !s.empty() {
			return KeyShareExtension{}, malformed(s.off, "trailing bytes after key share")
		}
		e.Shares = append(e.Shares, ks)
	}
	var n uint8
	if !r.u32(&e.Reserved) || !r.u8(&n) {
		return KeyShareExtension{}, malformed(r.off, "key share trailer")
	}
	if int(n)*4 != len(r.b) {
		return KeyShareExtension{}, malformed(r.off, "key share trailer values")
	}
	e.Values = make([]uint32, n)
	for i := range e.Values {
		r.u32(&e.Values[i])
	}
	return e, nil
}

// extension returns e in its wire form.
func (e KeyShareExtension) extension() Extension {
	b := []byte{checkCount(len(e.Shares))}
	for i := range e.Shares {
		var s int
		b, s = beginU32(b)
		b = e.Shares[i].appendTo(b)
		b = endU32(b, s)
	}
	b = appendU32(b, e.Reserved)
	b = append(b, checkCount(len(e.Values)))
	for _, v := range e.Values {
		b = appendU32(b, v)
	}
	return Extension{Type: extensionKeyShare, Data: b}
}

// earlyDataExtension is the EncryptedExtensions entry of a 0-RTT request;
// measured: it repeats the ClientHello timestamp.
type earlyDataExtension struct {
	Timestamp uint32
}

func parseEarlyData(r reader) (earlyDataExtension, error) {
	var e earlyDataExtension
	if !r.u32(&e.Timestamp) || !r.empty() {
		return earlyDataExtension{}, malformed(r.off, "early_data")
	}
	return e, nil
}

// extension returns e in its wire form.
func (e earlyDataExtension) extension() Extension {
	return Extension{Type: extensionEarlyData, Data: appendU32(nil, e.Timestamp)}
}

// readVersion reads the protocol version of a hello. It is written
// little-endian (measured "04 f1" for 0xF104, as gommtls writes it).
func readVersion(r *reader, v *uint16) bool {
	if len(r.b) < 2 {
		return false
	}
	*v = binary.LittleEndian.Uint16(r.b)
	r.skip(2)
	return true
}

// openTyped opens a message and checks its type.
func openTyped(b []byte, want HandshakeType) (reader, error) {
	r, err := openMessage(b)
	if err != nil {
		return reader{}, err
	}
	var t uint8
	if !r.u8(&t) {
		return reader{}, malformed(r.off, "handshake type")
	}
	if HandshakeType(t) != want {
		return reader{}, &parseError{Offset: 4, Err: fmt.Errorf("%w: %v, want %v", errUnexpectedMessage, HandshakeType(t), want)}
	}
	return r, nil
}

func beginMessage(t HandshakeType) ([]byte, int) {
	b, s := beginU32(make([]byte, 0, 128))
	return append(b, byte(t)), s
}

// ClientHello opens every handshake (doc/protocol.md §3).
type ClientHello struct {
	Version      uint16 // Version (0xF104) in all measured hellos
	CipherSuites []CipherSuite
	Random       [32]byte
	Timestamp    uint32 // Unix seconds
	Extensions   []Extension
}

// ParseClientHello parses a plaintext ClientHello record body. The result
// aliases b. Known extensions are validated; read them with PreSharedKey and
// KeyShare.
func ParseClientHello(b []byte) (*ClientHello, error) {
	r, err := openTyped(b, HandshakeTypeClientHello)
	if err != nil {
		return nil, err
	}
	m := &ClientHello{}
	var n uint8
	if !readVersion(&r, &m.Version) || !r.u8(&n) {
		return nil, malformed(r.off, "client hello")
	}
	if int(n)*2 > len(r.b) {
		return nil, malformed(r.off, "cipher suites")
	}
	m.CipherSuites = make([]CipherSuite, n)
	for i := range m.CipherSuites {
		var s uint16
		r.u16(&s)
		m.CipherSuites[i] = CipherSuite(s)
	}
	if !r.array(m.Random[:]) || !r.u32(&m.Timestamp) {
		return nil, malformed(r.off, "client hello random")
	}
	if m.Extensions, err = readExtensions(&r); err != nil {
		return nil, err
	}
	if !r.empty() {
		return nil, malformed(r.off, "trailing bytes after client hello")
	}
	return m, nil
}

// marshal returns the ClientHello as a record body.
func (m *ClientHello) marshal() []byte {
	b, s := beginMessage(HandshakeTypeClientHello)
	b = binary.LittleEndian.AppendUint16(b, m.Version)
	b = append(b, checkCount(len(m.CipherSuites)))
	for _, c := range m.CipherSuites {
		b = appendU16(b, uint16(c))
	}
	b = append(b, m.Random[:]...)
	b = appendU32(b, m.Timestamp)
	b = appendExtensions(b, m.Extensions)
	return endU32(b, s)
}

// PreSharedKey returns the pre_shared_key extension, if present and valid.
func (m *ClientHello) PreSharedKey() (PreSharedKeyExtension, bool) {
	e, ok := findExtension(m.Extensions, extensionPreSharedKey)
	if !ok {
		return PreSharedKeyExtension{}, false
	}
	p, err := parsePreSharedKey(reader{b: e.Data})
	return p, err == nil
}

// KeyShare returns the key_share extension, if present and valid.
func (m *ClientHello) KeyShare() (KeyShareExtension, bool) {
	e, ok := findExtension(m.Extensions, extensionKeyShare)
	if !ok {
		return KeyShareExtension{}, false
	}
	k, err := parseKeyShareExtension(reader{b: e.Data})
	return k, err == nil
}

// ServerHello answers a ClientHello: the chosen suite, the server random and,
// for ECDHE, the server's key share. A PSK ServerHello has no extensions.
type ServerHello struct {
	Version     uint16
	CipherSuite CipherSuite
	Random      [32]byte
	Extensions  []Extension
}

// ParseServerHello parses a plaintext ServerHello record body. The result
// aliases b.
func ParseServerHello(b []byte) (*ServerHello, error) {
	r, err := openTyped(b, HandshakeTypeServerHello)
	if err != nil {
		return nil, err
	}
	m := &ServerHello{}
	var s uint16
	if !readVersion(&r, &m.Version) || !r.u16(&s) || !r.array(m.Random[:]) {
		return nil, malformed(r.off, "server hello")
	}
	m.CipherSuite = CipherSuite(s)
	if m.Extensions, err = readExtensions(&r); err != nil {
		return nil, err
	}
	if !r.empty() {
		return nil, malformed(r.off, "trailing bytes after server hello")
	}
	return m, nil
}

// marshal returns the ServerHello as a record body.
func (m *ServerHello) marshal() []byte {
	b, s := beginMessage(HandshakeTypeServerHello)
	b = binary.LittleEndian.AppendUint16(b, m.Version)
	b = appendU16(b, uint16(m.CipherSuite))
	b = append(b, m.Random[:]...)
	b = appendExtensions(b, m.Extensions)
	return endU32(b, s)
}

// KeyShare returns the server's key share, if present and valid.
func (m *ServerHello) KeyShare() (KeyShare, bool) {
	e, ok := findExtension(m.Extensions, extensionServerKeyShare)
	if !ok {
		return KeyShare{}, false
	}
	r := reader{b: e.Data}
	ks, err := readKeyShare(&r)
	return ks, err == nil && r.empty()
}

// encryptedExtensions is the second record of a 0-RTT request, encrypted
// with the early data key.
type encryptedExtensions struct {
	Extensions []Extension
}

// parseEncryptedExtensions parses a decrypted EncryptedExtensions body.
func parseEncryptedExtensions(b []byte) (*encryptedExtensions, error) {
	r, err := openTyped(b, handshakeTypeEncryptedExtensions)
	if err != nil {
		return nil, err
	}
	m := &encryptedExtensions{}
	if m.Extensions, err = readExtensions(&r); err != nil {
		return nil, err
	}
	if !r.empty() {
		return nil, malformed(r.off, "trailing bytes after encrypted extensions")
	}
	return m, nil
}

// marshal returns the message as a record body (before encryption).
func (m *encryptedExtensions) marshal() []byte {
	b, s := beginMessage(handshakeTypeEncryptedExtensions)
	b = appendExtensions(b, m.Extensions)
	return endU32(b, s)
}

// EarlyData returns the early_data extension, if present and valid.
func (m *encryptedExtensions) EarlyData() (earlyDataExtension, bool) {
	e, ok := findExtension(m.Extensions, extensionEarlyData)
	if !ok {
		return earlyDataExtension{}, false
	}
	ed, err := parseEarlyData(reader{b: e.Data})
	return ed, err == nil
}

// certificateVerify carries the server's ECDSA signature (ASN.1 DER) in an
// ECDHE handshake; gommtls verifies it over SHA-256(transcript hash) with a
// static key pinned in the app.
type certificateVerify struct {
	Signature []byte
}

// parseCertificateVerify parses a decrypted CertificateVerify body.
func parseCertificateVerify(b []byte) (*certificateVerify, error) {
	var m certificateVerify
	if err := parseU16Field(b, handshakeTypeCertificateVerify, &m.Signature); err != nil {
		return nil, err
	}
	return &m, nil
}

// marshal returns the message as a record body (before encryption).
func (m *certificateVerify) marshal() []byte {
	return marshalU16Field(handshakeTypeCertificateVerify, m.Signature)
}

// finished carries HMAC-SHA256 over the transcript hash (doc/protocol.md §3).
type finished struct {
	VerifyData []byte
}

// parseFinished parses a decrypted Finished body.
func parseFinished(b []byte) (*finished, error) {
	var m finished
	if err := parseU16Field(b, handshakeTypeFinished, &m.VerifyData); err != nil {
		return nil, err
	}
	return &m, nil
}

// marshal returns the message as a record body (before encryption).
func (m *finished) marshal() []byte { return marshalU16Field(handshakeTypeFinished, m.VerifyData) }

func parseU16Field(b []byte, t HandshakeType, v *[]byte) error {
	r, err := openTyped(b, t)
	if err != nil {
		return err
	}
	if !r.prefixed16(v) || !r.empty() {
		return malformed(r.off, t.String())
	}
	return nil
}

func marshalU16Field(t HandshakeType, v []byte) []byte {
	b, s := beginMessage(t)
	b = appendPrefixed16(b, v)
	return endU32(b, s)
}

// newSessionTicket issues resumption tickets in an ECDHE handshake
// (measured: a type 1 and a type 2 ticket). The PSK for them is PSK_ACCESS
// (type 1) and PSK_REFRESH (type 2) of that handshake.
type newSessionTicket struct {
	Tickets []SessionTicket
}

// parseNewSessionTicket parses a decrypted NewSessionTicket body.
func parseNewSessionTicket(b []byte) (*newSessionTicket, error) {
	r, err := openTyped(b, handshakeTypeNewSessionTicket)
	if err != nil {
		return nil, err
	}
	ts, err := readTickets(&r)
	if err != nil {
		return nil, err
	}
	if !r.empty() {
		return nil, malformed(r.off, "trailing bytes after new session ticket")
	}
	return &newSessionTicket{Tickets: ts}, nil
}

// marshal returns the message as a record body (before encryption).
func (m *newSessionTicket) marshal() []byte {
	b, s := beginMessage(handshakeTypeNewSessionTicket)
	b = appendTickets(b, m.Tickets)
	return endU32(b, s)
}
