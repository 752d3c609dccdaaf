package pcaprewrite

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"time"

	"github.com/wxaudit/wxaudit/capture"
)

// Replicate writes the TCP packets of the capture src copies times as one
// classic pcap, for benchmarks at scale. Each copy moves the client
// (ReplicateClient) to its own address 10.a.b.c, so every copy is a new set
// of connections, and starts 30 s of capture time after the previous one.
func Replicate(src []byte, out io.Writer, copies int) error {
	type pkt struct {
		p       capture.Packet
		payload []byte
	}
	r, err := capture.NewReader(bytes.NewReader(src))
	if err != nil {
		return err
	}
	var pkts []pkt
	for {
		p, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("pcaprewrite: %w", err)
		}
		pkts = append(pkts, pkt{p: p, payload: append([]byte(nil), p.Payload...)})
	}
	w, err := capture.NewWriter(out, capture.FormatPcap, capture.WriterOptions{})
	if err != nil {
		return err
	}
	for n := range copies {
		addr := netip.AddrFrom4([4]byte{10, byte(n >> 16), byte(n >> 8), byte(n)})
		shift := time.Duration(n) * 30 * time.Second
		for _, q := range pkts {
			p := q.p
			p.Payload = q.payload
			p.Time = p.Time.Add(shift)
			if p.Src.Addr() == ReplicateClient {
				p.Src = netip.AddrPortFrom(addr, p.Src.Port())
			}
			if p.Dst.Addr() == ReplicateClient {
				p.Dst = netip.AddrPortFrom(addr, p.Dst.Port())
			}
			if err := w.WritePacket(p); err != nil {
				return err
			}
		}
	}
	return w.Close()
}

// ReplicateClient is the phone's address in Citizen Lab's real capture.
var ReplicateClient = netip.MustParseAddr("10.0.2.16")
