// This file turns a TCP conversation (the byte flights each side sends)
// into the packets a capture would hold: three-way handshake, MSS-sized
// segments (so MMTLS records span segments), ACKs, FIN, and on request
// loss with later retransmission, reordering and duplicate or partially
// overlapping retransmissions. Whatever the impairment, the byte stream of
// each direction stays complete, so reassembly recovers it exactly.

package synth

import (
	"net/netip"
	"time"

	"github.com/wxaudit/wxaudit/capture"
)

// side is a sender in a conversation.
type side uint8

const (
	fromClient side = iota
	fromServer
)

// flight is bytes one side sends at once.
type flight struct {
	from side
	data []byte
	at   time.Time
}

// conversation is one TCP connection's application bytes and timing.
type conversation struct {
	client, server netip.AddrPort
	start          time.Time     // SYN time
	rtt            time.Duration // round trip, drives ACK and handshake timing
	flights        []flight
	end            time.Time // when the client closes; zero: after the last flight
}

// impairments are the probabilities of Options.Loss/Reorder/Retransmit.
type impairments struct {
	loss, reorder, retransmit float64
}

// tcpState is one direction's sequence space.
type tcpState struct {
	isn  uint32
	next uint32 // next sequence number to send
}

// segmenter appends the packets of conversations.
type segmenter struct {
	r   *rng
	imp impairments
	out []capture.Packet
}

// packets appends the packets of c to s.out.
func (s *segmenter) packets(c *conversation) {
	r := s.r
	cl := tcpState{isn: r.Uint32()}
	sv := tcpState{isn: r.Uint32()}
	half := c.rtt / 2
	mss := 1360 + 8*r.IntN(13) // 1360..1456
	win := uint16(r.between(20000, 65535))

	t := c.start
	s.emit(t, c.client, c.server, cl.isn, 0, capture.SYN, win, nil)
	t = t.Add(half)
	s.emit(t, c.server, c.client, sv.isn, cl.isn+1, capture.SYN|capture.ACK, 65160, nil)
	t = t.Add(half)
	cl.next, sv.next = cl.isn+1, sv.isn+1
	s.emit(t, c.client, c.server, cl.next, sv.next, capture.ACK, win, nil)

	for _, f := range c.flights {
		if f.at.After(t) {
			t = f.at
		}
		src, dst, snd, rcv := c.client, c.server, &cl, &sv
		if f.from == fromServer {
			src, dst, snd, rcv = c.server, c.client, &sv, &cl
		}
		t = s.sendFlight(t, src, dst, snd, rcv, f.data, mss)
		// The receiver acknowledges everything after half a round trip.
		t = t.Add(half)
		s.emit(t, dst, src, rcv.next, snd.next, capture.ACK, win, nil)
	}
	end := t.Add(time.Millisecond)
	if c.end.After(end) {
		end = c.end
	}
	s.emit(end, c.client, c.server, cl.next, sv.next, capture.FIN|capture.ACK, win, nil)
	cl.next++
	end = end.Add(half)
	s.emit(end, c.server, c.client, sv.next, cl.next, capture.FIN|capture.ACK, 65160, nil)
	sv.next++
	end = end.Add(half)
	s.emit(end, c.client, c.server, cl.next, sv.next, capture.ACK, win, nil)
}

// seg is one data segment of a flight.
type seg struct {
	seq  uint32
	data []byte
}

// sendFlight segments data and emits it starting at t, applying the
// impairments; it returns the time of the last packet.
func (s *segmenter) sendFlight(t time.Time, src, dst netip.AddrPort, snd, rcv *tcpState, data []byte, mss int) time.Time {
	var segs []seg
	for off := 0; off < len(data); off += mss {
		end := min(off+mss, len(data))
		segs = append(segs, seg{seq: snd.next + uint32(off), data: data[off:end]})
	}
	snd.next += uint32(len(data))
	r := s.r
	// Reorder: swap neighbours in sending order (times stay increasing:
	// the capture sees them arrive out of order).
	if s.imp.reorder > 0 {
		for i := 0; i+1 < len(segs); i++ {
			if r.Float64() < s.imp.reorder {
				segs[i], segs[i+1] = segs[i+1], segs[i]
				i++
			}
		}
	}
	var lost []seg
	step := 80 * time.Microsecond
	for i, g := range segs {
		if s.imp.loss > 0 && r.Float64() < s.imp.loss {
			lost = append(lost, g)
			continue
		}
		t = t.Add(step)
		s.emit(t, src, dst, g.seq, rcv.next, capture.ACK|capture.PSH, 64240, g.data)
		if s.imp.retransmit > 0 && r.Float64() < s.imp.retransmit {
			t = t.Add(step)
			if i+1 < len(segs) && len(g.data) > 1 && r.IntN(2) == 0 {
				// Partial overlap: the second half of this segment and
				// the first half of the next (covering bytes in order,
				// since the next one may have been swapped).
				n := segs[i+1]
				if n.seq == g.seq+uint32(len(g.data)) {
					a := len(g.data) / 2
					b := len(n.data) / 2
					d := append(append([]byte(nil), g.data[a:]...), n.data[:b]...)
					s.emit(t, src, dst, g.seq+uint32(a), rcv.next, capture.ACK|capture.PSH, 64240, d)
					continue
				}
			}
			s.emit(t, src, dst, g.seq, rcv.next, capture.ACK|capture.PSH, 64240, g.data)
		}
	}
	// Lost segments come back after a retransmission timeout.
	if len(lost) > 0 {
		t = t.Add(200 * time.Millisecond)
		for _, g := range lost {
			t = t.Add(step)
			s.emit(t, src, dst, g.seq, rcv.next, capture.ACK|capture.PSH, 64240, g.data)
		}
	}
	return t
}

func (s *segmenter) emit(t time.Time, src, dst netip.AddrPort, seq, ack uint32, fl capture.TCPFlags, win uint16, data []byte) {
	if fl&capture.SYN != 0 && ack == 0 {
		fl &^= capture.ACK
	}
	s.out = append(s.out, capture.Packet{Time: t, Src: src, Dst: dst, Seq: seq, Ack: ack, Flags: fl, Window: win, Payload: data})
}
