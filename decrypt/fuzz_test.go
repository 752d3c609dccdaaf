package decrypt

import (
	"bytes"
	"context"
	"encoding/binary"
	"testing"
	"time"

	"github.com/wxaudit/wxaudit/internal/hexflow"
	"github.com/wxaudit/wxaudit/payload"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// seedCapture builds a small capture with a Shortlink, a Longlink and a
// plain-HTTP connection carrying well-formed records (not decryptable).
func seedCapture(tb testing.TB) []byte {
	tb.Helper()
	rec := func(typ byte, body []byte) []byte {
		b := []byte{typ, 0xf1, 0x04, 0, 0}
		binary.BigEndian.PutUint16(b[3:], uint16(len(body)))
		return append(b, body...)
	}
	hello := append([]byte{0, 0, 0, 8, 1, 4, 0xf1}, make([]byte, 5)...)
	body := append(rec(0x19, hello), rec(0x17, bytes.Repeat([]byte{0xaa}, 40))...)
	body = append(body, rec(0x15, bytes.Repeat([]byte{0xbb}, 20))...)
	head := []byte("POST /mmtls/0000abcd HTTP/1.1\r\nHost: sgshort.wechat.com\r\nUpgrade: mmtls\r\nContent-Length: ")
	head = append(head, []byte(itoa(len(body))+"\r\n\r\n")...)
	resp := append([]byte("HTTP/1.1 200 OK\r\nContent-Length: 25\r\n\r\n"), rec(0x16, bytes.Repeat([]byte{0xcc}, 20))...)
	convs := []hexflow.Conversation{
		{Flows: []hexflow.Flow{{FromClient: true, Data: append(head, body...)}, {Data: resp}}},
		{Flows: []hexflow.Flow{{FromClient: true, Data: rec(0x16, hello)}, {Data: rec(0x17, make([]byte, 30))}}},
		{Flows: []hexflow.Flow{{FromClient: true, Data: []byte("GET /cgi-bin/micromsg-bin/newgetdns?uin=1 HTTP/1.1\r\nHost: dns.weixin.qq.com\r\n\r\n")},
			{Data: []byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")}}},
	}
	var buf bytes.Buffer
	if err := hexflow.WriteCapture(&buf, convs, time.Unix(1700000000, 0)); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func TestSeedCapture(t *testing.T) {
	ps, st := decryptBytes(t, seedCapture(t), nil)
	if st.Connections != 3 || st.ConnectionsByLink["shortlink"] != 1 || st.ConnectionsByLink["longlink"] != 1 || st.ConnectionsByLink["http"] != 1 {
		t.Errorf("connections %d by link %v", st.Connections, st.ConnectionsByLink)
	}
	if st.Records != 6 || st.RecordsPlaintext != 2 || st.RecordsNotDecrypted[taxonomy.ReasonNoKey] != 4 {
		t.Errorf("records %d, not decrypted %v", st.Records, st.RecordsNotDecrypted)
	}
	// The plain-HTTP request and its response are payloads of their own.
	if len(ps) != 2 || ps[0].Link != payload.LinkHTTP || ps[0].Uin != 1 {
		t.Errorf("payloads: %+v", ps)
	}
}

// FuzzRun feeds arbitrary bytes (and mutated captures) through the whole
// pipeline: it must never panic, and every record it frames is counted
// exactly once as plaintext, decrypted or not decrypted.
func FuzzRun(f *testing.F) {
	f.Add(seedCapture(f))
	f.Add([]byte{0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0})
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > 1<<20 {
			return
		}
		st, err := Run(context.Background(), bytes.NewReader(in), Options{}, func(*payload.Payload) error { return nil })
		if err != nil && st == nil {
			return // not a capture
		}
		notDecrypted := 0
		for _, n := range st.RecordsNotDecrypted {
			notDecrypted += n
		}
		if st.RecordsPlaintext+st.RecordsDecrypted+notDecrypted != st.Records {
			t.Fatalf("records %d != plaintext %d + decrypted %d + not decrypted %d", st.Records, st.RecordsPlaintext, st.RecordsDecrypted, notDecrypted)
		}
	})
}
