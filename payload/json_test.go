package payload

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/wxaudit/wxaudit/taxonomy"
)

// stdJSON is what encoding/json writes for p.
func stdJSON(t testing.TB, p *Payload, escapeHTML bool) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	if err := enc.Encode(p); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	seq, yes, no := uint64(7), true, false
	for _, p := range []Payload{
		{},
		{Link: LinkLog, Direction: DirRequest, Source: "startup.log.jsonl", Line: 12, Payload: []byte{}},
		{Capture: "c.pcap", Frames: []int64{1, 5, 99}, Time: "2023-12-05T01:09:10.579982Z",
			Conn: &Conn{Client: "10.0.2.16:41234", Server: "[2001:db8::1]:443"}, Link: LinkShortlink, Direction: DirResponse,
			RecordSeq: &seq, URI: "/cgi-bin/micromsg-bin/newsync", Host: "szshort.weixin.qq.com", ReqType: 138, Uin: 4294967295,
			ClientVersion: 0x28002c30, CmdID: 1000000138, LonglinkSeq: 3, Inner: taxonomy.InnerAESGCM, Compressed: true, Part: "payload",
			SignatureOK: &yes, Payload: []byte{0, 1, 0xfe, 0xff}},
		{Link: LinkHTTP, Direction: DirRequest, RecordSeq: new(uint64), SignatureOK: &no, ReqType: -1, Line: -3,
			URI: "/a?b=<script>&c=\"\\\x00\xff\u2028", Host: "h\tost", Payload: []byte("uin=1&x=<y>")},
		{Frames: []int64{}, Conn: &Conn{}, Payload: nil},
	} {
		for _, html := range []bool{false, true} {
			want := stdJSON(t, &p, html)
			if got := p.AppendJSON(nil, html); !bytes.Equal(got, want) {
				t.Errorf("html=%v:\n got %s\nwant %s", html, got, want)
			}
		}
	}
}

func FuzzAppendJSON(f *testing.F) {
	f.Add("c.pcap", "/cgi-bin/x?a=<b>&c", "host", "aes-gcm", "payload", int64(3), uint32(7), 12, []byte{1, 2}, true)
	f.Fuzz(func(t *testing.T, capture, uri, host, inner, part string, frame int64, n uint32, req int, body []byte, html bool) {
		seq, ok := uint64(n), n%2 == 0
		p := Payload{Capture: capture, Frames: []int64{frame, frame + 1}, Time: part, Conn: &Conn{Client: uri, Server: host},
			Link: inner, Direction: part, RecordSeq: &seq, URI: uri, Host: host, ReqType: req, Uin: n, ClientVersion: n >> 1,
			CmdID: n >> 2, LonglinkSeq: n >> 3, Inner: inner, Compressed: ok, Part: part, SignatureOK: &ok, Payload: body}
		if got, want := p.AppendJSON(nil, html), stdJSON(t, &p, html); !bytes.Equal(got, want) {
			t.Fatalf("\n got %s\nwant %s", got, want)
		}
	})
}
