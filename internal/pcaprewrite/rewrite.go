// Package pcaprewrite rewrites a capture into a harder one carrying the same
// TCP byte streams: segments split into pieces, pieces reordered, duplicated
// and partly retransmitted. Tests use it to check that reassembly yields the
// same streams from both.
//
// Rewrite streams: it holds at most one packet per connection direction
// besides the packet being rewritten.
package pcaprewrite

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/netip"

	"github.com/wxaudit/wxaudit/capture"
)

// Options says how hard to make the capture. Probabilities are in [0, 1].
type Options struct {
	// Seed makes the output reproducible.
	Seed int64
	// SplitMax, if positive, splits every payload into pieces of 1 to
	// SplitMax bytes.
	SplitMax int
	// Reorder is the probability that a packet's pieces are shuffled, and
	// that they are held back until after the next data packet of the same
	// connection direction.
	Reorder float64
	// Duplicate is the probability that a piece is sent twice.
	Duplicate float64
	// PartialRetransmit is the probability that a piece is followed by a
	// retransmission overlapping it and the next bytes of the segment.
	PartialRetransmit float64
}

// flowDir is one direction of a connection.
type flowDir struct{ src, dst netip.AddrPort }

// Rewrite reads a pcap or pcapng capture from in and writes to out a classic
// pcap (Ethernet) of its TCP packets, with the same byte stream in every
// connection direction. Non-TCP frames are dropped.
//
// Invariants the rewrite keeps so that a reassembler sees the same
// streams: the first packet of each connection direction stays first and
// unsplit-order (a direction seen without SYN starts at its first sequence
// number); packets with SYN, FIN or RST come after all held data of their
// connection; snapped packets are copied unchanged.
func Rewrite(in io.Reader, out io.Writer, opts Options) error {
	r, err := capture.NewReader(in)
	if err != nil {
		return fmt.Errorf("pcaprewrite: %w", err)
	}
	w, err := capture.NewWriter(out, capture.FormatPcap, capture.WriterOptions{Nanoseconds: true})
	if err != nil {
		return fmt.Errorf("pcaprewrite: %w", err)
	}
	rw := &rewriter{
		w:       w,
		opts:    opts,
		rng:     rand.New(rand.NewPCG(uint64(opts.Seed), 0x9e3779b97f4a7c15)),
		held:    map[flowDir][]capture.Packet{},
		started: map[flowDir]bool{},
	}
	for {
		p, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("pcaprewrite: %w", err)
		}
		p.Payload = append([]byte(nil), p.Payload...)
		if err := rw.packet(p); err != nil {
			return err
		}
	}
	for _, fd := range rw.order {
		if err := rw.flush(fd); err != nil {
			return err
		}
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("pcaprewrite: %w", err)
	}
	return nil
}

type rewriter struct {
	w       *capture.Writer
	opts    Options
	rng     *rand.Rand
	held    map[flowDir][]capture.Packet
	order   []flowDir // flow directions in order of appearance, for a deterministic final flush
	started map[flowDir]bool
}

func (rw *rewriter) chance(p float64) bool { return p > 0 && rw.rng.Float64() < p }

func (rw *rewriter) write(p capture.Packet) error {
	if err := rw.w.WritePacket(p); err != nil {
		return fmt.Errorf("pcaprewrite: frame %d: %w", p.Frame, err)
	}
	return nil
}

func (rw *rewriter) flush(fd flowDir) error {
	for _, p := range rw.held[fd] {
		if err := rw.write(p); err != nil {
			return err
		}
	}
	delete(rw.held, fd)
	return nil
}

func (rw *rewriter) packet(p capture.Packet) error {
	fd := flowDir{p.Src, p.Dst}
	rev := flowDir{p.Dst, p.Src}
	first := !rw.started[fd]
	if first {
		rw.started[fd] = true
		rw.order = append(rw.order, fd)
	}
	control := p.Flags&(capture.SYN|capture.FIN|capture.RST) != 0
	if control {
		if err := rw.flush(fd); err != nil {
			return err
		}
		if err := rw.flush(rev); err != nil {
			return err
		}
	}
	if len(p.Payload) == 0 || p.Truncated || (p.Flags.Has(capture.SYN) && len(p.Payload) > 0) {
		if err := rw.write(p); err != nil {
			return err
		}
		return rw.flush(fd)
	}

	pieces := rw.split(p)
	if !first && !control && rw.chance(rw.opts.Reorder) {
		rw.rng.Shuffle(len(pieces), func(i, j int) { pieces[i], pieces[j] = pieces[j], pieces[i] })
		if rw.held[fd] == nil {
			rw.held[fd] = pieces
			return nil
		}
	}
	for _, q := range pieces {
		if err := rw.write(q); err != nil {
			return err
		}
	}
	return rw.flush(fd)
}

// split cuts p into pieces, with duplicates and partial retransmissions.
// Only the last piece keeps FIN and RST.
func (rw *rewriter) split(p capture.Packet) []capture.Packet {
	var out []capture.Packet
	n := len(p.Payload)
	for off := 0; off < n; {
		size := n - off
		if rw.opts.SplitMax > 0 {
			size = min(size, 1+rw.rng.IntN(rw.opts.SplitMax))
		}
		q := p
		q.Seq = p.Seq + uint32(off)
		q.Payload = p.Payload[off : off+size]
		if off+size < n {
			q.Flags &^= capture.FIN | capture.RST
		}
		out = append(out, q)
		if rw.chance(rw.opts.Duplicate) {
			out = append(out, q)
		}
		if off+size < n && rw.chance(rw.opts.PartialRetransmit) {
			lo := off + rw.rng.IntN(size)
			hi := off + size + 1 + rw.rng.IntN(n-off-size)
			r := q
			r.Seq = p.Seq + uint32(lo)
			r.Payload = p.Payload[lo:hi]
			out = append(out, r)
		}
		off += size
	}
	return out
}
