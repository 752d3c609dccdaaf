package mmtls

import (
	"bufio"
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// This file is a test-only scan of the real Citizen Lab capture: a minimal
// per-connection TCP reassembly (enough for that well-behaved capture) so the
// record layer, hello parsers and key derivations can be checked on real
// bytes. Production reassembly lives in package reassemble.

// capturedConn is one TCP connection of the capture with its MMTLS records.
type capturedConn struct {
	client, server netip.AddrPort
	link           string      // "longlink", "shortlink", "http" or ""
	records        [2][]Record // [0] client to server, [1] server to client
	trailing       [2]int      // bytes after the last whole record
}

type segment struct {
	seq  uint32
	data []byte
}

func loadCapture(t testing.TB) []*capturedConn {
	t.Helper()
	path := filepath.Join(sharedDir(t), "capture-logged-in-all-keys.pcapng")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := newPcapReader(bufio.NewReader(f))
	if err != nil {
		t.Fatal(err)
	}
	type key struct{ a, b netip.AddrPort }
	type flow struct {
		client netip.AddrPort
		segs   map[netip.AddrPort][]segment // by sender
		order  int
	}
	flows := map[key]*flow{}
	for {
		data, err := r.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		pkt := gopacket.NewPacket(data, layers.LinkTypeEthernet, gopacket.NoCopy)
		tcpL, _ := pkt.Layer(layers.LayerTypeTCP).(*layers.TCP)
		if tcpL == nil {
			continue
		}
		var src, dst netip.Addr
		switch ip := pkt.NetworkLayer().(type) {
		case *layers.IPv4:
			src, _ = netip.AddrFromSlice(ip.SrcIP)
			dst, _ = netip.AddrFromSlice(ip.DstIP)
		case *layers.IPv6:
			src, _ = netip.AddrFromSlice(ip.SrcIP)
			dst, _ = netip.AddrFromSlice(ip.DstIP)
		default:
			continue
		}
		s := netip.AddrPortFrom(src, uint16(tcpL.SrcPort))
		d := netip.AddrPortFrom(dst, uint16(tcpL.DstPort))
		k := key{s, d}
		if s.String() > d.String() {
			k = key{d, s}
		}
		fl := flows[k]
		if fl == nil {
			fl = &flow{segs: map[netip.AddrPort][]segment{}, order: len(flows)}
			flows[k] = fl
		}
		if len(tcpL.Payload) == 0 {
			continue
		}
		if !fl.client.IsValid() {
			fl.client = s // the client speaks first in MMTLS, Shortlink and HTTP
		}
		fl.segs[s] = append(fl.segs[s], segment{tcpL.Seq, bytes.Clone(tcpL.Payload)})
	}
	var conns []*capturedConn
	ordered := make([]*flow, 0, len(flows))
	keys := map[*flow]key{}
	for k, fl := range flows {
		ordered = append(ordered, fl)
		keys[fl] = k
	}
	slices.SortFunc(ordered, func(a, b *flow) int { return cmp.Compare(a.order, b.order) })
	for _, fl := range ordered {
		k := keys[fl]
		c := &capturedConn{client: fl.client}
		c.server = k.a
		if k.a == fl.client {
			c.server = k.b
		}
		conns = append(conns, c)
		if !fl.client.IsValid() {
			continue
		}
		for dir, sender := range []netip.AddrPort{c.client, c.server} {
			stream := joinSegments(fl.segs[sender])
			switch {
			case dir == 0 && bytes.HasPrefix(stream, []byte("GET ")):
				c.link = "http"
				continue
			case bytes.HasPrefix(stream, []byte("POST ")), bytes.HasPrefix(stream, []byte("HTTP/")):
				if dir == 0 {
					c.link = "shortlink"
				}
				i := bytes.Index(stream, []byte("\r\n\r\n"))
				if i < 0 {
					continue
				}
				stream = stream[i+4:]
			case dir == 0:
				c.link = "longlink"
			}
			if c.link == "http" {
				continue
			}
			for len(stream) > 0 {
				rec, n, err := ParseRecord(stream)
				if err != nil {
					break
				}
				c.records[dir] = append(c.records[dir], rec)
				stream = stream[n:]
			}
			c.trailing[dir] = len(stream)
		}
	}
	return conns
}

// pcapReader reads a little- or big-endian classic pcap of Ethernet frames
// (the fixture's format; the project's reader lives in package capture).
type pcapReader struct {
	r     io.Reader
	order binary.ByteOrder
}

func newPcapReader(r io.Reader) (*pcapReader, error) {
	var hdr [24]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	p := &pcapReader{r: r}
	switch binary.LittleEndian.Uint32(hdr[:4]) {
	case 0xa1b2c3d4, 0xa1b23c4d:
		p.order = binary.LittleEndian
	case 0xd4c3b2a1, 0x4d3cb2a1:
		p.order = binary.BigEndian
	default:
		return nil, errors.New("not a classic pcap")
	}
	if lt := p.order.Uint32(hdr[20:]); lt != 1 {
		return nil, fmt.Errorf("link type %d, want Ethernet", lt)
	}
	return p, nil
}

func (p *pcapReader) next() ([]byte, error) {
	var hdr [16]byte
	if _, err := io.ReadFull(p.r, hdr[:]); err != nil {
		return nil, err
	}
	n := p.order.Uint32(hdr[8:])
	if n > 1<<18 {
		return nil, fmt.Errorf("packet of %d bytes", n)
	}
	b := make([]byte, n)
	_, err := io.ReadFull(p.r, b)
	return b, err
}

// joinSegments orders segments by sequence number (no wraparound in the
// fixture) and drops bytes already covered.
func joinSegments(segs []segment) []byte {
	slices.SortStableFunc(segs, func(a, b segment) int { return cmp.Compare(a.seq, b.seq) })
	var out []byte
	var next uint32
	for i, s := range segs {
		if i == 0 {
			next = s.seq
		}
		if s.seq+uint32(len(s.data)) <= next {
			continue
		}
		skip := int(next - s.seq)
		if s.seq > next {
			skip = 0 // a gap: keep going, parsing will stop there
		}
		out = append(out, s.data[skip:]...)
		next = s.seq + uint32(len(s.data))
	}
	return out
}

// outerKey is an OUTER line of the Citizen Lab key log.
type outerKey struct {
	Encrypt  bool   `json:"encrypt"`
	Key      string `json:"key"`
	Nonce    string `json:"nonce"`
	Metadata string `json:"metadata"`
	Tail     string `json:"tail"`
	Layer    string `json:"layer"`
}

func loadOuterKeys(t testing.TB) map[string][]outerKey {
	t.Helper()
	f, err := os.Open(filepath.Join(sharedDir(t), "frida-logged-in-all-keys.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	byTail := map[string][]outerKey{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var k outerKey
		if json.Unmarshal(sc.Bytes(), &k) != nil || k.Layer != "OUTER" {
			continue
		}
		byTail[k.Tail] = append(byTail[k.Tail], k)
	}
	return byTail
}

func mustHexArray[T ~[16]byte | ~[12]byte](t testing.TB, s string) T {
	t.Helper()
	b, err := hex.DecodeString(s)
	var z T
	if err != nil || len(b) != len(z) {
		t.Fatalf("bad hex %q", s)
	}
	return T(b)
}

func TestCaptureRecords(t *testing.T) {
	conns := loadCapture(t)
	byType := map[RecordType]int{}
	var total, plain, links = 0, 0, map[string]int{}
	for _, c := range conns {
		links[c.link]++
		for dir := range 2 {
			if c.trailing[dir] != 0 {
				t.Errorf("%v dir %d: %d bytes after the last record", c.client, dir, c.trailing[dir])
			}
			for _, rec := range c.records[dir] {
				byType[rec.Type]++
				total++
				if IsPlaintext(rec) {
					plain++
				}
			}
		}
	}
	// doc/protocol.md §8 (measured).
	if len(conns) != 34 || links["shortlink"] != 25 || links["longlink"] != 2 || links["http"] != 2 {
		t.Errorf("connections %d by link %v, want 34 (25 shortlink, 2 longlink, 2 http)", len(conns), links)
	}
	want := map[RecordType]int{RecordTypeHandshake: 61, RecordTypeEarlyHandshake: 46, RecordTypeData: 50, RecordTypeAlert: 47}
	for typ, n := range want {
		if byType[typ] != n {
			t.Errorf("%v records: got %d, want %d", typ, byType[typ], n)
		}
	}
	if total != 204 || plain != 54 {
		t.Errorf("records %d (plaintext %d), want 204 (54)", total, plain)
	}
}

// TestCaptureKeyLog opens every record the Citizen Lab key log has a line
// for, with the logged key and the base IV recovered from the logged nonce,
// and checks the measured facts: the logged sequence number is the record's
// index in its direction, and one key and base IV open every record of the
// direction that shares them.
func TestCaptureKeyLog(t *testing.T) {
	conns := loadCapture(t)
	byTail := loadOuterKeys(t)
	opened := 0
	for _, c := range conns {
		for dir := range 2 {
			for seq, rec := range c.records[dir] {
				if IsPlaintext(rec) || len(rec.Body) < TagLen {
					continue
				}
				tail := hex.EncodeToString(rec.Body[len(rec.Body)-8:])
				for _, k := range byTail[tail] {
					meta, _ := hex.DecodeString(k.Metadata)
					if len(meta) != aadLen {
						continue
					}
					loggedSeq := uint64(0)
					for _, b := range meta[:8] {
						loggedSeq = loggedSeq<<8 | uint64(b)
					}
					if loggedSeq != uint64(seq) {
						t.Errorf("%v dir %d record %d: logged seq %d", c.client, dir, seq, loggedSeq)
					}
					key := mustHexArray[[16]byte](t, k.Key)
					iv := BaseIV(mustHexArray[[12]byte](t, k.Nonce), loggedSeq)
					aad := recordAAD(uint64(seq), rec.Type, rec.Version, len(rec.Body))
					if !bytes.Equal(aad[:], meta) {
						t.Errorf("record %d: aad %x, logged %x", seq, aad, meta)
					}
					if _, err := openRecordWithKey(key, iv, uint64(seq), rec, nil); err != nil {
						t.Errorf("%v dir %d record %d: %v", c.client, dir, seq, err)
						continue
					}
					opened++
					break
				}
			}
		}
	}
	if opened != 117 {
		t.Errorf("opened %d records with the key log, want 117", opened)
	}
}

// openLogged opens rec (sequence number seq) with a key-log line for it.
func openLogged(t testing.TB, byTail map[string][]outerKey, seq int, rec Record) ([]byte, bool) {
	if IsPlaintext(rec) || len(rec.Body) < TagLen {
		return nil, false
	}
	for _, k := range byTail[hex.EncodeToString(rec.Body[len(rec.Body)-8:])] {
		iv := BaseIV(mustHexArray[[12]byte](t, k.Nonce), uint64(seq))
		if pt, err := openRecordWithKey(mustHexArray[[16]byte](t, k.Key), iv, uint64(seq), rec, nil); err == nil {
			return pt, true
		}
	}
	return nil, false
}

// TestCaptureHandshakeMessages parses every plaintext hello and alert of the
// real capture, and every handshake message the key log decrypts, and checks
// that each marshals back to the same bytes. Only counts and a hash of the
// plaintext-record bodies are asserted (the bodies are public ciphertext
// framing, but the rule is: no real plaintext in the repository).
func TestCaptureHandshakeMessages(t *testing.T) {
	conns := loadCapture(t)
	byTail := loadOuterKeys(t)
	counts := map[string]int{}
	check := func(where string, rec Record, body []byte) {
		if rec.Type == RecordTypeAlert {
			a, err := parseAlert(body)
			if err != nil {
				t.Errorf("%s: %v", where, err)
				return
			}
			counts[a.String()]++
			return
		}
		typ, err := PeekHandshakeType(body)
		if err != nil {
			t.Errorf("%s: %v", where, err)
			return
		}
		got, err := parseAndMarshal(typ, body)
		if err != nil {
			t.Errorf("%s: %v: %v", where, typ, err)
			return
		}
		if !bytes.Equal(got, body) {
			t.Errorf("%s: %v does not round trip", where, typ)
		}
		counts[typ.String()]++
		switch typ {
		case HandshakeTypeClientHello:
			ch, _ := ParseClientHello(body)
			if ks, ok := ch.KeyShare(); ok {
				for _, s := range ks.Shares {
					if len(s.Point) != p256PointLen || s.Point[0] != 4 {
						t.Errorf("%s: key share point of %d bytes", where, len(s.Point))
					}
				}
				counts["ClientHello/key_share"]++
			}
			if psk, ok := ch.PreSharedKey(); ok && len(psk.Tickets) == 1 {
				counts["ClientHello/pre_shared_key"]++
			}
		case HandshakeTypeServerHello:
			sh, _ := ParseServerHello(body)
			if _, ok := sh.KeyShare(); ok {
				counts["ServerHello/key_share"]++
			}
		}
	}
	h := sha256.New()
	for ci, c := range conns {
		for dir := range 2 {
			for seq, rec := range c.records[dir] {
				where := fmt.Sprintf("conn %d dir %d record %d", ci, dir, seq)
				if IsPlaintext(rec) {
					h.Write(rec.Body)
					check(where, rec, rec.Body)
					continue
				}
				if rec.Type == RecordTypeData {
					continue
				}
				if pt, ok := openLogged(t, byTail, seq, rec); ok {
					check(where+" (decrypted)", rec, pt)
				}
			}
		}
	}
	want := map[string]int{
		"ClientHello": 27, "ClientHello/key_share": 2, "ClientHello/pre_shared_key": 27,
		"ServerHello": 26, "ServerHello/key_share": 2, "alert 0x0073 (fatal)": 1,
		// decrypted with the key log
		"EncryptedExtensions": 21, "CertificateVerify": 1, "NewSessionTicket": 1, "Finished": 18,
		"close notify (warning)": 36, // 21+18+1+1+36 = 77, plus 40 data records = the 117 of doc/protocol.md §8
	}
	if diff := gocmp.Diff(want, counts); diff != "" {
		t.Errorf("message counts (-want +got):\n%s", diff)
	}
	const wantHash = "2ebb3d9e4e9ccf63fbfdbc118ba2be66fcaa4c993b05f86f45d53bca275686a5"
	if got := hex.EncodeToString(h.Sum(nil)); got != wantHash {
		t.Errorf("sha256 of plaintext record bodies = %s, want %s", got, wantHash)
	}
}

// TestCaptureSessionNoSecrets runs Session over the real capture without
// any secrets: every plaintext record passes (hellos parsed, modes learned)
// and every encrypted one reports ErrNoSecret.
func TestCaptureSessionNoSecrets(t *testing.T) {
	conns := loadCapture(t)
	kinds := map[string]int{}
	modes := map[Mode]int{}
	for _, c := range conns {
		s := NewSession(func([32]byte) (ConnSecrets, bool) { return ConnSecrets{}, false }, nil)
		// Shortlink order: the request, then the response.
		for dir := range 2 {
			for seq, rec := range c.records[dir] {
				_, kind, err := s.Record(dir == 0, uint64(seq), rec)
				switch {
				case err == nil:
					kinds[kind.String()]++
				case errors.Is(err, ErrNoSecret):
					kinds["no secret"]++
				default:
					t.Errorf("%v dir %d seq %d: %v", c.client, dir, seq, err)
				}
			}
		}
		if len(c.records[0]) > 0 {
			modes[s.Mode()]++
		}
	}
	if diff := gocmp.Diff(map[string]int{"clear": 54, "no secret": 150}, kinds); diff != "" {
		t.Errorf("record outcomes (-want +got):\n%s", diff)
	}
	// 23 0-RTT Shortlinks, 2 ECDHE Shortlinks, the PSK Longlink, and the
	// rejected Longlink (its ServerHello never came: mode unknown).
	if diff := gocmp.Diff(map[Mode]int{ModeZeroRTT: 23, ModeECDHE: 2, ModePSK: 1, ModeUnknown: 1}, modes); diff != "" {
		t.Errorf("modes (-want +got):\n%s", diff)
	}
}
