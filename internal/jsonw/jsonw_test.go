package jsonw

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"math"
	"slices"
	"testing"
)

// stdString is what encoding/json writes for s.
func stdString(t testing.TB, s string, escapeHTML bool) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

var strings = []string{
	"", "plain", `quote " and \ backslash`, "\x00\x01\b\f\n\r\t\x1f\x7f",
	"<script>&amp;</script>", "héllo wörld 中文 😀", "\u2028\u2029", "bad \xff\xfe utf8 \xc3",
	"truncated \xe4\xb8", "/cgi-bin/micromsg-bin/newsync?a=1&b=<2>", "\xed\xa0\x80 surrogate",
}

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range strings {
		for _, html := range []bool{false, true} {
			want := stdString(t, s, html)
			if got := AppendString(nil, s, html); !bytes.Equal(got, want) {
				t.Errorf("AppendString(%q, html=%v) = %s, want %s", s, html, got, want)
			}
			if got := AppendString([]byte("x"), []byte(s), html); !bytes.Equal(got[1:], want) {
				t.Errorf("AppendString([]byte %q, html=%v) = %s, want %s", s, html, got[1:], want)
			}
		}
	}
}

func TestAppendFloatMatchesEncodingJSON(t *testing.T) {
	for _, f := range []float64{0, math.Copysign(0, -1), 1, -1, 0.5, 0.95, 1e-6, 9.99e-7, 1e-7, 1.5e-10, 1e20, 1e21, 1.23e21, -3e-300, math.MaxFloat64, math.SmallestNonzeroFloat64, 123456789.125, 1.0 / 3} {
		want, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := AppendFloat(nil, f)
		if !ok || !bytes.Equal(got, want) {
			t.Errorf("AppendFloat(%v) = %s %v, want %s", f, got, ok, want)
		}
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if _, ok := AppendFloat(nil, f); ok {
			t.Errorf("AppendFloat(%v) accepted", f)
		}
	}
}

func TestAppendHexString(t *testing.T) {
	if got := string(AppendHexString(nil, []byte{0, 0xab, 0xff})); got != `"00abff"` {
		t.Errorf("got %s", got)
	}
	if got := string(AppendHexString(nil, nil)); got != `""` {
		t.Errorf("got %s", got)
	}
}

// TestAppendHexStringMatchesEncodingHex checks every byte value in every
// position of the 4-byte step, and every tail length.
func TestAppendHexStringMatchesEncodingHex(t *testing.T) {
	for n := range 13 {
		for v := range 256 {
			b := make([]byte, n)
			for i := range b {
				b[i] = byte(v + 37*i)
			}
			checkHex(t, []byte("x"), b)
		}
	}
}

func checkHex(t *testing.T, dst, b []byte) {
	t.Helper()
	want := append(append(append(slices.Clone(dst), '"'), hex.EncodeToString(b)...), '"')
	if got := AppendHexString(slices.Clone(dst), b); !bytes.Equal(got, want) {
		t.Fatalf("AppendHexString(%q, %x) = %s, want %s", dst, b, got, want)
	}
}

func FuzzAppendHexString(f *testing.F) {
	f.Add([]byte("{"), []byte{0, 0x9a, 0xab, 0xff, 0x10})
	f.Fuzz(func(t *testing.T, dst, b []byte) {
		checkHex(t, dst, b)
	})
}

func FuzzAppendString(f *testing.F) {
	for _, s := range strings {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, html bool) {
		if got, want := AppendString(nil, s, html), stdString(t, s, html); !bytes.Equal(got, want) {
			t.Fatalf("AppendString(%q, %v) = %s, want %s", s, html, got, want)
		}
	})
}

func FuzzAppendFloat(f *testing.F) {
	f.Add(0.5)
	f.Add(1e-7)
	f.Add(1e21)
	f.Fuzz(func(t *testing.T, v float64) {
		want, err := json.Marshal(v)
		got, ok := AppendFloat(nil, v)
		if (err == nil) != ok || (ok && !bytes.Equal(got, want)) {
			t.Fatalf("AppendFloat(%v) = %s %v, want %s %v", v, got, ok, want, err)
		}
	})
}

func BenchmarkAppendHexString(b *testing.B) {
	src := make([]byte, 4096)
	for i := range src {
		src[i] = byte(i * 7)
	}
	dst := make([]byte, 0, 2*len(src)+2)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		dst = AppendHexString(dst[:0], src)
	}
}
