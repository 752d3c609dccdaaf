package business

import (
	"bufio"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/wxaudit/wxaudit/keylog"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// This file tests against the Citizen Lab capture with test-local helpers
// (a naive pcap reassembler and MMTLS record opener) so that business does
// not depend on the capture, reassemble and mmtls packages. Only counts and
// hashes of real plaintext are asserted.

func loadKeylog(t testing.TB, dir string) *keylog.Log {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "frida-logged-in-all-keys.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	l, err := keylog.Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// readHexDump reads the fixtures' hex dumps: either "OFFSET[:]  XX XX …
// ascii" lines (at most 16 bytes a line) or bare hex bytes.
func readHexDump(t testing.TB, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []byte
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		if len(fields[0]) >= 4 && len(fields[0]) != 2 {
			fields = fields[1:] // offset column
			if len(fields) > 16 {
				fields = fields[:16]
			}
		}
		for _, fl := range fields {
			b, err := hex.DecodeString(fl)
			if err != nil || len(b) != 1 {
				break // ascii column
			}
			out = append(out, b[0])
		}
	}
	return out
}

type mmtlsRecord struct {
	typ  byte
	hdr  [5]byte
	body []byte
}

func splitRecords(b []byte) []mmtlsRecord {
	var out []mmtlsRecord
	for len(b) >= 5 {
		n := int(binary.BigEndian.Uint16(b[3:]))
		if len(b) < 5+n {
			break
		}
		var r mmtlsRecord
		r.typ = b[0]
		copy(r.hdr[:], b[:5])
		r.body = b[5 : 5+n]
		out = append(out, r)
		b = b[5+n:]
	}
	return out
}

// openRecord opens an MMTLS record with the OUTER key logged for its tail.
func openRecord(l *keylog.Log, r mmtlsRecord) ([]byte, bool) {
	if len(r.body) < 16 {
		return nil, false
	}
	var tail [8]byte
	copy(tail[:], r.body[len(r.body)-8:])
	for _, e := range l.OuterByTail(tail) {
		block, _ := aes.NewCipher(e.Key16[:])
		aead, _ := cipher.NewGCM(block)
		var aad [13]byte
		binary.BigEndian.PutUint64(aad[:], e.Seq)
		copy(aad[8:], r.hdr[:])
		if pt, err := aead.Open(nil, e.Nonce[:], r.body, aad[:]); err == nil {
			return pt, true
		}
	}
	return nil, false
}

type flowKey struct {
	src, dst string
	sp, dp   uint16
}

// readStreams returns the reassembled bytes of every TCP direction.
func readStreams(t testing.TB, path string) map[flowKey][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := pcapgo.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	segs := map[flowKey]map[uint32][]byte{}
	for {
		data, _, err := r.ReadPacketData()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		p := gopacket.NewPacket(data, layers.LayerTypeEthernet, gopacket.Default)
		ip, _ := p.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
		tcp, _ := p.Layer(layers.LayerTypeTCP).(*layers.TCP)
		if ip == nil || tcp == nil || len(tcp.Payload) == 0 {
			continue
		}
		k := flowKey{ip.SrcIP.String(), ip.DstIP.String(), uint16(tcp.SrcPort), uint16(tcp.DstPort)}
		if segs[k] == nil {
			segs[k] = map[uint32][]byte{}
		}
		if _, dup := segs[k][tcp.Seq]; !dup {
			segs[k][tcp.Seq] = append([]byte(nil), tcp.Payload...)
		}
	}
	out := map[flowKey][]byte{}
	for k, m := range segs {
		seqs := make([]uint32, 0, len(m))
		for s := range m {
			seqs = append(seqs, s)
		}
		sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
		var b []byte
		base := seqs[0]
		for _, s := range seqs {
			off := int(s - base)
			seg := m[s]
			if off > len(b) {
				break // gap
			}
			if end := off + len(seg); end > len(b) {
				b = append(b, seg[len(b)-off:]...)
			}
		}
		out[k] = b
	}
	return out
}

type realPayload struct {
	request bool
	uri     string
	part    Plaintext
	sigOK   *bool
}

// decryptCapture runs the capture through the records, the framing and
// Open in a deterministic order: the auth connection first (as in capture
// time), then the others by client port, each request before its response.
func decryptCapture(t testing.TB, dir string, inner func(*keylog.Log) Keys) ([]realPayload, map[string]int) {
	l := loadKeylog(t, dir)
	keys := inner(l)
	streams := readStreams(t, filepath.Join(dir, "capture-logged-in-all-keys.pcapng"))
	type conn struct {
		client, server flowKey
	}
	var conns []conn
	for k := range streams {
		if k.dp == 80 || k.dp == 8080 {
			conns = append(conns, conn{client: k, server: flowKey{k.dst, k.src, k.dp, k.sp}})
		}
	}
	// The auth exchange teaches the keys; open it first (a real decrypter
	// goes in capture-time order, which has the same effect).
	isAuth := func(c conn) bool {
		return bytes.Contains(streams[c.client], []byte("POST")) && authEnvelope(l, streams[c.client])
	}
	sort.Slice(conns, func(i, j int) bool {
		ai, aj := isAuth(conns[i]), isAuth(conns[j])
		if ai != aj {
			return ai
		}
		return conns[i].client.sp < conns[j].client.sp
	})
	st := &AuthState{}
	fails := map[string]int{}
	var out []realPayload
	emit := func(req bool, uri string, o Packet) {
		for _, p := range o.Parts {
			out = append(out, realPayload{request: req, uri: uri, part: p, sigOK: o.SignatureOK})
		}
	}
	for _, c := range conns {
		up, down := streams[c.client], streams[c.server]
		if bytes.HasPrefix(up, []byte("POST ")) || bytes.HasPrefix(up, []byte("GET ")) {
			if bytes.HasPrefix(up, []byte("GET ")) {
				continue // plain HTTP
			}
			req := appData(l, httpBody(up))
			if req == nil {
				continue
			}
			env, err := ParseShortlinkRequest(req)
			if err != nil {
				t.Fatalf("shortlink request: %v", err)
			}
			o, err := Open(env.Packet, keys, st)
			if err != nil {
				fails[err.(*OpenError).Reason]++
			} else {
				emit(true, env.URI, o)
			}
			if resp := appData(l, httpBody(down)); resp != nil {
				o, err := Open(resp, keys, st)
				if err != nil {
					fails[err.(*OpenError).Reason]++
				} else {
					emit(false, env.URI, o)
				}
			}
			continue
		}
		for i, dir := range [][]byte{up, down} {
			var r LonglinkReader
			for _, rec := range splitRecords(dir) {
				if rec.typ != 0x17 {
					continue
				}
				pt, ok := openRecord(l, rec)
				if !ok {
					continue
				}
				r.Write(pt)
				for {
					p, err := r.Next()
					if err == io.EOF {
						break
					}
					if err != nil {
						t.Fatal(err)
					}
					o, err := openLonglink(p, keys, st)
					if err != nil {
						fails[err.(*OpenError).Reason]++
						continue
					}
					emit(i == 0, p.Cmd.String(), o)
				}
			}
		}
	}
	return out, fails
}

func authEnvelope(l *keylog.Log, up []byte) bool {
	req := appData(l, httpBody(up))
	return req != nil && bytes.Contains(req, []byte("secautoauth"))
}

func httpBody(b []byte) []byte {
	if i := bytes.Index(b, []byte("\r\n\r\n")); i >= 0 {
		return b[i+4:]
	}
	return nil
}

// appData concatenates the opened application-data records of b.
func appData(l *keylog.Log, b []byte) []byte {
	var out []byte
	for _, r := range splitRecords(b) {
		if r.typ != 0x17 {
			continue
		}
		if pt, ok := openRecord(l, r); ok {
			out = append(out, pt...)
		}
	}
	return out
}

// TestRealCapture asserts doc/protocol.md §8: 42 payloads (32 AES-CBC, 4
// AES-GCM, 4 auth parts, 2 without inner encryption), 17 compressed, and
// every signed request verifies (21 of 21).
func TestRealCapture(t *testing.T) {
	dir := sharedDir(t)
	got, fails := decryptCapture(t, dir, func(l *keylog.Log) Keys { return l })
	counts := map[string]int{}
	compressed, signed, verified := 0, 0, 0
	for _, p := range got {
		k := p.part.Inner
		if p.part.Name != "" {
			k = "auth:" + p.part.Name
		}
		counts[k]++
		if p.part.Compressed {
			compressed++
		}
		if p.sigOK != nil {
			signed++
			if *p.sigOK {
				verified++
			}
		}
	}
	t.Logf("payloads %d by kind %v, failures %v", len(got), counts, fails)
	if len(got) != 42 {
		t.Errorf("payloads: %d, want 42", len(got))
	}
	want := map[string]int{taxonomy.InnerAESCBC: 32, taxonomy.InnerAESGCM: 4, taxonomy.InnerNone: 2,
		"auth:payload": 2, "auth:client_random_1": 1, "auth:client_random_2": 1}
	for k, n := range want {
		if counts[k] != n {
			t.Errorf("%s: %d, want %d", k, counts[k], n)
		}
	}
	if compressed != 17 {
		t.Errorf("compressed: %d, want 17", compressed)
	}
	if signed != 21 || verified != 21 {
		t.Errorf("signatures: %d of %d verify, want 21 of 21", verified, signed)
	}
}

// TestRealAutoauth checks the auth request against the published dumps:
// the envelope dump masks client version and uin; the plaintext dump masks
// the device id with 'A'. It also checks what the auth response teaches.
func TestRealAutoauth(t *testing.T) {
	dir := sharedDir(t)
	l := loadKeylog(t, dir)
	pkt := readHexDump(t, filepath.Join(dir, "autoauth-request-packet.hex"))
	env := appData(l, pkt)
	masked := readHexDump(t, filepath.Join(dir, "autoauth-request-inner-ciphertext.hex"))
	if len(env) != len(masked) || len(env) != 5448 {
		t.Fatalf("envelope %d bytes, dump %d", len(env), len(masked))
	}
	diff := 0
	for i := range env {
		if env[i] != masked[i] {
			if masked[i] != 'A' {
				t.Fatalf("envelope differs from dump at %d (not a mask)", i)
			}
			diff++
		}
	}
	if diff != 8 {
		t.Errorf("masked bytes in envelope dump: %d, want 8 (client version, uin)", diff)
	}
	req, err := ParseShortlinkRequest(env)
	if err != nil {
		t.Fatal(err)
	}
	if req.URI != "/cgi-bin/micromsg-bin/secautoauth" || req.Host != "sgshort.wechat.com" {
		t.Errorf("envelope %q %q", req.URI, req.Host)
	}
	st := &AuthState{}
	o, err := Open(req.Packet, l, st)
	if err != nil {
		t.Fatal(err)
	}
	if o.Header.Algo != AlgoHybrid || o.Header.ReqType != 763 || o.Header.KeyVersion != 10007 || len(o.Parts) != 3 {
		t.Fatalf("header %+v, %d parts", o.Header, len(o.Parts))
	}
	hb, err := parseHybridBody(req.Packet[len(req.Packet)-int(o.Header.CompressedLen):])
	if err != nil || hb.CurveNID != nidPrime256v1 || hb.Version != 1 || len(hb.Blobs) != 3 {
		t.Fatalf("hybrid body: %+v %v", hb, err)
	}
	want := readHexDump(t, filepath.Join(dir, "autoauth-request-packet-plaintext.hex"))
	var payload []byte
	for _, p := range o.Parts {
		if p.Name == "payload" {
			payload = p.Plaintext
		} else if len(p.Plaintext) != 32 || !p.Compressed {
			t.Errorf("%s: %d bytes", p.Name, len(p.Plaintext))
		}
	}
	if !bytes.Equal(o.Parts[0].Plaintext, o.Parts[1].Plaintext) {
		t.Errorf("the two client randoms differ")
	}
	if len(payload) != len(want) || len(want) != 5809 {
		t.Fatalf("payload %d bytes, dump %d", len(payload), len(want))
	}
	masks := 0
	got := append([]byte(nil), payload...)
	for i := range got {
		if got[i] != want[i] {
			if want[i] != 'A' {
				t.Fatalf("auth payload differs from dump at %d (not a mask)", i)
			}
			masks++
			got[i] = 'A'
		}
	}
	if masks != 29 {
		t.Errorf("masked bytes: %d, want 29", masks)
	}
	if sha256.Sum256(got) != sha256.Sum256(want) {
		t.Errorf("masked payload hash differs")
	}

	// The response teaches the session key, K and the GCM keys.
	resp := appData(l, readHexDump(t, filepath.Join(dir, "autoauth-response-packet.hex")))
	o, err = Open(resp, l, st)
	if err != nil {
		t.Fatal(err)
	}
	if !o.Learned || len(o.Parts) != 1 || o.Parts[0].Name != "payload" || len(o.Parts[0].Plaintext) != 22062 {
		t.Fatalf("response: learned %v, %d parts", o.Learned, len(o.Parts))
	}
	a, ok := learnFromAuthResponse(o.Parts[0].Plaintext, l)
	if !ok || len(a.GCMKeys) != 2 {
		t.Fatalf("LearnFromAuthResponse: %v, %d GCM keys", ok, len(a.GCMKeys))
	}
	// The learned keys are the ones the key log has for later payloads.
	if !hasKey(l.CBCKeys(), a.SessionKey) || !hasKey(l.CBCKeys(), a.SignatureKey) {
		t.Errorf("learned CBC keys not in the key log")
	}
	for _, g := range a.GCMKeys {
		found := false
		for _, e := range l.Entries() {
			found = found || (e.Kind == keylog.KindGCM && e.Key24 == g)
		}
		if !found {
			t.Errorf("learned GCM key not in the key log")
		}
	}
	if _, ok := learnFromAuthResponse(o.Parts[0].Plaintext, nil); ok {
		t.Errorf("learned without keys")
	}
}

func hasKey(ks [][16]byte, k [16]byte) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

// TestRealLearnedKeysSuffice: with only the auth exchange's inner key-log
// lines (the GCM lines of the hybrid blobs, and K as a secrets-log session
// key), every payload still opens and verifies from what the auth response
// teaches.
func TestRealLearnedKeysSuffice(t *testing.T) {
	dir := sharedDir(t)
	got, fails := decryptCapture(t, dir, func(full *keylog.Log) Keys {
		var minimal keylog.Log
		// learn K from the auth response with the full log.
		resp := appData(full, readHexDump(t, filepath.Join(dir, "autoauth-response-packet.hex")))
		a, ok := learnFromAuthResponse(mustPayload(t, resp, full), full)
		if !ok {
			t.Fatal("auth response teaches nothing")
		}
		k := a.SignatureKey
		for _, e := range full.Entries() {
			if e.Kind == keylog.KindGCM && len(e.AAD) > 0 {
				minimal.Add(e)
			}
		}
		minimal.Add(keylog.Entry{Kind: keylog.KindSessionKey, Key16: k})
		return &minimal
	})
	verified := 0
	for _, p := range got {
		if p.sigOK != nil && *p.sigOK {
			verified++
		}
	}
	if len(got) != 42 || len(fails) != 0 || verified != 21 {
		t.Errorf("minimal key log: %d payloads, %d signatures, failures %v", len(got), verified, fails)
	}
}

func mustPayload(t testing.TB, pkt []byte, keys Keys) []byte {
	t.Helper()
	o, err := Open(pkt, keys, nil)
	if err != nil || len(o.Parts) != 1 {
		t.Fatalf("open: %v", err)
	}
	return o.Parts[0].Plaintext
}
