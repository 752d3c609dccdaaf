package link

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
)

func record(typ byte, body string) []byte {
	b := []byte{typ, 0xf1, 0x04, 0, 0}
	binary.BigEndian.PutUint16(b[3:], uint16(len(body)))
	return append(b, body...)
}

func shortlinkRequest(records ...[]byte) []byte {
	body := bytes.Join(records, nil)
	head := fmt.Sprintf("POST /mmtls/0a1b2c3d HTTP/1.1\r\nHost: sgshort.wechat.com\r\nUpgrade: mmtls\r\nContent-Type: application/octet-stream\r\nUser-Agent: MicroMessenger Client\r\nContent-Length: %d\r\n\r\n", len(body))
	return append([]byte(head), body...)
}

// summarize frames stream fed in pieces of size step and describes the frames.
func summarize(kind Kind, request bool, stream []byte, step int) (string, int64) {
	f := NewFramer(kind, request)
	var out []string
	var covered int64
	var skip *Frame // adjacent skips are merged: how bytes are cut depends on arrival
	flush := func() {
		if skip != nil {
			out = append(out, fmt.Sprintf("skip@%d len=%d: %v", skip.Offset, skip.Len, skip.Err))
			skip = nil
		}
	}
	take := func(u Frame) {
		covered += u.Len
		if u.Kind == FrameSkip {
			if skip != nil && skip.Offset+skip.Len == u.Offset {
				skip.Len += u.Len
				return
			}
			flush()
			skip = &Frame{Offset: u.Offset, Len: u.Len, Err: u.Err}
			return
		}
		flush()
		switch u.Kind {
		case FrameHead:
			if u.Head.Request {
				out = append(out, fmt.Sprintf("head %s %s host=%s len=%d", u.Head.Method, u.Head.Target, u.Head.Host, u.Head.BodyLen))
			} else {
				out = append(out, fmt.Sprintf("head status=%d len=%d", u.Head.Status, u.Head.BodyLen))
			}
		case FrameRecord:
			out = append(out, fmt.Sprintf("record@%d %x len=%d", u.Offset, u.Data[0], len(u.Data)))
		case FrameBody:
			out = append(out, fmt.Sprintf("body@%d %q", u.Offset, u.Data))
		}
	}
	for off := 0; off < len(stream); off += step {
		end := min(off+step, len(stream))
		f.Write(int64(off), stream[off:end])
		for {
			u, ok := f.Next()
			if !ok {
				break
			}
			take(u)
		}
	}
	if u, ok := f.Close(); ok {
		take(u)
	}
	flush()
	return strings.Join(out, "\n"), covered
}

func TestClassify(t *testing.T) {
	tests := []struct {
		in   string
		want Kind
		more bool
	}{
		{"", KindUnknown, true},
		{"\x16", KindUnknown, true},
		{"\x16\xf1\x04\x00\x10", KindLonglink, false},
		{"\x17\xf1\x03", KindUnknown, false},
		{"POST /mmtls/0000 HTTP/1.1", KindShortlink, false},
		{"POST /mm", KindUnknown, true},
		{"POST /cgi-bin/x HTTP/1.1", KindHTTP, false},
		{"GET /cgi-bin/micromsg-bin/newgetdns?uin=1 HTTP/1.1", KindHTTP, false},
		{"GE", KindUnknown, true},
		{"SSH-2.0-x", KindUnknown, false},
	}
	for _, tt := range tests {
		got, more := Classify([]byte(tt.in))
		if got != tt.want || more != tt.more {
			t.Errorf("Classify(%q) = %v, %v; want %v, %v", tt.in, got, more, tt.want, tt.more)
		}
	}
}

func TestFramer(t *testing.T) {
	rec1 := record(0x19, "\x00\x00\x00\x02hi")
	rec2 := record(0x17, strings.Repeat("x", 300))
	rec3 := record(0x15, "\x00\x00\x00\x01z")
	tests := []struct {
		name    string
		kind    Kind
		request bool
		stream  []byte
		want    string
	}{
		{"shortlink request", KindShortlink, true, shortlinkRequest(rec1, rec2, rec3),
			"head POST /mmtls/0a1b2c3d host=sgshort.wechat.com len=326\nrecord@171 19 len=11\nrecord@182 17 len=305\nrecord@487 15 len=10"},
		{"shortlink response", KindShortlink, false,
			append([]byte("HTTP/1.1 200 OK\r\nContent-Length: 21\r\n\r\n"), append(rec1, rec3...)...),
			"head status=200 len=21\nrecord@39 19 len=11\nrecord@50 15 len=10"},
		{"longlink", KindLonglink, true, append(append([]byte{}, rec2...), rec3...),
			"record@0 17 len=305\nrecord@305 15 len=10"},
		{"longlink garbage then record", KindLonglink, true, append([]byte("junk!"), rec3...),
			"skip@0 len=5: link: bytes are not an mmtls record\nrecord@5 15 len=10"},
		{"longlink truncated", KindLonglink, true, rec2[:100],
			"skip@0 len=100: link: stream ended inside a unit"},
		{"plain http get", KindHTTP, true, []byte("GET /cgi-bin/micromsg-bin/newgetdns?uin=42&devicetype=android-34 HTTP/1.1\r\nHost: dns.weixin.qq.com\r\n\r\n"),
			"head GET /cgi-bin/micromsg-bin/newgetdns?uin=42&devicetype=android-34 host=dns.weixin.qq.com len=0"},
		{"chunked response", KindHTTP, false, []byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"),
			"head status=200 len=-1\nbody@47 \"abcde\""},
		{"response until close", KindHTTP, false, []byte("HTTP/1.0 200 OK\r\n\r\nhello"),
			"head status=200 len=-1\nbody@19 \"hello\""},
		{"bad head", KindShortlink, true, []byte("POST /mmtls/1 HTTP/1.1\r\nContent-Length: x\r\n\r\nabc"),
			"skip@0 len=48: link: malformed http head: bad Content-Length \"x\""},
		{"record larger than body", KindShortlink, true, append([]byte("POST /mmtls/1 HTTP/1.1\r\nContent-Length: 8\r\n\r\n"), rec3...),
			"head POST /mmtls/1 host= len=8\nskip@45 len=10: link: bytes are not an mmtls record"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, step := range []int{len(tt.stream), 1, 7, 64} {
				got, covered := summarize(tt.kind, tt.request, tt.stream, step)
				if got != tt.want {
					t.Fatalf("step %d:\ngot:\n%s\nwant:\n%s", step, got, tt.want)
				}
				if covered != int64(len(tt.stream)) {
					t.Fatalf("step %d: units cover %d bytes, stream has %d", step, covered, len(tt.stream))
				}
			}
		})
	}
}

func TestFramerGapResync(t *testing.T) {
	rec := record(0x17, strings.Repeat("y", 50))
	f := NewFramer(KindLonglink, true)
	f.Write(0, rec[:20])
	if _, ok := f.Next(); ok {
		t.Fatal("partial record framed")
	}
	u, ok := f.Gap(35)
	if !ok || u.Kind != FrameSkip || u.Len != 20 {
		t.Fatalf("gap skip = %+v, %v", u, ok)
	}
	f.Write(55, append([]byte("zz"), rec...))
	var kinds []string
	for {
		u, ok := f.Next()
		if !ok {
			break
		}
		kinds = append(kinds, fmt.Sprintf("%v@%d", u.Kind, u.Offset))
	}
	if got, want := strings.Join(kinds, " "), "skip@55 record@57"; got != want {
		t.Fatalf("after gap: %s, want %s", got, want)
	}
}

// TestFramerBufferBounded feeds many records and checks the buffer does
// not grow with the stream.
func TestFramerBufferBounded(t *testing.T) {
	rec := record(0x17, strings.Repeat("q", 1000))
	f := NewFramer(KindLonglink, true)
	var off int64
	for i := 0; i < 5000; i++ {
		f.Write(off, rec[:333])
		f.Write(off+333, rec[333:])
		off += int64(len(rec))
		for {
			if _, ok := f.Next(); !ok {
				break
			}
		}
	}
	if cap(f.store) > 4*len(rec) {
		t.Fatalf("buffer grew to %d bytes", cap(f.store))
	}
}

func FuzzFramer(f *testing.F) {
	f.Add([]byte(shortlinkRequest(record(0x19, "abc"), record(0x17, "defg"))), uint8(3), true)
	f.Add(append(record(0x17, "abc"), 0xff, 0x16), uint8(1), false)
	f.Add([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"), uint8(5), false)
	f.Fuzz(func(t *testing.T, stream []byte, step uint8, request bool) {
		s := int(step)%32 + 1
		for _, kind := range []Kind{KindShortlink, KindLonglink, KindHTTP} {
			_, covered := summarize(kind, request, stream, s)
			if covered != int64(len(stream)) {
				t.Fatalf("%v: units cover %d of %d bytes", kind, covered, len(stream))
			}
		}
	})
}

func BenchmarkFramerLonglink(b *testing.B) {
	rec := record(0x17, strings.Repeat("q", 16000))
	var stream []byte
	for range 64 {
		stream = append(stream, rec...)
	}
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
	f := NewFramer(KindLonglink, true)
	var off int64
	for b.Loop() {
		for i := 0; i < len(stream); i += 1460 {
			end := min(i+1460, len(stream))
			f.Write(off, stream[i:end])
			off += int64(end - i)
			for {
				if _, ok := f.Next(); !ok {
					break
				}
			}
		}
	}
}
