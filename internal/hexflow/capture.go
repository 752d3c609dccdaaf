package hexflow

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"

	"github.com/wxaudit/wxaudit/capture"
	"github.com/wxaudit/wxaudit/reassemble"
)

// FromCapture reassembles every TCP connection of a capture into a
// Conversation, keeping the order in which the two directions' bytes
// arrived. It holds every stream in memory: it is meant for the small
// captures recorded flows are cut from.
func FromCapture(r io.Reader) ([]Conversation, error) {
	cr, err := capture.NewReader(r)
	if err != nil {
		return nil, err
	}
	rec := &recorder{}
	asm := reassemble.NewAssembler(rec, reassemble.Options{})
	for {
		p, err := cr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		asm.Add(p)
	}
	asm.Flush()
	var out []Conversation
	for _, c := range rec.convs {
		if len(c.Flows) > 0 {
			out = append(out, *c)
		}
	}
	return out, nil
}

type recorder struct{ convs []*Conversation }

func (r *recorder) Open(c reassemble.Conn) reassemble.Stream {
	conv := &Conversation{Header: fmt.Sprintf("client=%s server=%s", c.ID.Client, c.ID.Server)}
	r.convs = append(r.convs, conv)
	return &convStream{c: conv}
}

type convStream struct {
	c   *Conversation
	gap [2]string // a gap seen in each direction since its last Data
}

func (s *convStream) Data(d reassemble.Direction, _ int64, data []byte, _ []reassemble.Segment) {
	fromClient := d == reassemble.ClientToServer
	if n := len(s.c.Flows); n > 0 && s.c.Flows[n-1].FromClient == fromClient && s.gap[d] == "" {
		s.c.Flows[n-1].Data = append(s.c.Flows[n-1].Data, data...)
		return
	}
	s.c.Flows = append(s.c.Flows, Flow{FromClient: fromClient, Data: append([]byte(nil), data...), Gap: s.gap[d]})
	s.gap[d] = ""
}

// Gap starts a new flow at the next Data of that direction, marked.
func (s *convStream) Gap(d reassemble.Direction, n int64, reason string) {
	if n < 0 {
		s.gap[d] = "bytes " + reason
	} else {
		s.gap[d] = fmt.Sprintf("%d bytes %s", n, reason)
	}
}

func (s *convStream) Close(string) {}

// Endpoints returns the client and server named in a conversation's
// header, or defaults when the header does not name them.
func (c Conversation) Endpoints(i int) (client, server netip.AddrPort) {
	client = netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}), uint16(40000+i%20000))
	server = netip.MustParseAddrPort("203.0.113.10:80")
	for _, f := range strings.Fields(c.Header) {
		if v, ok := strings.CutPrefix(f, "client="); ok {
			if ap, err := netip.ParseAddrPort(v); err == nil {
				client = ap
			}
		}
		if v, ok := strings.CutPrefix(f, "server="); ok {
			if ap, err := netip.ParseAddrPort(v); err == nil {
				server = ap
			}
		}
	}
	return client, server
}

// mss is the segment size WriteCapture cuts streams into, so records
// span segments as they do on the wire.
const mss = 1400

// WriteCapture writes conversations as a classic pcap: for each, a
// three-way handshake, the flows in order cut into MSS-sized segments,
// and a FIN from each side. Frame times advance by one millisecond from
// start, so the result is deterministic.
func WriteCapture(w io.Writer, convs []Conversation, start time.Time) error {
	cw, err := capture.NewWriter(w, capture.FormatPcap, capture.WriterOptions{})
	if err != nil {
		return err
	}
	t := start
	next := func() time.Time { t = t.Add(time.Millisecond); return t }
	for i, c := range convs {
		client, server := c.Endpoints(i)
		var seq [2]uint32 // next sequence number: client, server
		seq[0], seq[1] = 1000, 5000
		send := func(fromClient bool, flags capture.TCPFlags, payload []byte) error {
			src, dst, me, peer := client, server, 0, 1
			if !fromClient {
				src, dst, me, peer = server, client, 1, 0
			}
			p := capture.Packet{Time: next(), Src: src, Dst: dst, Seq: seq[me], Ack: seq[peer], Flags: flags, Window: 65535, Payload: payload}
			seq[me] += uint32(len(payload))
			if flags.Has(capture.SYN) || flags.Has(capture.FIN) {
				seq[me]++
			}
			return cw.WritePacket(p)
		}
		steps := []struct {
			fromClient bool
			flags      capture.TCPFlags
		}{{true, capture.SYN}, {false, capture.SYN | capture.ACK}, {true, capture.ACK}}
		for _, s := range steps {
			if err := send(s.fromClient, s.flags, nil); err != nil {
				return err
			}
		}
		for _, f := range c.Flows {
			for off := 0; off < len(f.Data); off += mss {
				end := min(off+mss, len(f.Data))
				if err := send(f.FromClient, capture.ACK|capture.PSH, f.Data[off:end]); err != nil {
					return err
				}
			}
		}
		for _, fromClient := range []bool{true, false} {
			if err := send(fromClient, capture.FIN|capture.ACK, nil); err != nil {
				return err
			}
		}
	}
	return cw.Close()
}
