package pcaprewrite

import (
	"bytes"
	"io"
	"net/netip"
	"testing"
	"time"

	"github.com/wxaudit/wxaudit/capture"
)

// TestRewrite checks on a synthetic capture that the payload bytes at every
// sequence number are unchanged and that pieces were split and reordered.
func TestRewrite(t *testing.T) {
	cli := netip.MustParseAddrPort("10.0.0.1:40000")
	srv := netip.MustParseAddrPort("10.0.0.2:443")
	t0 := time.Unix(1700000000, 0)
	var in bytes.Buffer
	w, err := capture.NewWriter(&in, capture.FormatPcapng, capture.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	msg := bytes.Repeat([]byte("0123456789"), 100)
	pkts := []capture.Packet{{Src: cli, Dst: srv, Seq: 100, Flags: capture.SYN, Time: t0}}
	for i := 0; i < len(msg); i += 100 {
		pkts = append(pkts, capture.Packet{Src: cli, Dst: srv, Seq: 101 + uint32(i), Flags: capture.ACK, Payload: msg[i : i+100], Time: t0})
	}
	pkts = append(pkts, capture.Packet{Src: cli, Dst: srv, Seq: 101 + uint32(len(msg)), Flags: capture.FIN | capture.ACK, Time: t0})
	for _, p := range pkts {
		if err := w.WritePacket(p); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Rewrite(bytes.NewReader(in.Bytes()), &out, Options{Seed: 1, SplitMax: 7, Reorder: 0.5, Duplicate: 0.2, PartialRetransmit: 0.2}); err != nil {
		t.Fatal(err)
	}
	r, err := capture.NewReader(&out)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(msg))
	var n, lastSeq, reordered int
	for {
		p, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
		off := int(p.Seq) - 101
		if len(p.Payload) > 7 && !bytes.Equal(p.Payload, msg[off:off+len(p.Payload)]) {
			t.Fatalf("piece at %d differs", off)
		}
		if len(p.Payload) > 0 {
			if !bytes.Equal(p.Payload, msg[off:off+len(p.Payload)]) {
				t.Fatalf("piece at %d differs", off)
			}
			copy(got[off:], p.Payload)
			if off < lastSeq {
				reordered++
			}
			lastSeq = off
		}
		if n == 1 && !p.Flags.Has(capture.SYN) {
			t.Error("SYN moved")
		}
	}
	if !bytes.Equal(got, msg) {
		t.Error("bytes lost")
	}
	if n < 150 || reordered == 0 {
		t.Errorf("%d packets, %d reordered: not much of a rewrite", n, reordered)
	}
}

func TestRewriteGarbage(t *testing.T) {
	if err := Rewrite(bytes.NewReader([]byte("nope")), io.Discard, Options{}); err == nil {
		t.Error("no error")
	}
}
