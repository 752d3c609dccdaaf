package mmtls

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Synthetic messages shaped like the measured ones (fixed, made-up bytes).
func sampleTicket(typ uint8, ageAdd int) SessionTicket {
	return SessionTicket{
		Type: typ, Lifetime: 604800, AgeAdd: bytes.Repeat([]byte{0xaa}, ageAdd), Reserved: 0x3d,
		Nonce: bytes.Repeat([]byte{0x11}, 12), Ticket: bytes.Repeat([]byte{0x22}, 72),
	}
}

func samplePoint(b byte) []byte {
	p := bytes.Repeat([]byte{b}, p256PointLen)
	p[0] = 4
	return p
}

func sampleMessages() []struct {
	name  string
	typ   HandshakeType
	bytes []byte
} {
	random := [32]byte(bytes.Repeat([]byte{0x5a}, 32))
	chECDHE := &ClientHello{
		Version: recordVersion, CipherSuites: []CipherSuite{cipherSuiteECDHE, cipherSuitePSK}, Random: random, Timestamp: 0x656e783b,
		Extensions: []Extension{
			PreSharedKeyExtension{Tickets: []SessionTicket{sampleTicket(2, 0)}}.extension(),
			KeyShareExtension{Shares: []KeyShare{{5, samplePoint(1)}, {6, samplePoint(2)}}, Values: []uint32{3, 4}}.extension(),
		},
	}
	ch0RTT := &ClientHello{
		Version: recordVersion, CipherSuites: []CipherSuite{cipherSuitePSK}, Random: random, Timestamp: 0x656e783c,
		Extensions: []Extension{PreSharedKeyExtension{Tickets: []SessionTicket{sampleTicket(1, 0)}}.extension()},
	}
	shECDHE := &ServerHello{
		Version: recordVersion, CipherSuite: cipherSuiteECDHE, Random: random,
		Extensions: []Extension{KeyShare{5, samplePoint(3)}.extension(), {Type: 0x13, Data: dhex("00000001 00000003")}},
	}
	shPSK := &ServerHello{Version: recordVersion, CipherSuite: cipherSuitePSK, Random: random}
	return []struct {
		name  string
		typ   HandshakeType
		bytes []byte
	}{
		{"ClientHello/ECDHE", HandshakeTypeClientHello, chECDHE.marshal()},
		{"ClientHello/0-RTT", HandshakeTypeClientHello, ch0RTT.marshal()},
		{"ServerHello/ECDHE", HandshakeTypeServerHello, shECDHE.marshal()},
		{"ServerHello/PSK", HandshakeTypeServerHello, shPSK.marshal()},
		{"EncryptedExtensions", handshakeTypeEncryptedExtensions, (&encryptedExtensions{Extensions: []Extension{earlyDataExtension{0x656e783c}.extension()}}).marshal()},
		{"CertificateVerify", handshakeTypeCertificateVerify, (&certificateVerify{Signature: bytes.Repeat([]byte{0x30}, 71)}).marshal()},
		{"NewSessionTicket", handshakeTypeNewSessionTicket, (&newSessionTicket{Tickets: []SessionTicket{sampleTicket(1, 0), sampleTicket(2, 32)}}).marshal()},
		{"Finished", handshakeTypeFinished, (&finished{VerifyData: bytes.Repeat([]byte{0xf1}, 32)}).marshal()},
	}
}

// parseAndMarshal parses b as a message of type t and marshals it back.
func parseAndMarshal(t HandshakeType, b []byte) ([]byte, error) {
	switch t {
	case HandshakeTypeClientHello:
		m, err := ParseClientHello(b)
		if err != nil {
			return nil, err
		}
		return m.marshal(), nil
	case HandshakeTypeServerHello:
		m, err := ParseServerHello(b)
		if err != nil {
			return nil, err
		}
		return m.marshal(), nil
	case handshakeTypeEncryptedExtensions:
		m, err := parseEncryptedExtensions(b)
		if err != nil {
			return nil, err
		}
		return m.marshal(), nil
	case handshakeTypeCertificateVerify:
		m, err := parseCertificateVerify(b)
		if err != nil {
			return nil, err
		}
		return m.marshal(), nil
	case handshakeTypeNewSessionTicket:
		m, err := parseNewSessionTicket(b)
		if err != nil {
			return nil, err
		}
		return m.marshal(), nil
	case handshakeTypeFinished:
		m, err := parseFinished(b)
		if err != nil {
			return nil, err
		}
		return m.marshal(), nil
	}
	return nil, fmt.Errorf("no parser for %v", t)
}

func TestHandshakeMessagesRoundTrip(t *testing.T) {
	for _, m := range sampleMessages() {
		t.Run(m.name, func(t *testing.T) {
			typ, err := PeekHandshakeType(m.bytes)
			if err != nil || typ != m.typ {
				t.Fatalf("PeekHandshakeType = %v, %v", typ, err)
			}
			got, err := parseAndMarshal(m.typ, m.bytes)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, m.bytes) {
				t.Fatalf("got %x, want %x", got, m.bytes)
			}
		})
	}
}

func TestHandshakeMessagesStrictPrefix(t *testing.T) {
	for _, m := range sampleMessages() {
		for i := range len(m.bytes) {
			if _, err := parseAndMarshal(m.typ, m.bytes[:i]); err == nil {
				t.Fatalf("%s: prefix of %d/%d bytes parsed", m.name, i, len(m.bytes))
			}
		}
	}
}

func TestHandshakeMessagesGolden(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("# synthetic handshake messages, marshalled; regenerate with go test -run Golden -update\n")
	for _, m := range sampleMessages() {
		fmt.Fprintf(&sb, ">>> %s\n%s", m.name, hex.Dump(m.bytes))
	}
	checkGolden(t, "handshake_messages.golden", sb.String())
}

// checkGolden compares got with testdata/name, rewriting it under -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", name, diff)
	}
}

func TestParseClientHelloFields(t *testing.T) {
	m := sampleMessages()[0]
	ch, err := ParseClientHello(m.bytes)
	if err != nil {
		t.Fatal(err)
	}
	psk, ok := ch.PreSharedKey()
	if !ok || len(psk.Tickets) != 1 || psk.Tickets[0].Type != 2 {
		t.Fatalf("PreSharedKey = %+v, %v", psk, ok)
	}
	ks, ok := ch.KeyShare()
	if !ok || len(ks.Shares) != 2 || ks.Shares[1].ID != 6 || len(ks.Shares[0].Point) != p256PointLen ||
		!cmp.Equal(ks.Values, []uint32{3, 4}) {
		t.Fatalf("KeyShare = %+v, %v", ks, ok)
	}
	sh, err := ParseServerHello(sampleMessages()[2].bytes)
	if err != nil {
		t.Fatal(err)
	}
	if k, ok := sh.KeyShare(); !ok || k.ID != 5 {
		t.Fatalf("ServerHello.KeyShare = %+v, %v", k, ok)
	}
}

func TestParseMessageErrors(t *testing.T) {
	tests := []struct {
		name    string
		typ     HandshakeType
		in      []byte
		wantErr error
	}{
		{"empty", HandshakeTypeClientHello, nil, io.ErrUnexpectedEOF},
		{"length overruns", handshakeTypeFinished, dhex("00000010 14 0001 00"), io.ErrUnexpectedEOF},
		{"trailing after message", handshakeTypeFinished, dhex("00000004 14 0001 00 ff"), errMalformed},
		{"wrong type", HandshakeTypeServerHello, dhex("00000004 14 0001 00"), errUnexpectedMessage},
		{"field overruns", handshakeTypeFinished, dhex("00000004 14 0005 00"), errMalformed},
		{"suite count overruns", HandshakeTypeClientHello, dhex("00000004 01 04f1 ff"), errMalformed},
		{"extension count overruns", handshakeTypeEncryptedExtensions, dhex("00000006 08 00000001 05"), errMalformed},
		{"extension length overruns", handshakeTypeEncryptedExtensions, dhex("0000000b 08 00000006 01 ffffffff 0012"), errMalformed},
		{"bad early data", handshakeTypeEncryptedExtensions, dhex("0000000d 08 00000008 01 00000003 0012 00"), errMalformed},
		{"ticket count overruns", handshakeTypeNewSessionTicket, dhex("00000002 04 03"), errMalformed},
		{"ticket length huge", handshakeTypeNewSessionTicket, dhex("00000006 04 01 ffffffff"), errMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseAndMarshal(tt.typ, tt.in)
			if !errors.Is(err, tt.wantErr) || got != nil {
				t.Fatalf("got %x, %v; want %v", got, err, tt.wantErr)
			}
			var pe *parseError
			if tt.wantErr != io.ErrUnexpectedEOF && (!errors.As(err, &pe) || pe.Offset < 0 || pe.Offset > int64(len(tt.in))) {
				t.Fatalf("err %v: want a *ParseError with an offset inside the input", err)
			}
		})
	}
}

func TestAlert(t *testing.T) {
	tests := []struct {
		in   []byte
		want *alert
	}{
		{dhex("00000003 000101"), &closeNotify},
		{dhex("00000003 007302"), &alert{0x73, alertLevelFatal}},
		{dhex("00000002 0001"), nil},
		{dhex("00000004 00010100"), nil},
		{dhex("000000"), nil},
	}
	for _, tt := range tests {
		got, err := parseAlert(tt.in)
		if tt.want == nil {
			if err == nil {
				t.Errorf("%x: parsed %v", tt.in, got)
			}
			continue
		}
		if err != nil || got != *tt.want || !bytes.Equal(got.marshal(), tt.in) {
			t.Errorf("%x: got %v, %v", tt.in, got, err)
		}
	}
	if s := (alert{0x73, alertLevelFatal}).String(); s != "alert 0x0073 (fatal)" {
		t.Errorf("String = %q", s)
	}
}

func fuzzMessage(f *testing.F, typ HandshakeType) {
	for _, m := range sampleMessages() {
		f.Add(m.bytes)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<16 {
			t.Skip()
		}
		got, err := parseAndMarshal(typ, b)
		if err != nil {
			if got != nil {
				t.Fatal("result with error")
			}
			return
		}
		if !bytes.Equal(got, b) {
			t.Fatalf("round trip: %x != %x", got, b)
		}
	})
}

func FuzzClientHello(f *testing.F)         { fuzzMessage(f, HandshakeTypeClientHello) }
func FuzzServerHello(f *testing.F)         { fuzzMessage(f, HandshakeTypeServerHello) }
func FuzzEncryptedExtensions(f *testing.F) { fuzzMessage(f, handshakeTypeEncryptedExtensions) }
func FuzzNewSessionTicket(f *testing.F)    { fuzzMessage(f, handshakeTypeNewSessionTicket) }
func FuzzCertificateVerify(f *testing.F)   { fuzzMessage(f, handshakeTypeCertificateVerify) }
func FuzzFinished(f *testing.F)            { fuzzMessage(f, handshakeTypeFinished) }

func FuzzAlert(f *testing.F) {
	f.Add(dhex("00000003 000101"))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := parseAlert(b)
		if err != nil {
			if a != (alert{}) {
				t.Fatal("result with error")
			}
			return
		}
		if !bytes.Equal(a.marshal(), b) {
			t.Fatalf("round trip %x", b)
		}
	})
}

func BenchmarkParseClientHello(b *testing.B) {
	in := sampleMessages()[0].bytes
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseClientHello(in); err != nil {
			b.Fatal(err)
		}
	}
}
