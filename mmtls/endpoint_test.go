package mmtls

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"strings"
	"testing"
	"time"
)

// wireRecord is one record as sent, with its direction and sequence number.
type wireRecord struct {
	fromClient bool
	seq        uint64
	rec        Record
	plain      []byte // what the sender put in (nil for handshake records)
}

// conversation drives a client and a server through one connection and
// records every record sent, in send order.
type conversation struct {
	t        *testing.T
	c        *Client
	s        *Server
	records  []wireRecord
	seq      [2]uint64
	keyLines []RecordKey // the client's per-record key log (Citizen Lab style)
}

func testConfig(seed uint64, mode Mode, psk *PSK) Config {
	return Config{
		Rand: mrand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), 'm', 'm', 't', 'l', 's'}),
		Time: func() time.Time { return time.Unix(1701738556, 0) },
		Mode: mode,
		PSK:  psk,
	}
}

func newConversation(t *testing.T, seed uint64, mode Mode, psk *PSK, store map[string][32]byte) *conversation {
	cv := &conversation{t: t}
	ccfg := testConfig(seed, mode, psk)
	ccfg.KeyLog = func(k RecordKey) { cv.keyLines = append(cv.keyLines, k) }
	c, err := NewClient(ccfg)
	if err != nil {
		t.Fatal(err)
	}
	scfg := testConfig(seed+1000, 0, nil)
	scfg.LookupPSK = func(ticket []byte) ([32]byte, bool) { p, ok := store[string(ticket)]; return p, ok }
	cv.c, cv.s = c, NewServer(scfg)
	return cv
}

// sent splits b into records and remembers them.
func (cv *conversation) sent(fromClient bool, b []byte, plain []byte) []byte {
	cv.t.Helper()
	dir := server
	if fromClient {
		dir = client
	}
	for rest := b; len(rest) > 0; {
		rec, n, err := ParseRecord(rest)
		if err != nil {
			cv.t.Fatalf("endpoint produced a bad record: %v", err)
		}
		cv.records = append(cv.records, wireRecord{fromClient, cv.seq[dir], rec, plain})
		cv.seq[dir]++
		rest = rest[n:]
	}
	return b
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// handshake1RTT runs Hello, ReadClient, Flight, ReadServer and, for a
// Longlink, Finished.
func (cv *conversation) handshake1RTT(longlink bool) {
	t := cv.t
	b := must[[]byte](t)
	hello := cv.sent(true, b(cv.c.Hello()), nil)
	if n, err := cv.s.ReadClient(hello); err != nil || n != len(hello) {
		t.Fatalf("ReadClient = %d, %v", n, err)
	}
	flight := cv.sent(false, b(cv.s.Flight()), nil)
	// A short read consumes nothing and can be retried.
	if _, err := cv.c.ReadServer(flight[:len(flight)-1]); err == nil {
		t.Fatal("ReadServer accepted a truncated flight")
	}
	if n, err := cv.c.ReadServer(flight); err != nil || n != len(flight) {
		t.Fatalf("ReadServer = %d, %v", n, err)
	}
	if !longlink {
		return
	}
	fin := cv.sent(true, b(cv.c.Finished()), nil)
	if typ, _, n, err := cv.s.Open(fin); err != nil || n != len(fin) || typ != RecordTypeHandshake {
		t.Fatalf("server Open(Finished) = %v %d %v", typ, n, err)
	}
}

// exchange sends data from the client and a response from the server.
func (cv *conversation) exchange(req, resp []byte) {
	t := cv.t
	b := must[[]byte](t)
	wire := cv.sent(true, b(cv.c.Seal(req)), req)
	var got []byte
	for len(wire) > 0 {
		typ, pt, n, err := cv.s.Open(wire)
		if err != nil || typ != RecordTypeData {
			t.Fatalf("server Open = %v, %v", typ, err)
		}
		got = append(got, pt...)
		wire = wire[n:]
	}
	if !bytes.Equal(got, req) {
		t.Fatalf("server got %d bytes, want %d", len(got), len(req))
	}
	wire = cv.sent(false, b(cv.s.Seal(resp)), resp)
	got = nil
	for len(wire) > 0 {
		typ, pt, n, err := cv.c.Open(wire)
		if err != nil || typ != RecordTypeData {
			t.Fatalf("client Open = %v, %v", typ, err)
		}
		got = append(got, pt...)
		wire = wire[n:]
	}
	if !bytes.Equal(got, resp) {
		t.Fatalf("client got %d bytes, want %d", len(got), len(resp))
	}
}

func (cv *conversation) closeBoth() {
	t := cv.t
	b := must[[]byte](t)
	a := cv.sent(true, b(cv.c.Alert()), nil)
	if typ, pt, _, err := cv.s.Open(a); err != nil || typ != RecordTypeAlert || !bytes.Equal(pt, closeNotify.marshal()) {
		t.Fatalf("server Open(alert) = %v %x %v", typ, pt, err)
	}
	a = cv.sent(false, b(cv.s.Alert()), nil)
	if typ, _, _, err := cv.c.Open(a); err != nil || typ != RecordTypeAlert {
		t.Fatalf("client Open(alert) = %v %v", typ, err)
	}
}

// decryptPassively feeds the records to a Session in the given order and
// checks every record is plaintext or decrypts, and that data records give
// back what was sent.
func decryptPassively(t *testing.T, recs []wireRecord, lookup func([32]byte) (ConnSecrets, bool), tickets *TicketCache) {
	t.Helper()
	s := NewSession(lookup, tickets)
	for i, w := range recs {
		body := bytes.Clone(w.rec.Body)
		pt, kind, err := s.Record(w.fromClient, w.seq, Record{w.rec.Type, w.rec.Version, body})
		if err != nil || kind == NotDecrypted {
			t.Fatalf("record %d (%v, client %v, seq %d): %v %v", i, w.rec.Type, w.fromClient, w.seq, kind, err)
		}
		if w.plain != nil && !bytes.Contains(w.plain, pt) {
			t.Fatalf("record %d: plaintext differs from what was sent", i)
		}
	}
}

// checkKeyLog opens every encrypted record with the client's per-record key
// log the way a Citizen Lab key-log consumer does: logged key, base IV
// recovered from the logged nonce, AAD and tail compared.
func checkKeyLog(t *testing.T, recs []wireRecord, lines []RecordKey) {
	t.Helper()
	byTail := map[[8]byte]RecordKey{}
	for _, k := range lines {
		byTail[k.Tail] = k
	}
	opened := 0
	for _, w := range recs {
		if IsPlaintext(w.rec) {
			continue
		}
		k, ok := byTail[[8]byte(w.rec.Body[len(w.rec.Body)-8:])]
		if !ok {
			t.Fatalf("no key line for %v record seq %d", w.rec.Type, w.seq)
		}
		aad := recordAAD(w.seq, w.rec.Type, recordVersion, len(w.rec.Body))
		if k.AAD != aad || k.Seq != w.seq || k.FromClient != w.fromClient || k.Encrypt != w.fromClient {
			t.Fatalf("key line %+v does not describe record seq %d", k, w.seq)
		}
		if _, err := openRecordWithKey(k.Key, BaseIV(k.Nonce, k.Seq), w.seq, w.rec, nil); err != nil {
			t.Fatalf("key line does not open record seq %d: %v", w.seq, err)
		}
		opened++
	}
	if opened != len(lines) {
		t.Fatalf("opened %d records, key log has %d lines", opened, len(lines))
	}
}

func secretsLookup(secrets ...ConnSecrets) func([32]byte) (ConnSecrets, bool) {
	m := map[[32]byte]ConnSecrets{}
	for _, s := range secrets {
		m[s.ClientRandom] = s
	}
	return func(r [32]byte) (ConnSecrets, bool) { s, ok := m[r]; return s, ok }
}

// issueStore registers PSKs issued by a server for later servers.
func issueStore(store map[string][32]byte, psks []PSK) {
	for _, p := range psks {
		store[string(p.Ticket.Ticket)] = p.Access
	}
}

func TestEndpointModes(t *testing.T) {
	store := map[string][32]byte{}
	// An ECDHE Longlink issues the PSK the resumptions use.
	first := newConversation(t, 1, ModeECDHE, nil, store)
	first.handshake1RTT(true)
	first.exchange([]byte("longlink request"), []byte("longlink response"))
	issueStore(store, first.s.IssuedPSKs())
	cpsks := first.c.IssuedPSKs()
	if len(cpsks) != 2 || cpsks[0].Access != first.s.IssuedPSKs()[0].Access {
		t.Fatalf("client and server disagree on issued PSKs")
	}
	psk := &cpsks[0]
	big := bytes.Repeat([]byte("0123456789abcdef"), 5000) // 80000 bytes: two records

	tests := []struct {
		name string
		run  func(t *testing.T) *conversation
	}{
		{"ECDHE Longlink", func(t *testing.T) *conversation {
			cv := newConversation(t, 2, ModeECDHE, &cpsks[1], store)
			cv.handshake1RTT(true)
			cv.exchange([]byte("request"), []byte("response"))
			cv.exchange([]byte{0, 0, 0, 16, 0, 16, 0, 1, 0, 0, 0, 6, 0, 0, 0, 1}, nil) // noop heartbeat
			cv.exchange(big, big[:100])
			return cv
		}},
		{"ECDHE Shortlink", func(t *testing.T) *conversation {
			cv := newConversation(t, 3, ModeECDHE, &cpsks[1], store)
			cv.handshake1RTT(false)
			return cv
		}},
		{"ECDHE Shortlink with data", func(t *testing.T) *conversation {
			cv := newConversation(t, 4, ModeECDHE, nil, store)
			cv.handshake1RTT(true)
			cv.exchange([]byte("shortlink request"), []byte("shortlink response"))
			cv.closeBoth()
			return cv
		}},
		{"PSK Longlink", func(t *testing.T) *conversation {
			cv := newConversation(t, 5, ModePSK, psk, store)
			cv.handshake1RTT(true)
			cv.exchange([]byte("request"), []byte("response"))
			return cv
		}},
		{"0-RTT Shortlink", func(t *testing.T) *conversation {
			cv := newConversation(t, 6, ModeZeroRTT, psk, store)
			b := must[[]byte](t)
			req := []byte("early data request")
			first := cv.sent(true, b(cv.c.Hello()), nil)
			data := cv.sent(true, b(cv.c.Seal(req)), req)
			alert := cv.sent(true, b(cv.c.Alert()), nil)
			if n, err := cv.s.ReadClient(first); err != nil || n != len(first) {
				t.Fatalf("ReadClient = %d, %v", n, err)
			}
			if typ, pt, _, err := cv.s.Open(data); err != nil || typ != RecordTypeData || !bytes.Equal(pt, req) {
				t.Fatalf("server Open(early data) = %v %v", typ, err)
			}
			if typ, _, _, err := cv.s.Open(alert); err != nil || typ != RecordTypeAlert {
				t.Fatalf("server Open(alert) = %v %v", typ, err)
			}
			resp := []byte("0-RTT response")
			wire := cv.sent(false, b(cv.s.Flight()), nil)
			wire = append(wire, cv.sent(false, b(cv.s.Seal(resp)), resp)...)
			wire = append(wire, cv.sent(false, b(cv.s.Alert()), nil)...)
			n, err := cv.c.ReadServer(wire)
			if err != nil {
				t.Fatal(err)
			}
			typ, pt, m, err := cv.c.Open(wire[n:])
			if err != nil || typ != RecordTypeData || !bytes.Equal(pt, resp) {
				t.Fatalf("client Open = %v %v", typ, err)
			}
			if typ, _, _, err := cv.c.Open(wire[n+m:]); err != nil || typ != RecordTypeAlert {
				t.Fatalf("client Open(alert) = %v %v", typ, err)
			}
			return cv
		}},
	}
	wantTypes := map[string]string{
		"ECDHE Longlink":            "c16 s16 s16 s16 s16 c16 c17 s17 c17 s17 c17 c17 s17",
		"ECDHE Shortlink":           "c16 s16 s16 s16 s16",
		"ECDHE Shortlink with data": "c16 s16 s16 s16 s16 c16 c17 s17 c15 s15",
		"PSK Longlink":              "c16 s16 s16 c16 c17 s17",
		"0-RTT Shortlink":           "c19 c19 c17 c15 s16 s16 s17 s15",
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cv := tt.run(t)
			var types []string
			for _, w := range cv.records {
				d := "s"
				if w.fromClient {
					d = "c"
				}
				types = append(types, fmt.Sprintf("%s%x", d, uint8(w.rec.Type)))
			}
			if got := strings.Join(types, " "); got != wantTypes[tt.name] {
				t.Fatalf("records %s, want %s", got, wantTypes[tt.name])
			}
			t.Run("session from client secrets", func(t *testing.T) {
				decryptPassively(t, cv.records, secretsLookup(cv.c.Secrets()), nil)
			})
			t.Run("session from server secrets", func(t *testing.T) {
				decryptPassively(t, cv.records, secretsLookup(cv.s.Secrets()), nil)
			})
			t.Run("citizen lab key log", func(t *testing.T) {
				checkKeyLog(t, cv.records, cv.keyLines)
			})
			if cv.c.Secrets().ClientRandom != cv.s.Secrets().ClientRandom ||
				!bytes.Equal(cv.c.Secrets().Secret, cv.s.Secrets().Secret) ||
				!bytes.Equal(cv.c.Secrets().PSKAccess, cv.s.Secrets().PSKAccess) {
				t.Fatal("client and server secrets differ")
			}
		})
	}

	t.Run("0-RTT from ticket cache", func(t *testing.T) {
		// Only the ECDHE connection has a key-log line; the resumption is
		// decrypted with the PSK the Session learned from its
		// NewSessionTicket.
		cache := NewTicketCache(0)
		decryptPassively(t, first.records, secretsLookup(first.c.Secrets()), cache)
		cv := tests[4].run(t)
		decryptPassively(t, cv.records, secretsLookup(), cache)
	})
}

func TestSessionOrdering(t *testing.T) {
	store := map[string][32]byte{}
	cv := newConversation(t, 9, ModeECDHE, nil, store)
	cv.handshake1RTT(true)
	cv.exchange([]byte("request"), []byte("response"))
	lookup := secretsLookup(cv.c.Secrets())

	t.Run("server direction first", func(t *testing.T) {
		// A caller that feeds one direction entirely before the other
		// gets ErrNoKeys for records whose keys need the other side and
		// can feed them again later.
		var clientRecs, serverRecs, retry []wireRecord
		for _, w := range cv.records {
			if w.fromClient {
				clientRecs = append(clientRecs, w)
			} else {
				serverRecs = append(serverRecs, w)
			}
		}
		s := NewSession(lookup, nil)
		for _, w := range append(append([]wireRecord{}, serverRecs...), clientRecs...) {
			_, _, err := s.Record(w.fromClient, w.seq, Record{w.rec.Type, w.rec.Version, bytes.Clone(w.rec.Body)})
			if errors.Is(err, ErrNoKeys) {
				retry = append(retry, w)
				continue
			}
			if err != nil {
				t.Fatalf("%v seq %d: %v", w.rec.Type, w.seq, err)
			}
		}
		if len(retry) != len(cv.records)-1 {
			t.Fatalf("%d records deferred, want all but the ClientHello (%d)", len(retry), len(cv.records)-1)
		}
		for _, w := range retry {
			if _, kind, err := s.Record(w.fromClient, w.seq, Record{w.rec.Type, w.rec.Version, bytes.Clone(w.rec.Body)}); err != nil || kind == NotDecrypted {
				t.Fatalf("retry %v seq %d: %v", w.rec.Type, w.seq, err)
			}
		}
	})
	t.Run("no secret", func(t *testing.T) {
		s := NewSession(secretsLookup(), nil)
		var errs []string
		for _, w := range cv.records {
			_, kind, err := s.Record(w.fromClient, w.seq, w.rec)
			if kind == NotDecrypted {
				errs = append(errs, err.Error())
				if !errors.Is(err, ErrNoSecret) {
					t.Fatalf("err = %v, want ErrNoSecret", err)
				}
			}
		}
		if len(errs) != len(cv.records)-2 {
			t.Fatalf("%d records failed, want all but the two hellos", len(errs))
		}
	})
	t.Run("wrong secret", func(t *testing.T) {
		bad := cv.c.Secrets()
		bad.Secret = bytes.Repeat([]byte{1}, 32)
		s := NewSession(secretsLookup(bad), nil)
		for _, w := range cv.records[:3] {
			_, _, err := s.Record(w.fromClient, w.seq, w.rec)
			if !IsPlaintext(w.rec) && !errors.Is(err, ErrTagMismatch) {
				t.Fatalf("err = %v, want ErrTagMismatch", err)
			}
		}
	})
}

func TestEndpointErrors(t *testing.T) {
	if _, err := NewClient(Config{Mode: ModeZeroRTT}); err == nil {
		t.Error("0-RTT client without PSK accepted")
	}
	c, _ := NewClient(testConfig(1, ModeECDHE, nil))
	if _, err := c.Seal([]byte("x")); !errors.Is(err, errHandshake) {
		t.Errorf("Seal before handshake: %v", err)
	}
	if _, err := c.Finished(); !errors.Is(err, errHandshake) {
		t.Errorf("Finished before handshake: %v", err)
	}
	s := NewServer(testConfig(2, 0, nil))
	zc, _ := NewClient(testConfig(3, ModeZeroRTT, &PSK{Ticket: sampleTicket(1, 0)}))
	hello, _ := zc.Hello()
	if _, err := s.ReadClient(hello); !errors.Is(err, ErrNoSecret) {
		t.Errorf("unknown ticket: %v", err)
	}
	// A tampered server Finished fails.
	store := map[string][32]byte{}
	cv := newConversation(t, 7, ModeECDHE, nil, store)
	h, _ := cv.c.Hello()
	cv.s.ReadClient(h)
	flight, _ := cv.s.Flight()
	flight[len(flight)-1] ^= 1
	if _, err := cv.c.ReadServer(flight); !errors.Is(err, ErrTagMismatch) {
		t.Errorf("tampered flight: %v", err)
	}
}

// TestEndpointGolden pins the synthetic hellos and flights the endpoints
// produce from fixed seeds, so a change in message layout shows in review.
func TestEndpointGolden(t *testing.T) {
	store := map[string][32]byte{}
	var sb strings.Builder
	sb.WriteString("# endpoint records from fixed seeds (synthetic); regenerate with go test -run EndpointGolden -update\n")
	dump := func(name string, cv *conversation) {
		for _, w := range cv.records {
			if !IsPlaintext(w.rec) {
				continue
			}
			d := "server"
			if w.fromClient {
				d = "client"
			}
			fmt.Fprintf(&sb, ">>> %s %s seq %d %v\n%s", name, d, w.seq, w.rec.Type, hex.Dump(appendRecord(nil, w.rec)))
		}
	}
	cv := newConversation(t, 1, ModeECDHE, nil, store)
	cv.handshake1RTT(true)
	issueStore(store, cv.s.IssuedPSKs())
	dump("ECDHE", cv)
	psk := cv.c.IssuedPSKs()[0]
	z := newConversation(t, 2, ModeZeroRTT, &psk, store)
	b := must[[]byte](t)
	hello := z.sent(true, b(z.c.Hello()), nil)
	z.s.ReadClient(hello)
	z.sent(false, b(z.s.Flight()), nil)
	dump("0-RTT", z)
	checkGolden(t, "endpoint_hellos.golden", sb.String())
}

func BenchmarkHandshake(b *testing.B) {
	for _, mode := range []Mode{ModeECDHE, ModeZeroRTT} {
		b.Run(mode.String(), func(b *testing.B) {
			store := map[string][32]byte{}
			t := &testing.T{}
			first := newConversation(t, 1, ModeECDHE, nil, store)
			first.handshake1RTT(true)
			issueStore(store, first.s.IssuedPSKs())
			psk := first.c.IssuedPSKs()[0]
			run := func() int {
				cfg := testConfig(2, mode, &psk)
				c, _ := NewClient(cfg)
				s := NewServer(Config{Rand: cfg.Rand, LookupPSK: func(t []byte) ([32]byte, bool) { p, ok := store[string(t)]; return p, ok }})
				h, err := c.Hello()
				if err != nil {
					b.Fatal(err)
				}
				if _, err := s.ReadClient(h); err != nil {
					b.Fatal(err)
				}
				f, err := s.Flight()
				if err != nil {
					b.Fatal(err)
				}
				if _, err := c.ReadServer(f); err != nil {
					b.Fatal(err)
				}
				return len(h) + len(f)
			}
			b.SetBytes(int64(run())) // handshake bytes on the wire
			b.ReportAllocs()
			for b.Loop() {
				run()
			}
		})
	}
}
