package synth

import (
	"bytes"
	"net/netip"
	"testing"
	"time"

	"github.com/wxaudit/wxaudit/capture"
)

// streams rebuilds both directions' byte streams from packets the naive
// way (place every payload at its offset), and reports holes.
func streams(t *testing.T, pk []capture.Packet, client netip.AddrPort) (c2s, s2c []byte) {
	t.Helper()
	var isn [2]uint32
	var buf [2][]byte
	var have [2][]bool
	for _, p := range pk {
		d := 0
		if p.Src != client {
			d = 1
		}
		if p.Flags.Has(capture.SYN) {
			isn[d] = p.Seq + 1
			continue
		}
		if len(p.Payload) == 0 {
			continue
		}
		off := int(p.Seq - isn[d])
		for len(buf[d]) < off+len(p.Payload) {
			buf[d] = append(buf[d], 0)
			have[d] = append(have[d], false)
		}
		for i, b := range p.Payload {
			if have[d][off+i] && buf[d][off+i] != b {
				t.Fatalf("direction %d offset %d: retransmission disagrees", d, off+i)
			}
			buf[d][off+i] = b
			have[d][off+i] = true
		}
	}
	for d := range 2 {
		for i, h := range have[d] {
			if !h {
				t.Fatalf("direction %d: hole at %d", d, i)
			}
		}
	}
	return buf[0], buf[1]
}

func TestSegmenterStreamsComplete(t *testing.T) {
	client := netip.MustParseAddrPort("192.168.1.20:40001")
	server := netip.MustParseAddrPort("101.32.104.4:80")
	for _, imp := range []impairments{{}, {loss: 0.2}, {reorder: 0.3}, {retransmit: 0.3}, {0.2, 0.2, 0.2}, {0.5, 0.5, 0.5}} {
		for seed := range int64(20) {
			r := newRNG(seed, 2)
			req, resp := r.bytes(r.between(1, 9000)), r.bytes(r.between(1, 20000))
			c := &conversation{client: client, server: server, start: testStart, rtt: 40 * time.Millisecond,
				flights: []flight{{fromClient, req, testStart.Add(50 * time.Millisecond)}, {fromServer, resp, testStart.Add(90 * time.Millisecond)}}}
			s := &segmenter{r: r, imp: imp}
			s.packets(c)
			c2s, s2c := streams(t, s.out, client)
			if !bytes.Equal(c2s, req) || !bytes.Equal(s2c, resp) {
				t.Fatalf("%+v seed %d: streams differ", imp, seed)
			}
			for i := 1; i < len(s.out); i++ {
				if s.out[i].Time.Before(s.out[i-1].Time) {
					t.Fatalf("%+v seed %d: packet %d goes back in time", imp, seed, i)
				}
			}
			for _, p := range s.out {
				if len(p.Payload) > 1460 {
					t.Fatalf("segment of %d bytes exceeds the MSS", len(p.Payload))
				}
			}
		}
	}
}
