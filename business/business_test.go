package business

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wxaudit/wxaudit/internal/fixtures"
	"github.com/wxaudit/wxaudit/internal/testkit"
	"github.com/wxaudit/wxaudit/keylog"
)

var update = flag.Bool("update", false, "rewrite golden files")

// dhex decodes an annotated hex literal (see internal/testkit).
var dhex = testkit.Hex

// sharedDir returns the Citizen Lab fixture folder (see internal/fixtures).
func sharedDir(t testing.TB) string {
	t.Helper()
	return fixtures.Dir(t)
}

// fakeKeys is a Keys built from entries, independent of keylog.Log's
// indexing.
type fakeKeys struct{ entries []keylog.Entry }

func (f fakeKeys) CBCByTail(t [8]byte) (out []keylog.Entry) {
	for _, e := range f.entries {
		if e.Kind == keylog.KindCBC && e.Tail == t {
			out = append(out, e)
		}
	}
	return out
}
func (f fakeKeys) CBCKeys() (out [][16]byte) {
	for _, e := range f.entries {
		if e.Kind == keylog.KindCBC || e.Kind == keylog.KindSessionKey {
			out = append(out, e.Key16)
		}
	}
	return out
}
func (f fakeKeys) GCMByIV(iv [12]byte) (out []keylog.Entry) {
	for _, e := range f.entries {
		if e.Kind == keylog.KindGCM && e.IV == iv {
			out = append(out, e)
		}
	}
	return out
}
func (f fakeKeys) GCMByTail(t [8]byte) (out []keylog.Entry) {
	for _, e := range f.entries {
		if e.Kind == keylog.KindGCM && !e.TailIsIV && e.Tail == t {
			out = append(out, e)
		}
	}
	return out
}
func (f fakeKeys) GCMKeys() (out [][24]byte) {
	for _, e := range f.entries {
		if e.Kind == keylog.KindGCMKey {
			out = append(out, e.Key24)
		}
	}
	return out
}

var (
	testEnvelope = dhex(`00000027 0005 2f74657374 0008 686f73742e636f6d 00000012 bf0102030405060708090a0b0c0d0e0f1011`)
	testLonglink = dhex(`00000014 0010 0001 00000079 00000007 cafebabe`)
	// A measured-shape header: 0xBF, len 25<<2|2, algo 5 with a 2-byte
	// cookie, version, uin, cookie, then six varints and two raw bytes.
	testHeader = dhex(`bf 66 52 28001737 59bc0b24 aabb 7b 35 35 00 02 a9ad88e308 0000`)
)

func TestParseShortlinkRequest(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte
		want    *ShortlinkRequest
		wantEOF bool
	}{
		{"ok", testEnvelope, &ShortlinkRequest{URI: "/test", Host: "host.com", Packet: testEnvelope[4+2+5+2+8+4:]}, false},
		{"empty", nil, nil, true},
		{"truncated", testEnvelope[:len(testEnvelope)-1], nil, true},
		{"trailing", append(append([]byte(nil), testEnvelope...), 0), nil, false},
		{"uri overruns", dhex(`00000004 ffff 0000`), nil, true},
		{"packet length short", dhex(`0000000b 0000 0000 00000001 aabbcc`), nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseShortlinkRequest(tt.in)
			if tt.want == nil {
				var pe *parseError
				if !errors.As(err, &pe) {
					t.Fatalf("err = %v, want *ParseError", err)
				}
				if errors.Is(err, io.ErrUnexpectedEOF) != tt.wantEOF {
					t.Fatalf("err = %v, want unexpected EOF %v", err, tt.wantEOF)
				}
				if diff := cmp.Diff(ShortlinkRequest{}, got); diff != "" {
					t.Fatalf("non-zero result on error: %s", diff)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(*tt.want, got); diff != "" {
				t.Fatalf("(-want +got):\n%s", diff)
			}
			if back := AppendShortlinkRequest(nil, got); !bytes.Equal(back, tt.in) {
				t.Fatalf("append: got %x, want %x", back, tt.in)
			}
		})
	}
}

func TestParseLonglinkPacket(t *testing.T) {
	two := append(append([]byte(nil), testLonglink...), testLonglink...)
	tests := []struct {
		name    string
		in      []byte
		want    *LonglinkPacket
		n       int
		wantEOF bool
	}{
		{"ok", testLonglink, &LonglinkPacket{Version: 1, Cmd: CmdNewSync, Seq: 7, Body: dhex("cafebabe")}, 20, false},
		{"first of two", two, &LonglinkPacket{Version: 1, Cmd: CmdNewSync, Seq: 7, Body: dhex("cafebabe")}, 20, false},
		{"partial", testLonglink[:19], nil, 0, true},
		{"header only partial", testLonglink[:3], nil, 0, true},
		{"bad header len", dhex(`00000014 0011 0001 00000079 00000007 cafebabe`), nil, 0, false},
		{"bad header len early", dhex(`00000014 0011`), nil, 0, false},
		{"total too small", dhex(`0000000f 0010 0001 00000079 00000007`), nil, 0, false},
		{"total too large", dhex(`7fffffff 0010 0001 00000079 00000007`), nil, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, n, err := parseLonglinkPacket(tt.in)
			if tt.want == nil {
				if tt.wantEOF != (err == io.ErrUnexpectedEOF) {
					t.Fatalf("err = %v, want EOF %v", err, tt.wantEOF)
				}
				if err == nil || n != 0 || got.Body != nil {
					t.Fatalf("got %+v, %d, %v; want failure", got, n, err)
				}
				return
			}
			if err != nil || n != tt.n {
				t.Fatalf("n %d err %v", n, err)
			}
			if diff := cmp.Diff(*tt.want, got); diff != "" {
				t.Fatalf("(-want +got):\n%s", diff)
			}
			if back := AppendLonglinkPacket(nil, got); !bytes.Equal(back, tt.in[:n]) {
				t.Fatalf("append: got %x, want %x", back, tt.in[:n])
			}
		})
	}
}

func TestLonglinkReader(t *testing.T) {
	var stream []byte
	for i := range 5 {
		stream = AppendLonglinkPacket(stream, LonglinkPacket{Version: LonglinkVersion, Cmd: CmdID(i), Seq: uint32(i), Body: bytes.Repeat([]byte{byte(i)}, i*7)})
	}
	// Feed in records of every size from 1 to len: packets spanning
	// records and records holding several packets.
	for size := 1; size <= len(stream); size++ {
		var r LonglinkReader
		var got []CmdID
		for off := 0; off < len(stream); off += size {
			end := min(off+size, len(stream))
			if _, err := r.Write(stream[off:end]); err != nil {
				t.Fatal(err)
			}
			for {
				p, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if len(p.Body) != int(p.Cmd)*7 {
					t.Fatalf("size %d: cmd %d body %d", size, p.Cmd, len(p.Body))
				}
				got = append(got, p.Cmd)
			}
		}
		if len(got) != 5 || r.Buffered() != 0 {
			t.Fatalf("size %d: got %v, buffered %d", size, got, r.Buffered())
		}
	}
	var r LonglinkReader
	r.Write(dhex("00000014 0011"))
	if _, err := r.Next(); err == nil {
		t.Fatal("bad header accepted")
	}
	if _, err := r.Write([]byte{1}); err == nil {
		t.Fatal("error not sticky")
	}
	var big LonglinkReader
	if _, err := big.Write(make([]byte, MaxLonglinkPacket+1)); !errors.Is(err, errLonglinkOverflow) {
		t.Fatalf("overflow: %v", err)
	}
}

func TestParseHeader(t *testing.T) {
	want := Header{Compress: CompressNone, Algo: AlgoCBC, ClientVersion: 0x28001737, Uin: 0x59bc0b24,
		Cookie: dhex("aabb"), ReqType: 123, UncompressedLen: 53, CompressedLen: 53, Field5: 2,
		Signature: 2355238569, Fields: 6, Extra: dhex("0000")}
	tests := []struct {
		name string
		in   []byte
		want *Header
		body []byte
	}{
		{"ok", append(append([]byte(nil), testHeader...), 0xee), &want, []byte{0xee}},
		{"bad magic", append([]byte{0xbe}, testHeader[1:]...), nil, nil},
		{"truncated", testHeader[:len(testHeader)-1], nil, nil},
		{"too short for cookie", dhex("bf 2e 5f 28001737 59bc0b24 00"), nil, nil},
		{"varint overruns header", dhex("bf 3a 50 28001737 59bc0b24 01 02 ff"), nil, nil},
		{"two varints", dhex("bf 36 50 28001737 59bc0b24 01 02 00"), nil, nil},
		{"three varints", dhex("bf 3a 50 28001737 59bc0b24 01 02 03"), &Header{Compress: CompressNone, Algo: AlgoCBC,
			ClientVersion: 0x28001737, Uin: 0x59bc0b24, Cookie: []byte{}, ReqType: 1, UncompressedLen: 2, CompressedLen: 3, Fields: 3}, []byte{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, body, err := parseHeader(tt.in)
			if tt.want == nil {
				if err == nil {
					t.Fatalf("want error, got %+v", got)
				}
				if body != nil || got.Cookie != nil {
					t.Fatalf("non-zero result on error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(*tt.want, got); diff != "" {
				t.Fatalf("(-want +got):\n%s", diff)
			}
			if !bytes.Equal(body, tt.body) {
				t.Fatalf("body %x, want %x", body, tt.body)
			}
			m, err := marshalHeader(got)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(m, tt.in[:len(tt.in)-len(body)]) {
				t.Fatalf("marshal: got %x, want %x", m, tt.in[:len(tt.in)-len(body)])
			}
		})
	}
	if _, err := marshalHeader(Header{Cookie: make([]byte, 15), Extra: make([]byte, 40)}); !errors.Is(err, errHeaderTooLong) {
		t.Fatalf("long header: %v", err)
	}
}

// TestStrictPrefix: no strict prefix of a valid message parses.
func TestStrictPrefix(t *testing.T) {
	for i := range len(testEnvelope) {
		if _, err := ParseShortlinkRequest(testEnvelope[:i]); err == nil {
			t.Fatalf("envelope prefix %d parsed", i)
		}
	}
	for i := range len(testLonglink) {
		if _, _, err := parseLonglinkPacket(testLonglink[:i]); err == nil {
			t.Fatalf("longlink prefix %d parsed", i)
		}
	}
	for i := range len(testHeader) {
		if _, _, err := parseHeader(testHeader[:i]); err == nil {
			t.Fatalf("header prefix %d parsed", i)
		}
	}
}

func TestInflate(t *testing.T) {
	small := zlibCompress([]byte("hello hello hello"))
	if out, err := inflateZlib(small, 100, nil); err != nil || string(out) != "hello hello hello" {
		t.Fatalf("Inflate = %q, %v", out, err)
	}
	bomb := zlibCompress(make([]byte, 10<<20))
	if _, err := inflateZlib(bomb, 1<<20, nil); !errors.Is(err, errTooLarge) {
		t.Fatalf("bomb: %v, want ErrTooLarge", err)
	}
	if _, err := inflateZlib([]byte{0x78, 0x9c, 1}, 100, nil); err == nil {
		t.Fatal("corrupt stream accepted")
	}
}

func TestCBCRoundTrip(t *testing.T) {
	key := [16]byte{1, 2, 3}
	for n := range 40 {
		pt := bytes.Repeat([]byte{byte(n)}, n)
		got, err := openCBCWithKey(key, SealCBC(key, pt))
		if err != nil || !bytes.Equal(got, pt) {
			t.Fatalf("n=%d: %x, %v", n, got, err)
		}
	}
	if _, err := openCBCWithKey([16]byte{9}, SealCBC(key, []byte("x"))); err == nil {
		// A wrong key passes the padding check with probability ~1/256;
		// this fixed key does not.
		t.Fatal("wrong key accepted")
	}
}

func TestSignatureAdler(t *testing.T) {
	// adlerUpdate from 1 is plain adler32 (RFC 1950 example "Wikipedia").
	if got := adlerUpdate(1, []byte("Wikipedia")); got != 0x11E60398 {
		t.Fatalf("adler32 = %08x", got)
	}
	long := bytes.Repeat([]byte{0xff}, 20000)
	if a, b := adlerUpdate(adlerUpdate(1, long[:7000]), long[7000:]), adlerUpdate(1, long); a != b {
		t.Fatalf("chained %08x != whole %08x", a, b)
	}
}

func FuzzShortlinkRequest(f *testing.F) {
	f.Add(testEnvelope)
	f.Add([]byte{0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseShortlinkRequest(b)
		if err != nil {
			if r.URI != "" || r.Host != "" || r.Packet != nil {
				t.Fatal("non-zero result on error")
			}
			return
		}
		if back := AppendShortlinkRequest(nil, r); !bytes.Equal(back, b) {
			t.Fatalf("round trip: %x != %x", back, b)
		}
	})
}

func FuzzLonglinkPacket(f *testing.F) {
	f.Add(testLonglink)
	f.Add(append(append([]byte(nil), testLonglink...), testLonglink[:7]...))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, n, err := parseLonglinkPacket(b)
		if err != nil {
			if n != 0 || p.Body != nil {
				t.Fatal("non-zero result on error")
			}
			return
		}
		if back := AppendLonglinkPacket(nil, p); !bytes.Equal(back, b[:n]) {
			t.Fatalf("round trip: %x != %x", back, b[:n])
		}
		// The reader agrees with the parser.
		var r LonglinkReader
		r.Write(b)
		q, err := r.Next()
		if err != nil || q.Cmd != p.Cmd || !bytes.Equal(q.Body, p.Body) {
			t.Fatalf("reader disagrees: %+v %v", q, err)
		}
	})
}

func FuzzHeader(f *testing.F) {
	f.Add(testHeader)
	f.Add(dhex("bf 3a 50 28001737 59bc0b24 01 02 03"))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, body, err := parseHeader(b)
		if err != nil {
			if body != nil || h.Cookie != nil || h.Fields != 0 {
				t.Fatal("non-zero result on error")
			}
			return
		}
		m, err := marshalHeader(h)
		if err != nil {
			t.Fatalf("marshal of parsed header: %v", err)
		}
		h2, body2, err := parseHeader(append(m, body...))
		if err != nil {
			t.Fatalf("reparse: %v", err)
		}
		if diff := cmp.Diff(h, h2); diff != "" || !bytes.Equal(body, body2) {
			t.Fatalf("round trip (-want +got):\n%s", diff)
		}
	})
}
