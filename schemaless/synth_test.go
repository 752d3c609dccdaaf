package schemaless

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"

	"google.golang.org/protobuf/encoding/protowire"
)

// Builders of synthetic payloads. Identifiers are invented.

func tagBytes(b []byte, num protowire.Number, v []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, v)
}

func tagVarint(b []byte, num protowire.Number, v uint64) []byte {
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

func zlibBytes(p []byte) []byte {
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	w.Write(p)
	w.Close()
	return buf.Bytes()
}

// syntheticBaseRequest has the shape of doc/protocol.md §6's BaseRequest.
func syntheticBaseRequest() []byte {
	var br []byte
	br = tagBytes(br, 1, []byte{0})
	br = tagVarint(br, 2, 123456789)
	br = tagBytes(br, 3, []byte("A0123456789abcde\x00"))
	br = tagVarint(br, 4, 0x28001737)
	br = tagBytes(br, 5, []byte("android-34"))
	br = tagVarint(br, 6, 0)
	return br
}

// syntheticRequest exercises every kind: BaseRequest, kv report line with
// semicolon JSON, Mini Program JSON, query, URL, base64, zlib, CJK text,
// packed varints, fixed32/64, opaque bytes.
func syntheticRequest() []byte {
	var b []byte
	b = tagBytes(b, 1, syntheticBaseRequest())
	var kv []byte
	kv = tagVarint(kv, 1, 21831)
	kv = tagBytes(kv, 2, []byte(`1700000000123,1,0_1700000000000#,23-2-9488890-abc,{"tabId":2;"redDot":1},,`))
	kv = tagVarint(kv, 3, 1700000000)
	b = tagBytes(b, 4, kv)
	b = tagBytes(b, 7, []byte(`{"eventID":1007,"page_path":"pages/index/index","staytime":35,"ok":true,"x":null,"list":[1,"a"]}`))
	b = tagBytes(b, 9, []byte("hash=42&ts=1700000000000&host=&version=671094583&device=2"))
	b = tagBytes(b, 10, []byte("https://example.com/path?q=%E4%BD%A0%E5%A5%BD&n=1"))
	b = tagBytes(b, 11, []byte(base64.StdEncoding.EncodeToString(tagBytes(nil, 1, []byte("hello base64 world")))))
	b = tagBytes(b, 12, zlibBytes(tagBytes(tagVarint(nil, 1, 7), 2, []byte(`{"nested":"zlib json"}`))))
	b = tagBytes(b, 13, []byte("你好，世界 微信"))
	b = tagBytes(b, 14, []byte{0x96, 0x01, 0x02, 0x80, 0x80, 0x01})
	b = protowire.AppendTag(b, 15, protowire.Fixed32Type)
	b = protowire.AppendFixed32(b, 0x3fc00000) // 1.5
	b = protowire.AppendTag(b, 16, protowire.Fixed64Type)
	b = protowire.AppendFixed64(b, 1700000000)
	b = tagBytes(b, 17, []byte("<msg><appmsg appid=\"wx1\"><title>标题</title></appmsg></msg>"))
	b = tagBytes(b, 18, []byte("a%253Db%2526c%253Dd"))
	opaque := make([]byte, 64)
	x := uint32(2463534242)
	for i := range opaque {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		opaque[i] = byte(x)
	}
	b = tagBytes(b, 19, opaque)
	b = protowire.AppendTag(b, 20, protowire.StartGroupType)
	b = tagVarint(b, 1, 5)
	b = protowire.AppendTag(b, 20, protowire.EndGroupType)
	return b
}
