package link

import (
	"bytes"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// Heads of the shapes the real capture carries (doc/protocol.md §1), with the
// Shortlink path and query values replaced.
var wechatHeads = []struct {
	head    string
	request bool
}{
	{"POST /mmtls/0a1b2c3d HTTP/1.1\r\nAccept: */*\r\nCache-Control: no-cache\r\nConnection: Keep-Alive\r\nContent-Length: 829\r\nContent-Type: application/octet-stream\r\nHost: sgshort.wechat.com\r\nUpgrade: mmtls\r\nUser-Agent: MicroMessenger Client\r\n\r\n", true},
	{"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: application/octet-stream\r\nContent-Length: 599\r\n\r\n", false},
	{"GET /cgi-bin/micromsg-bin/newgetdns?uin=12345&clientversion=671103232&scene=0&networkidctx=G6Ws%2BpF&mccmnc= HTTP/1.0\r\nAccept: */*\r\nAccept-Encoding: deflate\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: application/octet-stream\r\nHost: dns.weixin.qq.com\r\nUser-Agent: MicroMessenger Client\r\n\r\n", true},
	{"HTTP/1.0 200 OK\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: text/xml\r\nContent-Encoding: deflate\r\nContent-Length: 2876\r\n\r\n", false},
}

// TestParseHeadSimple checks that heads of WeChat's shape take the
// hand-written path and give net/http's fields.
func TestParseHeadSimple(t *testing.T) {
	for _, tc := range wechatHeads {
		got, ok := parseSimpleHead([]byte(tc.head), tc.request)
		if !ok {
			t.Fatalf("%q: not parsed by parseSimpleHead", tc.head)
		}
		want, err := parseHeadHTTP([]byte(tc.head), tc.request)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q:\ngot  %+v\nwant %+v", tc.head, got, want)
		}
	}
}

// TestParseHeadTable runs heads at the edges of the simple shape through
// parseHead and net/http: they must agree on acceptance and fields, and
// the ones marked simple must not need net/http.
func TestParseHeadTable(t *testing.T) {
	for _, tc := range []struct {
		name    string
		head    string
		request bool
		simple  bool
	}{
		{"chunked request", "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", true, true},
		{"chunked response", "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n", false, true},
		{"response to eof", "HTTP/1.1 200 OK\r\n\r\n", false, true},
		{"request without length", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", true, true},
		{"status without reason", "HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n", false, true},
		{"repeated header", "GET / HTTP/1.1\r\nAccept: a\r\nAccept: b\r\n\r\n", true, true},
		{"value whitespace", "GET / HTTP/1.1\r\nHost: \t a b \t\r\nX-Empty:\r\n\r\n", true, true},
		{"connection close list", "HTTP/1.1 200 OK\r\nConnection: keep-alive, CLOSE\r\nContent-Length: 1\r\n\r\n", false, true},
		{"connection close 1.0", "HTTP/1.0 200 OK\r\nConnection: close\r\n\r\n", false, true},
		{"fragment", "GET /a#b?c HTTP/1.1\r\n\r\n", true, true},
		{"bad content length", "POST /mmtls/1 HTTP/1.1\r\nContent-Length: x\r\n\r\n", true, false},
		{"empty content length", "POST / HTTP/1.1\r\nContent-Length: \r\n\r\n", true, false},
		{"huge content length", "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n", true, false},
		{"signed content length", "POST / HTTP/1.1\r\nContent-Length: +1\r\n\r\n", true, false},
		{"two content lengths", "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n", true, false},
		{"two hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", true, false},
		{"te and length", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", true, false},
		{"te gzip", "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", true, false},
		{"te on 1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", true, false},
		{"lower-case key", "GET / HTTP/1.1\r\nhost: a\r\n\r\n", true, false},
		{"space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", true, false},
		{"folded line", "GET / HTTP/1.1\r\nX-A: a\r\n b\r\n\r\n", true, false},
		{"leading space line", "GET / HTTP/1.1\r\n X-A: a\r\n\r\n", true, false},
		{"bare lf", "GET / HTTP/1.1\nHost: a\r\n\r\n", true, false},
		{"control in value", "GET / HTTP/1.1\r\nX-A: a\x01\r\n\r\n", true, false},
		{"obs-text in value", "GET / HTTP/1.1\r\nX-A: caf\xc3\xa9\r\n\r\n", true, false},
		{"percent in path", "GET /a%2 HTTP/1.1\r\n\r\n", true, false},
		{"absolute target", "GET http://a/b HTTP/1.1\r\nHost: c\r\n\r\n", true, false},
		{"asterisk", "OPTIONS * HTTP/1.1\r\n\r\n", true, false},
		{"http/2", "GET / HTTP/2.0\r\n\r\n", true, false},
		{"two spaces", "GET  / HTTP/1.1\r\n\r\n", true, false},
		{"no colon", "GET / HTTP/1.1\r\nHost\r\n\r\n", true, false},
		{"pragma", "GET / HTTP/1.1\r\nPragma: no-cache\r\n\r\n", true, false},
		{"trailer", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTrailer: X-A\r\n\r\n", true, false},
		{"no content", "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n", false, false},
		{"continue", "HTTP/1.1 100 Continue\r\n\r\n", false, false},
		{"status two spaces", "HTTP/1.1  200 OK\r\n\r\n", false, false},
		{"status letters", "HTTP/1.1 2x0 OK\r\n\r\n", false, false},
		{"status four digits", "HTTP/1.1 2000 OK\r\n\r\n", false, false},
		{"control in reason", "HTTP/1.1 200 O\rK\r\n\r\n", false, false},
		{"empty", "\r\n\r\n", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := []byte(tc.head)
			_, simple := parseSimpleHead(b, tc.request)
			if simple != tc.simple {
				t.Errorf("parseSimpleHead ok = %v, want %v", simple, tc.simple)
			}
			checkHeadAgrees(t, b, tc.request)
		})
	}
}

// checkHeadAgrees fails t when parseHead and net/http disagree on b, or
// when parseSimpleHead accepts what net/http parses differently.
func checkHeadAgrees(t *testing.T, b []byte, request bool) {
	t.Helper()
	want, wantErr := parseHeadHTTP(b, request)
	if simple, ok := parseSimpleHead(b, request); ok {
		if wantErr != nil {
			t.Fatalf("%q: parseSimpleHead accepts, net/http: %v", b, wantErr)
		}
		if !reflect.DeepEqual(simple, want) {
			t.Fatalf("%q:\nparseSimpleHead %+v\nnet/http        %+v", b, simple, want)
		}
	}
	got, err := parseHead(b, request)
	if (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()) {
		t.Fatalf("%q: error %v, net/http %v", b, err, wantErr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q:\nparseHead %+v\nnet/http  %+v", b, got, want)
	}
}

// FuzzParseHead holds the hand-written head parser to net/http: on any
// head it accepts, net/http accepts it too with the same fields, and a
// well-formed head built from the fuzzer's words (tokens, a path, header
// values in the simple shape) must be accepted by both.
func FuzzParseHead(f *testing.F) {
	for _, h := range wechatHeads {
		f.Add([]byte(h.head), h.request, "POST", uint16(100))
	}
	f.Add([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"), false, "x-Y", uint16(7))
	f.Add([]byte("POST /mmtls/1 HTTP/1.1\r\nContent-Length: x\r\n\r\n"), true, "a b", uint16(0))
	f.Add([]byte("GET / HTTP/1.1\r\nX-A: a\r\n b\r\n\r\n"), true, "%2x", uint16(65535))
	f.Fuzz(func(t *testing.T, b []byte, request bool, word string, n uint16) {
		if len(b) > maxHeadLen || len(word) > 256 {
			return
		}
		// The Framer hands parseHead a head ending at its first blank line.
		if i := bytes.Index(b, crlfcrlf); i >= 0 {
			b = b[:i+4]
		} else {
			b = append(b, crlfcrlf...)
		}
		checkHeadAgrees(t, b, request)

		w := wellFormedHead(request, word, n)
		if _, ok := parseSimpleHead(w, request); !ok {
			t.Fatalf("well-formed %q not parsed by parseSimpleHead", w)
		}
		checkHeadAgrees(t, w, request)
	})
}

// wellFormedHead builds a head of the simple shape from arbitrary input:
// word's bytes are mapped into each field's alphabet.
func wellFormedHead(request bool, word string, n uint16) []byte {
	const tchar = "!#$&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	mapTo := func(alphabet string, nonEmpty bool) string {
		var sb strings.Builder
		for i := 0; i < len(word); i++ {
			sb.WriteByte(alphabet[int(word[i])%len(alphabet)])
		}
		if nonEmpty && sb.Len() == 0 {
			sb.WriteByte(alphabet[0])
		}
		return sb.String()
	}
	canonical := func(s string) string {
		b := []byte(s)
		upper := true
		for i, c := range b {
			if upper && 'a' <= c && c <= 'z' {
				b[i] = c - 'a' + 'A'
			} else if !upper && 'A' <= c && c <= 'Z' {
				b[i] = c + 'a' - 'A'
			}
			upper = b[i] == '-'
		}
		return string(b)
	}
	key := "X-" + canonical(mapTo(tchar, true))
	value := mapTo(" \t!\"#$%&'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~", false)
	var sb strings.Builder
	proto := "HTTP/1.1"
	if n&1 != 0 {
		proto = "HTTP/1.0"
	}
	if request {
		sb.WriteString(mapTo(tchar, true) + " /" + mapTo("/abcXYZ019-._~!$&'()*+,;=:@?#", false) + "?" + mapTo("%/?=&ab19#", false) + " " + proto + "\r\n")
		sb.WriteString("Host: " + mapTo("abc.019-:[]", false) + "\r\n")
	} else {
		code := 200 + int(n)%300
		if code == 204 || code == 304 {
			code = 200
		}
		sb.WriteString(proto + " " + strconv.Itoa(code) + " " + value + "\r\n")
		if n&2 != 0 {
			sb.WriteString("Connection: " + []string{"close", "keep-alive", "Close, x"}[int(n>>2)%3] + "\r\n")
		}
	}
	sb.WriteString(key + ":" + value + "\r\n")
	switch {
	case n&4 != 0 && proto == "HTTP/1.1":
		sb.WriteString("Transfer-Encoding: chunked\r\n")
	case n&8 != 0:
		sb.WriteString("Content-Length: " + strconv.Itoa(int(n)) + "\r\n")
	}
	sb.WriteString(key + ": " + value + "\r\n\r\n")
	return []byte(sb.String())
}

// BenchmarkParseHead parses the real capture's head shapes.
func BenchmarkParseHead(b *testing.B) {
	var size int
	for _, h := range wechatHeads {
		size += len(h.head)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for _, h := range wechatHeads {
			if _, err := parseHead([]byte(h.head), h.request); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkParseHeadHTTP is BenchmarkParseHead through net/http alone, for
// comparison.
func BenchmarkParseHeadHTTP(b *testing.B) {
	var size int
	for _, h := range wechatHeads {
		size += len(h.head)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for _, h := range wechatHeads {
			if _, err := parseHeadHTTP([]byte(h.head), h.request); err != nil {
				b.Fatal(err)
			}
		}
	}
}
