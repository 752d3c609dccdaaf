package business

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wxaudit/wxaudit/internal/testkit"
	"github.com/wxaudit/wxaudit/keylog"
	"github.com/wxaudit/wxaudit/taxonomy"
)

var (
	synthSessionKey = [16]byte{0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01}
	synthK          = [16]byte{0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf}
	synthGCMKey     = [24]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24}
	synthUin        = uint32(123456789)
)

// sealPacket builds a business packet the way the app does: header lengths
// and signature from the plaintext, optional zlib, then the inner cipher.
func sealPacket(t testing.TB, algo Algo, reqType uint64, plaintext []byte, compress bool, sign bool) []byte {
	t.Helper()
	h := Header{Algo: algo, ClientVersion: 0x28001737, Uin: synthUin, Cookie: []byte("synthetic-ck"),
		ReqType: reqType, UncompressedLen: uint64(len(plaintext)), Field5: 2, Compress: CompressNone}
	body := plaintext
	if compress {
		body = zlibCompress(plaintext)
		h.Compress = CompressZlib
	}
	h.CompressedLen = uint64(len(body))
	if sign {
		h.Signature = uint64(Signature(plaintext, h.Uin, synthK[:]))
	}
	var ct []byte
	switch algo {
	case AlgoCBC:
		ct = SealCBC(synthSessionKey, body)
	case AlgoGCM:
		// algo 13 bodies are always zlib (doc/protocol.md §5).
		ct = SealGCM(synthGCMKey, [12]byte{0xc0, 0xff, 0xee}, nil, zlibCompress(plaintext))
		h.Compress = CompressNone
		h.CompressedLen = uint64(len(ct))
	default:
		ct = body
	}
	pkt, err := marshalHeader(h)
	if err != nil {
		t.Fatal(err)
	}
	return append(pkt, ct...)
}

func synthKeys() *keylog.Log {
	var l keylog.Log
	l.Add(keylog.Entry{Kind: keylog.KindSessionKey, Key16: synthSessionKey})
	l.Add(keylog.Entry{Kind: keylog.KindSessionKey, Key16: synthK})
	l.Add(keylog.Entry{Kind: keylog.KindGCMKey, Key24: synthGCMKey})
	return &l
}

func summarize(o Packet, err error) string {
	if err != nil {
		return "error: " + err.(*OpenError).Reason
	}
	var b strings.Builder
	fmt.Fprintf(&b, "algo %s req_type %d uin %d", o.Header.Algo, o.Header.ReqType, o.Header.Uin)
	if o.SignatureOK != nil {
		fmt.Fprintf(&b, " signature_ok %v", *o.SignatureOK)
	}
	if o.Learned {
		b.WriteString(" learned")
	}
	for _, p := range o.Parts {
		h := sha256.Sum256(p.Plaintext)
		fmt.Fprintf(&b, "\n  part %q inner %s compressed %v len %d sha256 %x", p.Name, p.Inner, p.Compressed, len(p.Plaintext), h[:8])
	}
	return b.String()
}

func TestGoldenSynthetic(t *testing.T) {
	plain := bytes.Repeat([]byte("\x0a\x05hello\x10\x01"), 20)
	cases := []struct {
		name string
		pkt  []byte
	}{
		{"cbc", sealPacket(t, AlgoCBC, 379, plain[:53], false, true)},
		{"cbc zlib", sealPacket(t, AlgoCBC, 3673, plain, true, true)},
		{"cbc unsigned response", sealPacket(t, AlgoCBC, 3673, plain[:30], false, false)},
		{"gcm newsync", sealPacket(t, AlgoGCM, 138, plain, false, true)},
		{"unknown algo", sealPacket(t, Algo(7), 1, plain[:10], false, false)},
	}
	var out strings.Builder
	out.WriteString("# business synthetic packets: keys synthSessionKey, synthK, synthGCMKey; Open with a fresh State\n")
	for _, c := range cases {
		o, err := Open(c.pkt, synthKeys(), &AuthState{})
		fmt.Fprintf(&out, "\n== %s\npacket %x\n%s\n", c.name, c.pkt, summarize(o, err))
	}
	env := AppendShortlinkRequest(nil, ShortlinkRequest{URI: "/cgi-bin/micromsg-bin/getcdndns", Host: "sgshort.wechat.com", Packet: cases[0].pkt})
	fmt.Fprintf(&out, "\n== shortlink envelope\n%x\n", env)
	ll := AppendLonglinkPacket(nil, LonglinkPacket{Version: LonglinkVersion, Cmd: CmdNewSync, Seq: 42, Body: cases[3].pkt})
	fmt.Fprintf(&out, "\n== longlink newsync\n%x\n", ll)
	got := out.String()

	golden := filepath.Join("testdata", "synthetic.golden")
	testkit.Golden(t, golden, got, *update)
}

func TestOpenReasons(t *testing.T) {
	plain := []byte("0123456789abcdefghij")
	good := sealPacket(t, AlgoCBC, 1, plain, false, true)
	hl := int(good[1] >> 2)
	flip := func(b []byte, i int) []byte {
		c := append([]byte(nil), b...)
		c[i] ^= 1
		return c
	}
	gcm := sealPacket(t, AlgoGCM, 138, plain, false, true)
	bomb := func() []byte {
		big := make([]byte, 4<<20)
		h := Header{Algo: AlgoCBC, Compress: CompressZlib, ReqType: 1, UncompressedLen: uint64(len(big))}
		z := zlibCompress(big)
		h.CompressedLen = uint64(len(z))
		pkt, _ := marshalHeader(h)
		return append(pkt, SealCBC(synthSessionKey, z)...)
	}()
	tests := []struct {
		name   string
		pkt    []byte
		keys   Keys
		st     *AuthState
		reason string
	}{
		{"ok", good, synthKeys(), nil, ""},
		{"no keys", good, nil, nil, taxonomy.ReasonNoKey},
		{"wrong key", good, fakeKeys{[]keylog.Entry{{Kind: keylog.KindSessionKey, Key16: [16]byte{1}}}}, nil, taxonomy.ReasonBadPadding},
		{"truncated header", good[:5], synthKeys(), nil, taxonomy.ReasonTruncated},
		{"bad magic", flip(good, 0), synthKeys(), nil, taxonomy.ReasonMalformed},
		{"cbc not whole blocks", good[:len(good)-1], synthKeys(), nil, taxonomy.ReasonTruncated},
		{"cbc empty body", good[:hl], synthKeys(), nil, taxonomy.ReasonTruncated},
		{"gcm tag", flip(gcm, len(gcm)-1), synthKeys(), nil, taxonomy.ReasonTagMismatch},
		{"gcm short", gcm[:int(gcm[1]>>2)+20], synthKeys(), nil, taxonomy.ReasonTruncated},
		{"gcm no key", gcm, nil, nil, taxonomy.ReasonNoKey},
		{"unknown algo", sealPacket(t, Algo(9), 1, plain, false, false), nil, nil, "unknown algo 0x9"},
		{"bomb", bomb, synthKeys(), &AuthState{MaxInflate: 1 << 20}, taxonomy.ReasonTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := Open(tt.pkt, tt.keys, tt.st)
			if tt.reason == "" {
				if err != nil {
					t.Fatal(err)
				}
				if o.SignatureOK == nil || !*o.SignatureOK || !bytes.Equal(o.Parts[0].Plaintext, plain) {
					t.Fatalf("opened %s", summarize(o, nil))
				}
				return
			}
			var oe *OpenError
			if !errors.As(err, &oe) || oe.Reason != tt.reason {
				t.Fatalf("err = %v, want reason %q", err, tt.reason)
			}
			if o.Parts != nil || o.Header.Cookie != nil {
				t.Fatalf("non-zero result on error")
			}
		})
	}
}

func TestSignatureState(t *testing.T) {
	plain := []byte("\x0a\x07payload") // protobuf: confirms the blind session key
	pkt := sealPacket(t, AlgoCBC, 1, plain, false, true)
	// Session key known, K not: signature unknown.
	var onlySession keylog.Log
	onlySession.Add(keylog.Entry{Kind: keylog.KindSessionKey, Key16: synthSessionKey})
	o, err := Open(pkt, &onlySession, &AuthState{})
	if err != nil || o.SignatureOK != nil {
		t.Fatalf("SignatureOK %v, %v; want nil", o.SignatureOK, err)
	}
	// A learned wrong K: signature false.
	o, err = Open(pkt, &onlySession, &AuthState{SignatureKeys: [][16]byte{{9}}})
	if err != nil || o.SignatureOK == nil || *o.SignatureOK {
		t.Fatalf("SignatureOK %v, %v; want false", o.SignatureOK, err)
	}
}

// TestHybridRoundTrip runs the synthetic algo-12 exchange: the client seals
// a request, the server opens it and answers with the auth secrets, and
// Open decrypts both with a Frida key log built from the blob keys, then
// learns the session key so a later CBC packet opens and verifies.
func TestHybridRoundTrip(t *testing.T) {
	server, err := NewHybridServerKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var cr [32]byte
	copy(cr[:], "client random for the synth test")
	payload := bytes.Repeat([]byte("auth request "), 50)
	body, client, blobs, err := SealHybridRequest(rand.Reader, server.Private.PublicKey(), cr, payload)
	if err != nil {
		t.Fatal(err)
	}
	gotCR, gotPayload, clientPub, err := server.OpenRequest(body)
	if err != nil || gotCR != cr || !bytes.Equal(gotPayload, payload) {
		t.Fatalf("server open: %v", err)
	}
	gcmUp, gcmDown := synthGCMKey, [24]byte{7}
	respPlain := append([]byte{0x0a, 0x02, 0x08, 0x00}, AuthResponseFields(synthK, synthSessionKey, &gcmUp, &gcmDown)...)
	respBody, respBlob, err := SealHybridResponse(rand.Reader, clientPub, cr, respPlain)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := client.openResponse(respBody); err != nil || !bytes.Equal(got, respPlain) {
		t.Fatalf("client open response: %v", err)
	}

	var buf bytes.Buffer
	fw := keylog.NewFridaWriter(&buf)
	for _, b := range blobs {
		fw.GCM(true, b.Key, b.IV, b.Tag, b.AAD, b.Tail)
	}
	fw.GCM(false, respBlob.Key, respBlob.IV, respBlob.Tag, respBlob.AAD, respBlob.Tail)
	encSK := SealCBC(synthK, synthSessionKey[:])
	fw.CBC(false, synthK, [8]byte(encSK[len(encSK)-8:]))
	l, err := keylog.Parse(&buf)
	if err != nil {
		t.Fatal(err)
	}

	wrap := func(b []byte) []byte {
		h := Header{Algo: AlgoHybrid, Compress: CompressNone, ReqType: 763, UncompressedLen: uint64(len(b)), CompressedLen: uint64(len(b)), KeyVersion: 10007}
		pkt, _ := marshalHeader(h)
		return append(pkt, b...)
	}
	st := &AuthState{}
	o, err := Open(wrap(body), l, st)
	if err != nil || len(o.Parts) != 3 {
		t.Fatalf("open request: %v", err)
	}
	for i, name := range []string{"client_random_1", "client_random_2", "payload"} {
		if o.Parts[i].Name != name || !o.Parts[i].Compressed || o.Parts[i].Inner != taxonomy.InnerAESGCM {
			t.Errorf("part %d: %+v", i, o.Parts[i])
		}
	}
	if !bytes.Equal(o.Parts[0].Plaintext, cr[:]) || !bytes.Equal(o.Parts[2].Plaintext, payload) {
		t.Errorf("request parts differ")
	}
	o, err = Open(wrap(respBody), l, st)
	if err != nil || !o.Learned || !bytes.Equal(o.Parts[0].Plaintext, respPlain) {
		t.Fatalf("open response: %v learned %v", err, o.Learned)
	}
	// Only the learned state now: CBC and GCM packets open and verify.
	for _, algo := range []Algo{AlgoCBC, AlgoGCM} {
		o, err = Open(sealPacket(t, algo, 1, []byte("later payload"), false, true), nil, st)
		if err != nil || o.SignatureOK == nil || !*o.SignatureOK {
			t.Fatalf("%s after auth: %v, sig %v", algo, err, o.SignatureOK)
		}
	}
	// The secrets-log path: bare GCM keys are tried with the synthetic AAD.
	var sec keylog.Log
	for _, b := range blobs {
		sec.Add(keylog.Entry{Kind: keylog.KindGCMKey, Key24: b.Key})
	}
	if o, err := Open(wrap(body), &sec, nil); err != nil || len(o.Parts) != 3 {
		t.Fatalf("open with bare GCM keys: %v", err)
	}
}

func FuzzOpen(f *testing.F) {
	f.Add(sealPacket(f, AlgoCBC, 1, []byte("abc"), false, true))
	f.Add(sealPacket(f, AlgoCBC, 1, bytes.Repeat([]byte("abc"), 30), true, true))
	f.Add(sealPacket(f, AlgoGCM, 138, []byte("newsync"), false, true))
	f.Add(testHeader)
	keys := synthKeys()
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<16 {
			return
		}
		o, err := Open(b, keys, &AuthState{MaxInflate: 1 << 20})
		if err != nil {
			var oe *OpenError
			if !errors.As(err, &oe) || oe.Reason == "" {
				t.Fatalf("untyped error %v", err)
			}
			if o.Parts != nil || o.SignatureOK != nil {
				t.Fatal("non-zero result on error")
			}
			return
		}
		if len(o.Parts) == 0 {
			t.Fatal("no parts on success")
		}
	})
}

func BenchmarkOpenCBC(b *testing.B) {
	r := mrand.New(mrand.NewPCG(1, 2))
	plain := make([]byte, 16<<10)
	for i := range plain {
		plain[i] = byte(r.Uint32())
	}
	pkt := sealPacket(b, AlgoCBC, 1, plain, false, false)
	keys := synthKeys()
	st := &AuthState{}
	b.SetBytes(int64(len(pkt)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Open(pkt, keys, st); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkInflate(b *testing.B) {
	plain := bytes.Repeat([]byte("\x0a\x05hello\x10\x01 some protobuf-ish text "), 2000)
	z := zlibCompress(plain)
	b.SetBytes(int64(len(plain)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := inflateZlib(z, DefaultMaxInflate, nil); err != nil {
			b.Fatal(err)
		}
	}
}
