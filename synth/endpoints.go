// This file drives package mmtls's endpoint emulation (doc/protocol.md,
// sections 2 and 3) for the generator: a client and a server per
// connection, fed each other's records in the order of mmtls/endpoint.go.
// The client's key reports become the Frida key log (what hooks on the
// phone would see), its secrets the secrets key log.

package synth

import (
	"fmt"
	"time"

	"github.com/wxaudit/wxaudit/mmtls"
)

// mmConn is both ends of one emulated MMTLS connection with the sequence
// number of the next record each side sends.
type mmConn struct {
	g        *generator
	c        *mmtls.Client
	s        *mmtls.Server
	cSeq     uint64 // next client record
	sSeq     uint64 // next server record
	hello    []byte // client's first flight
	flight   []byte // server's handshake flight
	finished []byte // client Finished (1-RTT with data)
}

// clientConfig is the configuration of an emulated phone.
func (g *generator) clientConfig(mode mmtls.Mode, psk *mmtls.PSK, at time.Time) mmtls.Config {
	return mmtls.Config{Rand: g.r, Time: func() time.Time { return at }, Mode: mode, PSK: psk, KeyLog: g.outerKey}
}

// outerKey writes a client record key as the Frida hooks log it.
func (g *generator) outerKey(k mmtls.RecordKey) {
	var hdr [5]byte
	copy(hdr[:], k.AAD[8:])
	g.logErr(g.fw.Outer(k.Encrypt, k.Key, mmtls.BaseIV(k.Nonce, k.Seq), k.Seq, hdr, k.Tail))
}

// lookupPSK resolves tickets the round's servers issued.
func (g *generator) lookupPSK(ticket []byte) ([32]byte, bool) {
	a, ok := g.tickets[string(ticket)]
	return a, ok
}

// handshake runs the handshake of a new connection in mode (the client's
// Finished too when finish is set) and writes its secrets key-log line.
func (g *generator) handshake(mode mmtls.Mode, psk *mmtls.PSK, at time.Time, finish bool) (*mmConn, error) {
	c, err := mmtls.NewClient(g.clientConfig(mode, psk, at))
	if err != nil {
		return nil, fmt.Errorf("synth: internal error: %w", err)
	}
	m := &mmConn{g: g, c: c, s: mmtls.NewServer(mmtls.Config{Rand: g.r, SigningKey: g.signer, LookupPSK: g.lookupPSK})}
	if m.hello, err = c.Hello(); err != nil {
		return nil, fmt.Errorf("synth: internal error: client hello: %w", err)
	}
	m.cSeq = countRecords(m.hello)
	if _, err := m.s.ReadClient(m.hello); err != nil {
		return nil, fmt.Errorf("synth: internal error: server reads hello: %w", err)
	}
	if mode == mmtls.ModeZeroRTT {
		// The client's early data is sealed before the server answers.
		return m, g.writeSecrets(c)
	}
	if err := m.serverFlight(); err != nil {
		return nil, err
	}
	if finish {
		if m.finished, err = c.Finished(); err != nil {
			return nil, fmt.Errorf("synth: internal error: client finished: %w", err)
		}
		m.cSeq++
		if _, _, _, err := m.s.Open(m.finished); err != nil {
			return nil, fmt.Errorf("synth: internal error: server reads finished: %w", err)
		}
	}
	for _, p := range m.s.IssuedPSKs() {
		g.tickets[string(p.Ticket.Ticket)] = p.Access
	}
	return m, g.writeSecrets(c)
}

// serverFlight has the server answer the hello and the client read it.
func (m *mmConn) serverFlight() error {
	var err error
	if m.flight, err = m.s.Flight(); err != nil {
		return fmt.Errorf("synth: internal error: server flight: %w", err)
	}
	m.sSeq = countRecords(m.flight)
	n, err := m.c.ReadServer(m.flight)
	if err != nil || n != len(m.flight) {
		return fmt.Errorf("synth: internal error: client reads server flight (%d of %d bytes): %v", n, len(m.flight), err)
	}
	return nil
}

// writeSecrets writes the connection's line of the secrets key log:
// MMTLS_SECRET for a full handshake, MMTLS_PSK_ACCESS for a resumption.
func (g *generator) writeSecrets(c *mmtls.Client) error {
	sec := c.Secrets()
	var err error
	switch {
	case len(sec.Secret) == 32:
		err = g.kw.Secret(sec.ClientRandom, [32]byte(sec.Secret))
	case len(sec.PSKAccess) == 32:
		err = g.kw.PSKAccess(sec.ClientRandom, [32]byte(sec.PSKAccess))
	default:
		return fmt.Errorf("synth: internal error: connection without secrets (mode %v)", sec.Mode)
	}
	if err != nil {
		return fmt.Errorf("synth: writing secrets key log: %w", err)
	}
	return nil
}

// clientSeal seals application data from the client; it returns the
// records and the sequence number of the first.
func (m *mmConn) clientSeal(data []byte) ([]byte, uint64, error) {
	b, err := m.c.Seal(data)
	if err != nil {
		return nil, 0, fmt.Errorf("synth: internal error: client seal: %w", err)
	}
	seq := m.cSeq
	m.cSeq += countRecords(b)
	return b, seq, nil
}

// serverSeal seals application data from the server and has the client
// open it (so the client's key reports cover it).
func (m *mmConn) serverSeal(data []byte) ([]byte, uint64, error) {
	b, err := m.s.Seal(data)
	if err != nil {
		return nil, 0, fmt.Errorf("synth: internal error: server seal: %w", err)
	}
	seq := m.sSeq
	m.sSeq += countRecords(b)
	return b, seq, m.clientOpen(b)
}

// clientOpen opens server records on the client.
func (m *mmConn) clientOpen(b []byte) error {
	for len(b) > 0 {
		_, _, n, err := m.c.Open(b)
		if err != nil {
			return fmt.Errorf("synth: internal error: client open: %w", err)
		}
		b = b[n:]
	}
	return nil
}

// countRecords counts the whole records in b.
func countRecords(b []byte) uint64 {
	var n uint64
	for len(b) > 0 {
		_, k, err := mmtls.ParseRecord(b)
		if err != nil {
			break
		}
		b = b[k:]
		n++
	}
	return n
}
