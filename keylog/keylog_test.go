package keylog

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wxaudit/wxaudit/internal/fixtures"
	"github.com/wxaudit/wxaudit/internal/testkit"
	"github.com/wxaudit/wxaudit/mmtls"
)

var update = flag.Bool("update", false, "rewrite golden files")

// dhex decodes an annotated hex literal (see internal/testkit).
var dhex = testkit.Hex

// sharedDir returns the Citizen Lab fixture folder (see internal/fixtures).
func sharedDir(t testing.TB) string {
	t.Helper()
	return fixtures.Dir(t)
}

const (
	lineOuter  = `{"layer":"OUTER","encrypt":false,"nonce":"d5d1b2e41ffb525452f213ff","key":"3209e7f69259aca2159fe630f793a60b","metadata":"000000000000000116f104005e","tail":"f40aa1b750122d77"}`
	lineCBC    = `{"layer":"INNER","encrypt":false,"key":"000102030405060708090a0b0c0d0e0f","nonce":"000102030405060708090a0b0c0d0e0f","tail":"7d8f5c27d14b3e52"}`
	lineGCMEnc = `{"layer":"INNER","encrypt":true,"key":"000102030405060708090a0b0c0d0e0f1011121314151617","iv":"f4e74ac690ea9a754048110d","metadata":"aec8","tail":"f4e74ac690ea9a754048110d","tag":"4b7679111765aae145eae24f51331852"}`
	lineGCMDec = `{"layer":"INNER","encrypt":false,"key":"000102030405060708090a0b0c0d0e0f1011121314151617","iv":"9977ac15889d21bb0893dd99","metadata":"","tail":"55731e54e47be398","tag":"d20128c7bacedefe11269876c0884bc7"}`
	linePSKKey = `{"layer":"OUTER","encrypt":true,"nonce":"623864376537343535643438","key":"62386437653734353564343832363364","metadata":"","tail":"a1d87956ffd3ece3"}`
	cr32       = "0101010101010101010101010101010101010101010101010101010101010101"
	sec32      = "0202020202020202020202020202020202020202020202020202020202020202"
)

func TestParseLine(t *testing.T) {
	var outer Entry
	outer.Kind = KindOuter
	copy(outer.Key16[:], dhex("3209e7f69259aca2159fe630f793a60b"))
	copy(outer.Nonce[:], dhex("d5d1b2e41ffb525452f213ff"))
	copy(outer.BaseIV[:], dhex("d5d1b2e41ffb525452f213fe"))
	outer.Seq = 1
	copy(outer.Header[:], dhex("16f104005e"))
	copy(outer.Tail[:], dhex("f40aa1b750122d77"))

	cbc := Entry{Kind: KindCBC}
	copy(cbc.Key16[:], dhex("000102030405060708090a0b0c0d0e0f"))
	copy(cbc.Tail[:], dhex("7d8f5c27d14b3e52"))

	gcmEnc := Entry{Kind: KindGCM, Encrypt: true, TailIsIV: true, AAD: dhex("aec8")}
	copy(gcmEnc.Key24[:], dhex("000102030405060708090a0b0c0d0e0f1011121314151617"))
	copy(gcmEnc.IV[:], dhex("f4e74ac690ea9a754048110d"))
	copy(gcmEnc.Tag[:], dhex("4b7679111765aae145eae24f51331852"))

	gcmDec := Entry{Kind: KindGCM}
	copy(gcmDec.Key24[:], gcmEnc.Key24[:])
	copy(gcmDec.IV[:], dhex("9977ac15889d21bb0893dd99"))
	copy(gcmDec.Tag[:], dhex("d20128c7bacedefe11269876c0884bc7"))
	copy(gcmDec.Tail[:], dhex("55731e54e47be398"))

	secret := Entry{Kind: KindSecret, Secret: dhex(sec32)}
	copy(secret.ClientRandom[:], dhex(cr32))
	psk := secret
	psk.Kind = KindPSKAccess
	sk := Entry{Kind: KindSessionKey}
	copy(sk.Key16[:], dhex("772a5c27535048614365427b545e7a5b"))
	gk := Entry{Kind: KindGCMKey}
	copy(gk.Key24[:], gcmEnc.Key24[:])

	tests := []struct {
		name    string
		in      string
		want    Entry
		wantErr error // sentinel, or errMalformed for any *lineError
	}{
		{"outer", lineOuter, outer, nil},
		{"outer crlf", lineOuter + "\r", outer, nil},
		{"cbc", lineCBC, cbc, nil},
		{"gcm encrypt tail is iv", lineGCMEnc, gcmEnc, nil},
		{"gcm decrypt", lineGCMDec, gcmDec, nil},
		{"psk.key file", linePSKKey, Entry{}, ErrNotRecordKey},
		{"blank", "   ", Entry{}, nil},
		{"comment", "# hello", Entry{}, nil},
		{"header", SecretsHeader, Entry{}, nil},
		{"secret", "MMTLS_SECRET " + cr32 + " " + sec32, secret, nil},
		{"psk access", "MMTLS_PSK_ACCESS " + cr32 + " " + sec32 + "\r", psk, nil},
		{"session key", "WECHAT_SESSION_KEY 772A5C27535048614365427B545E7A5B", sk, nil},
		{"gcm key", "WECHAT_GCM_KEY 000102030405060708090a0b0c0d0e0f1011121314151617", gk, nil},
		{"unknown label", "MMTLS_FUTURE 00", Entry{}, ErrUnknownLabel},
		{"future version", "# wxaudit-secrets v3", Entry{}, errMalformed},
		{"garbage", "hello world", Entry{}, errMalformed},
		{"bad json", `{"layer":`, Entry{}, errMalformed},
		{"unknown layer", `{"layer":"MIDDLE","encrypt":true,"tail":"0000000000000000"}`, Entry{}, errMalformed},
		{"missing encrypt", `{"layer":"INNER","key":"000102030405060708090a0b0c0d0e0f","nonce":"000102030405060708090a0b0c0d0e0f","tail":"7d8f5c27d14b3e52"}`, Entry{}, errMalformed},
		{"short key", strings.Replace(lineOuter, "3209e7f6", "3209", 1), Entry{}, errMalformed},
		{"bad hex", strings.Replace(lineOuter, "3209e7f6", "3209e7fz", 1), Entry{}, errMalformed},
		{"short metadata", strings.Replace(lineOuter, "000000000000000116f104005e", "0001", 1), Entry{}, errMalformed},
		{"cbc nonce differs", strings.Replace(lineCBC, `"nonce":"00`, `"nonce":"ff`, 1), Entry{}, errMalformed},
		{"gcm 12-byte tail not iv", strings.Replace(lineGCMEnc, `"tail":"f4`, `"tail":"f5`, 1), Entry{}, errMalformed},
		{"secret one field", "MMTLS_SECRET " + cr32, Entry{}, errMalformed},
		{"secret short", "MMTLS_SECRET " + cr32 + " 0202", Entry{}, errMalformed},
		{"too long", "#" + strings.Repeat("x", MaxLineLen+1), Entry{}, errMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseLine([]byte(tt.in))
			switch {
			case tt.wantErr == errMalformed:
				var le *lineError
				if !errors.As(err, &le) {
					t.Fatalf("err = %v, want *LineError", err)
				}
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
			case err != nil:
				t.Fatalf("unexpected error %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("entry (-want +got):\n%s", diff)
			}
			if err == nil && got.Kind != KindNone {
				again, err := ParseLine(bytes.TrimSuffix(AppendLine(nil, got), []byte("\n")))
				if err != nil {
					t.Fatalf("reparse of AppendLine: %v", err)
				}
				if diff := cmp.Diff(got, again); diff != "" {
					t.Errorf("round trip (-want +got):\n%s", diff)
				}
			}
		})
	}
}

var errMalformed = errors.New("malformed")

// TestAppendLineFridaExact checks that the Frida writer reproduces the
// published line byte for byte (field order and hex case).
func TestAppendLineFridaExact(t *testing.T) {
	for _, in := range []string{lineOuter, lineCBC, lineGCMEnc} {
		e, err := ParseLine([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.TrimSuffix(string(AppendLine(nil, e)), "\n"); got != in {
			t.Errorf("got  %s\nwant %s", got, in)
		}
	}
}

// synthLog builds a synthetic log exercising every line shape and every
// tolerance rule.
func synthLog() string {
	return strings.Join([]string{
		lineOuter,
		"",
		lineCBC + "\r",
		lineOuter, // duplicate
		linePSKKey,
		`{"layer":"OUTER"`, // malformed
		lineGCMEnc,
		lineGCMDec,
		SecretsHeader,
		"# a comment",
		"MMTLS_SECRET " + cr32 + " " + sec32,
		"MMTLS_PSK_ACCESS " + cr32 + " " + sec32,
		"WECHAT_SESSION_KEY 772a5c27535048614365427b545e7a5b",
		"WECHAT_SESSION_KEY 000102030405060708090a0b0c0d0e0f", // same as the CBC key
		"WECHAT_GCM_KEY 000102030405060708090a0b0c0d0e0f1011121314151617",
		"MMTLS_NEXT_THING 00",
		"WECHAT_GCM_KEY 00",
		"#" + strings.Repeat("x", 70000), // longer than the read buffer
		lineCBC,                          // duplicate, no final newline
	}, "\n")
}

func TestParseSynthetic(t *testing.T) {
	l, err := Parse(strings.NewReader(synthLog()))
	if err != nil {
		t.Fatal(err)
	}
	got := "# keylog stats of synthLog()\n" + l.Stats().String()
	golden := filepath.Join("testdata", "synthetic.golden")
	testkit.Golden(t, golden, got, *update)

	var tail [8]byte
	copy(tail[:], dhex("f40aa1b750122d77"))
	if got := l.OuterByTail(tail); len(got) != 1 || got[0].Seq != 1 {
		t.Errorf("OuterByTail = %+v", got)
	}
	if n := len(l.outerPairs); n != 1 {
		t.Errorf("outerPairs: %d, want 1", n)
	}
	if n := len(l.CBCKeys()); n != 2 {
		t.Errorf("CBCKeys: %d, want 2 (one Frida, one more session key)", n)
	}
	var iv [12]byte
	copy(iv[:], dhex("f4e74ac690ea9a754048110d"))
	if n := len(l.GCMByIV(iv)); n != 1 {
		t.Errorf("GCMByIV: %d", n)
	}
	copy(tail[:], dhex("55731e54e47be398"))
	if n := len(l.GCMByTail(tail)); n != 1 {
		t.Errorf("GCMByTail: %d", n)
	}
	var cr [32]byte
	copy(cr[:], dhex(cr32))
	if s, ok := l.Secret(cr); !ok || hex.EncodeToString(s) != sec32 {
		t.Errorf("Secret missing")
	}
	if _, ok := l.PSKAccess(cr); !ok {
		t.Errorf("PSKAccess missing")
	}
	if len(l.GCMKeys()) != 1 {
		t.Errorf("GCMKeys: %d", len(l.GCMKeys()))
	}
}

// TestParseStrictPrefix: a strict prefix of a Frida line is never a key.
func TestParseStrictPrefix(t *testing.T) {
	for _, in := range []string{lineOuter, lineCBC, lineGCMEnc, lineGCMDec, "MMTLS_SECRET " + cr32 + " " + sec32} {
		for i := 1; i < len(in); i++ {
			e, err := ParseLine([]byte(in[:i]))
			if err == nil && e.Kind != KindNone {
				t.Fatalf("prefix %q parsed as %v", in[:i], e.Kind)
			}
		}
	}
}

func TestWriterRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	w := NewSecretsWriter(&buf)
	var cr, sec [32]byte
	cr[0], sec[0] = 1, 2
	var sk [16]byte
	var gk [24]byte
	sk[0], gk[0] = 3, 4
	for _, err := range []error{w.Secret(cr, sec), w.PSKAccess(cr, sec), w.SessionKey(sk), w.GCMKey(gk)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if !strings.HasPrefix(buf.String(), SecretsHeader+"\n") {
		t.Fatalf("missing header: %q", buf.String())
	}
	fw := NewFridaWriter(&buf)
	var key [16]byte
	var base [12]byte
	var tail [8]byte
	base[11] = 0xfe
	if err := fw.Outer(true, key, base, 5, [5]byte{0x17, 0xf1, 0x04, 0, 0x20}, tail); err != nil {
		t.Fatal(err)
	}
	if err := fw.CBC(false, sk, tail); err != nil {
		t.Fatal(err)
	}
	if err := fw.GCM(true, gk, [12]byte{9}, [16]byte{}, []byte{1}, tail); err != nil {
		t.Fatal(err)
	}
	l, err := Parse(&buf)
	if err != nil {
		t.Fatal(err)
	}
	st := l.Stats()
	want := map[string]int{"mmtls_secret": 1, "mmtls_psk_access": 1, "session_key": 1, "gcm_key": 1, "outer": 1, "cbc": 1, "gcm": 1}
	if diff := cmp.Diff(want, st.ByKind); diff != "" || st.Malformed != 0 {
		t.Errorf("kinds (-want +got):\n%s\nmalformed %d", diff, st.Malformed)
	}
	if p := l.outerPairs; len(p) != 1 || p[0].BaseIV != base {
		t.Errorf("base IV not recovered: %+v", p)
	}
}

type failWriter struct{ n int }

func (f *failWriter) Write(p []byte) (int, error) {
	f.n++
	return 0, errors.New("disk full")
}

func TestWriterStickyError(t *testing.T) {
	fw := &failWriter{}
	w := NewSecretsWriter(fw)
	if err := w.SessionKey([16]byte{}); err == nil {
		t.Fatal("want error")
	}
	if err := w.GCMKey([24]byte{}); err == nil || fw.n != 1 {
		t.Fatalf("err %v after %d writes, want sticky error after 1", err, fw.n)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("boom") }

func TestParseReadError(t *testing.T) {
	if l, err := Parse(errReader{}); err == nil || l != nil {
		t.Fatalf("Parse = %v, %v; want nil, error", l, err)
	}
}

// TestRealLog asserts the counts of the published Citizen Lab key log.
func TestRealLog(t *testing.T) {
	dir := sharedDir(t)
	b, err := os.ReadFile(filepath.Join(dir, "frida-logged-in-all-keys.log"))
	if err != nil {
		t.Fatal(err)
	}
	l, err := Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	st := l.Stats()
	if st.Lines != 162 || st.Duplicates != 8 || st.Malformed != 0 || st.Skipped["not a record key"] != 1 {
		t.Errorf("stats: %s", st)
	}
	want := map[string]int{"outer": 118, "cbc": 27, "gcm": 8}
	if diff := cmp.Diff(want, st.ByKind); diff != "" {
		t.Errorf("kinds (-want +got):\n%s", diff)
	}
	if n := len(l.outerPairs); n != 42 {
		t.Errorf("distinct (key, base IV) pairs: %d, want 42", n)
	}
	if n := len(l.CBCKeys()); n != 2 {
		t.Errorf("distinct CBC keys: %d, want 2", n)
	}
	// Every OUTER line's base IV must give back its own logged nonce.
	for _, e := range l.Entries() {
		if e.Kind == KindOuter && mmtls.RecordNonce(e.BaseIV, e.Seq) != e.Nonce {
			t.Fatalf("nonce rule broken for seq %d", e.Seq)
		}
	}
	// The log re-serialises byte for byte (modulo duplicates and the
	// skipped line): a hash over the distinct lines pins the writer.
	var out []byte
	for _, e := range l.Entries() {
		out = AppendLine(out, e)
	}
	var in []byte
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if seen[line] || line == linePSKKey {
			continue
		}
		seen[line] = true
		in = append(in, line+"\n"...)
	}
	if sha256.Sum256(in) != sha256.Sum256(out) {
		t.Errorf("re-serialised log differs from the distinct input lines")
	}
}

func FuzzParseLine(f *testing.F) {
	for _, s := range []string{lineOuter, lineCBC, lineGCMEnc, lineGCMDec, linePSKKey, SecretsHeader,
		"MMTLS_SECRET " + cr32 + " " + sec32, "WECHAT_GCM_KEY 000102030405060708090a0b0c0d0e0f1011121314151617", "{}", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := ParseLine(b)
		if err != nil {
			if e.Kind != KindNone || e.AAD != nil || e.Secret != nil {
				t.Fatalf("non-zero entry on error: %+v", e)
			}
			return
		}
		if e.Kind == KindNone {
			return
		}
		again, err := ParseLine(bytes.TrimSuffix(AppendLine(nil, e), []byte("\n")))
		if err != nil {
			t.Fatalf("reparse: %v", err)
		}
		if diff := cmp.Diff(e, again); diff != "" {
			t.Fatalf("round trip (-want +got):\n%s", diff)
		}
		// Parse over the same bytes must agree with ParseLine.
		l, err := Parse(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.ContainsAny(b, "\n") && l.Stats().ByKind[e.Kind.String()] != 1 {
			t.Fatalf("Parse and ParseLine disagree: %s", l.Stats())
		}
	})
}

func BenchmarkParse(b *testing.B) {
	var buf bytes.Buffer
	fw := NewFridaWriter(&buf)
	for i := range 10000 {
		var k [16]byte
		k[0], k[1] = byte(i), byte(i>>8)
		_ = fw.Outer(i%2 == 0, k, [12]byte{}, uint64(i), [5]byte{0x17, 0xf1, 0x04}, [8]byte{byte(i), byte(i >> 8)})
	}
	in := buf.Bytes()
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(bytes.NewReader(in)); err != nil {
			b.Fatal(err)
		}
	}
}
