package keylog

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wxaudit/wxaudit/mmtls"
)

func TestParseV2(t *testing.T) {
	aad := "0000000000000002" + "17f1040030"
	key := "000102030405060708090a0b0c0d0e0f"
	nonce := "a0a1a2a3a4a5a6a7a8a9aaab"
	tail := "0102030405060708"
	log := SecretsHeaderV2 + "\n" +
		"MMTLS_SECRET " + cr32 + " " + sec32 + " time=2026-12-02T10:00:01.5Z process=com.tencent.mm%3Aappbrand0 pid=4242 hook=export%3AHKDF conn=fd%3D88 future=ignored\n" +
		"MMTLS_RECORD " + aad + " " + key + " " + nonce + " " + tail + " dir=enc hook=symbol%3Ammcrypto%3A%3AAesGcmEncrypt\n" +
		"WECHAT_SESSION_KEY 772a5c27535048614365427b545e7a5b\n" + // attributes are optional
		"MMTLS_SECRET " + cr32 + " pid=1 " + sec32 + "\n" + // field after attributes
		"MMTLS_SECRET " + cr32 + " " + sec32 + " pid=x\n" + // bad attribute
		"FUTURE_LABEL 00 a=b\n"
	l, err := Parse(strings.NewReader(log))
	if err != nil {
		t.Fatal(err)
	}
	st := l.Stats()
	if st.ByKind["mmtls_secret"] != 1 || st.ByKind["outer"] != 1 || st.ByKind["session_key"] != 1 {
		t.Errorf("by kind = %v", st.ByKind)
	}
	if st.Malformed != 2 || st.Skipped[ErrUnknownLabel.Error()] != 1 {
		t.Errorf("malformed %d %v, skipped %v", st.Malformed, st.MalformedLines, st.Skipped)
	}
	var cr [32]byte
	copy(cr[:], dhex(cr32))
	m := l.SecretMeta(cr)
	if m == nil {
		t.Fatal("no meta for the secret")
	}
	want := Meta{Time: time.Date(2026, 12, 2, 10, 0, 1, 5e8, time.UTC), Process: "com.tencent.mm:appbrand0", PID: 4242, Hook: "export:HKDF", Conn: "fd=88", Line: 2}
	if *m != want {
		t.Errorf("meta = %+v, want %+v", *m, want)
	}
	var tl [8]byte
	copy(tl[:], dhex(tail))
	es := l.OuterByTail(tl)
	if len(es) != 1 || es[0].Seq != 2 || !es[0].Encrypt || es[0].Meta.Hook != "symbol:mmcrypto::AesGcmEncrypt" {
		t.Fatalf("record entry = %+v", es)
	}
	if es[0].BaseIV != mmtls.BaseIV(es[0].Nonce, 2) {
		t.Error("base IV is not nonce XOR seq")
	}
}

// A v1 log is read as before: attributes are not part of v1.
func TestParseV1RejectsAttributes(t *testing.T) {
	l, err := Parse(strings.NewReader(SecretsHeader + "\nMMTLS_SECRET " + cr32 + " " + sec32 + "\nMMTLS_SECRET " + cr32 + " " + sec32 + " pid=3\nMMTLS_RECORD 00\n"))
	if err != nil {
		t.Fatal(err)
	}
	st := l.Stats()
	if st.ByKind["mmtls_secret"] != 1 || st.Malformed != 1 || st.Skipped[ErrUnknownLabel.Error()] != 1 {
		t.Errorf("stats = %+v", st)
	}
	var cr [32]byte
	copy(cr[:], dhex(cr32))
	if l.SecretMeta(cr) != nil {
		t.Error("v1 line has metadata")
	}
}

func TestUnsupportedVersionLines(t *testing.T) {
	l, _ := Parse(strings.NewReader("# wxaudit-secrets v9\nMMTLS_SECRET " + cr32 + " " + sec32 + "\n" + SecretsHeaderV2 + "\nMMTLS_SECRET " + cr32 + " " + sec32 + "\n"))
	st := l.Stats()
	if st.Malformed != 2 || st.ByKind["mmtls_secret"] != 1 {
		t.Errorf("stats = %+v", st)
	}
}

func TestAppendAttrsRoundTrip(t *testing.T) {
	m := &Meta{Time: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC), Process: "com.tencent.mm:push", PID: 7, Hook: "jni:Java_x y", Conn: "a=b"}
	line := appendSecretsLine(nil, LabelSessionKey, make([]byte, 16))
	line = appendAttrs(line[:len(line)-1], m)
	e, err := ParseLineV2(line)
	if err != nil {
		t.Fatal(err)
	}
	if *e.Meta != *m {
		t.Errorf("got %+v, want %+v", *e.Meta, *m)
	}
}

func TestFollower(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "keys.log")
	fl := NewFollower([]string{p})
	defer fl.Close()
	if n, err := fl.Poll(); n != 0 || err != nil {
		t.Fatalf("missing file: %d %v", n, err)
	}
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	write := func(s string) {
		if _, err := f.WriteString(s); err != nil {
			t.Fatal(err)
		}
	}
	write(SecretsHeaderV2 + "\nWECHAT_SESSION_KEY 772a5c27535048614365427b545e7a5b pid=9\nMMTLS_SECRET " + cr32[:10])
	if n, _ := fl.Poll(); n != 1 {
		t.Fatalf("first poll added %d, want 1 (partial line kept back)", n)
	}
	write(cr32[10:] + " " + sec32 + " hook=h\n")
	if n, _ := fl.Poll(); n != 1 {
		t.Fatalf("second poll added %d, want 1", n)
	}
	var cr [32]byte
	copy(cr[:], dhex(cr32))
	if m := fl.Log().SecretMeta(cr); m == nil || m.Hook != "h" || m.Line != 3 {
		t.Errorf("meta = %+v", m)
	}
	write(strings.Repeat("A", MaxLineLen+10) + "\n")
	fl.Poll()
	if st := fl.Log().Stats(); st.Malformed != 1 || st.Lines != 4 {
		t.Errorf("stats after a long line = %+v", st)
	}
}

func FuzzParseLineV2(f *testing.F) {
	for _, s := range []string{
		"MMTLS_SECRET " + cr32 + " " + sec32 + " time=2026-12-02T10:00:01.5Z process=a%3Ab pid=3 hook=h conn=c",
		"MMTLS_RECORD 000000000000000217f1040030 000102030405060708090a0b0c0d0e0f a0a1a2a3a4a5a6a7a8a9aaab 0102030405060708 dir=enc",
		"WECHAT_SESSION_KEY 772a5c27535048614365427b545e7a5b x=%zz", SecretsHeaderV2, "A=b", "",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := ParseLineV2(b)
		if err != nil {
			if e.Kind != KindNone || e.Meta != nil || e.Secret != nil {
				t.Fatalf("non-zero entry on error: %+v", e)
			}
			return
		}
		if e.Meta == nil || e.Kind == KindNone {
			return
		}
		// The key fields and the attributes survive a rewrite.
		line := AppendLine(nil, e)
		if e.Kind != KindOuter {
			line = appendAttrs(bytes.TrimSuffix(line, []byte("\n")), e.Meta)
			again, err := ParseLineV2(line)
			if err != nil {
				t.Fatalf("reparse %q: %v", line, err)
			}
			m := *e.Meta
			if !m.Time.IsZero() {
				m.Time = m.Time.UTC()
			}
			var got Meta // attributes that are all empty or unknown are not written back
			if again.Meta != nil {
				got = *again.Meta
			}
			if !got.Time.Equal(m.Time) || got.Process != m.Process || got.PID != m.PID || got.Hook != m.Hook || got.Conn != m.Conn {
				t.Fatalf("meta %+v became %+v", m, got)
			}
		}
	})
}

func FuzzParsePSKFile(f *testing.F) {
	p := &StoredPSK{Secret: bytes.Repeat([]byte{7}, 32)}
	p.Ticket.Type, p.Ticket.Lifetime, p.Ticket.Nonce, p.Ticket.Ticket = 1, 604800, make([]byte, 12), []byte("ticket")
	f.Add(SealPSKFile(p, "m"), "m")
	f.Add([]byte("short"), "m")
	f.Fuzz(func(t *testing.T, b []byte, model string) {
		s, err := ParsePSKFile(b, model)
		if err != nil {
			return
		}
		again, err := ParsePSKFile(SealPSKFile(s, model), model)
		if err != nil || !bytes.Equal(again.Secret, s.Secret) || !bytes.Equal(again.Ticket.Ticket, s.Ticket.Ticket) {
			t.Fatalf("round trip: %v", err)
		}
	})
}
